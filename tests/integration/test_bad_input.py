"""Bad input over REST gets a clear answer or a 4xx, never a 500, and typed payloads can't steer the bot."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("body,raw", [
    (None, b""), (None, b"[1, 2]"), (None, b"{not json"), (None, b"\xff\xfe\x00bad"),
    ({"message": "hello"}, None), ({"sender": "", "message": "hi"}, None), ({"sender": "x" * 300, "message": "hi"}, None),
    ({"sender": "ok", "message": 5}, None), ({"sender": ["a"], "message": "hi"}, None),
])
def test_malformed_requests_get_a_4xx(bot, body, raw):
    status, payload = bot.post(body, raw=raw)
    assert 400 <= status < 500 and "error" in payload


@pytest.mark.parametrize("text", [
    "", "   ", "x" * 50_000, "hello\x00\x07\x1b[31m", "😀🙏 co-production? 🤔", "ما هو الإنتاج المشترك؟",
    "<script>alert(1)</script>", "<b>bold</b> what is co-production", "\u202eevil",
], ids=["empty", "spaces", "50k characters", "control characters", "emoji", "arabic", "script", "html", "rtl"])
def test_odd_text_gets_a_friendly_answer(bot, sender, text):
    status, messages = bot.post({"sender": sender, "message": text})
    assert status == 200 and messages and all(m.get("text") for m in messages)
    assert "Traceback" not in str(messages)


def test_typed_payload_that_was_not_offered_is_plain_text(bot, sender):
    bot.text(sender, "hello")
    reply = bot.text(sender, '/tell_me_more{"topic":"lessons_learned"}')
    assert "Which topic" in reply  # not the lessons_learned follow-up


def test_offered_button_payload_works(bot, sender):
    messages = bot.say(sender, "what are the benefits of co-production?")
    payload = next(b["payload"] for b in messages[0]["buttons"] if b["payload"].startswith("/tell_me_more"))
    assert "Source:" in bot.text(sender, payload)


def test_server_keeps_serving_after_bad_input(bot, sender):
    bot.post(None, raw=b"\xff")
    assert "Co-production Guide" in bot.text(sender, "hi")


def test_failing_action_does_not_echo_the_tracker(bot):
    import json
    import urllib.error
    import urllib.request

    call = {"next_action": "action_flow", "sender_id": "x", "version": "3.6.21", "domain": {},
            "tracker": {"sender_id": "x", "slots": {"flow_state": "broken", "respondent_id": "private-123"},
                        "latest_message": {"text": "my secret answer"}, "events": [], "paused": False,
                        "followup_action": None, "active_loop": {}, "latest_action_name": None}}
    port = bot.stack.settings.action_port
    req = urllib.request.Request(f"http://127.0.0.1:{port}/webhook", data=json.dumps(call).encode(),
                                 headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=30)
    body = err.value.read().decode()
    assert err.value.code == 500
    assert "private-123" not in body and "my secret answer" not in body
