import pytest

from bot.principles import PRINCIPLE_KEYS
from bot.scoring import change_since, level_for, score, summary_lines, to_percent


def ratings(**over):
    base = {k: 3 for k in PRINCIPLE_KEYS}
    base.update(over)
    return base


def test_percent_scale_ends():
    assert to_percent(1) == 0 and to_percent(5) == 100 and to_percent(3) == 50


@pytest.mark.parametrize("score_,level", [
    (0, "descriptive"), (39.9, "descriptive"), (40, "intermediate"), (69.9, "intermediate"),
    (70, "transformative"), (100, "transformative"),
])
def test_level_thresholds(score_, level):
    assert level_for(score_) == level


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
