"""How the report writes things, shared by the charts and the page: the colours (text and bars
meet WCAG contrast on white: text 4.5:1, graphics 3:1), escaping and number formats."""
from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any, Dict, Optional

INK, MUTED, RULE = "#1f2933", "#4f5b66", "#d9d6cc"
STAFF_COLOUR, CONSUMER_COLOUR, BAR_COLOUR = "#2f5d8a", "#b95c14", "#2f6f73"
# one colour per level name of bot.scoring.LEVELS (tests/unit/test_report.py checks they match)
LEVEL_COLOURS: Dict[str, str] = {"descriptive": "#a86f12", "intermediate": "#3d7ea6", "transformative": "#2f7d5b"}
LEVEL_TINTS: Dict[str, str] = {"descriptive": "#fbf3e3", "intermediate": "#eaf2f8", "transformative": "#e7f3ec"}
GAP_FILL, GAP_STROKE, GAP_INK, GAP_BAND = "#f8dfa8", "#a86f12", "#4a3200", "#fdf5e3"


def e(value: Any) -> str:
    """HTML-escape anything shown on the page (quotes too, so it is safe in attributes)."""
    return escape("" if value is None else str(value), quote=True)


def num(value: Optional[float], digits: int = 0) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def signed(value: float) -> str:
    return f"+{value:.0f}" if round(value) > 0 else ("0" if round(value) == 0 else f"−{abs(value):.0f}")


def plural(n: int, one: str, many: Optional[str] = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def date(when: datetime) -> str:
    return f"{when.day} {when.strftime('%b %Y')}"
