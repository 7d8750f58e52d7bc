"""Bad input raises ValueError / NotFittedError naming the problem."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from scoresactivation import ScoresActivationClassifier, ScoresActivationRegressor, metrics

QUICK = dict(hidden_layer_sizes=(8,), max_epochs=5, random_state=0)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3))
    return X, (X[:, 0] > 0).astype(int)


@pytest.mark.parametrize("bad, match", [(np.nan, "NaN"), (np.inf, "infinity")])
def test_non_finite_X(data, bad, match):
    X, y = data
    X = X.copy()
    X[3, 1] = bad
    with pytest.raises(ValueError, match=match):
        ScoresActivationClassifier(**QUICK).fit(X, y)


def test_non_finite_y_regression(data):
    X, _ = data
    y = X[:, 0].copy()
    y[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ScoresActivationRegressor(**QUICK).fit(X, y)


def test_wrong_number_of_columns_at_predict(data):
    X, y = data
    est = ScoresActivationClassifier(**QUICK).fit(X, y)
    with pytest.raises(ValueError, match="3 features"):
        est.predict(X[:, :2])


def test_one_dimensional_X(data):
    X, y = data
    with pytest.raises(ValueError, match="2D array"):
        ScoresActivationClassifier(**QUICK).fit(X[:, 0], y)


def test_empty_X():
    with pytest.raises(ValueError, match="0 sample"):
        ScoresActivationClassifier(**QUICK).fit(np.empty((0, 3)), np.empty(0))


def test_single_class(data):
    X, _ = data
    with pytest.raises(ValueError, match="only one class"):
        ScoresActivationClassifier(**QUICK).fit(X, np.zeros(len(X)))


def test_strings_in_X(data):
    X, y = data
    with pytest.raises(ValueError, match="could not convert"):
        ScoresActivationClassifier(**QUICK).fit(X.astype(str).astype(object) + "a", y)


def test_continuous_target_for_classifier(data):
    X, _ = data
    with pytest.raises(ValueError, match="Unknown label type"):
        ScoresActivationClassifier(**QUICK).fit(X, X[:, 0])


def test_unfitted():
    est = ScoresActivationClassifier()
    for method in (est.predict, est.predict_proba):
        with pytest.raises(NotFittedError):
            method(np.zeros((2, 3)))
    with pytest.raises(NotFittedError):
        est.scores()
    with pytest.raises(NotFittedError):
        est.save("never.json")


@pytest.mark.parametrize(
    "params, match",
    [
        ({"hidden_layer_sizes": (8, 0)}, "hidden_layer_sizes"),
        ({"hidden_layer_sizes": "big"}, "hidden_layer_sizes"),
        ({"activation": "swish"}, "activation"),
        ({"solver": "lbfgs"}, "solver"),
        ({"temperature": 0.0}, "temperature"),
        ({"learning_rate": -1.0}, "learning_rate"),
        ({"scores_learning_rate": np.nan}, "scores_learning_rate"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 2.5}, "batch_size"),
        ({"validation_fraction": 1.0}, "validation_fraction"),
        ({"entropy_penalty": -0.1}, "entropy_penalty"),
        ({"kernel": "gpu"}, "kernel"),
        ({"gate": "noise"}, "gate"),
        ({"gate": 1}, "gate"),
        ({"snr_budget": 0.0}, "snr_budget"),
        ({"snr_budget": 1e7}, "snr_budget"),
        ({"snr_budget": np.inf}, "snr_budget"),
        ({"refine_epochs": -1}, "refine_epochs"),
        ({"refine_epochs": 2.5}, "refine_epochs"),
        ({"early_stopping": "yes"}, "early_stopping"),
        ({"random_state": -1}, "random_state"),
        ({"n_threads": 0}, "n_threads"),
    ],
)
def test_bad_parameters_name_themselves(data, params, match):
    X, y = data
    with pytest.raises(ValueError, match=match):
        ScoresActivationClassifier(**{**QUICK, **params}).fit(X, y)


def test_negative_sample_weight(data):
    X, y = data
    with pytest.raises(ValueError, match="sample_weight"):
        ScoresActivationClassifier(**QUICK).fit(X, y, sample_weight=-np.ones(len(y)))


def test_interrupt_stops_fit_with_keyboard_interrupt():
    """SIGINT during a long fit surfaces as KeyboardInterrupt within a second."""
    import signal
    import threading
    import time

    rng = np.random.default_rng(0)
    X = rng.normal(size=(20000, 20))
    y = (X[:, 0] > 0).astype(int)
    est = ScoresActivationClassifier(max_epochs=10000, early_stopping=False, tol=0.0, n_iter_no_change=10000)
    timer = threading.Timer(0.5, lambda: signal.raise_signal(signal.SIGINT))
    start = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, y)
    assert time.monotonic() - start < 5.0


@pytest.fixture(scope="module")
def wide_model():
    """A model whose attributions on tens of thousands of rows take seconds."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 8))
    y = (X[:, 0] > 0).astype(int)
    est = ScoresActivationClassifier(hidden_layer_sizes=(64, 64), max_epochs=2, random_state=0).fit(X, y)
    return est, X, y


# Each call is many seconds of work uninterrupted, and most of it sits in a
# few work items of the core (one row of Shapley values, one row of a
# million integration steps), so only polling inside them stops it in time.
LONG_CALLS = {
    "shapley": lambda est, X, y: est.explain(X, "shapley", background=X[:100], exact=False, n_permutations=20000,
                                             target=1),
    "shapley_one_row": lambda est, X, y: est.explain(X[:1], "shapley", background=X[:100], exact=False,
                                                     n_permutations=10**7, target=1),
    "permutation": lambda est, X, y: est.global_importance(np.tile(X, (50, 1)), np.tile(y, 50),
                                                           method="permutation", n_repeats=2000),
    "deeplift": lambda est, X, y: est.explain(np.tile(X, (50, 1)), "deeplift", baseline=np.tile(X, (5, 1)),
                                              rule="reveal_cancel", target=1),
    "integrated_gradients": lambda est, X, y: est.explain(X[:20], "integrated_gradients", n_steps=10**6, target=1),
    "gradient": lambda est, X, y: est.explain(np.tile(X, (5000, 1)), "gradient", target=1),
    "deletion_curve": lambda est, X, y: metrics.deletion_curve(est, np.tile(X, (4000, 1)), np.ones(8), target=1),
}


@pytest.mark.parametrize("call", sorted(LONG_CALLS))
def test_interrupt_stops_long_attributions_with_keyboard_interrupt(call, wide_model):
    """SIGINT during a long attribution or metric stops it with KeyboardInterrupt."""
    import signal
    import threading
    import time

    est, X, y = wide_model
    timer = threading.Timer(0.5, lambda: signal.raise_signal(signal.SIGINT))
    start = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            LONG_CALLS[call](est, X, y)
    finally:
        timer.cancel()
    assert time.monotonic() - start < 5.0


def test_fit_and_predict_release_the_gil():
    """Python keeps running while a fit is inside the C++ core."""
    import threading

    rng = np.random.default_rng(0)
    X = rng.normal(size=(20000, 20))
    y = (X[:, 0] > 0).astype(int)
    est = ScoresActivationClassifier(max_epochs=30, early_stopping=False, tol=0.0, n_iter_no_change=100,
                                     random_state=0, n_threads=1)
    worker = threading.Thread(target=est.fit, args=(X, y))
    worker.start()
    ticks = 0
    while worker.is_alive() and ticks < 1000:
        ticks += 1  # only advances while the fit does not hold the GIL
        threading.Event().wait(0.001)
    worker.join()
    # a fit holding the GIL would leave the loop at most one tick
    assert ticks >= 50
