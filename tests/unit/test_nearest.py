"""The nearest-example evidence without Rasa: it is the cosine that scikit-learn computes."""
import numpy as np
import pytest

from bot import nlu_model
from bot.nearest import ExampleIndex
from tests.unit.test_nlu_model import LABELS, TEXTS


@pytest.fixture(scope="module")
def fitted():
    pipeline = nlu_model.build(10).fit(TEXTS, LABELS)
    scorer = nlu_model.Scorer.from_pipeline(pipeline)
    block = scorer.tfidf_block("word")
    index = ExampleIndex.build((scorer.tfidf(t) for t in TEXTS), LABELS, ["what_is_coproduction"],
                               scorer.n_features, block)
    return pipeline, scorer, index


def test_similarity_is_the_cosine_to_the_nearest_example_in_the_word_block(fitted):
    pipeline, scorer, index = fitted
    words = dict(pipeline[0].transformer_list)["words"]
    examples = words.transform([t for t, lab in zip(TEXTS, LABELS) if lab == "what_is_coproduction"])
    for text in ["what be coproduction", "explain it to me please", "coproduction coproduction meaning",
                 "book me an appointment"]:
        expected = float((examples @ words.transform([text]).T).toarray().max())
        assert index.similarity(scorer.tfidf(text), "what_is_coproduction") == pytest.approx(expected, abs=1e-6)


def test_a_training_example_is_its_own_nearest_and_no_shared_word_is_no_evidence(fitted):
    _, scorer, index = fitted
    assert index.similarity(scorer.tfidf("define coproduction please"), "what_is_coproduction") == pytest.approx(1.0)
    assert index.similarity(scorer.tfidf("cancel tuesday booking"), "what_is_coproduction") == 0.0
    assert index.similarity(scorer.tfidf(""), "what_is_coproduction") == 0.0


def test_only_the_listed_classes_are_indexed(fitted):
    _, scorer, index = fitted
    assert index.covers("what_is_coproduction") and not index.covers("out_of_scope/booking")
    assert index.similarity(scorer.tfidf("book me an appointment"), "out_of_scope/booking") == 0.0


def test_the_index_is_the_same_after_saving_and_loading_and_refuses_pickles(fitted, tmp_path):
    _, scorer, index = fitted
    index.save(tmp_path / "i.npz")
    loaded = ExampleIndex.load(tmp_path / "i.npz")
    for text in ["what be coproduction", "explain coproduction", "zzz"]:
        f = scorer.tfidf(text)
        assert loaded.similarity(f, "what_is_coproduction") == index.similarity(f, "what_is_coproduction")
    with np.load(tmp_path / "i.npz") as f:
        arrays = dict(f)
    arrays["data"] = np.array([tmp_path], dtype=object)
    with open(tmp_path / "i.npz", "wb") as f:
        np.savez(f, **arrays)
    with pytest.raises(ValueError, match="pickle"):
        ExampleIndex.load(tmp_path / "i.npz")


def test_proba_from_features_already_computed_equals_predict_proba(fitted):
    pipeline, scorer, _ = fitted
    for text in ["what be coproduction", "", "zzz qqq"]:
        np.testing.assert_allclose(scorer.proba(text, scorer.tfidf(text)), pipeline.predict_proba([text])[0],
                                   rtol=1e-6, atol=1e-8)
