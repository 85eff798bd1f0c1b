"""Read what people type in guided questions: ratings, choices, yes/no, stop/back/skip.

Pure functions, no Rasa: a typed "four", "mostly" or "strongly agree" means the same
as pressing the button, and anything we cannot read returns None so the question is
asked again instead of storing a guess.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Optional, Sequence

MAX_FREE_TEXT = 1000

_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}

# Longest phrases first so "strongly disagree" wins over "disagree" and "agree".
_RATING_PHRASES = (
    ("strongly disagree", 1), ("completely disagree", 1), ("totally disagree", 1), ("not at all", 1),
    ("never", 1), ("not really", 2), ("strongly agree", 5), ("completely agree", 5), ("totally agree", 5),
    ("neither agree nor disagree", 3), ("neither", 3), ("not sure", 3), ("unsure", 3), ("neutral", 3),
    ("in between", 3), ("somewhat", 3), ("sometimes", 3), ("partly", 3), ("partially", 3), ("some of the time", 3),
    ("disagree", 2), ("rarely", 2), ("a little", 2), ("slightly", 2), ("hardly", 2), ("not much", 2),
    ("mostly", 4), ("usually", 4), ("often", 4), ("largely", 4), ("agree", 4), ("quite a lot", 4),
    ("completely", 5), ("fully", 5), ("always", 5), ("absolutely", 5), ("definitely", 5), ("very much", 5),
)

_STOP = {"stop", "cancel", "quit", "exit", "end", "abort", "stop please", "cancel please", "i want to stop",
         "stop the survey", "cancel the survey", "stop this", "cancel this", "stop the check", "cancel the check"}
_BACK = {"back", "go back", "previous", "undo", "change my answer", "change my last answer", "previous question",
         "go back please", "back please", "let me change that"}
_SKIP = {"skip", "pass", "skip it", "skip this", "skip please", "no comment", "nothing", "none", "n/a", "na",
         "rather not say", "i'd rather not say", "id rather not say", "prefer not to say", "next", "nothing to add",
         "no thanks", "not really no", "-"}
_YES = {"yes", "y", "yeah", "yep", "yup", "sure", "ok", "okay", "of course", "go ahead", "yes please",
        "that's fine", "thats fine", "fine", "please do", "save", "save it", "yes save", "yes, save my answers",
        "agree", "i agree", "correct", "absolutely", "definitely"}
_NO = {"no", "n", "nope", "nah", "no thanks", "no thank you", "don't", "dont", "do not", "don't save",
       "dont save", "do not save", "no, don't save", "rather not", "i'd rather not", "not now"}


def clean_text(text: Optional[str], limit: int = MAX_FREE_TEXT) -> str:
    """Strip control characters and surrounding space, and cap the length. The raw text is cut
    first (to a few times the limit), so a huge message costs no more to clean than a long one."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", str(text)[: limit * 4 + 64])
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return text.strip()[:limit]


def normalise(text: Optional[str]) -> str:
    """Lower-case, collapse spaces, drop punctuation at the ends (for matching commands)."""
    text = clean_text(text).lower().replace("’", "'")
    text = re.sub(r"\s+", " ", text)
    return text.strip(" .!?,;:")


def parse_rating(text: Optional[str]) -> Optional[int]:
    """A 1-5 rating from digits, number words or agreement phrases; None if unreadable."""
    t = normalise(text)
    if not t:
        return None
    digits = re.findall(r"(?<![\d.])(\d+)(?![\d.])", t)
    if len(digits) == 1:
        value = int(digits[0])
        return value if 1 <= value <= 5 else None
    if len(digits) > 1:
        return None
    words = re.findall(r"[a-z']+", t)
    numbers = {_NUMBER_WORDS[w] for w in words if w in _NUMBER_WORDS}
    if len(numbers) == 1:
        return numbers.pop()
    if numbers:
        return None
    for phrase, value in _RATING_PHRASES:
        if re.search(rf"\b{re.escape(phrase)}\b", t):
            return value
    return None


def parse_choice(text: Optional[str], options: Sequence[str], synonyms: Optional[dict] = None) -> Optional[str]:
    """The option a person picked, by number ("2"), exact title or distinctive words."""
    t = normalise(text)
    if not t:
        return None
    if t.isdigit() and 1 <= int(t) <= len(options):
        return options[int(t) - 1]
    for option in options:
        if t == normalise(option):
            return option
    for option, words in (synonyms or {}).items():
        if any(re.search(rf"\b{re.escape(w)}\b", t) for w in words):
            return option
    return None


def is_stop(text: Optional[str]) -> bool:
    return normalise(text) in _STOP


def is_back(text: Optional[str]) -> bool:
    return normalise(text) in _BACK


def is_skip(text: Optional[str]) -> bool:
    return normalise(text) in _SKIP


def parse_yes_no(text: Optional[str]) -> Optional[bool]:
    """True for yes, False for no, None when unclear."""
    t = normalise(text)
    if t in _YES:
        return True
    if t in _NO:
        return False
    if re.match(r"^(yes|yeah|yep|sure|ok|okay)\b", t):
        return True
    if re.match(r"^(no|nope|nah)\b", t):
        return False
    return None
