"""The golden files in tests/fixtures/, shared with the C++ and R suites."""

import json
from pathlib import Path

import numpy as np
import pytest

from scoresactivation import ScoresActivationClassifier, ScoresActivationRegressor, load_model

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
