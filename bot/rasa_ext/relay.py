"""The Rasa server's side of a handoff: staff replies in the Slack thread reach the person, and
the person's messages reach the thread while staff are in it (bot.handoff has the words).

- A message in the handoff channel (HANDOFF_SLACK_CHANNEL) is never a conversation with the
  assistant: a reply in one of our threads is stored for the person, then shown in their open web
  chat at once, or at their next message or reload (a REST client: with its next reply); "end" or a
  check-mark reaction ends the chat, and the person is told the same way. A reply to an ended or
  deleted chat is answered in the thread. A reply that could not be stored is reported there too.
- While staff are in the thread, the person's messages go there (escaped for Slack) and the
  assistant only says "Sent to the team."; a message that looks like an emergency also gets the
  region's helplines. The person's "end" button or words, or "delete my data", hand back.
Database calls run in worker threads; Slack calls use slack_sdk's async client.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple

from slack_sdk.web.async_client import AsyncWebClient

from bot import handoff, handoffs, helplines, privacy
from bot.conversation_ids import log_id, recipient, split_key
from bot.db import session_scope
from bot.organisation import current as organisation
from bot.settings import settings

log = logging.getLogger("coprod.relay")
Classify = Callable[[str], Awaitable[Optional[str]]]  # text -> "emergency", or None


@dataclass
class _Socket:
    """Where web-chat messages go (set by the socket.io channel when it starts)."""

    sio: Any = None
    namespace: Optional[str] = None
    event: str = "bot_uttered"


SOCKET = _Socket()


@dataclass(frozen=True)
class Relayed:
    """What the channel does with a person's message: first show `pending` (staff replies and end
    notices not yet shown), then answer with `reply` (the assistant stays out of it), or send
    `before` and let the assistant answer as usual."""

    pending: Tuple[Dict[str, Any], ...] = ()
    reply: Optional[Dict[str, Any]] = None
    before: Optional[Dict[str, Any]] = None


def on() -> bool:
    return settings().handoff_on


def _slack() -> AsyncWebClient:
    return AsyncWebClient(token=settings().slack_token, base_url=settings().slack_api_url)


async def _in_thread(fn: Any, *args: Any) -> Any:
    return await asyncio.to_thread(fn, *args)


def _as_message(text: str, buttons: Optional[List[Dict[str, str]]] = None) -> Dict[str, Any]:
    return {"text": text, "buttons": buttons or []}


def _shown(kind: str, text: str) -> Dict[str, Any]:
    """A stored message as the person sees it."""
    if kind == "ended":
        return _as_message(handoff.STAFF_ENDED)
    return handoff.staff_message(organisation(), text)


# ------------------------------------------------------------------ the person's side

def _claim_pending(session: Any, conversation: str) -> List[Dict[str, Any]]:
    messages = handoffs.undelivered(session, conversation)
    return [_shown(m.kind, m.text) for m in messages if handoffs.claim(session, m.id)]


def _take_pending(conversation: str) -> List[Dict[str, Any]]:
    with session_scope() as session:
        return _claim_pending(session, conversation)


def _arrive(conversation: str) -> Tuple[List[Dict[str, Any]], Optional[handoffs.Thread]]:
    """What a message of the person needs from the database, in one unit of work: the staff
    messages not yet shown, and the open handoff."""
    with session_scope() as session:
        return _claim_pending(session, conversation), handoffs.open_for(session, conversation)


async def pending(conversation: str) -> List[Dict[str, Any]]:
    """Staff replies and end notices not yet shown to this conversation (each claimed once)."""
    if not on():
        return []
    try:
        return await _in_thread(_take_pending, conversation)
    except Exception:
        log.exception("pending staff replies unavailable sender=%s", log_id(conversation))
        return []


async def from_person(conversation: str, text: str, classify: Optional[Classify] = None) -> Relayed:
    """A person's message: relayed to the thread while staff are in it, else left to the assistant;
    with the staff messages not yet shown. When the handoff state cannot be read the assistant
    answers (and says if it can't either)."""
    if not on():
        return Relayed()
    try:
        return await _from_person(conversation, text, classify)
    except Exception:
        log.exception("handoff relay unavailable sender=%s", log_id(conversation))
        return Relayed()


async def _from_person(conversation: str, text: str, classify: Optional[Classify]) -> Relayed:
    shown, thread = await _in_thread(_arrive, conversation)
    pending = tuple(shown)
    if thread is None:
        return Relayed(pending)
    ending = text == handoff.END_PAYLOAD or handoff.is_end(text, handoff.PERSON_END_WORDS)
    if thread.status != "answered" and not (ending and text == handoff.END_PAYLOAD):
        return Relayed(pending)  # nobody from the team has replied yet: the assistant carries on meanwhile
    if ending:
        await _in_thread(_end, thread.id, "person")
        await _post(thread, handoff.THREAD_PERSON_ENDED)
        return Relayed(pending, reply=_as_message(handoff.PERSON_ENDED))
    if privacy.asks_to_delete(text, None, 0.0, True):  # for the assistant, never the team
        await _in_thread(_end, thread.id, "person")
        await _post(thread, handoff.THREAD_PERSON_ENDED)
        return Relayed(pending, before=_as_message(handoff.ENDED_FOR_DELETE))
    await _post(thread, f"*They wrote:* {slack_escape(text)}")
    reply = handoff.RELAYED
    if classify is not None and await classify(text) == "emergency":
        reply = f"{helplines.emergency_reply(helplines.profile_region())} {reply}"
    return Relayed(pending, reply=_as_message(reply, [handoff.END_BUTTON]))


def slack_escape(text: str) -> str:
    """What Slack shows as typed: no @channel pings, no disguised links (Slack's escaping rules)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _end(handoff_id: int, by: str) -> bool:
    with session_scope() as session:
        return handoffs.end(session, handoff_id, by)


async def _post(thread: handoffs.Thread, text: str) -> None:
    await _post_in(thread.slack_channel, thread.slack_ts, text, thread.reference)


async def _post_in(channel: str, thread_ts: str, text: str, reference: str = "") -> None:
    """A message in a Slack thread; a failure is logged, never raised."""
    try:
        await _slack().chat_postMessage(channel=channel, thread_ts=thread_ts, text=text)
    except Exception as exc:
        log.warning("post to handoff thread failed reference=%s error=%s", reference or "-", type(exc).__name__)


# ------------------------------------------------------------------ the staff side

def is_handoff_event(body: Any) -> bool:
    """A Slack event from the handoff channel (never a conversation with the assistant)."""
    event = body.get("event") if isinstance(body, dict) else None
    if not (on() and isinstance(event, dict)):
        return False
    where = event.get("channel") or (event.get("item") or {}).get("channel")
    return where == settings().handoff_slack_channel


async def staff_event(body: Dict[str, Any]) -> None:
    """A message or reaction in the handoff channel; a failure is reported in the thread."""
    event = body["event"]
    try:
        await _staff_event(body, event)
    except Exception:
        log.exception("handoff event failed")
        thread_ts = event.get("thread_ts") or (event.get("item") or {}).get("ts")
        if thread_ts:
            where = event.get("channel") or (event.get("item") or {}).get("channel") or ""
            await _post_in(where, thread_ts, handoff.THREAD_FAILED)


async def _staff_event(body: Dict[str, Any], event: Dict[str, Any]) -> None:
    if event.get("type") == "reaction_added":
        if event.get("reaction") in handoff.END_REACTIONS:
            await _staff_ends(event["item"]["channel"], event["item"].get("ts", ""), str(body.get("event_id") or ""))
        return
    thread_ts, ts = event.get("thread_ts"), event.get("ts")
    if event.get("type") != "message" or not thread_ts or thread_ts == ts or event.get("bot_id") or event.get("subtype"):
        return  # not a person's reply in a thread (our own posts, edits, channel chatter)
    text = (event.get("text") or "").strip()
    if not text:
        return
    event_id = str(body.get("event_id") or ts)
    if handoff.is_end(text, handoff.STAFF_END_WORDS):
        await _staff_ends(event["channel"], thread_ts, event_id)
        return
    thread, message_id = await _in_thread(_store, event["channel"], thread_ts, text, event_id, "reply")
    if thread is None:
        if _ours(body, event):
            await _post_in(event["channel"], thread_ts, handoff.THREAD_CLOSED)
        return
    if message_id is not None:
        await _deliver(thread, message_id, handoff.staff_message(organisation(), text))


def _ours(body: Dict[str, Any], event: Dict[str, Any]) -> bool:
    """The thread was started by our bot (Slack names the parent's author)."""
    bots = {a.get("user_id") for a in body.get("authorizations") or [] if isinstance(a, dict)}
    return bool(event.get("parent_user_id")) and event.get("parent_user_id") in bots


def _store(channel: str, thread_ts: str, text: str, event_id: str, kind: str) -> Any:
    """(thread, new message id or None for a retry), or (None, None) when the chat is not open."""
    with session_scope() as session:
        row = handoffs.by_thread(session, channel, thread_ts)
        if row is None or row.status not in handoffs.OPEN:
            return (None, None)
        thread = handoffs.thread_of(row)
        message_id = handoffs.add_message(session, row, text, event_id, kind)
        if kind == "ended" and message_id is not None:
            handoffs.end(session, row.id, "staff")
        return (thread, message_id)


async def _staff_ends(channel: str, ts: str, event_id: str) -> None:
    """Staff end the chat: the notice is stored for the person, then shown now if it can be."""
    thread, message_id = await _in_thread(_store, channel, ts, "", f"end:{event_id or ts}", "ended")
    if thread is None or message_id is None:
        return
    shown = await _deliver(thread, message_id, _as_message(handoff.STAFF_ENDED))
    await _post(thread, handoff.THREAD_STAFF_ENDED if shown else handoff.THREAD_STAFF_ENDED_LATER)


async def _deliver(thread: handoffs.Thread, message_id: int, message: Dict[str, Any]) -> bool:
    """Show a stored message in the person's web chat now, if it is open on this server; True if
    shown. Otherwise it stays pending (shown at their next message or reload, or REST reply)."""
    channel, _ = split_key(thread.conversation)
    if channel != "socketio" or SOCKET.sio is None:
        return False
    room = recipient(thread.conversation)
    if not SOCKET.sio.manager.rooms.get(SOCKET.namespace or "/", {}).get(room):
        return False
    if not await _in_thread(_claim, message_id):
        return False  # another tab or server showed it already
    payload: Dict[str, Any] = {"text": message["text"]}
    if message["buttons"]:
        payload["quick_replies"] = [{"content_type": "text", "title": b["title"], "payload": b["payload"]}
                                    for b in message["buttons"]]
    await SOCKET.sio.emit(SOCKET.event, payload, room=room, namespace=SOCKET.namespace)
    return True


def _claim(message_id: int) -> bool:
    with session_scope() as session:
        return handoffs.claim(session, message_id)
