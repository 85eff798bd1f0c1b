"""The report's charts, drawn as accessible inline SVG (role=img with a <title> and a <desc>
that says in words what the chart shows). No JavaScript and nothing loaded from elsewhere."""
from __future__ import annotations

from typing import Iterable, List, Tuple

from bot.report.data import MonthLevels, PrincipleRow
from bot.report.style import (BAR_COLOUR, CONSUMER_COLOUR, GAP_BAND, GAP_FILL, GAP_INK, GAP_STROKE, INK,
                              LEVEL_COLOURS, LEVEL_TINTS, MUTED, STAFF_COLOUR, e, num, signed)
from bot.scoring import LEVEL_NAMES, LEVELS, MAX_SCORE, band, level_for


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


def chart_side_by_side(rows: List[PrincipleRow], compact: bool = False) -> str:
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
    for level in reversed(LEVELS[1:]):  # a dashed line where each level above the first starts, top first
        out.append(_line(sx(level.low), top - 4, sx(level.low), bottom, "#8a8f94", ' stroke-dasharray="4 4"'))
    for level in LEVELS:
        lo, hi = band(level)
        out.append(_text(sx((lo + hi) / 2), bottom + 38, level.name.capitalize(), "middle", 13, 600,
                         LEVEL_COLOURS[level.name]))
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
            label = signed(row["gap"])
            if row["highlight"]:
                out.append(_rect(gap_x - 34, gy - 14, 68, 26, GAP_FILL, f' rx="13" stroke="{GAP_STROKE}"'))
                out.append(_text(gap_x, gy + 5, label, "middle", 15, 700, GAP_INK))
            else:
                out.append(_text(gap_x, gy + 5, label, "middle", 15, 400, MUTED))
    desc = "; ".join(
        f"{r['title']}: staff {num(r['staff'])}, people who use the service {num(r['consumer'])}"
        + (f", gap {signed(r['gap'])} points" if r["gap"] is not None else "") for r in rows)
    return _svg("chart-gap" + ("-compact" if compact else ""), width, height,
                "Staff and consumer scores per principle, out of 100", desc + ".", out)


def responsive(wide: str, narrow: str) -> str:
    """Both layouts of a chart; CSS shows the one that fits (hidden ones are hidden from screen readers too)."""
    return f'<div class="wide-only">{wide}</div><div class="narrow-only">{narrow}</div>'


def chart_level_counts(months: List[MonthLevels]) -> str:
    """Stacked columns: staff self-checks per month, by level."""
    width, height, x0, x1, top, bottom = 460, 310, 40, 452, 54, 250
    peak = max((m["total"] for m in months), default=1) or 1
    step = max(1, -(-peak // 4))
    y_max = step * -(-peak // step)

    def sy(v: float) -> float:
        return bottom - (bottom - top) * v / y_max

    out = []
    lx = x0
    for name in LEVEL_NAMES:
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
        y: float = bottom
        for name in LEVEL_NAMES:
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
    desc = "; ".join(f"{m['label']}: " + (", ".join(f"{m['counts'][n]} {n}" for n in LEVEL_NAMES) if m["total"] else "none")
                     for m in months)
    return _svg("chart-levels", width, height, "Staff self-checks per month, by level", desc + ".", out)


def _month_ticks(cx: float, bottom: float, m: MonthLevels, i: int, months: List[MonthLevels]) -> List[str]:
    month, year = m["label"].split()
    out = [_text(cx, bottom + 20, month, "middle", 14, fill=MUTED)]
    if i == 0 or months[i - 1]["label"].split()[1] != year:
        out.append(_text(cx, bottom + 38, year, "middle", 13, fill=MUTED))
    return out


def chart_mean_overall(months: List[MonthLevels]) -> str:
    """Mean overall staff score per month on 0-100, over bands showing the levels."""
    width, height, x0, x1, top, bottom = 460, 310, 40, 344, 54, 250

    def sy(v: float) -> float:
        return bottom - (bottom - top) * v / 100

    out = [_text(x0, 21, "Mean overall score (0–100)", size=14, fill=MUTED)]
    for level in LEVELS:
        lo, hi = band(level)
        name = level.name
        out.append(_rect(x0, sy(hi), x1 - x0, sy(lo) - sy(hi), LEVEL_TINTS[name]))
        out.append(_rect(x1, sy(hi), 4, sy(lo) - sy(hi), LEVEL_COLOURS[name]))
        out.append(_text(x1 + 10, (sy(lo) + sy(hi)) / 2 + 5, name.capitalize(), size=14, weight=600,
                         fill=LEVEL_COLOURS[name]))
    for v in [level.low for level in LEVELS] + [MAX_SCORE]:
        out.append(_text(x0 - 8, sy(v) + 5, f"{v:.0f}", "end", 14, fill=MUTED))
    slot = (x1 - x0) / max(len(months), 1)
    points = [(x0 + slot * (i + 0.5), m["mean_overall"]) for i, m in enumerate(months)]
    known = [(x, v) for x, v in points if v is not None]
    if len(known) > 1:
        path = " ".join(f"{x:.1f},{sy(v):.1f}" for x, v in known)
        out.append(f'<polyline points="{path}" fill="none" stroke="{INK}" stroke-width="2.5" '
                   'stroke-linejoin="round"/>')
    for x, v in known:
        out.append(f'<circle cx="{x:.1f}" cy="{sy(v):.1f}" r="5.5" fill="{LEVEL_COLOURS[level_for(v)]}" '
                   f'stroke="#fff" stroke-width="2"/>')
        out.append(_text(x, sy(v) - 12, f"{v:.0f}", "middle", 14, 700))
    for i, m in enumerate(months):
        out.extend(_month_ticks(x0 + slot * (i + 0.5), bottom, m, i, months))
    out.append(_line(x0, bottom, x1, bottom, "#8a8f94"))
    desc = "; ".join(f"{m['label']}: {num(m['mean_overall'])}" for m in months)
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


def bars(uid: str, title: str, rows: List[Tuple[str, int]], colour: str = BAR_COLOUR, label_w: int = 300) -> str:
    return responsive(chart_bars(uid, title, rows, colour, label_w),
                       chart_bars(uid, title, rows, colour, label_w, compact=True))
