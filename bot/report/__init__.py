"""The staff insight report: one self-contained HTML page plus the CSVs behind it.

    data      `build(session)`: the report's numbers from the read side (`bot.views`), as `ReportData`
    charts    the charts as accessible inline SVG
    sections  the sections of the page; `page` puts them together with the CSS (`report.css`)
    csvs      the CSVs, with spreadsheet formulas guarded
    style     colours, escaping and number formats shared by the charts and the page

`render_html()` is what `/report` serves (`bot.web`, via `bot.cli`) and `write(out_dir)` is
`python -m bot report`. Everything people typed (comments, unanswered questions, team names) is
HTML-escaped on the page.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Union

from bot.report.csvs import write_csvs
from bot.report.data import ReportData, build
from bot.report.page import render

__all__ = ["ReportData", "build", "render", "render_html", "write", "write_csvs"]


def render_html(url: Optional[str] = None) -> str:
    """The whole report as one self-contained HTML page (database: `url` or DATABASE_URL)."""
    from bot.db import session_scope

    with session_scope(url) as session:
        data = build(session)
    return render(data)


def write(out_dir: Union[str, Path], url: Optional[str] = None) -> Path:
    """Write report.html and the CSVs behind it to `out_dir` (created if needed); returns the HTML path."""
    from bot.db import session_scope

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with session_scope(url) as session:
        data = build(session)
    write_csvs(data, out)
    html_path = out / "report.html"
    html_path.write_text(render(data), encoding="utf-8")
    return html_path
