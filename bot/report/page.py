"""The whole report page: one self-contained, printable HTML document (the CSS from
`report.css` inlined, charts as inline SVG, no JavaScript, nothing loaded from elsewhere)."""
from __future__ import annotations

from pathlib import Path

from bot.report import sections
from bot.report.data import ReportData
from bot.report.style import date, e, sentence
from bot.scoring import LEVELS, band_text

CSS_FILE = Path(__file__).with_name("report.css")
TOC = (("headline", "At a glance"), ("side-by-side", "Side by side"), ("levels", "Levels over time"),
       ("matters", "What matters"), ("contribute", "Contributing"), ("feedback", "Feedback"),
       ("unanswered", "Unanswered questions"))


def css() -> str:
    """The page's style sheet, read when the page is made."""
    return CSS_FILE.read_text(encoding="utf-8")


def footer(data: ReportData) -> str:
    ranges = "".join(f"<dt>{e(level.name.capitalize())} ({e(band_text(level))})</dt>"
                     f"<dd>{e(sentence(level.meaning))}</dd>" for level in LEVELS)
    generated = data["generated_at"]
    return (
        '<footer><div class="wrap"><h2>About this report</h2>'
        "<p>Scores: each rating from 1 (not at all) to 5 (completely) is turned into 0–100 as "
        "(rating − 1) ÷ 4 × 100, and averaged. The overall score of a self-check is the mean of its six "
        "principles. Levels follow Needham &amp; Carr (SCIE, 2009):</p>"
        f"<dl>{ranges}</dl>"
        "<p>Answers are stored only when the person agreed, with a random id, the channel, the role and the date: "
        "never a name or chat id. Comments and questions are shown as people typed them, so they may name "
        "someone; please treat them with care.</p>"
        f'<p>Generated {e(date(generated))} at {e(generated.strftime("%H:%M"))} UTC by the Co-production Guide.</p>'
        "</div></footer>")


def render(data: ReportData) -> str:
    """The report page made from `data`."""
    body = [sections.headline(data), sections.side_by_side(data), sections.levels(data), sections.matters(data),
            sections.contribute(data), sections.feedback(data), sections.unanswered(data)]
    nav = "".join(f'<li><a href="#{sid}">{e(label)}</a></li>' for sid, label in TOC)
    generated = data["generated_at"]
    return (
        '<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex, nofollow">'
        "<title>Co-production insight report</title>"
        f"<style>\n{css()}</style></head><body>"
        '<a class="skip" href="#main">Skip to the report</a>'
        '<header class="masthead"><div class="wrap">'
        '<p class="eyebrow">Co-production Guide · Staff insight report</p>'
        "<h1>How co-produced is our service?</h1>"
        '<p class="lede">What staff and the people who use the service told the assistant: self-check scores side by '
        f'side, what matters to people, and their feedback. Generated {e(date(generated))}.</p>'
        f'<nav class="toc" aria-label="Sections of this report"><ul>{nav}</ul></nav>'
        "</div></header>"
        f'<main id="main"><div class="wrap">{"".join(body)}</div></main>'
        f"{footer(data)}</body></html>\n")
