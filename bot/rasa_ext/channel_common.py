"""What every one of our input channels does the same way.

- Conversation keys carry the channel (bot.conversation_ids); replies go out to the id the
  client knows (`RecipientOutput`).
- A message starting with "/" is a button payload only if we just offered that button.
- A turn that takes longer than TURN_TIMEOUT_S ends with our friendly reply, well before Sanic's
  own response timeout (raised to RESPONSE_TIMEOUT_S), so no client ever sees a bare 503.
- Bodies over MAX_BODY_BYTES are refused with 413 by Sanic before anything is parsed.
"""
from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, Awaitable, Callable, Dict, Iterable, Optional, Text

from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, Sanic

from bot.conversation_ids import log_id, recipient
from bot.parsing import clean_text

log = logging.getLogger("coprod.channels")

MAX_MESSAGE_CHARS = 2000
MAX_BODY_BYTES = 64 * 1024
TURN_TIMEOUT_S = 40.0  # action calls time out at 20 s (bot.rasa_ext.patches.action_timeout), database waits at a few
RESPONSE_TIMEOUT_S = 90  # Sanic's bare "503 Response Timeout" only after this
ALWAYS_ALLOWED_PAYLOADS = frozenset({"/greet", "/bot_capabilities", "/start_self_check", "/give_feedback"})
# no promise about saved data here: a turn can fail after a confirmed deletion went through
SORRY = "Sorry, something went wrong on our side and I couldn't answer. Please try again in a moment."
EMPTY = "I didn't receive any text. Please type your question, or say 'help' to see what I can do."


def apply_limits(bp: Blueprint) -> None:
    """Request-size and response-time limits for the whole Rasa server (every channel calls this;
    setting them twice is harmless). Sanic reads them when a connection opens."""

    @bp.listener("before_server_start")
    async def _limits(app: Sanic, _loop: Any) -> None:
        app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
        app.config.RESPONSE_TIMEOUT = RESPONSE_TIMEOUT_S


def clean(text: Any) -> Optional[str]:
    """The message text, cleaned and cut to MAX_MESSAGE_CHARS; None if it is not a string."""
    if not isinstance(text, str):
        return None
    return clean_text(text, limit=MAX_MESSAGE_CHARS)


async def run_turn(on_new_message: Callable[[UserMessage], Awaitable[Any]], message: UserMessage) -> bool:
    """Handle one message; False if it failed or took longer than TURN_TIMEOUT_S (already logged),
    so the channel answers with SORRY instead of silence or a bare error."""
    try:
        await asyncio.wait_for(on_new_message(message), TURN_TIMEOUT_S)
        return True
    except asyncio.TimeoutError:
        log.error("turn timed out after %.0fs sender=%s", TURN_TIMEOUT_S, log_id(message.sender_id))
    except Exception:
        log.exception("turn failed sender=%s", log_id(message.sender_id))
    return False


class RecipientOutput:
    """Mixin for an output channel: replies go to the id the client knows, not the tracker key."""

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        await super().send_response(recipient(recipient_id), message)  # type: ignore[misc]


def _offered_payloads(events: Iterable[Any]) -> set:
    """Payloads of the buttons in the assistant's messages since the person last spoke."""
    offered = set()
    for event in reversed(list(events)):
        kind = getattr(event, "type_name", None)
        if kind == "user":
            break
        if kind == "bot":
            for button in (event.data or {}).get("buttons") or []:
                if isinstance(button, dict) and isinstance(button.get("payload"), str):
                    offered.add(button["payload"])
    return offered


async def guard_payload(app: Optional[Sanic], key: Text, text: Text) -> Text:
    """Let "/intent{...}" through only if we offered exactly that button; else treat it as plain text,
    so nobody can skip consent, set slots or jump into other intents by typing payloads. In a
    conversation that has just begun, such a button is from an earlier one: it gets the greeting."""
    if not text.startswith("/") or text in ALWAYS_ALLOWED_PAYLOADS:
        return text
    try:
        tracker = await app.ctx.agent.tracker_store.retrieve(key) if app else None
    except Exception:  # the store is down: be strict
        return _as_words(text)
    if tracker is not None and text in _offered_payloads(tracker.events):
        return text
    if tracker is None or not any(getattr(e, "type_name", None) == "user" for e in tracker.events):
        # a button from an earlier conversation (a stale page after a new session): greet, so the
        # person sees what they can do, instead of answering a button nobody offered here
        return "/greet"
    return _as_words(text)


def _as_words(text: Text) -> Text:
    """Keep the words, drop the entities and slots: '/tell_me_more{"topic":"x"}' -> 'tell me more'."""
    words = re.split(r"[{@]", text.lstrip("/"), maxsplit=1)[0].replace("_", " ").strip()
    return words or "hello"


def emergency_check(app: Optional[Sanic]) -> Optional[Callable[[str], Awaitable[Optional[str]]]]:
    """A classifier for text that skips the dialogue (relayed to staff): "emergency" when the model
    reads it as one, so the person still gets the helplines."""
    agent = getattr(getattr(app, "ctx", None), "agent", None) if app else None
    if agent is None:
        return None

    async def classify(text: str) -> Optional[str]:
        try:
            parsed = await agent.parse_message(text)
        except Exception:
            return None
        selector = ((parsed.get("response_selector") or {}).get("out_of_scope") or {}).get("response") or {}
        kind = str(selector.get("intent_response_key") or selector.get("utter_action") or "").rsplit("/", 1)[-1]
        intent = (parsed.get("intent") or {})
        if intent.get("name") == "out_of_scope" and float(intent.get("confidence") or 0) >= 0.5 and kind == "emergency":
            return "emergency"
        return None

    return classify

