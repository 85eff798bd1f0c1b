"""bot.nlu_fit minimises scikit-learn's multinomial logistic regression objective."""
from __future__ import annotations

import logging

import numpy as np
import pytest

from bot import nlu_fit, nlu_model
from bot.embeddings import DIM
from tests.unit.test_nlu_model import LABELS, TEXTS


@pytest.mark.parametrize("embedding_weight", [0.0, 1.0])
def test_the_fit_agrees_with_scikit_learns_logistic_regression(embedding_weight):
    from sklearn.linear_model import LogisticRegression

    features = nlu_model.build(10, embedding_weight=embedding_weight)[0].fit_transform(TEXTS)
    reference = LogisticRegression(C=10, max_iter=3000).fit(features, LABELS)  # tol 1e-4, as in production
    ours = nlu_fit.multinomial_logistic(features, DIM if embedding_weight else 0, LABELS, 10)
    assert list(ours.classes) == list(reference.classes_)
    np.testing.assert_allclose(ours.coef, reference.coef_, rtol=0, atol=1e-8)
    np.testing.assert_allclose(ours.intercept, reference.intercept_, rtol=0, atol=1e-8)


def test_splitting_off_the_dense_columns_changes_nothing():
    features = nlu_model.build(10, embedding_weight=1.0)[0].fit_transform(TEXTS)
    whole = nlu_fit.multinomial_logistic(features, 0, LABELS, 10)
    for dense in (DIM, DIM + 5):  # the embedding block, and it with a few TF-IDF columns
        split = nlu_fit.multinomial_logistic(features, dense, LABELS, 10)
        np.testing.assert_allclose(split.coef, whole.coef, rtol=0, atol=1e-8)


def test_nlu_model_fit_scores_with_this_solution():
    scorer = nlu_model.fit(TEXTS, LABELS, c=10, embedding_weight=1.0)
    pipeline = nlu_model.build(10, embedding_weight=1.0)
    features = pipeline[0].fit_transform(TEXTS)
    solution = nlu_fit.multinomial_logistic(features, DIM, LABELS, 10)
    assert scorer.weights.dtype == np.float32
    np.testing.assert_allclose(scorer.weights, solution.coef.T, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(scorer.intercept, solution.intercept)
    assert scorer.predict(["book an appointment for me"])[0] == "out_of_scope/booking"


def test_a_fit_that_did_not_converge_is_reported(caplog):
    features = nlu_model.build(10)[0].fit_transform(TEXTS)
    with caplog.at_level(logging.WARNING, logger="coprod.nlu_fit"):
        nlu_fit.multinomial_logistic(features, 0, LABELS, 10, max_iter=2)
    assert "before converging" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="coprod.nlu_fit"):
        nlu_fit.multinomial_logistic(features, 0, LABELS, 10)
    assert caplog.text == ""


def test_two_classes_are_refused():
    features = nlu_model.build(10)[0].fit_transform(["a b", "c d", "a c"])
    with pytest.raises(ValueError, match="three classes"):
        nlu_fit.multinomial_logistic(features, 0, ["x", "y", "x"], 10)
