"""Do the default settings recover the relevant features? And why these defaults?

For each synthetic set with known relevant columns (0-4) and 10 seeds, fits
the default estimator and variants that change one setting, and reports how
often the top 5 scores are exactly the relevant columns, plus test accuracy
(R^2 for regression) with and without the ScoresActivation layer.

    python benchmarks/recovery.py           # 10 seeds, writes a section of docs/method.md
    python benchmarks/recovery.py --quick   # 2 seeds, prints only
"""

import argparse
import datetime
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

from _report import progress
from datasets import RELEVANT, SYNTHETIC
from scoresactivation import ScoresActivationClassifier, ScoresActivationRegressor

VARIANTS = {
    "defaults": {},
    "the paper's formulation (gate='scale', earlier defaults)": {
        "gate": "scale", "entropy_penalty": 0.03, "learning_rate": 1e-3, "weight_decay": 1.0,
        "n_iter_no_change": 10, "refine_epochs": 0},
    "tighter budget (snr_budget=0.5)": {"snr_budget": 0.5},
    "looser budget (snr_budget=4)": {"snr_budget": 4.0},
    "no refinement (refine_epochs=0)": {"refine_epochs": 0},
    "strong decay (weight_decay=1.0)": {"weight_decay": 1.0},
    "scores too fast (scores_learning_rate=5e-2)": {"scores_learning_rate": 5e-2},
}


def run(seeds):
    results = {}
    for data_name, (task, make) in SYNTHETIC.items():
        Estimator = ScoresActivationClassifier if task == "classification" else ScoresActivationRegressor
        for variant, params in VARIANTS.items():
            hits, accuracies, baseline, seconds = 0, [], [], 0.0
            for seed in progress(seeds, f"{data_name} {variant}", unit="seed"):
                X, y = make(seed)
                X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=seed)
                start = time.perf_counter()
                est = Estimator(random_state=seed, **params).fit(X_train, y_train)
                seconds += time.perf_counter() - start
                hits += set(np.argsort(-est.scores())[:5].tolist()) == RELEVANT
                accuracies.append(est.score(X_test, y_test))
                if variant == "defaults":
                    plain = Estimator(random_state=seed, scores_layer=False, **params).fit(X_train, y_train)
                    baseline.append(plain.score(X_test, y_test))
            results[data_name, variant] = dict(hits=hits, n=len(seeds), score=np.mean(accuracies),
                                               score_sd=np.std(accuracies), baseline=baseline,
                                               seconds=seconds / len(seeds))
            line = f"{data_name:48s} {variant:58s} top-5 exact {hits}/{len(seeds)}  score {np.mean(accuracies):.3f}"
            if baseline:
                line += f"  (without layer {np.mean(baseline):.3f})"
            print(line, flush=True)
    return results


def markdown(results, seeds):
    lines = [
        "## Measured: recovery of the relevant features (benchmarks/recovery.py)",
        "",
        f"Command: `python benchmarks/recovery.py`, run on {datetime.date.today().isoformat()}; "
        f"{len(seeds)} seeds, 2000 rows, 75 % train / 25 % test. 'top-5 exact' counts the seeds whose five "
        "highest scores are exactly the relevant columns 0-4. Score: test accuracy (R² for Friedman #1), "
        "mean ± sd over seeds.",
        "",
        "| data | setting | top-5 exact | test score | fit time (s) |",
        "|---|---|---:|---:|---:|",
    ]
    for (data_name, variant), r in results.items():
        lines.append(f"| {data_name} | {variant} | {r['hits']}/{r['n']} | {r['score']:.3f} ± {r['score_sd']:.3f} | "
                     f"{r['seconds']:.2f} |")
    lines += ["", "The same network without the layer (`scores_layer=False`, otherwise the defaults):", "",
              "| data | with layer | without layer | difference |", "|---|---:|---:|---:|"]
    for (data_name, variant), r in results.items():
        if variant == "defaults":
            base = float(np.mean(r["baseline"]))
            lines.append(f"| {data_name} | {r['score']:.3f} | {base:.3f} | {r['score'] - base:+.3f} |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--output", default=str(Path(__file__).resolve().parents[1] / "docs" / "method.md"))
    args = parser.parse_args()
    seeds = range(2) if args.quick else range(10)
    results = run(seeds)
    if args.quick:
        return
    path = Path(args.output)
    text = path.read_text()
    marker = "## Measured: recovery of the relevant features"
    section = markdown(results, seeds)
    if marker in text:
        start = text.index(marker)
        end = text.find("\n## ", start + len(marker))
        text = text[:start] + section + (text[end + 1:] if end != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)
    print("wrote", path)


if __name__ == "__main__":
    main()
