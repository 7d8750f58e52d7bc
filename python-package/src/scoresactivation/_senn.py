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
from ._common import core_params
from ._estimator import ScoresActivationClassifier, ScoresActivationRegressor
from ._explain import _Default, _reference, core_explain

LOCAL_METHODS = tuple(_core.explain_methods("senn"))
# Shapley values' options and their defaults (the core's; None: the training mean, auto-exact, drawn seed).
SHAPLEY_OPTIONS = {"background": None, "exact": None, "n_permutations": 64, "random_state": None}
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

    def explain(self, X, method="theta", *, target=None, **shapley_options):
        """The model's own explanation of each row of X.

        Returns (n_samples, n_features) for a regressor or a single ``target``
        class, (n_samples, n_features, n_classes) for every class
        (``target=None``).

        Parameters
        ----------
        method : {"theta", "contributions", "gradient"}, default="theta"
            "theta": the relevance coefficients theta(x) of the concepts (the
            gated, standardised features); "contributions": theta_i(x) z_i in
            the output's units, which with ``base_values_`` sum to the logit
            (or the regression prediction) exactly; "gradient": d output / d x
            in the features' units (what theta approximates once the penalty
            has done its work); "shapley": interventional Shapley values of
            the logit (or the regression output) over ``background`` rows (the
            training mean by default), exact up to 12 features (``exact``),
            else ``n_permutations`` sampled orders (``random_state``), from the
            core's model-agnostic explainer.
        target : class label or None
        """
        if not isinstance(method, str) or method not in LOCAL_METHODS:  # before X is checked
            raise ValueError(f"method must be one of {', '.join(LOCAL_METHODS)}; got {method!r}")
        unknown = sorted(set(shapley_options) - set(SHAPLEY_OPTIONS))
        if unknown:
            raise TypeError(f"explain() got unexpected keyword argument(s) {', '.join(unknown)}")
        options = {name: shapley_options.get(name, _Default(default)) for name, default in SHAPLEY_OPTIONS.items()}
        X = self._check_X(X)
        results, _, class_axis = core_explain(
            self, X, method, "senn", options, target, "raw", X.shape[1],
            lambda value, name: _reference(self, value, name),
            lambda core_options: _core.explain(self._core, X, core_options))
        return np.stack(results, axis=-1) if class_axis else results[0]

    def global_importance(self, X=None, y=None, method="scores", **kwargs):
        """One importance per feature (column order).

        ``method="scores"``: the learned scores (no data needed); a method of
        :meth:`explain`: mean absolute value over the rows of X (and the
        classes): "contributions" gives mean ``|theta_i(x) z_i|``, "theta" mean
        ``|theta_i(x)|``.
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
        return np.abs(values).mean(axis=(0, 2) if values.ndim == 3 else 0)

    def robustness(self, X):
        """Per row, sum_k ||grad_z f_k(z) - theta_k(z)||^2 on the concepts: how far theta is
        from the model's own local linear behaviour (what the penalty drives down)."""
        X = self._check_X(X)
        return np.asarray(self._core.robustness_residual(X)).reshape(-1)


class SENNClassifier(_SENNMixin, ScoresActivationClassifier):
    """Self-explaining neural network classifier (SENN with identity concepts).

    ``logit_k(x) = sum_i theta_{k,i}(z) z_i + b_k`` with ``z`` the standardised
    features, gated by the ScoresActivation layer when ``scores_layer=True``
    (so :meth:`scores` ranks the features as in ScoresActivationClassifier),
    and ``theta`` an MLP of ``hidden_layer_sizes``. The training loss adds
    ``robustness_penalty`` times the weighted row mean of
    ``sum_k ||grad_z logit_k - theta_k||^2`` (the paper's robustness loss,
    squared), with its exact gradient.

    Parameters
    ----------
    robustness_penalty : float, default=1e-2
        lambda of the robustness penalty; 0 trains theta without it.
    Every other parameter is ScoresActivationClassifier's, with the same default.

    Attributes
    ----------
    base_values_ : ndarray of shape (n_classes,)
        The intercepts b.
    The others are ScoresActivationClassifier's.
    """


class SENNRegressor(_SENNMixin, ScoresActivationRegressor):
    """Self-explaining neural network regressor (SENN with identity concepts).

    Same model and parameters as SENNClassifier with one output; the target
    is standardised inside the model, and ``explain(method="contributions")``
    and ``base_values_`` are in the target's units.
    """
