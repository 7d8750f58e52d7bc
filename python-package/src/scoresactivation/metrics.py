"""Measures of rankings and attributions (computed in the C++ core).

The benchmarks and the documentation use these same functions.
"""

import itertools

import numpy as np

from . import _core

__all__ = [
    "spearman", "kendall_tau", "top_k_precision", "ranking_stability", "deletion_curve",
    "insertion_curve", "faithfulness", "local_lipschitz",
]


def _vector(values, name):
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"{name} must be 1-dimensional, got shape {values.shape}")
    return values


def spearman(a, b):
    """Spearman's rank correlation (average ranks for ties).

    Parameters
    ----------
    a, b : array-like of shape (n,)
        Two vectors of scores over the same items.

    Returns
    -------
    float
        In [-1, 1].

    Examples
    --------
    >>> from scoresactivation.metrics import spearman
    >>> spearman([0.5, 0.3, 0.2], [10, 5, 1])
    1.0
    """
    return _core.spearman(_vector(a, "a"), _vector(b, "b"))


def kendall_tau(a, b):
    """Kendall's tau-b (ties corrected).

    Parameters
    ----------
    a, b : array-like of shape (n,)
        Two vectors of scores over the same items.

    Returns
    -------
    float
        In [-1, 1].

    Examples
    --------
    >>> from scoresactivation.metrics import kendall_tau
    >>> kendall_tau([1, 2, 3], [3, 2, 1])
    -1.0
    """
    return _core.kendall_tau(_vector(a, "a"), _vector(b, "b"))


def top_k_precision(scores, relevant, k=None):
    """Share of the k highest-scored features that are in ``relevant``.

    Parameters
    ----------
    scores : array-like of shape (n_features,)
        Importances, larger is more important.
    relevant : array-like of int
        Indices of the truly relevant features.
    k : int or None, default=None
        How many top features to look at (None: ``len(relevant)``).

    Returns
    -------
    float
        In [0, 1].

    Examples
    --------
    >>> from scoresactivation.metrics import top_k_precision
    >>> top_k_precision([0.4, 0.1, 0.3, 0.2], relevant=[0, 3])  # top 2 are features 0 and 2
    0.5
    """
    from ._explain import _count

    scores = _vector(scores, "scores")
    d = len(scores)
    relevant = [_count(r, "relevant", 0, max(d - 1, 0)) for r in relevant]
    k = len(relevant) if k is None else k
    return _core.top_k_precision(scores, relevant, _count(k, "k", 1, max(d, 1)))


def ranking_stability(importances):
    """Mean pairwise Spearman correlation of several importance vectors.

    Parameters
    ----------
    importances : array-like of shape (n_runs, n_features)
        One importance vector per row, e.g. the scores of one estimator
        fitted with different seeds.

    Returns
    -------
    float
        In [-1, 1]; 1 when every run ranks the features alike.

    Examples
    --------
    >>> from scoresactivation.metrics import ranking_stability
    >>> ranking_stability([[0.5, 0.3, 0.2], [0.6, 0.1, 0.3]])
    0.5
    """
    importances = np.asarray(importances, dtype=np.float64)
    if importances.ndim != 2 or importances.shape[0] < 2:
        raise ValueError("importances must be 2-dimensional with at least 2 rows")
    pairs = itertools.combinations(range(importances.shape[0]), 2)
    return float(np.mean([spearman(importances[i], importances[j]) for i, j in pairs]))


def _prepare(est, X, attributions, baseline, target, output):
    from ._explain import _rows, _targets, _threads

    if getattr(est, "_family", "tabular") == "sequence":
        raise ValueError("the perturbation measures take tabular models; for sequence models use "
                         "global_importance(..., method='permutation') or keep/remove-top-k retraining")
    X = est._check_X(X)
    attributions = np.asarray(attributions, dtype=np.float64)
    if attributions.ndim == 1:
        attributions = attributions.reshape(1, -1)
    targets, _ = _targets(est, target)
    if len(targets) != 1:
        raise ValueError("pass the class to follow as target")
    reference = _rows(est, baseline, "baseline")[0]
    return X, np.asfortranarray(attributions), reference, targets[0], output, _threads(est)


def _output_function(est, target, output):
    """The explained output of a model without the tabular network (SENN): one value per row."""
    if output not in ("raw", "probability"):
        raise ValueError(f"output must be 'raw' or 'probability', got {output!r}")
    if output == "probability":
        if not hasattr(est, "classes_"):
            raise ValueError("output='probability' needs a classifier")
        return lambda rows: np.asarray(est._core.predict_proba(rows))[:, target]
    return lambda rows: np.asarray(est._core.decision_function(rows))[:, target]


def _tabular_network(est):
    return isinstance(est._core, _core.Estimator)


def deletion_curve(est, X, attributions, *, baseline="mean", target=None, output="raw"):
    """The output as the most important features are replaced, one at a time, by the baseline.

    A faithful ranking makes the output fall fast (a small area).

    Parameters
    ----------
    est : fitted estimator
        A tabular or SENN estimator of this package.
    X : array-like of shape (n_samples, n_features)
        The rows whose output is followed.
    attributions : array-like of shape (n_samples, n_features) or (n_features,)
        Per-row attributions, or one global ranking for every row.
    baseline : "mean", "zeros" or array-like of shape (n_features,), default="mean"
        The value a removed feature takes.
    target : class label or None, default=None
        The class whose output is followed (None: a regressor's output, or a
        classifier's first class).
    output : {"raw", "probability"}, default="raw"
        The logit or the class probability.

    Returns
    -------
    curves : ndarray of shape (n_samples, n_features + 1)
        The output after removing 0, 1, ..., n_features features.
    area : float
        The mean area under the curves, with x scaled to [0, 1].

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from scoresactivation import ScoresActivationRegressor
    >>> from scoresactivation.metrics import deletion_curve
    >>> X, y = load_diabetes(return_X_y=True)
    >>> est = ScoresActivationRegressor(max_epochs=20, random_state=0).fit(X, y)
    >>> curves, area = deletion_curve(est, X[:20], est.scores())  # the global ranking for every row
    >>> curves.shape
    (20, 11)
    """
    X, attr, ref, t, output, threads = _prepare(est, X, attributions, baseline, target, output)
    if not _tabular_network(est):
        curves, auc = _core.deletion_curve_of(_output_function(est, t, output), X, attr, ref, False)
    else:
        curves, auc = _core.deletion_curve(est._core, X, attr, ref, t, output, False, threads)
    return np.asarray(curves), auc


def insertion_curve(est, X, attributions, *, baseline="mean", target=None, output="raw"):
    """The output as the most important features are revealed, one at a time, from the baseline.

    Like :func:`deletion_curve` the other way round: a faithful ranking
    gives a large area.

    Parameters
    ----------
    est : fitted estimator
        A tabular or SENN estimator of this package.
    X : array-like of shape (n_samples, n_features)
        The rows whose output is followed.
    attributions : array-like of shape (n_samples, n_features) or (n_features,)
        Per-row attributions, or one global ranking for every row.
    baseline : "mean", "zeros" or array-like of shape (n_features,), default="mean"
        The value a removed feature takes.
    target : class label or None, default=None
        The class whose output is followed (None: a regressor's output, or a
        classifier's first class).
    output : {"raw", "probability"}, default="raw"
        The logit or the class probability.

    Returns
    -------
    curves : ndarray of shape (n_samples, n_features + 1)
        The output after revealing 0, 1, ..., n_features features.
    area : float
        The mean area under the curves, with x scaled to [0, 1].

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from scoresactivation import ScoresActivationRegressor
    >>> from scoresactivation.metrics import insertion_curve
    >>> X, y = load_diabetes(return_X_y=True)
    >>> est = ScoresActivationRegressor(max_epochs=20, random_state=0).fit(X, y)
    >>> curves, area = insertion_curve(est, X[:20], est.explain(X[:20], "deeplift"))
    >>> curves.shape
    (20, 11)
    """
    X, attr, ref, t, output, threads = _prepare(est, X, attributions, baseline, target, output)
    if not _tabular_network(est):
        curves, auc = _core.deletion_curve_of(_output_function(est, t, output), X, attr, ref, True)
    else:
        curves, auc = _core.deletion_curve(est._core, X, attr, ref, t, output, True, threads)
    return np.asarray(curves), auc


def faithfulness(est, X, attributions, *, reference="median", X_train=None, target=None, output="raw"):
    """SENN's faithfulness of per-row attributions.

    The mean over rows of the correlation between the attributions and the
    drop of the output when each feature alone is set to its reference.

    Parameters
    ----------
    est : fitted estimator
        A tabular or SENN estimator of this package.
    X : array-like of shape (n_samples, n_features)
        The rows.
    attributions : array-like of shape (n_samples, n_features)
        One attribution per row and feature.
    reference : "median" or array-like of shape (n_features,), default="median"
        The value a feature is set to ("median": the training median, which
        needs ``X_train``).
    X_train : array-like of shape (m, n_features), optional
        The training rows, for ``reference="median"``.
    target : class label or None, default=None
        The class whose output is followed.
    output : {"raw", "probability"}, default="raw"
        The logit or the class probability.

    Returns
    -------
    float
        The mean Pearson correlation, in [-1, 1].

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from scoresactivation import ScoresActivationRegressor
    >>> from scoresactivation.metrics import faithfulness
    >>> X, y = load_diabetes(return_X_y=True)
    >>> est = ScoresActivationRegressor(max_epochs=20, random_state=0).fit(X, y)
    >>> value = faithfulness(est, X[:20], est.explain(X[:20], "deeplift"), X_train=X)
    >>> -1.0 <= value <= 1.0
    True
    """
    if isinstance(reference, str) and reference == "median":
        if X_train is None:
            raise ValueError("reference='median' needs X_train")
        reference = np.median(np.asarray(X_train, dtype=np.float64), axis=0)
    X, attr, ref, t, output, threads = _prepare(est, X, attributions, reference, target, output)
    if attr.shape != X.shape:
        raise ValueError(f"attributions must have shape {X.shape}")
    if not _tabular_network(est):
        return _core.faithfulness_correlation_of(_output_function(est, t, output), X, attr, ref)
    return _core.faithfulness_correlation(est._core, X, attr, ref, t, output, threads)


def local_lipschitz(explain, X, *, radius=0.1, n_samples=20, feature_scale=None, random_state=0):
    """Local Lipschitz estimate of an explanation function (SENN's stability).

    Per row, ``max ||e(x) - e(x')|| / ||x - x'||`` over points x' drawn
    uniformly within ``radius * feature_scale`` of x.

    Parameters
    ----------
    explain : callable
        Maps rows (m, n_features) to their explanations (m, ...).
    X : array-like of shape (n_samples, n_features)
        The rows.
    radius : float, default=0.1
        The neighbourhood's half-width, in units of ``feature_scale``.
    n_samples : int, default=20
        Points drawn per row.
    feature_scale : array-like of shape (n_features,), optional
        Per-feature scale (None: the columns' standard deviation in X).
    random_state : int, default=0
        Seed of the core's generator.

    Returns
    -------
    ndarray of shape (n_samples,)
        The estimate per row (smaller is stabler).

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from scoresactivation import ScoresActivationRegressor
    >>> from scoresactivation.metrics import local_lipschitz
    >>> X, y = load_diabetes(return_X_y=True)
    >>> est = ScoresActivationRegressor(max_epochs=20, random_state=0).fit(X, y)
    >>> estimate = local_lipschitz(lambda rows: est.explain(rows, "gradient"), X[:5], n_samples=10)
    >>> estimate.shape
    (5,)
    """
    from ._explain import _count

    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError("X must be 2-dimensional")
    n_samples = _count(n_samples, "n_samples", 1, _core.MAX_N_SAMPLES)
    random_state = _count(random_state, "random_state", 0, 2**64 - 1)
    scale = X.std(axis=0) if feature_scale is None else np.asarray(feature_scale, dtype=np.float64)
    scale = np.where(scale > 0, scale, 1.0)

    def explain_rows(rows):
        values = np.asarray(explain(rows), dtype=np.float64)
        return values.reshape(values.shape[0], -1)

    return np.asarray(_core.local_lipschitz(explain_rows, np.asfortranarray(X), scale, float(radius),
                                            n_samples, random_state))
