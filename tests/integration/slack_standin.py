"""A loopback stand-in for Slack's Web API, and requests signed the way Slack signs them
(events, retries, handoff-thread replies), for the tests that talk to the real Rasa server."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List

from bot.runner import free_port

SECRET = "test-signing-secret"


class FakeSlackAPI:
    """Records chat.postMessage calls, each with the `ts` it answered (a thread's id)."""

    def __init__(self) -> None:
        self.posts: List[Dict] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode()).items()}
                ts = f"{time.time():.6f}"
                api.posts.append({"path": self.path, **body, "ts": ts})  # "ts": the id Slack gave the message
                out = json.dumps({"ok": True, "ts": ts, "channel": body.get("channel")}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/api/"

    def wait_for(self, n: int, timeout: float = 30) -> List[Dict]:
        deadline = time.time() + timeout
        while time.time() < deadline and len(self.posts) < n:
            time.sleep(0.1)
        return self.posts


def signed_post(bot, body: bytes, content_type: str, secret: str = SECRET, ts: int = 0, headers=None):
    ts = ts or int(time.time())
    sig = "v0=" + hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    req = urllib.request.Request(f"{bot.url}/webhooks/slack/webhook", data=body, headers={
        "Content-Type": content_type, "X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": sig, **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def event(text: str, event_id: str, user: str = "U123") -> bytes:
    return json.dumps({
        "token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback", "event_id": event_id,
        "event_time": int(time.time()), "authorizations": [{"user_id": "UBOT"}],
        "event": {"type": "message", "channel_type": "im", "user": user, "text": text, "channel": "D1",
                  "ts": f"{time.time():.6f}", "event_ts": f"{time.time():.6f}"},
    }).encode()


GREETING = "I'm the Co-production Guide"


def answers_after_barrier(bot, api, start: int, user: str) -> List[str]:
    """The posts since `start`, minus a greeting sent last as a barrier: the same person's "hello"
    is processed after any turn an earlier request started (one turn at a time per conversation),
    so once its greeting is posted, nothing earlier can still arrive. No pause needed."""
    assert signed_post(bot, event("hello", f"Ev-barrier-{time.time_ns()}", user=user), "application/json") == 200
    deadline = time.time() + 60
    while time.time() < deadline and not any(GREETING in json.dumps(p) for p in api.posts[start:]):
        api.wait_for(len(api.posts) + 1, timeout=1)
    posts = [json.dumps(p) for p in api.posts[start:]]
    assert posts and GREETING in posts[-1], posts
    return posts[:-1]


HANDOFF_CHANNEL = "C0HANDOFF"
BOT_USER = "UBOT"


def thread_reply(text: str, thread_ts: str, user: str = "USTAFF", event_id: str = "") -> bytes:
    """A staff member's reply in the handoff thread, as Slack's Events API sends it."""
    now = f"{time.time():.6f}"
    return json.dumps({
        "token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
        "event_id": event_id or f"Ev-{uuid.uuid4().hex}", "event_time": int(time.time()),
        "authorizations": [{"user_id": BOT_USER}],
        "event": {"type": "message", "channel": HANDOFF_CHANNEL, "channel_type": "channel", "user": user,
                  "text": text, "ts": now, "event_ts": now, "thread_ts": thread_ts, "parent_user_id": BOT_USER},
    }).encode()


def reaction(name: str, ts: str) -> bytes:
    return json.dumps({
        "token": "x", "team_id": "T1", "type": "event_callback", "event_id": f"Ev-{uuid.uuid4().hex}",
        "event": {"type": "reaction_added", "user": "USTAFF", "reaction": name,
                  "item": {"type": "message", "channel": HANDOFF_CHANNEL, "ts": ts}},
    }).encode()
