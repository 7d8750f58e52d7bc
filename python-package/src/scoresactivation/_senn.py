"""Self-explaining neural networks (SENN, Alvarez-Melis & Jaakkola 2018) over the C++ core.

The model is its own explanation: ``f_k(x) = sum_i theta_{k,i}(z) z_i + b_k``,
``z`` the standardised features (through the ScoresActivation gate when
``scores_layer=True``) and ``theta`` an MLP. The robustness penalty
``robustness_penalty * mean ||grad_z f_k - theta_k||^2`` keeps ``theta`` a
faithful local linear explanation; its exact gradient (a double backward
through ``theta``) is computed in the core.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from . import _core
from ._common import Default, core_params, parameters_doc
from ._estimator import ScoresActivationClassifier, ScoresActivationRegressor
from ._explain import _reference, core_explain, explain_with_progress

LOCAL_METHODS = tuple(_core.explain_methods("senn"))
GLOBAL_METHODS = ("scores",) + LOCAL_METHODS


class _SENNMixin:
    """What SENN changes in a tabular estimator: its core model, its own
    hyperparameter and its explanations (fit and predict are the tabular ones)."""

    _family = "senn"

    def __init__(
        self,
        hidden_layer_sizes=(64, 32),
        activation="relu",
        *,
        robustness_penalty=1e-2,
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
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.robustness_penalty = robustness_penalty
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

    # ----------------------------------------------------------------- core
    def _senn_params(self):
        """Validated core SennParams (the core's table; errors name robustness_penalty)."""
        return core_params(self, 0)[2]

    def _new_core(self, params):
        return _core.SennEstimator(params, self._senn_params(), self._task)

    def _core_from_state(self, seed, state):
        return _core.SennEstimator.from_state(self._core_params(seed), self._senn_params(), state)

    # -------------------------------------------------------- explanations
    @property
    def base_values_(self):
        """b per output: the logits' intercepts, or the regression output where every contribution is 0."""
        check_is_fitted(self, "n_epochs_")
        return np.asarray(self._core.base_values())

    def explain(self, X, method="theta", *, target=None, background=Default(None), exact=Default(None),
                n_permutations=Default(64), random_state=Default(None)):
        """The model's own explanation of each row of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The rows to explain.
        method : {"theta", "contributions", "gradient", "shapley"}, default="theta"
            "theta": the relevance coefficients theta(x) of the concepts (the
            gated, standardised features); "contributions": theta_i(x) z_i in
            the output's units, which with ``base_values_`` sum to the logit
            (or the regression prediction) exactly; "gradient": d output / d x
            in the features' units (what theta approximates once the penalty
            has done its work); "shapley": interventional Shapley values of
            the logit (or the regression output) from the core's
            model-agnostic explainer.
        target : class label or None, default=None
            The class explained; None: all classes.
        background : array-like of shape (m, n_features) or None, default=None
            Shapley values: rows that stand in for absent features (None: the
            training mean).
        exact : bool or None, default=None
            Shapley values from all coalitions (None: up to 12 features) or
            sampled orders.
        n_permutations : int, default=64
            Sampled Shapley values: feature orders (antithetic pairs).
        random_state : int, RandomState or None, default=None
            Sampled Shapley values' seed.

        Returns
        -------
        values : ndarray
            (n_samples, n_features) for a regressor or a single ``target``
            class, (n_samples, n_features, n_classes) for every class.
        """
        if not isinstance(method, str) or method not in LOCAL_METHODS:  # before X is checked
            raise ValueError(f"method must be one of {', '.join(LOCAL_METHODS)}; got {method!r}")
        options = dict(background=background, exact=exact, n_permutations=n_permutations, random_state=random_state)
        X = self._check_X(X)
        results, _, class_axis = core_explain(
            self, X, method, "senn", options, target, "raw", X.shape[1],
            lambda value, name: _reference(self, value, name),
            lambda core_options: explain_with_progress(self, method, lambda hook: _core.explain(
                self._core, X, core_options, progress=hook)))
        return np.stack(results, axis=-1) if class_axis else results[0]

    def global_importance(self, X=None, y=None, method="scores", **kwargs):
        """One importance per feature (column order).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), optional
            The rows to measure on (not needed for "scores").
        y : None
            Not used (no method here needs the responses); must be None.
        method : {"scores", "theta", "contributions", "gradient", "shapley"}, default="scores"
            "scores": the learned scores; a method of :meth:`explain`: its
            mean absolute value over the rows of X (and the classes):
            "contributions" gives mean ``|theta_i(x) z_i|``, "theta" mean
            ``|theta_i(x)|``.
        **kwargs
            The options of :meth:`explain` for that method.

        Returns
        -------
        importance : ndarray of shape (n_features,)
        """
        if not isinstance(method, str) or method not in GLOBAL_METHODS:
            raise ValueError(f"method must be one of {', '.join(GLOBAL_METHODS)}; got {method!r}")
        if method == "scores":
            if X is not None or kwargs:
                raise ValueError("method='scores' takes no data or options (the learned scores need none)")
            return self.scores()
        if X is None:
            raise ValueError(f"method={method!r} needs X")
        if y is not None:
            raise ValueError(f"method={method!r} does not use y")
        values = self.explain(X, method, **kwargs)
        return self._per_feature(np.abs(values).mean(axis=(0, 2) if values.ndim == 3 else 0), method)

    def robustness(self, X):
        """How far theta is from the model's own local linear behaviour, per row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        residual : ndarray of shape (n_samples,)
            ``sum_k ||grad_z f_k(z) - theta_k(z)||^2`` on the concepts (what
            the robustness penalty drives down).
        """
        X = self._check_X(X)
        return np.asarray(self._core.robustness_residual(X)).reshape(-1)


class SENNClassifier(_SENNMixin, ScoresActivationClassifier):
    __doc__ = """Self-explaining neural network classifier (SENN with identity concepts).

    ``logit_k(x) = sum_i theta_{k,i}(z) z_i + b_k`` with ``z`` the standardised
    features, gated by the ScoresActivation layer when ``scores_layer=True``
    (so :meth:`scores` ranks the features as in ScoresActivationClassifier),
    and ``theta`` an MLP of ``hidden_layer_sizes``. The training loss adds
    ``robustness_penalty`` times the weighted row mean of
    ``sum_k ||grad_z logit_k - theta_k||^2`` (the paper's robustness loss,
    squared), with its exact gradient.

    Every parameter but ``robustness_penalty`` is ScoresActivationClassifier's,
    with the same default (its docs give the details), and so are the
    attributes but ``base_values_``.

    Parameters
    ----------
""" + parameters_doc("senn") + """
    Attributes
    ----------
    base_values_ : ndarray of shape (n_classes,)
        The intercepts b.
    feature_importances_ : ndarray of shape (n_features,)
        The learned scores, summing to 1 (with ``scores_layer=True``).
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from scoresactivation import SENNClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> est = SENNClassifier(max_epochs=30, random_state=0).fit(X, y)
    >>> contributions = est.explain(X[:3], "contributions")  # (3, 4, 3): rows, features, classes
    >>> logits = contributions.sum(axis=1) + est.base_values_  # they add up to the logits
    >>> softmax = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    >>> bool(np.allclose(softmax, est.predict_proba(X[:3])))
    True
    """


class SENNRegressor(_SENNMixin, ScoresActivationRegressor):
    __doc__ = """Self-explaining neural network regressor (SENN with identity concepts).

    Same model and parameters as SENNClassifier with one output; the target
    is standardised inside the model, and ``explain(method="contributions")``
    and ``base_values_`` are in the target's units.

    Parameters
    ----------
""" + parameters_doc("senn") + """
    Attributes
    ----------
    base_values_ : ndarray of shape (1,)
        The regression output where every contribution is 0.
    feature_importances_ : ndarray of shape (n_features,)
        The learned scores, summing to 1 (with ``scores_layer=True``).
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_diabetes
    >>> from scoresactivation import SENNRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> est = SENNRegressor(max_epochs=30, random_state=0).fit(X, y)
    >>> contributions = est.explain(X[:3], "contributions")  # theta_i(x) z_i, in the units of y
    >>> bool(np.allclose(contributions.sum(axis=1) + est.base_values_[0], est.predict(X[:3])))
    True
    """
