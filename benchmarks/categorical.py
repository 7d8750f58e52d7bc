"""Categorical variables: one shared gate per variable against one score per
one-hot column (summed per variable), on data with known importances.

    python benchmarks/categorical.py                   # full run -> the measured section of docs/categorical.md
    python benchmarks/categorical.py --quick --out DIR  # a small run (make test)

Each data set mixes numeric and categorical variables with known variance
shares (the truth): relevant categoricals with 3, 4 and 12 levels, relevant
numeric columns, and noise of both kinds, among them a 30-level categorical
whose many columns are what a per-column score could over-count. Level effects
are drawn per seed and standardised over the levels (uniform frequencies), so
a term's share is its amplitude squared over the total, as in
benchmarks/ground_truth.py. For each seed and task:

- "shared gate" (the default): the DataFrame with its categorical columns; the
  estimator encodes them and gives one score per variable;
- "per column, summed": the same one-hot columns handed over as numbers (each
  column its own score), summed per variable afterwards;
- "permutation": the core's permutation importance of the shared-gate model
  on held-out rows (a variable's columns shuffled together), the reference.

Measured per variant: Spearman with the truth inside the relevant variables,
whether every relevant variable outranks every noise variable, and the rank
of the 30-level noise variable (1 = top; the worst relevant rank is given
beside it).
"""

import argparse
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.model_selection import train_test_split

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import DOCS, machine, progress, write_section  # noqa: E402

from scoresactivation import ScoresActivationClassifier, ScoresActivationRegressor  # noqa: E402

# (name, levels or None for numeric, amplitude): amplitude 0 is noise.
VARIABLES = [
    ("num_strong", None, 1.0),
    ("cat4", 4, 0.85),
    ("num_mid", None, 0.6),
    ("cat12", 12, 0.5),
    ("cat3_weak", 3, 0.3),
    ("noise_num1", None, 0.0),
    ("noise_num2", None, 0.0),
    ("noise_cat3", 3, 0.0),
    ("noise_cat30", 30, 0.0),
]
NOISE_SHARE = 0.1
VARIANTS = ("shared gate", "per column, summed", "permutation")


def make_data(seed, task, n=2000):
    """(DataFrame, y, truth per variable): additive standardised effects."""
    rng = np.random.default_rng(seed)
    frame, signal = {}, np.zeros(n)
    amplitudes = np.array([a for _, _, a in VARIABLES])
    for name, levels, amplitude in VARIABLES:
        if levels is None:
            x = rng.normal(size=n)
            frame[name] = x
            effect = x
        else:
            codes = rng.integers(0, levels, size=n)
            frame[name] = pd.Categorical.from_codes(codes, categories=[f"l{k}" for k in range(levels)])
            values = rng.normal(size=levels)
            values = (values - values.mean()) / values.std()  # unit variance under uniform levels
            effect = values[codes]
        signal += amplitude * effect
    truth = amplitudes**2 / np.sum(amplitudes**2)
    signal_var = np.sum(amplitudes**2)
    noise = rng.normal(scale=np.sqrt(signal_var * NOISE_SHARE / (1 - NOISE_SHARE)), size=n)
    y = signal + noise
    if task == "classification":
        y = (y > np.median(y)).astype(int)
    return pd.DataFrame(frame), y, truth


def one_hot(frame):
    """The estimator's own encoding (all levels, in place), as plain numbers."""
    parts = []
    for name in frame.columns:
        col = frame[name]
        if isinstance(col.dtype, pd.CategoricalDtype):
            for level in col.cat.categories:
                parts.append((col == level).astype(float).rename(f"{name}={level}"))
        else:
            parts.append(col.rename(name))
    return pd.concat(parts, axis=1)


def summed_by_variable(columns, values):
    names = [c.split("=", 1)[0] for c in columns]
    out = pd.Series(values, index=names).groupby(level=0, sort=False).sum()
    return out.reindex([v[0] for v in VARIABLES]).to_numpy()


def measure(importance, truth):
    relevant = truth > 0
    rank = np.empty(len(importance), int)
    rank[np.argsort(-importance, kind="stable")] = np.arange(1, len(importance) + 1)
    many = [v[0] for v in VARIABLES].index("noise_cat30")
    return {
        "spearman": float(spearmanr(importance[relevant], truth[relevant])[0]),
        "separated": bool(importance[relevant].min() > importance[~relevant].max()),
        "noise30_rank": int(rank[many]),
        "worst_relevant_rank": int(rank[relevant].max()),
    }


def run_seed(task, seed, quick):
    X, y, truth = make_data(seed, task, n=1200 if quick else 2000)
    split = dict(test_size=0.3, random_state=seed, stratify=y if task == "classification" else None)
    X_train, X_test, y_train, y_test = train_test_split(X, y, **split)
    Estimator = ScoresActivationClassifier if task == "classification" else ScoresActivationRegressor
    kw = dict(random_state=seed, n_threads=2, max_epochs=60 if quick else 200)
    out, seconds = {}, {}
    start = time.process_time()
    shared = Estimator(**kw).fit(X_train, y_train)
    seconds["shared gate"] = time.process_time() - start
    out["shared gate"] = measure(np.asarray(shared.scores()), truth)
    encoded_train = one_hot(X_train)
    start = time.process_time()
    per_column = Estimator(**kw).fit(encoded_train, y_train)
    seconds["per column, summed"] = time.process_time() - start
    out["per column, summed"] = measure(summed_by_variable(encoded_train.columns, np.asarray(per_column.scores())),
                                        truth)
    perm = shared.global_importance(X_test, y_test, method="permutation", n_repeats=5, random_state=seed)
    out["permutation"] = measure(np.asarray(perm), truth)
    scores = {"shared gate": shared.score(X_test, y_test),
              "per column, summed": per_column.score(one_hot(X_test), y_test)}
    return out, seconds, scores


def run(quick):
    seeds = range(2) if quick else range(10)
    jobs = [(task, seed) for task in ("regression", "classification") for seed in seeds]
    results = {}
    for task, seed in progress(jobs, "categorical", unit="seed"):
        results[task, seed] = run_seed(task, seed, quick)
        out = results[task, seed][0]
        print(f"{task} seed {seed}: " + "; ".join(f"{v} rho {out[v]['spearman']:.2f} sep {out[v]['separated']} "
                                                  f"noise30 #{out[v]['noise30_rank']}" for v in VARIANTS),
              flush=True)
    return results, seeds


def section(results, seeds, quick, elapsed):
    command = "python benchmarks/categorical.py" + (" --quick" if quick else "")
    lines = [
        "## Measured: a shared gate against one score per column",
        "",
        f"Produced by `{command}` on {date.today().isoformat()} ({machine()}, {elapsed:.0f} s); "
        f"{len(seeds)} seeds per task, 70 % of the rows to fit, 30 % held out. Nine variables "
        "(`benchmarks/categorical.py`): relevant numeric columns with amplitudes 1.0 and 0.6, relevant "
        "categoricals with 4, 12 and 3 levels (amplitudes 0.85, 0.5, 0.3), two noise numeric columns, a 3-level "
        "and a 30-level noise categorical; truth = amplitude² share. Spearman is inside the five relevant "
        "variables (mean ± sd over seeds); *separated* counts the seeds where every relevant variable outranks "
        "every noise variable; the last columns give the 30-level noise variable's rank (1 = top of 9) and the "
        "worst relevant rank (5 is perfect), means over seeds.",
        "",
        "| task | importance | Spearman (relevant) | separated | rank of the 30-level noise | worst relevant rank | "
        "held-out score | CPU s per fit |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for task in ("regression", "classification"):
        for variant in VARIANTS:
            rows = [results[task, s][0][variant] for s in seeds]
            rho = np.array([r["spearman"] for r in rows])
            model = "shared gate" if variant == "permutation" else variant
            score = np.mean([results[task, s][2][model] for s in seeds])
            cpu = np.mean([results[task, s][1][variant] for s in seeds]) if variant != "permutation" else None
            label = "permutation (shared-gate model)" if variant == "permutation" else variant
            lines.append(
                f"| {task} | {label} | {rho.mean():.2f} ± {rho.std(ddof=1) if len(rho) > 1 else 0:.2f} | "
                f"{sum(r['separated'] for r in rows)}/{len(rows)} | "
                f"{np.mean([r['noise30_rank'] for r in rows]):.1f} | "
                f"{np.mean([r['worst_relevant_rank'] for r in rows]):.1f} | {score:.3f} | "
                f"{'-' if cpu is None else f'{cpu:.1f}'} |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 seeds, fewer rows and epochs")
    parser.add_argument("--out", type=Path, default=DOCS, help="folder of categorical.md")
    args = parser.parse_args()
    start = time.perf_counter()
    results, seeds = run(args.quick)
    text = section(results, seeds, args.quick, time.perf_counter() - start)
    path = args.out / "categorical.md"
    if not path.exists():
        path.write_text("# Categorical variables\n")
    write_section(text, path)
    print("wrote", path)


if __name__ == "__main__":
    main()
