"""Categorical variables move between the languages: a pandas-fitted model
predicts R data frames (factor and character columns) and an R factor model
predicts pandas DataFrames, with the same numbers, levels and per-variable
scores; the same data and seed give the same model in both."""

import json

import numpy as np
import pandas as pd
import pytest

from scoresactivation import ScoresActivationClassifier, ScoresActivationRegressor, load_model

from test_parity import run_r

R_PARAMS = "hidden_layer_sizes = c(16, 8), max_epochs = 30, random_state = 7, n_threads = 1"
PARAMS = dict(hidden_layer_sizes=(16, 8), max_epochs=30, random_state=7, n_threads=1)


def frame(n=300, seed=0):
    rng = np.random.default_rng(seed)
    city = rng.choice(["lyon", "oslo", "paris", "rome"], n)
    x0 = rng.normal(size=n)
    grade = rng.choice(["lo", "mid", "hi"], n)
    effect = {"lyon": -2.0, "oslo": -0.5, "paris": 0.5, "rome": 2.0}
    y = 0.6 * x0 + np.vectorize(effect.get)(city) + 0.3 * rng.normal(size=n)
    X = pd.DataFrame({"x0": x0, "city": city, "n1": rng.normal(size=n),
                      "grade": pd.Categorical(grade, categories=["lo", "mid", "hi"])})
    return X, y


def write(tmp_path, X, y):
    out = X.copy()
    out["grade"] = out["grade"].astype(str)
    out["y"] = y
    out.to_csv(tmp_path / "data.csv", index=False, float_format="%.17g")


# R reads city as character and makes grade a factor with the pandas order.
R_READ = """
    d <- read.csv("data.csv", stringsAsFactors = FALSE)
    d$grade <- factor(d$grade, levels = c("lo", "mid", "hi"))
"""


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_pandas_model_predicts_r_data_frames(task, tmp_path):
    X, y = frame()
    if task == "classification":
        y = np.where(y > 0, "high", "low")
    write(tmp_path, X, y)
    Estimator = ScoresActivationClassifier if task == "classification" else ScoresActivationRegressor
    est = Estimator(**PARAMS).fit(X, y)
    est.save(tmp_path / "py_model.json")
    kind = "prob" if task == "classification" else "response"
    run_r(R_READ + f"""
        fit <- load_model("py_model.json")
        p <- predict(fit, newdata = d[, c("grade", "n1", "city", "x0")], type = "{kind}")
        s <- scores(fit)
        jsonlite::write_json(list(pred = unname(as.matrix(p)), scores = unname(s), names = names(s)),
                             "r_out.json", digits = NA)
    """, tmp_path)
    out = json.loads((tmp_path / "r_out.json").read_text())
    expected = est.predict_proba(X) if task == "classification" else est.predict(X)
    np.testing.assert_allclose(np.asarray(out["pred"]).reshape(expected.shape), expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(out["scores"], est.scores(), rtol=0, atol=1e-15)
    assert out["names"] == ["x0", "city", "n1", "grade"]


def test_r_factor_model_predicts_pandas_and_matches_a_python_fit(tmp_path):
    X, y = frame()
    write(tmp_path, X, y)
    run_r(R_READ + f"""
        fit <- scores_activation(y ~ ., data = d, {R_PARAMS})
        save_model(fit, "r_model.json")
        jsonlite::write_json(list(pred = unname(predict(fit, newdata = d))), "r_pred.json", digits = NA)
    """, tmp_path)
    doc = json.loads((tmp_path / "r_model.json").read_text())
    assert [v["name"] for v in doc["variables"]] == ["x0", "city", "n1", "grade"]
    assert doc["variables"][1]["levels"] == ["lyon", "oslo", "paris", "rome"]  # character: sorted
    assert doc["variables"][3]["levels"] == ["lo", "mid", "hi"]  # factor: its levels' order
    assert isinstance(doc["formula"], str) and doc["formula"].startswith("y ~")
    model = load_model(tmp_path / "r_model.json")
    pred = np.asarray(json.loads((tmp_path / "r_pred.json").read_text())["pred"])
    np.testing.assert_allclose(model.predict(X), pred, rtol=0, atol=1e-12)
    # The same data, encoding and seed in Python give the same model (Eigen 3.3 vs 3.4: 1e-6).
    est = ScoresActivationRegressor(**PARAMS).fit(X, y)
    assert model.n_epochs_ == est.n_epochs_
    np.testing.assert_allclose(model.scores(), est.scores(), rtol=0, atol=1e-6)
    # Python keeps R's formula when it saves the model again.
    model.save(tmp_path / "again.json")
    assert json.loads((tmp_path / "again.json").read_text())["formula"] == doc["formula"]
