"""What the assistant says for a topic: the general answer, the organisation's own details
(where the topic has a `local:` section), the source, and the buttons. Plain Python: the
knowledge importer turns these into Rasa responses, tests read them directly."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple, TypedDict

from bot import local_details
from bot.knowledge import NEXT_STEPS, Topic
from bot.organisation import Organisation


class Button(TypedDict):
    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: Tuple[Button, ...]


def button(title: str, payload: str) -> Button:
    return {"title": title, "payload": payload}


def tell_more_payload(topic_id: str) -> str:
    return "/tell_me_more" + json.dumps({"topic": topic_id}, separators=(",", ":"))


def _topic_buttons(ids: Tuple[str, ...], titles: Dict[str, str]) -> List[Button]:
    return [button(titles[i], f"/{i}") for i in ids]


def _next_buttons(topic: Topic, offer_person: bool) -> List[Button]:
    steps = list(topic.next) + (["person"] if offer_person and "person" not in topic.next else [])
    return [button(*NEXT_STEPS[s]) for s in steps]


def _with_source(body: str, extra: Optional[str], source: Optional[str]) -> str:
    parts = [body.strip()] + ([extra] if extra else []) + ([f"Source: {source}"] if source else [])
    return "\n\n".join(parts)


def answer(topic: Topic, org: Organisation, titles: Dict[str, str]) -> Reply:
    """The first answer: body, the organisation's details, source; Tell me more and two related topics."""
    local = local_details.render(topic.local, org) if topic.local else None
    text = _with_source(topic.text("answer", org.region) or "", local.text if local else None,
                        topic.text("source", org.region))
    buttons = [button("Tell me more", tell_more_payload(topic.id))] if topic.more else []
    buttons += _topic_buttons(topic.related[:2], titles)
    buttons += _next_buttons(topic, offer_person=bool(local and local.missing))
    return Reply(text, tuple(buttons[:4]))


def more(topic: Topic, org: Organisation, titles: Dict[str, str]) -> Reply:
    """The "tell me more": deeper text, the other related topics and the next steps."""
    body = topic.text("more", org.region)
    if not body:
        text = f"That's everything I have on \"{topic.title}\" for now. These may help too:"
    else:
        source = topic.text("more_source", org.region) or topic.text("source", org.region)
        text = _with_source(body, None, source)
    rest = topic.related[2:4] or topic.related[:2]
    buttons = _topic_buttons(rest, titles) + _next_buttons(topic, offer_person=False)
    return Reply(text, tuple(buttons[:3]))


def replies(topics: List[Topic], org: Organisation) -> Dict[str, Reply]:
    """`utter_<id>` and `utter_more_<id>` for every topic."""
    titles = {t.id: t.title for t in topics}
    out: Dict[str, Reply] = {}
    for t in topics:
        out[f"utter_{t.id}"] = answer(t, org, titles)
        out[f"utter_more_{t.id}"] = more(t, org, titles)
    return out
