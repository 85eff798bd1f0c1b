"""The Rasa server's side of a handoff: staff replies in the Slack thread reach the person, and
the person's messages reach the thread while staff are in it (bot.handoff has the words).

- A message in the handoff channel (HANDOFF_SLACK_CHANNEL) is never a conversation with the
  assistant: a reply in one of our threads goes to the person (stored first, so one that arrives
  while the page reloads, or for a REST client between requests, is delivered next time); "end"
  or a check-mark reaction ends the chat. A reply to an ended or deleted chat is answered in the
  thread, once.
- While staff are in the thread, the person's messages go there and the assistant stays quiet;
  the person's "end" button (or words) hands back to the assistant.
Database calls run in worker threads; Slack calls use slack_sdk's async client.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from slack_sdk.web.async_client import AsyncWebClient

from bot import handoff, handoffs, privacy
from bot.conversation_ids import log_id, recipient, split_key
from bot.db import session_scope
from bot.organisation import current as organisation
from bot.settings import settings

log = logging.getLogger("coprod.relay")


@dataclass
class _Socket:
    """Where web-chat messages go (set by the socket.io channel when it starts)."""

    sio: Any = None
    namespace: Optional[str] = None
    event: str = "bot_uttered"
    shared: bool = False  # a Redis manager: rooms span servers, so local membership says nothing


SOCKET = _Socket()


def on() -> bool:
    return settings().handoff_on


def _slack() -> AsyncWebClient:
    return AsyncWebClient(token=settings().slack_token, base_url=settings().slack_api_url)


async def _in_thread(fn: Any, *args: Any) -> Any:
    return await asyncio.to_thread(fn, *args)


# ------------------------------------------------------------------ the person's side

def _as_message(text: str, buttons: Optional[List[Dict[str, str]]] = None) -> Dict[str, Any]:
    return {"text": text, "buttons": buttons or []}


def _take_pending(conversation: str) -> List[Dict[str, Any]]:
    org = organisation()
    with session_scope() as session:
        messages = handoffs.undelivered(session, conversation)
        handoffs.mark_delivered(session, [m.id for m in messages])
        return [handoff.staff_message(org, m.text) for m in messages]


async def pending(conversation: str) -> List[Dict[str, Any]]:
    """Staff replies not yet delivered to this conversation (now marked delivered)."""
    if not on():
        return []
    try:
        return await _in_thread(_take_pending, conversation)
    except Exception:
        log.exception("pending staff replies unavailable sender=%s", log_id(conversation))
        return []


async def from_person(conversation: str, text: str) -> Optional[Dict[str, Any]]:
    """If staff are in this conversation's thread: relay `text` there (or end the chat) and return
    the short reply for the person; None when the assistant should answer as usual."""
    if not on():
        return None
    thread = await _in_thread(_open_thread, conversation)
    if thread is None:
        return None
    ending = text == handoff.END_PAYLOAD or handoff.is_end(text, handoff.PERSON_END_WORDS)
    if thread.status != "answered" and not (ending and text == handoff.END_PAYLOAD):
        return None  # nobody from the team has replied yet: the assistant carries on meanwhile
    if privacy.asks_to_delete(text, None, 0.0, True):  # "delete my data" is for the assistant, never the team
        await _in_thread(_end, thread.id, "person")
        await _post(thread, handoff.THREAD_PERSON_ENDED)
        return None
    if ending:
        await _in_thread(_end, thread.id, "person")
        await _post(thread, handoff.THREAD_PERSON_ENDED)
        return _as_message(handoff.PERSON_ENDED)
    await _post(thread, f"*They wrote:* {text}")
    return _as_message(handoff.RELAYED, [handoff.END_BUTTON])


def _open_thread(conversation: str) -> Optional[handoffs.Thread]:
    with session_scope() as session:
        return handoffs.open_for(session, conversation)


def _end(handoff_id: int, by: str) -> bool:
    with session_scope() as session:
        return handoffs.end(session, handoff_id, by)


async def _post(thread: handoffs.Thread, text: str) -> None:
    try:
        await _slack().chat_postMessage(channel=thread.slack_channel, thread_ts=thread.slack_ts, text=text)
    except Exception as exc:
        log.warning("post to handoff thread failed reference=%s error=%s", thread.reference, type(exc).__name__)


# ------------------------------------------------------------------ the staff side

def is_handoff_event(body: Any) -> bool:
    """A Slack event from the handoff channel (never a conversation with the assistant)."""
    event = body.get("event") if isinstance(body, dict) else None
    if not (on() and isinstance(event, dict)):
        return False
    where = event.get("channel") or (event.get("item") or {}).get("channel")
    return where == settings().handoff_slack_channel


async def staff_event(body: Dict[str, Any]) -> None:
    """A message or reaction in the handoff channel."""
    event = body["event"]
    if event.get("type") == "reaction_added":
        if event.get("reaction") in handoff.END_REACTIONS:
            await _staff_ends(event["item"]["channel"], event["item"].get("ts", ""))
        return
    thread_ts, ts = event.get("thread_ts"), event.get("ts")
    if event.get("type") != "message" or not thread_ts or thread_ts == ts or event.get("bot_id") or event.get("subtype"):
        return  # not a person's reply in a thread (our own posts, edits, channel chatter)
    text = (event.get("text") or "").strip()
    if not text:
        return
    if handoff.is_end(text, handoff.STAFF_END_WORDS):
        await _staff_ends(event["channel"], thread_ts)
        return
    result = await _in_thread(_store_reply, event["channel"], thread_ts, text, str(body.get("event_id") or ts))
    if result is None:
        return
    thread, message_id = result
    if thread is None:
        if _ours(body, event):
            await _post(handoffs.Thread(0, "", "", event["channel"], thread_ts, "ended"), handoff.THREAD_CLOSED)
        return
    if message_id is not None:
        await _deliver(thread, handoff.staff_message(organisation(), text), message_id)


def _ours(body: Dict[str, Any], event: Dict[str, Any]) -> bool:
    """The thread was started by our bot (Slack names the parent's author)."""
    bots = {a.get("user_id") for a in body.get("authorizations") or [] if isinstance(a, dict)}
    return bool(event.get("parent_user_id")) and event.get("parent_user_id") in bots


def _store_reply(channel: str, thread_ts: str, text: str, event_id: str) -> Any:
    """(thread or None if closed/unknown, new message id or None if a retry); None if no such thread
    and it is not ours to answer."""
    with session_scope() as session:
        row = handoffs.by_thread(session, channel, thread_ts)
        if row is None or row.status not in handoffs.OPEN:
            return (None, None)
        message_id = handoffs.add_staff_reply(session, row, text, event_id)
        return (handoffs.Thread(row.id, row.reference or "", row.conversation or "", row.slack_channel or "",
                                row.slack_ts or "", row.status), message_id)


async def _staff_ends(channel: str, ts: str) -> None:
    def end_it() -> Optional[handoffs.Thread]:
        with session_scope() as session:
            row = handoffs.by_thread(session, channel, ts)
            if row is None or row.status not in handoffs.OPEN:
                return None
            thread = handoffs.Thread(row.id, row.reference or "", row.conversation or "", channel, ts, row.status)
            return thread if handoffs.end(session, row.id, "staff") else None

    thread = await _in_thread(end_it)
    if thread is None:
        return
    await _deliver(thread, _as_message(handoff.STAFF_ENDED), None)
    await _post(thread, handoff.THREAD_STAFF_ENDED)


async def _deliver(thread: handoffs.Thread, message: Dict[str, Any], message_id: Optional[int]) -> None:
    """Show a message in the person's web chat now, if it is open; a staff reply that could not be
    shown stays pending (delivered at the next reload or REST request)."""
    channel, conversation_id = split_key(thread.conversation)
    if channel != "socketio" or SOCKET.sio is None:
        return
    room = recipient(thread.conversation)
    present = SOCKET.shared or bool(SOCKET.sio.manager.rooms.get(SOCKET.namespace or "/", {}).get(room))
    if not present:
        return
    replies = [{"content_type": "text", "title": b["title"], "payload": b["payload"]} for b in message["buttons"]]
    payload: Dict[str, Any] = {"text": message["text"]}
    if replies:
        payload["quick_replies"] = replies
    await SOCKET.sio.emit(SOCKET.event, payload, room=room, namespace=SOCKET.namespace)
    if message_id is not None:
        await _in_thread(_mark, message_id)


def _mark(message_id: int) -> None:
    with session_scope() as session:
        handoffs.mark_delivered(session, [message_id])
