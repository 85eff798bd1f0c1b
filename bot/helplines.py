"""Emergency and health-advice numbers, by the organisation's region (`organisation.yml`, uk | au).

The replies to a medical question or an emergency name only the region's services, each with
its country, so nobody in Australia reads "999" first (or in the UK "000"). The numbers are the
ones the assistant has always given; add a region here only with numbers from its official sources.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional

from bot.errors import ConfigError

log = logging.getLogger("coprod.helplines")


@dataclass(frozen=True)
class Helplines:
    country: str  # as it reads after "in": "the UK", "Australia"
    emergency: str  # ambulance, police, fire
    health_advice: str  # non-urgent health advice by phone
    crisis: str  # someone to talk to, any time, when thinking about suicide or feeling unsafe


HELPLINES: Dict[str, Helplines] = {
    "uk": Helplines("the UK", "999", "NHS 111", "Samaritans on 116 123"),
    "au": Helplines("Australia", "000", "healthdirect on 1800 022 222", "Lifeline on 13 11 14"),
}

CAN_DO = "I can answer questions about co-production, run the self-check or take your feedback."


def for_region(region: str) -> Helplines:
    try:
        return HELPLINES[region]
    except KeyError:
        raise ValueError(f"no helplines for region {region!r} (known: {', '.join(HELPLINES)})") from None


def _regions(region: Optional[str]) -> List[Helplines]:
    """The region's numbers; every region's, each named, only when the profile could not be read."""
    return [for_region(region)] if region else list(HELPLINES.values())


def medical_reply(region: Optional[str]) -> str:
    where = " or ".join(f"in {h.country} call {h.health_advice}" for h in _regions(region))
    return ("I'm sorry, I can't give advice about medicines, symptoms or diagnoses, as that's outside what I can "
            f"help with. Please ask your GP or pharmacist, or {where}. {CAN_DO}")


def emergency_reply(region: Optional[str]) -> str:
    parts = [f"In {h.country}: if someone is in danger or seriously unwell, call {h.emergency} now. If you're "
             f"thinking about suicide or feel unsafe, call {h.crisis}, any time, day or night." for h in _regions(region)]
    return "This sounds urgent and I can't help with emergencies. " + " ".join(parts)


REPLIES: Dict[str, Callable[[Optional[str]], str]] = {"medical": medical_reply, "emergency": emergency_reply}


def profile_region() -> Optional[str]:
    """The organisation profile's region; None if the profile cannot be read (then every region's
    numbers, each named)."""
    from bot.organisation import current as organisation

    try:
        return organisation().region
    except ConfigError:
        log.exception("organisation profile unreadable: helplines of every region")
        return None
