"""The organisation's own details that follow a general answer (a topic's `local:` section).

Each section renders the profile's fields as a short paragraph. Where the profile is silent the
paragraph says who to ask instead, and the answer offers "Talk to a person"."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List

from bot.organisation import Organisation


@dataclass(frozen=True)
class LocalDetails:
    text: str
    missing: bool  # the profile had nothing for this section: offer a person


def contact_line(org: Organisation) -> str:
    """"phone X or email Y (hours)", with whatever the profile has."""
    c = org.contact
    ways = [w for w in (f"phone {c.phone}" if c.phone else "", f"email {c.email}" if c.email else "") if w]
    line = " or ".join(ways) if ways else "ask a member of staff"
    return f"{line} ({c.office_hours})" if c.office_hours and ways else line


def _ask(org: Organisation, what: str) -> LocalDetails:
    return LocalDetails(f"For {org.name}'s {what}, ask the team: {contact_line(org)}.", True)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _lower_first(text: str) -> str:
    """'Travel, parking' -> 'travel, parking' mid-sentence; an acronym such as 'NHS' stays."""
    text = text.strip()
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _payment(org: Organisation) -> LocalDetails:
    p = org.payment
    parts: List[str] = []
    if p.rates:
        parts.append(f"At {org.name}: {_sentence(p.rates)}")
    if p.covered:
        parts.append(f"We refund: {_sentence(_lower_first(p.covered))}")
    if p.how_to_claim:
        parts.append(f"To claim: {_sentence(_lower_first(p.how_to_claim))}")
    if p.pays_within:
        parts.append(f"We aim to pay within {_sentence(p.pays_within)}")
    if not parts:
        return _ask(org, "payment rates and expenses")
    if not p.rates:
        parts.append(f"For our rates, ask the team: {contact_line(org)}.")
    return LocalDetails(" ".join(parts), not p.rates)


def _benefits_advice(org: Organisation) -> LocalDetails:
    own = org.payment.benefits_advice
    text = f"Free, independent advice: {org.region_info.benefits_advice}."
    if own:
        text += f" {org.name} also offers {_sentence(own)}"
    return LocalDetails(text, False)


def _groups(org: Organisation) -> LocalDetails:
    if not org.groups:
        return _ask(org, "groups and meeting times")
    lines = [f"Groups at {org.name}:"]
    for g in org.groups:
        when = ", ".join(x for x in (g.how_often, _lower_first(g.how_they_meet)) if x)
        detail = " ".join(_sentence(x) for x in (g.what, when) if x)
        lines.append(f"- {g.name}" + (f": {detail}" if detail else ""))
    return LocalDetails("\n".join(lines), False)


def _joining(org: Organisation) -> LocalDetails:
    j = org.joining
    if not (j.how_to_join or j.link):
        return _ask(org, "way to join")
    parts = [f"To join {org.name}: {_sentence(j.how_to_join)}" if j.how_to_join else f"To join {org.name}:"]
    if j.link:
        parts.append(j.link)
    if j.who_can_join:
        parts.append(f"Who can join: {_sentence(j.who_can_join)}")
    parts.append(f"Or {contact_line(org)}.")
    return LocalDetails(" ".join(parts), False)


def _support(org: Organisation) -> LocalDetails:
    if not org.support:
        return _ask(org, "support to take part")
    items = "\n".join(f"- {s}" for s in org.support)
    return LocalDetails(f"{org.name} can offer:\n{items}\nTell us what you need: {contact_line(org)}.", False)


def _research(org: Organisation) -> LocalDetails:
    if not org.research_contact:
        return _ask(org, "research and governance questions")
    return LocalDetails(f"At {org.name}, ask {_sentence(org.research_contact)}", False)


SECTIONS: Dict[str, Callable[[Organisation], LocalDetails]] = {
    "payment": _payment,
    "benefits_advice": _benefits_advice,
    "groups": _groups,
    "joining": _joining,
    "support": _support,
    "research": _research,
}


def render(section: str, org: Organisation) -> LocalDetails:
    return SECTIONS[section](org)
