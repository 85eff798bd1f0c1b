"""The intent model without Rasa: ranking of retrieval sub-kinds, the fit cache, safe loading."""
import pytest

from bot import nlu_model

TEXTS = ["what be co - production", "define coproduction please", "explain co production to me",
         "should i take paracetamol", "what dose of ibuprofen", "my rash be itchy",
         "book me an appointment", "change my visit time", "cancel tuesday booking"]
LABELS = ["what_is_coproduction"] * 3 + ["out_of_scope/medical"] * 3 + ["out_of_scope/booking"] * 3


def test_rank_adds_sub_kinds_up_to_their_intent_and_keeps_the_best_kind():
    ranked = nlu_model.rank(["benefits", "out_of_scope/booking", "out_of_scope/medical"], [0.4, 0.25, 0.35])
    assert ranked.intents[0][0] == "out_of_scope" and ranked.intents[0][1] == pytest.approx(0.6)
    assert ranked.intents[1] == ("benefits", 0.4)
    assert ranked.retrieval == {"out_of_scope": ("out_of_scope/medical", 0.35)}


def test_rank_without_retrieval_intents_has_no_selector_output():
    ranked = nlu_model.rank(["a", "b"], [0.3, 0.7])
    assert ranked.intents == [("b", 0.7), ("a", 0.3)] and ranked.retrieval == {}


def test_a_fitted_model_tells_the_kinds_apart():
    model = nlu_model.fit(TEXTS, LABELS, c=10)
    ranked = nlu_model.rank(model.classes_, model.predict_proba(["can i take paracetamol"])[0])
    assert ranked.intents[0][0] == "out_of_scope"
    assert ranked.retrieval["out_of_scope"][0] == "out_of_scope/medical"


def test_the_scorer_gives_the_pipelines_probabilities_also_after_saving_and_loading(tmp_path):
    import numpy as np

    pipeline = nlu_model.build(10).fit(TEXTS, LABELS)
    scorer = nlu_model.Scorer.from_pipeline(pipeline)
    nlu_model.save(scorer, tmp_path / "m.npz")
    loaded = nlu_model.load(tmp_path / "m.npz")
    # known words, unknown words only, repeated words (sublinear tf), empty text, misspellings
    texts = ["can i take paracetamol", "what be coproduction", "move my booking", "zzz qqq",
             "booking booking booking appointment", "", "coprodution benfits"]
    for s in (scorer, loaded):
        np.testing.assert_allclose(s.predict_proba(texts), pipeline.predict_proba(texts), rtol=1e-6, atol=1e-8)
        assert list(s.classes_) == list(pipeline.classes_)
        assert s.predict(texts) == list(pipeline.predict(texts))


def test_the_scorer_refuses_a_pipeline_it_does_not_cover():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(TfidfVectorizer(), LogisticRegression(multi_class="ovr")).fit(TEXTS, LABELS)
    with pytest.raises(ValueError, match="covers"):
        nlu_model.Scorer.from_pipeline(model)


def test_fit_reuses_an_identical_fit_and_refits_when_examples_change(tmp_path):
    first = nlu_model.fit(TEXTS, LABELS, c=10, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("*.npz"))) == 1
    again = nlu_model.fit(list(reversed(TEXTS)), list(reversed(LABELS)), c=10, cache_dir=tmp_path)
    assert again is not first and list(again.classes_) == list(first.classes_)
    assert len(list(tmp_path.glob("*.npz"))) == 1  # same examples in another order: same entry
    nlu_model.fit(TEXTS + ["what do coproduction mean"], LABELS + ["what_is_coproduction"], c=10, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("*.npz"))) == 2


def test_a_damaged_cache_entry_is_refitted(tmp_path):
    nlu_model.fit(TEXTS, LABELS, c=10, cache_dir=tmp_path)
    entry = next(tmp_path.glob("*.npz"))
    entry.write_bytes(b"not a model")
    model = nlu_model.fit(TEXTS, LABELS, c=10, cache_dir=tmp_path)
    assert model.predict(["book an appointment for me"])[0] == "out_of_scope/booking"
    assert nlu_model.load(entry) is not None  # rewritten with a good model


def test_load_refuses_pickled_objects(tmp_path):
    import numpy as np

    scorer = nlu_model.fit(TEXTS, LABELS, c=10)
    path = tmp_path / "evil.npz"
    nlu_model.save(scorer, path)
    with np.load(path) as f:
        arrays = dict(f)
    arrays["weights"] = np.array([tmp_path], dtype=object)  # an object array would need pickle
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    with pytest.raises(ValueError, match="pickle"):
        nlu_model.load(path)


def test_the_scorer_equals_the_pipeline_with_the_sentence_embedding_block_too(tmp_path):
    import numpy as np

    pipeline = nlu_model.build(10, embedding_weight=2.0).fit(TEXTS, LABELS)
    scorer = nlu_model.Scorer.from_pipeline(pipeline)
    assert [b["kind"] for b in scorer.blocks] == ["tfidf", "tfidf", "embedding"]
    nlu_model.save(scorer, tmp_path / "m.npz")
    loaded = nlu_model.load(tmp_path / "m.npz")
    texts = ["can i take paracetamol", "what be coproduction", "zzz qqq", "", "move my booking please"]
    for s in (scorer, loaded):
        np.testing.assert_allclose(s.predict_proba(texts), pipeline.predict_proba(texts), rtol=1e-6, atol=1e-8)


def test_the_embedding_puts_paraphrases_closer_than_unrelated_text():
    from bot.embeddings import embedder

    a, b, c = embedder().embed(["will I be paid for my time?", "do you pay people who take part in meetings",
                                "set an alarm for seven tomorrow"])
    assert abs(float(a @ a) - 1) < 1e-9
    assert float(a @ b) > float(a @ c)
