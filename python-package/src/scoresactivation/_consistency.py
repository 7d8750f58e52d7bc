"""Would another model say the same? The consistency (harmonizing) report over
importances from several (architecture, method) sources, computed in the core."""

import numbers
from dataclasses import dataclass

import numpy as np

from . import _core


@dataclass(frozen=True)
class ConsistencyReport:
    """Agreement between every two sources and the consensus ranking.

    Returned by :func:`consistency`; the fields are read-only results.

    Parameters
    ----------
    names : list of str
        The m sources, in the order of the matrices' rows and columns.
    feature_names : list of str or None
        The d features' names, when given.
    spearman, kendall, top_k_overlap : ndarray of shape (m, m)
        Entry (a, b): the mean over every pair of runs of sources a and b;
        the diagonal is a source's agreement with itself across runs (its
        stability; NaN with one run).
    mean_rank : ndarray of shape (m, d)
        Each source's mean rank per feature (1 = most important).
    consensus_rank : ndarray of shape (d,)
        The mean of ``mean_rank`` over the sources.
    consensus_spread : ndarray of shape (d,)
        Its standard deviation over the sources.
    top_k : int
        k of ``top_k_overlap``.

    Examples
    --------
    >>> from scoresactivation import consistency
    >>> report = consistency({"a": [3.0, 2.0, 1.0], "b": [1.0, 2.0, 3.0]})
    >>> float(report.spearman[0, 1])
    -1.0
    >>> report.to_frame().shape  # needs pandas
    (2, 2)
    """

    names: list
    feature_names: list
    spearman: np.ndarray
    kendall: np.ndarray
    top_k_overlap: np.ndarray
    mean_rank: np.ndarray
    consensus_rank: np.ndarray
    consensus_spread: np.ndarray
    top_k: int

    @property
    def consensus_ranking(self):
        """The features from the most to the least important by the consensus rank.

        Returns
        -------
        ndarray
            Feature names when the report has them, else column indices.
        """
        order = np.argsort(self.consensus_rank, kind="stable")
        return np.asarray(self.feature_names, dtype=object)[order] if self.feature_names is not None else order

    def to_frame(self, metric="spearman"):
        """One agreement matrix as a pandas DataFrame labelled by source.

        Parameters
        ----------
        metric : {"spearman", "kendall", "top_k_overlap"}, default="spearman"

        Returns
        -------
        pandas.DataFrame of shape (m, m)
        """
        import pandas as pd

        return pd.DataFrame(_metric(self, metric), index=self.names, columns=self.names)

    def plot(self, metric="spearman", ax=None):
        """Heatmap of one agreement matrix between the sources (:func:`plot_consistency`).

        Parameters
        ----------
        metric : {"spearman", "kendall", "top_k_overlap"}, default="spearman"
        ax : matplotlib.axes.Axes, optional
            Where to draw (None: a new figure).

        Returns
        -------
        matplotlib.axes.Axes
        """
        from .plotting import plot_consistency

        return plot_consistency(self, metric=metric, ax=ax)


def _metric(report, metric):
    if metric not in ("spearman", "kendall", "top_k_overlap"):
        raise ValueError(f"metric must be 'spearman', 'kendall' or 'top_k_overlap', got {metric!r}")
    return getattr(report, metric)


def consistency(importances, top_k=None, feature_names=None):
    """Agreement of feature importances across (architecture, method) sources.

    Parameters
    ----------
    importances : dict of name -> array of shape (runs, d) or (d,)
        One entry per source, at least two (say ``"gated MLP: scores"``, ``"SENN: theta"``),
        every row one run's (seed's, fold's) importance per feature, larger
        meaning more important (pass absolute attributions).
    top_k : int or None
        k of the top-k overlap; None: min(5, d).
    feature_names : sequence of d str, optional

    Returns
    -------
    ConsistencyReport

    Examples
    --------
    >>> import numpy as np
    >>> from scoresactivation import consistency
    >>> report = consistency({"scores": [[0.5, 0.3, 0.2], [0.6, 0.25, 0.15]],
    ...                       "|SHAP|": [[0.9, 0.2, 0.4]]}, top_k=1)
    >>> report.names
    ['scores', '|SHAP|']
    >>> float(report.spearman[0, 0])  # the scores agree with themselves over the two runs
    1.0
    >>> report.consensus_ranking
    array([0, 1, 2])
    """
    if not isinstance(importances, dict) or not importances:
        raise ValueError("importances must be a non-empty dict of name -> array (runs, n_features)")
    names, arrays = [], []
    for name, values in importances.items():
        try:
            array = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"importances[{name!r}] must be numeric") from None
        if array.ndim == 1:
            array = array[None, :]
        if array.ndim != 2:
            raise ValueError(f"importances[{name!r}] must be (runs, n_features) or (n_features,), got shape "
                             f"{array.shape}")
        names.append(str(name))
        arrays.append(np.asfortranarray(array))
    d = arrays[0].shape[1]
    if top_k is None:
        top_k = min(5, d)
    if not isinstance(top_k, numbers.Integral) or isinstance(top_k, bool):
        raise ValueError(f"top_k must be an integer, got {top_k!r}")
    if feature_names is not None:
        feature_names = [str(f) for f in feature_names]
        if len(feature_names) != d:
            raise ValueError(f"feature_names has {len(feature_names)} names for {d} features")
    try:
        r = _core.consistency(arrays, int(top_k))
    except ValueError as error:  # name the source by its key, not its position
        message = str(error)
        for i, name in enumerate(names):
            message = message.replace(f"importances[{i}]", f"importances[{name!r}]")
        raise ValueError(message) from None
    return ConsistencyReport(names=names, feature_names=feature_names, spearman=np.asarray(r["spearman"]),
                             kendall=np.asarray(r["kendall"]), top_k_overlap=np.asarray(r["top_k_overlap"]),
                             mean_rank=np.asarray(r["mean_rank"]), consensus_rank=np.asarray(r["consensus_rank"]),
                             consensus_spread=np.asarray(r["consensus_spread"]), top_k=int(r["top_k"]))
