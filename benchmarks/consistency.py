"""Would another model say the same? Agreement of feature importances across
architectures and methods, and the consensus ranking as a feature detector
(the harmonizing report of arXiv 2307.02150).

    python benchmarks/consistency.py            # full run -> docs/consistency.md
    python benchmarks/consistency.py --quick    # small run, prints only

For every set and seed (its own 70/30 split and model seed), each
architecture is fitted on the training rows and each of its methods gives one
global importance per feature (mean |attribution| over 200 test rows, or the
model's own scores):

- gated MLP (ScoresActivation, defaults): scores, DeepLIFT, Integrated
  Gradients, Shapley values, permutation importance;
- plain MLP (scores_layer=False): DeepLIFT, Integrated Gradients, Shapley,
  permutation;
- SENN (defaults, with the gate): scores, theta (mean |theta_i(x)|),
  contributions (mean |theta_i(x) x_i|), Shapley (100 test rows), permutation;
- EBM (interpret's ExplainableBoosting, main effects only), the outside
  model: its term importances and permutation.

Permutation importance is scikit-learn's (5 repeats, test rows) for every
architecture, so it is the same method across models. The report
(scoresactivation.consistency) gives the agreement of every two sources; from
it: agreement within a method across architectures, within an architecture
across methods, and with the truth (Spearman inside the relevant set, on the
synthetic sets of benchmarks/ground_truth.py). Then the consensus (mean rank
over the sources of one seed) is used as a feature detector: keep its top k
features (k = the number of relevant ones, or 30 % of d on real sets),
retrain a plain MLP on them, and compare the test score with keeping any
single source's top k (Wilcoxon signed-rank over the seeds).
"""

import argparse
import sys
import time
import warnings
from datetime import date
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr, wilcoxon
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.inspection import permutation_importance
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import scoresactivation
from scoresactivation import (
    ScoresActivationClassifier,
    ScoresActivationRegressor,
    ScoresActivationSequenceClassifier,
    ScoresActivationSequenceRegressor,
    SENNClassifier,
    SENNRegressor,
    consistency,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import DOCS, machine, progress  # noqa: E402
import sequence_datasets  # noqa: E402
from ground_truth import correlated, graded, mixed  # noqa: E402

CONSISTENCY_MD = DOCS / "consistency.md"


def sets(quick):
    out = [("graded regression", "regression", graded("regression")),
           ("graded classification", "classification", graded("classification"))]
    if quick:
        return out
    out += [("mixed classification (held out)", "classification", mixed("classification")),
            ("correlated regression (held out)", "regression", correlated("regression"))]
    for name, task, loader in (("breast cancer", "classification", load_breast_cancer),
                               ("diabetes", "regression", load_diabetes)):
        X, y = loader(return_X_y=True)
        out.append((name, task, lambda seed, X=X, y=y: (X, y, None)))
    return out


def permutation(est, X, y, seed):
    return permutation_importance(est, X, y, n_repeats=5, random_state=seed).importances_mean


def shapley(est, X):
    kwargs = {} if X.shape[1] <= 12 else {"exact": False, "n_permutations": 64, "random_state": 0}
    return est.global_importance(X, method="shapley", **kwargs)


def ebm(task, seed):
    try:
        from interpret.glassbox import ExplainableBoostingClassifier, ExplainableBoostingRegressor
    except ImportError:
        return None
    cls = ExplainableBoostingClassifier if task == "classification" else ExplainableBoostingRegressor
    return cls(interactions=0, random_state=seed, n_jobs=1)


def sources(task, seed, X_train, y_train, X_test, y_test, quick):
    """{source name: importance (d,)} for one set and seed, and the fit times."""
    classification = task == "classification"
    mlp = ScoresActivationClassifier if classification else ScoresActivationRegressor
    senn = SENNClassifier if classification else SENNRegressor
    rows = X_test[:200]
    out, times = {}, {}
    start = time.process_time()
    gated = mlp(random_state=seed, n_threads=1).fit(X_train, y_train)
    times["gated MLP"] = time.process_time() - start
    out["gated MLP: scores"] = gated.scores()
    out["gated MLP: DeepLIFT"] = gated.global_importance(rows, method="deeplift")
    out["gated MLP: IG"] = gated.global_importance(rows, method="integrated_gradients", n_steps=16)
    if not quick:
        out["gated MLP: Shapley"] = shapley(gated, rows)
    out["gated MLP: permutation"] = permutation(gated, X_test, y_test, seed)
    start = time.process_time()
    plain = mlp(scores_layer=False, random_state=seed, n_threads=1).fit(X_train, y_train)
    times["plain MLP"] = time.process_time() - start
    out["plain MLP: DeepLIFT"] = plain.global_importance(rows, method="deeplift")
    out["plain MLP: IG"] = plain.global_importance(rows, method="integrated_gradients", n_steps=16)
    if not quick:
        out["plain MLP: Shapley"] = shapley(plain, rows)
    out["plain MLP: permutation"] = permutation(plain, X_test, y_test, seed)
    start = time.process_time()
    model = senn(random_state=seed, n_threads=1).fit(X_train, y_train)
    times["SENN"] = time.process_time() - start
    out["SENN: scores"] = model.scores()
    out["SENN: theta"] = model.global_importance(rows, method="theta")
    out["SENN: contributions"] = model.global_importance(rows, method="contributions")
    if not quick:  # the model-agnostic explainer: one model call per coalition
        out["SENN: Shapley"] = shapley(model, rows[:100])
    out["SENN: permutation"] = permutation(model, X_test, y_test, seed)
    outside = None if quick else ebm(task, seed)
    if outside is not None:
        start = time.process_time()
        outside.fit(X_train, y_train)
        times["EBM"] = time.process_time() - start
        out["EBM: term importances"] = np.asarray(outside.term_importances())
        out["EBM: permutation"] = permutation(outside, X_test, y_test, seed)
    return out, times


def keep_top_score(task, seed, X_train, y_train, X_test, y_test, importance, k):
    keep = np.argsort(-np.asarray(importance), kind="stable")[:k]
    cls = ScoresActivationClassifier if task == "classification" else ScoresActivationRegressor
    est = cls(scores_layer=False, random_state=seed, n_threads=1).fit(X_train[:, keep], y_train)
    return est.score(X_test[:, keep], y_test)


def inside_spearman(importance, truth):
    relevant = truth > 0
    return float(spearmanr(np.asarray(importance)[relevant], truth[relevant])[0])


def run_set(name, task, make, seeds, quick):
    per_seed, truth, times, keep = [], None, {}, {}
    for seed in progress(seeds, name, unit="seed"):
        X, y, truth = make(seed)
        X = StandardScaler().fit_transform(X)
        split = dict(test_size=0.3, random_state=seed, stratify=y if task == "classification" else None)
        X_train, X_test, y_train, y_test = train_test_split(X, y, **split)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # EBM's and sklearn's chatter
            imps, fit_times = sources(task, seed, X_train, y_train, X_test, y_test, quick)
        for arch, t in fit_times.items():
            times.setdefault(arch, []).append(t)
        one_seed = consistency({k: np.abs(v) for k, v in imps.items()})
        consensus = len(one_seed.consensus_rank) + 1 - one_seed.consensus_rank  # positive, larger = more important
        imps_with = dict(imps, consensus=consensus)
        per_seed.append(imps_with)
        k = int((truth > 0).sum()) if truth is not None else max(1, round(0.3 * X.shape[1]))
        for source, importance in imps_with.items():
            keep.setdefault(source, []).append(
                keep_top_score(task, seed, X_train, y_train, X_test, y_test, np.abs(importance), k))
        print(f"{name} seed {seed} done", flush=True)
    names = [s for s in per_seed[0] if s != "consensus"]
    report = consistency({s: np.abs([p[s] for p in per_seed]) for s in names})
    truth_agreement = None
    if truth is not None:
        truth_agreement = {s: np.mean([inside_spearman(np.abs(p[s]), truth) for p in per_seed])
                           for s in per_seed[0]}
    return dict(name=name, report=report, truth=truth_agreement, keep=keep, times=times, k=k)


# ------------------------------------------------------------ sequences
def sequence_sources(task, seed, X_train, y_train, X_test, y_test, quick):
    """{source: importance per channel} of the LSTM and the 1-D CNN behind the gate."""
    cls = ScoresActivationSequenceClassifier if task == "classification" else ScoresActivationSequenceRegressor
    rows = X_test[:100]
    out, times = {}, {}
    for architecture in ("lstm", "conv"):
        start = time.process_time()
        est = cls(architecture=architecture, units=(16,) if quick else (32,), max_epochs=15 if quick else 50,
                  learning_rate=5e-3, random_state=seed, n_threads=1).fit(X_train, y_train)
        times[architecture.upper()] = time.process_time() - start
        name = architecture.upper()
        out[f"{name}: scores"] = est.scores()
        out[f"{name}: DeepACTIF"] = est.global_importance(rows, method="deepactif")
        out[f"{name}: IG"] = est.global_importance(rows[:30], method="integrated_gradients", n_steps=16)
        out[f"{name}: permutation"] = est.global_importance(X_test, y_test, method="permutation", n_repeats=3,
                                                            random_state=seed)
        if not quick:
            out[f"{name}: Shapley"] = est.global_importance(rows[:30], method="shapley", exact=False,
                                                            n_permutations=16, random_state=seed)
    return out, times


def run_sequence_set(name, task, make, seeds, quick):
    """Agreement of the sequence models' channel rankings, and how often each
    source (and the consensus) puts the relevant channels on top."""
    per_seed, hits, times = [], {}, {}
    relevant = set(sequence_datasets.RELEVANT)
    for seed in progress(seeds, name, unit="seed"):
        X, y, _ = make(seed, n=400 if quick else 800, steps=20 if quick else 30)
        split = dict(test_size=0.3, random_state=seed, stratify=y if task == "classification" else None)
        X_train, X_test, y_train, y_test = train_test_split(X, y, **split)
        imps, fit_times = sequence_sources(task, seed, X_train, y_train, X_test, y_test, quick)
        for arch, t in fit_times.items():
            times.setdefault(arch, []).append(t)
        one_seed = consistency({k: np.abs(v) for k, v in imps.items()})
        imps["consensus"] = len(one_seed.consensus_rank) + 1 - one_seed.consensus_rank
        for source, importance in imps.items():
            top = set(np.argsort(-np.abs(importance), kind="stable")[:len(relevant)].tolist())
            hits.setdefault(source, []).append(top == relevant)
        per_seed.append(imps)
        print(f"{name} seed {seed} done", flush=True)
    names = [s for s in per_seed[0] if s != "consensus"]
    report = consistency({s: np.abs([p[s] for p in per_seed]) for s in names})
    return dict(name=name, report=report, hits=hits, times=times, sequence=True)


def print_sequence_result(result):
    across_arch, across_methods, _ = summaries(result)
    print(f"== {result['name']}")
    for m, v in across_arch.items():
        print(f"  within method {m!r} across architectures: Spearman {v:.3f}")
    for a, v in across_methods.items():
        print(f"  within {a!r} across methods: Spearman {v:.3f}")
    hits = {s: int(np.sum(v)) for s, v in result["hits"].items()}
    n = len(next(iter(result["hits"].values())))
    print(f"  relevant channels on top: consensus {hits['consensus']}/{n}; "
          + ", ".join(f"{s} {h}/{n}" for s, h in hits.items() if s != "consensus"))


def sequence_markdown(result):
    across_arch, across_methods, stability = summaries(result)
    n = len(next(iter(result["hits"].values())))
    lines = [f"## {result['name']}", "",
             f"LSTM and 1-D CNN behind the gate (benchmarks/sequence_datasets.py: 10 channels, the relevant ones "
             f"{list(sequence_datasets.RELEVANT)} carry y only through a frequency, a trend and a window; two "
             f"distractors correlate 0.7 with relevant channels). {n} seeds; importances per channel.", "",
             "| agreement | Spearman |", "|---|---:|"]
    for m, v in across_arch.items():
        lines.append(f"| method {m}, across architectures | {v:.3f} |")
    for a, v in across_methods.items():
        lines.append(f"| {a}, across its methods | {v:.3f} |")
    lines += ["", "| source | stability over seeds | relevant channels are the top 3 |", "|---|---:|---:|"]
    for s, v in stability.items():
        lines.append(f"| {s} | {v:.3f} | {int(np.sum(result['hits'][s]))}/{n} |")
    lines.append(f"| **consensus** | | **{int(np.sum(result['hits']['consensus']))}/{n}** |")
    times = ", ".join(f"{a} {np.mean(t):.1f}" for a, t in result["times"].items())
    lines += ["", f"Mean fit time (process CPU s): {times}.", ""]
    return lines


def method_of(source):
    return source.split(": ")[1]


def arch_of(source):
    return source.split(": ")[0]


def mean_offdiagonal(matrix, index):
    values = [matrix[a, b] for a in index for b in index if a < b]
    values = [v for v in values if not np.isnan(v)]
    return np.mean(values) if values else float("nan")


def summaries(result):
    r = result["report"]
    names = r.names
    by_method, by_arch = {}, {}
    for i, s in enumerate(names):
        by_method.setdefault(method_of(s), []).append(i)
        by_arch.setdefault(arch_of(s), []).append(i)
    across_arch = {m: mean_offdiagonal(r.spearman, idx) for m, idx in by_method.items() if len(idx) > 1}
    across_methods = {a: mean_offdiagonal(r.spearman, idx) for a, idx in by_arch.items() if len(idx) > 1}
    stability = {s: r.spearman[i, i] for i, s in enumerate(names)}
    return across_arch, across_methods, stability


def keep_table(result):
    keep = result["keep"]
    consensus = np.array(keep["consensus"])
    rows = []
    for source, scores in keep.items():
        if source == "consensus":
            continue
        scores = np.array(scores)
        diff = consensus - scores
        p = wilcoxon(consensus, scores).pvalue if np.any(diff != 0) and len(diff) > 1 else float("nan")
        rows.append((source, scores.mean(), scores.std(ddof=1) if len(scores) > 1 else 0.0, diff.mean(), p))
    return consensus, rows


def print_result(result):
    across_arch, across_methods, stability = summaries(result)
    print(f"== {result['name']}")
    for m, v in across_arch.items():
        print(f"  within method {m!r} across architectures: Spearman {v:.3f}")
    for a, v in across_methods.items():
        print(f"  within {a!r} across methods: Spearman {v:.3f}")
    if result["truth"] is not None:
        best = max((v, s) for s, v in result["truth"].items() if s != "consensus")
        print(f"  truth (inside relevant): consensus {result['truth']['consensus']:.3f}, best single {best[1]} "
              f"{best[0]:.3f}")
    consensus, rows = keep_table(result)
    best = max(rows, key=lambda r: r[1])
    print(f"  keep top {result['k']}: consensus {consensus.mean():.4f}; best single {best[0]} {best[1]:.4f} "
          f"(p {best[4]:.3g})")


def markdown(results, n_seeds, minutes):
    lines = [
        "# Consistency of feature importances across architectures and methods",
        "",
        f"Generated by `python benchmarks/consistency.py` on {date.today().isoformat()} ({minutes:.0f} min; "
        f"{machine()}); scoresactivation {scoresactivation.__version__}. Do not edit by hand. "
        f"{n_seeds} seeds per set; every seed its own 70/30 split and model seed. See the script's docstring "
        "for the sources; the report is `scoresactivation.consistency` (R: `consistency()`).",
        "",
        "Spearman correlations are means over every pair of runs (seeds) of the two sources; a source's "
        "agreement with itself is its stability over seeds. \"Inside relevant\" is Spearman with the truth "
        "(variance shares) over the relevant features only, the part of the ranking that separating signal "
        "from noise does not already give. On the synthetic sets every seed also draws new data, so the "
        "noise features' order changes from seed to seed and caps the stability of any source (about 0.8 here).",
        "",
        "## Summary",
        "",
        "| set | consensus vs truth (inside relevant) | best single source | single sources the consensus beats or ties | "
        "keep-top-k: sources significantly better than the consensus (p < 0.05) |",
        "|---|---:|---|---:|---:|",
    ]
    for result in (r for r in results if not r.get("sequence")):
        truth = result["truth"]
        _, rows = keep_table(result)
        better = sum(1 for r in rows if r[3] < 0 and r[4] < 0.05)
        if truth:
            singles = {s: v for s, v in truth.items() if s != "consensus"}
            best = max(singles, key=singles.get)
            beaten = sum(1 for v in singles.values() if truth["consensus"] >= v)
            lines.append(f"| {result['name']} | {truth['consensus']:.3f} | {best} ({singles[best]:.3f}) | "
                         f"{beaten} of {len(singles)} | {better} of {len(rows)} |")
        else:
            lines.append(f"| {result['name']} | (no truth) | | | {better} of {len(rows)} |")
    lines += [
        "",
        "Picking the best single source needs the truth; the consensus does not.",
        "",
    ]
    for result in results:
        if result.get("sequence"):
            lines += sequence_markdown(result)
            continue
        across_arch, across_methods, stability = summaries(result)
        lines += [f"## {result['name']}", ""]
        lines += ["| agreement | Spearman |", "|---|---:|"]
        for m, v in across_arch.items():
            lines.append(f"| method {m}, across architectures | {v:.3f} |")
        for a, v in across_methods.items():
            lines.append(f"| {a}, across its methods | {v:.3f} |")
        lines += ["", "| source | stability over seeds | inside relevant vs truth |", "|---|---:|---:|"]
        truth = result["truth"]
        for s, v in stability.items():
            lines.append(f"| {s} | {v:.3f} | {truth[s]:.3f} |" if truth else f"| {s} | {v:.3f} | |")
        if truth:
            best = max((v, s) for s, v in truth.items() if s != "consensus")
            verdict = "at least as close as" if truth["consensus"] >= best[0] else "less close than"
            lines += [f"| **consensus** | | **{truth['consensus']:.3f}** |", "",
                      f"The consensus is {verdict} the best single source ({best[1]}, {best[0]:.3f}) to the truth."]
        consensus, rows = keep_table(result)
        lines += ["", f"Keep the top {result['k']} features and retrain a plain MLP (test "
                      f"{'accuracy' if 'classification' in result['name'] or result['name'] == 'breast cancer' else 'R^2'}):",
                  "", f"consensus: {consensus.mean():.4f} +- {consensus.std(ddof=1) if len(consensus) > 1 else 0:.4f}",
                  "", "| source | score | consensus - source | Wilcoxon p |", "|---|---:|---:|---:|"]
        for source, mean, sd, diff, p in sorted(rows, key=lambda r: -r[1]):
            lines.append(f"| {source} | {mean:.4f} +- {sd:.4f} | {diff:+.4f} | {p:.3g} |")
        times = ", ".join(f"{a} {np.mean(t):.2f}" for a, t in result["times"].items())
        lines += ["", f"Mean fit time (process CPU s): {times}.", ""]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run, print only")
    parser.add_argument("--output", default=str(CONSISTENCY_MD))
    args = parser.parse_args()
    started = time.time()
    seeds = range(2) if args.quick else range(10)
    results = []
    for name, task, make in sets(args.quick):
        result = run_set(name, task, make, seeds, args.quick)
        print_result(result)
        results.append(result)
    sequence_seeds = range(1) if args.quick else range(5)
    for name, task, make in (("sequences, synthetic classification", "classification",
                              sequence_datasets.synthetic_classification),
                             ("sequences, synthetic regression", "regression", sequence_datasets.synthetic_regression)):
        if args.quick and task == "regression":
            continue
        result = run_sequence_set(name, task, make, sequence_seeds, args.quick)
        print_sequence_result(result)
        results.append(result)
    if args.quick:
        return
    Path(args.output).write_text(markdown(results, len(seeds), (time.time() - started) / 60))
    print("wrote", args.output)


if __name__ == "__main__":
    main()
