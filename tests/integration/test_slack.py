"""Slack Events API requests, signed the way Slack signs them, against the running Rasa server.
Answers go to a local stand-in for Slack's Web API on loopback."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List

import pytest

from bot.runner import free_port
from tests.integration.conftest import start_bot

SECRET = "test-signing-secret"


class FakeSlackAPI:
    """Records chat.postMessage calls."""

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
                api.posts.append({"path": self.path, **body})
                out = json.dumps({"ok": True, "ts": str(time.time())}).encode()
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


@pytest.fixture(scope="module")
def slack(tmp_path_factory):
    api = FakeSlackAPI()
    url = f"sqlite:///{tmp_path_factory.mktemp('slack') / 'coprod.db'}"
    bot = start_bot(url, {"SLACK_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": api.url})
    yield bot, api
    bot.stack.stop()
    api.server.shutdown()


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


def test_signed_event_gets_an_answer_in_slack(slack):
    bot, api = slack
    start = len(api.posts)
    assert signed_post(bot, event("what is co-production?", "Ev-1"), "application/json") == 200
    posts = api.wait_for(start + 1)
    assert "chat.postMessage" in posts[start]["path"] and posts[start]["channel"] == "D1"
    assert "Source:" in json.dumps(posts[start])


def test_wrong_signature_or_stale_timestamp_is_rejected(slack):
    bot, api = slack
    start = len(api.posts)
    assert signed_post(bot, event("hello", "Ev-2"), "application/json", secret="wrong") == 400
    assert signed_post(bot, event("hello", "Ev-3"), "application/json", ts=int(time.time()) - 3600) == 400
    time.sleep(2)
    assert len(api.posts) == start


def test_slack_retry_of_the_same_event_is_not_answered_twice(slack):
    bot, api = slack
    start = len(api.posts)
    body = event("what are the benefits of co-production?", "Ev-4")
    assert signed_post(bot, body, "application/json") == 200
    api.wait_for(start + 1)
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"}
    assert signed_post(bot, body, "application/json", headers=retry) == 200
    time.sleep(3)
    assert len(api.posts) == start + 1


def test_staff_self_check_in_slack_skips_the_role_question_and_has_buttons(slack):
    bot, api = slack
    start = len(api.posts)
    assert signed_post(bot, event("start the self-check", "Ev-5", user="U999"), "application/json") == 200
    posts = api.wait_for(start + 1)
    first = json.dumps(posts[start])
    assert "team" in first and "work in the service" not in first
    assert signed_post(bot, event("Ward 9", "Ev-6", user="U999"), "application/json") == 200
    posts = api.wait_for(start + 2)
    blocks = json.dumps(posts[start + 1])
    assert "Statement 1 of 6" in blocks and blocks.count('"type": "button"') == 5
    # press the "4 - Mostly" button (an interactive payload, form-encoded like Slack sends it)
    payload = {"type": "block_actions", "user": {"id": "U999"}, "channel": {"id": "D1"},
               "actions": [{"type": "button", "value": "4", "text": {"type": "plain_text", "text": "4 - Mostly"}}],
               "container": {"channel_id": "D1"}}
    form = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
    assert signed_post(bot, form, "application/x-www-form-urlencoded") == 200
    posts = api.wait_for(start + 3)
    assert "example" in json.dumps(posts[start + 2])
