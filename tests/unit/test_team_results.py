"""Team results only for the team (issue #16, part 6): team codes in the profile, the code question
in the staff check, and which earlier check a person is shown (against a real migrated SQLite)."""
import pytest
import yaml

from bot import flows, organisation, repository, views
from bot.db import session_scope
from bot.errors import ConfigError
from bot.principles import PRINCIPLES
from bot.settings import ROOT
from tests.self_check import run_flow

NOW = "2026-11-23T10:00:00"
CODES = {"ward 4": "blue kettle"}  # as organisation.Organisation.team_codes gives them


def profile(**changes):
    raw = yaml.safe_load((ROOT / "organisation.yml").read_text())
    raw.update(changes)
    return organisation.parse(raw)


def staff_check(team, code=None, rating="3", codes=CODES):
    """Run a whole staff check; returns (submission, every reply text seen)."""
    return run_flow(team, [rating] * 6, code, codes)


# --- the profile -------------------------------------------------------------------------------

def test_teams_are_optional_and_the_demo_profile_has_none():
    org = organisation.load(ROOT / "organisation.yml")
    assert org.teams == () and org.team_codes == {}


def test_team_codes_are_keyed_like_team_names_and_never_printed():
    org = profile(teams=[{"name": "Ward  4", "code": "Blue Kettle"}, {"name": "Day centre"}])
    assert org.team_codes == {"ward 4": "Blue Kettle"}  # a team without a code is not asked for one
    assert "Blue Kettle" not in repr(org) and "***" in repr(org.teams[0])


@pytest.mark.parametrize("teams, message", [
    ("Ward 4", "'teams' should be a list"),
    ([{"code": "abcd"}], "team 1 needs at least a name"),
    ([{"name": "Ward 4", "pin": "1234"}], "unknown field(s) in 'teams[1]': pin"),
    ([{"name": "Ward 4", "code": "12"}], "the code for team 'Ward 4' should be at least 4 characters"),
    ([{"name": "Ward 4"}, {"name": "ward 4 "}], "teams 'Ward 4' and 'ward 4' have the same name"),
    ([{"name": "!!", "code": "abcd"}], "team 1 needs a name with letters or numbers"),
    ([{"name": "Ward 4", "code": "none"}], "the code for team 'Ward 4' is a word that means 'skip'"),
])
def test_a_mistake_in_the_teams_gets_a_clear_message(teams, message):
    with pytest.raises(ConfigError) as err:
        profile(teams=teams)
    assert message in str(err.value)


# --- the conversation --------------------------------------------------------------------------

def test_the_code_is_asked_only_for_a_team_that_has_one():
    state = flows.start("self_check", "rest", "staff", NOW).state
    out = flows.handle(state, "ward 4", None, 0, NOW, CODES)
    assert out.replies[0]["text"].startswith("ward 4 has a team code. If you know it, type it")
    assert out.replies[0]["buttons"] == [{"title": "Skip", "payload": "skip"}]
    out = flows.handle(state, "Ward 5", None, 0, NOW, CODES)
    assert "Statement 1 of 6" in out.replies[0]["text"]
    out = flows.handle(state, "ward 4", None, 0, NOW)  # no codes in the profile
    assert "Statement 1 of 6" in out.replies[0]["text"]


def test_the_right_code_makes_the_check_the_teams_and_the_code_is_never_kept():
    sub, seen = staff_check("Ward 4", "  BLUE   kettle ")
    assert sub["team_verified"] is True and sub["team"] == "Ward 4"
    assert "Thank you, that's the right code for Ward 4." in seen[2]
    assert "kettle" not in repr(sub).lower() and not any("kettle" in t.lower() for t in seen)
    assert "team_code" not in {a["question"] for a in sub["answers"]}


def test_a_wrong_code_gets_a_kind_message_and_the_check_carries_on_unverified():
    sub, seen = staff_check("Ward 4", "red kettle")
    assert seen[2].startswith(
        "That code doesn't match the one for Ward 4, so I won't show other people's results for the team. "
        "Your check carries on as normal. If it was a typo, type 'back' to try again.")
    assert "Statement 1 of 6" in seen[2]
    assert sub["team_verified"] is False and sub["overall_score"] == 50.0  # still a full check, stored


def test_back_after_a_wrong_code_lets_the_person_try_again():
    state = flows.start("self_check", "rest", "staff", NOW).state
    state = flows.handle(state, "Ward 4", None, 0, NOW, CODES).state
    state = flows.handle(state, "red kettle", None, 0, NOW, CODES).state
    assert state["answers"]["team_code"] is False
    out = flows.handle(state, "back", None, 0, NOW, CODES)
    assert "has a team code" in out.replies[0]["text"]
    out = flows.handle(out.state, "blue kettle", None, 0, NOW, CODES)
    assert out.state["answers"]["team_code"] is True


def test_skipping_the_code_or_the_team_leaves_the_check_unverified():
    sub, seen = staff_check("Ward 4", "skip")
    assert sub["team_verified"] is False
    assert seen[2].startswith("OK, no code. Your check carries on as normal; I won't show other people's results for Ward 4.")
    sub, _ = staff_check("skip")
    assert sub["team"] is None and sub["team_verified"] is False


# --- who sees which earlier check --------------------------------------------------------------

def save(sub, respondent):
    with session_scope() as s:
        assert repository.save_submission(s, sub, respondent)


def shown(sub, respondent):
    with session_scope() as s:
        return repository.previous_team_score(s, sub["team"], sub["submission_id"], respondent_id=respondent,
                                              verified=sub["team_verified"])


def test_someone_who_did_not_show_they_belong_sees_no_other_persons_score(db_url):
    # a profile without team codes: typing a team's name shows only your own earlier checks
    first, _ = staff_check("Ward 4", rating="5", codes={})  # 100
    save(first, "alice")
    stranger, _ = staff_check("ward 4", rating="1", codes={})
    assert stranger["team_verified"] is False
    save(stranger, "mallory")
    assert shown(stranger, "mallory") is None
    # with a code: a verified check of the team is not shown after a wrong code either
    verified, _ = staff_check("Ward 4", "blue kettle", rating="5")
    save(verified, "alice")
    wrong, _ = staff_check("WARD 4", "guess", rating="2")
    save(wrong, "mallory")
    assert shown(wrong, "mallory") == 0.0  # mallory's own earlier check, never alice's 100


def test_an_unverified_check_never_becomes_the_teams_latest_for_others(db_url):
    first, _ = staff_check("Ward 4", "blue kettle", rating="4")  # 75
    save(first, "alice")
    fake, _ = staff_check("Ward 4", "skip", rating="1")  # 0, made after alice's
    save(fake, "mallory")
    colleague, _ = staff_check("Ward 4", "blue kettle", rating="5")
    save(colleague, "bob")
    assert shown(colleague, "bob") == 75.0
    # and the staff report still counts every check
    with session_scope() as s:
        assert views.count_by_kind(s)["staff_check"] == 3
        assert sorted(score for _, _, score in views.scored_checks(s)) == [0.0, 75.0, 100.0]
        stored = {sub.respondent_id: sub.team_verified for sub in views.submissions(s, "staff_check")}
    assert stored == {"alice": True, "mallory": False, "bob": True}


def test_the_same_person_always_sees_their_own_earlier_check(db_url):
    own, _ = staff_check("Day centre", rating="2", codes={})  # a team without a code
    save(own, "carol")
    again, _ = staff_check("day centre", rating="4", codes={})
    assert shown(again, "carol") == 25.0
    assert shown(again, "someone-else") is None


def test_saved_reply_shows_the_change_only_when_there_is_one_to_show():
    sub, _ = staff_check("Ward 4", "skip")
    state = {"flow": "staff_check", "answers": {f"p_{p.key}": 3 for p in PRINCIPLES}}
    assert "Since your team's last check" not in flows.saved_replies(sub, state, None)[0]["text"]
    assert "(was 92)" in flows.saved_replies(sub, state, 92.0)[0]["text"]
