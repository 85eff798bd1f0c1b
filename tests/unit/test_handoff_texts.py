"""What the assistant says and sends when someone asks for a person (bot.handoff), and the
working hours it reads from the profile (bot.organisation.schedule)."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from bot import handoff
from bot.errors import ConfigError
from bot.organisation import Contact, Organisation, schedule

ORG = Organisation(name="Riverside Care", contact=Contact(
    phone="01632 960 000", office_hours="Monday to Friday, 9am to 5pm", reply_within="two working days",
    open_days="mon-fri", opens="09:00", closes="17:00", timezone="Europe/London", reply_in_hours="an hour"))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def test_during_office_hours_the_usual_reply_time_is_given():
    text = handoff.expectation(ORG, utc("2026-12-02T10:30"))  # a Wednesday, 10:30 in London
    assert "working now" in text and "within an hour" in text and "01632" not in text


@pytest.mark.parametrize("when, next_opening", [
    ("2026-12-02T18:00", "tomorrow at 9:00"),  # Wednesday evening
    ("2026-12-04T17:30", "on Monday at 9:00"),  # Friday after closing
    ("2026-12-05T12:00", "on Monday at 9:00"),  # Saturday
    ("2026-12-07T07:00", "today at 9:00"),  # Monday early
])
def test_outside_office_hours_when_to_expect_a_reply_and_the_phone(when, next_opening):
    text = handoff.expectation(ORG, utc(when))
    assert next_opening in text and "call 01632 960 000" in text and "working now" not in text


def test_the_time_zone_of_the_profile_is_used():
    sydney = replace(ORG, contact=replace(ORG.contact, timezone="Australia/Sydney"))
    # 23:00 UTC on a Tuesday is 10:00 on Wednesday in Sydney (summer time)
    assert "working now" in handoff.expectation(sydney, utc("2026-12-01T23:00"))
    assert "working now" not in handoff.expectation(ORG, utc("2026-12-01T23:00"))


def test_without_hours_it_says_only_what_the_profile_says():
    vague = replace(ORG, contact=Contact(phone="01632 960 000", reply_within="two working days"))
    text = handoff.expectation(vague, utc("2026-12-02T10:30"))
    assert text.startswith("Someone usually replies within two working days") and "working now" not in text


@pytest.mark.parametrize("contact, problem", [
    (Contact(open_days="mon-fri", opens="9", closes="17:00"), "opens"),
    (Contact(open_days="weekdays", opens="09:00", closes="17:00"), "open_days"),
    (Contact(open_days="mon-fri", opens="17:00", closes="09:00"), "later"),
    (Contact(open_days="mon-fri", opens="09:00", closes="17:00", timezone="Mars/Olympus"), "time zone"),
])
def test_a_mistake_in_the_hours_is_named(contact, problem):
    with pytest.raises(ConfigError, match=problem):
        schedule(contact)


def test_the_team_sees_the_words_time_place_and_reference_only():
    post = handoff.slack_post(["Can my carer come?"], "socketio", utc("2026-12-02T10:30"), "H-7QKAX")
    assert "> Can my carer come?" in post and "H-7QKAX" in post and "website chat" in post and "10:30" in post
    prompt = handoff.consent_prompt(ORG, ["Can my carer come?"])
    assert "“Can my carer come?”" in prompt and "not who you are" in prompt


def test_questions_before_skips_buttons_and_keeps_the_last_three():
    assert handoff.questions_before(["a", "/greet", "b", "c", "d"]) == ["b", "c", "d"]


def test_references_are_short_and_unambiguous():
    codes = {handoff.reference_code() for _ in range(200)}
    assert len(codes) > 190
    assert all(len(c) == 7 and c.startswith("H-") and not set(c[2:]) & set("0O1IL2Z5S8B6G") for c in codes)


@pytest.mark.parametrize("text, ends", [("end", True), ("End.", True), ("end chat!", True), ("done", True),
                                        ("ending soon", False), ("I'm done with the form", False)])
def test_staff_end_words(text, ends):
    assert handoff.is_end(text, handoff.STAFF_END_WORDS) is ends


def test_what_the_person_wrote_cannot_ping_the_team_or_disguise_a_link():
    from bot.rasa_ext.relay import slack_escape

    assert slack_escape("<!channel> see <https://evil.example|your bank> & more") == \
        "&lt;!channel&gt; see &lt;https://evil.example|your bank&gt; &amp; more"


def test_a_stored_reply_is_shown_once_and_a_late_end_still_reaches_the_person(db_url):
    from bot import handoffs
    from bot.db import session_scope
    from bot.rasa_ext.relay import _take_pending

    with session_scope() as s:
        handoffs.record_sent(s, "rid", "rest", ["Can my carer come?"], "H-7QKAX", "rest:abc", "C1", "1.5")
    with session_scope() as s:
        row = handoffs.by_thread(s, "C1", "1.5")
        assert handoffs.add_message(s, row, "Yes, of course.", "Ev-1") is not None
        assert handoffs.add_message(s, row, "", "end:Ev-2", "ended") is not None
        assert handoffs.end(s, row.id, "staff")
    shown = _take_pending("rest:abc")  # the person comes back after staff ended it
    assert [m["text"] for m in shown] == ["From the team at Riverside Community Care (demo): Yes, of course.",
                                         handoff.STAFF_ENDED]
    assert _take_pending("rest:abc") == []  # claimed: never shown twice
