"""Emergency and medical replies name the region's numbers only (bot.helplines, action_out_of_scope)."""
from __future__ import annotations

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import helplines, organisation, settings
from bot.settings import ROOT

UK = ("999", "NHS 111", "Samaritans on 116 123", "the UK")
AU = ("000", "healthdirect on 1800 022 222", "Lifeline on 13 11 14", "Australia")


def everything(region):
    return helplines.medical_reply(region) + " " + helplines.emergency_reply(region)


@pytest.mark.parametrize("region, mine, theirs", [("uk", UK, AU), ("au", AU, UK)])
def test_each_region_gets_its_own_numbers_only_named_by_country(region, mine, theirs):
    text = everything(region)
    for fact in mine:
        assert fact in text
    for fact in theirs:
        assert fact not in text
    assert f"In {helplines.HELPLINES[region].country}: if someone is in danger" in helplines.emergency_reply(region)


def test_without_a_readable_profile_every_region_is_named():
    text = helplines.emergency_reply(None)
    assert "In the UK: if someone is in danger or seriously unwell, call 999 now" in text
    assert "In Australia: if someone is in danger or seriously unwell, call 000 now" in text


def test_every_region_of_the_profile_has_helplines():
    assert set(organisation.REGIONS) == set(helplines.HELPLINES)


def tracker(kind: str) -> Tracker:
    selector = {"out_of_scope": {"response": {"utter_action": f"utter_out_of_scope/{kind}"}}}
    return Tracker("rest:x", {}, {"text": "help", "intent": {"name": "out_of_scope"}, "response_selector": selector},
                   [], False, None, {}, "action_listen")


@pytest.fixture
def profile(tmp_path, monkeypatch):
    def use(region: str) -> None:
        raw = yaml.safe_load((ROOT / "organisation.yml").read_text())
        path = tmp_path / f"organisation-{region}.yml"
        path.write_text(yaml.safe_dump({**raw, "region": region}))
        monkeypatch.setenv("ORGANISATION_FILE", str(path))
        settings.settings.cache_clear()
        organisation.current.cache_clear()
    yield use
    settings.settings.cache_clear()
    organisation.current.cache_clear()


@pytest.mark.parametrize("region, mine, theirs", [("uk", UK, AU), ("au", AU, UK)])
def test_the_action_answers_with_the_profiles_region(profile, region, mine, theirs):
    from actions.out_of_scope import ActionOutOfScope

    profile(region)
    for kind in ("emergency", "medical"):
        dispatcher = CollectingDispatcher()
        ActionOutOfScope().run(dispatcher, tracker(kind), {})
        text = dispatcher.messages[0]["text"]
        assert text == helplines.REPLIES[kind](region)
        assert not any(fact in text for fact in theirs)
    dispatcher = CollectingDispatcher()
    ActionOutOfScope().run(dispatcher, tracker("booking"), {})
    assert dispatcher.messages[0]["response"] == "utter_out_of_scope/booking"


def test_the_demo_phone_number_is_in_the_range_kept_for_drama():
    assert organisation.load(ROOT / "organisation.yml").contact.phone.replace(" ", "").startswith("01632960")
