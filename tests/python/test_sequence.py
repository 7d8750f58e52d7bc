"""The sequence estimators (LSTM and 1-D CNN with the scores gate): ground
truth, determinism, lengths, persistence, scikit-learn conventions, bad input
and attributions."""

import copy
import pickle
import signal
import threading
import time

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from scoresactivation import (
    ScoresActivationClassifier,
    ScoresActivationRegressor,
    ScoresActivationSequenceClassifier,
    ScoresActivationSequenceRegressor,
    load_model,
)

ARCHITECTURES = ("lstm", "conv")
# Small and quick: a fit takes well under a second on one core.
QUICK = dict(units=(8,), kernel_size=3, max_epochs=30, refine_epochs=5, learning_rate=1e-2, n_threads=1)
TINY = dict(units=(4,), kernel_size=3, max_epochs=3, refine_epochs=1, random_state=0, n_threads=1)
RELEVANT = [0, 2]


def make_sequences(n=300, steps=10, channels=4, seed=0, classification=False):
    """y from channel 0's mean over all steps and channel 2's mean over steps 4..7;
    the other channels are noise."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, steps, channels))
    signal_ = 2.0 * np.sqrt(steps) * X[:, :, 0].mean(axis=1) + 3.2 * X[:, 4:8, 2].mean(axis=1)
    signal_ += 0.1 * rng.normal(size=n)
    if classification:
        return X, np.where(signal_ > 0, "up", "down")
    return X, signal_


def top_two(values):
    return sorted(np.argsort(-np.asarray(values), kind="stable")[:2].tolist())


@pytest.fixture(scope="module")
def data():
    return make_sequences()


@pytest.fixture(scope="module")
def class_data():
    return make_sequences(seed=1, classification=True)


@pytest.fixture(scope="module", params=ARCHITECTURES)
def regressor(request, data):
    X, y = data
    return ScoresActivationSequenceRegressor(architecture=request.param, random_state=1, **QUICK).fit(X, y)


@pytest.fixture(scope="module")
def classifier(class_data):
    X, y = class_data
    return ScoresActivationSequenceClassifier(random_state=0, **QUICK).fit(X, y)


def ragged(n, steps, seed=0):
    return np.random.default_rng(seed).integers(1, steps + 1, size=n)


def pad(X, lengths, value):
    X = X.copy()
    for i, length in enumerate(lengths):
        X[i, length:, :] = value
    return X


# ----------------------------------------------------------- ground truth
@pytest.mark.parametrize("architecture", ARCHITECTURES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_scores_find_the_relevant_channels(data, architecture, seed):
    X, y = data
    est = ScoresActivationSequenceRegressor(architecture=architecture, random_state=seed, **QUICK).fit(X, y)
    assert top_two(est.scores()) == RELEVANT, est.scores()
    assert est.feature_importances_.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.all(est.feature_importances_ >= 0)
    assert sorted(est.ranking()[:2].tolist()) == RELEVANT
    X_test, y_test = make_sequences(n=200, seed=99)
    assert est.score(X_test, y_test) > 0.6


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_classifier_learns_string_labels(class_data, architecture):
    X, y = class_data
    est = ScoresActivationSequenceClassifier(architecture=architecture, random_state=0, **QUICK).fit(X, y)
    np.testing.assert_array_equal(est.classes_, ["down", "up"])
    assert top_two(est.scores()) == RELEVANT, est.scores()
    X_test, y_test = make_sequences(n=200, seed=98, classification=True)
    assert est.score(X_test, y_test) > 0.8
    proba = est.predict_proba(X_test)
    assert proba.shape == (200, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(est.predict_log_proba(X_test), np.log(proba))
    assert set(est.predict(X_test)) <= {"down", "up"}


def test_fitted_attributes(regressor, data):
    X, _ = data
    est = regressor
    assert est.n_features_in_ == 4 and est.n_steps_in_ == 10
    assert not hasattr(est, "feature_names_in_")
    assert est.scores_history_.shape == (est.n_epochs_, 4)
    assert est.loss_curve_.shape == (est.n_epochs_,)
    assert est.validation_loss_curve_.shape == (est.n_epochs_,)
    assert 1 <= est.best_epoch_ <= est.n_epochs_
    np.testing.assert_array_equal(est.global_importance(), est.scores())


def test_bootstrap_scores(data):
    X, y = data
    est = ScoresActivationSequenceRegressor(**dict(TINY, n_bootstrap=3, max_epochs=5)).fit(X, y)
    assert est.scores_bootstrap_.shape == (3, 4)
    assert est.scores_std_.shape == (4,)
    np.testing.assert_allclose(est.scores_bootstrap_.sum(axis=1), 1.0)
    lower, upper = est.scores_interval(0.9)
    assert np.all(lower <= upper)
    refit = est.set_params(n_bootstrap=0).fit(X, y)
    assert not hasattr(refit, "scores_bootstrap_") and not hasattr(refit, "scores_std_")
    with pytest.raises(AttributeError, match="n_bootstrap"):
        refit.scores_interval()


# ----------------------------------------------------------- determinism
@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_same_seed_same_model_and_any_thread_count(data, architecture):
    X, y = data
    params = dict(QUICK, architecture=architecture, max_epochs=5, batch_size=300, random_state=3)
    one = ScoresActivationSequenceRegressor(**params).fit(X, y)
    again = ScoresActivationSequenceRegressor(**params).fit(X, y)
    two = ScoresActivationSequenceRegressor(**dict(params, n_threads=2)).fit(X, y)
    for other in (again, two):
        np.testing.assert_array_equal(one.predict(X), other.predict(X))
        np.testing.assert_array_equal(one.scores(), other.scores())
        np.testing.assert_array_equal(one.loss_curve_, other.loss_curve_)
    other_seed = ScoresActivationSequenceRegressor(**dict(params, random_state=4)).fit(X, y)
    assert not np.array_equal(one.predict(X), other_seed.predict(X))


# ---------------------------------------------------------------- lengths
@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_padded_values_change_nothing(data, architecture):
    X, y = data
    lengths = ragged(len(X), X.shape[1])
    params = dict(TINY, architecture=architecture)
    fits = [ScoresActivationSequenceRegressor(**params).fit(pad(X, lengths, value), y, lengths=lengths)
            for value in (np.nan, 1e300, 0.0)]
    reference = fits[0].predict(X, lengths=lengths)
    for est in fits:
        np.testing.assert_array_equal(est.scores(), fits[0].scores())
        for value in (np.nan, -1e300, np.inf):
            np.testing.assert_array_equal(est.predict(pad(X, lengths, value), lengths=lengths), reference)
    # The padding matters once the lengths are dropped.
    assert not np.array_equal(fits[0].predict(X), reference)


def test_full_lengths_equal_no_lengths(data):
    X, y = data
    full = np.full(len(X), X.shape[1])
    a = ScoresActivationSequenceRegressor(**TINY).fit(X, y)
    b = ScoresActivationSequenceRegressor(**TINY).fit(X, y, lengths=full.astype(float))
    np.testing.assert_array_equal(a.predict(X), b.predict(X, lengths=full))
    np.testing.assert_array_equal(a.scores(), b.scores())


def test_prediction_takes_any_number_of_steps(regressor, data):
    X, _ = data
    shorter = regressor.predict(X[:, :6])
    longer = regressor.predict(np.concatenate([X, X[:, :5]], axis=1))
    assert shorter.shape == longer.shape == (len(X),)
    assert np.all(np.isfinite(shorter)) and np.all(np.isfinite(longer))
    # A prefix of the steps is what lengths selects.
    np.testing.assert_allclose(regressor.predict(X, lengths=np.full(len(X), 6)), shorter, rtol=1e-12, atol=1e-12)


def test_input_in_any_memory_order(regressor, data):
    X, _ = data
    expected = regressor.predict(X)
    np.testing.assert_array_equal(regressor.predict(np.asfortranarray(X)), expected)
    strided = np.repeat(X, 2, axis=0)[::2]
    np.testing.assert_array_equal(regressor.predict(strided), expected)
    np.testing.assert_array_equal(regressor.predict(X.tolist()), expected)


# ------------------------------------------------------------ persistence
def outputs(est, X):
    return est.predict_proba(X) if hasattr(est, "classes_") else est.predict(X)


def test_save_load_and_pickle_round_trips(regressor, classifier, data, class_data, tmp_path):
    for est, (X, _) in ((regressor, data), (classifier, class_data)):
        path = tmp_path / f"{type(est).__name__}.json"
        est.save(path)
        for loaded in (load_model(path), type(est).load(path), type(est).from_dict(est.to_dict()),
                       pickle.loads(pickle.dumps(est))):
            assert type(loaded) is type(est)
            assert loaded.get_params() == est.get_params()
            np.testing.assert_allclose(outputs(loaded, X), outputs(est, X), rtol=1e-12, atol=1e-12)
            np.testing.assert_array_equal(loaded.predict(X), est.predict(X))
            np.testing.assert_array_equal(loaded.scores(), est.scores())
            np.testing.assert_array_equal(loaded.scores_history_, est.scores_history_)
            assert loaded.n_features_in_ == est.n_features_in_
            if hasattr(est, "classes_"):
                np.testing.assert_array_equal(loaded.classes_, est.classes_)


def test_document_is_written_at_the_current_format_version(regressor):
    # Sequence documents exist from version 3 on and are unchanged by version 4 (SENN).
    doc = regressor.to_dict()
    assert doc["format_version"] == 5
    assert doc["estimator"] == "ScoresActivationSequenceRegressor"
    assert doc["n_features"] == 4 and doc["feature_names"] is None
    assert doc["params"]["architecture"] == regressor.architecture
    prefix = "lstm_0_" if regressor.architecture == "lstm" else "conv_0_"
    assert any(name.startswith(prefix) for name in doc["arrays"])


@pytest.mark.parametrize("tamper, match", [
    (lambda d: d["arrays"]["dense_0_bias"].update(data=[]), "dense_0_bias"),
    (lambda d: d["params"].update(units=[0]), "params.units"),
    (lambda d: d["params"].update(architecture="gru"), "architecture"),
    (lambda d: d["params"].update(pooling="max"), "pooling"),
    (lambda d: d["params"].update(units=[8, 8]), "model state has no array '(lstm|conv)_1_"),
    (lambda d: d.update(n_features=5), "model state array"),
    (lambda d: d.update(estimator="ScoresActivationSequenceClassifier"), "estimator"),
])
def test_from_dict_rejects_a_tampered_document(regressor, tamper, match):
    doc = copy.deepcopy(regressor.to_dict())
    tamper(doc)
    with pytest.raises(ValueError, match=match):
        ScoresActivationSequenceRegressor.from_dict(doc)


def test_encoder_arrays_are_checked(regressor):
    doc = copy.deepcopy(regressor.to_dict())
    name = next(n for n in doc["arrays"] if n.startswith(("lstm_0_", "conv_0_")))
    doc["arrays"][name]["data"][0] = "x"
    with pytest.raises(ValueError, match=name):
        ScoresActivationSequenceRegressor.from_dict(doc)


def test_families_do_not_load_each_other(regressor, data):
    with pytest.raises(ValueError, match="sequence model"):
        ScoresActivationRegressor.from_dict(regressor.to_dict())
    X, y = data
    tabular = ScoresActivationRegressor(hidden_layer_sizes=(4,), max_epochs=2, random_state=0).fit(X[:, 0, :], y)
    with pytest.raises(ValueError, match="tabular model"):
        ScoresActivationSequenceRegressor.from_dict(tabular.to_dict())
    with pytest.raises(ValueError, match="regression model"):
        ScoresActivationSequenceClassifier.from_dict(regressor.to_dict())


# --------------------------------------------------- scikit-learn conventions
def test_params_clone_and_defaults():
    est = ScoresActivationSequenceClassifier()
    params = est.get_params()
    assert params["units"] == (32,) and params["architecture"] == "lstm" and params["kernel_size"] == 5
    assert params["pooling"] == "auto" and params["hidden_layer_sizes"] == ()
    tabular = ScoresActivationClassifier().get_params()
    for name, value in tabular.items():
        if name not in ("hidden_layer_sizes", "handle_unknown"):  # handle_unknown: categorical columns, tabular only
            assert params[name] == value, name
    est.set_params(units=(4, 3), architecture="conv", kernel_size=7)
    cloned = clone(est)
    assert cloned.get_params() == est.get_params() and cloned is not est
    # Parameters are stored unchanged, validated in fit.
    odd = ScoresActivationSequenceRegressor(units="many", kernel_size=-1)
    assert odd.units == "many" and odd.kernel_size == -1


def test_fit_returns_self_and_clone_is_unfitted(data):
    X, y = data
    est = ScoresActivationSequenceRegressor(**TINY)
    assert est.fit(X, y) is est
    with pytest.raises(NotFittedError):
        clone(est).predict(X)


def test_not_fitted_errors(data, tmp_path):
    X, _ = data
    for est in (ScoresActivationSequenceRegressor(), ScoresActivationSequenceClassifier()):
        with pytest.raises(NotFittedError):
            est.predict(X)
        with pytest.raises(NotFittedError):
            est.scores()
        with pytest.raises(NotFittedError):
            est.save(tmp_path / "never.json")
        with pytest.raises(NotFittedError):
            est.explain(X)
        with pytest.raises(NotFittedError):
            est.global_importance(X, method="deepactif")
    with pytest.raises(NotFittedError):
        ScoresActivationSequenceClassifier().predict_proba(X)


def test_sample_weight_and_verbose(data, capsys):
    X, y = data
    weights = np.ones(len(y))
    a = ScoresActivationSequenceRegressor(**TINY).fit(X, y)
    b = ScoresActivationSequenceRegressor(**dict(TINY, verbose=1)).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(a.predict(X), b.predict(X), rtol=1e-12, atol=1e-12)
    assert "epoch" in capsys.readouterr().out
    zero_some = weights.copy()
    zero_some[: len(y) // 2] = 0.0
    c = ScoresActivationSequenceRegressor(**TINY).fit(X, y, sample_weight=zero_some)
    assert not np.array_equal(a.predict(X), c.predict(X))


def test_tags_say_three_d_input():
    tags = ScoresActivationSequenceRegressor().__sklearn_tags__()
    assert tags.input_tags.three_d_array and not tags.input_tags.two_d_array


def test_interrupt_stops_fit_and_keeps_the_previous_model(data):
    X, y = data
    est = ScoresActivationSequenceRegressor(**TINY).fit(X, y)
    before = est.predict(X)
    big = np.random.default_rng(0).normal(size=(4000, 30, 4))
    est.set_params(max_epochs=10000, early_stopping=False, units=(32,))
    timer = threading.Timer(0.5, lambda: signal.raise_signal(signal.SIGINT))
    start = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        est.fit(big, big[:, 0, 0])
    assert time.monotonic() - start < 5.0
    np.testing.assert_array_equal(est.predict(X), before)
    assert est.n_steps_in_ == 10


# -------------------------------------------------------------- bad input
BAD_FIT = [
    ("2-d X", lambda X, y: (X[:, :, 0], y, {}), "X must be a 3-d array"),
    ("1-d X", lambda X, y: (X[:, 0, 0], y, {}), "X must be a 3-d array"),
    ("zero steps", lambda X, y: (X[:, :0, :], y, {}), "0 time steps"),
    ("zero channels", lambda X, y: (X[:, :, :0], y, {}), "0 channels"),
    ("zero samples", lambda X, y: (X[:0], y[:0], {}), "0 samples"),
    ("NaN in X", lambda X, y: (pad(X, np.full(len(X), 9), np.nan), y, {}), "NaN"),
    ("NaN within lengths", lambda X, y: (pad(X, np.full(len(X), 5), np.nan), y,
                                         {"lengths": np.full(len(X), 6)}), "NaN or infinity within the lengths"),
    ("NaN in lengths", lambda X, y: (X, y, {"lengths": np.r_[np.nan, np.full(len(X) - 1, 3.0)]}),
     "lengths contains NaN"),
    ("lengths too short", lambda X, y: (X, y, {"lengths": np.full(len(X) - 1, 3)}), r"lengths must have shape"),
    ("lengths 2-d", lambda X, y: (X, y, {"lengths": np.full((len(X), 1), 3)}), r"lengths must have shape"),
    ("lengths zero", lambda X, y: (X, y, {"lengths": np.zeros(len(X), int)}), r"lengths must hold whole numbers in 1\.\.10"),
    ("lengths beyond T", lambda X, y: (X, y, {"lengths": np.full(len(X), 11)}), r"1\.\.10"),
    ("fractional lengths", lambda X, y: (X, y, {"lengths": np.full(len(X), 2.5)}), "whole numbers"),
    ("string lengths", lambda X, y: (X, y, {"lengths": np.full(len(X), "3")}), "lengths must hold integers"),
    ("boolean lengths", lambda X, y: (X, y, {"lengths": np.ones(len(X), bool)}), "lengths must hold integers"),
    ("y too short", lambda X, y: (X, y[:-1], {}), "inconsistent numbers of samples"),
    ("NaN in y", lambda X, y: (X, np.r_[np.nan, y[1:]], {}), "NaN"),
    ("negative weights", lambda X, y: (X, y, {"sample_weight": -np.ones(len(y))}), "sample_weight"),
    ("strings in X", lambda X, y: (X.astype(str).astype(object) + "a", y, {}), "could not convert"),
]


@pytest.mark.parametrize("case, make, match", BAD_FIT, ids=[c[0] for c in BAD_FIT])
def test_bad_fit_input_raises_and_keeps_the_previous_model(data, case, make, match):
    X, y = data
    est = ScoresActivationSequenceRegressor(**TINY).fit(X, y)
    before = copy.deepcopy({k: v for k, v in vars(est).items() if k.endswith("_")})
    prediction = est.predict(X)
    bad_X, bad_y, kwargs = make(X, y)
    with pytest.raises(ValueError, match=match):
        est.fit(bad_X, bad_y, **kwargs)
    after = {k: v for k, v in vars(est).items() if k.endswith("_")}
    assert after.keys() == before.keys()
    for key, value in before.items():
        np.testing.assert_array_equal(after[key], value, err_msg=key)
    np.testing.assert_array_equal(est.predict(X), prediction)


BAD_PARAMS = [
    ("architecture", "gru", "architecture must be one of 'lstm', 'conv', got 'gru'"),
    ("architecture", None, "architecture"),
    ("units", (), r"units must be a list of 1 to 64 integers in \[1, 1048576\], got \[\]"),
    ("units", (8, 0), "units must be a list of 1 to 64 integers"),
    ("units", (8.5,), "units must be a list of 1 to 64 integers"),
    ("units", "8", "units must be a list"),
    ("units", tuple([2] * 65), "units must be a list of 1 to 64"),
    ("kernel_size", 4, "kernel_size must be odd for architecture='conv'"),
    ("kernel_size", 0, "kernel_size"),
    ("kernel_size", 3.5, r"kernel_size must be an integer in \[1, 1025\]"),
    ("kernel_size", True, "kernel_size"),
    ("kernel_size", 2027, r"kernel_size must be an integer in \[1, 1025\]"),
    ("pooling", "max", "pooling must be one of 'auto', 'last', 'mean'"),
    ("pooling", 1, "pooling"),
    ("hidden_layer_sizes", (0,), "hidden_layer_sizes"),
    ("learning_rate", -1.0, "learning_rate"),
    ("max_epochs", 0, "max_epochs"),
    ("gate", "open", "gate"),
]


@pytest.mark.parametrize("name, value, match", BAD_PARAMS, ids=[f"{n}={v!r}"[:40] for n, v, _ in BAD_PARAMS])
def test_bad_parameters_raise_value_error_naming_them(data, name, value, match):
    X, y = data
    params = dict(TINY, architecture="conv")
    params[name] = value
    with pytest.raises(ValueError, match=match):
        ScoresActivationSequenceRegressor(**params).fit(X, y)


def test_even_kernel_size_is_refused_only_where_it_is_used(data):
    X, y = data
    ScoresActivationSequenceRegressor(**dict(TINY, architecture="lstm", kernel_size=4)).fit(X, y)


def test_bad_predict_input(regressor, data):
    X, _ = data
    with pytest.raises(ValueError, match="X has 3 channels, but ScoresActivationSequenceRegressor is expecting 4"):
        regressor.predict(X[:, :, :3])
    with pytest.raises(ValueError, match="3-d"):
        regressor.predict(X[:, :, 0])
    with pytest.raises(ValueError, match="0 time steps"):
        regressor.predict(X[:, :0])
    with pytest.raises(ValueError, match=r"lengths must hold whole numbers in 1\.\.6"):
        regressor.predict(X[:, :6], lengths=np.full(len(X), 7))
    with pytest.raises(ValueError, match="lengths contains NaN"):
        regressor.predict(X, lengths=np.full(len(X), np.nan))
    with pytest.raises(ValueError, match="NaN or infinity"):
        regressor.predict(pad(X, np.full(len(X), 3), np.inf))


# ------------------------------------------------------------ attributions
@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_integrated_gradients_completeness(data, architecture):
    X, y = data
    est = ScoresActivationSequenceRegressor(architecture=architecture, activation="tanh", random_state=0,
                                            **dict(QUICK, max_epochs=10)).fit(X, y)
    lengths = ragged(12, X.shape[1], seed=3)
    x = X[:12]
    for baseline, reference in (("zeros", np.zeros((1,) + x.shape[1:])), (X[20], X[20][None])):
        values = est.explain(x, baseline=baseline, n_steps=64, lengths=lengths)
        assert values.shape == x.shape
        for i, length in enumerate(lengths):
            assert np.all(values[i, length:] == 0.0)
        expected = est.predict(x, lengths=lengths) - np.array(
            [est.predict(reference, lengths=[length])[0] for length in lengths])
        np.testing.assert_allclose(values.reshape(12, -1).sum(axis=1), expected, rtol=1e-6, atol=1e-6)
    # The default reference: the training mean of each channel at every step.
    values = est.explain(x, n_steps=64)
    mean_sequence = np.broadcast_to(est.to_dict()["arrays"]["input_mean"]["data"], x.shape[1:])[None]
    np.testing.assert_allclose(values.reshape(12, -1).sum(axis=1), est.predict(x) - est.predict(mean_sequence)[0],
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_deeplift_sums_to_the_output_change(data, architecture):
    X, y = data
    est = ScoresActivationSequenceRegressor(architecture=architecture, random_state=0,
                                            **dict(QUICK, max_epochs=10)).fit(X, y)
    lengths = ragged(12, X.shape[1], seed=6)
    references = X[30:33]
    values = est.explain(X[:12], "deeplift", baseline=references, lengths=lengths)
    assert values.shape == (12, 10, 4)
    for i, length in enumerate(lengths):
        assert np.all(values[i, length:] == 0.0)
    expected = est.predict(X[:12], lengths=lengths) - np.array(
        [est.predict(references, lengths=np.full(3, length)).mean() for length in lengths])
    np.testing.assert_allclose(values.reshape(12, -1).sum(axis=1), expected, rtol=1e-9, atol=1e-9)
    assert top_two(est.global_importance(X[:60], method="deeplift")) == RELEVANT


def test_gradients(regressor, data):
    X, _ = data
    lengths = ragged(6, X.shape[1], seed=4)
    grad = regressor.explain(X[:6], "gradient", lengths=lengths)
    assert grad.shape == (6, 10, 4)
    for i, length in enumerate(lengths):
        assert np.all(grad[i, length:] == 0.0)
    times_input = regressor.explain(X[:6], "gradient_times_input", lengths=lengths)
    np.testing.assert_allclose(times_input, grad * np.where(grad == 0, 0, X[:6]), rtol=1e-12)
    # Finite differences at one valid entry.
    h, (i, t, c) = 1e-5, (0, 0, 0)
    up, down = X[:6].copy(), X[:6].copy()
    up[i, t, c] += h
    down[i, t, c] -= h
    numeric = (regressor.predict(up, lengths=lengths)[i] - regressor.predict(down, lengths=lengths)[i]) / (2 * h)
    assert grad[i, t, c] == pytest.approx(numeric, rel=1e-4, abs=1e-6)


@pytest.mark.parametrize("exact", [True, False])
def test_shapley_efficiency(regressor, data, exact):
    X, _ = data
    background = X[50:58]
    lengths = ragged(5, X.shape[1], seed=5)
    kwargs = dict(background=background, exact=exact, lengths=lengths)
    if not exact:
        kwargs.update(n_permutations=8, random_state=0)
    values = regressor.explain(X[:5], "shapley", **kwargs)
    assert values.shape == (5, 4)
    base = np.array([regressor.predict(background, lengths=np.full(8, length)).mean() for length in lengths])
    np.testing.assert_allclose(values.sum(axis=1), regressor.predict(X[:5], lengths=lengths) - base,
                               rtol=1e-9, atol=1e-9)


def test_classifier_attributions_have_a_class_axis(classifier, class_data):
    X, _ = class_data
    all_classes = classifier.explain(X[:3], "gradient")
    assert all_classes.shape == (3, 10, 4, 2)
    up = classifier.explain(X[:3], "gradient", target="up")
    np.testing.assert_array_equal(up, all_classes[..., 1])
    shap = classifier.explain(X[:3], "shapley", output="probability", target="up")
    np.testing.assert_allclose(shap.sum(axis=1) + classifier.predict_proba(
        np.broadcast_to(classifier.to_dict()["arrays"]["input_mean"]["data"], (1, 10, 4)))[0, 1],
        classifier.predict_proba(X[:3])[:, 1], atol=1e-9)
    with pytest.raises(ValueError, match="target"):
        classifier.explain(X[:3], "gradient", target="sideways")


@pytest.mark.parametrize("architecture", ARCHITECTURES)
def test_deepactif_ranks_the_relevant_channels_first(data, architecture):
    X, y = data
    est = ScoresActivationSequenceRegressor(architecture=architecture, random_state=0, **QUICK).fit(X, y)
    assert top_two(est.scores()) == RELEVANT
    mean = est.global_importance(X, method="deepactif", aggregation="mean")
    meanstd = est.global_importance(X, method="deepactif", aggregation="meanstd")
    assert top_two(mean) == RELEVANT, mean
    assert top_two(meanstd) == RELEVANT, meanstd
    # mean is the default (chosen by measurement, docs/sequence.md).
    np.testing.assert_array_equal(est.global_importance(X, method="deepactif"), mean)
    # inv from the same moments: (mu~ + 1 - sigma~) / 2, min-max normalised.
    sigma = meanstd / mean
    normalise = lambda v: (v - v.min()) / (v.max() - v.min())  # noqa: E731
    np.testing.assert_allclose(est.global_importance(X, method="deepactif", aggregation="inv"),
                               (normalise(mean) + 1 - normalise(sigma)) / 2, atol=1e-9)
    encoder = est.global_importance(X, method="deepactif", hook="encoder", aggregation="mean")
    assert encoder.shape == (4,) and np.all(encoder >= 0)
    lengths = ragged(len(X), X.shape[1])
    padded = est.global_importance(pad(X, lengths, np.nan), method="deepactif", lengths=lengths)
    np.testing.assert_array_equal(padded, est.global_importance(pad(X, lengths, 7.0), method="deepactif",
                                                                lengths=lengths))


def test_global_importance_methods_agree_on_the_relevant_channels(regressor, data):
    X, y = data
    permutation = regressor.global_importance(X, y, method="permutation", n_repeats=3, random_state=0)
    assert top_two(permutation) == RELEVANT
    again = clone(regressor).set_params(n_threads=2)
    again.__setstate__(copy.deepcopy(regressor.__getstate__()))
    again.set_params(n_threads=2)
    np.testing.assert_array_equal(again.global_importance(X, y, method="permutation", n_repeats=3, random_state=0),
                                  permutation)
    for method in ("integrated_gradients", "gradient_times_input", "shapley"):
        importance = regressor.global_importance(X[:60], method=method)
        assert importance.shape == (4,)
        assert top_two(importance) == RELEVANT, (method, importance)


def test_attribution_options_are_checked(regressor, classifier, data):
    X, y = data
    cases = [
        (lambda: regressor.explain(X[:2], "deeplift", rule="reveal_cancel"), "rule must be 'rescale'"),
        (lambda: regressor.explain(X[:2], "gradient", rule="rescale"), "rule does not apply"),
        (lambda: regressor.explain(X[:2], "lrp"), "method must be one of"),
        (lambda: regressor.explain(X[:2], "gradient", n_steps=3), "n_steps does not apply"),
        (lambda: regressor.explain(X[:2], "shapley", exact=True, n_permutations=4), "n_permutations"),
        (lambda: regressor.explain(X[:2], baseline=np.zeros((9, 4))), r"baseline must have shape \(10, 4\)"),
        (lambda: regressor.explain(X[:2], baseline="median"), "baseline must be 'mean', 'zeros'"),
        (lambda: regressor.explain(X[:2], "shapley", background=np.full((2, 10, 4), np.nan)), "background"),
        (lambda: regressor.explain(X[:2], "gradient", output="probability"), "probability"),
        (lambda: regressor.explain(X[:2], "shapley", output="probability"), "needs a classifier"),
        (lambda: regressor.explain(X[:2], n_steps=0), "n_steps"),
        (lambda: regressor.global_importance(X, method="deepactif", hook="output"), "hook must be"),
        (lambda: regressor.global_importance(X, method="deepactif", aggregation="max"), "aggregation must be"),
        (lambda: regressor.global_importance(X, method="gradient", hook="input"), "hook does not apply"),
        (lambda: regressor.global_importance(X, method="deepactif", random_state=0), "random_state"),
        (lambda: regressor.global_importance(X, method="permutation"), "needs y"),
        (lambda: regressor.global_importance(method="deepactif"), "needs X"),
        (lambda: regressor.global_importance(X, y[:3], method="permutation"), r"y must have shape"),
        (lambda: classifier.global_importance(X, np.full(len(X), "left"), method="permutation"), "not fitted on"),
        (lambda: regressor.explain(X[:, :, :2]), "channels"),
    ]
    for run, match in cases:
        with pytest.raises(ValueError, match=match):
            run()
    with pytest.raises(TypeError, match="deepactif"):
        regressor.global_importance(X, method="deepactif", n_steps=3)


def test_standardize_false_has_no_mean_reference(data):
    X, y = data
    est = ScoresActivationSequenceRegressor(standardize=False, **TINY).fit(X, y)
    with pytest.raises(ValueError, match="needs the training mean, which a model fitted with standardize = FALSE/False"):
        est.explain(X[:2])
    values = est.explain(X[:2], baseline="zeros", n_steps=8)
    assert values.shape == (2, 10, 4)


def test_c_contiguous_float64_input_is_not_copied(regressor):
    """The (n, T, C) array reaches the core as a view: no copy of X on the Python side."""
    import tracemalloc

    X = np.random.default_rng(0).normal(size=(4000, 25, 4))  # 3.2 MB
    regressor.predict(X[:2])
    tracemalloc.start()
    try:
        regressor.predict(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < X.nbytes / 4, peak
