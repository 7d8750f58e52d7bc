"""Plots of the learned scores, and a bridge to shap's plots.

matplotlib and shap are optional: they are imported only when a function that
needs them is called (``pip install scoresactivation[plot]`` or
``pip install matplotlib shap``).
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = ["plot_scores", "plot_history", "plot_consistency", "to_shap_explanation"]


def _pyplot(function):
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(f"{function} needs matplotlib: pip install matplotlib") from None
    return plt


def _feature_names(est):
    names = getattr(est, "feature_names_in_", None)
    if names is not None:
        return [str(n) for n in names]
    return [f"x{j}" for j in range(est.n_features_in_)]


def _check_scores(est, function):
    """NotFittedError for an unfitted estimator, ValueError for one without scores."""
    check_is_fitted(est, "n_epochs_")
    if not getattr(est, "scores_layer", True):
        raise ValueError(f"{function}: this model was fitted with scores_layer=False and has no feature scores")


def _top(top, d):
    if top is None:
        return d
    if not isinstance(top, (int, np.integer)) or isinstance(top, bool) or top < 1:
        raise ValueError(f"top must be a positive integer or None, got {top!r}")
    return min(int(top), d)


def plot_scores(est, ax=None, top=None, **bar_kwargs):
    """Horizontal bar chart of ``est.scores()``, the most important feature on top.

    A model fitted with ``n_bootstrap`` > 0 gets error bars: the 95 %
    bootstrap interval of each score (``est.scores_interval()``).

    Parameters
    ----------
    est : fitted ScoresActivationClassifier or ScoresActivationRegressor
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    top : int, optional
        Show only the ``top`` highest-scored features.
    **bar_kwargs
        Passed to ``Axes.barh``.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_diabetes
    >>> from scoresactivation import ScoresActivationRegressor, plot_scores
    >>> X, y = load_diabetes(return_X_y=True, as_frame=True)
    >>> est = ScoresActivationRegressor(max_epochs=20, n_bootstrap=4, random_state=0).fit(X, y)
    >>> ax = plot_scores(est, top=5)  # 95 % bootstrap intervals as error bars
    >>> len(ax.patches)
    5
    """
    plt = _pyplot("plot_scores")
    _check_scores(est, "plot_scores")
    scores = np.asarray(est.scores())  # any set_output
    names = _feature_names(est)
    order = np.argsort(-scores, kind="stable")[: _top(top, len(scores))]
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.9 + 0.28 * len(order)))
    bar_kwargs.setdefault("color", "tab:blue")
    positions = np.arange(len(order))
    if hasattr(est, "scores_bootstrap_") and "xerr" not in bar_kwargs:
        low, high = est._interval_array(0.95)  # (2, d) under any set_output
        # an interval need not contain the main fit's score: clip the bar lengths at 0
        bar_kwargs["xerr"] = np.vstack([np.clip(scores[order] - low[order], 0, None),
                                        np.clip(high[order] - scores[order], 0, None)])
        bar_kwargs.setdefault("capsize", 2)
    ax.barh(positions, scores[order], **bar_kwargs)
    ax.set_yticks(positions)
    ax.set_yticklabels([names[j] for j in order])
    if not ax.yaxis_inverted():
        ax.invert_yaxis()  # first (most important) bar on top
    ax.set_xlabel("score (softmax weight, sums to 1)")
    ax.set_title(f"ScoresActivation feature scores ({type(est).__name__})")
    return ax


def plot_history(est, ax=None, top=None, **line_kwargs):
    """The scores after each epoch (``est.scores_history_``), one line per feature.

    Parameters
    ----------
    est : fitted ScoresActivationClassifier or ScoresActivationRegressor
    ax : matplotlib Axes, optional
    top : int, optional
        Draw only the ``top`` features with the highest final scores
        (``est.scores()``, the scores of the restored best epoch).
    **line_kwargs
        Passed to ``Axes.plot``.

    Returns
    -------
    matplotlib Axes
        One line per drawn feature (epochs 1..n_epochs_ on x), labelled with
        the feature's name; a legend is added when at most 12 lines are drawn.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_diabetes
    >>> from scoresactivation import ScoresActivationRegressor, plot_history
    >>> X, y = load_diabetes(return_X_y=True, as_frame=True)
    >>> est = ScoresActivationRegressor(max_epochs=20, n_bootstrap=4, random_state=0).fit(X, y)
    >>> ax = plot_history(est, top=3)
    >>> len(ax.get_lines())
    3
    """
    plt = _pyplot("plot_history")
    _check_scores(est, "plot_history")
    history = np.asarray(est.scores_history_)
    names = _feature_names(est)
    order = np.argsort(-np.asarray(est.scores()), kind="stable")[: _top(top, history.shape[1])]
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    epochs = np.arange(1, history.shape[0] + 1)
    for j in order:
        ax.plot(epochs, history[:, j], label=names[j], **line_kwargs)
    ax.set_xlabel("epoch")
    ax.set_ylabel("score")
    best = getattr(est, "best_epoch_", None)
    title = "ScoresActivation scores during training"
    if best is not None:
        title += f" (weights and scores of epoch {best} kept)"
    ax.set_title(title)
    if len(order) <= 12:
        ax.legend(fontsize="small", ncol=2 if len(order) > 6 else 1)
    return ax


def to_shap_explanation(est):
    """The global scores as a ``shap.Explanation``, for shap's plots.

    For example ``shap.plots.bar(to_shap_explanation(est))``.

    Parameters
    ----------
    est : fitted estimator
        Any estimator of this package with scores (``scores_layer=True``).

    Returns
    -------
    shap.Explanation
        ``values`` the scores, with the feature names.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from scoresactivation import ScoresActivationRegressor, to_shap_explanation
    >>> X, y = load_diabetes(return_X_y=True, as_frame=True)
    >>> est = ScoresActivationRegressor(max_epochs=20, n_bootstrap=4, random_state=0).fit(X, y)
    >>> explanation = to_shap_explanation(est)  # needs shap
    >>> explanation.values.shape
    (10,)
    """
    try:
        import shap
    except ImportError:
        raise ImportError("to_shap_explanation needs shap: pip install shap") from None
    _check_scores(est, "to_shap_explanation")
    return shap.Explanation(values=np.asarray(est.scores()), feature_names=_feature_names(est))


def plot_consistency(report, metric="spearman", ax=None):
    """Heatmap of the agreement between the sources of a ConsistencyReport.

    Parameters
    ----------
    report : ConsistencyReport
        What :func:`consistency` returned.
    metric : {"spearman", "kendall", "top_k_overlap"}, default="spearman"
        The matrix drawn; its values are written in the cells.
    ax : matplotlib.axes.Axes, optional
        Where to draw (None: a new figure).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from scoresactivation import consistency, plot_consistency
    >>> report = consistency({"a": [3.0, 2.0, 1.0], "b": [1.0, 3.0, 2.0]})
    >>> ax = plot_consistency(report, "kendall")
    >>> ax.get_title()
    'Agreement between sources (Kendall tau)'
    """
    from ._consistency import ConsistencyReport, _metric

    if not isinstance(report, ConsistencyReport):
        raise ValueError("plot_consistency needs the report returned by scoresactivation.consistency()")
    values = _metric(report, metric)
    plt = _pyplot("plot_consistency")
    created = ax is None
    if created:
        m = len(report.names)
        _, ax = plt.subplots(figsize=(4.5 + 0.8 * m, 3.0 + 0.6 * m))
    low = -1.0 if metric != "top_k_overlap" else 0.0
    image = ax.imshow(values, vmin=low, vmax=1.0, cmap="RdBu" if low < 0 else "Blues")
    ax.set_xticks(range(len(report.names)), report.names, rotation=45, ha="right")
    ax.set_yticks(range(len(report.names)), report.names)
    for (i, j), v in np.ndenumerate(values):
        ax.text(j, i, "n/a" if np.isnan(v) else f"{v:.2f}", ha="center", va="center", fontsize=8)
    label = {"spearman": "Spearman", "kendall": "Kendall tau", "top_k_overlap": f"top-{report.top_k} overlap"}[metric]
    ax.figure.colorbar(image, ax=ax, label=label)
    ax.set_title(f"Agreement between sources ({label})")
    if created:
        ax.figure.tight_layout()  # room for the rotated source names
    return ax
