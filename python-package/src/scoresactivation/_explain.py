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

An option of another method (``rule=`` with ``"integrated_gradients"``,
``n_steps=`` with ``"deeplift"``, ...) is a ValueError, not silently ignored;
so are counts outside the core's bounds (``n_steps`` <= 10**6,
``n_permutations`` <= 10**7, ``n_repeats`` <= 10**5).
"""

import numbers

import numpy as np
from . import _core
from ._common import class_indices
from ._common import resolve_seed as _seed  # noqa: F401 (the sequence and SENN explain() import it from here)
from ._common import Default as _Default
from ._common import threads_of as _threads
from ._progress import RunProgress

LOCAL_METHODS = tuple(_core.explain_methods("tabular"))
GLOBAL_METHODS = LOCAL_METHODS + ("scores", "permutation")



def _count(value, name, low, high):
    """An integer in [low, high] (bools are not counts), else ValueError naming
    the argument, before pybind11 could fail on it with a TypeError."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer in [{low}, {high}], got {value!r}")
    return int(value)


def _rows(est, values, name):
    """A (r, d) float array of reference rows from 'mean', 'zeros' or an array."""
    d = est._core.n_features  # the network's columns (a categorical variable's levels included)
    if isinstance(values, str):
        if values == "mean":
            if not est.standardize:
                # Without standardisation the model stores no training mean.
                raise ValueError(f"{name}='mean' needs the training mean, which a model fitted with "
                                 f"standardize=False does not store; pass the rows instead, e.g. "
                                 f"{name}=X_train.mean(axis=0)")
            return np.asarray(est._core.input_mean()).reshape(1, d)
        if values == "zeros":
            return np.zeros((1, d))
        raise ValueError(f"{name} must be 'mean', 'zeros' or an array, got {values!r}")
    values = _encoded(est, values)
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


def _encoded(est, values):
    """Reference rows given as a DataFrame: its columns by name, categorical
    variables encoded; arrays pass as they are (the network's columns)."""
    if not hasattr(values, "columns"):
        return values
    encoding = getattr(est, "_encoding", None)
    if encoding is not None:
        return encoding.transform(values, est.handle_unknown)
    if hasattr(est, "feature_names_in_"):
        return values[list(est.feature_names_in_)]
    return values


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


def _given(options):
    """The options the caller passed (random_state=None is the default;
    global_importance passes it on as such)."""
    return [k for k, v in options.items() if not isinstance(v, _Default) and not (k == "random_state" and v is None)]


def core_explain(est, X, method, family, options, target, output, n_players, reference, call):
    """The core's explain() for any family: converts the options' Python
    values, draws a seed only where the core says the call samples, and
    returns (per-target values, the core's result, whether a class axis is
    returned). The policy (which options a method reads, references, output
    rules, exactness, base values) is the core's.

    options: the method options with _Default wrappers where not passed;
    reference(value, name) -> (kind, rows) converts a baseline/background;
    call(core_options) runs the family's core explain."""
    if not isinstance(method, str):
        raise ValueError(f"method must be one of {', '.join(_core.explain_methods(family))}; got {method!r}")
    own = _core.explain_method_options(method, family)
    given = _given(options)
    values = {k: v.value if isinstance(v, _Default) else v for k, v in options.items()}
    if not isinstance(output, str):
        raise ValueError(f"output must be 'raw' or 'probability', got {output!r}")
    targets, class_axis = _targets(est, target)
    core_options = dict(method=method, given=given, targets=targets, output=output, n_threads=_threads(est))
    if "rule" in own:
        if not isinstance(values["rule"], str):
            raise ValueError(f"rule must be a string such as 'rescale', got {values['rule']!r}")
        core_options["rule"] = values["rule"]
    if "n_steps" in own:
        core_options["n_steps"] = _count(values["n_steps"], "n_steps", 1, _core.MAX_N_STEPS)
    if "integration" in own:
        _check_integration(values["integration"])
        core_options["integration"] = values["integration"]
    if "exact" in own:
        _check_exact(values["exact"])
        core_options["exact"] = -1 if values["exact"] is None else int(bool(values["exact"]))
    if "n_permutations" in own:
        core_options["n_permutations"] = _count(values["n_permutations"], "n_permutations", 1,
                                                _core.MAX_N_PERMUTATIONS)
    if "random_state" in own:
        sampled = _core.explain_uses_seed(method, core_options.get("exact", -1), n_players)
        if sampled or values["random_state"] is not None:
            core_options["seed"] = _seed(values["random_state"])
    for name in ("baseline", "background"):
        if name in own:
            value = values[name]
            core_options[name], core_options[name + "_rows"] = reference("mean" if value is None else value, name)
    result = call(core_options)
    return [np.asarray(v) for v in result["values"]], result, class_axis


def _check_exact(exact):
    if exact is not None and not isinstance(exact, (bool, np.bool_)):
        raise ValueError(f"exact must be None, True or False, got {exact!r}")


def _check_integration(integration):
    if not isinstance(integration, str):
        raise ValueError(f"integration must be a string such as 'gausslegendre', got {integration!r}")


def _true_responses(est, y, n):
    """y (n,) as the core's permutation importance takes it: class indices or numbers."""
    y = np.asarray(y)
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({n},), got {y.shape}")
    if hasattr(est, "classes_"):
        return class_indices(est.classes_, y)
    try:
        return y.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"y must be numeric for a regressor, got dtype {y.dtype}") from None


def _check_global_arguments(method, methods, kwargs, n_repeats, random_state):
    """global_importance's checks of its own arguments, shared by both families; returns n_repeats."""
    if not isinstance(method, str) or method not in methods:
        raise ValueError(f"method must be one of {', '.join(methods)}; got {method!r}")
    if method in ("scores", "permutation") and kwargs:
        raise TypeError(f"method={method!r} takes no argument(s) {', '.join(sorted(kwargs))}; "
                        "those belong to the local methods of explain()")
    if method != "permutation" and not isinstance(n_repeats, _Default):
        raise ValueError(f"n_repeats does not apply to method = {method!r}; it is the shuffles per feature of "
                         "method = 'permutation'")
    if method == "scores" and random_state is not None:
        raise ValueError("random_state does not apply to method = 'scores' (the learned scores involve no sampling)")
    return n_repeats.value if isinstance(n_repeats, _Default) else n_repeats


def _reference(est, values, name):
    """A reference option as the core takes it: ("mean" | "zeros", empty) or
    ("rows", the rows as a float array); the core checks the rest."""
    if isinstance(values, str):
        return values, np.empty((0, 0))
    values = _encoded(est, values)
    try:
        rows = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be 'mean', 'zeros' or an array of numbers, got {values!r}") from None
    if rows.ndim == 1:
        rows = rows.reshape(1, -1)
    if rows.ndim != 2:
        raise ValueError(f"{name} must be a 2-d array (rows, features), got shape {np.shape(values)}")
    return "rows", rows


def explain_with_progress(est, method, run):
    """run(hook) with a progress bar for Shapley values (the one local method
    that takes long; the others are a few passes)."""
    if method != "shapley":
        return run(None)
    with RunProgress(est, "Shapley values", "rows") as hook:
        return run(hook)


def explain(est, X, method="deeplift", *, baseline=_Default("mean"), target=None, output="raw",
            rule=_Default("rescale"), n_steps=_Default(50), integration=_Default("gausslegendre"),
            background=_Default(None), exact=_Default(None), n_permutations=_Default(64),
            random_state=_Default(None), per_level=False, as_explanation=False):
    """The core's explain() (its policy: options per method, references, exactness, base values);
    here only the conversion of Python values, and the sum over a categorical
    variable's levels (unless per_level)."""
    options = dict(baseline=baseline, rule=rule, n_steps=n_steps, integration=integration, background=background,
                   exact=exact, n_permutations=n_permutations, random_state=random_state)
    if not isinstance(method, str) or method not in LOCAL_METHODS:  # before X is checked
        raise ValueError(f"method must be one of {', '.join(LOCAL_METHODS)}; got {method!r}")
    if not isinstance(per_level, (bool, np.bool_)):  # before the core's work, too
        raise ValueError(f"per_level must be True or False, got {per_level!r}")
    X = est._check_X(X)
    results, result, class_axis = core_explain(
        est, X, method, "tabular", options, target, output, X.shape[1],
        lambda value, name: _reference(est, value, name),
        lambda core_options: explain_with_progress(est, method, lambda hook: _core.explain(
            est._core, X, core_options, progress=hook)))
    base_values = result["base_values"] or None
    values = np.stack(results, axis=-1) if class_axis else results[0]
    encoding = getattr(est, "_encoding", None)
    per_variable = encoding is not None and not per_level
    if per_variable:
        values = encoding.aggregate(values, axis=1)
    if not as_explanation:
        return values
    try:
        import shap
    except ImportError:  # pragma: no cover - exercised only without shap
        raise ImportError("as_explanation=True needs the shap package (pip install shap)") from None
    base = None
    if base_values is not None:
        base = np.tile(np.asarray(base_values if class_axis else base_values[0]), (X.shape[0],) + ((1,) if class_axis else ()))
    if per_variable:  # a variable's value is a level, not a number shap could colour by
        names, data = encoding.names, None
    else:
        names, data = list(est.encoded_feature_names_), np.asarray(X)
    return shap.Explanation(values=values, base_values=base, data=data, feature_names=names)


def global_importance(est, X=None, y=None, method="scores", *, n_repeats=_Default(5), random_state=None, **kwargs):
    """One importance per feature: 'scores' (the learned scores), 'permutation'
    (increase of the model's loss, needs y), or the mean absolute local
    attribution of any local method over the rows of X (and over classes)."""
    n_repeats = _check_global_arguments(method, GLOBAL_METHODS, kwargs, n_repeats, random_state)
    if method == "scores":
        return est.scores()
    if X is None:
        raise ValueError(f"method={method!r} needs X")
    if method == "permutation":
        if y is None:
            raise ValueError("method='permutation' needs y")
        X = est._check_X(X)
        y_core = _true_responses(est, y, X.shape[0])
        n_repeats = _count(n_repeats, "n_repeats", 1, _core.MAX_N_REPEATS)
        seed = _seed(random_state)
        with RunProgress(est, "permutation importance", "shuffles") as hook:
            result = _core.permutation_importance(est._core, X, y_core, np.empty(0), n_repeats, seed, _threads(est),
                                                  progress=hook)
        return np.asarray(result["importances_mean"])
    if random_state is not None:
        kwargs["random_state"] = random_state
    values = explain(est, X, method, **kwargs)
    axes = (0, 2) if values.ndim == 3 else 0
    return np.abs(values).mean(axis=axes)
