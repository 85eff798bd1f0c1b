"""Team results only for the team, and a role that can change (issue #16, parts 6 and 7),
through the REST channel against the real servers, then the database.

The stack runs with a copy of the demo profile plus one team that has a code ("Ward Seven");
any other team name has no code, as in the demo profile itself.
"""
from __future__ import annotations

import uuid
from typing import Optional

import pytest
import yaml

from bot import db
from bot.principles import PRINCIPLES
from bot.settings import ROOT
from tests.integration.conftest import Bot, backends, database_for, start_bot
from tests.self_check import complete_over_rest

CODED_TEAM, CODE = "Ward Seven", "green teapot"


@pytest.fixture(scope="module", params=backends())
def team_bot(request, tmp_path_factory) -> Bot:
    tmp = tmp_path_factory.mktemp(f"teams-{request.param}")
    raw = yaml.safe_load((ROOT / "organisation.yml").read_text())
    raw["teams"] = [{"name": CODED_TEAM, "code": CODE}]
    (tmp / "organisation.yml").write_text(yaml.safe_dump(raw))
    url = database_for(request.param, tmp)
    b = start_bot(url, {"ORGANISATION_FILE": str(tmp / "organisation.yml")})
    yield b
    b.stack.stop()
    db.get_engine(url).dispose()


def staff_check(bot: Bot, sender: str, team: str, rating: str, code: Optional[str] = None) -> str:
    """A whole staff check by a new sender, every statement rated `rating`; the result."""
    return complete_over_rest(bot, sender, team, [rating] * len(PRINCIPLES), code)


def latest_verified(bot: Bot, team_key: str) -> list:
    return bot.rows("SELECT overall_score FROM submission WHERE team_key = :k AND team_verified = :v "
                    "ORDER BY created_at DESC, id DESC LIMIT 1", k=team_key, v=True)


def test_typing_another_teams_name_shows_none_of_its_scores(team_bot):
    team = f"Ward {uuid.uuid4().hex[:6]}"  # a team without a code
    owner, stranger = f"test-{uuid.uuid4().hex[:12]}", f"test-{uuid.uuid4().hex[:12]}"
    assert "Overall: 100 out of 100" in staff_check(team_bot, owner, team, "5")
    result = staff_check(team_bot, stranger, team.upper(), "2")
    assert "Overall: 25 out of 100" in result
    assert "(was 100)" not in result and "Since your team's last check" not in result
    assert team_bot.rows("SELECT COUNT(*) FROM submission WHERE team_key = :k AND team_verified = :v",
                         k=team.lower(), v=False) == [(2,)]  # both stored, for the report
    # the stranger's check did not become the team's latest: the owner still compares with their own
    bot_text = team_bot.text
    assert "Which service or team" in bot_text(owner, "start the self-check")  # role remembered: staff
    bot_text(owner, team)
    for _ in PRINCIPLES:
        if "example" in bot_text(owner, "4"):
            bot_text(owner, "skip")
    bot_text(owner, "skip")
    assert "Since your team's last check: down 25 points (was 100)." in bot_text(owner, "yes")


def test_a_team_code_decides_who_sees_the_teams_results(team_bot):
    member, stranger, colleague = (f"test-{uuid.uuid4().hex[:12]}" for _ in range(3))
    assert "Overall: 100 out of 100" in staff_check(team_bot, member, CODED_TEAM, "5", CODE)
    assert latest_verified(team_bot, "ward seven") == [(100.0,)]

    assert "do you work in the service" in team_bot.text(stranger, "start the self-check")
    team_bot.text(stranger, "I work in the service")
    assert "ward seven has a team code" in team_bot.text(stranger, "ward seven")
    wrong = team_bot.text(stranger, "blue teapot")
    assert "That code doesn't match the one for ward seven" in wrong and "Statement 1 of 6" in wrong
    for _ in PRINCIPLES:
        team_bot.text(stranger, "1")
    team_bot.text(stranger, "skip")
    result = team_bot.text(stranger, "yes")
    assert "Overall: 0 out of 100" in result and "(was 100)" not in result and "Since your team's" not in result
    assert latest_verified(team_bot, "ward seven") == [(100.0,)]  # unchanged by the stranger's check
    assert team_bot.rows("SELECT COUNT(*) FROM submission WHERE team_key = 'ward seven'") == [(2,)]

    # a colleague with the code compares with the team's verified check, not the stranger's 0
    result = staff_check(team_bot, colleague, CODED_TEAM, "3", CODE.upper())
    assert "Since your team's last check: down 50 points (was 100)." in result


def test_the_role_can_change_after_feedback_and_mid_check(team_bot):
    sender = f"test-{uuid.uuid4().hex[:12]}"
    assert "rate your experience" in team_bot.text(sender, "I want to give feedback about my care")
    for answer in ("4", "Friendly staff", "skip", "skip"):
        team_bot.text(sender, answer)
    assert "Saved" in team_bot.text(sender, "yes")
    # feedback did not make them a consumer: the next check asks
    assert "do you work in the service" in team_bot.text(sender, "start the self-check")
    assert "Statement 1 of 6" in team_bot.text(sender, "I use the service or care for someone who does")
    team_bot.text(sender, "4")
    switched = team_bot.text(sender, "I work in the service")
    assert "I'll ask the questions for people who work in the service instead" in switched
    assert "Which service or team" in switched and "Source:" not in switched  # not a knowledge answer
    assert "stopped" in team_bot.text(sender, "stop")
    # remembered for the next check, with the way back
    again = team_bot.text(sender, "start the self-check")
    assert "Which service or team" in again and "just say 'I use the service'" in again
    assert "Statement 1 of 6" in team_bot.text(sender, "I use the service")
