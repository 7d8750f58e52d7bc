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
    """Spearman's rank correlation (average ranks for ties)."""
    return _core.spearman(_vector(a, "a"), _vector(b, "b"))


def kendall_tau(a, b):
    """Kendall's tau-b."""
    return _core.kendall_tau(_vector(a, "a"), _vector(b, "b"))


def top_k_precision(scores, relevant, k=None):
    """Share of the k highest-scored features that are in ``relevant`` (indices);
    k defaults to the number of relevant features."""
    from ._explain import _count

    scores = _vector(scores, "scores")
    d = len(scores)
    relevant = [_count(r, "relevant", 0, max(d - 1, 0)) for r in relevant]
    k = len(relevant) if k is None else k
    return _core.top_k_precision(scores, relevant, _count(k, "k", 1, max(d, 1)))


def ranking_stability(importances):
    """Mean pairwise Spearman correlation of several importance vectors (rows),
    e.g. the scores of one estimator fitted with different seeds."""
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
    """Target output as the most important features (by ``attributions``,
    (n, d) per row or (d,) global) are replaced one at a time by the baseline.
    Returns (curves (n, d + 1), area under the curve with x scaled to [0, 1]);
    a faithful ranking makes the output fall fast (small area)."""
    X, attr, ref, t, output, threads = _prepare(est, X, attributions, baseline, target, output)
    if not _tabular_network(est):
        curves, auc = _core.deletion_curve_of(_output_function(est, t, output), X, attr, ref, False)
    else:
        curves, auc = _core.deletion_curve(est._core, X, attr, ref, t, output, False, threads)
    return np.asarray(curves), auc


def insertion_curve(est, X, attributions, *, baseline="mean", target=None, output="raw"):
    """Like deletion_curve, but starting from the baseline and revealing the
    most important features first (a faithful ranking gives a large area)."""
    X, attr, ref, t, output, threads = _prepare(est, X, attributions, baseline, target, output)
    if not _tabular_network(est):
        curves, auc = _core.deletion_curve_of(_output_function(est, t, output), X, attr, ref, True)
    else:
        curves, auc = _core.deletion_curve(est._core, X, attr, ref, t, output, True, threads)
    return np.asarray(curves), auc


def faithfulness(est, X, attributions, *, reference="median", X_train=None, target=None, output="raw"):
    """SENN's faithfulness: mean over rows of the correlation between the
    attributions and the drop of the output when each feature alone is set to
    its reference (the training median: pass X_train, or an explicit row)."""
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
    """Local Lipschitz estimate of an explanation function (SENN's stability):
    per row, max ||e(x) - e(x')|| / ||x - x'|| over points x' drawn uniformly
    within radius * feature_scale (default: the columns' sd) of x."""
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
