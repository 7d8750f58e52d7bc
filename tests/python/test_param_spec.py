"""The estimators' signatures, docs and checks follow the core's one table of
hyperparameters (R's formals are checked against the same table in
r-package/tests/testthat/test-params.R)."""

import inspect

import numpy as np
import pytest

import scoresactivation as sa
from scoresactivation import _core

ESTIMATORS = {
    "tabular": (sa.ScoresActivationClassifier, sa.ScoresActivationRegressor),
    "sequence": (sa.ScoresActivationSequenceClassifier, sa.ScoresActivationSequenceRegressor),
    "senn": (sa.SENNClassifier, sa.SENNRegressor),
}
CASES = [(family, cls) for family, classes in ESTIMATORS.items() for cls in classes]


def _comparable(value):
    return list(value) if isinstance(value, tuple) else value


@pytest.mark.parametrize("family,cls", CASES, ids=[c.__name__ for _, c in CASES])
def test_signature_is_the_table(family, cls):
    table = {s["name"]: s["default"] for s in sa.param_spec(family)}
    signature = {name: p.default for name, p in inspect.signature(cls.__init__).parameters.items() if name != "self"}
    assert set(signature) == set(table)
    for name, default in table.items():
        assert _comparable(signature[name]) == _comparable(default), name
    assert cls._family == family


def test_table_defaults_have_the_python_types():
    table = {s["name"]: s for s in sa.param_spec("tabular")}
    assert table["batch_size"]["default"] == 64 and isinstance(table["batch_size"]["default"], int)
    assert table["hidden_layer_sizes"]["default"] == (64, 32)
    assert table["random_state"]["default"] is None and table["n_threads"]["default"] is None
    assert table["gate"]["choices"] == ["snr", "scale"]
    assert table["snr_budget"]["low_open"] and not table["snr_budget"]["high_open"]
    assert set(_core.PARAM_SPEC) == {"tabular", "sequence", "senn"}
    assert [s["name"] for s in _core.PARAM_SPEC["senn"]] == [s["name"] for s in sa.param_spec("senn")]


@pytest.mark.parametrize("family,cls", [(f, c[0]) for f, c in ESTIMATORS.items()])
def test_every_parameter_is_documented(family, cls):
    """Each parameter of the family appears in the Parameters section of its
    classifier (SENN's documents its own and refers to the tabular one)."""
    doc = inspect.getdoc(cls)
    documented = doc + (inspect.getdoc(sa.ScoresActivationClassifier) if family == "senn" else "")
    for spec in sa.param_spec(family):
        assert spec["name"] in documented, f"{cls.__name__} does not document {spec['name']}"


@pytest.mark.parametrize("name,value,message", [
    ("batch_size", 0, r"batch_size must be an integer in \[1, 1e\+15\], got 0"),
    ("batch_size", True, r"batch_size must be an integer"),
    ("snr_budget", 0.0, r"snr_budget must be a number in \(0, 1000000\], got 0"),
    ("activation", "gelu", r"activation must be one of 'relu', 'tanh', 'logistic', 'identity', got 'gelu'"),
    ("hidden_layer_sizes", (8, 0), r"hidden_layer_sizes must be a list of at most 64 integers"),
    ("hidden_layer_sizes", "8", r"hidden_layer_sizes must be a list"),
    ("early_stopping", 1, r"early_stopping must be true or false, got 1"),
    ("n_threads", 0, r"n_threads must be None/NULL or a non-zero integer"),
    ("random_state", -1, r"random_state must be None, an integer in \[0, 2\*\*32\)"),
    ("weight_decay", 1e4, r"weight_decay \* learning_rate must be < 1"),
])
def test_bad_values_are_refused_by_the_core_rule(name, value, message):
    X = np.random.default_rng(0).normal(size=(40, 3))
    est = sa.ScoresActivationRegressor(max_epochs=2, **{name: value})
    with pytest.raises(ValueError, match=message):
        est.fit(X, X[:, 0])
    assert not hasattr(est, "n_epochs_")


def test_numpy_values_are_taken_as_python_ones():
    X = np.random.default_rng(0).normal(size=(60, 3))
    est = sa.ScoresActivationRegressor(hidden_layer_sizes=np.array([4]), batch_size=np.int64(16),
                                       learning_rate=np.float32(0.01), early_stopping=np.bool_(False),
                                       max_epochs=3, random_state=np.int64(1), n_threads=1).fit(X, X[:, 0])
    ref = sa.ScoresActivationRegressor(hidden_layer_sizes=(4,), batch_size=16, learning_rate=float(np.float32(0.01)),
                                       early_stopping=False, max_epochs=3, random_state=1, n_threads=1).fit(X, X[:, 0])
    np.testing.assert_array_equal(est.predict(X), ref.predict(X))


def test_loaded_params_have_the_table_types(tmp_path):
    X = np.random.default_rng(0).normal(size=(60, 3))
    est = sa.ScoresActivationRegressor(hidden_layer_sizes=(5, 3), batch_size=16, max_epochs=2, random_state=0)
    est.fit(X, X[:, 0]).save(tmp_path / "m.json")
    loaded = sa.load_model(tmp_path / "m.json")
    params = loaded.get_params()
    assert params["hidden_layer_sizes"] == (5, 3)
    assert params["batch_size"] == 16 and isinstance(params["batch_size"], int)
    assert params == est.get_params()


def test_thread_rule():
    import os

    cores = os.cpu_count() or 1
    assert _core.resolve_threads(None, cores) == min(cores, _core.thread_limit())
    assert _core.resolve_threads(-1, 4) == min(4, _core.thread_limit())
    assert _core.resolve_threads(-3, 4) == min(2, _core.thread_limit())
    assert _core.resolve_threads(10**6 * 0 + 5, 1) == min(5, _core.thread_limit())
