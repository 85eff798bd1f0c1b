"""Slack Events API requests, signed the way Slack signs them, against the running Rasa server.
Answers go to a local stand-in for Slack's Web API on loopback."""
from __future__ import annotations

import json
import time
import urllib.parse

import pytest

from tests.integration.conftest import start_bot
from tests.integration.slack_standin import SECRET, FakeSlackAPI, answers_after_barrier, event, signed_post

@pytest.fixture(scope="module")
def slack(tmp_path_factory):
    api = FakeSlackAPI()
    url = f"sqlite:///{tmp_path_factory.mktemp('slack') / 'coprod.db'}"
    bot = start_bot(url, {"SLACK_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": api.url})
    yield bot, api
    bot.stack.stop()
    api.server.shutdown()


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
    assert signed_post(bot, event("hello", "Ev-2", user="U300"), "application/json", secret="wrong") == 400
    assert signed_post(bot, event("hello", "Ev-3", user="U300"), "application/json", ts=int(time.time()) - 3600) == 400
    assert answers_after_barrier(bot, api, start, "U300") == []


def test_slack_retry_of_the_same_event_is_not_answered_twice(slack):
    bot, api = slack
    start = len(api.posts)
    body = event("what are the benefits of co-production?", "Ev-4")
    assert signed_post(bot, body, "application/json") == 200
    api.wait_for(start + 1)
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"}
    assert signed_post(bot, body, "application/json", headers=retry) == 200
    assert len(answers_after_barrier(bot, api, start, "U123")) == 1


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


def test_a_rest_client_cannot_step_into_a_slack_conversation(slack):
    bot, api = slack
    start = len(api.posts)
    assert signed_post(bot, event("start the self-check", "Ev-20", user="U777"), "application/json") == 200
    api.wait_for(start + 1)
    assert signed_post(bot, event("Night team", "Ev-21", user="U777"), "application/json") == 200
    assert "Statement 1 of 6" in json.dumps(api.wait_for(start + 2)[start + 1])
    for forged in ("U777", "slack:U777"):  # the Slack user id is visible to the whole workspace
        reply = bot.text(forged, "3")
        assert "Statement" not in reply and "Night team" not in reply
    # the Slack conversation is where it was: its own "3" moves it to statement 2, not 3 or 4
    assert signed_post(bot, event("3", "Ev-22", user="U777"), "application/json") == 200
    assert "Statement 2 of 6" in json.dumps(api.wait_for(start + 3)[start + 2])
