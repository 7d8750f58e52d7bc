"""scikit-learn estimators for sequences, over the C++ core's sequence family.

X has shape (n_samples, n_steps, n_channels). The ScoresActivation gate
learns one score per channel, shared by every time step, in front of an LSTM
or 1-D convolutional encoder; the encoder's output is pooled over the valid
steps and read by a dense head. So ``scores()`` ranks the channels as the
tabular estimators rank their features.
"""


import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils.validation import _check_y, check_array, check_consistent_length, check_is_fitted

from . import _core
from ._common import Default, class_weighted, core_params, fit_doc, parameters_doc, resolve_seed
from ._estimator import (
    _checked_sample_weight,
    _class_encoding,
    _ClassesMixin,
    _ScoresBase,
)

_SEQUENCE_X = """array-like of shape (n_samples, n_steps, n_channels)
            The sequences (values beyond a sequence's length are ignored)."""

def _as_sequences(X, name="X"):
    """X as a float64 (n, T, C) array; ValueError naming the argument otherwise.

    No copy for a float64 array (any memory order); values need not be
    finite here (padding beyond ``lengths`` may be NaN: the core checks the
    valid steps).
    """
    X = check_array(X, allow_nd=True, ensure_2d=False, dtype=np.float64, ensure_all_finite=False,
                    ensure_min_samples=0, input_name=name)
    if X.ndim != 3:
        hint = " (for one channel, pass X[:, :, None])" if X.ndim == 2 else ""
        raise ValueError(f"{name} must be a 3-d array (n_samples, n_steps, n_channels), got shape {X.shape}{hint}")
    n, steps, channels = X.shape
    if n == 0:
        raise ValueError(f"{name} has 0 samples (shape {X.shape}); at least 1 is required")
    if steps == 0:
        raise ValueError(f"{name} has 0 time steps (shape {X.shape}); at least 1 is required")
    if channels == 0:
        raise ValueError(f"{name} has 0 channels (shape {X.shape}); at least 1 is required")
    return X


def _as_matrix(X):
    """(n, T, C) -> (n, T * C), column t * C + c: the core's layout. A view
    whenever numpy can make one (always for a C-contiguous array)."""
    n, steps, channels = X.shape
    return X.reshape(n, steps * channels)


def _check_lengths(lengths, n, steps):
    """lengths as float64 (n,) whole numbers in 1..steps, or an empty array for None."""
    if lengths is None:
        return np.empty(0)
    values = np.asarray(lengths)
    if values.dtype == bool or not (np.issubdtype(values.dtype, np.integer)
                                    or np.issubdtype(values.dtype, np.floating)):
        raise ValueError(f"lengths must hold integers (the valid steps of each sequence), got dtype {values.dtype}")
    if values.shape != (n,):
        raise ValueError(f"lengths must have shape ({n},), one value per sequence of X, got shape {values.shape}")
    values = values.astype(np.float64)
    if np.isnan(values).any():
        raise ValueError(f"lengths contains NaN (at index {int(np.flatnonzero(np.isnan(values))[0])}); "
                         f"each sequence needs a length in 1..{steps}")
    bad = np.flatnonzero((values < 1) | (values > steps) | (values != np.floor(values)))
    if len(bad):
        raise ValueError(f"lengths must hold whole numbers in 1..{steps} (the time steps of X); "
                         f"lengths[{int(bad[0])}] is {np.asarray(lengths)[int(bad[0])]!r}")
    return values


class _ScoresActivationSequenceBase(_ScoresBase):
    """Shared fit/predict logic; see ScoresActivationSequenceClassifier for the parameters."""

    _family = "sequence"

    def __init__(
        self,
        units=(32,),
        architecture="lstm",
        *,
        kernel_size=5,
        pooling="auto",
        hidden_layer_sizes=(),
        activation="relu",
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
    ):
        self.units = units
        self.architecture = architecture
        self.kernel_size = kernel_size
        self.pooling = pooling
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

    # ----------------------------------------------------------------- params
    def _sequence_params(self):
        """Validated core SequenceParams (the core's table; errors name the parameter)."""
        return core_params(self, 0)[1]

    def _core_from_state(self, seed, state):
        return _core.SequenceEstimator.from_state(self._core_params(seed), self._sequence_params(), state)

    # -------------------------------------------------------------------- fit
    def _fit_sequences(self, X, y, sample_weight, lengths, n_classes, callbacks, validation_data):
        seed = resolve_seed(self.random_state)
        params = self._core_params(seed)
        sequence = self._sequence_params()
        n, steps, channels = X.shape
        lengths = _check_lengths(lengths, n, steps)
        sample_weight = _checked_sample_weight(sample_weight, X)
        if self.class_weight is not None:
            sample_weight = class_weighted(self, y, sample_weight)
        self.n_features_in_ = channels  # what validation rows must match (restored if the fit fails)
        self.n_steps_in_ = steps
        validation = self._validation_rows(validation_data)
        core = _core.SequenceEstimator(params, sequence, self._task)
        with self._epoch_reporter(callbacks) as on_epoch:
            core.fit(_as_matrix(X), steps, lengths, y.astype(np.float64), sample_weight, n_classes, on_epoch,
                     validation)
        self._core = core
        self._seed = seed
        self._store_fitted(core)
        return self

    def _validation_matrix(self, X_val, lengths_val):
        X_val = _as_sequences(X_val)
        n, steps, channels = X_val.shape
        if (steps, channels) != (self.n_steps_in_, self.n_features_in_):
            raise ValueError(f"X has shape {X_val.shape}; the training X has {self.n_steps_in_} steps "
                             f"and {self.n_features_in_} channels")
        return _as_matrix(X_val), _check_lengths(lengths_val, n, steps)

    def _check_X(self, X, lengths=None):
        """Fitted check, then X (n, T, C) with the training channel count and any T,
        as the core's (n, T * C) matrix, T and the checked lengths."""
        check_is_fitted(self, "n_epochs_")
        X = _as_sequences(X)
        n, steps, channels = X.shape
        if channels != self.n_features_in_:
            raise ValueError(f"X has {channels} channels, but {type(self).__name__} is expecting "
                             f"{self.n_features_in_} channels as input (X: n_samples, n_steps, n_channels)")
        return _as_matrix(X), steps, _check_lengths(lengths, n, steps)

    def _decision(self, X, lengths):
        x, steps, lengths = self._check_X(X, lengths)
        return np.asarray(self._core.decision_function(x, steps, lengths))

    # ----------------------------------------------------------- attribution
    def explain(self, X, method="integrated_gradients", lengths=None, *, baseline=Default("mean"), target=None,
                output="raw", rule=Default("rescale"), n_steps=Default(50), integration=Default("gausslegendre"),
                background=Default(None), exact=Default(None), n_permutations=Default(64),
                random_state=Default(None)):
        """Local attributions for each sequence of X, from the C++ core.

        Everything is in the user's units; the explained output is the class
        logit or the regression value (Shapley values may also explain class
        probabilities, ``output="probability"``). An option of another
        method is a ValueError.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_steps, n_channels)
            The sequences to explain.
        method : {"integrated_gradients", "deeplift", "gradient", "gradient_times_input", "shapley"}
            The gradient methods attribute to each time step and channel;
            "shapley" treats each channel (all its steps together) as one
            player.
        lengths : array-like of shape (n_samples,) of int, optional
            Valid steps of each sequence of X.
        baseline : "mean", "zeros" or array-like of shape (n_steps, n_channels) or (r, n_steps, n_channels), \
default="mean"
            The reference sequence(s) of Integrated Gradients and DeepLIFT
            (rescale rule; the product rule for the LSTM's gates), averaged
            over; "mean" is each channel's training mean at every step. Each
            sequence keeps its own length, so its attributions sum to
            f(x) - f(baseline cut to that length) (exactly for DeepLIFT, up
            to the quadrature error for Integrated Gradients).
        target : class label or None, default=None
            The class whose output is explained; None: all classes.
        output : {"raw", "probability"}, default="raw"
            What Shapley values explain.
        rule : {"rescale"}, default="rescale"
            DeepLIFT's rule (the only one for sequence models).
        n_steps : int, default=50
            Integrated Gradients' quadrature points.
        integration : str, default="gausslegendre"
            Integrated Gradients' quadrature rule (as in the tabular explain()).
        background : array-like of shape (m, n_steps, n_channels) or None, default=None
            Shapley values: sequences whose channels stand in for absent ones
            (None: the training mean at every step).
        exact : bool or None, default=None
            Shapley values: all 2^C coalitions (None: when C <= 12) or sampled.
        n_permutations : int, default=64
            Sampled Shapley values: channel orders (antithetic pairs).
        random_state : int, RandomState or None, default=None
            Sampled Shapley values' seed.

        Returns
        -------
        values : ndarray
            (n_samples, n_steps, n_channels) for the gradient methods, exactly
            zero at padded steps (beyond ``lengths``); (n_samples, n_channels)
            for "shapley". A class axis is appended for every class of a
            classifier (``target=None``).
        """
        from ._sequence_explain import explain

        return explain(self, X, method, lengths=lengths, baseline=baseline, target=target, output=output, rule=rule,
                       n_steps=n_steps, integration=integration, background=background, exact=exact,
                       n_permutations=n_permutations, random_state=random_state)

    def global_importance(self, X=None, y=None, method="scores", lengths=None, **kwargs):
        """One importance per channel (channel order).

        - ``"scores"``: the learned scores (no data needed).
        - ``"deepactif"``: DeepACTIF (Hosp 2025) from the forward activations
          over X: ``hook="input"`` (default; the gate-weighted input of the
          encoder) or ``"encoder"`` (the first encoder layer's output, mapped
          to the channels by each unit's share of ``|input weight|``), the mean
          ``|activation|`` over each sequence's valid steps, aggregated over the
          sequences by ``aggregation="mean"`` (default, chosen by
          measurement: docs/sequence.md), ``"inv"`` (the paper's inverse
          weighting of min-max normalised mean and sd) or ``"meanstd"``. Non-negative, not normalised.
        - ``"permutation"``: the increase of the model's loss when a
          channel's whole sequence is shuffled across the sequences of X
          (needs y; ``n_repeats``, ``random_state``).
        - any local method of :meth:`explain`: the mean over the sequences
          (and classes) of the absolute attribution, summed over the steps;
          that method's options pass through.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_steps, n_channels), optional
            The sequences to measure on (not needed for "scores").
        y : array-like of shape (n_samples,), optional
            Their true responses ("permutation" only).
        method : str, default="scores"
            "scores", "deepactif", "permutation" or a local method of
            :meth:`explain`.
        lengths : array-like of shape (n_samples,) of int, optional
            Valid steps of each sequence of X.
        **kwargs
            ``hook`` and ``aggregation`` of "deepactif", ``n_repeats`` and
            ``random_state`` of "permutation", or the options of
            :meth:`explain` for a local method.

        Returns
        -------
        importance : ndarray of shape (n_channels,)
        """
        from ._sequence_explain import global_importance

        return self._per_feature(np.asarray(global_importance(self, X, y, method, lengths=lengths, **kwargs)), method)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        return tags


_SHARED_PARAMETERS = ("scores_layer", "gate", "snr_budget", "temperature", "entropy_penalty", "solver", "learning_rate",
                      "scores_learning_rate", "weight_decay", "momentum", "beta_1", "beta_2", "epsilon",
                      "batch_size", "max_epochs", "refine_epochs", "n_bootstrap", "early_stopping",
                      "validation_fraction", "n_iter_no_change", "tol", "standardize", "random_state",
                      "n_threads", "kernel", "verbose", "class_weight")
_PARAMETERS_DOC = """
    The parameters from ``scores_layer`` on are ScoresActivationClassifier's,
    with the same defaults (its docs give the details); the gate scores
    channels instead of features, and ``standardize`` scales each channel by
    its mean and sd over every valid step.

    Parameters
    ----------
    units : tuple of int, default=(32,)
        One entry per encoder layer: LSTM hidden units, or conv filters.
    architecture : {"lstm", "conv"}, default="lstm"
        The encoder: stacked LSTM layers (PyTorch's gate order and equations),
        or 1-D convolutions over time ("same" padding, ``activation`` after
        each layer).
    kernel_size : int, default=5
        Conv only: the width of each filter in time steps, odd in [1, 1025].
    pooling : {"auto", "last", "mean"}, default="auto"
        How the encoder's outputs become one vector per sequence: the last
        valid step, or the mean over the valid steps. "auto": last for
        "lstm", mean for "conv".
    hidden_layer_sizes : tuple of int, default=()
        Dense layers of the head after pooling (empty: the pooled vector
        feeds the output layer directly).
    activation : {"relu", "tanh", "logistic", "identity"}, default="relu"
        The head's (and the conv layers') activation.
""" + parameters_doc("sequence", _SHARED_PARAMETERS) + """
    Attributes
    ----------
    feature_importances_ : ndarray of shape (n_features,)
        The learned channel scores, summing to 1.
    scores_history_ : ndarray of shape (n_epochs, n_features)
    scores_bootstrap_, scores_std_ : ndarray
        With ``n_bootstrap`` > 0, as in the tabular estimators.
    loss_curve_, validation_loss_curve_ : ndarray of shape (n_epochs,)
    n_epochs_, best_epoch_ : int
    n_features_in_ : int
        The number of channels C.
    n_steps_in_ : int
        T of the training sequences (after fit; not stored in model documents,
        so absent after ``load``). Prediction takes any number of steps.

    Notes
    -----
    X is a 3-d array (n_samples, n_steps, n_channels) of numbers; there are
    no feature (channel) names (``feature_names_in_`` is never set), and
    scores, rankings and attributions are in channel order. ``lengths``
    (fit, predict, explain; optional) gives each sequence's valid steps,
    1..n_steps; the values beyond a sequence's length are ignored (they may
    be NaN or anything else). A C-contiguous float64 X is read in place.
"""


class ScoresActivationSequenceClassifier(_ClassesMixin, ClassifierMixin, _ScoresActivationSequenceBase):
    __doc__ = """Sequence classifier (LSTM or 1-D CNN) whose gate learns a global score per channel.

    The ScoresActivation gate scales each input channel, the same at every
    time step, by ``feature_importances_ = softmax(s / temperature)`` (with
    the training noise of the "snr" gate), so the channels are ranked while
    the network trains.
""" + _PARAMETERS_DOC.replace("    n_epochs_, best_epoch_ : int\n",
                               "    classes_ : ndarray of shape (n_classes,)\n    n_epochs_, best_epoch_ : int\n") + """
    Examples
    --------
    >>> import numpy as np
    >>> from scoresactivation import ScoresActivationSequenceClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 10, 3))  # 300 sequences, 10 steps, 3 channels
    >>> y = (X[:, :, 1].mean(axis=1) > 0).astype(int)  # only channel 1 matters
    >>> est = ScoresActivationSequenceClassifier(units=(8,), max_epochs=30, random_state=0).fit(X, y)
    >>> int(est.ranking()[0])
    1
    >>> est.explain(X[:2], "integrated_gradients", target=1).shape  # per step and channel
    (2, 10, 3)
    """

    _task = "classification"

    def fit(self, X, y, sample_weight=None, lengths=None, callbacks=None, validation_data=None):
        return self._transactional_fit(
            lambda: self._fit_classifier(X, y, sample_weight, lengths, callbacks, validation_data))
    fit.__doc__ = fit_doc("channel", _SEQUENCE_X, "Class labels (two or more classes).", lengths=True)

    def _fit_classifier(self, X, y, sample_weight, lengths, callbacks, validation_data):
        X = _as_sequences(X)
        y = _check_y(y, estimator=self)
        check_consistent_length(X, y)
        self.classes_, encoded = _class_encoding(y)
        return self._fit_sequences(X, encoded, sample_weight, lengths, len(self.classes_), callbacks, validation_data)

    def predict_proba(self, X, lengths=None):
        """Class probabilities of each sequence.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_steps, n_channels)
        lengths : array-like of shape (n_samples,) of int, optional
            Valid steps of each sequence.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            In the order of ``classes_``.
        """
        x, steps, lengths = self._check_X(X, lengths)
        return np.asarray(self._core.predict_proba(x, steps, lengths))

    def predict_log_proba(self, X, lengths=None):
        """Logarithms of the class probabilities, (n_samples, n_classes).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_steps, n_channels)
        lengths : array-like of shape (n_samples,), optional
            The valid steps of each sequence (default: all).

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        return np.log(self.predict_proba(X, lengths))

    def predict(self, X, lengths=None):
        """The most probable class of each sequence.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_steps, n_channels)
        lengths : array-like of shape (n_samples,), optional
            The valid steps of each sequence (default: all).

        Returns
        -------
        ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        probabilities = self.predict_proba(X, lengths)
        return self.classes_[np.argmax(probabilities, axis=1)]

    def score(self, X, y, sample_weight=None, lengths=None):
        """Accuracy of predict(X, lengths) against y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_steps, n_channels)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), optional
        lengths : array-like of shape (n_samples,) of int, optional

        Returns
        -------
        float
        """
        from sklearn.metrics import accuracy_score

        return accuracy_score(y, self.predict(X, lengths), sample_weight=sample_weight)


class ScoresActivationSequenceRegressor(RegressorMixin, _ScoresActivationSequenceBase):
    __doc__ = """Sequence regressor (LSTM or 1-D CNN) whose gate learns a global score per channel.

    Same parameters and attributes as ScoresActivationSequenceClassifier
    (without ``classes_``). The target is standardised inside the model; the
    loss is half the squared error on that scale.
""" + _PARAMETERS_DOC + """
    Examples
    --------
    >>> import numpy as np
    >>> from scoresactivation import ScoresActivationSequenceRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 8, 3))
    >>> y = X[:, :, 2].sum(axis=1)  # only channel 2 matters
    >>> est = ScoresActivationSequenceRegressor(units=(8,), max_epochs=30, random_state=0).fit(X, y)
    >>> int(est.ranking()[0])
    2
    >>> est.global_importance(X, method="deepactif").shape
    (3,)
    """

    _task = "regression"

    def fit(self, X, y, sample_weight=None, lengths=None, callbacks=None, validation_data=None):
        return self._transactional_fit(
            lambda: self._fit_regressor(X, y, sample_weight, lengths, callbacks, validation_data))
    fit.__doc__ = fit_doc("channel", _SEQUENCE_X, "The numeric target.", lengths=True)

    def _fit_regressor(self, X, y, sample_weight, lengths, callbacks, validation_data):
        X = _as_sequences(X)
        y = _check_y(y, y_numeric=True, estimator=self)
        check_consistent_length(X, y)
        return self._fit_sequences(X, y.astype(np.float64), sample_weight, lengths, 0, callbacks, validation_data)

    def predict(self, X, lengths=None):
        """The regression output of each sequence, in the units of y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_steps, n_channels)
        lengths : array-like of shape (n_samples,), optional
            The valid steps of each sequence (default: all).

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        return self._decision(X, lengths)[:, 0]

    def score(self, X, y, sample_weight=None, lengths=None):
        """R^2 of predict(X, lengths) against y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_steps, n_channels)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), optional
        lengths : array-like of shape (n_samples,) of int, optional

        Returns
        -------
        float
        """
        from sklearn.metrics import r2_score

        return r2_score(y, self.predict(X, lengths), sample_weight=sample_weight)
