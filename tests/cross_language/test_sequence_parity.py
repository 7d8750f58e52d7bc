"""Sequence models: Python and R give the same numbers and read each other's files.

The (n, T, C) arrays travel as a flat CSV of row-major values (i, t, c) with
their lengths; R rebuilds the array with aperm. Skipped like test_parity.py
when R or the R package is missing.
"""

import json

import numpy as np
import pytest

from scoresactivation import (ScoresActivationSequenceClassifier, ScoresActivationSequenceRegressor,
                              load_model)

from test_parity import run_r

N, T, C = 120, 7, 3


def sequences(task, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, T, C))
    lengths = rng.integers(3, T + 1, size=N)
    for i, length in enumerate(lengths):
        X[i, length:, :] = 0.0
    signal = X[:, :, 0].sum(axis=1) / np.sqrt(lengths) + X[:, 2, 2]
    y = np.where(signal > 0, "up", "down") if task == "classification" else signal + 0.1 * rng.normal(size=N)
    return X, y, lengths


def write_sequences(path, X, y, lengths):
    with open(path, "w", encoding="utf-8") as out:
        out.write("length,y," + ",".join(f"v{k}" for k in range(T * C)) + "\n")
        for row, target, length in zip(X, y, lengths):
            out.write(f"{int(length)},{target}," + ",".join(repr(float(v)) for v in row.ravel()) + "\n")


R_READ = f"""
    d <- read.csv("data.csv", stringsAsFactors = FALSE)
    flat <- as.matrix(d[, -(1:2)])
    # flat[i, t * C + c + 1] is X[i, t, c]: an (n, C, T) array, then (n, T, C).
    x <- aperm(array(flat, dim = c(nrow(flat), {C}, {T})), c(1, 3, 2))
    lengths <- d$length
"""

PARAMS = dict(units=(6,), max_epochs=8, refine_epochs=2, random_state=11, n_threads=1)
R_PARAMS = "units = 6L, max_epochs = 8L, refine_epochs = 2L, random_state = 11, n_threads = 1L"


def estimator(task):
    return ScoresActivationSequenceClassifier if task == "classification" else ScoresActivationSequenceRegressor


@pytest.mark.parametrize("architecture", ["lstm", "conv"])
@pytest.mark.parametrize("task", ["classification", "regression"])
def test_python_sequence_model_predicts_the_same_in_r(task, architecture, tmp_path):
    X, y, lengths = sequences(task)
    write_sequences(tmp_path / "data.csv", X, y, lengths)
    est = estimator(task)(architecture=architecture, **PARAMS).fit(X, y, lengths=lengths)
    est.save(tmp_path / "py_model.json")
    kind = "prob" if task == "classification" else "response"
    run_r(R_READ + f"""
        fit <- load_model("py_model.json")
        p <- predict(fit, x, lengths = lengths, type = "{kind}")
        jsonlite::write_json(list(pred = unname(as.matrix(p)), scores = unname(scores(fit))),
                             "r_out.json", digits = NA)
    """, tmp_path)
    out = json.loads((tmp_path / "r_out.json").read_text())
    expected = est.predict_proba(X, lengths=lengths) if task == "classification" else est.predict(X, lengths=lengths)
    np.testing.assert_allclose(np.asarray(out["pred"]).reshape(expected.shape), expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(out["scores"], est.scores(), rtol=0, atol=1e-15)


@pytest.mark.parametrize("architecture", ["lstm", "conv"])
@pytest.mark.parametrize("task", ["classification", "regression"])
def test_same_sequences_and_seed_give_the_same_model_in_both_languages(task, architecture, tmp_path):
    X, y, lengths = sequences(task, seed=1)
    write_sequences(tmp_path / "data.csv", X, y, lengths)
    target = "factor(d$y)" if task == "classification" else "d$y"
    kind = "prob" if task == "classification" else "response"
    run_r(R_READ + f"""
        fit <- scores_activation_sequence(x, {target}, lengths = lengths, architecture = "{architecture}", {R_PARAMS})
        save_model(fit, "r_model.json")
        p <- predict(fit, x, lengths = lengths, type = "{kind}")
        jsonlite::write_json(list(pred = unname(as.matrix(p))), "r_pred.json", digits = NA)
    """, tmp_path)
    est = estimator(task)(architecture=architecture, **PARAMS).fit(X, y, lengths=lengths)
    r_model = load_model(tmp_path / "r_model.json")
    assert type(r_model) is type(est)
    assert r_model.n_epochs_ == est.n_epochs_
    # Eigen 3.3 (RcppEigen) and 3.4 (Debian) may round products differently
    # in the last bit; the contract is 1e-6.
    np.testing.assert_allclose(r_model.scores(), est.scores(), rtol=0, atol=1e-6)
    ours = est.predict_proba(X, lengths=lengths) if task == "classification" else est.predict(X, lengths=lengths)
    r_pred = np.asarray(json.loads((tmp_path / "r_pred.json").read_text())["pred"]).reshape(ours.shape)
    np.testing.assert_allclose(r_pred, ours, rtol=0, atol=1e-6)
    # The R file predicts in Python exactly as in R.
    theirs = (r_model.predict_proba(X, lengths=lengths) if task == "classification"
              else r_model.predict(X, lengths=lengths))
    np.testing.assert_allclose(theirs, r_pred, rtol=0, atol=1e-12)
