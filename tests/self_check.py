"""The one way tests drive a staff self-check: through `bot.flows` directly (unit tests) or
over the REST channel of a running stack (integration tests)."""
from __future__ import annotations

from typing import List, Mapping, Optional, Sequence, Tuple

from bot import flows

NOW = "2026-11-23T10:00:00"
RATINGS = ("3", "2", "3", "1", "2", "3")  # no 4 or 5, so no example follow-ups


def run_flow(team: str, ratings: Sequence[str] = RATINGS, code: Optional[str] = None,
             codes: Mapping[str, str] = {}, channel: str = "rest") -> Tuple[flows.SubmissionData, List[str]]:
    """A whole staff check in `bot.flows`: team (and code), six ratings (skipping any example
    follow-up), no comment, consent. Returns the submission and every reply text seen."""
    out = flows.start("self_check", channel, "staff", NOW)
    seen = [r["text"] for r in out.replies]
    for text in [team] + ([code] if code is not None else []):
        out = flows.handle(out.state, text, None, 0, NOW, codes)
        seen += [r["text"] for r in out.replies]
    for rating in ratings:
        out = flows.handle(out.state, rating, None, 0, NOW, codes)
        seen += [r["text"] for r in out.replies]
        question = flows.current_question(out.state) if out.state else None
        if question is not None and question.key.startswith("example_"):
            out = flows.handle(out.state, "skip", None, 0, NOW, codes)
    out = flows.handle(out.state, "skip", None, 0, NOW, codes)
    out = flows.handle(out.state, "yes", None, 0, NOW, codes)
    seen += [r["text"] for r in out.replies]
    assert out.to_save is not None, seen[-3:]
    return out.to_save, seen


def begin_over_rest(bot, sender: str, team: str, code: Optional[str] = None) -> str:
    """Start a staff check and name the team (and give its code); returns the reply with statement 1."""
    assert "work in the service" in bot.text(sender, "/start_self_check")
    assert "Which service or team" in bot.text(sender, "I work in the service")
    reply = bot.text(sender, team)
    if code is not None:
        assert "has a team code" in reply
        reply = bot.text(sender, code)
    assert "Statement 1 of 6" in reply, reply
    return reply


def complete_over_rest(bot, sender: str, team: str, ratings: Sequence[str] = RATINGS,
                       code: Optional[str] = None) -> str:
    """A whole staff check over REST; returns the reply to "yes" (the result)."""
    begin_over_rest(bot, sender, team, code)
    for rating in ratings:
        if "example" in bot.text(sender, rating):
            bot.text(sender, "skip")
    reply = bot.text(sender, "skip")
    assert "Shall I save" in reply, reply
    return bot.text(sender, "yes")
