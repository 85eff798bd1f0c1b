"""The organisation's profile: parsed with friendly errors, overridable, and rendered into answers."""
import pytest
import yaml

from bot import answers, knowledge, local_details, organisation
from bot.errors import ConfigError
from bot.settings import ROOT


def profile(**changes):
    raw = yaml.safe_load((ROOT / "organisation.yml").read_text())
    raw.update(changes)
    return organisation.parse(raw)


def test_the_shipped_profile_is_the_demo_one_and_uses_a_number_reserved_for_fiction():
    org = organisation.load(ROOT / "organisation.yml")
    assert org.demo is True and "(demo)" in org.name
    assert org.contact.phone.replace(" ", "").startswith("01632960")


@pytest.mark.parametrize("changes, message", [
    ({"name": ""}, "'name' is required"),
    ({"region": "fr"}, "region must be one of uk, au"),
    ({"contact": {"phone": "1", "fax": "2"}}, "unknown field(s) in 'contact': fax"),
    ({"payment": "lots"}, "'payment' should be a section"),
    ({"groups": [{"what": "no name"}]}, "group 1 needs at least a name"),
])
def test_a_mistake_in_the_profile_gets_a_clear_message(changes, message):
    with pytest.raises(ConfigError) as err:
        profile(**changes)
    assert message in str(err.value)


def test_a_missing_or_broken_file_gets_a_clear_message(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        organisation.load(tmp_path / "nope.yml")
    (tmp_path / "bad.yml").write_text("name: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        organisation.load(tmp_path / "bad.yml")


def test_environment_overrides_win():
    org = organisation.load(ROOT / "organisation.yml", {"name": "Hillside Care", "phone": "01632 960 999"})
    assert org.name == "Hillside Care" and org.contact.phone == "01632 960 999"
    assert org.contact.email  # the rest stays as the profile says


def topic(tid):
    return next(t for t in knowledge.load_topics(ROOT / "data" / "knowledge") if t.id == tid)


def titles():
    return {t.id: t.title for t in knowledge.load_topics(ROOT / "data" / "knowledge")}


def test_an_answer_carries_the_organisations_own_details():
    org = profile(payment={"rates": "£20 an hour for meetings", "pays_within": "10 days"})
    reply = answers.answer(topic("payment_and_expenses"), org, titles())
    assert "£20 an hour for meetings" in reply.text and "10 days" in reply.text
    assert local_details.render("payment", org).missing is False
    assert "ask the team" not in reply.text


def test_where_the_profile_is_silent_the_answer_says_who_to_ask_and_offers_a_person():
    org = profile(payment={}, groups=[])
    for tid in ("payment_and_expenses", "involvement_groups"):
        reply = answers.answer(topic(tid), org, titles())
        assert f"ask the team: {local_details.contact_line(org)}" in reply.text
        assert reply.buttons[-1]["payload"] == "/human_handoff"


def test_groups_are_listed_with_how_often_and_how_they_meet():
    org = profile(groups=[{"name": "Carers' Forum", "what": "Shapes carer support", "how_often": "Every two months",
                           "how_they_meet": "Online"}])
    text = answers.answer(topic("involvement_groups"), org, titles()).text
    assert "- Carers' Forum: Shapes carer support. Every two months, online." in text


def test_the_region_picks_the_answer_and_the_advice_service():
    benefits = topic("payment_benefits_and_tax")
    uk = answers.answer(benefits, profile(region="uk"), titles()).text
    au = answers.answer(benefits, profile(region="au"), titles()).text
    assert "Citizens Advice" in uk and "Services Australia" not in uk
    assert "Services Australia" in au and "Citizens Advice" not in au
    assert benefits.text("source", "uk") in uk and benefits.text("source", "au") in au


def test_make_run_warns_only_when_the_demo_profile_is_served_beyond_this_machine():
    from bot.settings import load_settings

    demo = organisation.load(ROOT / "organisation.yml")
    public = load_settings({"COPROD_HOST": "0.0.0.0"})
    local = load_settings({})
    assert local.on_loopback and not public.on_loopback
    assert "DEMO organisation profile" in organisation.demo_warning(demo, public.on_loopback)
    assert organisation.demo_warning(demo, local.on_loopback) is None
    own = profile(demo=False)
    assert organisation.demo_warning(own, public.on_loopback) is None


def test_the_model_is_retrained_when_the_profile_or_an_outside_knowledge_folder_changes(tmp_path):
    import shutil

    from bot.runner import fingerprint
    from bot.settings import load_settings

    shutil.copy(ROOT / "organisation.yml", tmp_path / "org.yml")
    shutil.copytree(ROOT / "data" / "knowledge", tmp_path / "k")
    settings = load_settings({"ORGANISATION_FILE": str(tmp_path / "org.yml"), "KNOWLEDGE_DIR": str(tmp_path / "k")})
    before = fingerprint(settings=settings)
    assert fingerprint(settings=settings) == before
    (tmp_path / "k" / "benefits.yml").write_text((tmp_path / "k" / "benefits.yml").read_text() + "\n")
    after_topic = fingerprint(settings=settings)
    assert after_topic != before
    (tmp_path / "org.yml").write_text((tmp_path / "org.yml").read_text().replace("two working days", "one day"))
    assert fingerprint(settings=settings) != after_topic
    assert fingerprint(settings=load_settings({**dict(settings.organisation_overrides), "ORG_NAME": "Other",
                                               "ORGANISATION_FILE": str(tmp_path / "org.yml"),
                                               "KNOWLEDGE_DIR": str(tmp_path / "k")})) != fingerprint(settings=settings)
