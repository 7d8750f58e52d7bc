"""Would another model say the same? The consistency (harmonizing) report over
importances from several (architecture, method) sources, computed in the core."""

import numbers
from dataclasses import dataclass

import numpy as np

from . import _core


@dataclass(frozen=True)
class ConsistencyReport:
    """Agreement between every two sources and the consensus ranking.

    ``spearman``, ``kendall``, ``top_k_overlap``: (m, m) arrays in the order
    of ``names``; entry (a, b) is the mean over every pair of runs of a and b,
    the diagonal a source's agreement with itself across runs (its stability;
    NaN with one run). ``mean_rank``: (m, d), each source's mean rank per
    feature (1 = most important); ``consensus_rank`` (d,) its mean over the
    sources and ``consensus_spread`` (d,) the sd over the sources;
    ``consensus_ranking``: the features from most to least important by
    consensus (names when given, else column indices).
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
        """The (m, m) matrix of ``metric`` as a pandas DataFrame labelled by source."""
        import pandas as pd

        return pd.DataFrame(_metric(self, metric), index=self.names, columns=self.names)

    def plot(self, metric="spearman", ax=None):
        """Heatmap of ``metric`` between the sources (see plotting.plot_consistency)."""
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
