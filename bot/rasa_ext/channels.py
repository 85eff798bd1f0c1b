"""Hardened REST and socket.io channels for the Rasa server.

Rasa 3.6's own channels: put a request without `sender` into one shared "default"
conversation; answer a JSON array or empty body with a 500; return 200 with nothing
when a turn fails (the person sees silence); let the client choose `input_channel`;
create socket.io with the Origin check off; let a client join any `session_id`; and
(python-socketio 5.18) never join the session room because `enter_room` isn't awaited
(RasaHQ/rasa#13027). These subclasses close each of those; the Slack one also de-duplicates retries
by event id. All accept a message starting with "/" only when it is the payload of a button
we just offered.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import time
import uuid
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.slack import SlackBot, SlackInput
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from slack_sdk.web.async_client import AsyncWebClient
from socketio import AsyncServer

from bot.parsing import clean_text
from bot.settings import settings

log = logging.getLogger("coprod.channels")

MAX_MESSAGE_CHARS = 2000
MAX_SENDER_CHARS = 128
SENDER_RE = re.compile(r"^[A-Za-z0-9._:@\-]{1,%d}$" % MAX_SENDER_CHARS)
ALWAYS_ALLOWED_PAYLOADS = frozenset({"/greet", "/bot_capabilities", "/start_self_check", "/give_feedback"})
SORRY = ("Sorry, something went wrong on our side and I couldn't answer. Nothing you saved has been lost; "
         "please try again in a moment.")
EMPTY = "I didn't receive any text. Please type your question, or say 'help' to see what I can do."


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


async def guard_payload(app: Optional[Sanic], sender_id: Text, text: Text) -> Text:
    """Let "/intent{...}" through only if we offered exactly that button; else treat it as plain text,
    so nobody can skip consent, set slots or jump into other intents by typing payloads."""
    if not text.startswith("/") or text in ALWAYS_ALLOWED_PAYLOADS:
        return text
    try:
        tracker = await app.ctx.agent.tracker_store.retrieve(sender_id) if app else None
    except Exception:  # the store is down: be strict
        tracker = None
    if tracker is not None and text in _offered_payloads(tracker.events):
        return text
    # keep the words, drop the entities and slots: '/tell_me_more{"topic":"x"}' -> 'tell me more'
    words = re.split(r"[{@]", text.lstrip("/"), maxsplit=1)[0].replace("_", " ").strip()
    return words or "hello"


def _clean(text: Any) -> Optional[str]:
    if not isinstance(text, str):
        return None
    return clean_text(text, limit=MAX_MESSAGE_CHARS)


class SafeRestInput(RestInput):
    """POST /webhooks/rest/webhook with validation, per-person conversations and no silent failures."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        bp = Blueprint("coprod_rest", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> Any:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Any:
            try:
                body = request.json
            except Exception:
                body = None
            if not isinstance(body, dict):
                return response.json({"error": "Send a JSON object with 'sender' and 'message'."}, status=400)
            sender = body.get("sender")
            if not isinstance(sender, str) or not SENDER_RE.match(sender):
                return response.json({"error": "'sender' must be an id of 1-128 letters, digits or . _ : @ -"},
                                     status=400)
            text = _clean(body.get("message"))
            if text is None:
                return response.json({"error": "'message' must be a string."}, status=400)
            if not text:
                return response.json([{"recipient_id": sender, "text": EMPTY}])
            text = await guard_payload(request.app, sender, text)
            collector = CollectingOutputChannel()
            try:
                await on_new_message(UserMessage(text, collector, sender, input_channel=self.name()))
            except Exception:
                log.exception("turn failed sender=%s", sender)
                collector.messages = []
            if not collector.messages:
                return response.json([{"recipient_id": sender, "text": SORRY}])
            return response.json(collector.messages)

        return bp


def session_token(session_id: str) -> str:
    """HMAC of the session id: only the browser that was given a session can resume it."""
    secret = settings().session_secret or _process_secret()
    return hmac.new(secret.encode(), session_id.encode(), hashlib.sha256).hexdigest()


_SECRET: List[str] = []


def _process_secret() -> str:
    if not _SECRET:
        log.warning("SESSION_SECRET is not set: web chat sessions won't survive a Rasa server restart "
                    "or be shared between several Rasa servers")
        _SECRET.append(secrets.token_hex(32))
    return _SECRET[0]


class SafeSocketIOInput(SocketIOInput):
    """socket.io with an Origin check, server-issued session ids bound to a token, and awaited rooms."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        origins = list(settings().allowed_origins) or []
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=origins, max_http_buffer_size=64 * 1024)
        bp = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio
        sessions: Dict[str, str] = {}  # socket id -> conversation id it proved it owns
        app_ref: List[Sanic] = []

        @bp.listener("before_server_start")
        async def _keep_app(app: Sanic, _loop: Any) -> None:
            app_ref.append(app)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> Any:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            return True

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: Text) -> None:
            sessions.pop(sid, None)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Any) -> None:
            data = data if isinstance(data, dict) else {}
            wanted, token = data.get("session_id"), data.get("session_token")
            if (isinstance(wanted, str) and isinstance(token, str) and SENDER_RE.match(wanted)
                    and hmac.compare_digest(token, session_token(wanted))):
                session_id = wanted
            else:
                session_id = uuid.uuid4().hex
            sessions[sid] = session_id
            await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", {"session_id": session_id, "session_token": session_token(session_id)},
                           room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any) -> None:
            session_id = sessions.get(sid)
            if session_id is None:
                await sio.emit(self.bot_message_evt, {"error": "Please start a session first."}, room=sid,
                               namespace=self.namespace)
                return
            text = _clean(data.get("message") if isinstance(data, dict) else None)
            output = _CountingSocketOutput(sio, self.bot_message_evt)
            if not text:
                await output.send_text_message(session_id, EMPTY)
                return
            text = await guard_payload(app_ref[0] if app_ref else None, session_id, text)
            try:
                await on_new_message(UserMessage(text, output, session_id, input_channel=self.name()))
            except Exception:
                log.exception("turn failed sender=%s", session_id)
            if not output.sent:
                await output.send_text_message(session_id, SORRY)

        return bp


class _CountingSocketOutput(SocketIOOutput):
    """Sends each answer as one message (Rasa splits at blank lines, which detaches the
    "Source:" line and confuses screen-reader users), and remembers whether anything was
    sent, so a failed turn isn't silent."""

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"text": text.strip()})

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]],
                                     **kwargs: Any) -> None:
        replies = [{"content_type": "text", "title": b["title"], "payload": b["payload"]} for b in buttons]
        await self._send_message(recipient_id, {"text": text.strip(), "quick_replies": replies})

    def __init__(self, sio: AsyncServer, bot_message_evt: Text) -> None:
        super().__init__(sio, bot_message_evt)
        self.sent = 0

    async def _send_message(self, socket_id: Text, response_: Any) -> None:
        self.sent += 1
        await super()._send_message(socket_id, response_)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        self.sent += 1
        await super().send_custom_json(recipient_id, json_message, **kwargs)



class _SeenEvents:
    """Event ids seen in the last hour (bounded), so a Slack retry is never answered twice."""

    def __init__(self, ttl: float = 3600, limit: int = 10000) -> None:
        self.ttl, self.limit = ttl, limit
        self._seen: "OrderedDict[str, float]" = OrderedDict()

    def check_and_add(self, key: str) -> bool:
        now = time.monotonic()
        while self._seen and (len(self._seen) > self.limit or next(iter(self._seen.values())) < now - self.ttl):
            self._seen.popitem(last=False)
        if key in self._seen:
            return True
        self._seen[key] = now
        return False


class SafeSlackInput(SlackInput):
    """Slack with event_id de-duplication for every kind of retry, the payload guard, and a
    configurable Web API address (SLACK_API_URL, for a local stand-in in tests)."""

    @classmethod
    def name(cls) -> Text:
        return "slack"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._seen = _SeenEvents()

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
        if key and self._seen.check_and_add(key):
            log.info("slack retry ignored sender=%s", sender_id)
            return response.text("", headers={"X-Slack-No-Retry": "1"})
        text = await guard_payload(request.app, sender_id or "", clean_text(text or "", limit=MAX_MESSAGE_CHARS))
        return await super().process_message(request, on_new_message, text, sender_id, metadata)

    def get_output_channel(self, channel: Optional[Text] = None, thread_id: Optional[Text] = None) -> Any:
        bot = SlackBot(self.slack_token, channel or self.slack_channel, thread_id, self.proxy)
        api_url = os.environ.get("SLACK_API_URL")
        if api_url:
            bot.client = AsyncWebClient(self.slack_token, base_url=api_url)
        return bot
