"""Synthetic data sets with known relevant features (columns 0-4), shared by the benchmarks."""

import numpy as np
from sklearn.datasets import make_classification, make_friedman1


def classification_10(seed, n_samples=2000):
    """make_classification: 5 informative columns (0-4), 5 pure-noise columns."""
    return make_classification(n_samples=n_samples, n_features=10, n_informative=5, n_redundant=0,
                               shuffle=False, random_state=seed)


def classification_16(seed, n_samples=2000):
    """make_classification: 5 informative columns (0-4), 11 pure-noise columns."""
    return make_classification(n_samples=n_samples, n_features=16, n_informative=5, n_redundant=0,
                               shuffle=False, random_state=seed)


def friedman1(seed, n_samples=2000):
    """Friedman #1 regression: columns 0-4 relevant, 5 noise columns."""
    return make_friedman1(n_samples=n_samples, n_features=10, noise=1.0, random_state=seed)


def interaction(seed, n_samples=2000):
    """Nonlinear classification with interactions a linear model cannot rank:
    y = 1[x0 * x1 + sin(2 x2) + |x3| - 0.8 + 0.5 x4 > 0], columns 5-9 noise."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, 10))
    logit = X[:, 0] * X[:, 1] + np.sin(2 * X[:, 2]) + np.abs(X[:, 3]) - 0.8 + 0.5 * X[:, 4]
    return X, (logit > 0).astype(int)


SYNTHETIC = {
    "classification 10 (5 informative)": ("classification", classification_10),
    "classification 16 (5 informative + 11 noise)": ("classification", classification_16),
    "Friedman #1 (5 relevant of 10)": ("regression", friedman1),
    "interaction (5 relevant of 10)": ("classification", interaction),
}
RELEVANT = frozenset(range(5))
