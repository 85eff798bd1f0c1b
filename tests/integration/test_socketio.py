"""Bad input over socket.io (the website channel): clear answers, no crash, others keep being served."""
from __future__ import annotations

import queue
import time

import pytest
import socketio


@pytest.fixture(scope="module")
def connection(bot):
    origin = f"http://127.0.0.1:{bot.stack.settings.web_port}"
    received: "queue.Queue" = queue.Queue()
    sio = socketio.Client(reconnection=False)
    sio.on("bot_uttered", lambda data: received.put(("bot", data)))
    sio.on("session_confirm", lambda data: received.put(("session", data)))
    sio.connect(bot.url, headers={"Origin": origin}, transports=["polling"], socketio_path="socket.io")
    sio.emit("session_request", {"session_id": None})
    kind, data = received.get(timeout=20)
    assert kind == "session" and data["session_id"] and data["session_token"]
    yield sio, received, data["session_id"]
    sio.eio.disconnect(abort=True)


@pytest.fixture
def client(connection):
    sio, received, session_id = connection
    while not received.empty():  # nothing left over from the previous test
        received.get_nowait()
    return connection


def replies(received, timeout=20.0, settle=1.5):
    out, deadline = [], time.time() + timeout
    while time.time() < deadline:
        try:
            kind, data = received.get(timeout=settle if out else timeout)
        except queue.Empty:
            break
        if kind == "bot":
            out.append(data)
    return out


@pytest.mark.parametrize("payload", [
    {"message": ""}, {"message": "   "}, {"message": "x" * 60_000}, {"message": "hi\x00\x1b[2J"},
    {"message": "<script>alert(1)</script>"}, {"message": "😀 مرحبا"}, {"message": 42}, {"nothing": True},
])
def test_odd_messages_get_an_answer(client, payload):
    sio, received, session_id = client
    sio.emit("user_uttered", {**payload, "session_id": session_id})
    out = replies(received)
    assert out and all(m.get("text") for m in out), out


def test_non_object_payload_and_unknown_session_do_not_break_the_server(client, bot, sender):
    sio, received, session_id = client
    sio.emit("user_uttered", "just a string")
    sio.emit("session_request", "not a dict")
    replies(received, timeout=5)
    sio.emit("user_uttered", {"message": "what is co-production?", "session_id": "someone-else"})
    out = replies(received)
    assert any("Source:" in m.get("text", "") for m in out)
    # it was answered in this socket's own conversation, never in "someone-else"
    assert bot.rows("SELECT COUNT(*) FROM events WHERE sender_id = 'someone-else'") == [(0,)]
    assert "Co-production Guide" in bot.text(sender, "hi")
