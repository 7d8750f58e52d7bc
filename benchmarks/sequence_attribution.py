"""Channel rankings of the sequence estimators, judged as the DeepACTIF paper
(arXiv 2509.19362) judges them: keep or remove the top channels, retrain, and
compare the test error; with known relevant channels, timing and memory.

    python benchmarks/sequence_attribution.py                    # full run -> docs/sequence.md
    python benchmarks/sequence_attribution.py --quick --out DIR  # a small run (make test)

For every data set and seed (the seed sets the model and the train/test split,
and draws the synthetic sets anew), one LSTM classifier or regressor
(``units=(32,)``, the defaults otherwise) is fitted on the training part. On
that model and the same training rows every ranking method gives one
importance per channel, timed (process CPU time) and with its peak memory
(the rise of the resident set's high-water mark, /proc/self/clear_refs):

- scores: the learned channel scores (read from the fitted model),
- DeepACTIF with the input hook, aggregated by inv, mean and meanstd,
- Integrated Gradients and gradient x input (mean |attribution| per channel),
- Shapley values over channels (each channel one player, all its steps
  together; sampled antithetic permutations), "SHAP" below,
- permutation importance (a channel shuffled between sequences),
- a random ranking, the null beside every number.

Then for 10/20/30/40 % of the channels (at least one) a fresh plain LSTM
(``scores_layer=False``, same seed) is trained on the top channels of each
ranking (keep) and on all but them (remove); test error is 1 - accuracy or
the RMSE. Paired comparisons over seeds x channel counts: Wilcoxon's
signed-rank test (scipy.stats.wilcoxon) and the matched-pairs rank-biserial
correlation. Data: two synthetic sets with known relevant channels (see
benchmarks/sequence_datasets.py) and aeon's bundled BasicMotions and
JapaneseVowels (variable lengths, through ``lengths``); nothing is downloaded.
"""

import argparse
import ctypes
import gc
import itertools
import math
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.stats import wilcoxon
from sklearn.model_selection import train_test_split

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sequence_datasets as data  # noqa: E402
from _report import machine, progress  # noqa: E402

import scoresactivation  # noqa: E402
from scoresactivation import ScoresActivationSequenceClassifier, ScoresActivationSequenceRegressor  # noqa: E402

DOC = Path(__file__).resolve().parents[1] / "docs" / "sequence.md"
FRACTIONS = (0.1, 0.2, 0.3, 0.4)
OURS = ["scores", "DeepACTIF inv", "DeepACTIF mean", "DeepACTIF meanstd"]
SHAP = "Shapley (SHAP)"
METHODS = OURS + ["integrated gradients", "gradient × input", SHAP, "permutation", "random"]
DEEPACTIF = "DeepACTIF inv"


class Config:
    def __init__(self, quick):
        self.quick = quick
        self.seeds = range(2) if quick else range(10)
        self.sets = ["synthetic classification"] if quick else ["synthetic classification", "synthetic regression",
                                                                "BasicMotions", "JapaneseVowels"]
        self.n, self.steps = (240, 16) if quick else (800, 30)
        # The ranked model: more patience, as the frequency channel takes a while to be picked up;
        # the retrained models on a few channels converge sooner.
        self.fit = dict(learning_rate=5e-3, max_epochs=6 if quick else 50, n_iter_no_change=25, refine_epochs=2 if quick else 20)
        self.refit = dict(learning_rate=5e-3, max_epochs=4 if quick else 30, n_iter_no_change=10, scores_layer=False)
        self.rank_rows = 40 if quick else 100  # training rows every ranking is computed on
        self.shapley_permutations = 4 if quick else 16
        self.ig_steps = 16 if quick else 32
        self.permutation_repeats = 2 if quick else 5
        self.exact_shapley_rows = 0 if quick else 10  # exact Shapley timed once on so many rows (seed 0)


# ------------------------------------------------------------------ data
@lru_cache(maxsize=None)
def _real(name):
    return data.aeon_set(name)


def load(name, seed, cfg):
    """Train and test parts (X, y, lengths each) and the task; for the synthetic sets
    also the relevant channels after a random permutation of the channel order."""
    if name.startswith("synthetic"):
        task = "classification" if name.endswith("classification") else "regression"
        make = data.synthetic_classification if task == "classification" else data.synthetic_regression
        X, y, _ = make(seed, n=cfg.n, steps=cfg.steps)
        # The relevant channels land at a different place for every seed: no method can win by position or ties.
        order = np.random.default_rng(10_000 + seed).permutation(X.shape[2])
        X = np.ascontiguousarray(X[:, :, order])
        where = {old: new for new, old in enumerate(order)}
        truth = {"relevant": sorted(where[c] for c in data.RELEVANT),
                 "distractors": {where[c]: where[s] for c, s in data.DISTRACTORS.items()}}
        idx_train, idx_test = train_test_split(np.arange(len(y)), test_size=0.3, random_state=seed,
                                               stratify=y if task == "classification" else None)
        lengths = None
    else:
        task, truth = "classification", None
        X, y, lengths, n_train = _real(name)
        # The official split's sizes, drawn anew (stratified) for every seed.
        idx_train, idx_test = train_test_split(np.arange(len(y)), train_size=n_train, random_state=seed, stratify=y)

    def part(idx):
        return X[idx], y[idx], (None if lengths is None else lengths[idx])

    return task, part(idx_train), part(idx_test), truth


# ---------------------------------------------------------------- models
def model(task, seed, cfg, **params):
    cls = ScoresActivationSequenceClassifier if task == "classification" else ScoresActivationSequenceRegressor
    return cls(units=(32,), architecture="lstm", random_state=seed, n_threads=1, **params)


def test_error(est, task, X, y, lengths):
    pred = est.predict(X, lengths=lengths)
    if task == "classification":
        return float(np.mean(pred != y))
    return float(np.sqrt(np.mean((pred - y) ** 2)))


def null_error(task, y_train, y_test):
    if task == "classification":
        values, counts = np.unique(y_train, return_counts=True)
        return float(np.mean(y_test != values[np.argmax(counts)]))
    return float(np.sqrt(np.mean((y_test - y_train.mean()) ** 2)))


def n_top(fraction, channels):
    return max(1, int(round(fraction * channels)))


# -------------------------------------------------------------- rankings
_LIBC = None


def _status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) * 1024
    raise KeyError(key)


def measured(fn):
    """fn() with its process CPU time and the rise of the peak resident set (bytes;
    NaN where /proc/self/clear_refs is not available)."""
    global _LIBC
    gc.collect()
    try:
        _LIBC = _LIBC or ctypes.CDLL("libc.so.6")
        _LIBC.malloc_trim(0)  # return freed memory first, so that new peaks show
    except OSError:
        pass
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # VmHWM := current RSS
        before = _status("VmRSS:")
    except OSError:
        before = None
    start = time.process_time()
    value = fn()
    seconds = time.process_time() - start
    peak = _status("VmHWM:") - before if before is not None else float("nan")
    return value, seconds, max(peak, 0)


def per_channel(values, channels):
    """Importances as one non-negative-or-signed value per channel (sum over any class axis)."""
    values = np.asarray(values, dtype=float)
    if values.shape != (channels,):
        values = np.abs(values).reshape(channels, -1).sum(axis=1) if values.shape[0] == channels \
            else np.abs(values).reshape(-1, channels).sum(axis=0)
    return values


def ranking_methods(cfg, seed):
    """name -> function(est, X, y, lengths) returning one importance per channel."""
    rng = np.random.default_rng(20_000 + seed)
    shapley = dict(exact=False, n_permutations=cfg.shapley_permutations, random_state=seed)
    methods = {"scores": lambda est, X, y, L: est.global_importance(method="scores")}
    for aggregation in ("inv", "mean", "meanstd"):
        methods[f"DeepACTIF {aggregation}"] = (
            lambda est, X, y, L, a=aggregation: est.global_importance(X, method="deepactif", lengths=L, hook="input",
                                                                      aggregation=a))
    methods["integrated gradients"] = lambda est, X, y, L: est.global_importance(
        X, method="integrated_gradients", lengths=L, n_steps=cfg.ig_steps)
    methods["gradient × input"] = lambda est, X, y, L: est.global_importance(X, method="gradient_times_input",
                                                                              lengths=L)
    methods[SHAP] = lambda est, X, y, L: est.global_importance(X, method="shapley", lengths=L, **shapley)
    methods["permutation"] = lambda est, X, y, L: est.global_importance(
        X, y, method="permutation", lengths=L, n_repeats=cfg.permutation_repeats, random_state=seed)
    methods["random"] = lambda est, X, y, L: rng.permutation(X.shape[2]).astype(float)
    return methods


def order_of(importance, rng):
    """Channels from most to least important; ties broken at random (never by position)."""
    return np.lexsort((rng.random(len(importance)), -np.asarray(importance)))


# ------------------------------------------------------------------ jobs
def set_seed(args):
    """Everything for one (data set, seed)."""
    name, seed, quick = args
    cfg = Config(quick)
    job_start = time.process_time()
    task, (Xtr, ytr, Ltr), (Xte, yte, Lte), truth = load(name, seed, cfg)
    channels = Xtr.shape[2]
    start = time.process_time()
    est = model(task, seed, cfg, **cfg.fit).fit(Xtr, ytr, lengths=Ltr)
    out = {"task": task, "channels": channels, "truth": truth, "fit_time": time.process_time() - start,
           "epochs": est.n_epochs_, "all": test_error(est, task, Xte, yte, Lte), "null": null_error(task, ytr, yte),
           "importance": {}, "time": {}, "memory": {}, "keep": {}, "remove": {}, "n_rank_rows": 0}
    rows = slice(0, min(cfg.rank_rows, len(ytr)))
    Xr, yr, Lr = Xtr[rows], ytr[rows], (None if Ltr is None else Ltr[rows])
    out["n_rank_rows"] = len(yr)
    for method, fn in ranking_methods(cfg, seed).items():
        value, seconds, peak = measured(lambda: fn(est, Xr, yr, Lr))
        out["importance"][method] = per_channel(value, channels)
        out["time"][method], out["memory"][method] = seconds, peak
    if cfg.exact_shapley_rows and seed == 0 and name == "synthetic classification":
        few = slice(0, cfg.exact_shapley_rows)
        _, seconds, peak = measured(lambda: est.global_importance(Xr[few], method="shapley", exact=True))
        out["exact_shapley"] = (seconds, peak, cfg.exact_shapley_rows)
    # Keep and remove, retraining once per distinct channel set.
    cache = {}
    tie = np.random.default_rng(30_000 + seed)

    def retrained(used):
        used = tuple(sorted(int(c) for c in used))
        if used not in cache:
            sub = model(task, seed, cfg, **cfg.refit).fit(np.ascontiguousarray(Xtr[:, :, used]), ytr, lengths=Ltr)
            cache[used] = test_error(sub, task, np.ascontiguousarray(Xte[:, :, used]), yte, Lte)
        return cache[used]

    for method in METHODS:
        order = order_of(out["importance"][method], tie)
        out["keep"][method], out["remove"][method] = {}, {}
        for fraction in FRACTIONS:
            k = n_top(fraction, channels)
            out["keep"][method][k] = retrained(order[:k])
            out["remove"][method][k] = retrained(order[k:])
    out["retrains"] = len(cache)
    out["cpu"] = time.process_time() - job_start
    return name, seed, out


def run(cfg):
    jobs = [(name, seed, cfg.quick) for name in cfg.sets for seed in cfg.seeds]
    # The slow sets first, so that the two workers finish together.
    jobs.sort(key=lambda j: j[0] != "synthetic classification" and j[0] != "synthetic regression")
    results = {name: {} for name in cfg.sets}
    with ProcessPoolExecutor(2) as pool:
        for name, seed, out in progress(pool.map(set_seed, jobs), "sets", total=len(jobs), unit="fit"):
            results[name][seed] = out
            print(f"{name} seed {seed}: all channels {out['all']:.3f} (null {out['null']:.3f}), "
                  f"{out['epochs']} epochs, {out['retrains']} retrains, {out['cpu']:.0f} s CPU", flush=True)
    return {name: [runs[s] for s in sorted(runs)] for name, runs in results.items()}


# ------------------------------------------------------------ statistics
def rank_biserial(a, b):
    """Matched-pairs rank-biserial correlation of a against b: (R+ - R-) / (R+ + R-) over the
    ranks of |b - a| (zero differences dropped); > 0 when a is lower (better) more often / by more."""
    d = np.asarray(b, float) - np.asarray(a, float)
    d = d[d != 0]
    if len(d) == 0:
        return 0.0
    from scipy.stats import rankdata

    r = rankdata(np.abs(d))
    return float((r[d > 0].sum() - r[d < 0].sum()) / r.sum())


def paired(a, b):
    """Wilcoxon signed-rank p (two-sided; zero differences dropped), rank-biserial r, mean b - a, pairs, nonzero."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    nonzero = int(np.sum(a != b))
    if nonzero == 0:
        p = 1.0
    else:
        p = float(wilcoxon(a, b, zero_method="wilcox", alternative="two-sided").pvalue)
    return {"p": p, "r": rank_biserial(a, b), "diff": float(np.mean(b - a)), "n": len(a), "nonzero": nonzero}


def pairs(runs, mode, method):
    """Errors of one method over seeds x distinct channel counts, in a fixed order."""
    ks = sorted(runs[0][mode][method])
    return [r[mode][method][k] for r in runs for k in ks]


def best_of_ours(runs):
    """Ours with the lowest mean keep error (chosen on these very errors: optimistic)."""
    return min(OURS, key=lambda m: (np.mean(pairs(runs, "keep", m)), OURS.index(m)))


# ---------------------------------------------------------------- tables
def fmt(values, digits=3):
    values = np.asarray(values, dtype=float)
    return f"{values.mean():.{digits}f} ± {values.std(ddof=1) if len(values) > 1 else 0:.{digits}f}"


def p_text(test):
    if test["nonzero"] == 0:
        return "identical"
    return f"p = {test['p']:.3g}, r = {test['r']:+.2f}"


def error_table(runs, task):
    ks = sorted(runs[0]["keep"]["random"])
    fractions = {n_top(f, runs[0]["channels"]): f for f in reversed(FRACTIONS)}
    label = "1 − accuracy" if task == "classification" else "RMSE"
    head = [f"keep {k} ({fractions[k]:.0%})" for k in ks] + [f"remove {k}" for k in ks]
    lines = [f"| ranking ({label}) | " + " | ".join(head) + " |", "|---|" + "---:|" * len(head)]
    for method in METHODS:
        cells = [fmt([r["keep"][method][k] for r in runs]) for k in ks]
        cells += [fmt([r["remove"][method][k] for r in runs]) for k in ks]
        bold = "**" if method in OURS else ""
        lines.append(f"| {bold}{method}{bold} | " + " | ".join(cells) + " |")
    everything = fmt([r["all"] for r in runs])
    null = fmt([r["null"] for r in runs])
    lines.append(f"| *all {runs[0]['channels']} channels (the model ranked)* | {everything} |" + " |" * (len(head) - 1))
    null_label = "predict the training majority class" if task == "classification" else "predict the training mean"
    lines.append(f"| *null: {null_label}* | {null} |" + " |" * (len(head) - 1))
    return lines


def tests_table(results):
    names = list(results)
    head = [f"{n}: {mode}" for n in names for mode in ("keep", "remove")]
    lines = ["| comparison (first − second) | " + " | ".join(head) + " |", "|---|" + "---|" * len(head)]

    def row(label, first, second):
        cells = []
        for n in names:
            a = first(results[n]) if callable(first) else first
            for mode in ("keep", "remove"):
                t = paired(pairs(results[n], mode, a), pairs(results[n], mode, second))
                cells.append(f"{-t['diff']:+.3f} ({p_text(t)})")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    row("best of ours vs SHAP", best_of_ours, SHAP)
    for m in OURS:
        row(f"{m} vs SHAP", m, SHAP)
    for other in METHODS:
        if other != DEEPACTIF:
            row(f"{DEEPACTIF} vs {other}", DEEPACTIF, other)
    lines.append("| best of ours (chosen by mean keep error) | "
                 + " | ".join(best_of_ours(results[n]) for n in names for _ in (0, 1)) + " |")
    return lines


def relevant_in_top(importance, truth):
    k = len(truth["relevant"])
    top = set(order_of(importance, np.random.default_rng(0))[:k].tolist())
    return top == set(truth["relevant"]), len(top & set(truth["relevant"]))


def distractor_above(importance, truth):
    """Share of distractors ranked above the relevant channel they echo."""
    d = truth["distractors"]
    return np.mean([importance[c] > importance[s] for c, s in d.items()])


def hits(runs, method):
    return sum(relevant_in_top(r["importance"][method], r["truth"])[0] for r in runs)


def topk_table(results):
    names = [n for n in results if results[n][0]["truth"] is not None]
    head = []
    for n in names:
        head += [f"{n}: top 3 = relevant", "relevant in top 3", "distractor above its source"]
    lines = ["| ranking | " + " | ".join(head) + " |", "|---|" + "---:|" * len(head)]
    for method in METHODS:
        cells = []
        for n in names:
            runs = results[n]
            found = [relevant_in_top(r["importance"][method], r["truth"])[1] for r in runs]
            above = [distractor_above(r["importance"][method], r["truth"]) for r in runs]
            cells += [f"{hits(runs, method)}/{len(runs)}", f"{np.mean(found):.2f} / 3", f"{np.mean(above):.0%}"]
        bold = "**" if method in OURS else ""
        lines.append(f"| {bold}{method}{bold} | " + " | ".join(cells) + " |")
    channels = data.N_CHANNELS
    chance = 1 / math.comb(channels, 3)
    cells = []
    for n in names:
        cells += [f"{chance * len(results[n]):.2f}/{len(results[n])} ({chance:.1%})", f"{3 * 3 / channels:.2f} / 3",
                  "50%"]
    lines.append("| *chance (a random order)* | " + " | ".join(cells) + " |")
    return lines


def cost_table(results):
    names = list(results)
    head = []
    for n in names:
        head += [f"{n}: CPU s", "peak MiB", "SHAP / it", "IG / it"]
    lines = ["| ranking | " + " | ".join(head) + " |", "|---|" + "---:|" * len(head)]
    for method in METHODS:
        cells = []
        for n in names:
            runs = results[n]
            t = np.mean([r["time"][method] for r in runs])
            shap_t = np.mean([r["time"][SHAP] for r in runs])
            ig_t = np.mean([r["time"]["integrated gradients"] for r in runs])
            mem = np.median([r["memory"][method] for r in runs]) / 2 ** 20
            cells += [f"{t:.2g}", f"{mem:.1f}", f"{shap_t / max(t, 1e-9):,.0f}×", f"{ig_t / max(t, 1e-9):,.1f}×"]
        bold = "**" if method in OURS else ""
        lines.append(f"| {bold}{method}{bold} | " + " | ".join(cells) + " |")
    return lines


def ratio(runs, slow, fast):
    return np.mean([r["time"][slow] for r in runs]) / max(np.mean([r["time"][fast] for r in runs]), 1e-9)


def weaker(results):
    """Plain sentences on where a method does worse, from the numbers."""
    notes = []
    for n, runs in results.items():
        for mode in ("keep", "remove"):
            rnd = pairs(runs, mode, "random")
            for m in METHODS[:-1]:
                t = paired(pairs(runs, mode, m), rnd)
                # keep: lower error is better; remove: higher error is better (the removed channels mattered).
                worse = t["diff"] < 0 if mode == "keep" else t["diff"] > 0
                if worse:
                    notes.append(f"{n}, {mode}: {m} does no better than a random ranking "
                                 f"({np.mean(pairs(runs, mode, m)):.3f} vs {np.mean(rnd):.3f}, {p_text(t)})")
        rnd = pairs(runs, "keep", "random")
        if all(paired(pairs(runs, "keep", m), rnd)["p"] >= 0.05 for m in METHODS[:-1]):
            notes.append(f"{n}: no ranking's keep error differs from the random ranking's at p < 0.05 (with "
                         f"{runs[0]['channels']} channels and {len(runs)} seeds this set hardly separates the methods)")
        shap_keep = pairs(runs, "keep", SHAP)
        for m in OURS:
            t = paired(pairs(runs, "keep", m), shap_keep)
            if t["diff"] < 0 and t["p"] < 0.05:
                notes.append(f"{n}, keep: {m} is significantly worse than SHAP "
                             f"({np.mean(pairs(runs, 'keep', m)):.3f} vs {np.mean(shap_keep):.3f}, {p_text(t)})")
        shap_remove = pairs(runs, "remove", SHAP)
        for m in OURS:
            t = paired(pairs(runs, "remove", m), shap_remove)
            if t["diff"] > 0 and t["p"] < 0.05:
                notes.append(f"{n}, remove: removing the top channels of {m} hurts significantly less than removing "
                             f"SHAP's ({np.mean(pairs(runs, 'remove', m)):.3f} vs {np.mean(shap_remove):.3f}, "
                             f"{p_text(t)})")
        if runs[0]["truth"] is not None:
            best = max(hits(runs, m) for m in METHODS)
            for m in OURS:
                if hits(runs, m) < best:
                    notes.append(f"{n}: {m} finds the relevant channels as the top 3 in {hits(runs, m)}/{len(runs)} "
                                 f"seeds, fewer than the best method ({best}/{len(runs)})")
    return notes


def summary(results):
    lines = ["| target | measured | random baseline | met |", "|---|---|---|---|"]

    def row(target, measured, baseline, ok):
        lines.append(f"| {target} | {measured} | {baseline} | {'yes' if ok else '**no**'} |")

    for n, runs in results.items():
        if runs[0]["truth"] is None:
            continue
        chance = len(runs) / math.comb(runs[0]["channels"], 3)
        for m in ("scores", DEEPACTIF):
            h = hits(runs, m)
            row(f"relevant channels are the top 3 in ≥ 9/10 seeds by {m} ({n})", f"{h}/{len(runs)}",
                f"{hits(runs, 'random')}/{len(runs)} (expected {chance:.2f})", h >= 0.9 * len(runs))
    for n, runs in results.items():
        for m in ("scores", DEEPACTIF):
            s, i = ratio(runs, SHAP, m), ratio(runs, "integrated gradients", m)
            row(f"{m} ≥ 100× faster than SHAP over channels ({n})", f"{s:,.0f}×", "—", s >= 100)
            row(f"{m} ≥ 10× faster than IG ({n})", f"{i:,.1f}×", "—", i >= 10)
    for n, runs in results.items():
        best = best_of_ours(runs)
        t = paired(pairs(runs, "keep", best), pairs(runs, "keep", SHAP))
        ok = t["diff"] >= 0 or t["p"] >= 0.05
        row(f"keep-top-k error with our best ranking ({best}) no worse than with SHAP's ({n}; Wilcoxon over "
            f"{t['n']} seed × k pairs)",
            f"{np.mean(pairs(runs, 'keep', best)):.3f} vs {np.mean(pairs(runs, 'keep', SHAP)):.3f} ({p_text(t)})",
            f"{np.mean(pairs(runs, 'keep', 'random')):.3f}", ok)
    return lines


def params_text(params):
    return "`" + ", ".join(f"{k}={v!r}" for k, v in params.items()) + "`"


def markdown(results, cfg, elapsed):
    synthetic = [n for n in results if results[n][0]["truth"] is not None]
    epochs = {n: fmt([r["epochs"] for r in runs], 0) for n, runs in results.items()}
    cpu = sum(r["cpu"] for runs in results.values() for r in runs)
    command = "python benchmarks/sequence_attribution.py" + (" --quick" if cfg.quick else "")
    out = [
        "# Channel rankings for sequences: keep, remove and retrain",
        "",
        f"Produced by `{command}` on {date.today().isoformat()} ({machine()}; scoresactivation "
        f"{scoresactivation.__version__}; every fit and ranking on 1 thread, two processes; the whole run took "
        f"{elapsed / 60:.1f} min of wall time and {cpu / 60:.1f} min of CPU time in the two processes, so about "
        f"{cpu / 120:.0f} min on two otherwise idle cores). Do not edit by hand: rerun the script.",
        "",
        "The evaluation of the DeepACTIF paper (arXiv 2509.19362) on the sequence estimators. For every data set and "
        f"each of {len(cfg.seeds)} seeds (the seed sets the model, the train/test split and, for the synthetic sets, "
        f"the data), one `ScoresActivationSequenceClassifier` / `Regressor` (`units=(32,)`, LSTM, "
        f"{params_text(cfg.fit)}, the defaults otherwise) is fitted on the training part. On **that model and "
        f"the same {results[cfg.sets[0]][0]['n_rank_rows']} training rows** (all of them where there are fewer) "
        "each method ranks the channels:",
        "",
        "- **scores**: the learned channel scores, read from the fitted model;",
        "- **DeepACTIF** inv / mean / meanstd: `global_importance(X, method='deepactif', hook='input', "
        "aggregation=...)`;",
        f"- **integrated gradients** ({cfg.ig_steps} steps, training-mean baseline) and **gradient × input**: mean "
        "|attribution| per channel over the rows, summed over the steps;",
        f"- **Shapley (SHAP)**: Shapley values with each channel one player (all its steps together), "
        f"{cfg.shapley_permutations} sampled antithetic permutations per row, absent channels at the training mean; "
        "the core's explainer, the same quantity shap's permutation explainer would estimate with channels as the "
        "players (and faster than shap's Python loop, so the speed ratios below are conservative);",
        f"- **permutation**: the rise of the model's loss when a channel is shuffled between the sequences "
        f"({cfg.permutation_repeats} repeats);",
        "- **random**: a random order, the null baseline beside every figure.",
        "",
        "For the classifiers the gradient methods and the Shapley values explain every class's logit and average "
        "|attribution| over the classes too (`global_importance`'s default, `target=None`), so their cost grows with "
        "the number of classes (4 and 9 here); DeepACTIF, permutation importance and the scores do not depend on it.",
        "",
        "Ties are broken at random, and the synthetic sets' channels are shuffled for every seed, so no method gains "
        "from the channel order. Then, for 10/20/30/40 % of the channels (rounded, at least one), a fresh plain LSTM "
        f"({params_text(cfg.refit)}, the same seed) is trained on each ranking's top channels (**keep**: "
        "lower error is better) and on all the others (**remove**: higher error is better, the removed channels "
        "mattered). Test error is 1 − accuracy (classification) or the RMSE (regression) on the held-out part, mean "
        "± sd over the seeds. Where two rankings pick the same channels the retrained model is the same one.",
        "",
        "Data (`benchmarks/sequence_datasets.py`): two synthetic sets of "
        f"{cfg.n} sequences × {cfg.steps} steps × 10 channels (70 % to fit) with known relevant channels — a "
        "**frequency** channel and a **slope** channel that carry their information only in a temporal pattern "
        "(zero mean shift, same variance), a **window** channel whose information lies only inside steps "
        "[0.55 T, 0.8 T) — and **correlated distractors**: two channels correlated 0.7 with the frequency and the "
        "window channel at every step that do not cause y; the rest are nuisances (a random offset, a sine of random "
        "frequency, a random trend, AR(1) noise). Classification: y = b0 + b1 + b2, one bit per relevant channel "
        "(4 classes); regression: y = u0 + u1 + u2 + noise. Real sets: aeon's bundled **BasicMotions** "
        "(80 sequences, 100 steps, 6 channels, 4 classes) and **JapaneseVowels** (640 sequences of 7–29 steps, 12 "
        "channels, 9 classes; zero-padded and passed with `lengths`), read from the files aeon ships (network use "
        "refused); each seed draws a stratified split of the official sizes (40/40 and 270/370).",
        "",
        f"Epochs run by the ranked models (at most max_epochs + refine_epochs = "
        f"{cfg.fit['max_epochs'] + cfg.fit['refine_epochs']}; early stopping may end the first phase sooner): "
        + "; ".join(f"{n} {e}" for n, e in epochs.items()) + ".",
        "",
        "## Summary: the issue's targets",
        "",
        *summary(results),
        "",
        "Where a method is weaker (from the numbers below; keep: a higher error than the random ranking's, remove: a "
        "lower one; ours against SHAP at p < 0.05; top-3 hits below the best method's):",
        "",
        *([f"- {note}." for note in weaker(results)] or ["- nowhere."]),
        "",
    ]
    if synthetic:
        out += [
            "## Are the relevant channels the top 3? (synthetic sets)",
            "",
            "'top 3 = relevant': seeds in which the three highest-ranked channels are exactly the frequency, slope "
            "and window channels; 'relevant in top 3': how many of them are among the top 3 on average; 'distractor "
            "above its source': how often a correlated distractor outranks the relevant channel it echoes. The "
            "chance row is a random order's expectation.",
            "",
            *topk_table({n: results[n] for n in synthetic}),
            "",
        ]
    for n, runs in results.items():
        out += [
            f"## Keep and remove: {n}",
            "",
            *error_table(runs, runs[0]["task"]),
            "",
        ]
    out += [
        "## Paired tests",
        "",
        "Wilcoxon signed-rank test (two-sided, zero differences dropped; 'identical' when both rankings always "
        "picked the same channels) over the pairs seed × distinct channel count of each set; the first figure is "
        "the mean error with the first ranking minus that with the second (negative: the first is better for keep, "
        "worse for remove), r the matched-pairs rank-biserial correlation (r > 0: the first ranking gives the lower "
        "error more often or by more; so r > 0 is good for keep, bad for remove). 'best of ours' is the one of scores and the three DeepACTIF "
        "aggregations with the lowest mean keep error on that set, chosen on these very errors (so its test is "
        "optimistic for us); the rows below it give each of ours unselected. With 10 seeds and 2–4 channel counts "
        "the pairs are not independent across the counts of one seed, so read the p-values as a guide.",
        "",
        *tests_table(results),
        "",
        "## Cost of each ranking",
        "",
        "Process CPU time (mean over the seeds, 1 thread) and peak memory (median rise of the resident set's "
        "high-water mark during the call; 0 means it fit in memory the process already held) of computing each "
        "ranking on the same model and rows; 'SHAP / it' and 'IG / it' are the time ratios. The scores cost a read "
        "of the fitted model.",
        "",
        *cost_table(results),
        "",
    ]
    exact = [r["exact_shapley"] for n in results for r in results[n] if "exact_shapley" in r]
    if exact:
        seconds, peak, few = exact[0]
        first = results["synthetic classification"][0]
        per_row = seconds / few * first["n_rank_rows"]
        out += [f"For scale: exact Shapley values over the 10 channels (all 1024 coalitions, every class) took "
                f"{seconds:.1f} s for {few} of the rows of seed 0 of the synthetic classification set (peak "
                f"{peak / 2 ** 20:.1f} MiB), about {per_row:.0f} s for all {first['n_rank_rows']} rows: "
                f"{per_row / max(first['time'][DEEPACTIF], 1e-9):,.0f}× DeepACTIF's time and "
                f"{per_row / max(first['time'][SHAP], 1e-9):.0f}× the sampled Shapley values' on that model.", ""]
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run: one synthetic set, 2 seeds, tiny sizes")
    parser.add_argument("--out", type=Path, default=None, help="directory for sequence.md (default docs/; "
                        "with --quick a directory must be given, so that docs/ is never overwritten)")
    args = parser.parse_args()
    if args.quick and args.out is None:
        parser.error("--quick writes a small run: give --out DIR (not docs/)")
    out_dir = args.out or DOC.parent
    cfg = Config(args.quick)
    start = time.time()
    results = run(cfg)
    text = markdown(results, cfg, time.time() - start)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / DOC.name
    path.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {path} ({(time.time() - start) / 60:.1f} min)")


if __name__ == "__main__":
    main()
