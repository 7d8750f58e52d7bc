"""Do the learned scores rank features like SHAP does, on the same fitted model?

For eight data sets (four synthetic ones with known relevant columns 0-4 and
four of scikit-learn's built-in sets) and several seeds: fit the default
estimator, compute SHAP values of that same fitted model with shap's
PermutationExplainer, and sklearn's permutation importance as a third
opinion; compare the three rankings with each other, with the ground truth
where it is known, and across seeds; time everything.

    python benchmarks/shap_comparison.py            # 10 seeds, writes docs/shap-comparison.md and docs/images/
    python benchmarks/shap_comparison.py --quick    # tiny sizes (~1 min), writes to a temporary folder
    python benchmarks/shap_comparison.py --quick --out DIR

Every fit, prediction and explanation runs on one thread.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import datetime  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine  # noqa: E402
from sklearn.inspection import permutation_importance  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import datasets  # noqa: E402
from _report import machine, progress  # noqa: E402

from scoresactivation import ScoresActivationClassifier, ScoresActivationRegressor  # noqa: E402
from scoresactivation.metrics import kendall_tau, ranking_stability, spearman, top_k_precision  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
THREADS = 1


# ------------------------------------------------------------------ settings
@dataclass
class Settings:
    seeds: list
    synthetic_rows: int  # rows generated for each synthetic set (75 % train / 25 % test)
    explain_rows: int  # rows of the test set explained by SHAP (at most)
    explain_rows_wide: int  # the same for data sets with more than 32 features (digits)
    background_rows: int  # rows sampled from the training set as SHAP's background
    pairs: int  # antithetic pairs of feature orders per explained row: max_evals = pairs * (2d + 1)
    pairs_wide: int
    check_pairs: int  # the convergence check's budget (on seed 0 of CHECK_KEYS)
    permutation_repeats: int
    overhead_epochs: int  # fixed-epoch fits that measure what the scores layer costs
    overhead_repeats: int
    label: str = "full"


FULL = Settings(seeds=list(range(10)), synthetic_rows=2000, explain_rows=500, explain_rows_wide=200,
                background_rows=100, pairs=4, pairs_wide=2, check_pairs=16, permutation_repeats=5,
                overhead_epochs=30, overhead_repeats=5)
QUICK = Settings(seeds=[0, 1], synthetic_rows=400, explain_rows=20, explain_rows_wide=8, background_rows=20,
                 pairs=2, pairs_wide=2, check_pairs=4, permutation_repeats=2, overhead_epochs=3, overhead_repeats=1,
                 label="quick")


def effective_max_evals(settings, d, pairs=None):
    """PermutationExplainer spends 2d + 1 model evaluations (times the background rows) on each
    antithetic pair of feature orders."""
    if pairs is None:
        pairs = settings.pairs_wide if d > 32 else settings.pairs
    return pairs * (2 * d + 1)


# ------------------------------------------------------------------ data sets
@dataclass
class DataSet:
    key: str
    label: str
    task: str
    X: np.ndarray
    y: np.ndarray
    names: list
    relevant: object = None  # indices of the truly relevant columns, when known

    @property
    def estimator(self):
        return ScoresActivationClassifier if self.task == "classification" else ScoresActivationRegressor


def load_datasets(settings):
    out = []
    keys = {
        "classification 10 (5 informative)": "classification-10",
        "classification 16 (5 informative + 11 noise)": "classification-16",
        "Friedman #1 (5 relevant of 10)": "friedman1",
        "interaction (5 relevant of 10)": "interaction",
    }
    for label, (task, make) in datasets.SYNTHETIC.items():
        X, y = make(0, n_samples=settings.synthetic_rows)  # one fixed data set; seeds vary split and model
        names = [f"x{j}" for j in range(X.shape[1])]
        out.append(DataSet(keys[label], label, task, X, y, names, sorted(datasets.RELEVANT)))
    for key, label, task, loader in [
        ("breast-cancer", "breast cancer (sklearn)", "classification", load_breast_cancer),
        ("wine", "wine (sklearn, 3 classes)", "classification", load_wine),
        ("diabetes", "diabetes (sklearn, regression)", "regression", load_diabetes),
        ("digits", "digits (sklearn, 8x8 pixels, 10 classes)", "classification", load_digits),
    ]:
        bunch = loader()
        out.append(DataSet(key, label, task, np.asarray(bunch.data, dtype=float), np.asarray(bunch.target),
                           [str(n) for n in bunch.feature_names]))
    return out


# ------------------------------------------------------------------ one seed
@dataclass
class SeedResult:
    scores: np.ndarray
    shap: np.ndarray
    permutation: np.ndarray
    test_score: float
    plain_test_score: float
    fit_seconds: float
    plain_fit_seconds: float
    shap_seconds: float
    permutation_seconds: float
    epochs: int
    explained: int
    history: np.ndarray = field(repr=False, default=None)
    check: tuple = None


def mean_abs_shap(values):
    values = np.abs(np.asarray(values))
    return values.mean(axis=(0, 2)) if values.ndim == 3 else values.mean(axis=0)


def shap_importance(est, X_train, X_explain, task, settings, seed, pairs=None, explainer_seed=None):
    """Mean |SHAP| per feature of predict_proba (averaged over classes) or predict,
    with shap's PermutationExplainer over a background sampled from the training rows."""
    import pandas as pd
    import shap

    rng = np.random.default_rng(seed)
    background = X_train[rng.choice(len(X_train), min(settings.background_rows, len(X_train)), replace=False)]
    masker = shap.maskers.Independent(background, max_samples=len(background))
    names = list(est.feature_names_in_) if hasattr(est, "feature_names_in_") else None
    method = est.predict_proba if task == "classification" else est.predict

    def model(rows):  # shap passes plain arrays: give them back the column names
        return method(rows if names is None else pd.DataFrame(rows, columns=names))

    explainer = shap.PermutationExplainer(model, masker, seed=seed if explainer_seed is None else explainer_seed)
    start = time.perf_counter()
    explanation = explainer(X_explain, max_evals=effective_max_evals(settings, X_explain.shape[1], pairs),
                            silent=True)
    seconds = time.perf_counter() - start
    return mean_abs_shap(explanation.values), seconds


def run_seed(ds, seed, settings):
    import pandas as pd

    stratify = ds.y if ds.task == "classification" else None
    frame = pd.DataFrame(ds.X, columns=ds.names)
    X_train, X_test, y_train, y_test = train_test_split(frame, ds.y, test_size=0.25, random_state=seed,
                                                        stratify=stratify)
    Estimator = ds.estimator
    start = time.perf_counter()
    est = Estimator(random_state=seed, n_threads=THREADS).fit(X_train, y_train)
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    plain = Estimator(random_state=seed, n_threads=THREADS, scores_layer=False).fit(X_train, y_train)
    plain_seconds = time.perf_counter() - start

    rows = settings.explain_rows_wide if ds.X.shape[1] > 32 else settings.explain_rows
    X_explain = X_test.to_numpy()[:rows]
    shap_values, shap_seconds = shap_importance(est, X_train.to_numpy(), X_explain, ds.task, settings, seed)
    check = None
    if seed == settings.seeds[0] and ds.key in CHECK_KEYS:
        # the same rows and background with a 4x larger budget: is mean |SHAP| converged?
        reference, _ = shap_importance(est, X_train.to_numpy(), X_explain, ds.task, settings, seed,
                                       pairs=settings.check_pairs, explainer_seed=seed + 1000)
        check = (spearman(shap_values, reference),
                 float(np.max(np.abs(shap_values - reference)) / reference.max()))

    start = time.perf_counter()
    perm = permutation_importance(est, X_test, y_test, n_repeats=settings.permutation_repeats,
                                  random_state=seed, n_jobs=1)
    perm_seconds = time.perf_counter() - start
    return SeedResult(scores=est.scores(), shap=shap_values, permutation=perm.importances_mean,
                      test_score=est.score(X_test, y_test), plain_test_score=plain.score(X_test, y_test),
                      fit_seconds=fit_seconds, plain_fit_seconds=plain_seconds, shap_seconds=shap_seconds,
                      permutation_seconds=perm_seconds, epochs=est.n_epochs_, explained=len(X_explain),
                      history=est.scores_history_, check=check), est


def seconds_per_epoch_with_and_without_layer(estimator, X_train, y_train, epochs, repeats):
    """Seconds per epoch of the same network with and without the layer: fixed
    epochs, no early stopping, fits alternating, best of `repeats` after one
    untimed fit of each."""
    models = {layer: estimator(random_state=0, n_threads=THREADS, scores_layer=layer, early_stopping=False,
                               max_epochs=epochs) for layer in (True, False)}
    best = {True: np.inf, False: np.inf}
    for repeat in range(repeats + 1):
        for layer, est in models.items():
            start = time.perf_counter()
            est.fit(X_train, y_train)
            if repeat:
                best[layer] = min(best[layer], time.perf_counter() - start)
    return best[True] / epochs, best[False] / epochs


def scores_overhead(ds, settings):
    """Seconds per epoch that the ScoresActivation layer adds: the same network
    trained for a fixed number of epochs (no early stopping) with and without
    the layer, alternating, best of several repeats (after one untimed fit of
    each), on the training rows of seed 0."""
    X_train, _, y_train, _ = train_test_split(ds.X, ds.y, test_size=0.25, random_state=0)
    return seconds_per_epoch_with_and_without_layer(ds.estimator, X_train, y_train, settings.overhead_epochs,
                                                    settings.overhead_repeats)


def warm_up_shap():
    """The first PermutationExplainer call compiles numba code: keep that out of the timings."""
    import shap

    X = np.random.default_rng(0).normal(size=(40, 3))
    reg = ScoresActivationRegressor(random_state=0, n_threads=THREADS, max_epochs=2).fit(X, X[:, 0])
    clf = ScoresActivationClassifier(random_state=0, n_threads=THREADS, max_epochs=2).fit(X, X[:, 0] > 0)
    for model in (reg.predict, clf.predict_proba):
        shap.PermutationExplainer(model, shap.maskers.Independent(X[:5]), seed=0)(X[:2], max_evals=14, silent=True)


# ------------------------------------------------------------------ summaries
def ranks(values):
    """1 = most important; ties get the average rank."""
    from scipy.stats import rankdata

    return rankdata(-np.asarray(values), method="average")


def normalise(v):
    v = np.asarray(v, dtype=float)
    total = v.sum()
    return v / total if total > 0 else v


def mean_sd(values, digits=2):
    values = np.asarray(values, dtype=float)
    return f"{values.mean():.{digits}f} ± {values.std():.{digits}f}"


def summarise(ds, results, overhead):
    d = ds.X.shape[1]
    S = np.array([r.scores for r in results])
    H = np.array([r.shap for r in results])
    P = np.array([r.permutation for r in results])
    s = dict(
        rho_sh=[spearman(a, b) for a, b in zip(S, H)],
        tau_sh=[kendall_tau(a, b) for a, b in zip(S, H)],
        rho_sp=[spearman(a, b) for a, b in zip(S, P)],
        rho_hp=[spearman(a, b) for a, b in zip(H, P)],
        top5_overlap=[top_k_precision(a, np.argsort(-b, kind="stable")[:5], 5) for a, b in zip(S, H)],
        stab_s=ranking_stability(S) if len(S) > 1 else np.nan,
        stab_h=ranking_stability(H) if len(H) > 1 else np.nan,
        stab_p=ranking_stability(P) if len(P) > 1 else np.nan,
        test=[r.test_score for r in results], plain_test=[r.plain_test_score for r in results],
        fit=[r.fit_seconds for r in results], plain_fit=[r.plain_fit_seconds for r in results],
        shap_t=[r.shap_seconds for r in results], perm_t=[r.permutation_seconds for r in results],
        epochs=[r.epochs for r in results], explained=results[0].explained,
        check=results[0].check, S=S, H=H, P=P, d=d, n=len(ds.X),
    )
    per_epoch_with, per_epoch_without = overhead
    s["epoch_with"], s["epoch_without"] = per_epoch_with, per_epoch_without
    s["extra"] = (per_epoch_with - per_epoch_without) * np.mean(s["epochs"])
    if ds.relevant is not None:
        rel = np.zeros(d)
        rel[ds.relevant] = 1
        k = len(ds.relevant)
        s["relevance_max"] = spearman(rel + np.linspace(0, 0.5, d), rel)  # all relevant ranked above all noise
        for name, M in (("s", S), ("h", H), ("p", P)):
            s[f"gt_rho_{name}"] = [spearman(v, rel) for v in M]
            s[f"gt_topk_{name}"] = [top_k_precision(v, ds.relevant, k) for v in M]
        s["rho_sh_relevant"] = [spearman(a[ds.relevant], b[ds.relevant]) for a, b in zip(S, H)]
    return s


def disagreements(ds, summary, n=3):
    """Features whose mean rank differs most between the scores and SHAP, with
    each feature's most correlated partner (correlated inputs share credit differently)."""
    rank_s = ranks(summary["S"].mean(axis=0))
    rank_h = ranks(normalise_rows(summary["H"]).mean(axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.corrcoef(ds.X, rowvar=False)
    corr = np.nan_to_num(corr)
    np.fill_diagonal(corr, 0)
    order = np.argsort(-np.abs(rank_s - rank_h), kind="stable")[:n]
    rows = []
    for j in order:
        partner = int(np.argmax(np.abs(corr[j])))
        rows.append((ds.names[j], rank_s[j], rank_h[j], ds.names[partner], corr[j, partner], rank_s[partner],
                     rank_h[partner]))
    return rows


def relevant_order(ds, M):
    mean = np.asarray(M).mean(axis=0)
    return sorted(ds.relevant, key=lambda j: -mean[j])


def normalise_rows(M):
    M = np.asarray(M, dtype=float)
    totals = M.sum(axis=1, keepdims=True)
    return np.divide(M, totals, out=np.zeros_like(M), where=totals > 0)


# ------------------------------------------------------------------ plots
def plot_bars(ds, summary, path):
    import matplotlib.pyplot as plt

    S, H = summary["S"], normalise_rows(summary["H"])
    order = np.argsort(-S.mean(axis=0), kind="stable")
    d = len(order)
    fig, ax = plt.subplots(figsize=(7, 1.2 + 0.26 * d))
    y = np.arange(d)
    ax.barh(y - 0.2, S.mean(axis=0)[order], 0.4, xerr=S.std(axis=0)[order], label="ScoresActivation scores",
            color="tab:blue", error_kw=dict(lw=0.8))
    ax.barh(y + 0.2, H.mean(axis=0)[order], 0.4, xerr=H.std(axis=0)[order],
            label="mean |SHAP| (normalised to sum 1)", color="tab:orange", error_kw=dict(lw=0.8))
    labels = [ds.names[j] + (" *" if ds.relevant is not None and j in ds.relevant else "") for j in order]
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("importance (share of the total), mean ± sd over seeds")
    title = ds.label + (" — * = truly relevant" if ds.relevant is not None else "")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def plot_rank_scatter(data, summaries, path):
    import matplotlib.pyplot as plt

    n = len(data)
    cols = 4
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(3.1 * cols, 3.1 * rows))
    for ax, ds in zip(np.ravel(axes), data):
        s = summaries[ds.key]
        rs = ranks(s["S"].mean(axis=0))
        rh = ranks(normalise_rows(s["H"]).mean(axis=0))
        colour = np.array(["tab:gray"] * len(rs), dtype=object)
        if ds.relevant is not None:
            colour[ds.relevant] = "tab:red"
        ax.scatter(rs, rh, c=list(colour), s=14)
        ax.plot([1, len(rs)], [1, len(rs)], color="black", lw=0.6, ls="--")
        ax.set_title(f"{ds.key}: ρ = {np.mean(s['rho_sh']):.2f}", fontsize=9)
        ax.set_xlabel("rank by scores", fontsize=8)
        ax.set_ylabel("rank by mean |SHAP|", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in np.ravel(axes)[n:]:
        ax.axis("off")
    fig.suptitle("Rank by the scores vs rank by mean |SHAP| (means over seeds; red: truly relevant)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def plot_histories(items, path):
    import matplotlib.pyplot as plt

    from scoresactivation import plot_history

    fig, axes = plt.subplots(1, len(items), figsize=(6.2 * len(items), 3.8))
    for ax, (ds, est) in zip(np.atleast_1d(axes), items):
        plot_history(est, ax=ax, top=8)
        ax.set_title(f"{ds.label}, seed 0 (top 8; best epoch {est.best_epoch_})", fontsize=9)
        ax.axhline(1 / ds.X.shape[1], color="black", lw=0.6, ls=":")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


# ------------------------------------------------------------------ report
def fmt_ratio(x):
    return f"{x:,.0f}×" if x >= 10 else f"{x:.1f}×"


def markdown(data, summaries, disagree, settings, command, total_seconds, facts):
    today = datetime.date.today().isoformat()
    n_seeds = len(settings.seeds)
    L = []
    add = L.append
    add("# The learned scores beside SHAP")
    add("")
    add(f"Produced by `{command}` on {today} ({machine()}; every fit, prediction and explanation on "
        f"{THREADS} thread; the whole run took {total_seconds / 60:.1f} min). Do not edit by hand: rerun the script.")
    add("")
    add("For each data set and each of " f"{n_seeds} seeds (seed = train/test split and model initialisation), "
        "the default estimator (`ScoresActivationClassifier` / `ScoresActivationRegressor`, "
        "hidden layers (64, 32), early stopping) is fitted on 75 % of the rows. On **that same fitted model** we "
        "compute")
    add("")
    add("- the **scores**: `est.scores()`, free with the fit;")
    add("- **mean |SHAP|**: shap's `PermutationExplainer` on `predict_proba` (classification, mean |SHAP| "
        "averaged over the classes) or `predict` (regression), explaining test rows against a background of "
        "training rows;")
    add("- **permutation importance**: `sklearn.inspection.permutation_importance` on the test rows (accuracy "
        f"or R², {settings.permutation_repeats} repeats), a third opinion.")
    add("")
    add("The synthetic sets are generated once (data seed 0, "
        f"{settings.synthetic_rows} rows; columns 0-4 are the relevant ones, the rest pure noise); the "
        "scikit-learn sets are used whole. Nothing is downloaded.")
    add("")
    add("**Why PermutationExplainer.** It is what `shap.Explainer` picks for a black-box model with more than "
        "10 features, it is exact in the limit and every antithetic pair of feature orders already satisfies "
        "local accuracy (the values sum to f(x) − E f(background)), and its cost is a plain, predictable "
        "`max_evals × background` model rows per explained row. KernelExplainer needs more model "
        "evaluations for the same accuracy plus a weighted regression per row "
        "(its cost is measured in [paper-reproduction.md](paper-reproduction.md)).")
    add("")
    smaller = [f"{ds.key} {summaries[ds.key]['explained']}" for ds in data
               if summaries[ds.key]["explained"] < (settings.explain_rows_wide if ds.X.shape[1] > 32
                                                    else settings.explain_rows)]
    add("**SHAP settings** (sized so that the full run fits in about 20 minutes on 2 cores): "
        f"background = {settings.background_rows} training rows sampled at random "
        "(`shap.maskers.Independent`); "
        f"{settings.pairs} antithetic pairs of feature orders per explained row "
        f"(`max_evals` = {settings.pairs} × (2d + 1): {effective_max_evals(settings, 10)} for 10 features, "
        f"{effective_max_evals(settings, 30)} for 30) and {settings.pairs_wide} pairs for digits' 64 features "
        f"(`max_evals` = {effective_max_evals(settings, 64)}); explained rows: the first "
        f"{settings.explain_rows} test rows ({settings.explain_rows_wide} for digits)"
        + (f", or the whole test set where it is smaller ({', '.join(smaller)})" if smaller else "") + ". "
        "Each explained row thus costs `max_evals × background` model rows.")
    add("")
    checks = [(ds.label, summaries[ds.key]["check"]) for ds in data if summaries[ds.key].get("check")]
    if checks:
        add("**Is that budget enough?** The global importance is a mean over many rows, so per-row noise "
            "averages out. Check, on seed 0, with the same rows and background and "
            f"{settings.check_pairs} pairs instead: " + "; ".join(
                f"{label}: Spearman {rho:.3f} with the larger budget, largest difference "
                f"{100 * err:.1f} % of the top importance" for label, (rho, err) in checks) + ".")
        add("")

    # ---- agreement table
    add("## Agreement: scores vs SHAP vs permutation importance")
    add("")
    add(f"Mean ± sd over {n_seeds} seeds of rank correlations between the importance vectors of the same fitted "
        "model (all features). 'top-5 overlap': share of SHAP's five most important features that are among "
        "the scores' five. Test score: accuracy (R² for regression) with the layer, and of the same network "
        "without it (`scores_layer=False`).")
    add("")
    add("| data | rows × features | test score | without layer | Spearman scores–SHAP | Kendall scores–SHAP | "
        "top-5 overlap | Spearman scores–perm. | Spearman SHAP–perm. |")
    add("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for ds in data:
        s = summaries[ds.key]
        add(f"| {ds.label} | {s['n']} × {s['d']} | {mean_sd(s['test'], 3)} | {mean_sd(s['plain_test'], 3)} | "
            f"**{mean_sd(s['rho_sh'])}** | {mean_sd(s['tau_sh'])} | {np.mean(s['top5_overlap']):.2f} | "
            f"{mean_sd(s['rho_sp'])} | {mean_sd(s['rho_hp'])} |")
    add("")
    worse = [ds for ds in data if np.mean(summaries[ds.key]["test"]) < np.mean(summaries[ds.key]["plain_test"])]
    if worse:
        add("The layer does not always pay in accuracy: on " + ", ".join(
            f"{ds.key} ({np.mean(summaries[ds.key]['test']):.3f} vs {np.mean(summaries[ds.key]['plain_test']):.3f})"
            for ds in worse) + " the same network without it scores higher. These sets have no pure-noise "
            "columns for the gate to switch off.")
        add("")
    add("![rank vs rank](images/shap-rank-scatter.png)")
    add("")

    # ---- ground truth
    synth = [ds for ds in data if ds.relevant is not None]
    if synth:
        add("## Against the ground truth (synthetic sets)")
        add("")
        max_rho = summaries[synth[0].key]["relevance_max"]
        add("Top-5 precision: share of the five highest-ranked features that are truly relevant (columns 0-4). "
            "Spearman with the 0/1 relevance vector: with 5 tied relevant and 5 tied noise columns, importances "
            f"with distinct values that put all relevant columns first get {max_rho:.2f} for 10 features"
            + (f" and {summaries['classification-16']['relevance_max']:.2f} for 16" if "classification-16" in summaries
               else "") + " (only importances tied within each group reach 1). The last column is the "
            "Spearman correlation of the scores and SHAP **among the five relevant columns only**: the "
            "order inside the relevant set ([ranking-fidelity.md](ranking-fidelity.md) measures it against the "
            "truth).")
        add("")
        add("| data | top-5 precision: scores | SHAP | perm. | Spearman with truth: scores | SHAP | perm. | "
            "scores–SHAP within the relevant 5 |")
        add("|---|---:|---:|---:|---:|---:|---:|---:|")
        for ds in synth:
            s = summaries[ds.key]
            add(f"| {ds.label} | {np.mean(s['gt_topk_s']):.2f} | {np.mean(s['gt_topk_h']):.2f} | "
                f"{np.mean(s['gt_topk_p']):.2f} | {mean_sd(s['gt_rho_s'])} | {mean_sd(s['gt_rho_h'])} | "
                f"{mean_sd(s['gt_rho_p'])} | {mean_sd(s['rho_sh_relevant'])} |")
        add("")

    # ---- stability
    add("## Stability over seeds")
    add("")
    add(f"Mean pairwise Spearman correlation of the importance vectors over the {n_seeds} seeds "
        "(`scoresactivation.metrics.ranking_stability`); each seed changes the split and the model's "
        "initialisation, so this is the stability of the whole pipeline, and for SHAP and permutation "
        "importance it also includes their own sampling noise. On the synthetic sets it includes the "
        "(meaningless) order among the noise columns.")
    add("")
    add("| data | scores | mean \\|SHAP\\| | permutation importance |")
    add("|---|---:|---:|---:|")
    for ds in data:
        s = summaries[ds.key]
        add(f"| {ds.label} | {s['stab_s']:.2f} | {s['stab_h']:.2f} | {s['stab_p']:.2f} |")
    add("")

    # ---- timing
    add("## Time")
    add("")
    add("Seconds, mean over seeds, one thread. **fit**: the default fit with early stopping (the scores come "
        "with it). **scores' own cost**: the extra time of the ScoresActivation layer inside that fit, "
        f"measured as (time per epoch with the layer − time per epoch without it) × the fit's epochs, "
        f"where the per-epoch times come from {settings.overhead_epochs}-epoch fits without early stopping "
        f"(best of {settings.overhead_repeats}) on the same rows (small, and noisy: it can come out "
        "negative). **SHAP**: the PermutationExplainer call with the settings above. "
        "**SHAP / fit** is the paper's comparison (time to rank with SHAP after training vs the time to "
        "train the self-ranking model); **SHAP / scores' cost** compares the extra work only.")
    add("")
    add("| data | epochs | fit (s) | fit without layer (s) | scores' own cost (s) | SHAP rows × max_evals | "
        "SHAP (s) | permutation (s) | SHAP / fit | SHAP / scores' cost |")
    add("|---|---:|---:|---:|---:|---|---:|---:|---:|---:|")
    for ds in data:
        s = summaries[ds.key]
        fit = np.mean(s["fit"])
        shap_t = np.mean(s["shap_t"])
        extra = s["extra"]
        ratio_extra = fmt_ratio(shap_t / extra) if extra > 0 else "n/a (≤ 0)"
        add(f"| {ds.label} | {np.mean(s['epochs']):.0f} | {fit:.3f} | {np.mean(s['plain_fit']):.3f} | "
            f"{extra:+.4f} | {s['explained']} × {effective_max_evals(settings, s['d'])} | {shap_t:.1f} | "
            f"{np.mean(s['perm_t']):.2f} | {fmt_ratio(shap_t / fit)} | {ratio_extra} |")
    add("")
    add("Permutation importance here scores the drop in accuracy (R²) on the test rows: on small test "
        "sets accuracy moves in steps of 1/n, and permuting one of several correlated features barely "
        "changes it, so it is the noisiest of the three on breast cancer and wine.")
    add("")
    shares = [summaries[ds.key]["extra"] / np.mean(summaries[ds.key]["fit"]) for ds in data]
    add(f"The layer's own cost is {100 * min(shares):.0f} % to {100 * max(shares):.0f} % of the fit time. "
        "The machine (2 cores) was shared with other jobs during the run, which inflates all absolute times; "
        "the ratios compare timings of the same run.")
    add("")
    add("The fit without the layer often runs more epochs before early stopping ends it, so its total "
        "time is not the cost of the scores; the fixed-epoch comparison is.")
    add("")

    # ---- where they disagree
    add("## Where the scores and SHAP disagree, and why")
    add("")
    add("The two measure different things, on the same model:")
    add("")
    add("- The **score** `w_i` is feature i's share of a fixed signal-to-noise budget on the standardised "
        "inputs (the default `gate='snr'`, [method.md](method.md)): the share that, during training, lowered "
        "the loss most. It is one number per feature for the whole input distribution: what the feature's "
        "signal is worth to the fit, not how much of the output's variation it causes.")
    add("- **mean |SHAP|** measures how much the *output* of this model moves when feature i is replaced by "
        "background values, averaged over rows: it grows with the feature's spread in the data and the "
        "steepness of the function along it, and for classification it is measured in probability, where "
        "saturated rows (p ≈ 0 or 1) contribute little.")
    add("")
    synth = [ds for ds in data if ds.relevant is not None]
    if synth:
        top_s = np.mean([np.mean(summaries[ds.key]["gt_topk_s"]) for ds in synth])
        top_h = np.mean([np.mean(summaries[ds.key]["gt_topk_h"]) for ds in synth])
        within = {ds.key: np.mean(summaries[ds.key]["rho_sh_relevant"]) for ds in synth}
        add(f"On the synthetic sets, averaged over sets and seeds, {5 * top_s:.2f} of the scores' top 5 are "
            f"truly relevant columns ({5 * top_h:.2f} of SHAP's): the two mostly agree on *which* features "
            "matter when the relevant features are clearly separated from the rest. They can disagree on the "
            "*order*:")
        add("")
        linear = {"friedman1": ("x3", "x4"), "interaction": ("x4",)}  # 10·x3 + 5·x4; 0.5·x4
        notes = []
        for ds in synth:
            if ds.key in linear:
                rs = ranks(summaries[ds.key]["S"].mean(axis=0))
                rh = ranks(normalise_rows(summaries[ds.key]["H"]).mean(axis=0))
                notes += [f"{name} of {ds.key}: rank {rs[ds.names.index(name)]:.0f} by the scores, "
                          f"{rh[ds.names.index(name)]:.0f} by SHAP" for name in linear[ds.key]]
        agreement = "barely agree" if np.mean(list(within.values())) < 0.5 else "agree only in part"
        add(f"- **Inside the relevant set** the two {agreement}: Spearman of the scores and SHAP among the five "
            "relevant columns is " + ", ".join(f"{key} {value:+.2f}" for key, value in within.items())
            + " (mean over seeds). In order of mean importance, scores | SHAP: " + "; ".join(
                f"{ds.key} " + " ".join(ds.names[j] for j in relevant_order(ds, summaries[ds.key]["S"]))
                + " | " + " ".join(ds.names[j] for j in relevant_order(ds, normalise_rows(summaries[ds.key]["H"])))
                for ds in synth) + ". The linear terms: " + "; ".join(notes) + ". "
            "[ranking-fidelity.md](ranking-fidelity.md) compares both orders with the known truth on graded "
            "effects.")
    if "breast-cancer" in summaries:
        add(f"- **Correlated features (breast cancer).** {facts['bc_pairs']} of the "
            f"{facts['bc_total_pairs']} feature pairs have |r| > 0.9 (radius, perimeter and area of the same "
            "nuclei, and their 'worst' versions). A network can route the same information through any one "
            "of a correlated group, and which one the gate favours changes with the seed (the scores' "
            f"stability on this set is {summaries['breast-cancer']['stab_s']:.2f}, SHAP's "
            f"{summaries['breast-cancer']['stab_h']:.2f}); SHAP, replacing one feature at a time by background "
            "values, credits every member the fitted model actually responds to. The features whose mean "
            "ranks (over seeds) differ most, each with its most correlated partner:")
        add("")
        add("  | feature | rank by scores | rank by SHAP | most correlated partner | r | partner's ranks (scores / SHAP) |")
        add("  |---|---:|---:|---|---:|---|")
        for name, rs, rh, partner, r, prs, prh in disagree["breast-cancer"]:
            add(f"  | {name} | {rs:.0f} | {rh:.0f} | {partner} | {r:+.2f} | {prs:.0f} / {prh:.0f} |")
        add("")
    if "digits" in summaries:
        add(f"- **Constant inputs (digits).** {facts['digits_constant']} of the 64 pixels are constant "
            f"(zero) in every image, and {facts['digits_near_constant']} more are non-zero in fewer than 1 % of "
            "them. Replacing a constant feature by background values changes nothing, so its SHAP value is "
            "exactly 0; the scores of such pixels sink below the uniform 1/64 "
            f"(mean {facts['digits_constant_score']:.4f} vs {1 / 64:.4f}) but never reach 0: a softmax "
            "weight is positive. These near-empty border pixels sit at the bottom of both rankings and "
            "lift the all-feature correlation; restricted to the 16 pixels SHAP ranks highest the Spearman "
            f"correlation of scores and SHAP is {facts['digits_top16_rho']}.")
    if "diabetes" in summaries:
        dia = summaries["diabetes"]
        mean_scores = dia["S"].mean(axis=0)
        narrow = mean_scores.max() - mean_scores.min() < 0.5 / dia["d"]
        add(f"- **Small, noisy data (diabetes).** The fit stops after "
            f"{np.mean(dia['epochs']):.0f} epochs on average (test R² {np.mean(dia['test']):.2f}), and the "
            f"mean scores range from {mean_scores.min():.3f} to {mean_scores.max():.3f} around the uniform "
            f"{1 / dia['d']:.3f}" + (": the gate has had little time to separate the features, so the order of "
            "all but the strongest ones is close to noise" if narrow else "") + f" (stability {dia['stab_s']:.2f}, "
            f"SHAP's {dia['stab_h']:.2f}); SHAP reads the fitted function directly.")
    add("")
    add("Where they disagree, neither is 'the truth' about the data: the scores describe what the gate "
        "learned, SHAP what the output of this model does. Use the scores to find and screen features at no "
        "cost; read effect sizes and the order among the important features from SHAP (or permutation "
        "importance), and compare before trusting either on correlated inputs.")
    add("")
    add("## Figures")
    add("")
    for key in BAR_KEYS:
        if key in summaries:
            add(f"![scores vs SHAP, {key}](images/shap-bars-{key}.png)")
            add("")
    add("Score histories (`plot_history`): the scores of every epoch; the dotted line is the uniform "
        "starting value 1/d. The kept scores are those of the best epoch.")
    add("")
    add("![score histories](images/score-history.png)")
    add("")
    return "\n".join(L)


BAR_KEYS = ("classification-16", "interaction", "breast-cancer")
CHECK_KEYS = ("classification-16", "breast-cancer")
HISTORY_KEYS = ("classification-16", "breast-cancer")


def compute_facts(data, summaries):
    facts = {}
    by_key = {ds.key: ds for ds in data}
    if "breast-cancer" in by_key:
        corr = np.corrcoef(by_key["breast-cancer"].X, rowvar=False)
        iu = np.triu_indices_from(corr, 1)
        facts["bc_pairs"] = int((np.abs(corr[iu]) > 0.9).sum())
        facts["bc_total_pairs"] = len(iu[0])
    if "digits" in by_key:
        X = by_key["digits"].X
        constant = X.std(axis=0) == 0
        facts["digits_constant"] = int(constant.sum())
        facts["digits_near_constant"] = int(((X != 0).mean(axis=0) < 0.01).sum() - constant.sum())
        s = summaries["digits"]
        facts["digits_constant_score"] = float(s["S"][:, constant].mean()) if constant.any() else float("nan")
        rhos = []
        for a, b in zip(s["S"], s["H"]):
            top = np.argsort(-b, kind="stable")[:16]
            rhos.append(spearman(a[top], b[top]))
        facts["digits_top16_rho"] = mean_sd(rhos)
    return facts


# ------------------------------------------------------------------ main
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes; never writes over docs/")
    parser.add_argument("--out", help="output folder (default: docs/ in full mode, a temporary folder with --quick)")
    parser.add_argument("--only", nargs="*", help="data set keys to run (default: all)")
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    out = Path(args.out) if args.out else (Path(tempfile.mkdtemp(prefix="shap-comparison-")) if args.quick else DOCS)
    (out / "images").mkdir(parents=True, exist_ok=True)
    command = "python benchmarks/shap_comparison.py" + (" --quick" if args.quick else "")

    import matplotlib

    matplotlib.use("Agg")
    warnings.filterwarnings("ignore", category=FutureWarning)
    warm_up_shap()

    started = time.perf_counter()
    data = [ds for ds in load_datasets(settings) if not args.only or ds.key in args.only]
    summaries, disagree, history_items = {}, {}, []
    for ds in data:
        t0 = time.perf_counter()
        results = []
        for seed in progress(settings.seeds, ds.key, unit="seed"):
            result, est = run_seed(ds, seed, settings)
            results.append(result)
            if seed == settings.seeds[0] and ds.key in HISTORY_KEYS:
                history_items.append((ds, est))
        summary = summarise(ds, results, scores_overhead(ds, settings))
        summaries[ds.key] = summary
        disagree[ds.key] = disagreements(ds, summary)
        print(f"{ds.label:48s} Spearman(scores, SHAP) {np.mean(summary['rho_sh']):+.2f}  "
              f"stability scores {summary['stab_s']:.2f} SHAP {summary['stab_h']:.2f}  "
              f"fit {np.mean(summary['fit']):.3f}s SHAP {np.mean(summary['shap_t']):.1f}s  "
              f"({time.perf_counter() - t0:.0f}s)", flush=True)
        if ds.key in BAR_KEYS:
            plot_bars(ds, summary, out / "images" / f"shap-bars-{ds.key}.png")
    plot_rank_scatter(data, summaries, out / "images" / "shap-rank-scatter.png")
    if history_items:
        plot_histories(history_items, out / "images" / "score-history.png")
    facts = compute_facts(data, summaries)
    total = time.perf_counter() - started
    path = out / "shap-comparison.md"
    path.write_text(markdown(data, summaries, disagree, settings, command, total, facts))
    print(f"wrote {path} ({total:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
