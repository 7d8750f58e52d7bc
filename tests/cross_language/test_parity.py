"""Python and R give the same numbers and read each other's model files.

Drives Rscript from pytest; skipped with a message when R or the R package
is not installed (make test installs both).
"""

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import numpy as np
import pytest

from scoresactivation import ScoresActivationClassifier, ScoresActivationRegressor, load_model

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def run_r(code, tmp_path):
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript is not installed")
    script = tmp_path / "script.R"
    script.write_text("suppressPackageStartupMessages(library(scoresactivation))\n" + textwrap.dedent(code))
    result = subprocess.run(["Rscript", str(script)], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    if "there is no package called" in result.stderr:
        pytest.skip("the R package scoresactivation is not installed")
    assert result.returncode == 0, result.stderr
    return result.stdout


def data(task, n=300, d=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    if task == "classification":
        y = np.where(X[:, 0] + X[:, 1] * X[:, 2] > 0, "yes", "no")
    else:
        y = 3 * X[:, 0] - X[:, 1] ** 2 + 0.1 * rng.normal(size=n)
    return X, y


def write_csv(path, X, y):
    with open(path, "w", encoding="utf-8") as out:
        out.write(",".join([f"x{j}" for j in range(X.shape[1])] + ["y"]) + "\n")
        for row, target in zip(X, y):
            out.write(",".join(repr(float(v)) for v in row) + "," + str(target) + "\n")


PARAMS = dict(hidden_layer_sizes=(16, 8), max_epochs=40, random_state=7, n_threads=1)
R_PARAMS = "hidden_layer_sizes = c(16, 8), max_epochs = 40, random_state = 7, n_threads = 1"


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_python_model_loads_in_r_and_predicts_the_same(task, tmp_path):
    X, y = data(task)
    write_csv(tmp_path / "data.csv", X, y)
    Estimator = ScoresActivationClassifier if task == "classification" else ScoresActivationRegressor
    est = Estimator(**PARAMS).fit(X, y)
    est.save(tmp_path / "py_model.json")
    kind = "prob" if task == "classification" else "response"
    run_r(f"""
        d <- read.csv("data.csv")
        fit <- load_model("py_model.json")
        p <- predict(fit, as.matrix(d[, 1:{X.shape[1]}]), type = "{kind}")
        jsonlite::write_json(list(pred = unname(as.matrix(p)), scores = unname(scores(fit))),
                             "r_out.json", digits = NA)
    """, tmp_path)
    out = json.loads((tmp_path / "r_out.json").read_text())
    expected = est.predict_proba(X) if task == "classification" else est.predict(X)
    np.testing.assert_allclose(np.asarray(out["pred"]).reshape(expected.shape), expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(out["scores"], est.scores(), rtol=0, atol=1e-15)


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_r_model_loads_in_python_and_predicts_the_same(task, tmp_path):
    X, y = data(task)
    write_csv(tmp_path / "data.csv", X, y)
    target = "factor(d$y)" if task == "classification" else "d$y"
    kind = "prob" if task == "classification" else "response"
    run_r(f"""
        d <- read.csv("data.csv")
        x <- as.matrix(d[, 1:{X.shape[1]}])
        fit <- scores_activation(x, {target}, {R_PARAMS})
        save_model(fit, "r_model.json")
        p <- predict(fit, x, type = "{kind}")
        jsonlite::write_json(list(pred = unname(as.matrix(p))), "r_pred.json", digits = NA)
    """, tmp_path)
    model = load_model(tmp_path / "r_model.json")
    pred = json.loads((tmp_path / "r_pred.json").read_text())["pred"]
    ours = model.predict_proba(X) if task == "classification" else model.predict(X)
    np.testing.assert_allclose(np.asarray(pred).reshape(ours.shape), ours, rtol=0, atol=1e-12)


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_same_data_and_seed_give_the_same_model_in_both_languages(task, tmp_path):
    X, y = data(task)
    write_csv(tmp_path / "data.csv", X, y)
    target = "factor(d$y)" if task == "classification" else "d$y"
    run_r(f"""
        d <- read.csv("data.csv")
        fit <- scores_activation(as.matrix(d[, 1:{X.shape[1]}]), {target}, {R_PARAMS})
        save_model(fit, "r_model.json")
    """, tmp_path)
    Estimator = ScoresActivationClassifier if task == "classification" else ScoresActivationRegressor
    est = Estimator(**PARAMS).fit(X, y)
    r_model = load_model(tmp_path / "r_model.json")
    assert r_model.n_epochs_ == est.n_epochs_
    # R matrices carry column names (x0, x1, ...); the Python fit on an ndarray
    # ranks by index, so compare through the names.
    np.testing.assert_array_equal(r_model.ranking(), [f"x{i}" for i in est.ranking()])
    # Eigen 3.3 (RcppEigen) and 3.4 (Debian) may round matrix products
    # differently in the last bit; the contract is 1e-6.
    np.testing.assert_allclose(r_model.scores(), est.scores(), rtol=0, atol=1e-6)
    np.testing.assert_allclose(r_model.scores_history_, est.scores_history_, rtol=0, atol=1e-6)


def test_golden_fixture_models_load_in_r(tmp_path):
    expected = json.loads((FIXTURES / "classification_expected.json").read_text())
    run_r(f"""
        d <- read.csv("{FIXTURES / 'classification_data.csv'}")
        fit <- load_model("{FIXTURES / 'classification_model.json'}")
        p <- predict(fit, as.matrix(d[, 1:4]), type = "prob")
        jsonlite::write_json(list(pred = unname(as.matrix(p))), "out.json", digits = NA)
    """, tmp_path)
    pred = np.asarray(json.loads((tmp_path / "out.json").read_text())["pred"])
    np.testing.assert_allclose(pred, expected["predict_proba"], rtol=0, atol=1e-12)


def test_bootstrap_scores_are_the_same_in_both_languages(tmp_path):
    X, y = data("regression", n=200, d=4)
    write_csv(tmp_path / "data.csv", X, y)
    run_r("""
        d <- read.csv("data.csv")
        fit <- scores_activation(as.matrix(d[, 1:4]), d$y, hidden_layer_sizes = 8, max_epochs = 10,
                                 refine_epochs = 2, n_bootstrap = 3, random_state = 5, n_threads = 2)
        save_model(fit, "r_model.json")
    """, tmp_path)
    est = ScoresActivationRegressor(hidden_layer_sizes=(8,), max_epochs=10, refine_epochs=2, n_bootstrap=3,
                                    random_state=5, n_threads=2).fit(X, y)
    r_model = load_model(tmp_path / "r_model.json")
    np.testing.assert_allclose(r_model.scores_bootstrap_, est.scores_bootstrap_, rtol=0, atol=1e-6)


def test_class_weight_gives_the_same_model_in_both_languages_and_survives_the_file(tmp_path):
    X, y = data("classification", n=200, d=4)
    write_csv(tmp_path / "data.csv", X, y)
    run_r("""
        d <- read.csv("data.csv")
        fit <- scores_activation(as.matrix(d[, 1:4]), factor(d$y), hidden_layer_sizes = 8, max_epochs = 10,
                                 random_state = 3, n_threads = 1, class_weight = c(yes = 3))
        save_model(fit, "r_model.json")
        bal <- scores_activation(as.matrix(d[, 1:4]), factor(d$y), hidden_layer_sizes = 8, max_epochs = 10,
                                 random_state = 3, n_threads = 1, class_weight = "balanced")
        jsonlite::write_json(list(balanced = unname(scores(bal))), "balanced.json", digits = NA)
    """, tmp_path)
    common = dict(hidden_layer_sizes=(8,), max_epochs=10, random_state=3, n_threads=1)
    est = ScoresActivationClassifier(class_weight={"yes": 3}, **common).fit(X, y)
    r_model = load_model(tmp_path / "r_model.json")
    assert r_model.class_weight == {"yes": 3}
    np.testing.assert_allclose(r_model.scores(), est.scores(), rtol=0, atol=1e-6)
    balanced = ScoresActivationClassifier(class_weight="balanced", **common).fit(X, y)
    r_balanced = json.loads((tmp_path / "balanced.json").read_text())["balanced"]
    np.testing.assert_allclose(r_balanced, balanced.scores(), rtol=0, atol=1e-6)


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_validation_data_gives_the_same_fit_in_both_languages_and_survives_the_file(task, tmp_path):
    X, y = data(task, n=300, d=4)
    write_csv(tmp_path / "data.csv", X, y)
    target = "factor(d$y)" if task == "classification" else "d$y"
    common = dict(hidden_layer_sizes=(8,), max_epochs=15, random_state=4, n_threads=1)
    Estimator = ScoresActivationClassifier if task == "classification" else ScoresActivationRegressor
    est = Estimator(**common).fit(X[:200], y[:200], validation_data=(X[200:], y[200:]))
    est.save(tmp_path / "py_model.json")
    run_r(f"""
        d <- read.csv("data.csv")
        x <- as.matrix(d[, 1:4])
        y <- {target}
        fit <- scores_activation(x[1:200, ], y[1:200], validation_data = list(x[201:300, ], y[201:300]),
                                 hidden_layer_sizes = 8, max_epochs = 15, random_state = 4, n_threads = 1)
        save_model(fit, "r_model.json")
        py <- load_model("py_model.json")
        jsonlite::write_json(list(py_scores = as.vector(py$arrays$validation_score_curve)), "read.json", digits = NA)
    """, tmp_path)
    r_model = load_model(tmp_path / "r_model.json")
    assert r_model.n_iter_ == est.n_iter_ and r_model.best_epoch_ == est.best_epoch_
    np.testing.assert_allclose(r_model.validation_scores_, est.validation_scores_, rtol=0, atol=1e-6)
    np.testing.assert_allclose(r_model.validation_loss_curve_, est.validation_loss_curve_, rtol=0, atol=1e-6)
    np.testing.assert_allclose(r_model.scores(), est.scores(), rtol=0, atol=1e-6)
    read_in_r = json.loads((tmp_path / "read.json").read_text())["py_scores"]
    np.testing.assert_allclose(read_in_r, est.validation_scores_, rtol=1e-14)  # (jsonlite writes 15 digits)


def test_a_stream_started_in_python_continues_in_r_as_in_python(tmp_path):
    X, y = data("classification", n=400, d=4)
    write_csv(tmp_path / "data.csv", X, y)
    common = dict(hidden_layer_sizes=(8,), random_state=6, n_threads=1)
    est = ScoresActivationClassifier(**common)
    classes = np.unique(y)
    for start in (0, 100):
        est.partial_fit(X[start:start + 100], y[start:start + 100], classes=classes)
    est.save(tmp_path / "py_half.json")
    for start in (200, 300):
        est.partial_fit(X[start:start + 100], y[start:start + 100])
    run_r("""
        d <- read.csv("data.csv")
        x <- as.matrix(d[, 1:4])
        y <- as.character(d$y)
        fit <- load_model("py_half.json")
        for (start in c(201, 301)) fit <- partial_fit(fit, x[start:(start + 99), ], y[start:(start + 99)])
        save_model(fit, "r_continued.json")
    """, tmp_path)
    continued = load_model(tmp_path / "r_continued.json")
    assert continued.n_iter_ == est.n_iter_ == 4
    np.testing.assert_allclose(continued.predict_proba(X), est.predict_proba(X), rtol=0, atol=1e-6)
    np.testing.assert_allclose(continued.scores(), est.scores(), rtol=0, atol=1e-6)


def test_an_r_model_with_its_own_level_order_continues_in_python_as_in_r(tmp_path):
    # R keeps a factor's level order (here "yes" before "no"): Python's
    # partial_fit must map the labels by that order, not a sorted one.
    X, y = data("classification", n=300, d=4)
    write_csv(tmp_path / "data.csv", X, y)
    run_r("""
        d <- read.csv("data.csv")
        x <- as.matrix(d[, 1:4])
        y <- factor(d$y, levels = c("yes", "no"))
        fit <- partial_fit(NULL, x[1:200, ], y[1:200], hidden_layer_sizes = 8, random_state = 2, n_threads = 1)
        save_model(fit, "r_first.json")
        fit <- partial_fit(fit, x[201:300, ], y[201:300])
        save_model(fit, "r_second.json")
    """, tmp_path)
    est = load_model(tmp_path / "r_first.json")
    assert list(est.classes_) == ["yes", "no"]
    est.partial_fit(X[200:], y[200:], classes=["no", "yes"])  # the same set, in any order
    in_r = load_model(tmp_path / "r_second.json")
    np.testing.assert_allclose(est.predict_proba(X), in_r.predict_proba(X), rtol=0, atol=1e-6)
    np.testing.assert_array_equal(est.predict(X), in_r.predict(X))
