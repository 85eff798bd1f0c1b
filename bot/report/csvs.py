"""The CSVs behind the report page, one per table, with spreadsheet formulas guarded (`bot.csvsafe`)."""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, Dict, Iterable, List, Sequence, Tuple

from bot.csvsafe import csv_safe
from bot.report.data import ReportData
from bot.scoring import LEVEL_NAMES

Table = Tuple[Sequence[str], List[Sequence[Any]]]  # header, rows


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for row in rows:
            writer.writerow([csv_safe(v) for v in row])


def tables(data: ReportData) -> Dict[str, Table]:
    """{file name: (header, rows)} of every CSV."""
    return {
        "principles.csv": (
            ("principle_key", "principle", "staff_mean_score", "staff_ratings", "consumer_mean_score",
             "consumer_ratings", "gap"),
            [(r["key"], r["title"], r["staff"], r["staff_n"], r["consumer"], r["consumer_n"], r["gap"])
             for r in data["principles"]]),
        "levels.csv": (
            ("month", *LEVEL_NAMES, "total", "mean_overall"),
            [(m["month"], *(m["counts"][n] for n in LEVEL_NAMES), m["total"], m["mean_overall"])
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


def write_csvs(data: ReportData, out: Path) -> List[Path]:
    """Write every CSV into the folder `out`; returns their paths."""
    paths = []
    for name, (header, rows) in tables(data).items():
        _write_csv(out / name, header, rows)
        paths.append(out / name)
    return paths
