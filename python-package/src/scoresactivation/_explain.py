"""Local and global attributions of a fitted estimator, computed in the C++ core.

Methods (the same names in R):

- ``"deeplift"``: DeepLIFT, ``rule="rescale"`` or ``"reveal_cancel"``; sums to
  f(x) - f(baseline).
- ``"integrated_gradients"``: ``n_steps`` points of ``integration``
  (``"gausslegendre"``, ``"riemann_left"``, ``"riemann_right"``, ``"riemann_middle"``,
  ``"riemann_trapezoid"``).
- ``"gradient"`` and ``"gradient_times_input"``.
- ``"shapley"``: interventional Shapley values over ``background`` rows; exact
  (all coalitions) up to 12 features, else sampled antithetic permutations.

The explained output is the class logit (pre-softmax) or the regression value
(``output="raw"``); Shapley values can also explain class probabilities
(``output="probability"``).
"""

import numbers

import numpy as np
from sklearn.utils import check_random_state

from . import _core

LOCAL_METHODS = ("deeplift", "integrated_gradients", "gradient", "gradient_times_input", "shapley")
GLOBAL_METHODS = LOCAL_METHODS + ("scores", "permutation")
EXACT_SHAPLEY_MAX_FEATURES = 12


def _threads(est):
    from ._estimator import _resolve_threads

    return _resolve_threads(est.n_threads)


def _rows(est, values, name):
    """A (r, d) float array of reference rows from 'mean', 'zeros' or an array."""
    d = est.n_features_in_
    if isinstance(values, str):
        if values == "mean":
            if not est.standardize:
                # Without standardisation the model stores no training mean.
                raise ValueError(f"{name}='mean' needs the training mean, which a model fitted with "
                                 f"standardize=False does not store; pass the rows instead, e.g. "
                                 f"{name}=X_train.mean(axis=0)")
            return np.asarray(est._core.state()["arrays"]["input_mean"]).reshape(1, d)
        if values == "zeros":
            return np.zeros((1, d))
        raise ValueError(f"{name} must be 'mean', 'zeros' or an array, got {values!r}")
    if hasattr(values, "columns") and hasattr(est, "feature_names_in_"):
        values = values[list(est.feature_names_in_)]
    rows = np.asarray(values, dtype=np.float64)
    if rows.ndim == 1:
        rows = rows.reshape(1, -1)
    if rows.ndim != 2 or rows.shape[1] != d:
        raise ValueError(f"{name} must have {d} columns (one per feature), got shape {np.shape(values)}")
    if rows.shape[0] == 0:
        raise ValueError(f"{name} has no rows")
    if not np.all(np.isfinite(rows)):
        raise ValueError(f"{name} contains NaN or infinity")
    return np.asfortranarray(rows)


def _targets(est, target):
    """Output indices to explain, and whether a class axis is returned."""
    if not hasattr(est, "classes_"):
        if target not in (None, 0):
            raise ValueError("a regressor has a single output; leave target=None")
        return [0], False
    if target is None:
        return list(range(len(est.classes_))), True
    matches = np.flatnonzero(est.classes_ == target)
    if len(matches) != 1:
        raise ValueError(f"target must be one of the classes {est.classes_.tolist()}, got {target!r}")
    return [int(matches[0])], False


def explain(est, X, method="deeplift", *, baseline="mean", target=None, output="raw", rule="rescale",
            n_steps=50, integration="gausslegendre", background=None, exact=None, n_permutations=64,
            random_state=None, as_explanation=False):
    if method not in LOCAL_METHODS:
        raise ValueError(f"method must be one of {', '.join(LOCAL_METHODS)}; got {method!r}")
    if output not in ("raw", "probability"):
        raise ValueError(f"output must be 'raw' or 'probability', got {output!r}")
    if output == "probability" and method != "shapley":
        raise ValueError("output='probability' is available for method='shapley' only; "
                         "the other methods explain the logit (output='raw')")
    if output == "probability" and not hasattr(est, "classes_"):
        raise ValueError("output='probability' needs a classifier")
    X = est._check_X(X)
    targets, class_axis = _targets(est, target)
    threads = _threads(est)
    core = est._core
    base_values = None
    results = []
    if method == "shapley":
        background_rows = _rows(est, "mean" if background is None else background, "background")
        d = X.shape[1]
        use_exact = d <= EXACT_SHAPLEY_MAX_FEATURES if exact is None else bool(exact)
        if not isinstance(n_permutations, numbers.Integral) or n_permutations < 1:
            raise ValueError(f"n_permutations must be a positive integer, got {n_permutations!r}")
        seed = int(check_random_state(random_state).randint(0, 2**31 - 1)) if not isinstance(
            random_state, numbers.Integral) else int(random_state)
        base_values = []
        for t in targets:
            r = _core.shapley(core, X, background_rows, t, output, use_exact, int(n_permutations), seed, threads)
            results.append(np.asarray(r["values"]))
            base_values.append(r["base_value"])
    else:
        reference = _rows(est, baseline, "baseline")
        for t in targets:
            if method == "deeplift":
                if rule not in ("rescale", "reveal_cancel"):
                    raise ValueError(f"rule must be 'rescale' or 'reveal_cancel', got {rule!r}")
                values = _core.deeplift(core, X, reference, t, rule, threads)
            elif method == "integrated_gradients":
                if not isinstance(n_steps, numbers.Integral) or n_steps < 1:
                    raise ValueError(f"n_steps must be a positive integer, got {n_steps!r}")
                values = _core.integrated_gradients(core, X, reference, t, int(n_steps), integration, threads)
            else:
                values = _core.gradient(core, X, t, method == "gradient_times_input", threads)
            results.append(np.asarray(values))
        if method in ("deeplift", "integrated_gradients"):
            ref_out = _core.model_outputs(core, reference, "raw", threads)
            base_values = [float(ref_out[:, t].mean()) for t in targets]
    values = np.stack(results, axis=-1) if class_axis else results[0]
    if not as_explanation:
        return values
    try:
        import shap
    except ImportError:  # pragma: no cover - exercised only without shap
        raise ImportError("as_explanation=True needs the shap package (pip install shap)") from None
    names = list(getattr(est, "feature_names_in_", [f"x{j}" for j in range(X.shape[1])]))
    base = None
    if base_values is not None:
        base = np.tile(np.asarray(base_values if class_axis else base_values[0]), (X.shape[0],) + ((1,) if class_axis else ()))
    return shap.Explanation(values=values, base_values=base, data=np.asarray(X), feature_names=names)


def global_importance(est, X=None, y=None, method="scores", *, n_repeats=5, random_state=None, **kwargs):
    """One importance per feature: 'scores' (the learned scores), 'permutation'
    (increase of the model's loss, needs y), or the mean absolute local
    attribution of any local method over the rows of X (and over classes)."""
    if method not in GLOBAL_METHODS:
        raise ValueError(f"method must be one of {', '.join(GLOBAL_METHODS)}; got {method!r}")
    if method in ("scores", "permutation") and kwargs:
        raise TypeError(f"method={method!r} takes no argument(s) {', '.join(sorted(kwargs))}; "
                        "those belong to the local methods of explain()")
    if method == "scores":
        return est.scores()
    if X is None:
        raise ValueError(f"method={method!r} needs X")
    if method == "permutation":
        if y is None:
            raise ValueError("method='permutation' needs y")
        X = est._check_X(X)
        y = np.asarray(y)
        if y.shape != (X.shape[0],):
            raise ValueError(f"y must have shape ({X.shape[0]},), got {y.shape}")
        if hasattr(est, "classes_"):
            index = np.searchsorted(est.classes_, y)
            index = np.clip(index, 0, len(est.classes_) - 1)
            if not np.all(est.classes_[index] == y):
                raise ValueError("y contains labels the classifier was not fitted on")
            y_core = index.astype(np.float64)
        else:
            y_core = y.astype(np.float64)
        if not isinstance(n_repeats, numbers.Integral) or n_repeats < 1:
            raise ValueError(f"n_repeats must be a positive integer, got {n_repeats!r}")
        seed = int(random_state) if isinstance(random_state, numbers.Integral) else int(
            check_random_state(random_state).randint(0, 2**31 - 1))
        result = _core.permutation_importance(est._core, X, y_core, np.empty(0), int(n_repeats), seed, _threads(est))
        return np.asarray(result["importances_mean"])
    values = explain(est, X, method, random_state=random_state, **kwargs)
    axes = (0, 2) if values.ndim == 3 else 0
    return np.abs(values).mean(axis=axes)
