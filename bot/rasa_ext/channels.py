"""Hardened REST and socket.io channels for the Rasa server.

Rasa 3.6's own channels: put a request without `sender` into one shared "default"
conversation; answer a JSON array or empty body with a 500; return 200 with nothing
when a turn fails (the person sees silence); let the client choose `input_channel`;
create socket.io with the Origin check off; let a client join any `session_id`; and
(python-socketio 5.18) never join the session room because `enter_room` isn't awaited
(RasaHQ/rasa#13027). These subclasses close each of those. Both key conversations by channel (bot.conversation_ids),
accept a message starting with "/" only when it is the payload of a button we just offered, and
end a failed or slow turn with a friendly reply (bot.rasa_ext.channel_common). The REST channel
needs a bearer token (REST_TOKEN) unless the server listens on a loopback address only. Slack is in
bot.rasa_ext.slack_channel.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Awaitable, Callable, Dict, List, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic_cors.core import SANIC_CORS_EVALUATED
from socketio import AsyncServer

from bot.conversation_ids import conversation_key, recipient
from bot.rasa_ext import relay
from bot.rasa_ext.channel_common import (EMPTY, MAX_BODY_BYTES, SORRY, RecipientOutput, apply_limits, clean,
                                         emergency_check, guard_payload, run_turn)
from bot.access import rest_refusal
from bot.settings import ROOT, settings
from bot.web_sessions import conversation_of, credential, load_secret, new_conversation

log = logging.getLogger("coprod.channels")

MAX_SENDER_CHARS = 128
SENDER_RE = re.compile(r"^[A-Za-z0-9._:@\-]{1,%d}$" % MAX_SENDER_CHARS)


class _RestCollector(RecipientOutput, CollectingOutputChannel):
    """Collects the replies for the HTTP response, addressed to the sender the client sent."""


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

        apply_limits(bp)

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Any:
            refused = rest_refusal(request.app.state.host or settings().host, settings().rest_token,
                                   request.headers.get("authorization", ""),
                                   forwarded=bool(request.headers.get("forwarded") or request.headers.get("x-forwarded-for")))
            if refused:
                return response.json({"error": refused["error"]}, status=refused["status"])
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
            text = clean(body.get("message"))
            if text is None:
                return response.json({"error": "'message' must be a string."}, status=400)
            if not text:
                return response.json([{"recipient_id": sender, "text": EMPTY}])
            key = conversation_key(self.name(), sender)
            relayed = await relay.from_person(key, text, emergency_check(request.app))
            staff = [{"recipient_id": sender, **m} for m in relayed.pending]
            if relayed.reply:
                return response.json(staff + [{"recipient_id": sender, **relayed.reply}])
            if relayed.before:
                staff.append({"recipient_id": sender, **relayed.before})
            text = await guard_payload(request.app, key, text)
            collector = _RestCollector()
            if not await run_turn(on_new_message, UserMessage(text, collector, key, input_channel=self.name())):
                collector.messages = []
            if not collector.messages:
                return response.json(staff + [{"recipient_id": sender, "text": SORRY}])
            return response.json(staff + collector.messages)

        return bp


_SECRET: List[str] = []


def _secret() -> str:
    if not _SECRET:
        _SECRET.append(load_secret(settings().session_secret, ROOT / "var" / "session-secret"))
    return _SECRET[0]


class _EngineIOBlueprint(SocketBlueprint):
    """Rasa's socket.io blueprint, with CORS for the socket.io path left to python-engineio (which
    also checks the Origin): sanic-cors, switched on by `rasa run --cors`, would add a second
    Access-Control-Allow-Origin header and browsers refuse "multiple values"."""

    def register(self, app: Sanic, options: Dict[Text, Any]) -> None:
        prefix = "/" + self.ctx.socketio_path.strip("/")

        async def engineio_does_cors(request: Request) -> None:
            if request.path.startswith(prefix):
                setattr(request.ctx, SANIC_CORS_EVALUATED, "1")

        app.register_middleware(engineio_does_cors, "request")
        super().register(app, options)


class SafeSocketIOInput(SocketIOInput):
    """socket.io with an Origin check, server-issued session ids that are their own credential
(bot.web_sessions), one CORS header, and awaited rooms."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # an empty list would switch python-engineio's Origin check off: no origin is allowed instead
        origins: Any = list(settings().allowed_origins) or (lambda origin, environ=None: False)
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=origins, max_http_buffer_size=MAX_BODY_BYTES)
        bp = _EngineIOBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        relay.SOCKET.sio, relay.SOCKET.namespace, relay.SOCKET.event = sio, self.namespace, self.bot_message_evt
        apply_limits(bp)
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
        async def connect(sid: Text, environ: Any = None, auth: Any = None) -> bool:
            return True

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: Text) -> None:
            sessions.pop(sid, None)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Any = None) -> None:
            data = data if isinstance(data, dict) else {}
            conversation = (conversation_of(data.get("session_id"), _secret(), data.get("session_token"))
                            or new_conversation())
            sessions[sid] = conversation
            await sio.enter_room(sid, conversation, namespace=self.namespace)
            await sio.emit("session_confirm", {"session_id": credential(conversation, _secret())},
                           room=sid, namespace=self.namespace)
            output = _CountingSocketOutput(sio, self.bot_message_evt)
            for message in await relay.pending(conversation_key(self.name(), conversation)):
                await output.send_text_with_buttons(sid, message["text"], message["buttons"])

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any = None) -> None:
            session_id = sessions.get(sid)
            if session_id is None:
                await sio.emit(self.bot_message_evt, {"error": "Please start a session first."}, room=sid,
                               namespace=self.namespace)
                return
            if data is None:  # an event with no data at all: nothing to answer
                return
            text = clean(data.get("message") if isinstance(data, dict) else None)
            output = _CountingSocketOutput(sio, self.bot_message_evt)
            if not text:
                await output.send_text_message(session_id, EMPTY)
                return
            key = conversation_key(self.name(), session_id)
            relayed = await relay.from_person(key, text, emergency_check(app_ref[0] if app_ref else None))
            # first any staff message not shown yet (one that reached another server, say)
            for shown in (*relayed.pending, relayed.reply, relayed.before):
                if shown:
                    await output.send_text_with_buttons(session_id, shown["text"], shown["buttons"])
            if relayed.reply:
                return
            text = await guard_payload(app_ref[0] if app_ref else None, key, text)
            await run_turn(on_new_message, UserMessage(text, output, key, input_channel=self.name()))
            if not output.sent:
                await output.send_text_message(session_id, SORRY)

        return bp


class _CountingSocketOutput(RecipientOutput, SocketIOOutput):
    """Sends each answer as one message (Rasa splits at blank lines, which detaches the
    "Source:" line and confuses screen-reader users) to the session's room, and remembers
    whether anything was sent, so a failed turn isn't silent."""

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
        await super()._send_message(recipient(socket_id), response_)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        self.sent += 1
        await super().send_custom_json(recipient_id, json_message, **kwargs)
