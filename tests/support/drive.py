"""Any update a person can cause, waited for by the bot's own "update done" signal.

Unlike `Person.send`, nothing here requires the bot to answer: group messages and edits get
no answer by design, and a tap that would show the same screen again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.localapi import SentMessage
from tests.support.people import REPLY_TIMEOUT, Person
from tests.support.world import World


@dataclass(frozen=True)
class Reaction:
    """What the bot did in the person's chat for one update."""

    messages: list[SentMessage]  # sent or edited since the update, in any chat, oldest first
    toast: str | None

    def in_chat(self, chat_id: int) -> list[SentMessage]:
        return [m for m in self.messages if m.chat_id == chat_id]


async def _finish(world: World, who: Person, mark: int, update_id: int, why: str) -> Reaction:
    if not await world.done.wait(update_id, REPLY_TIMEOUT):
        raise AssertionError(f"{who}: the bot did not finish {why} in {REPLY_TIMEOUT:.0f} s")
    news = [m for m in world.api.activity_since(mark) if not m.deleted]
    return Reaction(news, None)


async def send(world: World, who: Person, text: str, **where: Any) -> Reaction:
    """A text (`chat_id=..., chat_type="group"` for a group), waited for."""
    return (await send_message(world, who, text, **where))[0]


async def send_message(world: World, who: Person, text: str, **where: Any) -> tuple[Reaction, int]:
    """A text, waited for; also the id of the person's message (to edit it later)."""
    mark = world.api.activity_mark()
    update = await world.api.user_sends_text(who.user_id, text, **where)
    reaction = await _finish(world, who, mark, update["update_id"], f"sending {text[:40]!r}")
    return reaction, int(update["message"]["message_id"])


async def send_file(
    world: World, who: Person, data: bytes, *, name: str | None, mime: str, caption: str | None
) -> Reaction:
    """A photo (`name` None) or a document, waited for."""
    mark = world.api.activity_mark()
    if name is None:
        update = await world.api.user_sends_photo(who.user_id, data, caption=caption, mime=mime)
    else:
        update = await world.api.user_sends_document(
            who.user_id, data, name, mime, caption=caption
        )
    return await _finish(world, who, mark, update["update_id"], f"sending a file {name!r}")


async def edit(world: World, who: Person, message_id: int, text: str) -> Reaction:
    """The person edits one of their own messages, waited for."""
    mark = world.api.activity_mark()
    update = world.api.user_edits_message(who.user_id, message_id, text)
    return await _finish(world, who, mark, update["update_id"], "an edit")


async def press(world: World, who: Person, data: str, message_id: int) -> Reaction:
    """A tap with any callback data on a message, waited for; the toast is kept."""
    mark = world.api.activity_mark()
    query_id = await world.api.user_presses(who.user_id, message_id, data)
    update_id = next(
        int(u["update_id"])
        for u in world.api.pending_updates
        if u.get("callback_query", {}).get("id") == query_id
    )
    reaction = await _finish(world, who, mark, update_id, f"pressing {data!r}")
    answer = world.api.callback_answers.get(query_id)
    if answer is None:
        raise AssertionError(f"{who}: the tap {data!r} was never answered")
    return Reaction(reaction.messages, answer.get("text"))
