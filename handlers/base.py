"""The handler wrapper: one transaction, the person, the role check, replies after commit."""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, Message, Update, User
from telegram.error import TelegramError

from bot import limits, sending
from bot.callbacks import CallbackDataError
from bot.clock import Clock
from bot.context import BotContext, Deps
from bot.i18n import Translator
from bot.inbox import mark_committed
from bot.render import Reply
from bot.render import common as render
from bot.render import people as render_people
from bot.services import evidence, inbox, nudges, people
from bot.services.errors import DomainError, Invalid
from bot.services.evidence import FileUnsupported
from db.models import Business, Evidence, Person, Role
from handlers.files import Downloaded, prefetch

log = logging.getLogger(__name__)


@dataclass
class Outgoing:
    kind: Literal["send", "edit"]
    reply: Reply
    chat_id: int | None = None  # None: the chat the update came from


@dataclass
class Turn:
    """One update being handled: the session, the person, and the replies to send."""

    db: AsyncSession
    deps: Deps
    tr: Translator
    person: Person | None
    user: User
    chat_id: int
    data: str | None
    message: Message | None
    update: Update
    context: BotContext
    outgoing: list[Outgoing] = field(default_factory=list)
    prefetched: Downloaded | Invalid | None = None
    toast_text: str | None = None
    toast_alert: bool = False
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # The business the person owned when they were loaded, in this transaction (None: none).
    business: Business | None = None

    @property
    def clock(self) -> Clock:
        return self.deps.clock

    @property
    def bot(self) -> Bot:
        return self.context.bot

    @property
    def args(self) -> list[str]:
        """A command's arguments (`/start <code>`: the code)."""
        return list(self.context.args or [])

    def allows(self, roles: frozenset[Role] | None) -> bool:
        """Whether the person may use a route for `roles` (None: anyone)."""
        return roles is None or (self.person is not None and bool(self.person.role_set & roles))

    @property
    def me(self) -> Person:
        """The person, for handlers that required a role (so the person exists)."""
        if self.person is None:
            raise RuntimeError("this handler needs a known person; give it roles=")
        return self.person

    @property
    def text(self) -> str:
        """What the person typed (or the caption of their file), trimmed."""
        if self.message is None:
            return ""
        return (self.message.text or self.message.caption or "").strip()

    async def keep_attachment(self) -> Evidence:
        """Store the photo or document the person sent (fetched before the transaction).

        Raises `Invalid` (FileTooLarge, FileUnsupported) when it was refused.
        """
        if isinstance(self.prefetched, Invalid):
            raise self.prefetched
        if self.prefetched is None:
            raise FileUnsupported()
        data, mime, filename = self.prefetched
        return await evidence.save_evidence(
            self.db,
            self.clock,
            self.deps.settings.data_dir,
            person_id=self.me.id,
            data=data,
            mime=mime,
            filename=filename,
        )

    def reply(self, reply: Reply) -> None:
        self.outgoing.append(Outgoing("send", reply))

    def edit(self, reply: Reply) -> None:
        """Replace the message whose button was tapped (a new message when there is none)."""
        self.outgoing.append(Outgoing("edit" if self.data is not None else "send", reply))

    def toast(self, text: str, *, alert: bool = False) -> None:
        self.toast_text, self.toast_alert = text, alert

    def later(self, action: Callable[[], Awaitable[None]]) -> None:
        """Run after the commit (e.g. wake the dispatcher), never inside the transaction."""
        self.after_commit.append(action)

    def wake_dispatcher(self) -> None:
        """After the commit, let the dispatcher send the outbox rows this turn made due now."""
        deps = self.deps

        async def wake() -> None:
            deps.wake_dispatcher()

        self.later(wake)

    def discard(self) -> None:
        self.outgoing.clear()
        self.after_commit.clear()
        self.toast_text = None


TurnFn = Callable[[Turn], Awaitable[None]]
HandlerFn = Callable[[Update, BotContext, Turn], Coroutine[Any, Any, None]]
Callback = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


async def run(
    fn: TurnFn, allowed: frozenset[Role] | None, update: Update, context: BotContext
) -> None:
    """Serve one update with `fn`: one transaction, the person, the role check, the replies."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    turn = await _handle(fn, allowed, update, context, user, chat.id)
    await deliver(context, turn, update)


def handler(*, roles: Iterable[Role] | None = None) -> Callable[[HandlerFn], Callback]:
    """Wrap a feature handler; `roles` limits who may use it (None: anyone, even unknown)."""
    allowed = frozenset(roles) if roles is not None else None

    def decorate(fn: HandlerFn) -> Callback:
        @functools.wraps(fn)
        async def wrapper(update: Update, context: BotContext) -> None:
            async def serve(t: Turn) -> None:
                await fn(update, context, t)

            serve.__name__ = fn.__name__
            await run(serve, allowed, update, context)

        return wrapper

    return decorate


async def _handle(
    fn: TurnFn,
    allowed: frozenset[Role] | None,
    update: Update,
    context: BotContext,
    user: User,
    chat_id: int,
) -> Turn:
    deps = context.deps
    query = update.callback_query
    data = query.data if query is not None else None
    message = update.effective_message if query is None else None
    prefetched = await prefetch(context, message)
    async with deps.sessions() as db:
        turn = Turn(
            db, deps, deps.i18n.translator(), None, user, chat_id, data, message, update, context
        )
        turn.prefetched = prefetched
        try:
            await _run_turn(fn, allowed, turn)
            mark_committed()  # the update's mark went with it
        except CallbackDataError:
            turn.discard()
            turn.toast(render.stale_toast(turn.tr))
            turn.reply(render.stale_button(turn.tr))
        except DomainError as exc:
            turn.discard()
            turn.reply(render.domain_error(turn.tr, exc))
        except Exception:
            _trouble(fn, update, turn)
    return turn


def _trouble(fn: TurnFn, update: Update, turn: Turn) -> None:
    incident = secrets.token_hex(2).upper()
    log.exception(
        "handler %s failed: update %s, user %s, incident %s",
        fn.__name__,
        update.update_id,
        turn.user.id,
        incident,
    )
    turn.discard()
    turn.reply(render.trouble(turn.tr, incident))


async def _run_turn(fn: TurnFn, allowed: frozenset[Role] | None, turn: Turn) -> None:
    """The transaction of one update: the person, the role check, the feature handler."""
    db, deps = turn.db, turn.deps
    async with db.begin():
        # Another worker may serve this person right now: their lock, with the mark.
        update_id, user_id = turn.update.update_id, turn.user.id
        if not await inbox.mark_handled(db, deps.clock, update_id, lock_person=user_id):
            return  # handled before (a redelivery): change nothing
        person, business = await _load_person(db, turn.context, turn)
        turn.person, turn.business = person, business
        turn.tr = deps.i18n.translator(person.locale if person else None)
        if person is not None and person.deactivated_at is not None:
            turn.reply(render_people.access_paused(turn.tr))  # whatever they sent
            return
        if not turn.allows(allowed):
            turn.reply(render.not_allowed(turn.tr, person))
            return
        await fn(turn)
        if business is not None and turn.person is not None and turn.person.has_role(Role.UMKM):
            nudges.note_activity(deps.clock, business)  # a business that uses the bot is active


async def _load_person(
    db: AsyncSession, context: BotContext, turn: Turn
) -> tuple[Person | None, Business | None]:
    """The person who wrote (a listed coordinator is made one) and the business they own."""
    deps, user = turn.deps, turn.user
    person, business = await people.arriving(db, user.id)
    if user.id in deps.settings.bot_coordinators and (
        person is None or Role.COORDINATOR not in person.role_set
    ):
        coordinator = person = await people.ensure_coordinator(
            db, deps.clock, user.id, user.full_name
        )

        async def give_menu() -> None:  # their command menu, once they are recorded
            await context.commands.give(context.bot, coordinator)

        turn.later(give_menu)
    if person is not None and people.mark_reachable(person):
        await people.audit(db, deps.clock, person.id, "person.reachable")
    return person, business


async def deliver(context: BotContext, turn: Turn, update: Update) -> None:
    """Answer the tap once, send the queued messages, then run the after-commit work."""
    query = update.callback_query
    if query is not None:
        try:
            await query.answer(
                (turn.toast_text or "")[: limits.MAX_TOAST] or None, show_alert=turn.toast_alert
            )
        except TelegramError as exc:  # a query older than ~15 minutes cannot be answered
            log.info("callback answer failed: %s", exc)
    bot = context.bot
    source = query.message if query is not None and isinstance(query.message, Message) else None
    for out in turn.outgoing:
        chat_id = out.chat_id or turn.chat_id
        try:
            retry = sending.REPLY_RETRY  # a reply may carry a result: wait out a 429
            edit = source if out.kind == "edit" else None
            if edit is not None and await sending.edit_reply(bot, edit, out.reply, retry):
                continue
            await sending.send_reply(bot, chat_id, out.reply, retry)
        except TelegramError as exc:
            outcome = limits.classify(exc)
            log.warning("reply to %s not delivered (%s): %s", chat_id, outcome, exc)
            if outcome is limits.SendOutcome.BLOCKED and turn.person is not None:
                await _mark_unreachable(turn.deps, turn.person.id)
    for action in turn.after_commit:
        try:
            await action()
        except Exception:
            log.exception("after-commit action failed for update %s", update.update_id)


async def _mark_unreachable(deps: Deps, person_id: int) -> None:
    async with deps.sessions() as db, db.begin():
        await people.mark_unreachable(db, deps.clock, person_id)
