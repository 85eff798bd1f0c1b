"""Knowing when we don't know. Pure functions over the intent model's ranking.

A knowledge answer is given only when the model is confident of one topic (`topic_threshold` of
KnowledgeFallbackClassifier in config.yml; other intents use Rasa's usual threshold) and the
question is like some training example of that topic (`min_evidence`, bot.nearest). Otherwise
`decide` picks one of three kind replies:
* disambiguate: two topics are both likely -> "did you mean A or B?";
* not_covered: the question is about our subject but no topic answers it well -> "I don't have a
  good answer to that yet", the closest topics if any is plausible, a person, and the question is
  kept for the content team (by theme: the closest topic);
* out_of_scope: not about co-production or the assistant -> "that's outside what I can help with".

`outcome` says what the assistant does with a whole parse; `make bench-nlu` scores with it.
Thresholds were chosen on the dev splits only (bot/evaluation.py), never on the test splits.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence

from bot.knowledge import NEXT_STEPS
from bot.settings import settings
from bot.topics import TOPICS, topic_button

MIN_TOP = 0.25      # disambiguate: the best topic at least this likely ...
MIN_SECOND = 0.15   # ... and the second at least this
IN_DOMAIN = 0.5     # our subject: topics and conversation intents together at least this likely
PLAUSIBLE = 0.12    # a topic offered as a button under "not covered yet"

OUT_OF_SCOPE = "out_of_scope"
# On-topic questions no topic answers (data/nlu/not_covered.yml): the model's own "I don't know".
UNCOVERED = "not_covered"
FLOW_STARTS = frozenset({"start_self_check", "give_feedback", "delete_my_data", "human_handoff"})


@dataclass(frozen=True)
class Decision:
    kind: str  # "disambiguate" | "not_covered" | "out_of_scope"
    topics: Sequence[str] = ()
    best_guess: Optional[str] = None
    confidence: Optional[float] = None

    def buttons(self) -> List[Dict[str, str]]:
        topic_buttons = [topic_button(t) for t in self.topics]
        if self.kind == "disambiguate":
            return topic_buttons + [{"title": "Something else", "payload": "/bot_capabilities"}]
        if self.kind == "not_covered":
            return topic_buttons + [PERSON_BUTTON]
        return list(OUT_OF_SCOPE_BUTTONS)


def _ranked(ranking: Sequence[Mapping[str, Any]]) -> List[Mapping[str, Any]]:
    ranked = [r for r in ranking if r.get("name") not in ("nlu_fallback", None)]
    return sorted(ranked, key=lambda r: -float(r.get("confidence") or 0))


def decide(ranking: Sequence[Mapping[str, Any]]) -> Decision:
    """What to say when no single topic is confident enough to answer."""
    ranked = _ranked(ranking)
    topics = [r for r in ranked if r["name"] in TOPICS]
    best = ranked[0] if ranked else None
    guess = str(best["name"]) if best else None
    conf = float(best.get("confidence") or 0) if best else None
    if guess != UNCOVERED and len(topics) >= 2 and float(topics[0]["confidence"]) >= MIN_TOP \
            and float(topics[1]["confidence"]) >= MIN_SECOND:
        return Decision("disambiguate", (topics[0]["name"], topics[1]["name"]), guess, conf)
    in_domain = sum(float(r.get("confidence") or 0) for r in ranked if r["name"] != OUT_OF_SCOPE)
    if in_domain >= IN_DOMAIN:
        close = tuple(str(r["name"]) for r in topics[:2] if float(r["confidence"]) >= PLAUSIBLE)
        theme = str(topics[0]["name"]) if topics else guess
        return Decision("not_covered", close, theme, float(topics[0]["confidence"]) if topics else conf)
    return Decision("out_of_scope", (), guess, conf)


def below_topic_threshold(intent: Optional[str], confidence: float, threshold: float,
                          evidence: Optional[float] = None, min_evidence: float = 0.0) -> bool:
    """A knowledge topic is answered only when the model is at least `threshold` sure of it and,
    where the similarity to the topic's nearest training example is known (`evidence`,
    bot.nearest), that is at least `min_evidence`."""
    if intent not in TOPICS:
        return False
    return confidence < threshold or (evidence is not None and evidence < min_evidence)


def outcome(intent: Optional[str], ranking: Sequence[Mapping[str, Any]]) -> str:
    """What the assistant does with a parse: "answer:<topic>", "flow:<intent>", "out_of_scope",
    "not_covered", "disambiguate" or "conversation" (greetings, yes/no, help, ...)."""
    if intent in TOPICS:
        return f"answer:{intent}"
    if intent in FLOW_STARTS:
        return f"flow:{intent}"
    if intent == OUT_OF_SCOPE:
        return "out_of_scope"
    if intent in ("nlu_fallback", UNCOVERED) or intent is None:
        return decide(ranking).kind
    return "conversation"


DID_YOU_MEAN = "I want to be sure I answer the right question. Did you mean one of these?"
NOT_COVERED = "I'm sorry, I don't have a good answer to that yet. "
KEPT = ("I've kept your question as you typed it, without who you are, so the team can add an answer "
        "(it is deleted after {days} days). ")
CLOSE_TOPICS = "A person can help you now, or one of these may be close:"
PERSON_ONLY = "A person from the team can help you now."
OUT_OF_SCOPE_TEXT = (
    "Sorry, that's outside what I can help with. I answer questions about co-production and taking part "
    "in health and social care services, run a short self-check of a service, and take feedback."
)
PERSON_BUTTON = dict(zip(("title", "payload"), NEXT_STEPS["person"]))
OUT_OF_SCOPE_BUTTONS = (
    topic_button("what_is_coproduction"),
    {"title": "What can you do?", "payload": "/bot_capabilities"},
    PERSON_BUTTON,
)
WHICH_TOPIC = "Which topic would you like to know more about?"
WHICH_TOPIC_BUTTONS = [topic_button(t) for t in ("what_is_coproduction", "six_principles", "benefits", "getting_started")]


def reply_text(decision: Decision, kept: bool) -> str:
    """The reply; it says the question was kept only when it was (`kept`)."""
    if decision.kind == "disambiguate":
        return DID_YOU_MEAN
    if decision.kind == "not_covered":
        kept_text = KEPT.format(days=settings().retention_days) if kept else ""
        return NOT_COVERED + kept_text + (CLOSE_TOPICS if decision.topics else PERSON_ONLY)
    return OUT_OF_SCOPE_TEXT
