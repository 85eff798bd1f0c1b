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
    assert kind == "session" and "." in data["session_id"]
    yield sio, received, data["session_id"]
    sio.eio.disconnect(abort=True)


@pytest.fixture
def client(connection):
    sio, received, session_id = connection
    while not received.empty():  # nothing left over from the previous test
        received.get_nowait()
    return connection


def replies_until(received, done, timeout=20.0):
    """The bot messages received until `done(message)` holds for one of them (no quiet period to
    prove that nothing else came: each test waits for the reply it expects)."""
    out, deadline = [], time.time() + timeout
    while time.time() < deadline:
        try:
            kind, data = received.get(timeout=max(0.1, deadline - time.time()))
        except queue.Empty:
            break
        if kind == "bot":
            out.append(data)
            if done(data):
                return out
    raise AssertionError(f"no such reply within {timeout} s: {out}")


@pytest.mark.parametrize("payload", [
    {"message": ""}, {"message": "   "}, {"message": "x" * 60_000}, {"message": "hi\x00\x1b[2J"},
    {"message": "<script>alert(1)</script>"}, {"message": "😀 مرحبا"}, {"message": 42}, {"nothing": True},
])
def test_odd_messages_get_an_answer(client, payload):
    sio, received, session_id = client
    sio.emit("user_uttered", {**payload, "session_id": session_id})
    out = replies_until(received, lambda m: True)  # every odd message gets one reply, with words
    assert out[0].get("text"), out


def test_non_object_payload_and_unknown_session_do_not_break_the_server(client, bot, sender):
    sio, received, session_id = client
    sio.emit("user_uttered", "just a string")
    assert "didn't receive any text" in replies_until(received, lambda m: True)[0]["text"]
    sio.emit("session_request", "not a dict")
    sio.emit("user_uttered", {"message": "what is co-production?", "session_id": "someone-else"})
    replies_until(received, lambda m: "Source:" in m.get("text", ""))
    # it was answered in this socket's own conversation, never in "someone-else"
    assert bot.rows("SELECT COUNT(*) FROM events WHERE sender_id LIKE '%someone-else'") == [(0,)]
    assert "Co-production Guide" in bot.text(sender, "hi")


def test_an_event_without_data_is_ignored_and_the_next_message_answered(client, bot):
    sio, received, session_id = client
    sio.emit("user_uttered")  # python-socketio calls the handler with no data argument
    sio.emit("session_request")
    sio.emit("user_uttered", {"message": "what is co-production?"})
    kinds = []
    while "bot" not in kinds:  # the message after them is answered; the empty ones got nothing
        kind, data = received.get(timeout=30)
        kinds.append(kind)
        if kind == "bot":
            assert "Source:" in data.get("text", "")
    assert "TypeError" not in bot.stack.tail("rasa", 400)


def _raw_headers(url: str, path: str, origin: str) -> list:
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nOrigin: {origin}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    return [line.split(":", 1)[0].lower() for line in data.split(b"\r\n\r\n")[0].decode().split("\r\n")[1:]]


def test_long_polling_sends_one_cors_header(bot):
    """A header dict merges duplicates, so read the raw lines (Chromium refuses 'multiple values')."""
    origin = f"http://127.0.0.1:{bot.stack.settings.web_port}"
    headers = _raw_headers(bot.url, "/socket.io/?EIO=4&transport=polling", origin)
    assert headers.count("access-control-allow-origin") == 1, headers
    assert "access-control-allow-origin" not in _raw_headers(bot.url, "/socket.io/?EIO=4&transport=polling",
                                                             "http://evil.example")


def _standard_client(bot, session_id):
    """A plain socket.io client as rasa-webchat uses it: it keeps only the confirmed session_id."""
    received: "queue.Queue" = queue.Queue()
    sio = socketio.Client(reconnection=False)
    sio.on("bot_uttered", lambda data: received.put(("bot", data)))
    sio.on("session_confirm", lambda data: received.put(("session", data)))
    sio.connect(bot.url, headers={"Origin": f"http://127.0.0.1:{bot.stack.settings.web_port}"},
                transports=["polling"], socketio_path="socket.io")
    sio.emit("session_request", {"session_id": session_id})
    kind, data = received.get(timeout=20)
    assert kind == "session"
    return sio, received, data["session_id"]


def _ask(received, sio, text, expect):
    sio.emit("user_uttered", {"message": text})
    out = []
    while not any(expect in m.get("text", "") for m in out):
        kind, data = received.get(timeout=30)
        if kind == "bot":
            out.append(data)
    return " ".join(m.get("text", "") for m in out)


def test_a_client_that_keeps_only_the_session_id_resumes_after_a_reload(bot):
    sio, received, confirmed = _standard_client(bot, None)
    _ask(received, sio, "/start_self_check", "work in the service")
    _ask(received, sio, "I work in the service", "team")
    sio.eio.disconnect(abort=True)
    # the page reloads: a new socket sends back just the id it was confirmed
    sio, received, again = _standard_client(bot, confirmed)
    try:
        assert again == confirmed
        _ask(received, sio, "Reload team", "Statement 1 of 6")
    finally:
        sio.eio.disconnect(abort=True)
    # a bare or chosen id gets a new conversation
    for chosen in (confirmed.split(".")[0], "my-own-id", confirmed.split(".")[0] + ".0"):
        sio, received, other = _standard_client(bot, chosen)
        sio.eio.disconnect(abort=True)
        assert other.split(".")[0] != confirmed.split(".")[0]
