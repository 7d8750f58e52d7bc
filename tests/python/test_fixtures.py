"""The golden files in tests/fixtures/, shared with the C++ and R suites."""

import json
from pathlib import Path

import numpy as np
import pytest

from scoresactivation import (
    ScoresActivationClassifier,
    ScoresActivationRegressor,
    ScoresActivationSequenceClassifier,
    ScoresActivationSequenceRegressor,
    SENNClassifier,
    SENNRegressor,
    load_model,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TASKS = {"classification": ScoresActivationClassifier, "regression": ScoresActivationRegressor}


def read(task):
    raw = np.genfromtxt(FIXTURES / f"{task}_data.csv", delimiter=",", names=True, dtype=None, encoding="utf-8")
    X = np.column_stack([raw[f"f{j}"] for j in range(4)]).astype(float)
    expected = json.loads((FIXTURES / f"{task}_expected.json").read_text())
    return X, raw["y"], expected


@pytest.mark.parametrize("task", TASKS)
def test_saved_model_predicts_the_stored_numbers(task):
    X, _, expected = read(task)
    model = load_model(FIXTURES / f"{task}_model.json")
    assert isinstance(model, TASKS[task])
    np.testing.assert_allclose(model.scores(), expected["scores"], rtol=0, atol=1e-12)
    if task == "classification":
        np.testing.assert_allclose(model.predict_proba(X), expected["predict_proba"], rtol=0, atol=1e-12)
        assert model.predict(X).tolist() == expected["predict"]
    else:
        np.testing.assert_allclose(model.predict(X), expected["predict"], rtol=0, atol=1e-12)


@pytest.mark.parametrize("task", TASKS)
def test_refit_with_the_same_seed_reproduces_the_model(task):
    X, y, expected = read(task)
    params = {**expected["params"], "hidden_layer_sizes": tuple(expected["params"]["hidden_layer_sizes"])}
    est = TASKS[task](**params).fit(X, y)
    assert est.n_epochs_ == expected["n_epochs_run"]
    # the portable kernel gives the same bits with any x86-64 CPU; other
    # compilers may round differently in the last place
    np.testing.assert_allclose(est.scores(), expected["scores"], rtol=0, atol=1e-9)


# tests/fixtures/v1: files of format_version 1, written before the snr gate
# by the scale gate without refinement, with the defaults of that time.
@pytest.mark.parametrize("task", TASKS)
def test_version_1_model_loads_as_a_scale_gate_model(task):
    X, _, _ = read(task)
    expected = json.loads((FIXTURES / "v1" / f"{task}_expected.json").read_text())
    model = load_model(FIXTURES / "v1" / f"{task}_model.json")
    assert model.get_params()["gate"] == "scale" and model.get_params()["refine_epochs"] == 0
    np.testing.assert_allclose(model.scores(), expected["scores"], rtol=0, atol=1e-12)
    if task == "classification":
        np.testing.assert_allclose(model.predict_proba(X), expected["predict_proba"], rtol=0, atol=1e-12)
    else:
        np.testing.assert_allclose(model.predict(X), expected["predict"], rtol=0, atol=1e-12)


@pytest.mark.parametrize("task", TASKS)
def test_the_papers_formulation_is_reachable_through_parameters(task):
    """A version-1 model's params, refitted now, give its scores again: the
    former default (scale gate, entropy penalty, no refinement) is intact."""
    X, y, _ = read(task)
    expected = json.loads((FIXTURES / "v1" / f"{task}_expected.json").read_text())
    model = load_model(FIXTURES / "v1" / f"{task}_model.json")
    est = TASKS[task](**model.get_params()).fit(X, y)
    assert est.n_epochs_ == expected["n_epochs_run"]
    np.testing.assert_allclose(est.scores(), expected["scores"], rtol=0, atol=1e-9)


def test_saved_documents_are_version_2_with_the_gate_params():
    doc = json.loads((FIXTURES / "classification_model.json").read_text())
    assert doc["format_version"] == 2
    assert doc["params"]["gate"] == "snr" and doc["params"]["refine_epochs"] == 20


# ---------------------------------------------------------------- sequences
# tests/fixtures/sequence_*: an LSTM classifier on ragged sequences and a conv
# regressor on fixed-length ones (format version 3). Loaded, never refitted.
SEQUENCE_TASKS = {"classification": ScoresActivationSequenceClassifier,
                  "regression": ScoresActivationSequenceRegressor}


def read_sequences(task):
    """X (n, T, C) with NaN past each length, lengths (None when not ragged), y, expected."""
    expected = json.loads((FIXTURES / f"sequence_{task}_expected.json").read_text())
    raw = np.genfromtxt(FIXTURES / f"sequence_{task}_data.csv", delimiter=",", names=True, dtype=None,
                        encoding="utf-8")
    steps, channels = expected["n_steps"], expected["n_channels"]
    X = np.column_stack([raw[f"x{t}_{c}"] for t in range(steps) for c in range(channels)]).astype(float)
    X = X.reshape(len(raw), steps, channels)
    lengths = raw["length"].astype(int) if expected["ragged"] else None
    return X, lengths, raw["y"], expected


@pytest.mark.parametrize("task", SEQUENCE_TASKS)
def test_saved_sequence_model_predicts_the_stored_numbers(task):
    X, lengths, _, expected = read_sequences(task)
    model = load_model(FIXTURES / f"sequence_{task}_model.json")
    assert isinstance(model, SEQUENCE_TASKS[task])
    params = model.get_params()
    for name, value in expected["params"].items():
        stored = list(params[name]) if isinstance(params[name], tuple) else params[name]
        assert stored == value, name
    assert model.n_features_in_ == expected["n_channels"] and model.n_epochs_ == expected["n_epochs_run"]
    np.testing.assert_allclose(model.scores(), expected["scores"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(model._decision(X, lengths), expected["decision"], rtol=0, atol=1e-12)
    if task == "classification":
        assert np.isnan(X).any() and lengths.min() < X.shape[1]  # ragged, NaN past the lengths
        np.testing.assert_allclose(model.predict_proba(X, lengths=lengths), expected["predict_proba"],
                                   rtol=0, atol=1e-12)
        assert model.predict(X, lengths=lengths).tolist() == expected["predict"]
    else:
        assert lengths is None and not np.isnan(X).any()
        np.testing.assert_allclose(model.predict(X), expected["predict"], rtol=0, atol=1e-12)
        full = np.full(len(X), X.shape[1])
        np.testing.assert_allclose(model.predict(X, lengths=full), expected["predict"], rtol=0, atol=1e-12)


@pytest.mark.parametrize("task", SEQUENCE_TASKS)
def test_loading_then_saving_a_sequence_model_gives_back_the_document(task, tmp_path):
    path = FIXTURES / f"sequence_{task}_model.json"
    doc = json.loads(path.read_text())
    model = load_model(path)
    model.save(tmp_path / "again.json")
    again = json.loads((tmp_path / "again.json").read_text())
    # the writer stamps its own library_version and format_version (the fixture is version 3;
    # later versions leave sequence documents unchanged)
    assert doc.pop("format_version") == 3 and again.pop("format_version") >= 3
    doc.pop("library_version"), again.pop("library_version")
    assert again == doc


def test_sequence_documents_are_version_3_with_the_sequence_params():
    for task, architecture in (("classification", "lstm"), ("regression", "conv")):
        doc = json.loads((FIXTURES / f"sequence_{task}_model.json").read_text())
        assert doc["format_version"] == 3
        assert doc["estimator"] == SEQUENCE_TASKS[task].__name__
        assert doc["params"]["architecture"] == architecture
        assert any(name.startswith(architecture + "_0_") for name in doc["arrays"])


# --------------------------------------------------------------------- SENN
# tests/fixtures/senn_*: a SENN classifier (3 classes, snr gate, tanh theta of one hidden
# layer, robustness penalty) and a SENN regressor without the gate (format version 4).
# Loaded, never refitted.
SENN_TASKS = {"classification": SENNClassifier, "regression": SENNRegressor}


def read_senn(task):
    raw = np.genfromtxt(FIXTURES / f"senn_{task}_data.csv", delimiter=",", names=True, dtype=None, encoding="utf-8")
    X = np.column_stack([raw[f"f{j}"] for j in range(4)]).astype(float)
    expected = json.loads((FIXTURES / f"senn_{task}_expected.json").read_text())
    return X, raw["y"], expected


@pytest.mark.parametrize("task", SENN_TASKS)
@pytest.mark.parametrize("loader", ["class", "load_model"])
def test_saved_senn_model_predicts_and_explains_as_stored(task, loader):
    X, _, expected = read_senn(task)
    path = FIXTURES / f"senn_{task}_model.json"
    model = SENN_TASKS[task].load(path) if loader == "class" else load_model(path)
    assert type(model) is SENN_TASKS[task]
    params = model.get_params()
    for name, value in expected["params"].items():
        stored = list(params[name]) if isinstance(params[name], tuple) else params[name]
        assert stored == value, name
    assert model.n_epochs_ == expected["n_epochs_run"]
    theta = np.asarray(expected["theta"])  # (n, n_outputs, d)
    contributions = np.asarray(expected["contributions"])
    base_values = np.asarray(expected["base_values"])
    np.testing.assert_allclose(model.base_values_, base_values, rtol=0, atol=1e-12)
    if task == "classification":
        assert expected["params"]["robustness_penalty"] > 0
        np.testing.assert_allclose(model.scores(), expected["scores"], rtol=0, atol=1e-12)
        np.testing.assert_allclose(model.predict_proba(X), expected["predict_proba"], rtol=0, atol=1e-12)
        assert model.predict(X).tolist() == expected["predict"]
        assert len(set(expected["predict"])) == 3
        # explain's class axis is last: (n, d, n_classes); one target gives (n, d)
        np.testing.assert_allclose(model.explain(X, "theta"), theta.transpose(0, 2, 1), rtol=0, atol=1e-12)
        np.testing.assert_allclose(model.explain(X, "contributions"), contributions.transpose(0, 2, 1),
                                   rtol=0, atol=1e-12)
        for k, label in enumerate(model.classes_):
            np.testing.assert_allclose(model.explain(X, "contributions", target=label), contributions[:, k, :],
                                       rtol=0, atol=1e-12)
        # logits = contributions + base values, and their softmax the probabilities
        logits = contributions.sum(axis=2) + base_values
        np.testing.assert_allclose(logits, expected["decision"], rtol=0, atol=1e-10)
        proba = np.exp(logits - logits.max(axis=1, keepdims=True))
        np.testing.assert_allclose(proba / proba.sum(axis=1, keepdims=True), expected["predict_proba"],
                                   rtol=0, atol=1e-10)
    else:
        assert expected["scores"] is None and params["scores_layer"] is False
        with pytest.raises(AttributeError, match="scores_layer=False"):
            model.scores()  # no gate, no scores
        np.testing.assert_allclose(model.predict(X), expected["predict"], rtol=0, atol=1e-12)
        np.testing.assert_allclose(np.asarray(expected["decision"])[:, 0], expected["predict"], rtol=0, atol=1e-12)
        np.testing.assert_allclose(model.explain(X, "theta"), theta[:, 0, :], rtol=0, atol=1e-12)
        np.testing.assert_allclose(model.explain(X, "contributions"), contributions[:, 0, :], rtol=0, atol=1e-12)
        np.testing.assert_allclose(contributions[:, 0, :].sum(axis=1) + base_values[0], expected["predict"],
                                   rtol=0, atol=1e-10)
    assert np.ptp(theta, axis=0).max() > 0.05  # theta depends on x: a model, not a linear fit


@pytest.mark.parametrize("task", SENN_TASKS)
def test_loading_then_saving_a_senn_model_gives_back_the_document(task, tmp_path):
    path = FIXTURES / f"senn_{task}_model.json"
    doc = json.loads(path.read_text())
    model = load_model(path)
    model.save(tmp_path / "again.json")
    again = json.loads((tmp_path / "again.json").read_text())
    assert doc.pop("format_version") == 4 and again.pop("format_version") >= 4
    doc.pop("library_version"), again.pop("library_version")
    assert again == doc


def test_senn_documents_are_version_4_with_the_senn_params():
    for task, Estimator in SENN_TASKS.items():
        doc = json.loads((FIXTURES / f"senn_{task}_model.json").read_text())
        assert doc["format_version"] == 4
        assert doc["estimator"] == Estimator.__name__
        assert doc["params"]["robustness_penalty"] > 0 and doc["params"]["activation"] == "tanh"
        assert {"theta_0_weight", "theta_1_weight", "output_bias"} <= set(doc["arrays"])
        assert ("scores" in doc["arrays"]) == doc["params"]["scores_layer"]
