"""The knowledge topics by id (fixed by the knowledge map; reports count by them) with their
button titles, read from `data/knowledge/` (see `bot.knowledge`), and the conversation intents."""
from __future__ import annotations

from typing import Dict

from bot.knowledge import titles

TOPIC_TITLES: Dict[str, str] = titles()

TOPICS = tuple(TOPIC_TITLES)

CONVERSATION_INTENTS = (
    "greet", "goodbye", "thank", "bot_capabilities", "bot_challenge", "start_self_check",
    "give_feedback", "human_handoff", "privacy_info", "delete_my_data", "out_of_scope",
)


def topic_button(topic: str) -> dict:
    """A button that asks the topic's question (payload is the intent itself)."""
    return {"title": TOPIC_TITLES[topic], "payload": f"/{topic}"}
