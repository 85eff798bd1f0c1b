"""What the person sees at the end of a self-check or feedback: the result once the answers are
stored (with the reference code that lets them delete the answers later), or why they are not."""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

from bot import privacy
from bot.principles import PRINCIPLES
from bot.questions import CONSENT
from bot.scoring import Result, score, summary_lines
from bot.topics import topic_button


def _reply(text: str, buttons: Any = ()) -> Dict[str, Any]:
    return {"text": text, "buttons": [dict(b) for b in buttons]}


def staff_or_consumer_result(state: Mapping[str, Any]) -> Optional[Result]:
    """Scores of a self-check (None for feedback)."""
    prefix = {"staff_check": "p_", "consumer_check": "c_"}.get(state["flow"])
    if prefix is None:
        return None
    return score({p.key: state["answers"][prefix + p.key] for p in PRINCIPLES})


def saved_replies(submission: Mapping[str, Any], state: Mapping[str, Any], previous: Optional[float],
                  reference: Optional[str] = None) -> List[Dict[str, Any]]:
    """What the person sees once their answers are safely stored. `previous` is the score of the
    team's latest earlier check that this person may see (`repository.previous_team_score`);
    `reference` the code that deletes these answers from any chat (`bot.erasure.issue_reference`)."""
    code = "\n\n" + privacy.reference_line(reference) if reference else ""
    if state["flow"] == "staff_check":
        result = staff_or_consumer_result(state)
        assert result is not None
        lines = ["Saved. Here is your result."] + summary_lines(result, previous)
        tips = [f"{p.title}: {p.suggestion}" for p in result.weakest]
        lines.append("Two things to work on next:\n- " + "\n- ".join(tips))
        buttons = [topic_button(p.topic) for p in result.weakest] + [topic_button("steps_to_coproduce")]
        return [_reply("\n\n".join(lines) + code, buttons)]
    if state["flow"] == "consumer_check":
        return [_reply(
            "Saved, thank you. Your answers are put side by side with what staff think, so the service can see "
            "where views differ; staff also see each answer and read comments word for word. Taking part is "
            "always your choice." + code,
            [topic_button("role_of_consumers"), {"title": "Give feedback", "payload": "/give_feedback"}],
        )]
    return [_reply(
        "Saved, thank you for your feedback. Staff read every comment, word for word, when they plan changes." + code,
        [topic_button("role_of_consumers"), {"title": "Take the self-check", "payload": "/start_self_check"}],
    )]


def save_failed_reply() -> Dict[str, Any]:
    return _reply(
        "Sorry, I couldn't save your answers just now. Nothing was lost: say 'yes' to try again in a moment, or 'stop' to leave.",
        CONSENT.buttons,
    )
