"""The guided conversations (staff self-check, consumer self-check, feedback) as a pure state machine.

State is a small JSON-able dict kept in a Rasa slot, so a conversation resumes after a
restart. `handle()` takes the state and what the person typed and returns the next
state, the replies, and - once the person consents - the submission to save. Nothing
here touches the database or Rasa; the questions themselves are in `bot.questions`.

Two things can happen at any question: the person says which role they have ("I work in
the service", `questions.role_statement`), which restarts a self-check with the right
questions; and, for a team whose organisation profile gives it a code, the code typed
after the team's name decides whether the check counts as the team's (`team_verified`).
"Delete my data" at any question is handed on (`Outcome.delete_requested`, bot.deletion), and
the flow goes on where it was if the person then keeps their data.
"""
from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, TypedDict

from bot import parsing, privacy
from bot.closing import save_failed_reply as save_failed_reply  # re-exported for the actions
from bot.closing import saved_replies as saved_replies
from bot.closing import staff_or_consumer_result
from bot.organisation import team_key
from bot.questions import FLOWS, INTROS, KIND_ROLE, ROLE, ROLE_OPTIONS, Button, team_code_question
from bot.questions import CONTRIBUTE_OPTIONS as CONTRIBUTE_OPTIONS  # re-exported for the report
from bot.questions import MATTERS_OPTIONS as MATTERS_OPTIONS
from bot.questions import Question as Question
from bot.questions import example_question, role_statement
from bot.topics import TOPICS

TeamCodes = Mapping[str, str]  # team key (organisation.team_key) -> that team's code

ROLE_PEOPLE = {"staff": "people who work in the service", "consumer": "people who use the service"}
ROLE_SAID = {"staff": "you work in the service", "consumer": "you use the service or care for someone who does"}
ROLE_SWITCH_HINT = {
    "staff": "If you use the service rather than work in it, just say 'I use the service'.",
    "consumer": "If you work in the service, just say 'I work in the service'.",
}


class AnswerData(TypedDict):
    position: int
    question: str
    rating: Optional[int]
    choice: Optional[str]
    text: Optional[str]


class SubmissionData(TypedDict):
    """What `build_submission` hands to `repository.save_submission`."""

    submission_id: str
    kind: str
    role: str
    channel: str
    team: Optional[str]
    team_verified: bool  # the person gave the team's code from the organisation's profile
    started_at: Optional[str]
    answers: List[AnswerData]
    overall_score: Optional[float]
    level: Optional[str]


class FlowState(TypedDict, total=False):
    """The `flow_state` slot while a guided flow runs (bot.deletion keeps its own keys beside these)."""

    flow: str  # staff_check | consumer_check | feedback | role (asking which)
    then: str  # after the role question: the flow to begin
    answers: Dict[str, Any]  # question key -> rating, choice or text
    order: List[str]  # question keys in the order answered (for "back")
    channel: str
    role: str
    role_known: bool  # the person said it (or the channel did): kept for later checks
    submission_id: str
    started_at: str
    team_has_code: bool
    team_code: Optional[bool]  # right, wrong or skipped; never the code itself


@dataclass
class Outcome:
    """What happened on one turn."""

    state: Optional[FlowState]
    replies: List[Dict[str, Any]] = field(default_factory=list)
    to_save: Optional[SubmissionData] = None
    digression: Optional[str] = None  # a response name to show before the re-asked question
    finished: bool = False
    delete_requested: bool = False  # "delete my data": actions.privacy asks first; on "no" the flow goes on


def _reply(text: str, buttons: Sequence[Button] = ()) -> Dict[str, Any]:
    return {"text": text, "buttons": [dict(b) for b in buttons]}


def questions_for(state: FlowState) -> List[Question]:
    """The questions of this flow: the team code after a team that has one, and an example
    follow-up after each rating of 4 or 5."""
    if state["flow"] == "role":
        return [ROLE]
    out: List[Question] = []
    for q in FLOWS[state["flow"]]:
        out.append(q)
        if q.key == "team" and state.get("team_has_code") and state["answers"].get("team"):
            out.append(team_code_question(state["answers"]["team"]))
        if state["flow"] == "staff_check" and q.kind == "rating":
            rating = state["answers"].get(q.key)
            if isinstance(rating, int) and rating >= 4:
                out.append(example_question(q.key[2:]))
    return out


def current_question(state: FlowState) -> Optional[Question]:
    for q in questions_for(state):
        if q.key not in state["answers"]:
            return q
    return None


def _next_question(state: FlowState) -> Question:
    """The question to ask now in a flow that is not finished (consent is never answered in `answers`)."""
    q = current_question(state)
    if q is None:
        raise ValueError(f"flow {state['flow']} has no question left")
    return q


def ask(q: Question, prefix: str = "") -> Dict[str, Any]:
    """The question as a reply (the consent's words come from the settings, bot.privacy)."""
    prompt = privacy.consent_prompt() if q.kind == "consent" else q.prompt
    return _reply((prefix + "\n\n" if prefix else "") + prompt, q.buttons)


def start(flow: str, channel: str, role: Optional[str], now_iso: str) -> Outcome:
    """Begin `flow` ('self_check' picks the staff or consumer check by role; 'feedback').
    `role` is what the person told us earlier (or their channel says), None if unknown."""
    if flow == "self_check" and role is None:
        asking: FlowState = {"flow": "role", "then": "self_check", "answers": {}, "order": [], "channel": channel}
        return Outcome(asking, [ask(ROLE)])
    return _begin(flow, channel, role, now_iso, remind=flow == "self_check")


def _begin(flow: str, channel: str, role: Optional[str], now_iso: str, remind: bool = False,
           prefix: str = "") -> Outcome:
    if flow == "self_check":
        flow = "staff_check" if role == "staff" else "consumer_check"
    state: FlowState = {
        "flow": flow, "answers": {}, "order": [], "channel": channel, "role": role or KIND_ROLE[flow],
        # only a role the person told us (or their channel) is remembered for later checks
        "role_known": role is not None,
        "submission_id": str(uuid.uuid4()), "started_at": now_iso,
    }
    intro = INTROS[flow] + (" " + ROLE_SWITCH_HINT[state["role"]] if remind else "")
    return Outcome(state, [ask(_next_question(state), (prefix + "\n\n" if prefix else "") + intro)])


def _read(q: Question, text: str) -> Tuple[bool, Any]:
    """(understood, value) for an answer to `q`."""
    if q.optional and parsing.is_skip(text):
        return True, None
    value: Any
    if q.kind == "rating":
        value = parsing.parse_rating(text)
        if value is None and q.extra_phrases:
            t = parsing.normalise(text)
            value = next((v for p, v in q.extra_phrases if p == t or f" {p}" in f" {t}"), None)
        return value is not None, value
    if q.kind == "choice":
        value = parsing.parse_choice(text, q.options, q.synonyms)
        return value is not None, value
    if q.kind == "consent":
        value = parsing.parse_yes_no(text)
        return value is not None, value
    value = parsing.clean_text(text)
    return bool(value), value


def handle(
    state: FlowState, text: str, intent: Optional[str] = None, confidence: float = 0.0, now_iso: str = "",
    team_codes: Optional[TeamCodes] = None,
) -> Outcome:
    """One turn of a guided flow. `team_codes` are the organisation profile's team codes."""
    q = current_question(state)
    if q is None:  # defensive: a finished flow left in the slot
        return Outcome(None, finished=True)
    if parsing.is_stop(text) or intent == "stop_flow":
        return Outcome(None, [_reply(privacy.stopped())], finished=True)
    if parsing.is_back(text) or intent == "go_back":
        if not state["order"]:
            return Outcome(state, [ask(q, "This is the first question, so there is nothing to go back to.")])
        new = state.copy()
        new["answers"], new["order"] = dict(state["answers"]), list(state["order"])
        last = new["order"].pop()
        new["answers"].pop(last, None)
        return Outcome(new, [ask(_next_question(new), "No problem, let's change your last answer.")])

    said = role_statement(text)
    # a free-text answer is only taken as a role statement when it changes the role
    if said and state["flow"] != "role" and (q.kind != "text" or said != state["role"]):
        return _change_role(state, q, said, now_iso)

    understood, value = _read(q, text)
    if privacy.asks_to_delete(text, intent, confidence, understood):
        return Outcome(state, delete_requested=True)
    digression = _digression(q, understood, text, intent, confidence)
    if digression:
        return Outcome(state, [ask(q, "Now, back to where we were:")], digression=digression)
    if not understood:
        return Outcome(state, [ask(q, f"Sorry, I didn't catch that. {q.hint}".strip())])

    if state["flow"] == "role":
        role = "staff" if value == ROLE_OPTIONS[0] else "consumer"
        return _begin(state.get("then", "self_check"), state["channel"], role, now_iso)

    if q.kind == "consent":
        if value is False:
            return Outcome(None, [_reply(privacy.not_saved())], finished=True)
        return Outcome(state, to_save=build_submission(state, now_iso))

    prefix = ""
    new = state.copy()
    new["answers"], new["order"] = {**state["answers"], q.key: value}, [*state["order"], q.key]
    if q.key == "team":
        new["team_has_code"] = team_key(value) in (team_codes or {})
    if q.key == "team_code":  # never kept: only whether it was right
        new["answers"]["team_code"], prefix = _check_team_code(state["answers"]["team"], value, team_codes or {})
    return Outcome(new, [ask(_next_question(new), prefix)])


def _change_role(state: FlowState, q: Question, role: str, now_iso: str) -> Outcome:
    """The person said which role they have: a self-check for the other role starts again."""
    if state["flow"] == "feedback":
        noted = state.copy()
        noted["role"], noted["role_known"] = role, True
        return Outcome(noted, [ask(q, f"Thank you, I've noted that {ROLE_SAID[role]}. Let's carry on:")])
    if role == state["role"]:
        return Outcome({**state, "role_known": True},
                       [ask(q, f"Yes, these are the questions for {ROLE_PEOPLE[role]}. Let's carry on:")])
    prefix = (f"Thank you for telling me. I'll ask the questions for {ROLE_PEOPLE[role]} instead, "
              "from the start; your answers so far won't be saved.")
    return _begin("self_check", state["channel"], role, now_iso, prefix=prefix)


def _normalise_code(code: str) -> bytes:
    return " ".join(code.casefold().split()).encode()


def _check_team_code(team: str, typed: Optional[str], team_codes: TeamCodes) -> Tuple[Optional[bool], str]:
    """(whether the code is right, or None if skipped; what to say). Never repeats the code."""
    if typed is None:
        return None, f"OK, no code. Your check carries on as normal; I won't show other people's results for {team}."
    expected = team_codes.get(team_key(team) or "")
    if expected and hmac.compare_digest(_normalise_code(typed), _normalise_code(expected)):
        return True, f"Thank you, that's the right code for {team}."
    return False, (f"That code doesn't match the one for {team}, so I won't show other people's results for the team. "
                   "Your check carries on as normal. If it was a typo, type 'back' to try again.")


def _digression(q: Question, understood: bool, text: str, intent: Optional[str], confidence: float) -> Optional[str]:
    """A knowledge question asked mid-flow is answered, then the question is asked again."""
    asks = intent in TOPICS or intent == "privacy_info"
    if not asks:
        return None
    if q.kind == "text":
        # free text could be a comment that mentions co-production: only a clear question digresses
        if confidence >= 0.5 and text.strip().endswith("?"):
            return f"utter_{intent}"
        return None
    if not understood and confidence >= 0.3:
        return f"utter_{intent}"
    return None


def build_submission(state: FlowState, now_iso: str) -> SubmissionData:
    """Everything to store for a consented flow, in question order."""
    answers: List[AnswerData] = []
    for position, q in enumerate(questions_for(state)):
        if q.kind == "consent" or q.key in ("team", "team_code") or q.key not in state["answers"]:
            continue
        value = state["answers"][q.key]
        answers.append({
            "position": position, "question": q.key,
            "rating": value if q.kind == "rating" else None,
            "choice": value if q.kind == "choice" else None,
            "text": value if q.kind == "text" else None,
        })
    result = staff_or_consumer_result(state)
    team = state["answers"].get("team")
    return {
        "submission_id": state["submission_id"], "kind": state["flow"], "role": state["role"],
        "channel": state["channel"], "team": team, "team_verified": bool(team) and state["answers"].get("team_code") is True,
        "started_at": state.get("started_at"), "answers": answers,
        "overall_score": result.overall if result else None, "level": result.level if result else None,
    }
