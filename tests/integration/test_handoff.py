"""A person really answers: a REST client asks for a person, agrees to send its question, staff
reply in the Slack thread (signed events to the real Rasa server), the reply arrives, the person's
next message goes to the thread, and ending hands back to the assistant. A loopback stand-in
records what is posted to Slack."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from tests.integration.slack_standin import HANDOFF_CHANNEL, reaction, signed_post, thread_reply

def ask_for_a_person(bot, api, sender: str, question: str) -> dict:
    """Ask a question, then for a person, agree; the post the team received."""
    bot.text(sender, question)
    prompt = bot.text(sender, "can I talk to a real person please")
    assert question in prompt and "Shall I send it?" in prompt and sender not in prompt
    start = len(api.posts)
    sent = bot.text(sender, "yes")
    assert "Your reference is H-" in sent, sent
    post = api.wait_for(start + 1)[start]
    assert post["channel"] == HANDOFF_CHANNEL and question in post["text"]
    return {"post": post, "reference": sent.split("Your reference is ")[1][:7], "reply": sent}


def test_the_question_goes_to_the_team_and_their_reply_comes_back(staffed, sender):
    bot, api = staffed
    sent = ask_for_a_person(bot, api, sender, "Will being paid for taking part affect my benefits?")
    assert sent["reference"] in sent["post"]["text"]
    assert sender not in json.dumps(sent["post"])  # never who asked
    assert "usually replies" in sent["reply"] or "isn't working right now" in sent["reply"]
    thread = sent["post"]["ts"]
    event = thread_reply("Hello, I'm Sam from the involvement team. It usually doesn't, but let's check.", thread)
    assert signed_post(bot, event, "application/json") == 200
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert signed_post(bot, event, "application/json", headers=retry) == 200  # Slack's retry: no second copy
    # a REST client gets the reply with its next answer, once
    start = len(api.posts)
    messages = bot.say(sender, "thank you, which benefit do you mean?")
    texts = [m["text"] for m in messages]
    assert sum("I'm Sam from the involvement team" in t for t in texts) == 1, texts
    assert texts[-1] == "Sent to the team."  # staff are in the thread: the assistant stays quiet
    posts = api.wait_for(start + 1)
    assert posts[start]["thread_ts"] == thread and "which benefit do you mean?" in posts[start]["text"]
    assert sender not in json.dumps(posts[start])
    # the person ends it; the assistant says so, tells the thread, and answers again
    ended = bot.text(sender, "/end_handoff")
    assert "ended the chat with the team" in ended
    assert "ended the chat" in api.wait_for(start + 2)[start + 1]["text"]
    assert "Source:" in bot.text(sender, "what is co-production?")
    # a late reply to the ended chat is answered in the thread, and never reaches the person
    before = len(api.posts)
    assert signed_post(bot, thread_reply("Are you still there?", thread), "application/json") == 200
    assert "won't see this reply" in api.wait_for(before + 1)[before]["text"]
    assert "Are you still there?" not in bot.text(sender, "hello")


def test_two_staff_replying_both_arrive_once_and_a_reaction_ends_it(staffed, sender):
    bot, api = staffed
    sent = ask_for_a_person(bot, api, sender, "Can my carer come with me to the meeting?")
    thread = sent["post"]["ts"]
    for who, text in (("USAM", "Yes, of course."), ("UALI", "And we pay their travel too.")):
        assert signed_post(bot, thread_reply(text, thread, user=who), "application/json") == 200
    texts = [m["text"] for m in bot.say(sender, "great")]
    assert sum("Yes, of course." in t for t in texts) == 1 and sum("pay their travel" in t for t in texts) == 1
    start = len(api.posts)
    assert signed_post(bot, reaction("white_check_mark", thread), "application/json") == 200
    # a REST client is not "in the chat" between requests: staff are told it will see the end next time
    assert "isn't in the chat right now" in api.wait_for(start + 1)[start]["text"]
    reply = bot.text(sender, "what is co-production?")
    assert "The team has ended this chat" in reply and "Source:" in reply  # told, and answered again


def test_no_means_nothing_is_sent(staffed, sender):
    bot, api = staffed
    bot.text(sender, "How are members of the panel chosen?")
    bot.text(sender, "I want to speak to a human")
    start = len(api.posts)
    reply = bot.text(sender, "no")
    assert "haven't sent anything" in reply
    assert "Source:" in bot.text(sender, "what is co-production?")
    assert len(api.posts) == start  # the replies above were produced after any post would have been


def test_asking_for_a_person_first_asks_what_to_send(staffed, sender):
    bot, api = staffed
    assert "What would you like to ask the team?" in bot.text(sender, "talk to a person")
    prompt = bot.text(sender, "I need help filling in the expenses form")
    assert "I need help filling in the expenses form" in prompt and "Shall I send it?" in prompt
    assert "haven't sent anything" in bot.text(sender, "no thanks")


def test_delete_my_data_during_a_live_chat_goes_to_the_assistant_not_the_team(staffed, sender):
    bot, api = staffed
    sent = ask_for_a_person(bot, api, sender, "Is there a parking space for the meeting?")
    assert signed_post(bot, thread_reply("Yes, two spaces at the back.", sent["post"]["ts"]), "application/json") == 200
    assert "two spaces" in bot.text(sender, "ok")  # staff are in the thread now
    start = len(api.posts)
    reply = bot.text(sender, "delete my data")
    assert "Shall I delete" in reply and "Sent to the team" not in reply
    posts = api.wait_for(start + 1)
    assert "ended the chat" in posts[start]["text"] and all("delete my data" not in p["text"] for p in posts[start:])


def test_a_reply_and_the_end_while_the_person_is_away_are_shown_when_they_come_back(staffed, sender):
    bot, api = staffed
    thread = ask_for_a_person(bot, api, sender, "Do you pay for childcare while I attend?")["post"]["ts"]
    assert signed_post(bot, thread_reply("Yes, we do. Please keep the receipts.", thread), "application/json") == 200
    start = len(api.posts)
    assert signed_post(bot, thread_reply("end", thread), "application/json") == 200
    # staff are told honestly that the person has not seen it yet
    assert "isn't in the chat right now" in api.wait_for(start + 1)[start]["text"]
    texts = [m["text"] for m in bot.say(sender, "hello again")]
    assert any("keep the receipts" in t for t in texts) and any("The team has ended this chat" in t for t in texts)
    assert "Source:" in bot.text(sender, "what is co-production?")  # and the assistant answers again


def test_a_forwarded_request_needs_the_rest_token(staffed, sender):
    bot, _ = staffed
    request = urllib.request.Request(f"{bot.url}/webhooks/rest/webhook",
                                     data=json.dumps({"sender": sender, "message": "hi"}).encode(),
                                     headers={"Content-Type": "application/json", "X-Forwarded-For": "203.0.113.9"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 403
