"""Uncertainty of the scores: refits on bootstrap resamples (n_bootstrap)."""

import pickle

import numpy as np
import pytest

from scoresactivation import ScoresActivationClassifier, ScoresActivationRegressor, load_model

FAST = dict(hidden_layer_sizes=(16,), max_epochs=15, refine_epochs=2, random_state=3)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    y = 3.0 * X[:, 0] + 0.5 * X[:, 1] + 0.3 * rng.normal(size=300)  # x0 strong, x1 weak, x2/x3 noise
    return X, y


@pytest.fixture(scope="module")
def fitted(data):
    X, y = data
    return ScoresActivationRegressor(n_bootstrap=6, n_threads=1, **FAST).fit(X, y)


def test_bootstrap_scores_are_refits_with_their_own_draws(fitted, data):
    b = fitted.scores_bootstrap_
    assert b.shape == (6, 4)
    np.testing.assert_allclose(b.sum(axis=1), 1.0, atol=1e-12)
    assert np.all(b >= 0)
    assert len({tuple(row) for row in b}) == 6  # every replicate has its own rows and seed
    np.testing.assert_allclose(fitted.scores_std_, b.std(axis=0, ddof=1))
    # the model itself is the main fit: the same as without bootstrap
    X, y = data
    plain = ScoresActivationRegressor(n_threads=1, **FAST).fit(X, y)
    np.testing.assert_array_equal(plain.scores(), fitted.scores())
    np.testing.assert_array_equal(plain.predict(X), fitted.predict(X))
    assert not hasattr(plain, "scores_bootstrap_") and not hasattr(plain, "scores_std_")


def test_intervals_separate_a_strong_feature_from_noise(fitted):
    low, high = fitted.scores_interval(0.9)
    assert np.all(low <= high)
    # x0 carries almost all the signal: its whole interval lies above the noise columns'
    assert low[0] > max(high[2], high[3])
    lo95, hi95 = fitted.scores_interval()
    assert np.all(lo95 <= low + 1e-15) and np.all(hi95 >= high - 1e-15)


def test_bootstrap_does_not_depend_on_the_thread_count(fitted, data):
    X, y = data
    two = ScoresActivationRegressor(n_bootstrap=6, n_threads=2, **FAST).fit(X, y)
    np.testing.assert_array_equal(two.scores_bootstrap_, fitted.scores_bootstrap_)


def test_bootstrap_round_trips_through_files_and_pickles(fitted, tmp_path):
    path = tmp_path / "m.json"
    fitted.save(path)
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.scores_bootstrap_, fitted.scores_bootstrap_)
    np.testing.assert_array_equal(loaded.scores_std_, fitted.scores_std_)
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.scores_interval(), fitted.scores_interval())


def test_refit_without_bootstrap_drops_the_old_intervals(data):
    X, y = data
    est = ScoresActivationRegressor(n_bootstrap=2, **FAST).fit(X, y)
    est.set_params(n_bootstrap=0).fit(X, y)
    assert not hasattr(est, "scores_bootstrap_")
    with pytest.raises(AttributeError, match="n_bootstrap"):
        est.scores_interval()


def test_classifier_bootstrap(data):
    X, y = data
    est = ScoresActivationClassifier(n_bootstrap=3, **FAST).fit(X, y > 0)
    assert est.scores_bootstrap_.shape == (3, 4)


@pytest.mark.parametrize("bad", [-1, 1.5, "3", 10**6])
def test_bad_n_bootstrap_is_a_value_error(data, bad):
    X, y = data
    with pytest.raises(ValueError, match="n_bootstrap"):
        ScoresActivationRegressor(n_bootstrap=bad, **FAST).fit(X, y)


@pytest.mark.parametrize("level", [0, 1, -0.5, 2, float("nan"), "0.9", True])
def test_bad_level_is_a_value_error(fitted, level):
    with pytest.raises(ValueError, match="level"):
        fitted.scores_interval(level)
