"""bot.nlu_fit minimises scikit-learn's multinomial logistic regression objective."""
from __future__ import annotations

import numpy as np
import pytest

from bot import nlu_fit, nlu_model
from tests.unit.test_nlu_model import LABELS, TEXTS


@pytest.mark.parametrize("embedding_weight", [0.0, 1.0])
def test_the_fit_agrees_with_scikit_learns_logistic_regression(embedding_weight):
    from sklearn.linear_model import LogisticRegression

    from bot.embeddings import DIM

    union = nlu_model.build(10, embedding_weight=embedding_weight)[0]
    features = union.fit_transform(TEXTS)
    reference = LogisticRegression(C=10, max_iter=3000, tol=1e-8).fit(features, LABELS)
    ours = nlu_fit.multinomial_logistic(features, DIM if embedding_weight else 0, LABELS, 10, tol=1e-8)
    assert list(ours.classes) == list(reference.classes_)
    np.testing.assert_allclose(ours.coef, reference.coef_, atol=1e-4)
    np.testing.assert_allclose(ours.intercept, reference.intercept_, atol=1e-4)


def test_fit_gives_the_pipeline_the_solution(tmp_path):
    scorer = nlu_model.fit(TEXTS, LABELS, c=10)
    assert scorer.predict(["book an appointment for me"])[0] == "out_of_scope/booking"
    texts = ["what be coproduction", "move my booking", "can i take paracetamol"]
    pipeline = nlu_model.build(10).fit(TEXTS, LABELS)
    np.testing.assert_allclose(scorer.predict_proba(texts), pipeline.predict_proba(texts), atol=1e-3)


def test_two_classes_are_refused():
    union = nlu_model.build(10)[0]
    features = union.fit_transform(["a b", "c d", "a c"])
    with pytest.raises(ValueError, match="three classes"):
        nlu_fit.multinomial_logistic(features, 0, ["x", "y", "x"], 10)
