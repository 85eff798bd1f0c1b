"""The real questions' labels: two annotators' own, the third's where they differed, and the settled
label in the question files."""
import pytest

from bot import evaluation
from bot.topics import TOPICS


@pytest.fixture(scope="module")
def real():
    return evaluation.load_real(names=["uk", "au_general"])


@pytest.mark.parametrize("name", ["first", "second"])
def test_each_annotator_labelled_every_real_question_with_topics_that_exist(real, name):
    labels = evaluation.load_annotator(name)
    assert set(labels) == {evaluation.question_key(r.text) for r in real}
    assert {(k, t) for k, ids in labels.items() for t in ids if t not in TOPICS} == set()


def test_where_the_annotators_agree_the_settled_label_is_theirs(real):
    """Only the questions they differed on were settled by a third person."""
    first, second = evaluation.load_annotator("first"), evaluation.load_annotator("second")
    agreed = [r for r in real if set(first[evaluation.question_key(r.text)]) == set(second[evaluation.question_key(r.text)])]
    assert len(agreed) >= len(real) // 2
    assert [r.text for r in agreed if r.acceptable != set(first[evaluation.question_key(r.text)])] == []


def test_where_they_differ_the_settled_label_is_the_third_annotators(real):
    first, second = evaluation.load_annotator("first"), evaluation.load_annotator("second")
    third = evaluation.load_annotator("third")
    differed = {k for k in first if set(first[k]) != set(second[k])}
    assert set(third) == differed
    settled = {evaluation.question_key(r.text): r.acceptable for r in real}
    assert [k for k in differed if settled[k] != set(third[k])] == []


def test_agreement_counts_same_sets_and_answer_or_not():
    a = {"q1": ("benefits",), "q2": (), "q3": ("limitations", "benefits"), "q4": ("four_cos",)}
    b = {"q1": ("benefits",), "q2": ("limitations",), "q3": ("benefits", "limitations"), "q4": ()}
    result = evaluation.agreement(a, b, ["q1", "q2", "q3", "q4"])
    assert (result.n, result.same_set, result.answer_or_not) == (4, 0.5, 0.5)
    # both say "some topic" for 3 of 4: chance agreement 0.75 * 0.75 + 0.25 * 0.25 = 0.625
    assert result.kappa == pytest.approx((0.5 - 0.625) / (1 - 0.625))
    assert evaluation.agreement(a, a, list(a)).kappa == 1.0


def test_an_annotator_answers_with_the_first_topic_they_listed_or_not_at_all():
    assert evaluation.annotator_outcome(("payment_and_expenses", "budgeting_for_involvement")) == \
        "answer:payment_and_expenses"
    assert evaluation.annotator_outcome(()) == "not_covered"


def test_question_key_joins_copies_of_one_question():
    assert evaluation.question_key("  Who\u2019s  eligible?") == evaluation.question_key("who's eligible?")
