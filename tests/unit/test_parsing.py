import pytest

from bot.parsing import clean_text, is_back, is_skip, is_stop, parse_choice, parse_rating, parse_yes_no


@pytest.mark.parametrize("text,expected", [
    ("4", 4), (" 5 ", 5), ("1", 1), ("four", 4), ("Three", 3), ("mostly", 4), ("not at all", 1),
    ("strongly agree", 5), ("Strongly disagree", 1), ("disagree", 2), ("agree", 4), ("I'd say 2", 2),
    ("neither agree nor disagree", 3), ("sometimes", 3), ("4 - Mostly", 4), ("completely!", 5),
])
def test_ratings_typed_or_pressed_mean_the_same(text, expected):
    assert parse_rating(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "banana", "6", "0", "10", "3 or 4", "2.5", "what is co-production?"])
def test_unreadable_ratings_are_none_not_a_guess(text):
    assert parse_rating(text) is None


def test_choice_by_number_title_or_words():
    options = ("A few hours a week", "A few hours a month", "Not at the moment")
    syn = {"A few hours a week": ("week",), "Not at the moment": ("not now",)}
    assert parse_choice("2", options) == "A few hours a month"
    assert parse_choice("a few hours a month", options) == "A few hours a month"
    assert parse_choice("maybe every week", options, syn) == "A few hours a week"
    assert parse_choice("not now thanks", options, syn) == "Not at the moment"
    assert parse_choice("purple", options, syn) is None
    assert parse_choice("7", options) is None


def test_commands():
    assert is_stop("Stop") and is_stop("cancel.") and not is_stop("stop smoking services")
    assert is_back("go back") and is_back("Back") and not is_back("back pain")
    assert is_skip("skip") and is_skip("Prefer not to say") and not is_skip("skipping meals")


@pytest.mark.parametrize("text,expected", [
    ("yes", True), ("Yes please", True), ("ok", True), ("yep, save it", True), ("no", False),
    ("No thanks", False), ("don't save", False), ("maybe", None), ("", None),
])
def test_yes_no(text, expected):
    assert parse_yes_no(text) is expected


def test_clean_text_strips_control_characters_and_caps_length():
    assert clean_text("hi\x00\x07 there\u202e") == "hi there"
    assert len(clean_text("x" * 5000)) == 1000
    assert clean_text(None) == ""
