"""SENN models: Python and R give the same numbers and read each other's files.

Predictions, the explanations (theta, contributions, gradient and Shapley
values, every class), the base values, the robustness residual and the scores agree to
1e-12 for a model saved in one language and loaded in the other, and to 1e-6
for same-seed fits in both. Skipped like test_parity.py when R or the R
package is missing.
"""

import json

import numpy as np
import pytest

from scoresactivation import SENNClassifier, SENNRegressor, load_model

from test_parity import data, run_r, write_csv

D = 5
PARAMS = dict(hidden_layer_sizes=(16, 8), max_epochs=25, robustness_penalty=0.1, random_state=7, n_threads=1)
R_PARAMS = "hidden_layer_sizes = c(16, 8), max_epochs = 25, robustness_penalty = 0.1, random_state = 7, n_threads = 1"
METHODS = ("theta", "contributions", "gradient", "shapley")

# What R computes of a fitted `fit` on the matrix x, written row-major to out.json.
R_OUTPUTS = """
    rowmajor <- function(a) if (is.null(dim(a))) unname(as.double(a)) else as.vector(aperm(a, rev(seq_along(dim(a)))))
    kind <- if (identical(fit$task, "classification")) "prob" else "response"
    out <- list(
      estimator = fit$estimator,
      pred = rowmajor(predict(fit, x, type = kind)),
      link = rowmajor(predict(fit, x, type = "link")),
      base_values = unname(base_values(fit)),
      robustness = unname(robustness(fit, x)),
      scores = unname(scores(fit)),
      n_epochs = fit$n_epochs_run
    )
    for (method in c("theta", "contributions", "gradient", "shapley")) out[[method]] <- rowmajor(explain(fit, x, method))
    jsonlite::write_json(out, "out.json", digits = NA, auto_unbox = TRUE)
"""


def estimator(task):
    return SENNClassifier if task == "classification" else SENNRegressor


def read_data(tmp_path):
    return f"""
        d <- read.csv("data.csv")
        x <- as.matrix(d[, 1:{D}])
    """


def python_outputs(est, X):
    if hasattr(est, "feature_names_in_"):  # a model fitted in R knows its columns by name
        import pandas as pd

        X = pd.DataFrame(X, columns=est.feature_names_in_)
    classification = isinstance(est, SENNClassifier)
    contributions = est.explain(X, "contributions")
    link = contributions.sum(axis=1) + est.base_values_  # (n, k) or (n,): the logits or the prediction
    return dict(
        pred=est.predict_proba(X) if classification else est.predict(X),
        link=link,
        base_values=est.base_values_,
        robustness=est.robustness(X),
        scores=est.scores(),
        **{method: est.explain(X, method) for method in METHODS},
    )


def check_outputs(r_out, ours, atol):
    for key, expected in ours.items():
        expected = np.asarray(expected)
        got = np.asarray(r_out[key], dtype=float).reshape(expected.shape)
        np.testing.assert_allclose(got, expected, rtol=0, atol=atol, err_msg=key)


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_python_senn_model_predicts_and_explains_the_same_in_r(task, tmp_path):
    X, y = data(task, n=200, d=D)
    write_csv(tmp_path / "data.csv", X, y)
    est = estimator(task)(**PARAMS).fit(X, y)
    est.save(tmp_path / "py_model.json")
    run_r(read_data(tmp_path) + """
        fit <- load_model("py_model.json")
        stopifnot(inherits(fit, "senn"), identical(fit$senn_params$robustness_penalty, 0.1))
    """ + R_OUTPUTS, tmp_path)
    r_out = json.loads((tmp_path / "out.json").read_text())
    assert r_out["estimator"] == type(est).__name__
    assert r_out["n_epochs"] == est.n_epochs_
    check_outputs(r_out, python_outputs(est, X), atol=1e-12)


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_r_senn_model_predicts_and_explains_the_same_in_python(task, tmp_path):
    X, y = data(task, n=200, d=D, seed=1)
    write_csv(tmp_path / "data.csv", X, y)
    target = "factor(d$y)" if task == "classification" else "d$y"
    run_r(read_data(tmp_path) + f"""
        fit <- senn(x, {target}, {R_PARAMS})
        save_model(fit, "r_model.json")
    """ + R_OUTPUTS, tmp_path)
    r_model = load_model(tmp_path / "r_model.json")
    assert type(r_model) is estimator(task)
    assert r_model.robustness_penalty == 0.1
    r_out = json.loads((tmp_path / "out.json").read_text())
    check_outputs(r_out, python_outputs(r_model, X), atol=1e-12)


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_same_data_and_seed_give_the_same_senn_model_in_both_languages(task, tmp_path):
    X, y = data(task, n=200, d=D, seed=2)
    write_csv(tmp_path / "data.csv", X, y)
    target = "factor(d$y)" if task == "classification" else "d$y"
    run_r(read_data(tmp_path) + f"""
        fit <- senn(x, {target}, {R_PARAMS})
        save_model(fit, "r_model.json")
    """ + R_OUTPUTS, tmp_path)
    est = estimator(task)(**PARAMS).fit(X, y)
    r_model = load_model(tmp_path / "r_model.json")
    assert r_model.n_epochs_ == est.n_epochs_
    r_out = json.loads((tmp_path / "out.json").read_text())
    assert r_out["n_epochs"] == est.n_epochs_
    # Eigen 3.3 (RcppEigen) and 3.4 (Debian) may round products differently
    # in the last bit; the contract is 1e-6.
    check_outputs(r_out, python_outputs(est, X), atol=1e-6)
    np.testing.assert_allclose(r_model.scores_history_, est.scores_history_, rtol=0, atol=1e-6)
