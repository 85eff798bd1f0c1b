"""Self-check scores and levels, as plain functions.

Ratings are 1-5 per principle. The overall score is the mean rating turned into
0-100 so that teams can read it as a percentage: (mean - 1) / 4 * 100.

The levels (after Needham & Carr's SCIE briefing, 2009) are defined once, in `LEVELS`: each
level starts at its `low` score and runs up to the next level's. The chat, the report (charts,
tables, footer, CSV columns), the README table and the tests all take the bands from here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Tuple

from bot.principles import BY_KEY, PRINCIPLE_KEYS, Principle

MAX_SCORE = 100.0


@dataclass(frozen=True)
class Level:
    """One band of overall scores: from `low` (inclusive) up to the next level's `low`."""

    name: str
    low: float
    text: str  # "Name: what it means", as the chat and the report show it

    @property
    def meaning(self) -> str:
        """The text without the leading "Name: "."""
        return self.text.split(": ", 1)[-1]


LEVELS: Tuple[Level, ...] = (  # lowest first
    Level("descriptive", 0.0,
          "Descriptive: co-production is recognised, but most things are still done for people rather than with them."),
    Level("intermediate", 40.0,
          "Intermediate: people who use the service take part in parts of design and delivery; "
          "power is not yet fully shared."),
    Level("transformative", 70.0,
          "Transformative: staff and the people who use the service share decisions and work as equal partners."),
)
LEVEL_NAMES: Tuple[str, ...] = tuple(level.name for level in LEVELS)
LEVEL_TEXT: Dict[str, str] = {level.name: level.text for level in LEVELS}


def upper_bound(level: Level) -> Optional[float]:
    """Where the next level starts (None for the top level)."""
    i = LEVELS.index(level)
    return LEVELS[i + 1].low if i + 1 < len(LEVELS) else None


def band(level: Level) -> Tuple[float, float]:
    """(low, high) of a level on the 0-100 scale, the top level running up to 100."""
    high = upper_bound(level)
    return level.low, MAX_SCORE if high is None else high


def band_text(level: Level) -> str:
    """The band in words: "below 40", "40 to below 70", "70 and above"."""
    high = upper_bound(level)
    if high is None:
        return f"{level.low:.0f} and above"
    return f"below {high:.0f}" if level.low == 0 else f"{level.low:.0f} to below {high:.0f}"


def to_percent(rating: float) -> float:
    """Map a 1-5 rating (or mean rating) onto 0-100."""
    return round((rating - 1) / 4 * 100, 1)


def level_for(score: float) -> str:
    """The level (name) for an overall score on 0-100."""
    for level in reversed(LEVELS):
        if score >= level.low:
            return level.name
    return LEVELS[0].name


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
