"""Sequence attributions: R and Python give the same numbers for one saved model.

Python fits and saves; R loads the file and explains the same sequences;
both call the same core functions, so the values agree to rounding. Skipped
until the Python package has its sequence attributions, and like
test_parity.py when R or the R package is missing.
"""

import json

import numpy as np
import pytest

from scoresactivation import ScoresActivationSequenceClassifier

from test_parity import run_r

N, T, C = 60, 6, 3


def sequences(seed=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, T, C))
    lengths = rng.integers(2, T + 1, size=N)
    for i, length in enumerate(lengths):
        X[i, length:, :] = 0.0
    y = np.where(X[:, :, 0].sum(axis=1) - X[:, 1, 2] > 0, "up", "down")
    return X, y, lengths


def write_sequences(path, X, y, lengths):
    with open(path, "w", encoding="utf-8") as out:
        out.write("length,y," + ",".join(f"v{k}" for k in range(T * C)) + "\n")
        for row, target, length in zip(X, y, lengths):
            out.write(f"{int(length)},{target}," + ",".join(repr(float(v)) for v in row.ravel()) + "\n")


# R writes arrays in C order (aperm to reverse the dimensions), as numpy holds them.
R_CODE = f"""
    d <- read.csv("data.csv", stringsAsFactors = FALSE)
    flat <- as.matrix(d[, -(1:2)])
    x <- aperm(array(flat, dim = c(nrow(flat), {C}, {T})), c(1, 3, 2))
    lengths <- d$length
    y <- d$y
    fit <- load_model("model.json")
    c_order <- function(a) if (is.null(dim(a))) unname(a) else as.vector(aperm(a, rev(seq_along(dim(a)))))
    background <- x[1:10, , , drop = FALSE]
    out <- list(
      ig = c_order(explain(fit, x, lengths = lengths, target = "up", n_steps = 20)),
      ig_all = c_order(explain(fit, x, lengths = lengths, n_steps = 20)),
      deeplift = c_order(explain(fit, x, "deeplift", lengths = lengths, baseline = x[2:4, , ])),
      gradient = c_order(explain(fit, x, "gradient_times_input", lengths = lengths, target = "down")),
      shapley = c_order(explain(fit, x[1:8, , , drop = FALSE], "shapley", lengths = lengths[1:8], target = "up",
                                background = background)),
      shapley_sampled = c_order(explain(fit, x[1:8, , , drop = FALSE], "shapley", lengths = lengths[1:8],
                                        target = "up", output = "probability", background = background,
                                        exact = FALSE, n_permutations = 6, random_state = 5)),
      deepactif_input = c_order(global_importance(fit, x, method = "deepactif", lengths = lengths)),
      deepactif_encoder = c_order(global_importance(fit, x, method = "deepactif", lengths = lengths,
                                                    hook = "encoder", aggregation = "meanstd")),
      permutation = c_order(global_importance(fit, x, y, "permutation", lengths = lengths, n_repeats = 2,
                                              random_state = 4)),
      ig_global = c_order(global_importance(fit, x, method = "integrated_gradients", lengths = lengths,
                                            n_steps = 20))
    )
    jsonlite::write_json(out, "r_out.json", digits = NA)
"""


def test_r_explains_a_python_sequence_model_as_python_does(tmp_path):
    pytest.importorskip("scoresactivation._sequence_explain")
    X, y, lengths = sequences()
    est = ScoresActivationSequenceClassifier(units=(5,), max_epochs=6, refine_epochs=2, random_state=2,
                                             n_threads=1).fit(X, y, lengths=lengths)
    est.save(tmp_path / "model.json")
    write_sequences(tmp_path / "data.csv", X, y, lengths)
    run_r(R_CODE, tmp_path)
    r = {k: np.asarray(v, dtype=float) for k, v in json.loads((tmp_path / "r_out.json").read_text()).items()}
    background = X[:10]
    expected = {
        "ig": est.explain(X, lengths=lengths, target="up", n_steps=20),
        "ig_all": est.explain(X, lengths=lengths, n_steps=20),
        "deeplift": est.explain(X, "deeplift", lengths=lengths, baseline=X[1:4]),
        "gradient": est.explain(X, "gradient_times_input", lengths=lengths, target="down"),
        "shapley": est.explain(X[:8], "shapley", lengths=lengths[:8], target="up", background=background),
        "shapley_sampled": est.explain(X[:8], "shapley", lengths=lengths[:8], target="up", output="probability",
                                       background=background, exact=False, n_permutations=6, random_state=5),
        "deepactif_input": est.global_importance(X, method="deepactif", lengths=lengths),
        "deepactif_encoder": est.global_importance(X, method="deepactif", lengths=lengths, hook="encoder",
                                                   aggregation="meanstd"),
        "permutation": est.global_importance(X, y, method="permutation", lengths=lengths, n_repeats=2,
                                             random_state=4),
        "ig_global": est.global_importance(X, method="integrated_gradients", lengths=lengths, n_steps=20),
    }
    for name, value in expected.items():
        value = np.asarray(value, dtype=float)
        assert r[name].size == value.size, name
        np.testing.assert_allclose(r[name], value.ravel(), rtol=1e-12, atol=1e-12, err_msg=name)
