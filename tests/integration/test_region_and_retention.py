"""The organisation's region and RETENTION_DAYS reach the chat: a stack with an Australian profile
(a copy of organisation.yml with `region: au`, ORGANISATION_FILE) and 30 days gives Australian
numbers only and says 30 days; the default stack (the UK demo profile, 180 days) UK numbers only."""
from __future__ import annotations

import pytest
import yaml

from bot import privacy
from bot.settings import ROOT
from tests.integration.conftest import start_bot

EMERGENCY = "my dad has collapsed and isn't breathing"
MEDICAL = "is it ok to take two paracetamol with my antibiotics"
UK = ("999", "NHS 111", "116 123", "Samaritans", "the UK")
AU = ("000", "1800 022 222", "healthdirect", "13 11 14", "Lifeline", "Australia")


@pytest.fixture(scope="module")
def au_bot(tmp_path_factory):
    where = tmp_path_factory.mktemp("au")
    profile = yaml.safe_load((ROOT / "organisation.yml").read_text())
    assert profile["region"] == "uk"
    (where / "organisation.yml").write_text(yaml.safe_dump({**profile, "region": "au"}))
    bot = start_bot(f"sqlite:///{where / 'coprod.db'}",
                    {"ORGANISATION_FILE": str(where / "organisation.yml"), "RETENTION_DAYS": "30"})
    yield bot
    bot.stack.stop()


def replies(bot, sender):
    return bot.text(sender, EMERGENCY), bot.text(sender, MEDICAL)


def test_an_australian_profile_gives_australian_numbers_only(au_bot, sender):
    emergency, medical = replies(au_bot, sender)
    assert "In Australia: if someone is in danger or seriously unwell, call 000 now" in emergency
    assert "Lifeline on 13 11 14" in emergency and "in Australia call healthdirect on 1800 022 222" in medical
    for fact in UK:
        assert fact not in emergency + medical, fact
    assert au_bot.rows("SELECT COUNT(*) FROM unanswered_question WHERE text = :t", t=EMERGENCY) == [(0,)]


def test_the_uk_profile_gives_uk_numbers_only(bot, sender):
    emergency, medical = replies(bot, sender)
    assert "In the UK: if someone is in danger or seriously unwell, call 999 now" in emergency
    assert "Samaritans on 116 123" in emergency and "in the UK call NHS 111" in medical
    for fact in AU:
        assert fact not in emergency + medical, fact


def test_other_out_of_scope_kinds_still_get_their_replies(au_bot, sender):
    assert "can't book" in au_bot.text(sender, "I need to move my mum's appointment to friday")


def test_the_retention_setting_reaches_every_text_about_data(au_bot, sender):
    info = au_bot.text(sender, "what do you do with my answers?")
    assert "kept in a conversation log for 30 days" in info and "180" not in info
    au_bot.text(sender, "I want to give feedback about my care")
    for answer in ("4", "skip", "skip"):
        au_bot.text(sender, answer)
    consent = au_bot.text(sender, "skip")
    assert privacy.consent_prompt(30) in consent and "180" not in consent
    assert "deleted after 30 days" in au_bot.text(sender, "no")
