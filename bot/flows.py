"""The guided conversations (staff self-check, consumer self-check, feedback) as a pure state machine.

State is a small JSON-able dict kept in a Rasa slot, so a conversation resumes after a
restart. `handle()` takes the state and what the person typed and returns the next
state, the replies, and - once the person consents - the submission to save. Nothing
here touches the database or Rasa.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from bot import parsing
from bot.principles import PRINCIPLES
from bot.scoring import Result, score, summary_lines
from bot.topics import TOPICS, topic_button

Button = Dict[str, str]

SKIP_BUTTON = {"title": "Skip", "payload": "skip"}
RATING_BUTTONS = [
    {"title": "1 - Not at all", "payload": "1"},
    {"title": "2 - A little", "payload": "2"},
    {"title": "3 - Partly", "payload": "3"},
    {"title": "4 - Mostly", "payload": "4"},
    {"title": "5 - Completely", "payload": "5"},
]
FEEDBACK_RATING_BUTTONS = [
    {"title": "1 - Very poor", "payload": "1"},
    {"title": "2 - Poor", "payload": "2"},
    {"title": "3 - OK", "payload": "3"},
    {"title": "4 - Good", "payload": "4"},
    {"title": "5 - Excellent", "payload": "5"},
]
FEEDBACK_PHRASES = (
    ("very poor", 1), ("terrible", 1), ("awful", 1), ("very bad", 1), ("poor", 2), ("bad", 2),
    ("not great", 2), ("excellent", 5), ("brilliant", 5), ("very good", 5), ("fantastic", 5),
    ("good", 4), ("ok", 3), ("okay", 3), ("alright", 3), ("average", 3), ("fine", 3),
)

MATTERS_OPTIONS = (
    "Meeting people and making friends",
    "Someone to talk to",
    "Information about services",
    "Information about support",
    "Something else",
)
MATTERS_SYNONYMS = {
    "Meeting people and making friends": ("friend", "friends", "meet", "meeting", "social", "company", "lonely"),
    "Someone to talk to": ("talk", "listen", "chat", "someone to talk"),
    "Information about services": ("services", "service information", "what's available"),
    "Information about support": ("support", "help for carers", "carer support", "benefits advice"),
    "Something else": ("else", "other", "something different"),
}
CONTRIBUTE_OPTIONS = ("A few hours a week", "A few hours a month", "Not at the moment")
CONTRIBUTE_SYNONYMS = {
    "A few hours a week": ("week", "weekly", "every week"),
    "A few hours a month": ("month", "monthly", "every month"),
    "Not at the moment": ("not at the moment", "not now", "no", "none", "not really", "can't", "cannot", "not at all"),
}
ROLE_OPTIONS = ("I work in the service", "I use the service or care for someone who does")
ROLE_SYNONYMS = {
    "I work in the service": ("staff", "work", "worker", "manager", "employee", "nurse", "professional", "volunteer"),
    "I use the service or care for someone who does": (
        "use", "client", "patient", "consumer", "carer", "family", "resident", "mum", "dad", "service user",
    ),
}

HELP_LINE = "You can type 'back' to change your last answer or 'stop' to leave; nothing is saved unless you agree at the end."


@dataclass(frozen=True)
class Question:
    key: str
    kind: str  # rating | choice | text | consent
    prompt: str
    buttons: Tuple[Button, ...] = ()
    options: Tuple[str, ...] = ()
    synonyms: Optional[Dict[str, Tuple[str, ...]]] = None
    optional: bool = False
    extra_phrases: Tuple[Tuple[str, int], ...] = ()
    hint: str = ""


def _rating_q(key: str, n: int, total: int, statement: str, consumer: bool) -> Question:
    ask = "How true is this for you?" if consumer else "How far is this true of your service?"
    return Question(
        key, "rating",
        f"Statement {n} of {total}: \"{statement}\"\n{ask} 1 = not at all, 5 = completely.",
        tuple(RATING_BUTTONS),
        hint="Please choose a number from 1 to 5, or type a word such as 'mostly' or 'not at all'.",
    )


def _example_q(key: str) -> Question:
    return Question(
        f"example_{key}", "text",
        "That's a strong rating. Can you give a short example of it in practice? (Or press Skip.)",
        (SKIP_BUTTON,), optional=True,
    )


def _choice_q(key: str, prompt: str, options: Sequence[str], synonyms: Dict[str, Tuple[str, ...]]) -> Question:
    buttons = tuple({"title": o, "payload": o} for o in options)
    hint = "Please pick one of the buttons, or type its number."
    return Question(key, "choice", prompt, buttons, tuple(options), synonyms, hint=hint)


CONSENT = Question(
    "consent", "consent",
    "Before I save anything: I keep your answers with a random id, the channel, your role and the date. "
    "I don't keep your name unless you typed it in a comment, and you can ask me to delete your answers at any time. "
    "Shall I save your answers?",
    ({"title": "Yes, save my answers", "payload": "yes"}, {"title": "No, don't save", "payload": "no"}),
    hint="Please answer yes or no.",
)

ROLE = _choice_q(
    "role", "First, so I ask the right questions: do you work in the service, or use it (or care for someone who does)?",
    ROLE_OPTIONS, ROLE_SYNONYMS,
)

STAFF_QUESTIONS: Tuple[Question, ...] = (
    Question(
        "team", "text",
        "Which service or team is this check for? Naming it lets you see the change next time. (Or press Skip.)",
        (SKIP_BUTTON,), optional=True,
    ),
    *(_rating_q(f"p_{p.key}", i + 1, len(PRINCIPLES), p.staff_statement, False) for i, p in enumerate(PRINCIPLES)),
    Question("comment", "text", "Anything else you'd like to add about your service? (Or press Skip.)", (SKIP_BUTTON,), optional=True),
    CONSENT,
)
CONSUMER_QUESTIONS: Tuple[Question, ...] = (
    *(_rating_q(f"c_{p.key}", i + 1, len(PRINCIPLES), p.consumer_statement, True) for i, p in enumerate(PRINCIPLES)),
    _choice_q("matters_most", "Which of these matters most to you?", MATTERS_OPTIONS, MATTERS_SYNONYMS),
    _choice_q("contribute", "How much time would you like to give to help shape the service?", CONTRIBUTE_OPTIONS, CONTRIBUTE_SYNONYMS),
    Question("comment", "text", "Is there anything else you'd like staff to know? (Or press Skip.)", (SKIP_BUTTON,), optional=True),
    CONSENT,
)
FEEDBACK_QUESTIONS: Tuple[Question, ...] = (
    Question(
        "experience", "rating", "Overall, how would you rate your experience of the service? 1 = very poor, 5 = excellent.",
        tuple(FEEDBACK_RATING_BUTTONS), optional=True, extra_phrases=FEEDBACK_PHRASES,
        hint="Please choose a number from 1 to 5, or type a word such as 'good' or 'poor'.",
    ),
    Question("works", "text", "What works well for you? (Or press Skip.)", (SKIP_BUTTON,), optional=True),
    Question("better", "text", "What could be better? (Or press Skip.)", (SKIP_BUTTON,), optional=True),
    Question(
        "own_part", "text",
        "Is there anything you could do to improve things for yourself or for others? (Or press Skip.)",
        (SKIP_BUTTON,), optional=True,
    ),
    CONSENT,
)

FLOWS = {"staff_check": STAFF_QUESTIONS, "consumer_check": CONSUMER_QUESTIONS, "feedback": FEEDBACK_QUESTIONS}
KIND_ROLE = {"staff_check": "staff", "consumer_check": "consumer", "feedback": "consumer"}
INTROS = {
    "staff_check": "Let's check how co-produced your service is: six statements, one per principle, about five minutes. "
    + HELP_LINE,
    "consumer_check": "Thank you for helping. I'll show you six statements about how involved you feel, then ask what matters "
    "to you. It takes about five minutes. " + HELP_LINE,
    "feedback": "Thank you for giving feedback. There are four short questions and you can skip any of them. " + HELP_LINE,
}


@dataclass
class Outcome:
    """What happened on one turn."""

    state: Optional[Dict[str, Any]]
    replies: List[Dict[str, Any]] = field(default_factory=list)
    to_save: Optional[Dict[str, Any]] = None
    digression: Optional[str] = None  # a response name to show before the re-asked question
    finished: bool = False


def _reply(text: str, buttons: Sequence[Button] = ()) -> Dict[str, Any]:
    return {"text": text, "buttons": [dict(b) for b in buttons]}


def questions_for(state: Dict[str, Any]) -> List[Question]:
    """The questions of this flow, with an example follow-up after each rating of 4 or 5."""
    if state["flow"] == "role":
        return [ROLE]
    out: List[Question] = []
    for q in FLOWS[state["flow"]]:
        out.append(q)
        if state["flow"] == "staff_check" and q.kind == "rating":
            rating = state["answers"].get(q.key)
            if isinstance(rating, int) and rating >= 4:
                out.append(_example_q(q.key[2:]))
    return out


def current_question(state: Dict[str, Any]) -> Optional[Question]:
    for q in questions_for(state):
        if q.key not in state["answers"]:
            return q
    return None


def _ask(q: Question, prefix: str = "") -> Dict[str, Any]:
    return _reply((prefix + "\n\n" if prefix else "") + q.prompt, q.buttons)


def start(flow: str, channel: str, role: Optional[str], now_iso: str) -> Outcome:
    """Begin `flow` ('self_check' picks the staff or consumer check by role; 'feedback')."""
    if flow == "self_check":
        if role is None:
            state = {"flow": "role", "then": "self_check", "answers": {}, "order": [], "channel": channel}
            return Outcome(state, [_ask(ROLE)])
        flow = "staff_check" if role == "staff" else "consumer_check"
    if flow == "feedback" and role is None:
        role = "consumer"
    state = {
        "flow": flow, "answers": {}, "order": [], "channel": channel, "role": role or KIND_ROLE[flow],
        "submission_id": str(uuid.uuid4()), "started_at": now_iso,
    }
    return Outcome(state, [_ask(current_question(state), INTROS[flow])])


def _read(q: Question, text: str) -> Tuple[bool, Any]:
    """(understood, value) for an answer to `q`."""
    if q.optional and parsing.is_skip(text):
        return True, None
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
    state: Dict[str, Any], text: str, intent: Optional[str] = None, confidence: float = 0.0, now_iso: str = ""
) -> Outcome:
    """One turn of a guided flow."""
    q = current_question(state)
    if q is None:  # defensive: a finished flow left in the slot
        return Outcome(None, finished=True)
    if parsing.is_stop(text) or intent == "stop_flow":
        return Outcome(None, [_reply("OK, I've stopped. Nothing from this conversation has been saved.")], finished=True)
    if parsing.is_back(text) or intent == "go_back":
        if not state["order"]:
            return Outcome(state, [_ask(q, "This is the first question, so there is nothing to go back to.")])
        new = {**state, "answers": dict(state["answers"]), "order": list(state["order"])}
        last = new["order"].pop()
        new["answers"].pop(last, None)
        return Outcome(new, [_ask(current_question(new), "No problem, let's change your last answer.")])

    understood, value = _read(q, text)
    digression = _digression(q, understood, text, intent, confidence)
    if digression:
        return Outcome(state, [_ask(q, "Now, back to where we were:")], digression=digression)
    if not understood:
        return Outcome(state, [_ask(q, f"Sorry, I didn't catch that. {q.hint}".strip())])

    if state["flow"] == "role":
        role = "staff" if value == ROLE_OPTIONS[0] else "consumer"
        return start(state.get("then", "self_check"), state["channel"], role, now_iso)

    if q.kind == "consent":
        if value is False:
            return Outcome(None, [_reply("Understood. I haven't saved anything. Thank you for your time.")], finished=True)
        return Outcome(state, to_save=build_submission(state, now_iso))

    new = {**state, "answers": {**state["answers"], q.key: value}, "order": [*state["order"], q.key]}
    nxt = current_question(new)
    return Outcome(new, [_ask(nxt)])


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


def build_submission(state: Dict[str, Any], now_iso: str) -> Dict[str, Any]:
    """Everything to store for a consented flow, in question order."""
    answers = []
    for position, q in enumerate(questions_for(state)):
        if q.kind == "consent" or q.key == "team" or q.key not in state["answers"]:
            continue
        value = state["answers"][q.key]
        answers.append({
            "position": position, "question": q.key,
            "rating": value if q.kind == "rating" else None,
            "choice": value if q.kind == "choice" else None,
            "text": value if q.kind == "text" else None,
        })
    result = staff_or_consumer_result(state)
    return {
        "submission_id": state["submission_id"], "kind": state["flow"], "role": state["role"],
        "channel": state["channel"], "team": state["answers"].get("team"), "started_at": state.get("started_at"),
        "answers": answers,
        "overall_score": result.overall if result else None, "level": result.level if result else None,
    }


def staff_or_consumer_result(state: Dict[str, Any]) -> Optional[Result]:
    """Scores of a self-check (None for feedback)."""
    prefix = {"staff_check": "p_", "consumer_check": "c_"}.get(state["flow"])
    if prefix is None:
        return None
    return score({p.key: state["answers"][prefix + p.key] for p in PRINCIPLES})


def saved_replies(submission: Dict[str, Any], state: Dict[str, Any], previous: Optional[float]) -> List[Dict[str, Any]]:
    """What the person sees once their answers are safely stored."""
    if state["flow"] == "staff_check":
        result = staff_or_consumer_result(state)
        lines = ["Saved. Here is your result."] + summary_lines(result, previous)
        tips = [f"{p.title}: {p.suggestion}" for p in result.weakest]
        lines.append("Two things to work on next:\n- " + "\n- ".join(tips))
        buttons = [topic_button(p.topic) for p in result.weakest] + [topic_button("steps_to_coproduce")]
        return [_reply("\n\n".join(lines), buttons)]
    if state["flow"] == "consumer_check":
        return [_reply(
            "Saved, thank you. Your answers are put side by side with what staff think, so the service can see "
            "where views differ. Taking part is always your choice.",
            [topic_button("role_of_consumers"), {"title": "Give feedback", "payload": "/give_feedback"}],
        )]
    return [_reply(
        "Saved, thank you for your feedback. Staff read every comment when they plan changes.",
        [topic_button("role_of_consumers"), {"title": "Take the self-check", "payload": "/start_self_check"}],
    )]


def save_failed_reply() -> Dict[str, Any]:
    return _reply(
        "Sorry, I couldn't save your answers just now. Nothing was lost: say 'yes' to try again in a moment, or 'stop' to leave.",
        CONSENT.buttons,
    )
