"""The knowledge topics: ids (fixed by the knowledge map; reports count by them) and button titles."""
from __future__ import annotations

from typing import Dict

TOPIC_TITLES: Dict[str, str] = {
    "what_is_coproduction": "What is co-production?",
    "coproduction_vs_cocreation": "Co-production vs co-creation",
    "coproduction_vs_codesign": "Co-production vs co-design",
    "coproduction_vs_participation": "Co-production vs consultation",
    "levels_of_coproduction": "Levels of co-production",
    "six_principles": "The six principles",
    "four_cos": "Co-design, co-delivery, co-evaluation",
    "steps_to_coproduce": "How to do it, step by step",
    "benefits": "Benefits",
    "limitations": "Risks and limits",
    "when_not_to_coproduce": "When not to co-produce",
    "when_to_coproduce": "When to co-produce",
    "cost_and_savings": "Does it save money?",
    "service_gaps": "The four service gaps",
    "reduce_knowledge_gap": "Closing the knowledge gap",
    "consumer_factors": "What affects taking part",
    "willingness_evidence": "Do people want to take part?",
    "what_people_want_evidence": "What people really want",
    "role_of_professionals": "What changes for staff",
    "role_of_consumers": "What I can contribute",
    "good_candidate_services": "Which services suit it",
    "origins_of_coproduction": "Where the idea comes from",
    "standards_and_compliance": "Care standards",
    "getting_started": "Where to start",
    "lessons_learned": "Lessons learned",
}

TOPICS = tuple(TOPIC_TITLES)

CONVERSATION_INTENTS = (
    "greet", "goodbye", "thank", "bot_capabilities", "bot_challenge", "start_self_check",
    "give_feedback", "human_handoff", "privacy_info", "delete_my_data", "out_of_scope",
)


def topic_button(topic: str) -> dict:
    """A button that asks the topic's question (payload is the intent itself)."""
    return {"title": TOPIC_TITLES[topic], "payload": f"/{topic}"}
