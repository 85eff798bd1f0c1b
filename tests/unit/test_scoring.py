from pathlib import Path

import pytest

from bot.principles import PRINCIPLE_KEYS
from bot.scoring import LEVELS, MAX_SCORE, band_text, change_since, level_for, score, summary_lines, to_percent

ROOT = Path(__file__).resolve().parents[2]


def ratings(**over):
    base = {k: 3 for k in PRINCIPLE_KEYS}
    base.update(over)
    return base


def test_percent_scale_ends():
    assert to_percent(1) == 0 and to_percent(5) == 100 and to_percent(3) == 50


def level_edges():
    """Both sides of every level boundary, and the ends of the scale (the bands come from bot.scoring)."""
    cases = [(0, LEVELS[0].name), (MAX_SCORE, LEVELS[-1].name)]
    for below, level in zip(LEVELS, LEVELS[1:]):
        cases += [(level.low - 0.1, below.name), (level.low, level.name)]
    return cases


@pytest.mark.parametrize("score_,level", level_edges())
def test_level_thresholds(score_, level):
    assert level_for(score_) == level


def test_levels_cover_the_scale_in_order_and_read_as_bands():
    assert LEVELS[0].low == 0 and all(a.low < b.low < MAX_SCORE for a, b in zip(LEVELS, LEVELS[1:]))
    assert band_text(LEVELS[0]) == f"below {LEVELS[1].low:.0f}"
    assert band_text(LEVELS[-1]) == f"{LEVELS[-1].low:.0f} and above"
    assert all(level.text.startswith(level.name.capitalize() + ": ") for level in LEVELS)


def test_readme_level_table_matches_scoring():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| overall score | level |\n|---|---|\n", 1)[1].split("\n\n", 1)[0]
    assert table.splitlines() == [f"| {band_text(level)} | {level.name} |" for level in LEVELS]


def test_score_overall_level_and_two_weakest():
    result = score(ratings(assets=4, capabilities=4, mutuality=1, networks=2, blurring_roles=4, catalysts=4))
    assert result.per_principle["mutuality"] == 0
    assert result.per_principle["networks"] == 25
    assert result.overall == pytest.approx(to_percent(19 / 6))
    assert result.level == "intermediate"
    assert [p.key for p in result.weakest] == ["mutuality", "networks"]


def test_all_top_marks_is_transformative_and_ties_keep_principle_order():
    result = score({k: 5 for k in PRINCIPLE_KEYS})
    assert result.overall == 100 and result.level == "transformative"
    assert [p.key for p in result.weakest] == list(PRINCIPLE_KEYS[:2])


def test_incomplete_or_invalid_ratings_are_rejected():
    with pytest.raises(ValueError):
        score({"assets": 3})
    with pytest.raises(ValueError):
        score(ratings(assets=6))


def test_change_since_last_time():
    assert change_since(None, 50) is None
    assert change_since(37.5, 50) == 12.5
    lines = summary_lines(score(ratings()), previous=62.5)
    assert any("down 12 points" in line or "down 13 points" in line for line in lines)
