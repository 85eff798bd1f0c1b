"""Slack for staff: Rasa's Slack channel with conversations keyed by channel, de-duplication of
every kind of retry by event id (shared by all servers through Redis, bot.rasa_ext.seen_events),
the payload guard, and a configurable Web API address (SLACK_API_URL, for a local stand-in in tests)."""
from __future__ import annotations

import hashlib
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import Blueprint, response
from sanic.request import Request
from slack_sdk.web.async_client import AsyncWebClient

from bot.conversation_ids import conversation_key, log_id, recipient
from bot.parsing import clean_text
from bot.rasa_ext import relay
from bot.rasa_ext.channel_common import MAX_MESSAGE_CHARS, SORRY, RecipientOutput, guard_payload, run_turn
from bot.rasa_ext.seen_events import seen_events
from bot.settings import settings

log = logging.getLogger("coprod.channels")


class _SlackOutput(RecipientOutput, SlackBot):
    """Rasa's Slack output, addressed to the Slack id rather than our conversation key."""


class SafeSlackInput(SlackInput):
    """Slack with conversations keyed "slack:<user>", event_id de-duplication for every kind of
    retry, the payload guard, a friendly reply when a turn fails, and SLACK_API_URL."""

    @classmethod
    def name(cls) -> Text:
        return "slack"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._seen = seen_events(settings().lock_store_url)

    async def process_message(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                              text: Text, sender_id: Optional[Text], metadata: Optional[Dict]) -> Any:
        key = None
        try:
            body = request.json if request.headers.get("content-type") == "application/json" else None
        except Exception:
            body = None
        if isinstance(body, dict) and body.get("event_id"):
            key = f"event:{body['event_id']}"
        elif request.form.get("payload"):
            key = "action:" + hashlib.sha256(request.form.get("payload").encode()).hexdigest()
        conversation = conversation_key(self.name(), sender_id or "unknown")
        if key and await self._already_handled(key):
            log.info("slack retry ignored sender=%s", log_id(conversation))
            return response.text("", headers={"X-Slack-No-Retry": "1"})
        text = await guard_payload(request.app, conversation, clean_text(text or "", limit=MAX_MESSAGE_CHARS))

        async def handle(message: UserMessage) -> None:
            if not await run_turn(on_new_message, message):
                await message.output_channel.send_text_message(recipient(message.sender_id), SORRY)

        return await super().process_message(request, handle, text, conversation, metadata)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = super().blueprint(on_new_message)

        @bp.middleware("request")
        async def handoff_channel(request: Request) -> Any:
            """Messages and reactions in the handoff channel are staff answering a person (bot.rasa_ext.relay),
            never a conversation with the assistant; Rasa's handler would drop them as "not supported"."""
            if request.method != "POST" or request.headers.get("content-type") != "application/json":
                return None
            try:
                body = request.json
            except Exception:
                return None
            if not relay.is_handoff_event(body) or not self.is_request_from_slack_authentic(request):
                return None
            if not (body.get("event_id") and await self._already_handled(f"event:{body['event_id']}")):
                try:
                    await relay.staff_event(body)
                except Exception:
                    log.exception("handoff event failed")
            return response.text("", headers={"X-Slack-No-Retry": "1"})

        return bp

    async def _already_handled(self, key: str) -> bool:
        try:
            return await self._seen.check_and_add(key)
        except Exception:  # Redis unreachable: better a rare double answer than none
            log.warning("slack de-duplication unavailable: %s", key.split(":")[0])
            return False

    def get_output_channel(self, channel: Optional[Text] = None, thread_id: Optional[Text] = None) -> Any:
        bot = _SlackOutput(self.slack_token, channel or self.slack_channel, thread_id, self.proxy)
        bot.client = AsyncWebClient(self.slack_token, base_url=settings().slack_api_url)
        return bot
