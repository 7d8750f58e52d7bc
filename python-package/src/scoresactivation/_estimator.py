"""scikit-learn estimators over the C++ core."""

import contextlib
import copy
import numbers
import os
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from . import _core, _model_io
from ._categorical import VariableEncoding
from ._progress import EpochReporter
from ._common import (Default, class_indices, class_weighted, core_params, fit_doc, parameters_doc,
                      params_from_document, plain, resolve_seed)

_TABULAR_X = """array-like of shape (n_samples, n_features)
            Numbers; a DataFrame's column names become ``feature_names_in_``.
            A DataFrame's ``category``, ``object`` and ``string`` columns are
            categorical variables: one-hot encoded inside the model, one
            score each (docs/categorical.md)."""

__version__ = _core.__version__  # the core's version.hpp, the one place it is written

def _checked_sample_weight(sample_weight, X):
    """sample_weight as float64 (n,) checked against X's rows, or an empty array when None."""
    if sample_weight is None:
        return np.empty(0)
    sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
    if np.any(sample_weight < 0):
        raise ValueError("sample_weight must be non-negative")
    if not sample_weight.sum() > 0:
        raise ValueError("sample_weight sums to zero; at least one sample needs a positive weight")
    return sample_weight


def _unpacked_validation(validation_data, sequences):
    """(X, y, sample_weight or None, lengths or None) from validation_data's tuple."""
    most = 4 if sequences else 3
    shape = ("(X_val, y_val), (X_val, y_val, sample_weight_val) or (X_val, y_val, sample_weight_val, lengths_val)"
             if sequences else "(X_val, y_val) or (X_val, y_val, sample_weight_val)")
    if not isinstance(validation_data, (tuple, list)) or not 2 <= len(validation_data) <= most:
        raise ValueError(f"validation_data must be a tuple {shape}, got {type(validation_data).__name__}")
    parts = list(validation_data) + [None] * (4 - len(validation_data))
    return parts[0], parts[1], parts[2], parts[3]


def _incremental(est):
    """partial_fit is the tabular networks' (SENN subclasses them without it)."""
    return est._family == "tabular"


def _refuse_float16(X):
    """Training data in half precision is refused rather than widened: its
    11-bit values are rarely what the user meant to train on."""
    dtypes = getattr(X, "dtypes", None)  # a DataFrame's, one per column
    if dtypes is None or isinstance(dtypes, np.dtype):
        dtypes = [getattr(X, "dtype", None)]
    if any(d == np.float16 for d in dtypes):
        raise ValueError("X is float16: train on float32 or float64 data (half precision keeps 3 significant digits)")


def _class_encoding(y):
    """classes_ (sorted unique labels) and y as indices into them; ValueError below 2 classes."""
    check_classification_targets(y)
    classes, encoded = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        raise ValueError(
            f"y has only one class ({classes[0]!r}); a classifier needs samples of at least 2 classes"
        )
    return classes, encoded


class _ScoresBase(BaseEstimator):
    """What the estimators of every model family share (tabular and sequence):
    the core's Params from the hyperparameters, the transactional fit, the
    record of the fit, the scores, persistence and pickling.

    A family sets ``_task`` and ``_family`` ("tabular", "sequence" or
    "senn": which rows of the core's parameter table it takes and which
    model documents it reads) and implements ``_core_from_state``.
    """

    _task = None
    _family = "tabular"

    # ----------------------------------------------------------------- params
    def _core_params(self, seed):
        """Validated core Params (the core's table; errors name the parameter)."""
        return core_params(self, seed)[0]

    def _core_from_state(self, seed, state):
        """The family's fitted core model from a state dict (checked by the core)."""
        raise NotImplementedError

    # -------------------------------------------------------------------- fit
    def _transactional_fit(self, fit):
        """Runs fit(); if it raises (bad data, Ctrl-C, divergence) every attribute is restored.

        Without this a failed refit would leave classes_ and n_features_in_
        of the new data beside the old core model.
        """
        saved = self.__dict__.copy()
        try:
            return fit()
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved)
            raise


    def _validation_rows(self, validation_data):
        """validation_data as the core takes it, (X, lengths, y, sample_weight),
        or None; called in fit once the training data set the columns (and
        classes_): the rows are checked and encoded as predict's would be."""
        if validation_data is None:
            return None
        X_val, y_val, w_val, lengths_val = _unpacked_validation(validation_data, self._family == "sequence")
        try:
            x, lengths = self._validation_matrix(X_val, lengths_val)
            y_val = np.asarray(y_val)
            if y_val.ndim != 1:
                raise ValueError(f"y must be 1-dimensional, got shape {y_val.shape}")
            if len(y_val) != x.shape[0]:
                raise ValueError(f"X has {x.shape[0]} rows but y has {len(y_val)} values")
            if hasattr(self, "classes_"):
                y_val = class_indices(self.classes_, y_val,
                                      lambda unknown: f"y holds labels the training y does not: {unknown!r}")
            else:
                try:
                    y_val = y_val.astype(np.float64)
                except (TypeError, ValueError):
                    raise ValueError(f"y must be numeric for regression, got dtype {y_val.dtype}") from None
            w = _checked_sample_weight(w_val, x)
        except ValueError as e:
            raise ValueError(f"validation_data: {e}") from None
        if self.class_weight is not None:
            w = class_weighted(self, y_val, w)
        return (x, lengths, y_val, w)

    def _validation_matrix(self, X_val, lengths_val):
        """The family's (matrix, lengths) of validation rows."""
        raise NotImplementedError

    def _store_fitted(self, core):
        self.n_epochs_ = core.n_epochs_run
        self.n_iter_ = self.n_epochs_  # MLPClassifier's name
        self.best_epoch_ = core.best_epoch
        self.loss_curve_ = np.asarray(core.loss_curve)
        self.validation_loss_curve_ = np.asarray(core.validation_loss_curve)
        # As MLPClassifier: the least training loss, None when early stopping judged by the validation loss.
        judged_by_validation = self.early_stopping and len(self.validation_loss_curve_) > 0  # (not partial_fit)
        self.best_loss_ = None if judged_by_validation else float(np.min(self.loss_curve_))
        self.best_validation_loss_ = float(np.min(self.validation_loss_curve_)) if judged_by_validation else None
        # As MLPClassifier: accuracy (R^2 for regression) on the validation rows per epoch; None without them.
        curve = np.asarray(core.validation_score_curve)
        self.validation_scores_ = curve if len(curve) else None
        if core.max_epochs_reached:  # only right after a fit: a loaded model does not know
            warnings.warn(f"max_epochs={self.max_epochs} ended the scores phase before the validation loss stopped "
                          f"improving for n_iter_no_change={self.n_iter_no_change} epochs; the scores may not have "
                          "settled: raise max_epochs", ConvergenceWarning)
        if self.scores_layer:
            self.scores_history_ = np.array(core.scores_history)
            for name in ("scores_bootstrap_", "scores_std_"):
                self.__dict__.pop(name, None)  # a refit without bootstrap must not keep old ones
            if self.n_bootstrap > 0:
                self.scores_bootstrap_ = np.array(core.scores_bootstrap)
                self.scores_std_ = (self.scores_bootstrap_.std(axis=0, ddof=1) if self.n_bootstrap > 1
                                    else np.full(self.scores_bootstrap_.shape[1], np.nan))

    @contextlib.contextmanager
    def _epoch_reporter(self, callbacks):
        """The core's per-epoch hook (verbose output, the user's callbacks) for one fit."""
        most = self.max_epochs + (self.refine_epochs if self.scores_layer else 0)  # epochs at most
        reporter = EpochReporter(self, callbacks, most)
        try:
            yield reporter.hook()
        finally:
            reporter.close()

    # ----------------------------------------------------------------- output
    def set_output(self, *, scores=None):
        """How the per-feature results come back: ndarrays or pandas.

        sklearn's ``set_output`` idea for what this estimator returns per
        feature: ``scores()``, ``feature_importances_``, ``ranking()``,
        ``scores_interval()`` and ``global_importance()``. A display choice:
        kept by ``clone`` and pickling, not written to the model file.

        Parameters
        ----------
        scores : {"default", "pandas"} or None, default=None
            "default": ndarrays. "pandas": a Series indexed by the feature
            names (``feature_names_in_``, else the column numbers), named
            by what it holds; ``ranking()`` the scores sorted from most to
            least important, ``scores_interval()`` a DataFrame with columns
            lower and upper. None leaves the setting unchanged.

        Returns
        -------
        self : object
        """
        if scores is None:
            return self
        if scores not in ("default", "pandas"):
            raise ValueError(f"scores must be 'default', 'pandas' or None, got {scores!r}")
        if scores == "pandas":
            try:
                import pandas  # noqa: F401
            except ImportError:  # pragma: no cover - pandas is installed with the test extras
                raise ImportError("set_output(scores='pandas') needs pandas (pip install pandas)") from None
        config = dict(getattr(self, "_sklearn_output_config", {}))  # sklearn's clone copies this attribute
        config["scores"] = scores
        self._sklearn_output_config = config
        return self

    def _pandas_output(self):
        return getattr(self, "_sklearn_output_config", {}).get("scores", "default") == "pandas"

    def _feature_index(self):
        import pandas as pd

        label = "channel" if self._family == "sequence" else "feature"
        names = getattr(self, "feature_names_in_", None)
        if names is not None:
            return pd.Index(list(names), name=label)
        return pd.RangeIndex(self.n_features_in_, name=label)

    def _per_feature(self, values, name):
        """values (one per feature) as set_output says: unchanged, or a named Series."""
        if not self._pandas_output() or not isinstance(values, np.ndarray) or values.ndim != 1:
            return values
        import pandas as pd

        return pd.Series(values, index=self._feature_index(), name=name)

    # ----------------------------------------------------------------- scores
    @property
    def feature_importances_(self):
        """Global importances w = softmax(s / T): non-negative, summing to 1
        (a Series after ``set_output(scores="pandas")``)."""
        check_is_fitted(self, "n_epochs_")
        if not self.scores_layer:
            raise AttributeError(
                "this model was fitted with scores_layer=False and has no feature scores"
            )
        return self._per_feature(np.asarray(self._core.scores()), "scores")

    def scores(self):
        """The learned global feature scores, in column order.

        Returns
        -------
        scores : ndarray of shape (n_features,)
            Non-negative, summing to 1 (a copy of ``feature_importances_``;
            a Series indexed by feature name after
            ``set_output(scores="pandas")``).
        """
        return self.feature_importances_.copy()

    def scores_interval(self, level=0.95):
        """Bootstrap percentile interval of each score.

        Needs ``n_bootstrap`` > 0. Two features whose intervals overlap are
        not reliably ordered by this data.

        Parameters
        ----------
        level : float, default=0.95
            Coverage of the interval, in (0, 1).

        Returns
        -------
        interval : ndarray of shape (2, n_features)
            Lower bounds (row 0) and upper bounds (row 1); after
            ``set_output(scores="pandas")`` a DataFrame with columns lower
            and upper, one row per feature.
        """
        interval = self._interval_array(level)
        if not self._pandas_output():
            return interval
        import pandas as pd

        return pd.DataFrame({"lower": interval[0], "upper": interval[1]}, index=self._feature_index())

    def _interval_array(self, level):
        """scores_interval as a (2, n_features) ndarray whatever set_output says."""
        check_is_fitted(self, "n_epochs_")
        if not hasattr(self, "scores_bootstrap_"):
            raise AttributeError("this model has no bootstrap scores; fit it with n_bootstrap=20 (or more)")
        if not isinstance(level, numbers.Real) or isinstance(level, bool) or not 0 < level < 1:
            raise ValueError(f"level must be in (0, 1), got {level!r}")
        alpha = (1 - float(level)) / 2
        return np.quantile(self.scores_bootstrap_, [alpha, 1 - alpha], axis=0)

    def ranking(self):
        """Features from most to least important.

        Returns
        -------
        ranking : ndarray of shape (n_features,)
            Feature names when fitted on a DataFrame, else column indices;
            ties keep column order. After ``set_output(scores="pandas")``:
            the scores as a Series sorted from most to least important (its
            index is the ranking).
        """
        scores = np.asarray(self.feature_importances_)
        order = np.argsort(-scores, kind="stable")
        if self._pandas_output():
            return self._per_feature(scores, "scores").iloc[order]
        names = getattr(self, "feature_names_in_", None)
        return names[order] if names is not None else order


    # ------------------------------------------------------------ persistence
    def _classes_for_document(self):
        return None

    def _restore_classes(self, doc):
        pass

    def to_dict(self):
        """The model document of docs/model-format.md, laid out and checked by the core.

        Returns
        -------
        doc : dict
            JSON-ready (``json.dumps`` writes it as is); :meth:`from_dict`
            and R's ``model_from_json`` read it back.
        """
        check_is_fitted(self, "n_epochs_")
        training, sequence, senn = core_params(self, self._seed)
        random_state = plain(self.random_state)
        front_end = {"random_state": random_state if isinstance(random_state, int) else None,
                     "n_threads": plain(self.n_threads), "verbose": plain(self.verbose)}
        if self.class_weight is not None:  # absent means None (and files of earlier versions round-trip as written)
            front_end["class_weight"] = plain(self.class_weight)
        if getattr(self, "handle_unknown", "error") != "error":  # likewise; the tabular family's only
            front_end["handle_unknown"] = self.handle_unknown
        names = getattr(self, "feature_names_in_", None)
        encoding = getattr(self, "_encoding", None)
        if encoding is not None:
            names = None  # the variables name them
        classes = self._classes_for_document()
        return _core.write_model_document(
            self._family, training, sequence, senn, front_end, self._seed, self._core.state(),
            None if names is None else [str(f) for f in names],
            None if classes is None else plain(list(classes)), __version__,
            None if encoding is None else encoding.variables, getattr(self, "_formula", None))

    def save(self, path):
        """Writes the fitted model to a JSON file (docs/model-format.md).

        Atomic: the file is written beside ``path`` and renamed over it, so a
        failed save leaves an earlier model at ``path`` intact.

        Parameters
        ----------
        path : str or os.PathLike
            The file to write; R's ``load_model`` reads it too.

        Returns
        -------
        self : object
            The estimator.
        """
        _model_io.write_document(self.to_dict(), os.fspath(path))
        return self

    @classmethod
    def from_dict(cls, doc):
        """Rebuilds a fitted estimator from a model document (docs/model-format.md).

        The core checks the whole document first (schema, version, types,
        finite values, shapes, classes); any problem raises ValueError naming
        the key, before anything is built.

        Parameters
        ----------
        doc : dict
            A model document, as :meth:`to_dict` returns or ``json.load`` reads.

        Returns
        -------
        estimator : object
            A fitted estimator of this class.
        """
        return cls._from_checked(doc, _model_io.read(doc))

    @classmethod
    def _from_checked(cls, doc, loaded):
        """from_dict once the core has checked doc (loaded: what it returned)."""
        family = loaded["family"]
        if family != cls._family:
            kind = {"sequence": "a sequence", "senn": "a SENN", "tabular": "a tabular"}[family]
            raise ValueError(f"the model document holds {kind} model ({loaded['estimator']}); {cls.__name__} "
                             "cannot load it (scoresactivation.load_model picks the class)")
        if loaded["task"] != cls._task:
            raise ValueError(f"the model document holds a {loaded['task']} model; {cls.__name__} cannot load it")
        params = params_from_document(loaded)
        for name in ("random_state", "n_threads", "verbose", "class_weight", "handle_unknown"):  # the front end's own
            if name in doc["params"]:
                params[name] = doc["params"][name]
        est = cls(**params)
        seed = int(loaded["seed"])
        est._core = est._core_from_state(seed, loaded["state"])
        est._seed = seed
        est.n_features_in_ = int(doc["n_features"])
        if doc.get("feature_names") is not None:
            est.feature_names_in_ = np.asarray(doc["feature_names"], dtype=object)
        if doc.get("variables") is not None:  # categorical variables (checked by the core against the groups)
            est._encoding = VariableEncoding(doc["variables"])
            est.n_features_in_ = len(est._encoding.variables)
            est.feature_names_in_ = np.asarray(est._encoding.names, dtype=object)
        if doc.get("formula") is not None:
            est._formula = doc["formula"]  # R's; kept so the file round-trips
        est._restore_classes(doc)
        est._store_fitted(est._core)
        return est

    @classmethod
    def load(cls, path):
        """Reads a model saved by :meth:`save` (in Python or R).

        Parameters
        ----------
        path : str or os.PathLike
            A JSON model file.

        Returns
        -------
        estimator : object
            A fitted estimator of this class.
        """
        return cls.from_dict(_model_io.read_document(os.fspath(path)))

    def __getstate__(self):
        state = self.__dict__.copy()
        core = state.pop("_core", None)
        if core is not None:
            state["_core_state"] = core.state()
        return state

    def __setstate__(self, state):
        core_state = state.pop("_core_state", None)
        self.__dict__.update(state)
        if core_state is not None:
            self._core = self._core_from_state(self._seed, core_state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags


class _ClassesMixin:
    """classes_ in the model document (the classifiers of every family)."""

    def _classes_for_document(self):
        return self.classes_

    def _restore_classes(self, doc):
        self.classes_ = np.asarray(doc["classes"])


class _ScoresActivationBase(_ScoresBase):
    """Shared fit/predict logic; see ScoresActivationClassifier for the parameters."""

    def __init__(
        self,
        hidden_layer_sizes=(64, 32),
        activation="relu",
        *,
        scores_layer=True,
        gate="snr",
        snr_budget=1.5,
        temperature=1.0,
        entropy_penalty=0.0,
        solver="adam",
        learning_rate=2e-3,
        scores_learning_rate=1e-2,
        weight_decay=0.1,
        momentum=0.9,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        batch_size=64,
        max_epochs=200,
        refine_epochs=20,
        n_bootstrap=0,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=15,
        tol=1e-4,
        standardize=True,
        random_state=None,
        n_threads=None,
        kernel="auto",
        verbose=0,
        class_weight=None,
        handle_unknown="error",
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.scores_layer = scores_layer
        self.gate = gate
        self.snr_budget = snr_budget
        self.temperature = temperature
        self.entropy_penalty = entropy_penalty
        self.solver = solver
        self.learning_rate = learning_rate
        self.scores_learning_rate = scores_learning_rate
        self.weight_decay = weight_decay
        self.momentum = momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.refine_epochs = refine_epochs
        self.n_bootstrap = n_bootstrap
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.standardize = standardize
        self.random_state = random_state
        self.n_threads = n_threads
        self.kernel = kernel
        self.verbose = verbose
        self.class_weight = class_weight
        self.handle_unknown = handle_unknown

    def _core_from_state(self, seed, state):
        return _core.Estimator.from_state(self._core_params(seed), state)

    def _new_core(self, params):
        """An unfitted core model of this family."""
        return _core.Estimator(params, self._task)

    # -------------------------------------------------------------------- fit
    def _validated(self, X, y, y_numeric):
        """X (encoded when it has categorical columns) and y, checked; sets
        n_features_in_ and feature_names_in_ (the variables) and _encoding."""
        _refuse_float16(X)
        encoding = VariableEncoding.learn(X)
        self._encoding = encoding
        self.__dict__.pop("_formula", None)  # a loaded R model's formula does not describe new data
        if encoding is None:
            return validate_data(self, X, y, dtype=np.float64, y_numeric=y_numeric)
        if self._family != "tabular":
            raise ValueError(f"{type(self).__name__} takes numeric columns only; X has categorical columns "
                             "(ScoresActivationClassifier/Regressor encode them)")
        y = validate_data(self, X="no_validation", y=y, y_numeric=y_numeric)
        Xe = encoding.transform(X)
        if Xe.shape[0] != len(y):
            raise ValueError(f"X has {Xe.shape[0]} rows but y has {len(y)} values")
        self.n_features_in_ = len(encoding.variables)
        self.feature_names_in_ = np.asarray(encoding.names, dtype=object)
        return Xe, y

    def _fit(self, X, y, sample_weight, n_classes, callbacks, validation_data):
        seed = resolve_seed(self.random_state)
        params = self._core_params(seed)
        sample_weight, groups = self._weights_and_groups(X, y, sample_weight)
        validation = self._validation_rows(validation_data)
        core = self._new_core(params)
        with self._epoch_reporter(callbacks) as on_epoch:
            if self._family == "tabular":
                core.fit(X, y.astype(np.float64), sample_weight, n_classes, on_epoch, groups, validation)
            else:
                core.fit(X, y.astype(np.float64), sample_weight, n_classes, on_epoch, validation)
        self._core = core
        self._seed = seed
        self._store_fitted(core)
        return self

    def _partial_fit(self, X, y, sample_weight, n_classes):
        """One pass over a chunk (X, y: this chunk as the network reads it)."""
        first = getattr(self, "_core", None) is None
        if first:
            seed = resolve_seed(self.random_state)
            core = self._new_core(self._core_params(seed))
        else:
            # The pass trains a copy (a C++ copy of the model), so that the
            # estimator's attributes and its model stay together if anything
            # after the pass fails.
            seed, core = self._seed, copy.copy(self._core)
        if isinstance(self.class_weight, str) and self.class_weight == "balanced":
            # (as sklearn's SGDClassifier) one chunk's class shares are not the stream's
            raise ValueError("class_weight='balanced' is not supported by partial_fit: a chunk's class counts are "
                             "not the stream's; pass class_weight as a dict of the stream's weights")
        sample_weight, groups = self._weights_and_groups(X, y, sample_weight)
        reporter = EpochReporter(self, None, 1)
        try:
            core.partial_fit(X, y.astype(np.float64), sample_weight, n_classes, reporter.hook(), groups)
        finally:
            reporter.close()
        self._core = core
        self._seed = seed
        self._store_fitted(core)
        return self

    def _weights_and_groups(self, X, y, sample_weight):
        """The rows' weights as the core takes them (class_weight applied to
        sample_weight) and the column counts of the categorical variables."""
        sample_weight = _checked_sample_weight(sample_weight, X)
        if self.class_weight is not None:
            sample_weight = class_weighted(self, y, sample_weight)
        encoding = getattr(self, "_encoding", None)
        return sample_weight, ([] if encoding is None else encoding.widths)

    def _validated_chunk(self, X, y, y_numeric):
        """partial_fit's chunk: the first sets the columns (and categorical
        levels) as fit does; later ones are read as predict reads X."""
        if getattr(self, "_core", None) is None:
            return self._validated(X, y, y_numeric)
        _refuse_float16(X)
        Xc = self._check_X(X)
        y = validate_data(self, X="no_validation", y=y, y_numeric=y_numeric)
        if Xc.shape[0] != len(y):
            raise ValueError(f"X has {Xc.shape[0]} rows but y has {len(y)} values")
        return Xc, y

    def _validation_matrix(self, X_val, lengths_val):
        encoding = getattr(self, "_encoding", None)
        if encoding is not None:
            return encoding.transform(X_val, self.handle_unknown), np.empty(0)
        return validate_data(self, X_val, reset=False, dtype=np.float64), np.empty(0)

    def _check_X(self, X):
        """X as the network reads it: checked, categorical variables encoded."""
        check_is_fitted(self, "n_epochs_")
        encoding = getattr(self, "_encoding", None)
        if encoding is not None:
            return encoding.transform(X, self.handle_unknown)
        # Any memory order: the core reads C- and F-ordered arrays in place.
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return X

    @property
    def encoded_feature_names_(self):
        """The network's input columns: the feature names, with each
        categorical variable as ``name=level`` columns (the per-level view of
        ``explain(..., per_level=True)``)."""
        check_is_fitted(self, "n_epochs_")
        encoding = getattr(self, "_encoding", None)
        if encoding is not None:
            return np.asarray(encoding.column_names, dtype=object)
        names = getattr(self, "feature_names_in_", None)
        return np.asarray([f"x{j}" for j in range(self.n_features_in_)] if names is None else names, dtype=object)

    # ----------------------------------------------------------- attribution
    def explain(self, X, method="deeplift", *, baseline=Default("mean"), target=None, output="raw",
                rule=Default("rescale"), n_steps=Default(50), integration=Default("gausslegendre"),
                background=Default(None), exact=Default(None), n_permutations=Default(64),
                random_state=Default(None), per_level=False, as_explanation=False):
        """Local attributions of each feature for each row of X, from the C++ core.

        Each option belongs to one or two methods; passing one that the
        method does not read is a ValueError.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The rows to explain.
        method : {"deeplift", "integrated_gradients", "gradient", "gradient_times_input", "shapley"}
            DeepLIFT and Integrated Gradients sum to f(x) - f(baseline);
            Shapley values are interventional, over ``background`` rows.
        baseline : "mean", "zeros" or array-like of shape (n_features,) or (r, n_features), default="mean"
            Reference input(s) of DeepLIFT and Integrated Gradients ("mean":
            the training mean); several rows are averaged over.
        target : class label or None, default=None
            The class whose logit (or probability) is explained; None: all classes.
        output : {"raw", "probability"}, default="raw"
            What Shapley values explain; the other methods explain the logit
            (the regression output for a regressor).
        rule : {"rescale", "reveal_cancel"}, default="rescale"
            DeepLIFT's rule for the activations.
        n_steps : int, default=50
            Integrated Gradients' quadrature points.
        integration : {"gausslegendre", "riemann_left", "riemann_right", "riemann_middle", "riemann_trapezoid"}, \
default="gausslegendre"
            Integrated Gradients' quadrature rule.
        background : array-like of shape (m, n_features) or None, default=None
            Rows that stand in for absent features in Shapley values (None:
            the training mean).
        exact : bool or None, default=None
            Shapley values from all coalitions (None: when n_features <= 12)
            or from sampled orders.
        n_permutations : int, default=64
            Sampled Shapley values: feature orders (in antithetic pairs).
        random_state : int, RandomState or None, default=None
            Sampled Shapley values' seed.
        per_level : bool, default=False
            For a model with categorical variables: one attribution per
            encoded column (``encoded_feature_names_``) instead of the sum
            over each variable's levels.
        as_explanation : bool, default=False
            Return a ``shap.Explanation`` for shap's plots (needs shap).

        Returns
        -------
        values : ndarray or shap.Explanation
            (n_samples, n_features) for a regressor or a single ``target``
            class, (n_samples, n_features, n_classes) for every class.
        """
        from ._explain import explain

        return explain(self, X, method, baseline=baseline, target=target, output=output, rule=rule, n_steps=n_steps,
                       integration=integration, background=background, exact=exact,
                       n_permutations=n_permutations, random_state=random_state, per_level=per_level,
                       as_explanation=as_explanation)

    def global_importance(self, X=None, y=None, method="scores", **kwargs):
        """One importance per feature (column order).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), optional
            The rows to measure on (not needed for "scores").
        y : array-like of shape (n_samples,), optional
            Their true responses ("permutation" only).
        method : str, default="scores"
            "scores": the learned scores; "permutation": the increase of the
            model's loss when a column is shuffled (``n_repeats``,
            ``random_state``); a local method of :meth:`explain`: the mean
            absolute attribution over X (and the classes).
        **kwargs
            ``n_repeats`` and ``random_state`` of "permutation", or the
            options of :meth:`explain` for a local method.

        Returns
        -------
        importance : ndarray of shape (n_features,)
        """
        from ._explain import global_importance

        return self._per_feature(np.asarray(global_importance(self, X, y, method, **kwargs)), method)


class ScoresActivationClassifier(_ClassesMixin, ClassifierMixin, _ScoresActivationBase):
    """Neural network classifier whose first layer learns a global score per feature.

    The ScoresActivation layer learns one score per standardised input
    feature; ``feature_importances_ = softmax(s / temperature)`` trains with the
    network, so the features are ranked at no extra cost. By default
    (``gate="snr"``) the importances split a signal-to-noise budget between the
    features during training, which makes them follow each feature's value to
    the loss; ``gate="scale"`` is the paper's multiplicative gate. See
    docs/method.md for the method and its defaults.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(64, 32)
        Width of each hidden layer.
    activation : {"relu", "tanh", "logistic", "identity"}, default="relu"
    scores_layer : bool, default=True
        False trains the same network without the layer (the baseline).
    gate : {"snr", "scale"}, default="snr"
        How the scores act on the inputs. "snr": with ``w = softmax(s / T)``
        and ``snr_i = snr_budget * d * w_i``, training sees
        ``x_i * sqrt(snr_i / (1 + snr_i)) + noise_i * sqrt(1 / (1 + snr_i))``
        (standard normal noise from the seeded generator) and prediction the
        noise-free term. "scale": the paper's ``x_i * d * w_i``; with
        ``entropy_penalty=0.03, learning_rate=1e-3, weight_decay=1.0,
        n_iter_no_change=10, refine_epochs=0`` it is the earlier default.
    snr_budget : float, default=1.5
        The "snr" gate's budget per feature on average (c in ``c * d``).
        Smaller makes the features compete harder (stabler scores, less room
        for curved effects); larger lets every feature through.
    temperature : float, default=1.0
        T in ``softmax(s / T)``.
    entropy_penalty : float, default=0.0
        Weight of the entropy of the scores in the loss; pushes them to commit.
    solver : {"adam", "sgd"}, default="adam"
        Adam with decoupled weight decay (AdamW), or SGD with momentum.
    learning_rate : float, default=2e-3
        Step size of the dense layers.
    scores_learning_rate : float, default=1e-2
        Step size of the scores.
    weight_decay : float, default=0.1
        Decoupled decay of the dense weights (PyTorch's AdamW convention): each
        step multiplies them by ``1 - learning_rate * weight_decay``. Biases and
        scores are not decayed.
    momentum, beta_1, beta_2, epsilon : float
        SGD momentum; Adam's moment decays and epsilon.
    batch_size : int, default=64
    max_epochs : int, default=200
        Epochs at most while the scores learn.
    refine_epochs : int, default=20
        Epochs at most after that, with the scores frozen and no training
        noise: the network fits the clean gated inputs it predicts on. 0
        skips this phase.
    n_bootstrap : int, default=0
        Refits on bootstrap resamples of the rows (each with its own seed, on
        ``n_threads`` threads) after the fit, for the scores' uncertainty:
        ``scores_bootstrap_``, ``scores_std_``, :meth:`scores_interval` and
        error bars in ``plot_scores``. Costs ``n_bootstrap`` fits; 0: none.
        The model itself (predictions, ``scores()``) is the main fit's.
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` (stratified) and stop a phase after
        ``n_iter_no_change`` epochs without a validation-loss improvement of
        ``tol``. The refinement starts where the scores phase ended (its
        scores are the settled ones) and keeps its own best epoch; without
        a refinement the weights and scores of the best epoch are kept.
    validation_fraction : float, default=0.1
    n_iter_no_change : int, default=15
    tol : float, default=1e-4
    standardize : bool, default=True
        Standardise inputs inside the model (mean and sd are stored).
    random_state : int, RandomState or None, default=None
        Seeds every random choice of the core (init, split, shuffles). Equal
        integer seeds give equal models in Python and R.
    n_threads : int or None, default=None
        Threads for prediction and for large mini-batches (None: all cores).
        Results do not depend on it.
    kernel : {"auto", "avx2", "portable"}, default="auto"
        Matrix kernel; "portable" gives the same bits on every x86-64 CPU.
    verbose : int, default=0
        Print loss and the top features after each epoch.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss, times ``sample_weight``: a dict
        class label -> weight (classes it does not name keep 1), or
        "balanced" for ``n_samples / (n_classes * np.bincount(y))``. The
        model file stores the labels as text (R reads the same weights).
    handle_unknown : {"error", "ignore"}, default="error"
        A level of a categorical variable that fit did not see: a
        ValueError, or all that variable's columns 0 (a variable none of
        whose values is known is an error either way).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    feature_importances_ : ndarray of shape (n_features,)
        The learned scores, summing to 1.
    scores_history_ : ndarray of shape (n_epochs, n_features)
        The scores after each epoch.
    scores_bootstrap_ : ndarray of shape (n_bootstrap, n_features)
        The scores of the bootstrap refits (only with ``n_bootstrap`` > 0).
    scores_std_ : ndarray of shape (n_features,)
        Their standard deviation per feature (only with ``n_bootstrap`` > 0).
    loss_curve_, validation_loss_curve_ : ndarray of shape (n_epochs,)
    n_epochs_ : int
    best_epoch_ : int
        The epoch whose weights were kept.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features,)
        Only when X had string column names.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from scoresactivation import ScoresActivationClassifier
    >>> data = load_breast_cancer(as_frame=True)
    >>> est = ScoresActivationClassifier(max_epochs=30, random_state=0).fit(data.data, data.target)
    >>> est.scores().shape, round(float(est.scores().sum()), 6)
    ((30,), 1.0)
    >>> est.ranking()[:3]  # doctest: +SKIP
    array(['worst radius', 'worst texture', 'worst perimeter'], dtype=object)
    """

    _task = "classification"

    def fit(self, X, y, sample_weight=None, callbacks=None, validation_data=None):
        return self._transactional_fit(lambda: self._fit_classifier(X, y, sample_weight, callbacks, validation_data))
    fit.__doc__ = fit_doc("feature", _TABULAR_X, "Class labels (two or more classes).")

    def _fit_classifier(self, X, y, sample_weight, callbacks, validation_data):
        X, y = self._validated(X, y, y_numeric=False)
        self.classes_, encoded = _class_encoding(y)
        return self._fit(X, encoded, sample_weight, len(self.classes_), callbacks, validation_data)

    @available_if(_incremental)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One pass of mini-batches over a chunk of rows (incremental training).

        The first call builds the network and takes the columns, categorical
        levels and standardisation from this chunk; later calls read their
        chunk as ``predict`` reads X and continue training, the optimiser's
        moments and the gate's noise stream carried on (a model saved or
        pickled mid-stream continues exactly). Every pass trains the scores
        with the network, as fit's scores phase; ``max_epochs``,
        ``refine_epochs``, early stopping and ``n_bootstrap`` are fit's (so
        is ``n_bootstrap`` > 0 an error here). After ``fit``, partial_fit
        continues from the fitted weights. As dask-ml's ``Incremental``
        expects: each call is one pass, and returns self.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The chunk's rows.
        y : array-like of shape (n_samples,)
            Their class labels; a chunk may hold a single class.
        classes : array-like, default=None
            Every class label the stream holds: required on the first call
            (unless the model was fitted), and if given later it must be
            the same set.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative row weights (``class_weight`` multiplies them).

        Returns
        -------
        self : object
            The estimator, one pass further.

        Examples
        --------
        >>> import numpy as np
        >>> from scoresactivation import ScoresActivationClassifier
        >>> rng = np.random.default_rng(0)
        >>> est = ScoresActivationClassifier(random_state=0)
        >>> for chunk in range(20):
        ...     X = rng.normal(size=(200, 4))
        ...     est = est.partial_fit(X, (X[:, 0] > 0).astype(int), classes=[0, 1])
        >>> est.n_iter_, int(np.argmax(est.scores()))
        (20, 0)
        """
        return self._transactional_fit(lambda: self._partial_fit_classifier(X, y, classes, sample_weight))

    def _partial_fit_classifier(self, X, y, classes, sample_weight):
        first = getattr(self, "_core", None) is None
        if classes is not None:
            check_classification_targets(np.asarray(classes))
            given = np.unique(np.asarray(classes))
            if len(given) < 2:
                raise ValueError(f"classes must hold at least 2 labels; got {given.tolist()!r}")
            if not first and set(given.tolist()) != set(self.classes_.tolist()):  # (R keeps its levels' order)
                raise ValueError(f"classes={given.tolist()!r} differ from the model's classes_ "
                                 f"{self.classes_.tolist()!r}")
        elif first:
            raise ValueError("classes must be given on the first call to partial_fit (every label of the stream)")
        X, y = self._validated_chunk(X, y, y_numeric=False)
        check_classification_targets(y)
        if first:
            self.classes_ = given
        index = class_indices(self.classes_, y, lambda unknown: f"y holds labels not in classes: {unknown!r} "
                                                                f"(classes: {self.classes_.tolist()!r})")
        return self._partial_fit(X, index, sample_weight, len(self.classes_))

    def predict_proba(self, X):
        """Class probabilities of each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            In the order of ``classes_``.
        """
        X = self._check_X(X)
        return np.asarray(self._core.predict_proba(X))

    def predict_log_proba(self, X):
        """Logarithms of the class probabilities, (n_samples, n_classes).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        return np.log(self.predict_proba(X))

    def predict(self, X):
        """The most probable class of each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
            Labels from ``classes_``.

        Examples
        --------
        >>> from sklearn.datasets import load_iris
        >>> from scoresactivation import ScoresActivationClassifier
        >>> X, y = load_iris(return_X_y=True)
        >>> est = ScoresActivationClassifier(max_epochs=20, random_state=0).fit(X, y)
        >>> est.predict(X[:3]).shape
        (3,)
        """
        probabilities = self.predict_proba(X)
        return self.classes_[np.argmax(probabilities, axis=1)]


class ScoresActivationRegressor(RegressorMixin, _ScoresActivationBase):
    __doc__ = """Neural network regressor whose first layer learns a global score per feature.

    Same parameters and attributes as ScoresActivationClassifier (without
    ``classes_``; its docs give the details). The target is standardised
    inside the model; the loss is half the squared error on that scale.

    Parameters
    ----------
""" + parameters_doc("tabular") + """
    Attributes
    ----------
    feature_importances_ : ndarray of shape (n_features,)
        The learned scores, summing to 1.
    scores_history_ : ndarray of shape (n_epochs, n_features)
    scores_bootstrap_, scores_std_ : ndarray
        With ``n_bootstrap`` > 0, as in ScoresActivationClassifier.
    loss_curve_, validation_loss_curve_ : ndarray of shape (n_epochs,)
    n_epochs_, best_epoch_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features,)
        Only when X had string column names.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from scoresactivation import ScoresActivationRegressor
    >>> X, y = load_diabetes(return_X_y=True, as_frame=True)
    >>> est = ScoresActivationRegressor(max_epochs=30, random_state=0).fit(X, y)
    >>> est.predict(X[:2]).shape
    (2,)
    >>> values = est.explain(X[:2], "deeplift")  # per-row attributions, (2, 10)
    >>> values.shape
    (2, 10)
    """

    _task = "regression"

    def fit(self, X, y, sample_weight=None, callbacks=None, validation_data=None):
        return self._transactional_fit(lambda: self._fit_regressor(X, y, sample_weight, callbacks, validation_data))
    fit.__doc__ = fit_doc("feature", _TABULAR_X, "The numeric target.")

    def _fit_regressor(self, X, y, sample_weight, callbacks, validation_data):
        X, y = self._validated(X, y, y_numeric=True)
        if y.ndim != 1:
            raise ValueError(f"y must be 1-dimensional for regression, got shape {y.shape}")
        return self._fit(X, y, sample_weight, 0, callbacks, validation_data)

    @available_if(_incremental)
    def partial_fit(self, X, y, sample_weight=None):
        """One pass of mini-batches over a chunk of rows (incremental training).

        As ScoresActivationClassifier.partial_fit: the first call takes the
        columns and the standardisation of the inputs and of y from this
        chunk, later ones continue training on that scale.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The chunk's rows.
        y : array-like of shape (n_samples,)
            Their numeric targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative row weights.

        Returns
        -------
        self : object
            The estimator, one pass further.

        Examples
        --------
        >>> import numpy as np
        >>> from scoresactivation import ScoresActivationRegressor
        >>> rng = np.random.default_rng(0)
        >>> est = ScoresActivationRegressor(random_state=0)
        >>> for chunk in range(10):
        ...     X = rng.normal(size=(200, 3))
        ...     est = est.partial_fit(X, 5 * X[:, 1] + rng.normal(size=200))
        >>> est.n_iter_, int(np.argmax(est.scores()))
        (10, 1)
        """
        return self._transactional_fit(lambda: self._partial_fit_regressor(X, y, sample_weight))

    def _partial_fit_regressor(self, X, y, sample_weight):
        X, y = self._validated_chunk(X, y, y_numeric=True)
        if y.ndim != 1:
            raise ValueError(f"y must be 1-dimensional for regression, got shape {y.shape}")
        return self._partial_fit(X, y, sample_weight, 0)

    def predict(self, X):
        """The regression output of each row, in the units of y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        X = self._check_X(X)
        return np.asarray(self._core.decision_function(X))[:, 0]


def load_model(path):
    """Loads a saved model (Python or R) as the right estimator class.

    Parameters
    ----------
    path : str or os.PathLike
        A JSON model file (docs/model-format.md).

    Returns
    -------
    estimator : object
        A fitted estimator of the class the file names (tabular, sequence or
        SENN; classifier or regressor).

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_iris
    >>> from scoresactivation import ScoresActivationClassifier, load_model
    >>> X, y = load_iris(return_X_y=True)
    >>> est = ScoresActivationClassifier(max_epochs=10, random_state=0).fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
    >>> loaded = load_model(est.save(path) and path)
    >>> type(loaded).__name__, bool((loaded.predict_proba(X) == est.predict_proba(X)).all())
    ('ScoresActivationClassifier', True)
    """
    doc = _model_io.read_document(os.fspath(path))
    loaded = _model_io.read(doc)  # checks the whole document, once
    family = loaded["family"]
    if family == "senn":
        from ._senn import SENNClassifier, SENNRegressor

        classifier, regressor = SENNClassifier, SENNRegressor
    elif family == "sequence":
        from ._sequence import ScoresActivationSequenceClassifier, ScoresActivationSequenceRegressor

        classifier, regressor = ScoresActivationSequenceClassifier, ScoresActivationSequenceRegressor
    else:
        classifier, regressor = ScoresActivationClassifier, ScoresActivationRegressor
    cls = classifier if loaded["task"] == "classification" else regressor
    return cls._from_checked(doc, loaded)

