"""Hardening (issue 11): hostile model files, atomic saves, transactional
refits, extreme scales and out-of-range arguments all end in a clear
ValueError, and leave the estimator and the files on disk as they were."""

import copy
import json
import os
import stat
import time

import numpy as np
import pytest

import scoresactivation as sa
from scoresactivation import ScoresActivationClassifier, ScoresActivationRegressor

QUICK = dict(hidden_layer_sizes=(8,), max_epochs=15, refine_epochs=2, random_state=0, n_threads=1)


@pytest.fixture(scope="module")
def fitted(classification_data):
    X, y = classification_data
    return ScoresActivationClassifier(**QUICK).fit(X, y)


@pytest.fixture()
def doc(fitted):
    return copy.deepcopy(fitted.to_dict())


# ----------------------------------------------------------- model documents
def _set(doc, path, value):
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return doc


@pytest.mark.parametrize(
    "path, value, match",
    [
        (("arrays", "input_mean", "data", 0), float("nan"), r"'arrays.input_mean.data\[0\]' must be a finite number"),
        (("arrays", "input_mean", "data", 0), float("inf"), r"'arrays.input_mean.data\[0\]' must be a finite number"),
        (("arrays", "input_mean", "data", 0), None, r"'arrays.input_mean.data\[0\]' must be a finite number"),
        (("arrays", "input_mean", "data", 0), "NaN", r"'arrays.input_mean.data\[0\]' must be a finite number"),
        (("arrays", "input_mean", "data", 0), 10**400, r"'arrays.input_mean.data\[0\]' must be a finite number"),
        (("arrays", "input_scale", "data", 1), 0.0, r"'input_scale' must be positive"),
        (("arrays", "input_mean", "shape"), [2_000_000_000], r"'arrays.input_mean.shape\[0\]'"),
        (("n_features",), 2_000_000_000, r"'n_features'"),
        (("n_outputs",), 3, r"'classes' has 2 entries, expected 3"),
        (("classes",), [0, 0], r"repeats an earlier label"),
        (("classes",), None, r"'classes' is missing"),
        (("seed",), -1, r"'seed'"),
        (("seed",), 2**64, r"'seed'"),
        (("params", "n_threads"), 1.5, r"'params.n_threads'"),
        (("params", "batch_size"), 2**63, r"'params.batch_size'"),
        (("params", "hidden_layer_sizes"), [8, 0], r"'params.hidden_layer_sizes' must be a list of at most 64 integers"),
        (("params", "learning_rate"), "fast", r"'params.learning_rate' must be a number"),
        (("format_version",), 99, r"newer than this library reads"),
        (("format_version",), "2", r"'format_version' must be a number"),
        (("task",), "regression", r"'estimator'"),
        (("arrays",), [], r"'arrays' must be an object"),
    ],
)
def test_hostile_documents_raise_value_error_naming_the_key(doc, path, value, match):
    with pytest.raises(ValueError, match=match):
        ScoresActivationClassifier.from_dict(_set(doc, path, value))


@pytest.mark.parametrize("key", ["task", "params", "seed", "n_features", "arrays", "format_version", "estimator"])
def test_missing_keys_raise_value_error_not_key_error(doc, key):
    del doc[key]
    with pytest.raises(ValueError, match=f"'{key}' is missing"):
        ScoresActivationClassifier.from_dict(doc)


@pytest.mark.parametrize("where", ["key", "value"])
def test_lone_surrogates_raise_value_error(doc, tmp_path, where):
    # Python's json reads "\ud800", which has no UTF-8 form (found by atheris).
    if where == "key":
        doc["params"]["\ud800"] = 1
    else:
        doc["feature_names"] = ["\ud800"] * doc["n_features"]
    with pytest.raises(ValueError, match="lone surrogate"):
        ScoresActivationClassifier.from_dict(doc)
    path = tmp_path / "model.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="lone surrogate"):
        sa.load_model(path)


@pytest.mark.parametrize("bad", [[1, 2], "text", 3, None])
def test_a_document_must_be_an_object(bad):
    with pytest.raises(ValueError, match="must be a JSON object|not a scoresactivation model document"):
        ScoresActivationClassifier.from_dict(bad)


def test_huge_claims_fail_fast(doc):
    d = doc["n_features"]
    doc["n_features"] = 16_000_000
    doc["arrays"]["input_mean"]["shape"] = [16_000_000]
    doc["arrays"]["dense_0_weight"]["shape"] = [16_000_000, 8]
    start = time.perf_counter()
    with pytest.raises(ValueError, match="values for its shape"):
        ScoresActivationClassifier.from_dict(doc)
    assert time.perf_counter() - start < 1.0 and d > 0


def test_file_thread_counts_are_capped(doc, classification_data):
    X, _ = classification_data
    expected = ScoresActivationClassifier.from_dict(copy.deepcopy(doc)).predict_proba(X)
    doc["params"]["n_threads"] = 40_000  # once aborted in libgomp
    est = ScoresActivationClassifier.from_dict(doc)
    np.testing.assert_array_equal(est.predict_proba(X), expected)


def test_non_json_files_raise_value_error(tmp_path):
    path = tmp_path / "model.json"
    path.write_bytes(b"\x00\xff{not json")
    with pytest.raises(ValueError, match="not a JSON model document"):
        sa.load_model(path)
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ValueError):
        sa.load_model(path)


def test_unsorted_labels_from_another_writer_load(doc, classification_data):
    # R keeps a factor's level order; classes need not be sorted.
    X, _ = classification_data
    original = ScoresActivationClassifier.from_dict(copy.deepcopy(doc))
    doc["classes"] = list(reversed(doc["classes"]))
    est = ScoresActivationClassifier.from_dict(doc)
    np.testing.assert_array_equal(est.predict(X), np.where(original.predict(X) == 1, 0, 1))


# ---------------------------------------------------------------- atomic save
def test_failed_save_keeps_the_earlier_file(fitted, tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    fitted.save(path)
    before = path.read_bytes()
    good = fitted.to_dict

    def non_finite():
        d = good()
        d["arrays"]["input_mean"]["data"][0] = float("nan")
        return d

    monkeypatch.setattr(fitted, "to_dict", non_finite)
    with pytest.raises(ValueError):
        fitted.save(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]  # no temporary left behind


def test_save_keeps_permissions_and_rejects_bad_targets(fitted, tmp_path):
    path = tmp_path / "model.json"
    path.write_text("old")
    os.chmod(path, 0o640)
    fitted.save(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert sa.load_model(path).n_features_in_ == fitted.n_features_in_
    with pytest.raises(ValueError, match="no folder"):
        fitted.save(tmp_path / "missing" / "model.json")
    with pytest.raises(ValueError, match="is a folder"):
        fitted.save(tmp_path)


# ------------------------------------------------------------ transactional
def _attributes(est):
    return {k: v for k, v in vars(est).items() if k.endswith("_") or k in ("_seed",)}


@pytest.mark.parametrize("make_bad", ["one_class", "nan", "interrupt"])
def test_failed_refit_keeps_every_fitted_attribute(classification_data, make_bad):
    X, y = classification_data
    est = ScoresActivationClassifier(**QUICK).fit(X, y)
    before = copy.deepcopy(_attributes(est))
    proba = est.predict_proba(X)
    X_new = np.hstack([X, X[:, :2]])  # other columns: n_features_in_ would change
    y_new = np.where(y == 1, "b", "a")
    fit_kwargs = {}
    if make_bad == "one_class":
        y_new = np.full(len(y), "a")
        error = ValueError
    elif make_bad == "nan":
        X_new[3, 1] = np.nan
        error = ValueError
    else:
        def interrupting(info):  # Ctrl-C in the second epoch
            if info["epoch"] == 2:
                raise KeyboardInterrupt

        fit_kwargs["callbacks"] = interrupting
        error = KeyboardInterrupt
    with pytest.raises(error):
        est.fit(X_new, y_new, **fit_kwargs)
    after = _attributes(est)
    assert after.keys() == before.keys()
    for key, value in before.items():
        np.testing.assert_array_equal(np.asarray(after[key], dtype=object), np.asarray(value, dtype=object), err_msg=key)
    np.testing.assert_array_equal(est.predict_proba(X), proba)


# ------------------------------------------------------------------- scales
def test_tiny_and_huge_scales_train_like_unit_scale(classification_data):
    X, y = classification_data
    reference = ScoresActivationClassifier(**QUICK).fit(X, y)
    for factor in (1e-13, 1e154):
        est = ScoresActivationClassifier(**QUICK).fit(X * factor, y)
        np.testing.assert_allclose(est.predict_proba(X * factor), reference.predict_proba(X), atol=1e-6)


def test_huge_targets_predict_finitely(regression_data):
    X, y = regression_data
    est = ScoresActivationRegressor(**QUICK).fit(X, y * 1e300)
    prediction = est.predict(X)
    assert np.isfinite(prediction).all()
    reference = ScoresActivationRegressor(**QUICK).fit(X, y).predict(X)
    np.testing.assert_allclose(prediction / 1e300, reference, rtol=1e-6, atol=1e-6)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_values_a_model_cannot_represent_raise(regression_data):
    X, y = regression_data
    est = ScoresActivationRegressor(**QUICK).fit(X, y)
    with pytest.raises(ValueError, match="too far from the training data|overflow"):
        est.predict(np.full_like(X, 1.7e308) * np.where(np.arange(X.shape[1]) % 2, 1, -1))
    X_span = X.copy()
    X_span[:, 0] = -1.7e308
    X_span[0, 0] = 1.7e308
    with pytest.raises(ValueError, match="spans more than double precision"):
        ScoresActivationRegressor(**QUICK).fit(X_span, y)


# ----------------------------------------------------------------- arguments
@pytest.mark.parametrize(
    "params, match",
    [
        (dict(batch_size=2**63), "batch_size"),
        (dict(max_epochs=2**70), "max_epochs"),
        (dict(max_epochs=10**7), "max_epochs"),
        (dict(hidden_layer_sizes=(2**63,)), "hidden_layer_sizes"),
        (dict(hidden_layer_sizes=(2**21,)), "hidden_layer_sizes"),
        (dict(n_threads=True), "n_threads"),
    ],
)
def test_out_of_range_integers_raise_value_error(classification_data, params, match):
    X, y = classification_data
    with pytest.raises(ValueError, match=match):
        ScoresActivationClassifier(**{**QUICK, **params}).fit(X, y)


def test_huge_thread_counts_run_capped(classification_data):
    X, y = classification_data
    reference = ScoresActivationClassifier(**QUICK).fit(X, y).predict_proba(X)
    for n_threads in (100_000, 2**70):
        est = ScoresActivationClassifier(**{**QUICK, "n_threads": n_threads}).fit(X, y)
        np.testing.assert_array_equal(est.predict_proba(X), reference)


def test_inputs_are_read_in_any_memory_order(fitted, classification_data):
    X, _ = classification_data
    expected = fitted.predict_proba(np.ascontiguousarray(X))
    for variant in (np.asfortranarray(X), X[::-1][::-1], np.ascontiguousarray(X[:, ::-1])[:, ::-1]):
        np.testing.assert_array_equal(fitted.predict_proba(variant), expected)


# ------------------------------------------------------- the bad-input matrix
WRONG_VALUES = {
    "int": ["3", 2.5, True, None, 2**64, -(2**64)],
    "float": ["0.1", None, float("nan"), float("inf"), True],
    "bool": ["yes", 1, None],
    "str": [1, None, "nonsense"],
}
PARAM_KINDS = {
    **{name: "int" for name in ("batch_size", "max_epochs", "refine_epochs", "n_bootstrap", "n_iter_no_change")},
    **{name: "float" for name in ("snr_budget", "temperature", "entropy_penalty", "learning_rate",
                                  "scores_learning_rate", "weight_decay", "momentum", "beta_1", "beta_2",
                                  "epsilon", "validation_fraction", "tol")},
    **{name: "bool" for name in ("scores_layer", "early_stopping", "standardize")},
    **{name: "str" for name in ("activation", "gate", "solver", "kernel")},
}
PARAM_CASES = [(name, value) for name, kind in PARAM_KINDS.items() for value in WRONG_VALUES[kind]] + [
    ("hidden_layer_sizes", value) for value in ("big", (8, -1), (8.5,), None, (2**64,), [])
] + [("n_threads", value) for value in ("2", 0, 2.5, True)] + [("random_state", value) for value in (-1, 2**64, 1.5)]


def _state(est):
    return {k: np.asarray(v, dtype=object).tolist() for k, v in vars(est).items() if k.endswith("_")}


@pytest.fixture()
def refit_guard(classification_data):
    """A fitted classifier, and a check that a failed call left it as it was."""
    X, y = classification_data
    est = ScoresActivationClassifier(**QUICK).fit(X, y)
    before, proba, params = _state(est), est.predict_proba(X), est.get_params()

    def intact():
        est.set_params(**params)
        assert _state(est) == before
        np.testing.assert_array_equal(est.predict_proba(X), proba)

    return est, intact


@pytest.mark.parametrize("name, value", PARAM_CASES, ids=[f"{n}={v!r}" for n, v in PARAM_CASES])
def test_every_parameter_out_of_range_or_of_the_wrong_type(refit_guard, classification_data, name, value):
    if name == "hidden_layer_sizes" and value == []:
        pytest.skip("no hidden layer is a valid (linear) network")
    est, intact = refit_guard
    X, y = classification_data
    est.set_params(**{name: value})
    with pytest.raises(ValueError, match=name if name != "random_state" else "random_state|seed"):
        est.fit(X, y)
    intact()


def _bad_fit_inputs(X, y):
    w = np.ones(len(y))
    nan_X = X.copy()
    nan_X[0, 0] = np.nan
    inf_X = X.copy()
    inf_X[1, 1] = -np.inf
    return [
        ("NaN in X", nan_X, y, None, "NaN"),
        ("inf in X", inf_X, y, None, "infinity"),
        ("1e308 spans", np.where(np.arange(len(y))[:, None] == 0, 1.7e308, -1.7e308) * np.ones_like(X), y, None,
         "spans more than double precision"),
        ("strings in X", np.full(X.shape, "rome", dtype=object), y, None, "could not convert"),
        ("empty X", X[:0], y[:0], None, "0 sample"),
        ("zero columns", X[:, :0], y, None, "0 feature"),
        ("one row", X[:1], y[:1], None, "only one class|1 sample"),
        ("one class", X, np.zeros_like(y), None, "only one class"),
        ("mismatched lengths", X, y[:-1], None, "inconsistent numbers of samples"),
        ("3-d X", X[:, :, None], y, None, "dim 3|3-dimensional|2D"),
        ("NaN weight", X, y, np.where(np.arange(len(y)) == 0, np.nan, w), "sample_weight|NaN"),
        ("negative weight", X, y, -w, "sample_weight"),
        ("zero weights", X, y, 0 * w, "sample_weight|Sample weights"),
        ("huge weights", X, y, w * 1e308, "sample_weight"),
        ("short weights", X, y, w[:-1], "sample_weight|samples"),
        ("two samples", X[[0, np.argmax(y != y[0])]], y[[0, np.argmax(y != y[0])]], None,
         "no class has 2 or more samples"),
    ]


@pytest.mark.parametrize("case", range(16))
def test_bad_fit_inputs_keep_the_previous_model(refit_guard, classification_data, case):
    est, intact = refit_guard
    X, y = classification_data
    label, X_bad, y_bad, w_bad, match = _bad_fit_inputs(X, y)[case]
    with pytest.raises(ValueError, match=match):
        est.fit(X_bad, y_bad, sample_weight=w_bad)
    intact()


def test_bad_predict_inputs(refit_guard, classification_data):
    import pandas as pd

    est, intact = refit_guard
    X, _ = classification_data
    nan_X = X.copy()
    nan_X[0, 0] = np.nan
    cases = [
        (nan_X, "NaN"),
        (X[:, :3], "features"),
        (X[:, 0], "2D array"),
        (np.full(X.shape, "x", dtype=object), "could not convert"),
        (np.full(X.shape, 1.7e308) * np.where(np.arange(X.shape[1]) % 2, 1, -1), "too far from the training data"),
    ]
    for X_bad, match in cases:
        with pytest.raises(ValueError, match=match):
            est.predict(X_bad)
    named = ScoresActivationClassifier(**QUICK).fit(pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])]),
                                                    classification_data[1])
    with pytest.raises(ValueError, match="feature names"):
        named.predict(pd.DataFrame(X, columns=[f"g{j}" for j in range(X.shape[1])]))
    with pytest.raises(ValueError, match="0 sample"):  # as sklearn's own estimators
        est.predict(X[:0])
    intact()
