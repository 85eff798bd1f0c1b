"""Self-check scores and levels, as plain functions.

Ratings are 1-5 per principle. The overall score is the mean rating turned into
0-100 so that teams can read it as a percentage: (mean - 1) / 4 * 100.

Levels (after Needham & Carr's SCIE briefing, 2009), by overall score:
    below 40          -> descriptive     (co-production named, but services done *to*/*for* people)
    40 up to below 70 -> intermediate    (people involved in parts of design and delivery)
    70 and above      -> transformative  (power and work genuinely shared)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Tuple

from bot.principles import BY_KEY, PRINCIPLE_KEYS, Principle

LEVEL_THRESHOLDS: Tuple[Tuple[float, str], ...] = ((70.0, "transformative"), (40.0, "intermediate"), (0.0, "descriptive"))

LEVEL_TEXT = {
    "descriptive": "Descriptive: co-production is recognised, but most things are still done for people rather than with them.",
    "intermediate": "Intermediate: people who use the service take part in parts of design and delivery; power is not yet fully shared.",
    "transformative": "Transformative: staff and the people who use the service share decisions and work as equal partners.",
}


def to_percent(rating: float) -> float:
    """Map a 1-5 rating (or mean rating) onto 0-100."""
    return round((rating - 1) / 4 * 100, 1)


def level_for(score: float) -> str:
    """The level for an overall score on 0-100."""
    for threshold, name in LEVEL_THRESHOLDS:
        if score >= threshold:
            return name
    return "descriptive"


@dataclass(frozen=True)
class Result:
    per_principle: Dict[str, float]  # 0-100 per principle key
    overall: float  # 0-100
    level: str
    weakest: Tuple[Principle, ...]


def score(ratings: Mapping[str, int]) -> Result:
    """Score a complete set of six ratings; raises ValueError for a missing or invalid one."""
    missing = [k for k in PRINCIPLE_KEYS if k not in ratings]
    if missing:
        raise ValueError(f"missing ratings: {', '.join(missing)}")
    for key in PRINCIPLE_KEYS:
        if not 1 <= int(ratings[key]) <= 5:
            raise ValueError(f"rating for {key} must be 1-5")
    per = {k: to_percent(int(ratings[k])) for k in PRINCIPLE_KEYS}
    overall = to_percent(sum(int(ratings[k]) for k in PRINCIPLE_KEYS) / len(PRINCIPLE_KEYS))
    # stable: ties keep the order of the principles
    order = sorted(PRINCIPLE_KEYS, key=lambda k: (per[k], PRINCIPLE_KEYS.index(k)))
    return Result(per, overall, level_for(overall), tuple(BY_KEY[k] for k in order[:2]))


def change_since(previous: Optional[float], current: float) -> Optional[float]:
    """Points gained (or lost) since the team's last check, or None for a first check."""
    if previous is None:
        return None
    return round(current - previous, 1)


def summary_lines(result: Result, previous: Optional[float] = None) -> List[str]:
    """Human-readable lines of a staff result (used by the chat and the report)."""
    lines = [f"Overall: {result.overall:.0f} out of 100. Level: {LEVEL_TEXT[result.level]}"]
    delta = change_since(previous, result.overall)
    if delta is not None:
        direction = "up" if delta > 0 else "down" if delta < 0 else "no change"
        lines.append(
            f"Since your team's last check: {direction}"
            + (f" {abs(delta):.0f} points" if delta else "")
            + f" (was {previous:.0f})."
        )
    lines.append(
        "By principle: " + "; ".join(f"{BY_KEY[k].title} {v:.0f}" for k, v in result.per_principle.items()) + "."
    )
    return lines
