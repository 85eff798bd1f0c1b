"""The sections of the report page, each made from `ReportData` as escaped HTML."""
from __future__ import annotations

from typing import List

from bot.questions import CONTRIBUTE_OPTIONS
from bot.report.charts import bars, chart_level_counts, chart_mean_overall, chart_side_by_side, responsive
from bot.report.data import GAP_HIGHLIGHT, MAX_COMMENTS, ChoiceShare, ReportData
from bot.report.style import LEVEL_COLOURS, date, e, num, plural, signed
from bot.scoring import LEVEL_NAMES, LEVELS, level_for

FEEDBACK_RATING_LABELS = {1: "1 - Very poor", 2: "2 - Poor", 3: "3 - OK", 4: "4 - Good", 5: "5 - Excellent"}


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


def headline(data: ReportData) -> str:
    c, overall, fb = data["counts"], data["overall"], data["feedback"]
    stats = [_stat("Staff self-checks", str(c["staff_check"])),
             _stat("Consumer self-checks", str(c["consumer_check"])),
             _stat("Feedback responses", str(c["feedback"]))]
    for who, value in (("Staff average score", overall["staff"]), ("Consumer average score", overall["consumer"])):
        if value is None:
            stats.append(_stat(who, "–", sub="no self-checks yet"))
        else:
            level = level_for(value)
            stats.append(_stat(who, f"{value:.0f}", "/ 100", level.capitalize(), LEVEL_COLOURS[level]))
    if fb["mean_experience"] is None:
        stats.append(_stat("Average experience", "–", sub="no ratings yet"))
    else:
        stats.append(_stat("Average experience", f"{fb['mean_experience']:.1f}", "/ 5",
                           plural(fb["ratings"], "rating")))
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
        body += (f'<p>{e(plural(c["staff_check"], "staff self-check"))} and '
                 f'{e(plural(c["consumer_check"], "self-check"))} by people who use the service.{e(gap_line)}</p>')
    body += f'<dl class="stats">{"".join(stats)}</dl>'
    return _section("headline", "At a glance", body)


def side_by_side(data: ReportData) -> str:
    rows = data["principles"]
    intro = ("Each principle scored 0–100 (1 = not at all, 5 = completely). Where staff and the people who use the "
             f"service see things differently there is a knowledge gap; gaps of {GAP_HIGHLIGHT:.0f} points or more "
             "are highlighted.")
    if not any(r["staff_n"] or r["consumer_n"] for r in rows):
        return _section("side-by-side", "Staff and consumer views side by side",
                        _empty("No self-checks yet."), e(intro))
    big = data["biggest_gap"]
    if big is None or big["gap"] is None:
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
        gap = "–" if r["gap"] is None else (f'<span class="badge">{e(signed(r["gap"]))}</span>' if r["highlight"]
                                            else e(signed(r["gap"])))
        table_rows.append(
            f'<tr{HL if r["highlight"] else ""}><th scope="row">{e(r["title"])}</th>'
            f'<td class="num">{e(num(r["staff"]))}</td><td class="num">{r["staff_n"]}</td>'
            f'<td class="num">{e(num(r["consumer"]))}</td><td class="num">{r["consumer_n"]}</td>'
            f'<td class="num">{gap}</td></tr>')
    table = ('<div class="table-wrap"><table><caption>The numbers behind the chart</caption><thead><tr>'
             '<th scope="col">Principle</th><th scope="col" class="num">Staff score</th>'
             '<th scope="col" class="num">Staff answers</th><th scope="col" class="num">Consumer score</th>'
             '<th scope="col" class="num">Consumer answers</th><th scope="col" class="num">Gap</th>'
             f'</tr></thead><tbody>{"".join(table_rows)}</tbody></table></div>')
    chart = responsive(chart_side_by_side(rows), chart_side_by_side(rows, compact=True))
    starts = e(" and ".join(f"{level.name} ({level.low:.0f})" for level in LEVELS[1:]))
    body = (f'<p class="callout">{e(sentence)}</p><figure>{chart}'
            '<figcaption>Bars show the mean score out of 100. Gap = staff score minus consumer score. Dashed lines '
            f'mark where the {starts} levels start.</figcaption></figure>' + table)
    return _section("side-by-side", "Staff and consumer views side by side", body, e(intro))


def levels(data: ReportData) -> str:
    months = data["levels_by_month"]
    title = "Levels over time"
    intro = "Staff self-checks each month: how many reached each level, and the mean overall score."
    if not months:
        return _section("levels", title, _empty("No self-checks yet."), e(intro))
    rows = "".join(
        f'<tr><th scope="row" class="nowrap">{e(m["label"])}</th>'
        + "".join(f'<td class="num">{m["counts"][n]}</td>' for n in LEVEL_NAMES)
        + f'<td class="num">{m["total"]}</td><td class="num">{e(num(m["mean_overall"]))}</td></tr>'
        for m in months)
    heads = "".join(f'<th scope="col" class="num"><span class="swatch" style="background:{LEVEL_COLOURS[n]}" '
                    f'aria-hidden="true"></span>{e(n.capitalize())}</th>' for n in LEVEL_NAMES)
    table = ('<div class="table-wrap"><table><caption>Staff self-checks by month</caption><thead><tr>'
             f'<th scope="col">Month</th>{heads}<th scope="col" class="num">Total</th>'
             f'<th scope="col" class="num">Mean score</th></tr></thead><tbody>{rows}</tbody></table></div>')
    scored = [(m["label"], m["mean_overall"]) for m in months if m["mean_overall"] is not None]
    trend = ""
    if len(scored) > 1:
        (first_label, first), (last_label, last) = scored[0], scored[-1]
        delta = last - first
        direction = "up" if delta >= 0.5 else "down" if delta <= -0.5 else "about level"
        trend = (f'<p>The mean staff score went from {first:.0f} in {e(first_label)} to '
                 f'{last:.0f} in {e(last_label)}'
                 + (f" ({direction} {abs(delta):.0f} points)." if direction != "about level" else " (about level).")
                 + "</p>")
    body = (trend + f'<div class="pair"><figure>{chart_level_counts(months)}<figcaption>Number of staff self-checks '
            f'per month, coloured by level.</figcaption></figure><figure>{chart_mean_overall(months)}<figcaption>'
            'Mean overall score per month; the shaded bands are the levels.</figcaption></figure></div>' + table)
    return _section("levels", title, body, e(intro))


def _choices(sid: str, title: str, intro: str, rows: List[ChoiceShare], chart_title: str,
             sort: bool, summary: str = "") -> str:
    total = sum(r["count"] for r in rows)
    if not total:
        return _section(sid, title, _empty("No answers yet."), e(intro))
    ordered = sorted(rows, key=lambda r: -r["count"]) if sort else rows
    chart = bars(f"chart-{sid}", chart_title, [(r["choice"], r["count"]) for r in ordered])
    body = (f'<p>{e(summary)}</p>' if summary else "") + \
        f'<figure>{chart}<figcaption>{e(plural(total, "answer"))}; the percentage is the share of answers.' \
        '</figcaption></figure>'
    return _section(sid, title, body, e(intro))


def matters(data: ReportData) -> str:
    rows = data["matters_most"]
    summary = ""
    total = sum(r["count"] for r in rows)
    if total:
        top = max(rows, key=lambda r: r["count"])
        summary = f"Most often chosen: “{top['choice']}” ({top['count']} of {total})."
    return _choices("matters", "What matters most to consumers",
                    "What people who use the service said matters most to them.", rows,
                    "What matters most to people who use the service", True, summary)


def contribute(data: ReportData) -> str:
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


def feedback(data: ReportData) -> str:
    fb, comments = data["feedback"], data["comments"]
    parts = []
    if fb["mean_experience"] is None:
        parts.append(_empty("No experience ratings yet."))
    else:
        dist = [(FEEDBACK_RATING_LABELS[r], fb["distribution"][r]) for r in range(5, 0, -1)]
        parts.append(
            f'<p><span class="big">{fb["mean_experience"]:.1f}</span> <span class="muted">out of 5 — the average '
            f'experience rating from {e(plural(fb["ratings"], "person", "people"))}.</span></p>'
            f'<figure>{bars("chart-experience", "How people rated their experience", dist, "#3d7ea6", 200)}'
            '<figcaption>Number of people giving each rating.</figcaption></figure>')
    parts.append(f'<h3 id="comments-h">Comments <span class="muted">(newest first, up to {MAX_COMMENTS})</span></h3>')
    if not comments:
        parts.append(_empty("No comments yet."))
    else:
        items = "".join(
            f'<li class="q-{e(c["question"])}"><span class="meta"><strong>{e(c["label"])}</strong> · '
            f'<time datetime="{e(c["created_at"].date().isoformat())}">{e(date(c["created_at"]))}</time></span>'
            f'<blockquote>{e(c["text"])}</blockquote></li>' for c in comments)
        parts.append(f'<ul class="comments" aria-labelledby="comments-h">{items}</ul>')
    return _section("feedback", "Feedback and comments", "".join(parts),
                    e("How people rated their experience, and what they wrote in feedback and self-checks."))


def _themes(data: ReportData) -> str:
    rows = data.get("unanswered_themes") or []
    if not rows:
        return ""
    trs = "".join(f'<tr><td>{e(r["theme"])}</td><td class="num">{r["count"]}</td></tr>' for r in rows)
    return ('<div class="table-wrap"><table><caption>Questions about co-production we have no answer for yet, '
            'by the closest topic</caption><thead><tr><th scope="col">Theme</th>'
            f'<th scope="col" class="num">Questions</th></tr></thead><tbody>{trs}</tbody></table></div>')


def unanswered(data: ReportData) -> str:
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
    body += (f'<p>{e(plural(handoffs, "person", "people"))} asked to talk to a member of staff.</p>'
             if handoffs else "<p>Nobody has asked to talk to a member of staff yet.</p>")
    body += _handoffs(data)
    return _section("unanswered", "Questions the assistant couldn’t answer", body, e(intro))


HANDOFF_STATUS = {"noted": "Contact details given, note kept", "sent": "Open: waiting for a reply",
                  "answered": "Open: answered", "ended": "Ended"}


def _handoffs(data: ReportData) -> str:
    """The latest requests to talk to a person: open or answered, and how long the first reply took."""
    rows = data.get("handoff_list") or []
    if not rows:
        return ""
    trs = "".join(
        f'<tr><td>{e(r["reference"] or "–")}</td><td>{e(r["created_at"][:16].replace("T", " "))}</td>'
        f'<td>{e(HANDOFF_STATUS.get(r["status"], r["status"]))}</td>'
        f'<td class="num">{e(num(r["first_reply_minutes"], 1)) if r["first_reply_minutes"] is not None else "–"}</td></tr>'
        for r in rows)
    return ('<div class="table-wrap"><table><caption>Latest requests to talk to a person (UTC; the questions are in '
            '<code>python -m bot export --what handoffs</code>)</caption><thead><tr><th scope="col">Reference</th>'
            '<th scope="col">Asked</th><th scope="col">Status</th>'
            f'<th scope="col" class="num">First reply after (minutes)</th></tr></thead><tbody>{trs}</tbody></table></div>')
