"""The report's numbers: `build(session)` gathers them through the read side (`bot.views`)
into `ReportData`, plain typed data (scores on 0-100, ratings on 1-5) that the page and the CSVs
are made from."""
from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, TypedDict, Union

from sqlalchemy.orm import Session

from bot import views
from bot.models import HandoffRequest, UnansweredQuestion, utcnow
from bot.principles import PRINCIPLES
from bot.questions import CONTRIBUTE_OPTIONS, MATTERS_OPTIONS
from bot.scoring import LEVEL_NAMES, to_percent

GAP_HIGHLIGHT = 15.0  # points between staff and consumer views worth talking about
MAX_COMMENTS = 50
COMMENT_QUESTIONS = ("works", "better", "own_part", "comment")
COMMENT_LABELS: Dict[Union[str, Tuple[str, str]], str] = {
    "works": "What works well",
    "better": "What could be better",
    "own_part": "What I could do",
    ("comment", "staff_check"): "Staff comment",
    ("comment", "consumer_check"): "Consumer comment",
}


class Counts(TypedDict):
    staff_check: int
    consumer_check: int
    feedback: int
    unanswered: int
    handoffs: int


class Overall(TypedDict):
    staff: Optional[float]
    staff_n: int
    consumer: Optional[float]
    consumer_n: int


class PrincipleRow(TypedDict):
    key: str
    title: str
    staff: Optional[float]
    staff_n: int
    consumer: Optional[float]
    consumer_n: int
    gap: Optional[float]  # staff minus consumer
    highlight: bool  # the gap is at least GAP_HIGHLIGHT points either way


class MonthLevels(TypedDict):
    month: str  # "2026-11"
    label: str  # "Nov 2026"
    counts: Dict[str, int]  # staff self-checks per level name, every level present
    total: int
    mean_overall: Optional[float]


class ChoiceShare(TypedDict):
    choice: str
    count: int
    percent: float


class FeedbackSummary(TypedDict):
    mean_experience: Optional[float]
    ratings: int
    distribution: Dict[int, int]  # rating 1-5 -> people


class Comment(TypedDict):
    created_at: datetime
    kind: str
    question: str
    label: str
    text: str


class UnansweredRow(TypedDict):
    text: str
    count: int


class ThemeRow(TypedDict):
    theme: str
    count: int


class ReportData(TypedDict):
    generated_at: datetime
    counts: Counts
    overall: Overall
    principles: List[PrincipleRow]
    biggest_gap: Optional[PrincipleRow]
    levels_by_month: List[MonthLevels]
    matters_most: List[ChoiceShare]
    contribute: List[ChoiceShare]
    feedback: FeedbackSummary
    comments: List[Comment]
    unanswered: List[UnansweredRow]
    unanswered_themes: List[ThemeRow]
    handoffs: int
    handoff_list: List[views.HandoffRow]


HANDOFFS_LISTED = 20


def _month_key(when: datetime) -> str:
    return when.strftime("%Y-%m")


def _months_between(first: str, last: str) -> List[str]:
    y, m = map(int, first.split("-"))
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _month_label(key: str) -> str:
    return datetime.strptime(key, "%Y-%m").strftime("%b %Y")


def _share(counts: Mapping[str, int], options: Sequence[str]) -> List[ChoiceShare]:
    """Every option (known ones in their order, then any others), with count and percent."""
    names = list(options) + sorted(c for c in counts if c not in options)
    total = sum(counts.values())
    return [{"choice": c, "count": counts.get(c, 0),
             "percent": round(100 * counts.get(c, 0) / total, 1) if total else 0.0} for c in names]


def theme_title(topic_id: str) -> str:
    """A stored theme (a topic id) as people read it."""
    from bot.topics import TOPIC_TITLES

    return TOPIC_TITLES.get(topic_id) or "Other"


def _principles(session: Session) -> List[PrincipleRow]:
    staff_means = views.mean_ratings(session, "staff_check", "p_")
    consumer_means = views.mean_ratings(session, "consumer_check", "c_")
    rows: List[PrincipleRow] = []
    for p in PRINCIPLES:
        s_mean, s_n = staff_means.get(f"p_{p.key}", (None, 0))
        c_mean, c_n = consumer_means.get(f"c_{p.key}", (None, 0))
        staff = to_percent(s_mean) if s_mean is not None else None
        consumer = to_percent(c_mean) if c_mean is not None else None
        gap = round(staff - consumer, 1) if staff is not None and consumer is not None else None
        rows.append({"key": p.key, "title": p.title, "staff": staff, "staff_n": s_n, "consumer": consumer,
                     "consumer_n": c_n, "gap": gap, "highlight": gap is not None and abs(gap) >= GAP_HIGHLIGHT})
    return rows


def _levels_by_month(session: Session) -> List[MonthLevels]:
    counts: Dict[str, Counter[str]] = {}
    scores: Dict[str, List[float]] = {}
    for created_at, level, overall in views.scored_checks(session, "staff_check"):
        key = _month_key(created_at)
        counts.setdefault(key, Counter())[level or ""] += 1
        scores.setdefault(key, []).append(overall)
    if not counts:
        return []
    months: List[MonthLevels] = []
    for key in _months_between(min(counts), max(counts)):
        month_counts, month_scores = counts.get(key, Counter()), scores.get(key, [])
        months.append({"month": key, "label": _month_label(key),
                       "counts": {name: month_counts.get(name, 0) for name in LEVEL_NAMES},
                       "total": len(month_scores),
                       "mean_overall": round(sum(month_scores) / len(month_scores), 1) if month_scores else None})
    return months


def _feedback(session: Session) -> FeedbackSummary:
    ratings = views.rating_counts(session, "experience", "feedback")
    n_ratings = sum(ratings.values())
    mean = round(sum(r * n for r, n in ratings.items()) / n_ratings, 2) if n_ratings else None
    return {"mean_experience": mean, "ratings": n_ratings, "distribution": {r: ratings.get(r, 0) for r in range(1, 6)}}


def _comments(session: Session) -> List[Comment]:
    comments: List[Comment] = []
    for created_at, kind, question, text in views.recent_texts(session, COMMENT_QUESTIONS, MAX_COMMENTS):
        label = COMMENT_LABELS.get(question) or COMMENT_LABELS.get((question, kind), question)
        comments.append({"created_at": created_at, "kind": kind, "question": question, "label": label, "text": text})
    return comments


def _rounded(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(value, 1)


def build(session: Session) -> ReportData:
    """Everything the report shows, as plain data (scores on 0-100, ratings on 1-5)."""
    kinds = views.count_by_kind(session)
    principles = _principles(session)
    with_gap = [(abs(row["gap"]), row) for row in principles if row["gap"] is not None]
    biggest = max(with_gap, key=lambda pair: pair[0], default=(0.0, None))[1]
    staff_overall = views.mean_overall(session, "staff_check")
    consumer_overall = views.mean_overall(session, "consumer_check")
    spellings = views.unanswered_spellings(session)
    handoffs = views.count_rows(session, HandoffRequest)
    return {
        "generated_at": utcnow().replace(microsecond=0),
        "counts": {
            "staff_check": kinds.get("staff_check", 0),
            "consumer_check": kinds.get("consumer_check", 0),
            "feedback": kinds.get("feedback", 0),
            "unanswered": views.count_rows(session, UnansweredQuestion),
            "handoffs": handoffs,
        },
        "overall": {"staff": _rounded(staff_overall.mean), "staff_n": staff_overall.n,
                    "consumer": _rounded(consumer_overall.mean), "consumer_n": consumer_overall.n},
        "principles": principles,
        "biggest_gap": biggest,
        "levels_by_month": _levels_by_month(session),
        "matters_most": _share(views.choice_counts(session, "matters_most", "consumer_check"), MATTERS_OPTIONS),
        "contribute": _share(views.choice_counts(session, "contribute", "consumer_check"), CONTRIBUTE_OPTIONS),
        "feedback": _feedback(session),
        "comments": _comments(session),
        "unanswered": [{"text": spellings.get(text) or text, "count": n}
                       for text, n in views.top_unanswered(session, 10)],
        "unanswered_themes": [{"theme": theme_title(theme), "count": n}
                              for theme, n in views.not_covered_by_theme(session)],
        "handoffs": handoffs,
        "handoff_list": views.handoffs(session, limit=HANDOFFS_LISTED),
    }
