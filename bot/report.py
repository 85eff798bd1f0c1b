"""The staff insight report: one self-contained HTML page plus CSVs.

`build(session)` gathers the numbers through `bot.repository`; `render_html()` turns them
into a calm, printable page (inline CSS, charts drawn here as inline SVG, no JavaScript,
nothing loaded from elsewhere); `write(out_dir)` saves the page and the CSVs behind it.

Everything people typed (comments, unanswered questions, team names) is HTML-escaped, and
CSV cells are guarded against spreadsheet formula injection.
"""
from __future__ import annotations

import csv
from collections import Counter
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from sqlalchemy.orm import Session

from bot import repository
from bot.csvsafe import csv_safe
from bot.flows import CONTRIBUTE_OPTIONS, MATTERS_OPTIONS
from bot.models import HandoffRequest, UnansweredQuestion, utcnow
from bot.principles import PRINCIPLES
from bot.scoring import LEVEL_TEXT, LEVEL_THRESHOLDS, to_percent

GAP_HIGHLIGHT = 15.0  # points between staff and consumer views worth talking about
MAX_COMMENTS = 50
LEVELS: Tuple[str, ...] = tuple(name for _, name in sorted(LEVEL_THRESHOLDS))  # descriptive .. transformative
COMMENT_QUESTIONS = ("works", "better", "own_part", "comment")
COMMENT_LABELS = {
    "works": "What works well",
    "better": "What could be better",
    "own_part": "What I could do",
    ("comment", "staff_check"): "Staff comment",
    ("comment", "consumer_check"): "Consumer comment",
}
FEEDBACK_RATING_LABELS = {1: "1 - Very poor", 2: "2 - Poor", 3: "3 - OK", 4: "4 - Good", 5: "5 - Excellent"}

# Colours: text and bars meet WCAG contrast on white (text 4.5:1, graphics 3:1).
INK, MUTED, RULE = "#1f2933", "#4f5b66", "#d9d6cc"
STAFF_COLOUR, CONSUMER_COLOUR, BAR_COLOUR = "#2f5d8a", "#b95c14", "#2f6f73"
LEVEL_COLOURS = {"descriptive": "#a86f12", "intermediate": "#3d7ea6", "transformative": "#2f7d5b"}
LEVEL_TINTS = {"descriptive": "#fbf3e3", "intermediate": "#eaf2f8", "transformative": "#e7f3ec"}
GAP_FILL, GAP_STROKE, GAP_INK, GAP_BAND = "#f8dfa8", "#a86f12", "#4a3200", "#fdf5e3"


# --------------------------------------------------------------------------------------------- data

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


def _share(counts: Dict[str, int], options: Sequence[str]) -> List[Dict[str, Any]]:
    """Every option (known ones in their order, then any others), with count and percent."""
    names = list(options) + sorted(c for c in counts if c not in options)
    total = sum(counts.values())
    return [{"choice": c, "count": counts.get(c, 0),
             "percent": round(100 * counts.get(c, 0) / total, 1) if total else 0.0} for c in names]


def build(session: Session) -> Dict[str, Any]:
    """Everything the report shows, as plain data (scores on 0-100, ratings on 1-5)."""
    kinds = repository.count_by_kind(session)
    staff_means = repository.mean_ratings(session, "staff_check", "p_")
    consumer_means = repository.mean_ratings(session, "consumer_check", "c_")

    principles = []
    for p in PRINCIPLES:
        s_mean, s_n = staff_means.get(f"p_{p.key}", (None, 0))
        c_mean, c_n = consumer_means.get(f"c_{p.key}", (None, 0))
        staff = to_percent(s_mean) if s_mean is not None else None
        consumer = to_percent(c_mean) if c_mean is not None else None
        gap = round(staff - consumer, 1) if staff is not None and consumer is not None else None
        principles.append({"key": p.key, "title": p.title, "staff": staff, "staff_n": s_n, "consumer": consumer,
                           "consumer_n": c_n, "gap": gap,
                           "highlight": gap is not None and abs(gap) >= GAP_HIGHLIGHT})
    with_gap = [row for row in principles if row["gap"] is not None]
    biggest = max(with_gap, key=lambda row: abs(row["gap"]), default=None)

    staff_overall, staff_scored = repository.mean_overall(session, "staff_check")
    consumer_overall, consumer_scored = repository.mean_overall(session, "consumer_check")

    by_month: Dict[str, Dict[str, Any]] = {}
    for created_at, level, overall in repository.scored_checks(session, "staff_check"):
        month = by_month.setdefault(_month_key(created_at), {"counts": Counter(), "scores": []})
        month["counts"][level] += 1
        month["scores"].append(overall)
    levels = []
    if by_month:
        for key in _months_between(min(by_month), max(by_month)):
            month = by_month.get(key, {"counts": Counter(), "scores": []})
            scores = month["scores"]
            levels.append({"month": key, "label": _month_label(key),
                           "counts": {lvl: month["counts"].get(lvl, 0) for lvl in LEVELS},
                           "total": len(scores),
                           "mean_overall": round(sum(scores) / len(scores), 1) if scores else None})

    ratings = repository.rating_counts(session, "experience", "feedback")
    n_ratings = sum(ratings.values())
    mean_experience = round(sum(r * n for r, n in ratings.items()) / n_ratings, 2) if n_ratings else None

    spellings = repository.unanswered_spellings(session)
    comments = []
    for created_at, kind, question, text in repository.recent_texts(session, COMMENT_QUESTIONS, MAX_COMMENTS):
        label = COMMENT_LABELS.get(question) or COMMENT_LABELS.get((question, kind), question)
        comments.append({"created_at": created_at, "kind": kind, "question": question, "label": label, "text": text})

    return {
        "generated_at": utcnow().replace(microsecond=0),
        "counts": {
            "staff_check": kinds.get("staff_check", 0),
            "consumer_check": kinds.get("consumer_check", 0),
            "feedback": kinds.get("feedback", 0),
            "unanswered": repository.count_rows(session, UnansweredQuestion),
            "handoffs": repository.count_rows(session, HandoffRequest),
        },
        "overall": {"staff": None if staff_overall is None else round(staff_overall, 1), "staff_n": staff_scored,
                    "consumer": None if consumer_overall is None else round(consumer_overall, 1),
                    "consumer_n": consumer_scored},
        "principles": principles,
        "biggest_gap": biggest,
        "levels_by_month": levels,
        "matters_most": _share(repository.choice_counts(session, "matters_most", "consumer_check"), MATTERS_OPTIONS),
        "contribute": _share(repository.choice_counts(session, "contribute", "consumer_check"), CONTRIBUTE_OPTIONS),
        "feedback": {"mean_experience": mean_experience, "ratings": n_ratings,
                     "distribution": {r: ratings.get(r, 0) for r in range(1, 6)}},
        "comments": comments,
        "unanswered": [{"text": spellings.get(text) or text, "count": n}
                       for text, n in repository.top_unanswered(session, 10)],
        "unanswered_themes": [{"theme": theme_title(theme), "count": n}
                              for theme, n in repository.not_covered_by_theme(session)],
        "handoffs": repository.count_rows(session, HandoffRequest),
    }


# ------------------------------------------------------------------------------------ formatting

def e(value: Any) -> str:
    """HTML-escape anything shown on the page (quotes too, so it is safe in attributes)."""
    return escape("" if value is None else str(value), quote=True)


def _num(value: Optional[float], digits: int = 0) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _signed(value: float) -> str:
    return f"+{value:.0f}" if round(value) > 0 else ("0" if round(value) == 0 else f"−{abs(value):.0f}")


def _level_of(score: float) -> str:
    for threshold, name in LEVEL_THRESHOLDS:
        if score >= threshold:
            return name
    return LEVELS[0]


def _plural(n: int, one: str, many: Optional[str] = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _date(when: datetime) -> str:
    return f"{when.day} {when.strftime('%b %Y')}"


# ------------------------------------------------------------------------------------------ charts

def _svg(uid: str, width: int, height: int, title: str, desc: str, body: Iterable[str]) -> str:
    """An accessible inline SVG: role=img, named by its <title> and described by <desc>."""
    return (f'<svg class="chart" id="{uid}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'role="img" aria-labelledby="{uid}-title {uid}-desc" xmlns="http://www.w3.org/2000/svg">'
            f'<title id="{uid}-title">{e(title)}</title><desc id="{uid}-desc">{e(desc)}</desc>'
            + "".join(body) + "</svg>")


def _text(x: float, y: float, content: str, anchor: str = "start", size: int = 14, weight: int = 400,
          fill: str = INK, extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" font-weight="{weight}" '
            f'fill="{fill}"{extra}>{e(content)}</text>')


def _rect(x: float, y: float, w: float, h: float, fill: str, extra: str = "") -> str:
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{h:.1f}" fill="{fill}"{extra}/>'


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, extra: str = "") -> str:
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}"{extra}/>'


def chart_side_by_side(rows: List[Dict[str, Any]], compact: bool = False) -> str:
    """Paired horizontal bars (staff, consumers) per principle on 0-100, with the gap on the right.

    The compact variant (for narrow screens and high zoom) puts each principle's name above its bars."""
    if compact:
        width, x0, plot_w, gap_x, top, row_h, bar_h, head = 540, 8, 390, 494, 62, 86, 18, 26
    else:
        width, x0, plot_w, gap_x, top, row_h, bar_h, head = 880, 186, 470, 790, 58, 64, 18, 0
    height = top + row_h * len(rows) + 50

    def sx(v: float) -> float:
        return x0 + plot_w * v / 100

    out = [
        _rect(x0, 8, 14, 14, STAFF_COLOUR, ' rx="2"'), _text(x0 + 20, 20, "Staff", size=15),
        _rect(x0 + 90, 8, 14, 14, CONSUMER_COLOUR, ' rx="2"'),
        _text(x0 + 110, 20, "People who use the service", size=15),
        _text(gap_x, 50, "Gap", "middle", 14, 700, MUTED),
    ]
    bottom = top + row_h * len(rows)
    for i, row in enumerate(rows):
        if row["highlight"]:
            out.append(_rect(2, top + i * row_h + 2, width - 4, row_h - 4, GAP_BAND, ' rx="8"'))
    for v in (0, 20, 40, 60, 80, 100):
        out.append(_line(sx(v), top - 4, sx(v), bottom, "#e6e3da"))
        out.append(_text(sx(v), bottom + 18, str(v), "middle", 13, fill=MUTED))
    for v in (t for t, _ in LEVEL_THRESHOLDS if t > 0):
        out.append(_line(sx(v), top - 4, sx(v), bottom, "#8a8f94", ' stroke-dasharray="4 4"'))
    bounds = [0.0] + [t for t, _ in sorted(LEVEL_THRESHOLDS) if t > 0] + [100.0]
    for (lo, hi), name in zip(zip(bounds, bounds[1:]), LEVELS):
        out.append(_text(sx((lo + hi) / 2), bottom + 38, name.capitalize(), "middle", 13, 600,
                         LEVEL_COLOURS[name]))
    for i, row in enumerate(rows):
        y = top + i * row_h + 12 + head
        if compact:
            out.append(_text(x0 + 4, y - 9, row["title"], size=16, weight=700))
        else:
            out.append(_text(x0 - 16, y + bar_h + 6, row["title"], "end", 15, 600))
        for j, (value, colour) in enumerate(((row["staff"], STAFF_COLOUR), (row["consumer"], CONSUMER_COLOUR))):
            by = y + j * (bar_h + 4)
            if value is None:
                out.append(_text(x0 + 4, by + 14, "no answers yet", size=13, fill=MUTED, extra=' font-style="italic"'))
                continue
            out.append(_rect(x0, by, sx(value) - x0, bar_h, colour, ' rx="3"'))
            out.append(_text(sx(value) + 6, by + 14, f"{value:.0f}", size=14, weight=600))
        if row["gap"] is not None:
            gy = y + bar_h + 2
            label = _signed(row["gap"])
            if row["highlight"]:
                out.append(_rect(gap_x - 34, gy - 14, 68, 26, GAP_FILL, f' rx="13" stroke="{GAP_STROKE}"'))
                out.append(_text(gap_x, gy + 5, label, "middle", 15, 700, GAP_INK))
            else:
                out.append(_text(gap_x, gy + 5, label, "middle", 15, 400, MUTED))
    desc = "; ".join(
        f"{r['title']}: staff {_num(r['staff'])}, people who use the service {_num(r['consumer'])}"
        + (f", gap {_signed(r['gap'])} points" if r["gap"] is not None else "") for r in rows)
    return _svg("chart-gap" + ("-compact" if compact else ""), width, height,
                "Staff and consumer scores per principle, out of 100", desc + ".", out)


def _responsive(wide: str, narrow: str) -> str:
    """Both layouts of a chart; CSS shows the one that fits (hidden ones are hidden from screen readers too)."""
    return f'<div class="wide-only">{wide}</div><div class="narrow-only">{narrow}</div>'


def chart_level_counts(months: List[Dict[str, Any]]) -> str:
    """Stacked columns: staff self-checks per month, by level."""
    width, height, x0, x1, top, bottom = 460, 310, 40, 452, 54, 250
    peak = max((m["total"] for m in months), default=1) or 1
    step = max(1, -(-peak // 4))
    y_max = step * -(-peak // step)

    def sy(v: float) -> float:
        return bottom - (bottom - top) * v / y_max

    out = []
    lx = x0
    for name in LEVELS:
        out.append(_rect(lx, 9, 13, 13, LEVEL_COLOURS[name], ' rx="2"'))
        out.append(_text(lx + 18, 21, name.capitalize(), size=14))
        lx += 18 + 8 * len(name) + 26
    for v in range(0, y_max + 1, step):
        out.append(_line(x0, sy(v), x1, sy(v), "#e6e3da"))
        out.append(_text(x0 - 8, sy(v) + 5, str(v), "end", 14, fill=MUTED))
    slot = (x1 - x0) / max(len(months), 1)
    col_w = min(46, slot * 0.62)
    for i, m in enumerate(months):
        cx = x0 + slot * (i + 0.5)
        y = bottom
        for name in LEVELS:
            n = m["counts"][name]
            if n:
                h = (bottom - top) * n / y_max
                out.append(_rect(cx - col_w / 2, y - h, col_w, h, LEVEL_COLOURS[name],
                                 ' stroke="#fff" stroke-width="1.5"'))
                y -= h
        if m["total"]:
            out.append(_text(cx, y - 7, str(m["total"]), "middle", 14, 700))
        out.extend(_month_ticks(cx, bottom, m, i, months))
    out.append(_line(x0, bottom, x1, bottom, "#8a8f94"))
    desc = "; ".join(f"{m['label']}: " + (", ".join(f"{m['counts'][n]} {n}" for n in LEVELS) if m["total"] else "none")
                     for m in months)
    return _svg("chart-levels", width, height, "Staff self-checks per month, by level", desc + ".", out)


def _month_ticks(cx: float, bottom: float, m: Dict[str, Any], i: int, months: List[Dict[str, Any]]) -> List[str]:
    month, year = m["label"].split()
    out = [_text(cx, bottom + 20, month, "middle", 14, fill=MUTED)]
    if i == 0 or months[i - 1]["label"].split()[1] != year:
        out.append(_text(cx, bottom + 38, year, "middle", 13, fill=MUTED))
    return out


def chart_mean_overall(months: List[Dict[str, Any]]) -> str:
    """Mean overall staff score per month on 0-100, over bands showing the levels."""
    width, height, x0, x1, top, bottom = 460, 310, 40, 344, 54, 250

    def sy(v: float) -> float:
        return bottom - (bottom - top) * v / 100

    out = [_text(x0, 21, "Mean overall score (0–100)", size=14, fill=MUTED)]
    bounds = [0.0] + [t for t, _ in sorted(LEVEL_THRESHOLDS) if t > 0] + [100.0]
    for (lo, hi), name in zip(zip(bounds, bounds[1:]), LEVELS):
        out.append(_rect(x0, sy(hi), x1 - x0, sy(lo) - sy(hi), LEVEL_TINTS[name]))
        out.append(_rect(x1, sy(hi), 4, sy(lo) - sy(hi), LEVEL_COLOURS[name]))
        out.append(_text(x1 + 10, (sy(lo) + sy(hi)) / 2 + 5, name.capitalize(), size=14, weight=600,
                         fill=LEVEL_COLOURS[name]))
    for v in bounds:
        out.append(_text(x0 - 8, sy(v) + 5, f"{v:.0f}", "end", 14, fill=MUTED))
    slot = (x1 - x0) / max(len(months), 1)
    points = [(x0 + slot * (i + 0.5), m["mean_overall"]) for i, m in enumerate(months)]
    known = [(x, v) for x, v in points if v is not None]
    if len(known) > 1:
        path = " ".join(f"{x:.1f},{sy(v):.1f}" for x, v in known)
        out.append(f'<polyline points="{path}" fill="none" stroke="{INK}" stroke-width="2.5" '
                   'stroke-linejoin="round"/>')
    for x, v in known:
        out.append(f'<circle cx="{x:.1f}" cy="{sy(v):.1f}" r="5.5" fill="{LEVEL_COLOURS[_level_of(v)]}" '
                   f'stroke="#fff" stroke-width="2"/>')
        out.append(_text(x, sy(v) - 12, f"{v:.0f}", "middle", 14, 700))
    for i, m in enumerate(months):
        out.extend(_month_ticks(x0 + slot * (i + 0.5), bottom, m, i, months))
    out.append(_line(x0, bottom, x1, bottom, "#8a8f94"))
    desc = "; ".join(f"{m['label']}: {_num(m['mean_overall'])}" for m in months)
    return _svg("chart-mean", width, height, "Mean overall staff score per month", desc + ".", out)


def chart_bars(uid: str, title: str, rows: List[Tuple[str, int]], colour: str = BAR_COLOUR,
               label_w: int = 300, compact: bool = False) -> str:
    """Simple horizontal bars with the count and share at the end of each bar
    (compact: the label above its bar, for narrow screens and high zoom)."""
    if compact:
        width, x0, row_h, bar_h, head = 540, 4, 60, 22, 24
        uid += "-compact"
    else:
        width, x0, row_h, bar_h, head = 880, label_w + 16, 40, 22, 0
    plot_w = width - x0 - 110
    total = sum(n for _, n in rows) or 1
    peak = max((n for _, n in rows), default=0) or 1
    out = []
    for i, (label, n) in enumerate(rows):
        y = 6 + i * row_h + head
        if compact:
            out.append(_text(x0, y - 8, label, size=16))
        else:
            out.append(_text(label_w, y + 17, label, "end", 15))
        w = plot_w * n / peak
        out.append(_rect(x0, y, plot_w, bar_h, "#f1efe8", ' rx="3"'))
        if n:
            out.append(_rect(x0, y, w, bar_h, colour, ' rx="3"'))
        out.append(_text(x0 + max(w, 0) + 8, y + 17, f"{n}  ({100 * n / total:.0f}%)", size=15, weight=600))
    height = 6 + row_h * len(rows)
    desc = "; ".join(f"{label}: {n} ({100 * n / total:.0f}%)" for label, n in rows)
    return _svg(uid, width, height, title, desc + ".", out)


def _bars(uid: str, title: str, rows: List[Tuple[str, int]], colour: str = BAR_COLOUR, label_w: int = 300) -> str:
    return _responsive(chart_bars(uid, title, rows, colour, label_w),
                       chart_bars(uid, title, rows, colour, label_w, compact=True))


# -------------------------------------------------------------------------------------------- page

CSS = """
:root { --ink: #1f2933; --muted: #4f5b66; --rule: #d9d6cc; --page: #f6f5f1; --card: #ffffff;
        --accent: #2f5d8a; --staff: #2f5d8a; --consumer: #b95c14; --gap: #f8dfa8; --gap-ink: #4a3200; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--page); color: var(--ink);
       font-family: "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", system-ui, sans-serif;
       font-size: 1rem; line-height: 1.55; }
.wrap { max-width: 60rem; margin: 0 auto; padding: 0 1.25rem; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem 1rem; }
.skip:focus { left: 1rem; z-index: 10; }
header.masthead { background: #23395b; color: #fff; padding: 2.25rem 0 2rem; }
.masthead .eyebrow { margin: 0 0 .35rem; font-size: .85rem; letter-spacing: .06em; text-transform: uppercase;
                     color: #d6e2f0; }
.masthead h1 { margin: 0 0 .5rem; font-size: 2rem; line-height: 1.2; font-weight: 700; }
.masthead p.lede { margin: 0; max-width: 44rem; color: #e9eff6; }
nav.toc { margin: 1.25rem 0 0; }
nav.toc ul { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: .4rem .6rem; }
nav.toc a { color: #fff; font-size: .9rem; text-decoration: none; border: 1px solid rgba(255,255,255,.45);
            border-radius: 999px; padding: .15rem .7rem; display: inline-block; }
nav.toc a:hover, nav.toc a:focus { background: rgba(255,255,255,.14); text-decoration: underline; }
main { padding: 1.5rem 0 1rem; }
section.card { background: var(--card); border: 1px solid var(--rule); border-radius: 12px;
               padding: 1.4rem 1.6rem 1.5rem; margin: 0 0 1.4rem; }
h2 { font-size: 1.4rem; line-height: 1.25; margin: 0 0 .4rem; color: #1b2f4b; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
p { margin: .4rem 0 .8rem; max-width: 48rem; }
.intro { color: var(--muted); }
.muted { color: var(--muted); }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(11.5rem, 1fr)); gap: .8rem; margin: 1rem 0 0; }
.stat { border: 1px solid var(--rule); border-radius: 10px; padding: .8rem 1rem; background: #fbfaf7; }
.stat dt { font-size: .9rem; color: var(--muted); margin: 0; }
.stat dd { margin: .15rem 0 0; font-size: 1.85rem; font-weight: 700; line-height: 1.2; }
.stat dd small { font-size: .95rem; font-weight: 400; color: var(--muted); }
.stat dd .sub { display: block; font-size: .9rem; font-weight: 600; }
.stat dd .sub.plain { font-weight: 400; color: var(--muted); }
.callout { border-left: 5px solid #a86f12; background: #fdf5e3; padding: .75rem 1rem; border-radius: 0 8px 8px 0;
           max-width: none; color: var(--gap-ink); }
.empty { border: 1px dashed var(--rule); border-radius: 10px; padding: 1rem 1.2rem; color: var(--muted);
         background: #fbfaf7; max-width: none; }
figure { margin: 1rem 0 .6rem; }
figcaption { font-size: .9rem; color: var(--muted); margin-top: .35rem; }
svg.chart { display: block; width: 100%; height: auto; max-width: 100%; font-family: inherit; }
.narrow-only { display: none; }
.pair { display: grid; grid-template-columns: repeat(auto-fit, minmax(19rem, 1fr)); gap: 1rem 1.6rem; }
.table-wrap { overflow-x: auto; margin: .6rem 0 0; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
caption { text-align: left; font-weight: 600; padding: 0 0 .35rem; }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid #e6e3da; vertical-align: top; }
thead th { border-bottom: 2px solid var(--rule); font-size: .88rem; color: var(--muted); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num, .nowrap { white-space: nowrap; }
tr.hl td, tr.hl th { background: #fdf5e3; }
.badge { display: inline-block; background: var(--gap); color: var(--gap-ink); border: 1px solid #a86f12;
         border-radius: 999px; padding: 0 .5rem; font-weight: 700; }
.swatch { display: inline-block; width: .8em; height: .8em; border-radius: 2px; margin-right: .35em;
          vertical-align: -.05em; }
.big { font-size: 2.4rem; font-weight: 700; line-height: 1.1; }
.comments { list-style: none; margin: .8rem 0 0; padding: 0; display: grid;
            grid-template-columns: repeat(auto-fill, minmax(21rem, 1fr)); gap: .6rem .8rem; }
.comments li { border-left: 4px solid #c9d6e3; background: #fbfaf7; border-radius: 0 8px 8px 0;
               padding: .55rem .9rem; margin: 0; break-inside: avoid; }
.comments li.q-better { border-left-color: #e2b46b; }
.comments li.q-works { border-left-color: #8cc0a2; }
.comments .meta { display: block; font-size: .85rem; color: var(--muted); margin-bottom: .15rem; }
.comments .meta strong { color: var(--ink); font-weight: 600; }
.comments blockquote { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
td.question { overflow-wrap: anywhere; }
footer { border-top: 1px solid var(--rule); padding: 1.2rem 0 2.5rem; color: var(--muted); font-size: .92rem; }
footer h2 { font-size: 1.1rem; color: var(--ink); }
footer dl { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; margin: .5rem 0 1rem; }
footer dt { font-weight: 700; }
footer dd { margin: 0; }
a { color: #1f4f80; }
:focus-visible { outline: 3px solid #f0b429; outline-offset: 2px; }
@media (max-width: 40rem) {
  .wide-only { display: none; }
  .narrow-only { display: block; }
  .masthead h1 { font-size: 1.6rem; }
  section.card { padding: 1rem 1rem 1.2rem; }
  footer dl { grid-template-columns: 1fr; }
}
@media print {
  body { background: #fff; font-size: 10.5pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .skip, nav.toc { display: none; }
  header.masthead { background: #fff; color: var(--ink); padding: 0 0 .5rem; border-bottom: 2px solid var(--ink); }
  .masthead .eyebrow, .masthead p.lede { color: var(--muted); }
  section.card { border: none; border-top: 1px solid var(--rule); border-radius: 0; padding: .8rem 0; }
  figure, table, .stat, .comments li, .callout { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
  @page { margin: 14mm; }
}
"""


def _section(sid: str, title: str, body: str, intro: str = "") -> str:
    intro_html = f'<p class="intro">{intro}</p>' if intro else ""
    return (f'<section class="card" id="{sid}" aria-labelledby="{sid}-h"><h2 id="{sid}-h">{e(title)}</h2>'
            f"{intro_html}{body}</section>")


def _empty(text: str) -> str:
    return f'<p class="empty">{e(text)}</p>'


def _stat(label: str, value: str, small: str = "", sub: str = "", sub_colour: str = "") -> str:
    small_html = f" <small>{e(small)}</small>" if small else ""
    attrs = f' class="sub" style="color:{sub_colour}"' if sub_colour else ' class="sub plain"'
    sub_html = f"<span{attrs}>{e(sub)}</span>" if sub else ""
    return f'<div class="stat"><dt>{e(label)}</dt><dd>{e(value)}{small_html}{sub_html}</dd></div>'


def _headline(data: Dict[str, Any]) -> str:
    c, overall, fb = data["counts"], data["overall"], data["feedback"]
    stats = [_stat("Staff self-checks", str(c["staff_check"])),
             _stat("Consumer self-checks", str(c["consumer_check"])),
             _stat("Feedback responses", str(c["feedback"]))]
    for who, key in (("Staff average score", "staff"), ("Consumer average score", "consumer")):
        value = overall[key]
        if value is None:
            stats.append(_stat(who, "–", sub="no self-checks yet"))
        else:
            level = _level_of(value)
            stats.append(_stat(who, f"{value:.0f}", "/ 100", level.capitalize(), LEVEL_COLOURS[level]))
    if fb["mean_experience"] is None:
        stats.append(_stat("Average experience", "–", sub="no ratings yet"))
    else:
        stats.append(_stat("Average experience", f"{fb['mean_experience']:.1f}", "/ 5",
                           _plural(fb["ratings"], "rating")))
    stats.append(_stat("Asked to talk to a person", str(c["handoffs"])))
    stats.append(_stat("Questions not answered", str(c["unanswered"])))
    body = ""
    if not c["staff_check"] and not c["consumer_check"]:
        body += _empty("No self-checks yet. Once staff and people who use the service complete the self-check "
                       "in the chat, their scores appear here side by side.")
    else:
        gap_line = ""
        if overall["staff"] is not None and overall["consumer"] is not None:
            diff = overall["staff"] - overall["consumer"]
            if round(diff) == 0:
                gap_line = " Overall, staff and people who use the service score it about the same."
            elif diff > 0:
                gap_line = f" Overall, staff score the service {diff:.0f} points higher than people who use it."
            else:
                gap_line = f" Overall, people who use the service score it {-diff:.0f} points higher than staff."
        body += (f'<p>{e(_plural(c["staff_check"], "staff self-check"))} and '
                 f'{e(_plural(c["consumer_check"], "self-check"))} by people who use the service.{e(gap_line)}</p>')
    body += f'<dl class="stats">{"".join(stats)}</dl>'
    return _section("headline", "At a glance", body)


def _side_by_side(data: Dict[str, Any]) -> str:
    rows = data["principles"]
    intro = ("Each principle scored 0–100 (1 = not at all, 5 = completely). Where staff and the people who use the "
             f"service see things differently there is a knowledge gap; gaps of {GAP_HIGHLIGHT:.0f} points or more "
             "are highlighted.")
    if not any(r["staff_n"] or r["consumer_n"] for r in rows):
        return _section("side-by-side", "Staff and consumer views side by side",
                        _empty("No self-checks yet."), e(intro))
    big = data["biggest_gap"]
    if big is None:
        missing = "people who use the service" if any(r["staff_n"] for r in rows) else "staff"
        sentence = f"No gap to compare yet: there are no self-checks from {missing} so far."
    elif round(big["gap"]) == 0:
        sentence = "Staff and people who use the service score every principle about the same."
    else:
        people = "people who use the service"
        higher, lower = ("staff", people) if big["gap"] > 0 else (people, "staff")
        sentence = (f"The biggest gap is in {big['title']}: {higher} score it {abs(big['gap']):.0f} points higher "
                    f"than {lower} (staff {big['staff']:.0f}, people who use the service {big['consumer']:.0f}).")
        flagged = [r["title"] for r in rows if r["highlight"]]
        if len(flagged) > 1:
            sentence += f" {len(flagged)} principles have a gap of {GAP_HIGHLIGHT:.0f} points or more: " \
                        + ", ".join(flagged) + "."
    table_rows = []
    HL = ' class="hl"'  # noqa: N806
    for r in rows:
        gap = "–" if r["gap"] is None else (f'<span class="badge">{e(_signed(r["gap"]))}</span>' if r["highlight"]
                                            else e(_signed(r["gap"])))
        table_rows.append(
            f'<tr{HL if r["highlight"] else ""}><th scope="row">{e(r["title"])}</th>'
            f'<td class="num">{e(_num(r["staff"]))}</td><td class="num">{r["staff_n"]}</td>'
            f'<td class="num">{e(_num(r["consumer"]))}</td><td class="num">{r["consumer_n"]}</td>'
            f'<td class="num">{gap}</td></tr>')
    table = ('<div class="table-wrap"><table><caption>The numbers behind the chart</caption><thead><tr>'
             '<th scope="col">Principle</th><th scope="col" class="num">Staff score</th>'
             '<th scope="col" class="num">Staff answers</th><th scope="col" class="num">Consumer score</th>'
             '<th scope="col" class="num">Consumer answers</th><th scope="col" class="num">Gap</th>'
             f'</tr></thead><tbody>{"".join(table_rows)}</tbody></table></div>')
    chart = _responsive(chart_side_by_side(rows), chart_side_by_side(rows, compact=True))
    body = (f'<p class="callout">{e(sentence)}</p><figure>{chart}'
            '<figcaption>Bars show the mean score out of 100. Gap = staff score minus consumer score. Dashed lines '
            'mark where the intermediate (40) and transformative (70) levels start.</figcaption></figure>' + table)
    return _section("side-by-side", "Staff and consumer views side by side", body, e(intro))


def _levels(data: Dict[str, Any]) -> str:
    months = data["levels_by_month"]
    title = "Levels over time"
    intro = "Staff self-checks each month: how many reached each level, and the mean overall score."
    if not months:
        return _section("levels", title, _empty("No self-checks yet."), e(intro))
    rows = "".join(
        f'<tr><th scope="row" class="nowrap">{e(m["label"])}</th>'
        + "".join(f'<td class="num">{m["counts"][n]}</td>' for n in LEVELS)
        + f'<td class="num">{m["total"]}</td><td class="num">{e(_num(m["mean_overall"]))}</td></tr>'
        for m in months)
    heads = "".join(f'<th scope="col" class="num"><span class="swatch" style="background:{LEVEL_COLOURS[n]}" '
                    f'aria-hidden="true"></span>{e(n.capitalize())}</th>' for n in LEVELS)
    table = ('<div class="table-wrap"><table><caption>Staff self-checks by month</caption><thead><tr>'
             f'<th scope="col">Month</th>{heads}<th scope="col" class="num">Total</th>'
             f'<th scope="col" class="num">Mean score</th></tr></thead><tbody>{rows}</tbody></table></div>')
    scored = [m for m in months if m["mean_overall"] is not None]
    trend = ""
    if len(scored) > 1:
        first, last = scored[0], scored[-1]
        delta = last["mean_overall"] - first["mean_overall"]
        direction = "up" if delta >= 0.5 else "down" if delta <= -0.5 else "about level"
        trend = (f'<p>The mean staff score went from {first["mean_overall"]:.0f} in {e(first["label"])} to '
                 f'{last["mean_overall"]:.0f} in {e(last["label"])}'
                 + (f" ({direction} {abs(delta):.0f} points)." if direction != "about level" else " (about level).")
                 + "</p>")
    body = (trend + f'<div class="pair"><figure>{chart_level_counts(months)}<figcaption>Number of staff self-checks '
            f'per month, coloured by level.</figcaption></figure><figure>{chart_mean_overall(months)}<figcaption>'
            'Mean overall score per month; the shaded bands are the levels.</figcaption></figure></div>' + table)
    return _section("levels", title, body, e(intro))


def _choices(sid: str, title: str, intro: str, rows: List[Dict[str, Any]], chart_title: str,
             sort: bool, summary: str = "") -> str:
    total = sum(r["count"] for r in rows)
    if not total:
        return _section(sid, title, _empty("No answers yet."), e(intro))
    ordered = sorted(rows, key=lambda r: -r["count"]) if sort else rows
    chart = _bars(f"chart-{sid}", chart_title, [(r["choice"], r["count"]) for r in ordered])
    body = (f'<p>{e(summary)}</p>' if summary else "") + \
        f'<figure>{chart}<figcaption>{e(_plural(total, "answer"))}; the percentage is the share of answers.' \
        '</figcaption></figure>'
    return _section(sid, title, body, e(intro))


def _matters(data: Dict[str, Any]) -> str:
    rows = data["matters_most"]
    summary = ""
    total = sum(r["count"] for r in rows)
    if total:
        top = max(rows, key=lambda r: r["count"])
        summary = f"Most often chosen: “{top['choice']}” ({top['count']} of {total})."
    return _choices("matters", "What matters most to consumers",
                    "What people who use the service said matters most to them.", rows,
                    "What matters most to people who use the service", True, summary)


def _contribute(data: Dict[str, Any]) -> str:
    rows = data["contribute"]
    total = sum(r["count"] for r in rows)
    summary = ""
    if total:
        willing = sum(r["count"] for r in rows if r["choice"] != CONTRIBUTE_OPTIONS[-1])
        summary = (f"{willing} of {total} ({100 * willing / total:.0f}%) would like to give some time to help shape "
                   "the service.")
    return _choices("contribute", "Willingness to contribute",
                    "How much time people who use the service would like to give to help shape it.", rows,
                    "Time people would like to give", False, summary)


def _feedback(data: Dict[str, Any]) -> str:
    fb, comments = data["feedback"], data["comments"]
    parts = []
    if fb["mean_experience"] is None:
        parts.append(_empty("No experience ratings yet."))
    else:
        dist = [(FEEDBACK_RATING_LABELS[r], fb["distribution"][r]) for r in range(5, 0, -1)]
        parts.append(
            f'<p><span class="big">{fb["mean_experience"]:.1f}</span> <span class="muted">out of 5 — the average '
            f'experience rating from {e(_plural(fb["ratings"], "person", "people"))}.</span></p>'
            f'<figure>{_bars("chart-experience", "How people rated their experience", dist, "#3d7ea6", 200)}'
            '<figcaption>Number of people giving each rating.</figcaption></figure>')
    parts.append(f'<h3 id="comments-h">Comments <span class="muted">(newest first, up to {MAX_COMMENTS})</span></h3>')
    if not comments:
        parts.append(_empty("No comments yet."))
    else:
        items = "".join(
            f'<li class="q-{e(c["question"])}"><span class="meta"><strong>{e(c["label"])}</strong> · '
            f'<time datetime="{e(c["created_at"].date().isoformat())}">{e(_date(c["created_at"]))}</time></span>'
            f'<blockquote>{e(c["text"])}</blockquote></li>' for c in comments)
        parts.append(f'<ul class="comments" aria-labelledby="comments-h">{items}</ul>')
    return _section("feedback", "Feedback and comments", "".join(parts),
                    e("How people rated their experience, and what they wrote in feedback and self-checks."))


def theme_title(topic_id: str) -> str:
    """A stored theme (a topic id) as people read it."""
    from bot.topics import TOPIC_TITLES

    return TOPIC_TITLES.get(topic_id) or "Other"


def _themes(data: Dict[str, Any]) -> str:
    rows = data.get("unanswered_themes") or []
    if not rows:
        return ""
    trs = "".join(f'<tr><td>{e(r["theme"])}</td><td class="num">{r["count"]}</td></tr>' for r in rows)
    return ('<div class="table-wrap"><table><caption>Questions about co-production we have no answer for yet, '
            'by the closest topic</caption><thead><tr><th scope="col">Theme</th>'
            f'<th scope="col" class="num">Questions</th></tr></thead><tbody>{trs}</tbody></table></div>')


def _unanswered(data: Dict[str, Any]) -> str:
    rows = data["unanswered"]
    handoffs = data["counts"]["handoffs"]
    intro = ("The most frequent questions the assistant could not answer. Adding answers for the common ones "
             "helps the next person.")
    body = ""
    if not rows:
        body += _empty("No unanswered questions so far.")
    else:
        trs = "".join(f'<tr><td class="num">{i}</td><td class="question">{e(r["text"])}'
                      f'</td><td class="num">{r["count"]}</td></tr>' for i, r in enumerate(rows, 1))
        body += ('<div class="table-wrap"><table><caption>Top 10 unanswered questions</caption><thead><tr>'
                 '<th scope="col" class="num">#</th><th scope="col">Question</th>'
                 f'<th scope="col" class="num">Times asked</th></tr></thead><tbody>{trs}</tbody></table></div>')
    body += _themes(data)
    body += (f'<p>{e(_plural(handoffs, "person", "people"))} asked to talk to a member of staff.</p>'
             if handoffs else "<p>Nobody has asked to talk to a member of staff yet.</p>")
    return _section("unanswered", "Questions the assistant couldn’t answer", body, e(intro))


def _footer(data: Dict[str, Any]) -> str:
    bounds = sorted(LEVEL_THRESHOLDS)
    ranges = []
    for i, (lo, name) in enumerate(bounds):
        hi = bounds[i + 1][0] if i + 1 < len(bounds) else None
        if hi is None:
            span = f"{lo:.0f} and above"
        else:
            span = f"below {hi:.0f}" if lo == 0 else f"{lo:.0f} to below {hi:.0f}"
        meaning = _sentence(LEVEL_TEXT[name].split(": ", 1)[-1])
        ranges.append(f"<dt>{e(name.capitalize())} ({e(span)})</dt><dd>{e(meaning)}</dd>")
    generated = data["generated_at"]
    return (
        '<footer><div class="wrap"><h2>About this report</h2>'
        "<p>Scores: each rating from 1 (not at all) to 5 (completely) is turned into 0–100 as "
        "(rating − 1) ÷ 4 × 100, and averaged. The overall score of a self-check is the mean of its six "
        "principles. Levels follow Needham &amp; Carr (SCIE, 2009):</p>"
        f'<dl>{"".join(ranges)}</dl>'
        "<p>All data is anonymous: answers are stored with a random id, the channel, the role and the date, never a "
        "name or chat id, and only when the person agreed to it. Comments are shown as people typed them, so they "
        "may name someone; please treat them with care.</p>"
        f'<p>Generated {e(_date(generated))} at {e(generated.strftime("%H:%M"))} UTC by the Co-production Guide.</p>'
        "</div></footer>")


def _page(data: Dict[str, Any]) -> str:
    sections = [_headline(data), _side_by_side(data), _levels(data), _matters(data), _contribute(data),
                _feedback(data), _unanswered(data)]
    toc = [("headline", "At a glance"), ("side-by-side", "Side by side"), ("levels", "Levels over time"),
           ("matters", "What matters"), ("contribute", "Contributing"), ("feedback", "Feedback"),
           ("unanswered", "Unanswered questions")]
    nav = "".join(f'<li><a href="#{sid}">{e(label)}</a></li>' for sid, label in toc)
    generated = data["generated_at"]
    return (
        '<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        "<title>Co-production insight report</title>"
        f"<style>{CSS}</style></head><body>"
        '<a class="skip" href="#main">Skip to the report</a>'
        '<header class="masthead"><div class="wrap">'
        '<p class="eyebrow">Co-production Guide · Staff insight report</p>'
        "<h1>How co-produced is our service?</h1>"
        '<p class="lede">What staff and the people who use the service told the assistant: self-check scores side by '
        f'side, what matters to people, and their feedback. Generated {e(_date(generated))}.</p>'
        f'<nav class="toc" aria-label="Sections of this report"><ul>{nav}</ul></nav>'
        "</div></header>"
        f'<main id="main"><div class="wrap">{"".join(sections)}</div></main>'
        f"{_footer(data)}</body></html>\n")


def render_html(url: Optional[str] = None) -> str:
    """The whole report as one self-contained HTML page (database: `url` or DATABASE_URL)."""
    from bot.db import session_scope

    with session_scope(url) as session:
        data = build(session)
    return _page(data)


# --------------------------------------------------------------------------------------------- CSV

def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for row in rows:
            writer.writerow([csv_safe(v) for v in row])


def write_csvs(data: Dict[str, Any], out: Path) -> List[Path]:
    files = {
        "principles.csv": (
            ("principle_key", "principle", "staff_mean_score", "staff_ratings", "consumer_mean_score",
             "consumer_ratings", "gap"),
            [(r["key"], r["title"], r["staff"], r["staff_n"], r["consumer"], r["consumer_n"], r["gap"])
             for r in data["principles"]]),
        "levels.csv": (
            ("month", *LEVELS, "total", "mean_overall"),
            [(m["month"], *(m["counts"][n] for n in LEVELS), m["total"], m["mean_overall"])
             for m in data["levels_by_month"]]),
        "matters_most.csv": (("choice", "count", "percent"),
                             [(r["choice"], r["count"], r["percent"]) for r in data["matters_most"]]),
        "contribute.csv": (("choice", "count", "percent"),
                           [(r["choice"], r["count"], r["percent"]) for r in data["contribute"]]),
        "feedback_comments.csv": (("created_at", "kind", "question", "label", "text"),
                                  [(c["created_at"].isoformat(), c["kind"], c["question"], c["label"], c["text"])
                                   for c in data["comments"]]),
        "unanswered.csv": (("question", "count"), [(r["text"], r["count"]) for r in data["unanswered"]]),
        "unanswered_themes.csv": (("theme", "questions"), [(r["theme"], r["count"]) for r in data["unanswered_themes"]]),
    }
    paths = []
    for name, (header, rows) in files.items():
        _write_csv(out / name, header, rows)
        paths.append(out / name)
    return paths


def write(out_dir: Union[str, Path], url: Optional[str] = None) -> Path:
    """Write report.html and the CSVs behind it to `out_dir` (created if needed); returns the HTML path."""
    from bot.db import session_scope

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with session_scope(url) as session:
        data = build(session)
    write_csvs(data, out)
    html_path = out / "report.html"
    html_path.write_text(_page(data), encoding="utf-8")
    return html_path
