"""nef's six principles of co-production, phrased for staff and for consumers.

Each principle links to the knowledge topic that helps most when it scores low.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple


@dataclass(frozen=True)
class Principle:
    key: str
    title: str
    staff_statement: str
    consumer_statement: str
    suggestion: str
    topic: str  # knowledge topic id offered as a next step


PRINCIPLES: Tuple[Principle, ...] = (
    Principle(
        "assets",
        "Assets",
        "We treat the people who use our service as having skills, time and experience to offer, not only needs.",
        "Staff see what I can do, not only what I need.",
        "Ask each person what they are good at and what they could share, and record it next to their needs.",
        "role_of_consumers",
    ),
    Principle(
        "capabilities",
        "Capabilities",
        "We help people use and grow the abilities they already have, rather than doing things for them.",
        "I am encouraged to use and build on my own abilities.",
        "Pick one routine task that staff do for people and redesign it so people can do more of it themselves, with support.",
        "reduce_knowledge_gap",
    ),
    Principle(
        "mutuality",
        "Mutuality",
        "People who use our service can give something back, and what they give is valued.",
        "I can give something back, not just receive help, and that is valued.",
        "Create two-way roles: peer mentors, welcome volunteers or a say in recruitment, and thank people for them.",
        "willingness_evidence",
    ),
    Principle(
        "networks",
        "Networks",
        "We help people build links with peers, family and their community, not only with professionals.",
        "I am helped to meet and connect with other people, not only with staff.",
        "Start or support a peer group; people often value meeting others more than managers expect.",
        "what_people_want_evidence",
    ),
    Principle(
        "blurring_roles",
        "Blurring roles",
        "Staff and the people who use our service share decisions and work as partners.",
        "Staff and I decide and do things together, as partners.",
        "Invite people who use the service onto the group that plans the next change, with the same vote as staff.",
        "coproduction_vs_participation",
    ),
    Principle(
        "catalysts",
        "Catalysts",
        "Our staff see themselves as people who help things happen, rather than only as providers.",
        "Staff help me and others make things happen, rather than doing everything for us.",
        "Give staff time and permission to act as facilitators and coaches, and recognise it in supervision.",
        "role_of_professionals",
    ),
)

PRINCIPLE_KEYS: Tuple[str, ...] = tuple(p.key for p in PRINCIPLES)
BY_KEY = {p.key: p for p in PRINCIPLES}
