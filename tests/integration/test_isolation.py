"""Nobody steps into another conversation, and one bad client or a locked database stalls no one
(real servers over HTTP and socket.io)."""
from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest

from tests.integration.test_socketio import _standard_client, replies_until


def _socket_session(bot):
    return _standard_client(bot, None)


def _say(sio, received, text: str, expect: str) -> str:
    """Send over socket.io and return the reply's texts once one contains `expect`."""
    sio.emit("user_uttered", {"message": text})
    return "\n".join(m.get("text", "") for m in replies_until(received, lambda m: expect in m.get("text", ""), 30))


def test_a_rest_client_cannot_read_or_change_a_web_chat_conversation(bot):
    sio, received, session_id = _socket_session(bot)
    try:
        _say(sio, received, "/start_self_check", "work in the service")
        _say(sio, received, "I work in the service", "team")
        assert "Statement 1 of 6" in _say(sio, received, "Isolation ward", "Statement 1 of 6")
        conversation = session_id.split(".")[0]
        for forged in (conversation, session_id, f"socketio:{conversation}"):
            reply = bot.text(forged, "back")  # before: showed the victim's current question
            assert "Statement" not in reply and "Isolation ward" not in reply
            reply = bot.text(forged, "3")
            assert "Statement" not in reply
        # the web chat carries on exactly where it was: nothing was answered for it
        assert "Statement 2 of 6" in _say(sio, received, "3", "Statement")
        assert bot.user_turns(f"socketio:{conversation}", at_least=4) == 4
        # the action server logged this conversation's turns, but never its session id
        logs = "\n".join(bot.stack.tail(name, 5000) for name in ("actions", "rasa"))
        assert "flow started sender=socketio:#" in logs and conversation not in logs
    finally:
        sio.eio.disconnect(abort=True)


def _time(fn):
    start = time.monotonic()
    result = fn()
    return time.monotonic() - start, result


def _health(bot) -> int:
    with urllib.request.urlopen(f"{bot.url}/webhooks/rest/", timeout=10) as r:
        return r.status


def test_a_locked_database_gets_a_friendly_reply_and_stalls_nobody(bot, sender):
    if not bot.database_url.startswith("sqlite"):
        pytest.skip("the write lock of another process is a SQLite situation")
    assert "Source:" in bot.text(sender, "what is co-production?")
    path = bot.database_url.removeprefix("sqlite:///")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
         "c.execute('BEGIN IMMEDIATE')\nprint('locked', flush=True)\nsys.stdin.read()", path],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        turn: dict = {}
        worker = threading.Thread(target=lambda: turn.update(zip(("seconds", "text"), _time(
            lambda: bot.text(sender, "what are the benefits of co-production?")))))
        worker.start()
        health = []
        while worker.is_alive():
            seconds, status = _time(lambda: _health(bot))
            if worker.is_alive():  # answered while the locked turn was still waiting
                health.append((seconds, status))
        worker.join()
        assert health, "the turn finished before any other request could be made"
        assert max(s for s, _ in health) < 1.0 and {st for _, st in health} == {200}
        assert turn["seconds"] < 5.0
        assert "try again in a moment" in turn["text"]
    finally:
        holder.stdin.close()
        holder.wait(10)
    # the lock is gone: the same conversation is answered again
    assert "Source:" in bot.text(sender, "what are the benefits of co-production?")


def _big_upload(bot, size: int, out: dict) -> None:
    parts = urlsplit(bot.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as s:
        s.sendall((f"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: {parts.hostname}\r\n"
                   f"Content-Type: application/json\r\nContent-Length: {size}\r\n\r\n").encode())
        chunk = b'{"sender": "big", "message": "' + b"x" * (1 << 20)
        try:
            for _ in range(size // len(chunk)):
                s.sendall(chunk)
        except OSError:  # the server answered and closed: it never reads the rest
            pass
        out["status"] = s.recv(200).split(b"\r\n", 1)[0]


def test_a_huge_body_is_refused_and_stalls_nobody(bot, sender):
    out: dict = {}
    upload = threading.Thread(target=_big_upload, args=(bot, 20 * 1024 * 1024, out))
    upload.start()
    seconds, reply = _time(lambda: bot.text(sender, "what is co-production?"))
    upload.join(60)
    assert out["status"] == b"HTTP/1.1 413 Request Entity Too Large"
    assert seconds < 1.0 and "Source:" in reply


def test_a_body_just_over_the_limit_is_refused_and_one_under_it_is_answered(bot, sender):
    body = b'{"sender": "%s", "message": "%s"}' % (sender.encode(), b"x" * 70_000)
    request = urllib.request.Request(f"{bot.url}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 413
    status, messages = bot.post({"sender": sender, "message": "what is co-production? " + "x" * 50_000})
    assert status == 200 and messages
