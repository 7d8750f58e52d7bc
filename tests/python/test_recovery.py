"""Ground truth: the default estimator puts exactly the relevant features on top."""

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_friedman1
from sklearn.model_selection import train_test_split

from scoresactivation import ScoresActivationClassifier, ScoresActivationRegressor

SEEDS = range(3)  # the full 10-seed protocol runs in benchmarks/ and docs/method.md


def top5_is_relevant(est):
    return set(np.argsort(-est.scores())[:5].tolist()) == {0, 1, 2, 3, 4}


@pytest.mark.parametrize("n_features", [10, 16])
@pytest.mark.parametrize("seed", SEEDS)
def test_classification_recovers_informative_columns(n_features, seed):
    X, y = make_classification(
        n_samples=2000, n_features=n_features, n_informative=5, n_redundant=0, shuffle=False, random_state=seed
    )
    assert top5_is_relevant(ScoresActivationClassifier(random_state=seed).fit(X, y))


@pytest.mark.parametrize("seed", SEEDS)
def test_friedman1_recovers_relevant_columns(seed):
    X, y = make_friedman1(n_samples=2000, n_features=10, noise=1.0, random_state=seed)
    est = ScoresActivationRegressor(random_state=seed).fit(X, y)
    assert top5_is_relevant(est)
    assert est.score(X, y) > 0.8


def test_scores_layer_beats_plain_network_on_noisy_data():
    X, y = make_classification(
        n_samples=2000, n_features=16, n_informative=5, n_redundant=0, shuffle=False, random_state=0
    )
    # make_classification sorts rows by class when shuffle=False: split at random
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
    with_layer = ScoresActivationClassifier(random_state=0).fit(X_train, y_train).score(X_test, y_test)
    without = ScoresActivationClassifier(scores_layer=False, random_state=0).fit(X_train, y_train)
    assert with_layer > without.score(X_test, y_test)
