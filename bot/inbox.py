"""Every update is a row first: stored before Telegram is told, handled once, in chat order.

Polling: `InboxBot.get_updates` stores each batch in one transaction before it returns, and
only the next getUpdates (which carries the new offset) tells Telegram the batch arrived.
Webhooks: PTB answers 200 once `InboxQueue.put` returns, and `put` stores first. Handlers
mark their update handled in their own transaction (`bot.services.inbox.mark_handled`); the
processor marks whatever no handler took. At start, what was stored but never handled goes
first into the queue.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot, Update
from telegram.ext import Application, BaseUpdateProcessor, ExtBot

from bot.clock import Clock
from bot.context import BotContext
from bot.flood import FloodControl, FloodLimits
from bot.services import inbox as service
from bot.services import locks
from db.models import InboxOutcome

log = logging.getLogger(__name__)

# Called with an update's id once it is completely done: handled, replies sent, after-commit
# work run, marked in the inbox. Tests wait on it instead of a window of silence.
UpdateDone = Callable[[int], None]

# How often handled rows older than `service.KEEP_HANDLED` are deleted.
PRUNE_INTERVAL_S = 3600


@dataclass
class _Mark:
    update: Update | None
    committed: bool = False


# One per update (each runs in its own task, so its own context): the handler wrapper says
# when the transaction that marked the update handled has committed, sparing the processor
# a transaction of its own.
_mark: ContextVar[_Mark | None] = ContextVar("inbox_mark", default=None)


def handling() -> Update | None:
    """The update the current task is handling (None outside one): for logs and the bench."""
    mark = _mark.get()
    return mark.update if mark is not None else None


def mark_committed() -> None:
    """The handler's transaction, with the update's mark, has committed."""
    mark = _mark.get()
    if mark is not None:
        mark.committed = True


class Inbox:
    """Stores updates on their way in and hands the unhandled ones out again at start."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self.sessions = sessions
        self.clock = clock
        self.queue = InboxQueue(self)
        self._stored: set[int] = set()  # stored by a poll or the replay, on their way to `queue`

    async def fetched(
        self, updates: Sequence[Update], raw: Mapping[int, dict[str, Any]] | None = None
    ) -> list[Update]:
        """Store a polled batch in one transaction; the updates not seen before, in order.

        `raw`: the updates' JSON as Telegram sent it, by id (else rebuilt from the objects).
        """
        fresh = await self._store(updates, raw or {})
        self._stored.update(u.update_id for u in fresh)
        return fresh

    async def admit(self, update: Update) -> bool:
        """Whether an update entering the queue goes on: stored by its poll, or now."""
        if update.update_id in self._stored:
            self._stored.discard(update.update_id)
            return True
        return bool(await self._store([update], {}))

    async def settle(self, update_id: int) -> None:
        """Mark the update handled unless a handler did (a guard stopped it, none took it)."""
        try:
            async with self.sessions() as db, db.begin():
                await service.mark_handled(db, self.clock, update_id, InboxOutcome.SKIPPED)
        except Exception:  # it comes back at the next start; the guards stop it again
            log.exception("could not mark update %s handled", update_id)

    async def replay(self, bot: Bot) -> int:
        """Queue every stored update not yet handled, oldest first; how many."""
        async with self.sessions() as db, db.begin():
            payloads = await service.unhandled(db)
        for payload in payloads:
            update = Update.de_json(payload, bot)
            self._stored.add(update.update_id)
            await self.queue.put(update)
        if payloads:
            log.info("handling %d update(s) stored before the last stop", len(payloads))
        return len(payloads)

    async def prune(self) -> int:
        async with self.sessions() as db, db.begin():
            return await service.prune(db, self.clock)

    async def _store(
        self, updates: Sequence[Update], raw: Mapping[int, dict[str, Any]]
    ) -> list[Update]:
        if not updates:
            return []
        incoming = [
            service.Incoming(
                u.update_id,
                u.effective_chat.id if u.effective_chat else None,
                raw.get(u.update_id) or u.to_dict(),  # to_dict costs as much as parsing
            )
            for u in updates
        ]
        async with self.sessions() as db:
            if locks.is_postgresql(db):
                # One INSERT commits by itself: no BEGIN and COMMIT round trips before an
                # update can be handled. SQLite's statements cost no round trip.
                await db.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
                fresh = await service.store(db, self.clock, incoming)
            else:
                async with db.begin():
                    fresh = await service.store(db, self.clock, incoming)
        if len(fresh) < len(updates):
            log.info("%d update(s) seen before were skipped", len(updates) - len(fresh))
        return [u for u in updates if u.update_id in fresh]


class InboxQueue(asyncio.Queue[object]):
    """The application's update queue: an update is stored before `put` returns."""

    def __init__(self, inbox: Inbox) -> None:
        super().__init__()
        self._inbox = inbox

    async def put(self, item: object) -> None:
        if isinstance(item, Update) and not await self._inbox.admit(item):
            return  # seen before: a redelivery changes nothing
        await super().put(item)


class InboxBot(ExtBot[Any]):
    """The bot whose getUpdates stores the batch before handing it to the updater."""

    def __init__(self, inbox: Inbox, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._inbox = inbox
        self._polled: dict[int, dict[str, Any]] = {}  # the last batch's JSON, by update id

    async def initialize(self) -> None:
        """Open the transports and ask getMe; when that fails the transports are closed
        again (PTB leaves them open, and an open aiohttp session is reported at exit)."""
        try:
            await super().initialize()
        except BaseException:
            for request in self._request:
                await request.shutdown()
            raise

    async def _post(self, endpoint: str, *args: Any, **kwargs: Any) -> Any:
        """Every call; getUpdates' answer is also kept as Telegram sent it, to be stored."""
        result = await super()._post(endpoint, *args, **kwargs)
        if endpoint == "getUpdates" and isinstance(result, list):
            self._polled = {item["update_id"]: item for item in result if "update_id" in item}
        return result

    async def get_updates(
        self, offset: int | None = None, *args: Any, **kwargs: Any
    ) -> tuple[Update, ...]:
        """The updates not seen before, stored. If the store fails, so does the call, and
        the updater asks again with the same offset: Telegram still holds the batch."""
        while True:
            batch = await super().get_updates(offset, *args, **kwargs)
            fresh = await self._inbox.fetched(batch, self._polled)
            self._polled = {}
            if fresh or not batch:
                return tuple(fresh)
            # Only redeliveries: confirm them (they are stored) and ask again, since the
            # updater moves its offset only past updates it is given.
            offset = batch[-1].update_id + 1


@dataclass
class _ChatTurn:
    lock: asyncio.Lock
    waiting: int = 0


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across chats, strictly ordered within one chat (no racing taps).

    An update first waits for its chat's turn and only then takes one of the slots, so one
    chat's burst never holds a slot another chat could use.
    """

    # PTB's own semaphore is taken before `do_process_update`, i.e. before the chat's turn;
    # it is left unbounded and the slots below do its work.
    _UNBOUNDED = 1 << 30

    def __init__(
        self,
        slots: int,
        inbox: Inbox,
        *,
        flood: FloodLimits | None = None,
        on_done: UpdateDone | None = None,
    ) -> None:
        super().__init__(self._UNBOUNDED)
        self.inbox = inbox
        self.flood = FloodControl(flood or FloodLimits())
        self._slots = asyncio.Semaphore(slots)
        self._chats: dict[int, _ChatTurn] = {}
        self._on_done = on_done

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        known = update if isinstance(update, Update) else None
        chat = known.effective_chat if known is not None else None
        mark = _Mark(known)
        _mark.set(mark)
        try:
            async with self._turn(chat.id if chat is not None else None), self._slots:
                await coroutine
                if known is not None and not mark.committed:
                    await self.inbox.settle(known.update_id)
        finally:
            if self._on_done is not None and known is not None:
                self._on_done(known.update_id)

    @asynccontextmanager
    async def _turn(self, chat_id: int | None) -> AsyncIterator[None]:
        if chat_id is None:
            yield
            return
        turn = self._chats.get(chat_id)
        if turn is None:
            turn = self._chats[chat_id] = _ChatTurn(asyncio.Lock())
        turn.waiting += 1
        try:
            async with turn.lock:
                yield
        finally:
            turn.waiting -= 1
            if not turn.waiting:
                del self._chats[chat_id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def processor_of(app: Application[Any, Any, Any, Any, Any, Any]) -> PerChatUpdateProcessor:
    """The processor `build_application` installed (the guards read its flood control)."""
    processor = app.update_processor
    if not isinstance(processor, PerChatUpdateProcessor):
        raise LookupError("the application was not built by build_application()")
    return processor


async def prune_inbox_job(context: BotContext) -> None:
    """The periodic job: forget updates handled long ago (one indexed DELETE)."""
    pruned = await processor_of(context.application).inbox.prune()
    if pruned:
        log.info("pruned %d handled update(s) from the inbox", pruned)
