"""End to end with a real browser: the web chat asks for a person, agrees, staff reply in the Slack
thread (signed events to the real Rasa server; a loopback stand-in for Slack's Web API), the reply
appears in the open chat and again after a reload if it arrived meanwhile, the person's next
message goes to the thread, and the end button hands back to the assistant."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from bot import db
from bot.runner import free_port
from bot.settings import load_settings
from bot.web import serve
from tests.browser.test_widget import BOT_MSG, click_choice, open_chat, say, session_id, wait_bot
from tests.integration.conftest import start_bot
from tests.integration.slack_standin import HANDOFF_CHANNEL, SECRET, FakeSlackAPI, signed_post, thread_reply


@pytest.fixture(scope="module")
def staffed_site(tmp_path_factory):
    api = FakeSlackAPI()
    web_port = free_port()
    origin = f"http://127.0.0.1:{web_port}"
    url = f"sqlite:///{tmp_path_factory.mktemp('handoff-browser') / 'coprod.db'}"
    bot = start_bot(url, {"ALLOWED_ORIGINS": origin, "SLACK_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET,
                          "SLACK_API_URL": api.url, "HANDOFF_SLACK_CHANNEL": HANDOFF_CHANNEL})
    server = serve(load_settings({"DATABASE_URL": url, "RASA_PORT": str(bot.stack.settings.rasa_port),
                                  "WEB_PORT": str(web_port), "ALLOWED_ORIGINS": origin}))
    try:
        yield bot, api, f"{origin}/"
    finally:
        server.shutdown()
        server.server_close()
        bot.stack.stop()
        db.get_engine(url).dispose()


def test_staff_answer_from_slack_reaches_the_web_chat(staffed_site, page: Page):
    bot, api, url = staffed_site
    open_chat(page, url)
    say(page, "Do I have to pay for parking when I come to a meeting?", "")
    prompt = say(page, "I'd like to talk to a real person", "Shall I send it?")
    assert "pay for parking" in prompt
    start = len(api.posts)
    click_choice(page, "Yes, send it", "Your reference is H-")
    post = api.wait_for(start + 1)[start]
    conversation = session_id(page).split(".")[0]
    assert "pay for parking" in post["text"] and conversation not in json.dumps(post)
    thread = post["ts"]
    # staff reply while the chat is open: it appears at once, with a button to end the chat
    before = page.locator(BOT_MSG).count()
    assert signed_post(bot, thread_reply("Hi, this is Priya. Parking is free for panel members.", thread),
                       "application/json") == 200
    assert "Parking is free for panel members" in wait_bot(page, before, "Parking is free")
    # a reply that arrives while the page is being reloaded is shown after the reload
    page.goto("about:blank")
    assert signed_post(bot, thread_reply("We can also book you a taxi.", thread), "application/json") == 200
    open_chat(page, url)
    expect(page.locator(BOT_MSG).filter(has_text="book you a taxi")).to_have_count(1)
    # the person's next message goes to the thread, not to the assistant
    start = len(api.posts)
    say(page, "Thank you, that helps a lot", "Sent to the team.")
    relayed = api.wait_for(start + 1)[start]
    assert relayed["thread_ts"] == thread and "that helps a lot" in relayed["text"]
    # ending hands back to the assistant
    click_choice(page, "End the chat with the team", "ended the chat with the team")
    assert "Source:" in say(page, "what is co-production?", "Source:")
