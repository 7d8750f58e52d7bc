"""What the estimators, explain() and the metrics share: the core's table of
hyperparameters and its seed and thread rules (one copy of each)."""

import functools
import numbers
import os

import numpy as np
from sklearn.utils import check_random_state

from . import _core

SEED_LIMIT = 2**32  # random_state: an integer in [0, 2**32), as in R and the core's table



class Default:
    """A keyword default that shows as its value in help() but tells explain()
    that the caller did not pass the option."""

    def __init__(self, value):
        self.value = value

    def __repr__(self):
        return repr(self.value)


@functools.lru_cache(maxsize=None)
def param_spec(family="tabular"):
    """The table of hyperparameters the C++ core checks, for one model family.

    Parameters
    ----------
    family : {"tabular", "sequence", "senn"}, default="tabular"
        The estimators: ScoresActivationClassifier/Regressor, the sequence
        estimators, or the SENN estimators.

    Returns
    -------
    tuple of dict
        One dict per parameter, in the core's order: ``name``, ``group``
        (``"training"``, ``"sequence"``, ``"senn"`` or ``"front_end"``),
        ``type``, ``default`` (as the estimators' signatures have it),
        ``low``/``high`` and ``low_open``/``high_open`` (the range),
        ``min_length``/``max_length`` (layer lists), ``choices`` and ``doc``.
        R's ``param_spec()`` reads the same table.

    Examples
    --------
    >>> from scoresactivation import param_spec
    >>> [s["default"] for s in param_spec() if s["name"] == "batch_size"]
    [64]
    """
    table = []
    for spec in _core.param_spec(family):
        if spec["type"] == "integer":
            spec["default"] = int(spec["default"])
        elif spec["type"] == "sizes":
            spec["default"] = tuple(int(v) for v in spec["default"])
        elif spec["type"] == "verbosity":
            spec["default"] = int(spec["default"])
        table.append(spec)
    return tuple(table)


def plain(value):
    """numpy scalars and arrays, tuples -> the Python values the core's JSON
    form takes (anything else passes on, for the core to refuse by name)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (tuple, list, np.ndarray)):
        return [plain(v) for v in value]
    if isinstance(value, dict):  # class_weight: labels as text, the core's (and R's) form
        return {str(plain(k)): plain(v) for k, v in value.items()}
    return value


def resolve_seed(random_state, name="random_state"):
    """The core's seed: an integer in [0, 2**32) passes through; None or a
    numpy RandomState draws one in [0, 2**31 - 1) (so np.random.seed makes a
    fit reproducible, as R's set.seed does)."""
    bad = ValueError(f"{name} must be None, an integer in [0, 2**32) or a numpy RandomState, got {random_state!r}")
    if isinstance(random_state, (bool, np.bool_)):
        raise bad
    if isinstance(random_state, numbers.Integral):
        if not 0 <= random_state < SEED_LIMIT:
            raise bad
        return int(random_state)
    try:
        rng = check_random_state(random_state)
    except ValueError:
        raise bad from None
    return int(rng.randint(0, 2**31 - 1))


def resolve_threads(n_threads):
    """The core's thread rule (None: all cores; -1: all, -2: all but one;
    capped at the core's limit); ValueError naming n_threads otherwise."""
    return _core.resolve_threads(plain(n_threads), os.cpu_count() or 1)


def threads_of(est):
    """The thread count of a fitted estimator's calls."""
    return resolve_threads(est.n_threads)


def core_params(est, seed):
    """(Params, SequenceParams, SennParams) of est's family from its
    hyperparameters, checked against the core's table (ValueError naming the
    parameter), with the seed and the resolved thread count."""
    given = {spec["name"]: plain(getattr(est, spec["name"])) for spec in param_spec(est._family)
             if spec["name"] not in ("random_state", "n_threads")}  # resolved below (class_weight: checked here)
    training, sequence, senn = _core.make_params(given, est._family)
    training.random_state = seed
    training.n_threads = resolve_threads(est.n_threads)
    return training, sequence, senn


def class_weighted(est, y, sample_weight):
    """The rows' weights of a fit: sample_weight times the weight of each row's
    class under est.class_weight (the core's rule, class_weight.hpp); y holds
    class indices into est.classes_ (a regressor has no classes_)."""
    labels = [str(plain(c)) for c in getattr(est, "classes_", [])] if hasattr(est, "classes_") else []
    return _core.class_weighted(plain(est.class_weight), labels, np.asarray(y, dtype=np.float64),
                                np.asarray(sample_weight, dtype=np.float64))


def params_from_document(loaded):
    """The constructor's hyperparameters from a document the core has read:
    its values in the table's Python types (layer sizes as tuples)."""
    params = {}
    for spec in param_spec(loaded["family"]):
        if spec["name"] not in loaded["params"]:
            continue  # a front end's own: taken from the document as written
        value = loaded["params"][spec["name"]]
        if spec["type"] == "integer":
            value = int(value)
        elif spec["type"] == "sizes":
            value = tuple(int(v) for v in value)
        params[spec["name"]] = value
    return params


_DOC_TYPES = {"integer": "int", "number": "float", "boolean": "bool", "sizes": "tuple of int",
              "seed": "int, RandomState or None", "threads": "int or None", "verbosity": "int"}


def parameters_doc(family, names=None, indent="    "):
    """numpydoc entries ("name : type, default=value" and the one-line doc)
    of the core's table for ``names`` (None: the whole family), in table
    order: the estimators' docs of parameters they share come from the same
    table as their signatures and checks."""
    lines = []
    for spec in param_spec(family):
        if names is not None and spec["name"] not in names:
            continue
        if spec["type"] == "string" and spec["choices"]:
            kind = "{" + ", ".join(f'"{c}"' for c in spec["choices"]) + "}"
        else:
            kind = _DOC_TYPES.get(spec["type"], "str")
        default = spec["default"]
        shown = f'"{default}"' if isinstance(default, str) else repr(default)
        lines.append(f"{indent}{spec['name']} : {kind}, default={shown}")
        lines.append(f"{indent}    {spec['doc'].replace('|', chr(92) + '|')}")  # | starts an RST substitution
    return "\n".join(lines) + "\n"


def fit_doc(unit, x_doc, y_doc, lengths=False):
    """The numpydoc of every estimator's fit(): the same parameters and
    return, in the words of its data (unit: "feature" or "channel")."""
    seq_val = (", or ``(X_val, y_val, sample_weight_val, lengths_val)``" if lengths else "")
    lengths_doc = ("""        lengths : array-like of shape (n_samples,) of int, optional
            Valid steps of each sequence, 1..n_steps (None: all).
""" if lengths else "")
    return f"""Trains the network and the {unit} scores.

        Parameters
        ----------
        X : {x_doc}
        y : array-like of shape (n_samples,)
            {y_doc}
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights of the rows in the loss (and in early
            stopping's validation loss).
{lengths_doc}        callbacks : callable or list of callables, optional
            Called after every epoch with a dict: ``epoch``, ``train_loss``,
            ``validation_loss`` and ``validation_score`` (accuracy, or R^2 for
            regression; None without validation rows), ``improved`` and
            ``scores`` (the current scores, or None). One that raises ends
            the fit with that exception, and the estimator keeps its earlier
            state.
        validation_data : tuple, optional
            ``(X_val, y_val)`` or ``(X_val, y_val, sample_weight_val)``{seq_val}:
            rows early stopping watches instead of holding out
            ``validation_fraction`` (every training row then trains). They are
            put on the training rows' scale and encoded as ``predict`` would;
            ``class_weight`` applies to them too. Without early stopping they
            are only watched (``validation_loss_curve_``,
            ``validation_scores_``). In a Pipeline they do not pass through
            the earlier steps: transform them first.

        Returns
        -------
        self : object
            The fitted estimator. A failed fit leaves an earlier fit intact.
        """


def class_indices(classes, y, unknown_message=None):
    """Positions of the labels y in classes (in the model's order, which need not
    be sorted: a model saved by R keeps its factor levels' order), as floats.
    Labels not among them are a ValueError naming up to 5 of them;
    unknown_message(labels) words it (default: the classifier's).
    """
    position = {}
    for i, label in enumerate(np.asarray(classes).tolist()):
        position.setdefault(label, i)
    index = np.empty(len(y), dtype=np.float64)
    unknown = []
    for i, label in enumerate(np.asarray(y).tolist()):
        try:
            index[i] = position[label]
        except (KeyError, TypeError):  # TypeError: an unhashable label
            if len(unknown) < 5 and label not in unknown:
                unknown.append(label)
            index[i] = -1
    if unknown:
        if unknown_message is not None:
            raise ValueError(unknown_message(unknown))
        raise ValueError(f"y contains labels the classifier was not fitted on: "
                         f"{', '.join(repr(u) for u in unknown)} (classes_: {np.asarray(classes).tolist()})")
    return index
