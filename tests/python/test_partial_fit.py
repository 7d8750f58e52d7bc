"""partial_fit: one pass per chunk through the core's shared training loop;
the first chunk fixes columns, classes and scaling; a model pickled or saved
mid-stream continues exactly; bad chunks are refused and change nothing."""

import pickle

import numpy as np
import pandas as pd
import pytest

import scoresactivation as sa
from scoresactivation import ScoresActivationClassifier, ScoresActivationRegressor

rng = np.random.default_rng(0)


def chunk(n=200, seed=None, shift=10.0):
    r = np.random.default_rng(seed)
    X = r.normal(size=(n, 4))
    y = np.where(2 * X[:, 0] - X[:, 1] + 0.3 * r.normal(size=n) > 0, "yes", "no")
    return X * 4 + shift, y


def test_streaming_chunks_learns_the_signal_and_records_a_pass_each():
    est = ScoresActivationClassifier(random_state=0)
    for i in range(30):
        X, y = chunk(seed=i)
        assert est.partial_fit(X, y, classes=["no", "yes"]) is est
    X_test, y_test = chunk(2000, seed=99)
    assert est.n_iter_ == est.n_epochs_ == est.best_epoch_ == 30
    assert len(est.loss_curve_) == 30 and est.scores_history_.shape == (30, 4)
    assert est.score(X_test, y_test) > 0.9
    w = est.scores()
    assert min(w[0], w[1]) > max(w[2], w[3])
    assert list(est.classes_) == ["no", "yes"]
    assert est.best_loss_ == pytest.approx(est.loss_curve_.min()) and est.validation_scores_ is None


def test_the_first_chunk_fixes_the_scaling():
    X, y = chunk(seed=1)
    est = ScoresActivationClassifier(random_state=0).partial_fit(X, y, classes=["no", "yes"])
    mean = np.asarray(est._core.input_mean())
    np.testing.assert_allclose(mean, X.mean(axis=0), rtol=1e-12)
    X2, y2 = chunk(seed=2, shift=50.0)
    est.partial_fit(X2, y2)
    np.testing.assert_array_equal(np.asarray(est._core.input_mean()), mean)


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_pickled_or_saved_mid_stream_the_model_continues_exactly(tmp_path, solver):
    chunks = [chunk(seed=i) for i in range(4)]
    straight = ScoresActivationClassifier(solver=solver, random_state=3)
    for X, y in chunks:
        straight.partial_fit(X, y, classes=["no", "yes"])
    half = ScoresActivationClassifier(solver=solver, random_state=3)
    for X, y in chunks[:2]:
        half.partial_fit(X, y, classes=["no", "yes"])
    pickled = pickle.loads(pickle.dumps(half))
    half.save(tmp_path / "m.json")
    loaded = sa.load_model(tmp_path / "m.json")
    X_test, _ = chunk(500, seed=50)
    for resumed in (pickled, loaded):
        for X, y in chunks[2:]:
            resumed.partial_fit(X, y)
        np.testing.assert_array_equal(resumed.predict_proba(X_test), straight.predict_proba(X_test))
        np.testing.assert_array_equal(resumed.scores(), straight.scores())


def test_a_chunk_may_hold_one_class_and_the_classes_come_from_the_first_call():
    X, y = chunk(seed=4)
    est = ScoresActivationClassifier(random_state=0).partial_fit(X[y == "no"], y[y == "no"], classes=["yes", "no"])
    assert list(est.classes_) == ["no", "yes"]
    assert est.predict_proba(X).shape == (200, 2)


def test_regression_keeps_the_first_chunks_target_scale():
    est = ScoresActivationRegressor(random_state=0)
    r = np.random.default_rng(5)
    X = r.normal(size=(2000, 3))
    y = 100 + 20 * X[:, 0] + r.normal(size=2000)
    for _ in range(10):
        for start in range(0, 2000, 250):
            est.partial_fit(X[start:start + 250], y[start:start + 250])
    assert est.score(X, y) > 0.95
    assert est.n_iter_ == 80


def test_after_fit_partial_fit_continues_from_the_fitted_weights():
    X, y = chunk(600, seed=6)
    est = ScoresActivationClassifier(max_epochs=5, random_state=0).fit(X, y)
    epochs = est.n_iter_
    before = est.predict_proba(X)
    est.partial_fit(X[:100], y[:100])
    assert est.n_iter_ == epochs + 1
    assert len(est.validation_loss_curve_) == 0 and est.validation_scores_ is None
    assert not np.array_equal(est.predict_proba(X), before)
    assert np.abs(est.predict_proba(X) - before).max() < 0.5  # one pass on, not a new model


def test_categorical_levels_come_from_the_first_chunk():
    frame = pd.DataFrame({"x": rng.normal(size=300), "city": rng.choice(["oslo", "rome"], 300)})
    y = np.where(frame["city"] == "rome", 1.0, -1.0) + frame["x"]
    est = ScoresActivationRegressor(random_state=0).partial_fit(frame[:150], y[:150])
    est.partial_fit(frame[150:], y[150:])
    assert list(est.encoded_feature_names_) == ["x", "city=oslo", "city=rome"] and len(est.scores()) == 2
    unknown = frame[150:].assign(city="lima")
    with pytest.raises(ValueError, match="lima"):
        est.partial_fit(unknown, y[150:])


@pytest.mark.parametrize("call, message", [
    (lambda est, X, y: est.partial_fit(X[:, :3], y), "X has 3 features, but ScoresActivationClassifier is expecting 4"),
    (lambda est, X, y: est.partial_fit(X, np.where(y == "yes", "maybe", y)), r"y holds labels not in classes: \['maybe'\]"),
    (lambda est, X, y: est.partial_fit(X, y, classes=["no", "yes", "maybe"]), "differ from the model's classes_"),
    (lambda est, X, y: est.partial_fit(X.astype(np.float16), y), "X is float16"),
    (lambda est, X, y: est.partial_fit(np.where(X > 12, np.nan, X), y), "NaN"),
])
def test_bad_chunks_are_refused_and_the_model_is_unchanged(call, message):
    X, y = chunk(seed=7)
    est = ScoresActivationClassifier(random_state=0).partial_fit(X, y, classes=["no", "yes"])
    before, passes = est.predict_proba(X), est.n_iter_
    with pytest.raises(ValueError, match=message):
        call(est, X, y)
    np.testing.assert_array_equal(est.predict_proba(X), before)
    assert est.n_iter_ == passes


def test_first_call_needs_classes_and_some_params_are_fits_only():
    X, y = chunk(seed=8)
    with pytest.raises(ValueError, match="classes must be given on the first call"):
        ScoresActivationClassifier().partial_fit(X, y)
    with pytest.raises(ValueError, match="n_bootstrap applies to fit"):
        ScoresActivationClassifier(n_bootstrap=3).partial_fit(X, y, classes=["no", "yes"])
    with pytest.raises(ValueError, match="class_weight='balanced' is not supported by partial_fit"):
        ScoresActivationClassifier(class_weight="balanced").partial_fit(X, y, classes=["no", "yes"])
    weighted = ScoresActivationClassifier(class_weight={"yes": 3.0}, random_state=0).partial_fit(
        X, y, classes=["no", "yes"])
    explicit = ScoresActivationClassifier(random_state=0).partial_fit(
        X, y, classes=["no", "yes"], sample_weight=np.where(y == "yes", 3.0, 1.0))
    np.testing.assert_array_equal(weighted.predict_proba(X), explicit.predict_proba(X))
    with pytest.raises(ValueError, match="X is float16"):
        ScoresActivationClassifier().fit(X.astype(np.float16), y)


def test_the_same_seed_gives_the_same_stream():
    a, b = ScoresActivationClassifier(random_state=9), ScoresActivationClassifier(random_state=9)
    for i in range(3):
        X, y = chunk(seed=i)
        a.partial_fit(X, y, classes=["no", "yes"])
        b.partial_fit(X, y, classes=["no", "yes"])
    np.testing.assert_array_equal(a.scores(), b.scores())


def test_only_the_tabular_networks_train_incrementally():
    assert hasattr(ScoresActivationClassifier(), "partial_fit") and hasattr(ScoresActivationRegressor(), "partial_fit")
    for cls in (sa.SENNClassifier, sa.SENNRegressor, sa.ScoresActivationSequenceClassifier):
        assert not hasattr(cls(), "partial_fit")
