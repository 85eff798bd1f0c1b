"""What measures the model stays unseen: no held-out phrasing, real question or HWU64 dev/test
line appears in the training data."""
import pytest

from bot import evaluation
from tests.conftest import load_bench_nlu as _bench_nlu


@pytest.fixture(scope="module")
def examples():
    """(text, intent) of every training example, read once for the module."""
    return _bench_nlu().training_examples()


@pytest.fixture(scope="module")
def training(examples):
    return {text.lower() for text, _ in examples}


def test_no_held_out_line_is_in_the_training_data(training):
    heldout = _bench_nlu().heldout()
    assert len(heldout) >= 400
    assert [text for text, _ in heldout if text.lower() in training] == []


def test_no_real_question_is_in_the_training_data(training):
    real = evaluation.load_real()
    assert len(real) >= 400
    assert [r.text for r in real if r.text.lower() in training] == []


def test_hwu64_trains_only_on_its_train_split(training):
    if not evaluation.HWU64.exists():
        pytest.skip("shared/corpora is not beside the repository")
    measured = evaluation.load_hwu64("dev") + evaluation.load_hwu64("test")
    assert len(measured) > 4000
    assert [r.text for r in measured if r.text.lower() in training] == []


def test_no_training_line_is_given_two_intents(examples):
    """One phrasing, one meaning: a line both under a topic and in `not_covered` (or out of scope)
    would teach the model both "this topic" and "no topic" for the same words."""
    labels: dict = {}
    for text, intent in examples:
        labels.setdefault(" ".join(text.lower().split()), set()).add(intent.split("/")[0])
    assert {t: sorted(i) for t, i in labels.items() if len(i) > 1} == {}


def test_real_questions_name_their_page_and_only_topics_that_exist():
    """A typo in a label ("benefit" for "benefits") would score a right answer as wrong, and a
    question without its page could not be checked or split by page."""
    from bot.topics import TOPICS

    real = evaluation.load_real(names=["uk", "au_general"])
    assert len(real) >= 150
    assert [r.text for r in real if not r.source.startswith(("http://", "https://"))] == []
    unknown = {(r.text, label) for r in real for label in r.acceptable if label not in TOPICS}
    assert unknown == set()
    assert [r.text for r in real if "none" in r.label.split() and r.acceptable] == []
