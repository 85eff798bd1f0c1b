"""A hung action server ends kindly, and the REST channel needs its token when one is set
(a stack of its own: a listener that accepts and never answers stands in for the action server)."""
from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest

from tests.integration.conftest import start_bot

TOKEN = "integration-t0ken"


@pytest.fixture(scope="module")
def hung(tmp_path_factory):
    bot = start_bot(f"sqlite:///{tmp_path_factory.mktemp('hung') / 'coprod.db'}", {"REST_TOKEN": TOKEN},
                    actions=False)
    listener = socket.create_server(("127.0.0.1", bot.stack.settings.action_port))
    accepted = []
    threading.Thread(target=lambda: accepted.extend(iter(lambda: listener.accept()[0], None)), daemon=True).start()
    yield bot
    bot.stack.stop()
    listener.close()


def post(bot, body: dict, token: str = TOKEN) -> tuple:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(f"{bot.url}/webhooks/rest/webhook", data=json.dumps(body).encode(),
                                     headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=120) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def test_a_hung_action_server_gets_the_friendly_reply_before_25_seconds(hung):
    start = time.monotonic()
    status, messages = post(hung, {"sender": "hung-1", "message": "/start_self_check"})  # runs action_flow
    seconds = time.monotonic() - start
    assert status == 200 and seconds < 25, (status, seconds)
    assert "try again in a moment" in " ".join(m.get("text", "") for m in messages)
    # a turn that needs no action is answered at once meanwhile
    status, messages = post(hung, {"sender": "hung-2", "message": "what is co-production?"})
    assert status == 200 and "Source:" in messages[0]["text"]


def test_rest_needs_the_token_when_one_is_set(hung):
    status, body = post(hung, {"sender": "no-token", "message": "hi"}, token="")
    assert status == 401 and "bearer token" in body["error"]
    status, body = post(hung, {"sender": "no-token", "message": "hi"}, token="wrong")
    assert status == 401
    status, messages = post(hung, {"sender": "with-token", "message": "what is co-production?"})
    assert status == 200 and messages[0]["recipient_id"] == "with-token"
