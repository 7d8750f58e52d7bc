"""Local and global attributions of a fitted sequence estimator, computed in the
C++ core (core/include/scoresactivation/sequence_attribution.hpp).

Local methods (``explain``), of the raw output (class logit or regression
value) in the user's units:

- ``"integrated_gradients"``: ``n_steps`` points of ``integration`` from the
  ``baseline`` sequence(s); the attributions of a sequence sum to
  f(x) - f(baseline cut to its length), up to the quadrature error.
- ``"deeplift"``: DeepLIFT's rescale rule (the product rule for the LSTM's
  gates) from the ``baseline`` sequence(s); sums to f(x) - f(baseline cut
  to the sequence's length) to rounding.
- ``"gradient"`` and ``"gradient_times_input"``.
- ``"shapley"``: interventional Shapley values with the channels as players
  (a channel's whole sequence is present, or taken from ``background``
  sequences); exact up to 12 channels, else sampled antithetic permutations.

Global methods (``global_importance``): ``"scores"``, ``"deepactif"``
(``hook``, ``aggregation``), ``"permutation"`` and the mean absolute local
attribution of any local method.

Options of another method are a ValueError, as in the tabular explain().
"""

import numpy as np

from . import _core
from ._explain import (
    _check_global_arguments,
    _count,
    _Default,
    _seed,
    _threads,
    _true_responses,
    core_explain,
    explain_with_progress,
)
from ._progress import RunProgress

LOCAL_METHODS = tuple(_core.explain_methods("sequence"))
GLOBAL_METHODS = ("scores", "deepactif", "permutation") + LOCAL_METHODS
HOOKS = ("input", "encoder")
AGGREGATIONS = ("inv", "mean", "meanstd")
DEEPACTIF_BLOCK_ROWS = 256


def _reference(est, values, name, steps):
    """A reference option as the core takes it: ("mean" | "zeros", empty) or
    ("rows", the sequences (steps, channels) / (r, steps, channels) as the
    core's (r, steps * channels) matrix); the core checks the rest."""
    channels = est.n_features_in_
    if isinstance(values, str):
        return values, np.empty((0, 0))
    try:
        rows = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be 'mean', 'zeros' or an array of numbers") from None
    if rows.ndim == 2:
        rows = rows[np.newaxis]
    if rows.ndim != 3 or rows.shape[1:] != (steps, channels):
        raise ValueError(f"{name} must have shape ({steps}, {channels}) or (r, {steps}, {channels}) (the steps "
                         f"and channels of X), got shape {np.shape(values)}")
    return "rows", rows.reshape(rows.shape[0], steps * channels)


def explain(est, X, method="integrated_gradients", *, lengths=None, baseline=_Default("mean"), target=None,
            output="raw", rule=_Default("rescale"), n_steps=_Default(50), integration=_Default("gausslegendre"),
            background=_Default(None), exact=_Default(None), n_permutations=_Default(64),
            random_state=_Default(None)):
    """The core's explain() for sequence models; here only the conversion of Python values."""
    if not isinstance(method, str) or method not in LOCAL_METHODS:  # before X is checked
        raise ValueError(f"method must be one of {', '.join(LOCAL_METHODS)}; got {method!r}")
    options = dict(baseline=baseline, rule=rule, n_steps=n_steps, integration=integration, background=background,
                   exact=exact, n_permutations=n_permutations, random_state=random_state)
    x, steps, lengths = est._check_X(X, lengths)
    n, channels = x.shape[0], est.n_features_in_
    results, _, class_axis = core_explain(
        est, x, method, "sequence", options, target, output, channels,
        lambda value, name: _reference(est, value, name, steps),
        lambda core_options: explain_with_progress(est, method, lambda hook: _core.explain(
            est._core, x, steps, lengths, core_options, progress=hook)))
    if method != "shapley":
        results = [values.reshape(n, steps, channels) for values in results]
    return np.stack(results, axis=-1) if class_axis else results[0]


def global_importance(est, X=None, y=None, method="scores", *, lengths=None, n_repeats=_Default(5),
                      random_state=None, hook=_Default("input"), aggregation=_Default("mean"), **kwargs):
    """One importance per channel; see the estimators' global_importance."""
    n_repeats = _check_global_arguments(method, GLOBAL_METHODS, kwargs, n_repeats, random_state)
    deepactif_options = [k for k, v in (("hook", hook), ("aggregation", aggregation)) if not isinstance(v, _Default)]
    if method != "deepactif" and deepactif_options:
        raise ValueError(f"{', '.join(deepactif_options)} {'does' if len(deepactif_options) == 1 else 'do'} not "
                         f"apply to method={method!r}; {'it is' if len(deepactif_options) == 1 else 'they are'} "
                         "DeepACTIF's (method='deepactif')")
    if method == "scores":
        return est.scores()
    if X is None:
        raise ValueError(f"method={method!r} needs X")
    if method == "deepactif":
        if kwargs:
            raise TypeError(f"method='deepactif' takes no argument(s) {', '.join(sorted(kwargs))}; its options are "
                            "hook and aggregation")
        if random_state is not None:
            raise ValueError("random_state does not apply to method='deepactif' (it involves no sampling)")
        hook = hook.value if isinstance(hook, _Default) else hook
        aggregation = aggregation.value if isinstance(aggregation, _Default) else aggregation
        if not isinstance(hook, str) or hook not in HOOKS:
            raise ValueError(f"hook must be 'input' or 'encoder', got {hook!r}")
        if not isinstance(aggregation, str) or aggregation not in AGGREGATIONS:
            raise ValueError(f"aggregation must be 'inv', 'mean' or 'meanstd', got {aggregation!r}")
        x, steps, lengths = est._check_X(X, lengths)
        return np.asarray(_core.sequence_deepactif(est._core, x, steps, lengths, hook, aggregation,
                                                   DEEPACTIF_BLOCK_ROWS, _threads(est)))
    if method == "permutation":
        if y is None:
            raise ValueError("method='permutation' needs y")
        x, steps, lengths = est._check_X(X, lengths)
        y_core = _true_responses(est, y, x.shape[0])
        n_repeats = _count(n_repeats, "n_repeats", 1, _core.MAX_N_REPEATS)
        seed = _seed(random_state)
        with RunProgress(est, "permutation importance", "shuffles") as hook:
            result = _core.sequence_permutation_importance(est._core, x, steps, lengths, y_core, np.empty(0),
                                                           n_repeats, seed, _threads(est), progress=hook)
        return np.asarray(result["importances_mean"])
    if random_state is not None:
        kwargs["random_state"] = random_state
    values = np.abs(explain(est, X, method, lengths=lengths, **kwargs))
    if method != "shapley":
        values = values.sum(axis=1)  # over the time steps (zero where padded)
    return values.mean(axis=(0, 2) if values.ndim == 3 else 0)
