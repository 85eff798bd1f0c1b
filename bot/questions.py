"""The questions of the guided conversations (staff self-check, consumer self-check, feedback),
their buttons and the words people use for the options. Plain data; `bot.flows` runs them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Optional, Sequence, Tuple

from bot import parsing
from bot.principles import PRINCIPLES

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

HELP_LINE = ("You can type 'back' to change your last answer or 'stop' to leave. Your answers are saved for staff only "
             "if you agree at the end; until then they are only in this chat's log.")


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


def example_question(key: str) -> Question:
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
    "(said in the words of bot.privacy.consent_prompt, made from the settings)",
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
        "Which service or team is this check for? Naming it lets me show you the change next time you check from this chat. "
        "(Or press Skip.)",
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


def team_code_question(team: str) -> Question:
    """Asked after the team's name when the organisation's profile gives that team a code."""
    return Question(
        "team_code", "text",
        f"{team} has a team code. If you know it, type it and I'll show the change since your team's last "
        "check. If not, press Skip: your check carries on just the same.",
        (SKIP_BUTTON,), optional=True,
    )


# Whole messages that say which role someone has, understood at any point of a flow (so the role can
# change mid-way). Strict on purpose: an answer such as "staff" or "I work in the service's kitchen"
# is still an answer.
_LEAD = r"(?:(?:actually|sorry|oh|no|wait|but|well|ah)\b[ ,]*)*"
_IAM = r"(?:i'?m |i am )"
_PLACE = r"(?:(?:the |this |a |your |our )?(?:service|team|organisation|organization|charity|care home|home)|here|it)"
_ROLE_PATTERNS = {
    "staff": (
        rf"i (?:work|volunteer) (?:in |at |for )?{_PLACE}",
        rf"{_IAM}(?:a |an )?(?:member of )?staff(?: member)?",
        rf"{_IAM}(?:a |an )?(?:worker|employee|manager|team leader|nurse|care worker|support worker|volunteer)",
    ),
    "consumer": (
        rf"i use {_PLACE}(?: or care for someone who does)?",
        r"i care for someone who (?:uses|does)(?: it| the service)?",
        rf"{_IAM}(?:a |an )?(?:service user|client|patient|resident|carer|family carer|family member)",
    ),
}
ROLE_STATEMENTS: Dict[str, "re.Pattern[str]"] = {
    role: re.compile(rf"{_LEAD}(?:{'|'.join(patterns)})") for role, patterns in _ROLE_PATTERNS.items()
}


def role_statement(text: Optional[str]) -> Optional[str]:
    """'staff' or 'consumer' when the whole message says which role the person has, else None."""
    t = parsing.normalise(text)
    if t == parsing.normalise(ROLE_OPTIONS[0]):
        return "staff"
    if t == parsing.normalise(ROLE_OPTIONS[1]):
        return "consumer"
    for role, pattern in ROLE_STATEMENTS.items():
        if pattern.fullmatch(t):
            return role
    return None
