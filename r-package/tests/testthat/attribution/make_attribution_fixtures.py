"""Writes attribution_expected.json: what the Python package computes for the
golden fixture models (classification_model.json, regression_model.json and
their *_data.csv in ../fixtures, a link to tests/fixtures), so that
test-explain.R can check that R's explain(), global_importance() and metrics
give Python's numbers.

Run from the repository root after an intended change of the attribution
code or of the fixtures:

    .venv/bin/python r-package/tests/testthat/attribution/make_attribution_fixtures.py

Each case records the R call's arguments (method, target, ...) beside the
values; arrays are nested lists in row-major order, class-axis results with
shape (n, d, n_classes).
"""

import json
from pathlib import Path

import numpy as np

from scoresactivation import ScoresActivationClassifier, ScoresActivationRegressor, metrics

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures"
N_ROWS = 12  # rows explained
N_BACKGROUND = 8  # background / baseline rows: the last rows of the data


def read(task):
    lines = (FIXTURES / f"{task}_data.csv").read_text(encoding="utf-8").strip().splitlines()
    rows = [line.split(",") for line in lines[1:]]
    X = np.array([[float(v) for v in row[:-1]] for row in rows])
    y = np.array([row[-1] for row in rows]) if task == "classification" else np.array([float(row[-1]) for row in rows])
    return X, y


def listed(values):
    return np.asarray(values, dtype=float).tolist()


def cases_for(est, X, y, classification):
    x = X[:N_ROWS]
    background = X[-N_BACKGROUND:]
    first, second = (est.classes_[0], est.classes_[1]) if classification else (None, None)
    explain_cases = [
        dict(method="deeplift"),
        dict(method="deeplift", rule="reveal_cancel", target=second),
        dict(method="deeplift", baseline="background"),
        dict(method="integrated_gradients"),
        dict(method="integrated_gradients", baseline="zeros", n_steps=20, integration="riemann_trapezoid",
             target=first),
        dict(method="gradient", target=second),
        dict(method="gradient_times_input"),
        dict(method="shapley", background="background"),
        dict(method="shapley", background="background", exact=False, n_permutations=10, random_state=3,
             target=first),
    ]
    if classification:
        explain_cases.append(dict(method="shapley", background="background", output="probability", target=second))
    out = {"explain": [], "global_importance": [], "metrics": {}}
    for case in explain_cases:
        kwargs = {k: v for k, v in case.items() if k != "method"}
        for key in ("baseline", "background"):
            if kwargs.get(key) == "background":
                kwargs[key] = background
        values = est.explain(x, case["method"], **kwargs)
        record = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in case.items()}
        record["values"] = listed(values)
        out["explain"].append(record)
    for case in [dict(method="permutation", n_repeats=3, random_state=5), dict(method="deeplift")]:
        values = est.global_importance(X, y, case["method"], **{k: v for k, v in case.items() if k != "method"})
        out["global_importance"].append({**case, "values": listed(values)})
    target = second if classification else None
    attributions = est.explain(x, "deeplift", target=target)
    deletion, deletion_auc = metrics.deletion_curve(est, x, attributions, target=target)
    insertion, insertion_auc = metrics.insertion_curve(est, x, est.scores(), target=target)
    out["metrics"] = {
        "target": target.item() if isinstance(target, np.generic) else target,
        "deletion_curves": listed(deletion),
        "deletion_auc": deletion_auc,
        "insertion_curves": listed(insertion),
        "insertion_auc": insertion_auc,
        "faithfulness": metrics.faithfulness(est, x, attributions, X_train=X, target=target),
        "local_lipschitz": listed(metrics.local_lipschitz(
            lambda rows: est.explain(rows, "gradient", target=target), x, n_samples=5, random_state=7)),
    }
    return out


def main():
    expected = {}
    for task, Estimator in (("classification", ScoresActivationClassifier), ("regression", ScoresActivationRegressor)):
        X, y = read(task)
        est = Estimator.load(FIXTURES / f"{task}_model.json")
        est.set_params(n_threads=1)
        expected[task] = cases_for(est, X, y, task == "classification")
    expected["n_rows"] = N_ROWS
    expected["n_background"] = N_BACKGROUND
    with open(HERE / "attribution_expected.json", "w", encoding="utf-8") as out:
        json.dump(expected, out, indent=None, separators=(",", ":"))
        out.write("\n")
    print("written", HERE / "attribution_expected.json")


if __name__ == "__main__":
    main()
