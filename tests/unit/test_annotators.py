"""The real questions' labels: two annotators' own, the third's where they differed, and the settled
label in the question files."""
import pytest

from bot import evaluation
from bot.topics import TOPICS
from tests.conftest import load_bench_nlu


@pytest.fixture(scope="module")
def real():
    return evaluation.load_real(names=["uk", "au_general"])


@pytest.mark.parametrize("name", ["first", "second"])
def test_each_annotator_labelled_every_real_question_with_topics_that_exist(real, name):
    labels = evaluation.load_annotator(name)
    assert set(labels) == {evaluation.question_key(r.text) for r in real}
    with (evaluation.ANNOTATORS / f"{name}.tsv").open(encoding="utf-8") as f:
        assert sum(1 for _ in f) - 1 == len(labels)  # one row per question, none given twice
    assert {(k, t) for k, ids in labels.items() for t in ids if t not in TOPICS} == set()


def test_where_the_annotators_agree_the_settled_label_is_theirs(real):
    """Only the questions they differed on were settled by a third annotator."""
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
    a = {"q1": ("benefits",), "q2": (), "q3": ("limitations", "benefits"), "q4": ("four_cos",),
         "q5": ("benefits",), "q6": ()}
    b = {"q1": ("benefits",), "q2": ("limitations",), "q3": ("benefits", "limitations"), "q4": (),
         "q5": ("limitations",), "q6": ()}
    result = evaluation.agreement(a, b, list(a))
    # same topics: q1, q3, q6; both "some topic" or both none: q1, q3, q5, q6
    assert (result.n, result.same_set, result.answer_or_not) == (6, 0.5, pytest.approx(4 / 6))
    # a says "some topic" for 4 of 6, b for 4 of 6 too but not the same ones: chance agreement
    # 4/6 * 4/6 + 2/6 * 2/6 = 5/9
    assert result.kappa == pytest.approx((4 / 6 - 5 / 9) / (1 - 5 / 9))
    lopsided = evaluation.agreement({"x": ("benefits",), "y": ("benefits",), "z": ()},
                                    {"x": ("benefits",), "y": (), "z": ()}, ["x", "y", "z"])
    # a: 2 of 3 "some topic", b: 1 of 3; observed 2/3; chance 2/3 * 1/3 + 1/3 * 2/3 = 4/9
    assert lopsided.kappa == pytest.approx((2 / 3 - 4 / 9) / (1 - 4 / 9))
    assert evaluation.agreement(a, a, list(a)).kappa == 1.0


def test_an_annotator_answers_with_the_first_topic_they_listed_or_not_at_all():
    assert evaluation.annotator_outcome(("payment_and_expenses", "budgeting_for_involvement")) == \
        "answer:payment_and_expenses"
    assert evaluation.annotator_outcome(()) == "not_covered"


def test_question_key_joins_copies_of_one_question():
    assert evaluation.question_key("  Who\u2019s  eligible?") == evaluation.question_key("who's eligible?")


def test_bench_nlu_prints_each_annotator_and_their_agreement_per_split(real):
    bench = load_bench_nlu()
    for split in ("dev", "test"):
        rows = evaluation.load_real(split, ["uk", "au_general"])
        keys = [evaluation.question_key(r.text) for r in rows]
        kappa = evaluation.agreement(evaluation.load_annotator("first"), evaluation.load_annotator("second"), keys).kappa
        text = bench.annotator_reference(split)
        assert f"({split}, {len(rows)})" in text
        assert "annotator first " in text and "annotator second" in text
        assert f"Cohen's kappa {kappa:.2f}" in text
