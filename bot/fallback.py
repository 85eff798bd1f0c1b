"""What to do with a message the classifier is unsure about: offer two topics, or say
it's outside what we can help with. Pure function over Rasa's intent ranking."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

from bot.topics import TOPICS, topic_button

MIN_TOP = 0.1  # below this the best topic is only noise (confidences of the intent model, see config.yml)
MIN_SECOND = 0.06


@dataclass(frozen=True)
class Decision:
    kind: str  # "disambiguate" | "not_understood"
    topics: Sequence[str] = ()
    best_guess: Optional[str] = None
    confidence: Optional[float] = None

    def buttons(self) -> List[Dict[str, str]]:
        return [topic_button(t) for t in self.topics] + [{"title": "Something else", "payload": "/bot_capabilities"}]


def decide(ranking: Sequence[Dict[str, Any]]) -> Decision:
    """Two close knowledge topics at the top -> ask which; anything else -> not understood."""
    ranked = [r for r in ranking if r.get("name") not in ("nlu_fallback", None)]
    ranked.sort(key=lambda r: -float(r.get("confidence") or 0))
    best = ranked[0] if ranked else None
    guess = best.get("name") if best else None
    conf = float(best.get("confidence") or 0) if best else None
    if len(ranked) >= 2:
        first, second = ranked[0], ranked[1]
        if (first["name"] in TOPICS and second["name"] in TOPICS
                and float(first["confidence"]) >= MIN_TOP and float(second["confidence"]) >= MIN_SECOND):
            return Decision("disambiguate", (first["name"], second["name"]), guess, conf)
    return Decision("not_understood", (), guess, conf)


DID_YOU_MEAN = "I want to be sure I answer the right question. Did you mean one of these?"
NOT_UNDERSTOOD = (
    "Sorry, I'm not sure I can help with that. I answer questions about co-production in health and social care, "
    "run a short self-check of a service, and take feedback. You could rephrase your question, or pick one of these."
)
NOT_UNDERSTOOD_BUTTONS = [
    topic_button("what_is_coproduction"),
    {"title": "What can you do?", "payload": "/bot_capabilities"},
    {"title": "Talk to a person", "payload": "/human_handoff"},
]
WHICH_TOPIC = "Which topic would you like to know more about?"
WHICH_TOPIC_BUTTONS = [topic_button(t) for t in ("what_is_coproduction", "six_principles", "benefits", "getting_started")]
