"""Feature recovery, accuracy and fit time against peer libraries (issue 7).

Peers: InterpretML's Explainable Boosting Machine (EBM), LassoNet, TabNet
(pytorch-tabnet) and Stochastic Gates (stg). Each library runs with its
documented defaults and with one tuned setting (see SETTINGS below), on the
synthetic sets of benchmarks/datasets.py (relevant columns 0-4), each also
with 100 features (95 noise) and with 50 000 rows, and on three built-in
scikit-learn sets (no downloads). Everything is measured in one run, on one
thread per library.

    python benchmarks/peers.py                    # full run (~30 min on 2 cores), writes docs/peers.md and docs/images/peers_*.png
    python benchmarks/peers.py --quick --out DIR  # tiny sizes, ~2 min; writes DIR/peers.md and DIR/images/

A peer that is not installed, or that fails, is reported as 'not run' with the
reason; the run itself still succeeds. Install the peers with
    pip install interpret-core lassonet pytorch-tabnet six h5py autograd autograd-gamma formulaic
    pip install --no-deps stg lifelines
(stg's dependency lifelines pins pandas < 3; it is only used for Cox models, so
it is installed without its dependencies). stg 0.1.2 uses the aliases
``collections.Sequence`` etc. that Python 3.10 removed; they are restored
before stg is imported (_stg_compat below).
"""

import os

# One thread everywhere, set before numpy / torch load their thread pools.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import collections
import collections.abc
import contextlib
import datetime
import importlib.metadata
import io
import json
import math
import platform
import sys
import time
import traceback
import warnings
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine, make_classification, make_friedman1
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import machine, progress  # noqa: E402
from datasets import classification_10, classification_16, friedman1, interaction  # noqa: E402

import scoresactivation  # noqa: E402
from scoresactivation import ScoresActivationClassifier, ScoresActivationRegressor  # noqa: E402

THREADS = 1
K = 5
RELEVANT = np.arange(5)
ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------- data
def interaction_wide(seed, n_samples=2000, n_features=100):
    """datasets.interaction with the same generator and more noise columns."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    logit = X[:, 0] * X[:, 1] + np.sin(2 * X[:, 2]) + np.abs(X[:, 3]) - 0.8 + 0.5 * X[:, 4]
    return X, (logit > 0).astype(int)


def make_wide_classification(seed, n_samples=2000, n_features=100):
    return make_classification(n_samples=n_samples, n_features=n_features, n_informative=5, n_redundant=0,
                               shuffle=False, random_state=seed)


def make_wide_friedman(seed, n_samples=2000, n_features=100):
    return make_friedman1(n_samples=n_samples, n_features=n_features, noise=1.0, random_state=seed)


# (key, label, task, generator(seed, n_samples), n_features)
SYNTHETIC_BASE = [
    ("class10", "classification 10 (5 informative)", "classification", classification_10, 10),
    ("class16", "classification 16 (5 informative + 11 noise)", "classification", classification_16, 16),
    ("friedman", "Friedman #1 (5 relevant of 10)", "regression", friedman1, 10),
    ("interaction", "interaction (5 relevant of 10)", "classification", interaction, 10),
]
WIDE = {
    "class10": ("classification, 5 informative of 100", make_wide_classification),
    "class16": None,  # same as class10 at 100 features; not repeated
    "friedman": ("Friedman #1, 5 relevant of 100", make_wide_friedman),
    "interaction": ("interaction, 5 relevant of 100", interaction_wide),
}


def load_real(name):
    loader = {"breast cancer": load_breast_cancer, "wine": load_wine, "diabetes": load_diabetes}[name]
    X, y = loader(return_X_y=True)
    return X, y


REAL = [("breast cancer", "classification"), ("wine", "classification"), ("diabetes", "regression")]


class Config:
    """One data set at one size: what every library is fitted on."""

    def __init__(self, key, label, task, size, n_rows, n_features, make, synthetic, seeds):
        self.key, self.label, self.task, self.size = key, label, task, size
        self.n_rows, self.n_features, self.make = n_rows, n_features, make
        self.synthetic, self.seeds = synthetic, seeds

    @property
    def n_noise(self):
        return self.n_features - len(RELEVANT) if self.synthetic else None

    def data(self, seed):
        X, y = self.make(seed)
        X = np.asarray(X, dtype=np.float64)
        stratify = y if self.task == "classification" else None
        return train_test_split(X, y, test_size=0.25, random_state=seed, stratify=stratify)


def build_configs(quick):
    base_rows = 500 if quick else 2000
    large_rows = 2000 if quick else 50000
    seeds = [0] if quick else [0, 1, 2, 3, 4]
    large_seeds = [0]
    configs = []
    for key, label, task, gen, d in SYNTHETIC_BASE:
        configs.append(Config(key, label, task, "base", base_rows, d,
                              lambda s, g=gen, n=base_rows: g(s, n_samples=n), True, seeds))
    for key, label, task, gen, d in SYNTHETIC_BASE:
        if WIDE[key] is None:
            continue
        wlabel, wgen = WIDE[key]
        configs.append(Config(key, wlabel, task, "wide", base_rows, 100,
                              lambda s, g=wgen, n=base_rows: g(s, n_samples=n), True, seeds))
    for key, label, task, gen, d in SYNTHETIC_BASE:
        configs.append(Config(key, label, task, "large", large_rows, d,
                              lambda s, g=gen, n=large_rows: g(s, n_samples=n), True, large_seeds))
    for name, task in REAL:
        X, _ = load_real(name)
        configs.append(Config(name, name, task, "real", len(X), X.shape[1],
                              lambda s, n=name: load_real(n), False, seeds))
    return configs


# ---------------------------------------------------------------- libraries
def _stg_compat():
    """stg 0.1.2 uses collections.Sequence/Set/Mapping/Iterable, removed in Python 3.10."""
    for name in ("Sequence", "Set", "Mapping", "Iterable"):
        if not hasattr(collections, name):
            setattr(collections, name, getattr(collections.abc, name))


def import_peer(lib):
    """Returns None when the peer imports, else the reason it cannot run."""
    try:
        if lib == "ebm":
            import interpret.glassbox  # noqa: F401
        elif lib == "lassonet":
            import lassonet  # noqa: F401
        elif lib == "tabnet":
            import pytorch_tabnet.tab_model  # noqa: F401
        elif lib == "stg":
            _stg_compat()
            import stg  # noqa: F401
        if lib != "ebm":
            import torch

            torch.set_num_threads(THREADS)
            # The first optimizer imports torch's compiler stack (seconds): pay it before any timing.
            torch.optim.Adam([torch.zeros(1, requires_grad=True)])
    except Exception as exc:  # ImportError, or an incompatible version failing at import
        return f"not installed or does not import ({type(exc).__name__}: {str(exc).splitlines()[0][:80]})"
    return None


def lib_version(lib):
    dist = {"ours": "scoresactivation", "ebm": "interpret-core", "lassonet": "lassonet",
            "tabnet": "pytorch-tabnet", "stg": "stg"}[lib]
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        if lib == "ebm":
            try:
                return importlib.metadata.version("interpret")
            except importlib.metadata.PackageNotFoundError:
                pass
        return "not installed"


LIB_NAMES = {"ours": "scoresactivation (ours)", "ebm": "EBM (interpret)", "lassonet": "LassoNet",
             "tabnet": "TabNet (pytorch-tabnet)", "stg": "STG (stochastic gates)"}
TORCH_PEERS = ("lassonet", "tabnet", "stg")

# Settings: what each library runs with. "quick" entries override for --quick.
SETTINGS = {
    ("ours", "defaults"): "ScoresActivationClassifier/Regressor() (n_threads=1)",
    ("ours", "tuned"): "scores_learning_rate=2e-2, batch_size=32 (for many noise features)",
    ("ebm", "defaults"): "ExplainableBoosting*() (n_jobs=1; interactions '3x' classification / '5x' regression, 14 outer bags)",
    ("ebm", "tuned"): "interactions=0, outer_bags=4 (main effects only, fast)",
    ("lassonet", "defaults"): "LassoNet*() full path (hidden (100,), full batch, n_iters (1000, 100), path_multiplier 1.02); "
                              "prediction from the path model with the lowest validation loss",
    ("lassonet", "tuned"): "path_multiplier=1.1 (5x shorter path), otherwise defaults",
    ("tabnet", "defaults"): "TabNet*() fit with a 10 % eval_set (max_epochs 100, patience 10, batch 1024, virtual batch 128)",
    ("tabnet", "tuned"): "batch_size=256, patience=20 (more steps per epoch on small data), max_epochs 100",
    ("stg", "defaults"): "README usage: hidden [500, 50, 10], tanh, SGD lr 0.1, full batch, sigma 0.5, lam 0.1, 3000 epochs",
    ("stg", "tuned"): "hidden [64, 32], relu, Adam lr 1e-3, batch 64, sigma 0.5, lam 0.1, 100 epochs, shuffled",
}
LIBS = ["ours", "ebm", "lassonet", "tabnet", "stg"]
SETTING_NAMES = ["defaults", "tuned"]


def _split_validation(X, y, seed, task, fraction=0.1):
    stratify = y if task == "classification" else None
    return train_test_split(X, y, test_size=fraction, random_state=seed, stratify=stratify)


def _scale(X_train, X_test, y_train, task):
    sx = StandardScaler().fit(X_train)
    Xs, Xt = sx.transform(X_train).astype(np.float32), sx.transform(X_test).astype(np.float32)
    y_mean = y_std = None
    if task == "regression":
        y_mean, y_std = float(np.mean(y_train)), float(np.std(y_train)) or 1.0
        y_train = ((y_train - y_mean) / y_std).astype(np.float32)
    return Xs, Xt, y_train, (y_mean, y_std)


def _unscale(pred, ys):
    return pred * ys[1] + ys[0]


def fit_ours(setting, task, X, y, Xt, seed, quick):
    params = dict(random_state=seed, n_threads=THREADS)
    if setting == "tuned":
        params.update(scores_learning_rate=2e-2, batch_size=32)
    if quick:
        params.update(max_epochs=30)
    Est = ScoresActivationClassifier if task == "classification" else ScoresActivationRegressor
    est = Est(**params).fit(X, y)
    pred = est.predict(Xt)
    return est.feature_importances_, pred, est


def fit_ebm(setting, task, X, y, Xt, seed, quick):
    from interpret.glassbox import ExplainableBoostingClassifier, ExplainableBoostingRegressor

    params = dict(n_jobs=THREADS, random_state=seed)
    if setting == "tuned":
        params.update(interactions=0, outer_bags=4)
    if quick:
        params.update(outer_bags=1, max_rounds=100, interactions=0 if setting == "tuned" else 2)
    Est = ExplainableBoostingClassifier if task == "classification" else ExplainableBoostingRegressor
    est = Est(**params).fit(X, y)
    # Main effects go to their feature; a pair's importance is split equally between its two features.
    importance = np.zeros(X.shape[1])
    for features, value in zip(est.term_features_, est.term_importances()):
        for f in features:
            importance[f] += value / len(features)
    return importance, est.predict(Xt), est


def fit_lassonet(setting, task, X, y, Xt, seed, quick):
    import torch
    from lassonet import LassoNetClassifier, LassoNetRegressor

    Xs, Xts, ys, yscale = _scale(X, Xt, y, task)
    params = dict(verbose=0, random_state=seed, torch_seed=seed, device=torch.device("cpu"))
    if setting == "tuned":
        params.update(path_multiplier=1.1)
    if quick:  # a fixed lambda_start skips the automatic estimate, which costs seconds whatever the data size
        params.update(n_iters=(30, 5), patience=(5, 2), path_multiplier=1.5, lambda_start=1.0)
    Est = LassoNetClassifier if task == "classification" else LassoNetRegressor
    est = Est(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = est.path(Xs, ys, return_state_dicts=True)
    best = min(path, key=lambda h: h.val_loss)
    est.load(best.state_dict)
    importance = est.feature_importances_.numpy().astype(np.float64)
    pred = est.predict(Xts)
    if task == "regression":
        pred = _unscale(np.asarray(pred).ravel(), yscale)
    return importance, np.asarray(pred).ravel(), est


def fit_tabnet(setting, task, X, y, Xt, seed, quick):
    from pytorch_tabnet.tab_model import TabNetClassifier, TabNetRegressor

    Xs, Xts, ys, yscale = _scale(X, Xt, y, task)
    X_fit, X_val, y_fit, y_val = _split_validation(Xs, ys, seed, task)
    if task == "regression":
        y_fit, y_val = y_fit.reshape(-1, 1), y_val.reshape(-1, 1)
    fit_params = dict(max_epochs=100, patience=10, batch_size=1024, virtual_batch_size=128)
    if setting == "tuned":
        fit_params.update(batch_size=256, patience=20)
    if quick:
        fit_params.update(max_epochs=5)
    # TabNet drops the last incomplete batch: with fewer training rows than
    # batch_size it would take no step at all, so the batch is capped there.
    fit_params["batch_size"] = min(fit_params["batch_size"], len(X_fit))
    fit_params["virtual_batch_size"] = min(fit_params["virtual_batch_size"], fit_params["batch_size"])
    Est = TabNetClassifier if task == "classification" else TabNetRegressor
    est = Est(seed=seed, verbose=0, device_name="cpu")
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        est.fit(X_fit, y_fit, eval_set=[(X_val, y_val)], **fit_params)
    pred = est.predict(Xts)
    if task == "regression":
        pred = _unscale(np.asarray(pred).ravel(), yscale)
    return np.asarray(est.feature_importances_, dtype=np.float64), np.asarray(pred).ravel(), est


def fit_stg(setting, task, X, y, Xt, seed, quick):
    import torch

    _stg_compat()
    from stg import STG

    Xs, Xts, ys, yscale = _scale(X, Xt, y, task)
    n_classes = int(np.max(y)) + 1 if task == "classification" else 1
    if setting == "defaults":
        params = dict(hidden_dims=[500, 50, 10], activation="tanh", optimizer="SGD", learning_rate=0.1,
                      batch_size=len(Xs), sigma=0.5, lam=0.1)
        epochs = 3000
    else:
        params = dict(hidden_dims=[64, 32], activation="relu", optimizer="Adam", learning_rate=1e-3,
                      batch_size=64, sigma=0.5, lam=0.1)
        epochs = 100
    if quick:
        epochs = 30 if setting == "defaults" else 5
    torch.manual_seed(seed)  # STG ignores its random_state argument
    est = STG(task_type=task, input_dim=Xs.shape[1], output_dim=n_classes, feature_selection=True,
              random_state=seed, device="cpu", **params)
    y_fit = ys.astype(np.int64) if task == "classification" else ys.reshape(-1, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(Xs, y_fit, nr_epochs=epochs, verbose=False, shuffle=(setting == "tuned"))
        pred = est.predict(Xts)
    if task == "regression":
        pred = _unscale(np.asarray(pred).ravel(), yscale)
    return np.asarray(est.get_gates("prob"), dtype=np.float64), np.asarray(pred).ravel(), est


FITTERS = {"ours": fit_ours, "ebm": fit_ebm, "lassonet": fit_lassonet, "tabnet": fit_tabnet, "stg": fit_stg}


# ------------------------------------------------------------------ metrics
def precision_at_k(importance, relevant=RELEVANT, k=K):
    """Expected top-k precision with ties at the k-th value broken at random
    (so a library whose scores tie is not credited with the column order)."""
    imp = np.nan_to_num(np.asarray(importance, dtype=np.float64), nan=-np.inf, posinf=np.finfo(float).max)
    is_rel = np.zeros(len(imp), dtype=bool)
    is_rel[relevant] = True
    kth = np.sort(imp)[::-1][k - 1]
    above = imp > kth
    tied = imp == kth
    expected = is_rel[above].sum() + (k - above.sum()) * is_rel[tied].sum() / tied.sum()
    return float(expected) / k


def spearman(a, b):
    a = np.nan_to_num(np.asarray(a, dtype=np.float64), posinf=np.finfo(float).max)
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(spearmanr(a, b).statistic)


def score(task, y_true, pred):
    if task == "classification":
        return float(np.mean(np.asarray(pred) == np.asarray(y_true)))
    y_true = np.asarray(y_true, dtype=np.float64)
    return float(1 - np.sum((y_true - pred) ** 2) / np.sum((y_true - y_true.mean()) ** 2))


def shap_agreement(lib, est, task, X_train, X_test, importance, seed, quick):
    """Spearman between the model's own importances and mean |SHAP| (permutation
    explainer, 50 background rows, 100 explained rows) of the same model."""
    import shap

    rng = np.random.default_rng(seed)
    n_background, n_rows = (10, 20) if quick else (50, 100)
    background = X_train[rng.choice(len(X_train), size=min(n_background, len(X_train)), replace=False)]
    rows = X_test[:n_rows]
    f = est.predict_proba if task == "classification" else est.predict
    explainer = shap.Explainer(f, shap.maskers.Independent(background), algorithm="permutation", seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        values = explainer(rows, max_evals=max(500, 2 * X_train.shape[1] + 1), silent=True).values
    mean_abs = np.abs(values).mean(axis=0)
    if mean_abs.ndim == 2:
        mean_abs = mean_abs.sum(axis=1)
    return spearman(importance, mean_abs)


# ------------------------------------------------------------------ running
class Runner:
    def __init__(self, quick, cell_budget, fit_cap, total_budget, shap_on):
        self.quick, self.cell_budget, self.fit_cap = quick, cell_budget, fit_cap
        self.total_budget, self.shap_on = total_budget, shap_on
        self.start = time.perf_counter()
        self.base_time = {}  # (lib, setting, key) -> seconds of one fit at base size
        self.cells = {}  # (config index, lib, setting) -> dict

    def predicted(self, cfg, lib, setting):
        """Rough cost of one fit from the base-size fit of the same set:
        linear in rows, square root in features (fitted on trial runs)."""
        base = self.base_time.get((lib, setting, cfg.key))
        if base is None:
            return None
        base_rows = 500 if self.quick else 2000
        base_features = {k: d for k, _, _, _, d in SYNTHETIC_BASE}[cfg.key]
        return base * (cfg.n_rows / base_rows) * math.sqrt(cfg.n_features / base_features)

    def run_cell(self, ci, cfg, lib, setting, skip_reason):
        cell = dict(seeds=[], precision=[], spearman=[], score=[], time=[], shap=None, note=None)
        self.cells[ci, lib, setting] = cell
        if skip_reason:
            cell["note"] = f"not run: {skip_reason}"
            return
        if lib != "ours" and time.perf_counter() - self.start > self.total_budget:
            cell["note"] = f"not run: total time budget of {self.total_budget:.0f} s used up"
            return
        if cfg.size in ("wide", "large") and lib != "ours":
            guess = self.predicted(cfg, lib, setting)
            if guess is not None and guess > self.fit_cap:
                cell["note"] = (f"not run: one fit estimated at {guess:.0f} s (> {self.fit_cap:.0f} s per-fit budget) "
                                "from its 2000-row fit")
                return
        spent = 0.0
        for seed in cfg.seeds:
            X_train, X_test, y_train, y_test = cfg.data(seed)
            try:
                start = time.perf_counter()
                importance, pred, est = FITTERS[lib](setting, cfg.task, X_train, y_train, X_test, seed, self.quick)
                seconds = time.perf_counter() - start
            except Exception as exc:  # a peer failing must not stop the benchmark
                cell["note"] = f"failed: {type(exc).__name__}: {str(exc).splitlines()[0][:100] if str(exc) else ''}"
                traceback.print_exc(limit=2)
                break
            cell["seeds"].append(seed)
            cell["time"].append(seconds)
            if cfg.task == "regression" and not np.all(np.isfinite(pred)):
                cell["note"] = f"non-finite predictions on seed {seed} (score counted as n/a)"
                cell["score"].append(float("nan"))
            else:
                cell["score"].append(score(cfg.task, y_test, pred))
            if cfg.synthetic:
                relevance = np.isin(np.arange(cfg.n_features), RELEVANT).astype(float)
                cell["precision"].append(precision_at_k(importance))
                cell["spearman"].append(spearman(importance, relevance))
            if (self.shap_on and seed == cfg.seeds[0] and setting == "defaults" and lib in ("ours", "ebm")
                    and cfg.size in ("base", "real")):
                try:
                    cell["shap"] = shap_agreement(lib, est, cfg.task, X_train, X_test, importance, seed, self.quick)
                except Exception as exc:
                    cell["shap_note"] = f"failed: {type(exc).__name__}"
            if cfg.size == "base" and seed == cfg.seeds[0]:
                self.base_time[lib, setting, cfg.key] = seconds
            spent += seconds
            if spent + seconds > self.cell_budget and seed != cfg.seeds[-1] and lib != "ours":
                cell["note"] = f"{len(cell['seeds'])} of {len(cfg.seeds)} seeds (per-cell budget {self.cell_budget:.0f} s)"
                break
        line = (f"{cfg.size:5s} {cfg.label[:34]:34s} {lib:8s} {setting:8s} n={len(cell['seeds'])} "
                f"score {np.mean(cell['score']) if cell['score'] else float('nan'):.3f} "
                f"prec {np.mean(cell['precision']) if cell['precision'] else float('nan'):.2f} "
                f"time {np.mean(cell['time']) if cell['time'] else float('nan'):.2f}s "
                f"[{time.perf_counter() - self.start:.0f}s] {cell['note'] or ''}")
        print(line, flush=True)


def run(configs, runner):
    skip = {lib: import_peer(lib) for lib in LIBS if lib != "ours"}
    skip["ours"] = None
    for lib, reason in skip.items():
        if reason:
            print(f"{lib}: {reason}", flush=True)
    # Order: ours first on every config (cheap), then the peers; base sizes first so
    # the larger sizes can be estimated from them.
    cells = [(ci, cfg, lib, setting) for ci, cfg in enumerate(configs) for lib in LIBS for setting in SETTING_NAMES]
    for ci, cfg, lib, setting in progress(cells, "peers", unit="cell"):
        runner.run_cell(ci, cfg, lib, setting, skip[lib])
    return skip


# ------------------------------------------------------------------ summary
def mean(values):
    values = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return float(np.mean(values)) if values else float("nan")


def paired(ours_cell, cell, field):
    """Our mean and the peer's mean of `field` over the seeds both ran."""
    seeds = [s for s in cell["seeds"] if s in ours_cell["seeds"]]
    if not seeds or not cell[field]:
        return float("nan"), float("nan")
    o = mean([ours_cell[field][ours_cell["seeds"].index(s)] for s in seeds])
    p = mean([cell[field][cell["seeds"].index(s)] for s in seeds])
    return o, p


def fmt(v, spec=".3f", sd=None):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    text = format(v, spec)
    if sd is not None and not math.isnan(sd) and sd > 0:
        text += " ± " + format(sd, spec)
    return text


def fmt_ratio(v):
    if v is None or math.isnan(v):
        return "n/a"
    return f"{v:.0f}×" if v >= 10 else f"{v:.1f}×"


def fmt_time(v):
    if v is None or math.isnan(v):
        return "n/a"
    return f"{v:.2f}" if v < 10 else f"{v:.0f}"


def size_label(cfg):
    return {"base": f"{cfg.n_rows} rows × {cfg.n_features} features",
            "wide": f"{cfg.n_rows} rows × {cfg.n_features} features (95 noise)",
            "large": f"{cfg.n_rows} rows × {cfg.n_features} features",
            "real": f"{cfg.n_rows} rows × {cfg.n_features} features"}[cfg.size]


def config_title(cfg):
    if cfg.size == "real":
        return f"{cfg.label} (scikit-learn, {cfg.task}; {size_label(cfg)})"
    return f"{cfg.label} — {size_label(cfg)}"


def markdown(configs, runner, skip, args, elapsed):
    cells = runner.cells
    metric = lambda cfg: "accuracy" if cfg.task == "classification" else "R²"  # noqa: E731
    command = "python benchmarks/peers.py" + (" --quick" if args.quick else "") + (
        f" --out {args.out}" if args.out else "")
    versions = ", ".join(f"{LIB_NAMES[lib]} {lib_version(lib)}" for lib in LIBS)
    lines = [
        "# Peers: feature recovery, accuracy and fit time",
        "",
        "Generated by `benchmarks/peers.py` (issue 7); every number below comes from one run: "
        f"`{command}`, on {args.date}, {elapsed / 60:.0f} min.",
        "",
        f"Machine: {machine()} shared with other jobs (so absolute times are noisy; "
        "ratios come from the same run). Python {0}; {1}; PyTorch {2} (CPU); shap {3}.".format(
            platform.python_version(), versions, _version("torch"), _version("shap")),
        "",
        f"Threads: every library on **{THREADS} thread** (`n_threads=1` for ours, `torch.set_num_threads(1)` for "
        "LassoNet, TabNet and STG, `n_jobs=1` for EBM, whose default `n_jobs=-2` is also 1 thread on this 2-core "
        "machine; BLAS/OpenMP pools limited to 1).",
        "",
        "## Protocol",
        "",
        "- **Data.** Synthetic sets of `benchmarks/datasets.py`, relevant columns 0-4 (ground truth), at three sizes: "
        f"*base* ({'500' if args.quick else '2000'} rows, 10 or 16 features), *wide* (100 features: the same generators "
        "with `n_features=100`, i.e. 95 noise columns; classification 10 and 16 coincide there, so it appears once), "
        f"and *large* ({'2000' if args.quick else '50 000'} rows, base features). Real sets: scikit-learn's breast "
        "cancer, wine (3 classes) and diabetes (regression), no ground truth. 75 % train / 25 % test, stratified "
        "for classification, split by the seed. 50 000 rows × 100 features was not run (time budget).",
        f"- **Seeds.** {len(configs[0].seeds)} seed(s) at base, wide and real sizes; 1 at the large size. Each "
        f"(data, library, setting) cell stops adding seeds when the next fit would take it past "
        f"{runner.cell_budget:.0f} s of fitting, so the slow settings have fewer seeds (column *n*). At the wide "
        f"and large sizes a peer cell is not run when one fit is estimated above {runner.fit_cap:.0f} s "
        "(its base-size fit time × row ratio × √feature ratio).",
        "- **Fit time** is the wall time of everything a user runs to get predictions and importances: for the "
        "PyTorch peers it includes standardising X (and y for regression; ours standardises internally), the "
        "validation split, TabNet's importance pass, and LassoNet's whole path plus choosing its model.",
        "- **Importances.** Ours: `feature_importances_` (the learned scores). EBM: `term_importances()` "
        "(mean absolute score of each term); a main effect counts for its feature, an interaction term's "
        "importance is split equally between its two features (without that, the x0·x1 term of the interaction "
        "set would be invisible). LassoNet: `feature_importances_` (the penalty at which each feature leaves the "
        "path). TabNet: `feature_importances_` (attention masks on the training data). STG: "
        "`get_gates('prob')`.",
        "- **Metrics.** *precision@5*: share of the 5 highest importances that are relevant columns, with ties at "
        "the 5th value broken at random in expectation (STG's gates saturate at 1, LassoNet's penalties tie). "
        "*Spearman*: rank correlation of the importances with the 0/1 relevance vector (n/a when the importances "
        "are constant); with distinct importances, putting the 5 relevant columns on top gives at most 0.87 (10 "
        "features), 0.80 (16) or 0.38 (100), and only importances tied within each group (STG's saturated gates) "
        "reach 1. *Score*: test accuracy (classification) or R² (regression). *SHAP agreement*: Spearman "
        "between the model's own importances and its mean |SHAP| (permutation explainer, 50 background rows, "
        "100 test rows); computed only for ours and EBM, default settings, first seed, base and real sets, where "
        "it is cheap (for the PyTorch peers it would cost more than their fits; n/a).",
        "- **Ratios.** *time ÷ ours*: the peer's mean fit time over ours with the same kind of setting "
        "(defaults vs defaults, tuned vs tuned); *Δ score*: ours − peer; both over the seeds the peer ran.",
        "",
        "## Settings",
        "",
        "| library | version | setting | what it is |",
        "|---|---|---|---|",
    ]
    for lib in LIBS:
        for setting in SETTING_NAMES:
            lines.append(f"| {LIB_NAMES[lib]} | {lib_version(lib)} | {setting} | {SETTINGS[lib, setting]} |")
    lines += [
        "",
        "Notes on the defaults: STG's constructor defaults (Adam, learning rate 1e-5) come with no default number "
        "of epochs, so its README usage stands for its documented defaults. TabNet's batch is capped at the "
        "number of training rows (it drops the last incomplete batch, so on a set smaller than its batch it would "
        "never train); this matters only for the real sets. LassoNet's `fit` ends at the empty model, so the path "
        "model with the lowest validation loss makes the predictions (the documented path workflow). The "
        "PyTorch peers keep their default epoch caps (STG's README: 3000 full-batch epochs).",
    ]
    if args.quick:
        lines += ["", "**Quick mode**: tiny sizes and few epochs (ours 30, TabNet 5, LassoNet (30, 5) with "
                  "path_multiplier 1.5, STG 30/5, EBM 2 outer bags, 300 rounds); for checking that the script runs, "
                  "not for reading."]
    missing = [f"{LIB_NAMES[lib]}: {reason}" for lib, reason in skip.items() if reason]
    if missing:
        lines += ["", "Peers that could not run: " + "; ".join(missing) + "."]

    # --------------------------------------------------------------- goals
    lines += ["", "## The issue's goals", "",
              "Goal: top-5 precision and score at least as good as the best peer on every synthetic set, and fit "
              "time at least 10× lower than the PyTorch-based peers (LassoNet, TabNet, STG). "
              "Best peer = the peer cell (library and setting) with the highest mean over the seeds it ran; ours is "
              "compared on the same seeds. *Torch time ratio*: the smallest fit-time ratio (peer ÷ ours, same kind "
              "of setting) over the PyTorch peers' cells that ran.", "",
              "| data | size | ours precision@5 (defaults / tuned) | best peer precision@5 | ours score (defaults / tuned) | best peer score | torch time ratio (min) | goals met (defaults) |",
              "|---|---|---:|---:|---:|---:|---:|---|"]
    goal_rows = []
    for ci, cfg in enumerate(configs):
        if not cfg.synthetic:
            continue
        od, ot = cells[ci, "ours", "defaults"], cells[ci, "ours", "tuned"]
        best_p = best_s = None
        for lib in LIBS[1:]:
            for setting in SETTING_NAMES:
                c = cells[ci, lib, setting]
                if not c["seeds"]:
                    continue
                op, pp = paired(od, c, "precision")
                os_, ps = paired(od, c, "score")
                if best_p is None or pp > best_p[1]:
                    best_p = (f"{LIB_NAMES[lib].split(' (')[0]} {setting}", pp, op)
                if best_s is None or ps > best_s[1]:
                    best_s = (f"{LIB_NAMES[lib].split(' (')[0]} {setting}", ps, os_)
        ratios = []
        for lib in TORCH_PEERS:
            for setting in SETTING_NAMES:
                c = cells[ci, lib, setting]
                ours = cells[ci, "ours", setting]
                if c["seeds"] and ours["seeds"]:
                    ot_ = mean([ours["time"][ours["seeds"].index(s)] for s in c["seeds"] if s in ours["seeds"]])
                    ratios.append((mean(c["time"]) / ot_, f"{LIB_NAMES[lib].split(' (')[0]} {setting}"))
        min_ratio = min(ratios) if ratios else None
        verdict = []
        if best_p:
            verdict.append("precision ✓" if best_p[2] >= best_p[1] - 1e-12 else f"precision ✗ ({best_p[2] - best_p[1]:+.2f})")
        if best_s:
            verdict.append("score ✓" if best_s[2] >= best_s[1] else f"score ✗ ({best_s[2] - best_s[1]:+.3f})")
        if min_ratio:
            verdict.append("time ✓" if min_ratio[0] >= 10 else "time ✗")
        goal_rows.append((cfg, best_p, best_s, min_ratio, verdict))
        lines.append(
            f"| {cfg.label} | {cfg.size} | {fmt(mean(od['precision']), '.2f')} / {fmt(mean(ot['precision']), '.2f')} | "
            f"{fmt(best_p[1], '.2f') + ' (' + best_p[0] + ')' if best_p else 'n/a'} | "
            f"{fmt(mean(od['score']))} / {fmt(mean(ot['score']))} | "
            f"{fmt(best_s[1]) + ' (' + best_s[0] + ')' if best_s else 'n/a'} | "
            f"{f'{fmt_ratio(min_ratio[0])} ({min_ratio[1]})' if min_ratio else 'n/a'} | {', '.join(verdict) or 'n/a'} |")
    n_rows = len(goal_rows)
    met = lambda word: sum(any(v.startswith(word + " ✓") for v in r[4]) for r in goal_rows)  # noqa: E731
    lines += ["", f"With default settings, ours meets the precision goal on {met('precision')} of {n_rows} "
              f"synthetic data/size combinations, the score goal on {met('score')}, and the 10× fit-time goal "
              f"against every PyTorch peer cell on {met('time')}. (✓/✗ compare means; with 5 seeds, differences "
              "below about one standard deviation in the tables are within noise.)"]

    # ----------------------------------------------------------- per config
    lines += ["", "## Results per data set", "",
              "Mean ± sd over the seeds in *n*. Time in seconds (one fit, mean).", ""]
    for ci, cfg in enumerate(configs):
        lines += [f"### {config_title(cfg)}", ""]
        head = "| library | setting | n |"
        rule = "|---|---|---:|"
        if cfg.synthetic:
            head += " precision@5 | Spearman |"
            rule += "---:|---:|"
        head += f" {metric(cfg)} | fit time (s) | time ÷ ours | Δ {metric(cfg)} (ours − peer) |"
        rule += "---:|---:|---:|---:|"
        if cfg.size in ("base", "real"):
            head += " SHAP agreement |"
            rule += "---:|"
        lines += [head, rule]
        for lib in LIBS:
            for setting in SETTING_NAMES:
                c = cells[ci, lib, setting]
                row = f"| {LIB_NAMES[lib]} | {setting} |"
                if not c["seeds"]:
                    n_cols = (2 if cfg.synthetic else 0) + 4 + (1 if cfg.size in ("base", "real") else 0)
                    row += f" 0 | {c['note'] or 'not run'} |" + " |" * (n_cols - 1)
                    lines.append(row)
                    continue
                row += f" {len(c['seeds'])} |"
                if cfg.synthetic:
                    row += (f" {fmt(mean(c['precision']), '.2f', float(np.std(c['precision'])))} |"
                            f" {fmt(mean(c['spearman']), '.2f')} |")
                row += f" {fmt(mean(c['score']), '.3f', float(np.std(c['score'])))} | {fmt_time(mean(c['time']))} |"
                ours = cells[ci, "ours", setting]
                if lib == "ours":
                    row += " — | — |"
                else:
                    common = [s for s in c["seeds"] if s in ours["seeds"]]
                    ot_ = mean([ours["time"][ours["seeds"].index(s)] for s in common])
                    o, p = paired(ours, c, "score")
                    row += f" {fmt_ratio(mean(c['time']) / ot_)} | {o - p:+.3f} |"
                if cfg.size in ("base", "real"):
                    row += f" {fmt(c['shap'], '.2f') if c['shap'] is not None else c.get('shap_note', 'n/a')} |"
                lines.append(row)
        notes = [f"{LIB_NAMES[lib]} {setting}: {cells[ci, lib, setting]['note']}" for lib in LIBS for setting in
                 SETTING_NAMES if cells[ci, lib, setting]["note"] and cells[ci, lib, setting]["seeds"]]
        if notes:
            lines += ["", "Fewer seeds: " + "; ".join(notes) + "."]
        lines.append("")

    lines += ["## Plots", "",
              "![score against fit time](images/peers_accuracy_vs_time.png)", "",
              "Test score (accuracy, R² for Friedman #1 and diabetes) against mean fit time (log scale), one panel per "
              "data set and size; filled markers: defaults, open: tuned; an R² below -0.1 is drawn at -0.1.", "",
              "![precision against noise features](images/peers_precision_vs_noise.png)", "",
              "Top-5 precision against the number of noise columns (5: classification 10, Friedman #1 and "
              "interaction at base size; 11: classification 16; 95: the wide sets), mean over the sets with that "
              "count on which the library ran (a setting that ran on none of them has no point there: see the "
              "tables); left: defaults, right: tuned.", ""]
    return "\n".join(lines) + "\n"


def _version(dist):
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


# -------------------------------------------------------------------- plots
R2_FLOOR = -0.1
MARKERS = {"ours": ("o", "C3"), "ebm": ("s", "C0"), "lassonet": ("^", "C2"), "tabnet": ("D", "C4"), "stg": ("v", "C1")}


def plots(configs, runner, image_dir):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    cells = runner.cells
    image_dir.mkdir(parents=True, exist_ok=True)
    rows = [("base", [c for c in configs if c.size == "base"]), ("wide", [c for c in configs if c.size == "wide"]),
            ("large", [c for c in configs if c.size == "large"]), ("real", [c for c in configs if c.size == "real"])]
    n_cols = max(len(r[1]) for r in rows)
    fig, axes = plt.subplots(len(rows), n_cols, figsize=(4.2 * n_cols, 3.4 * len(rows)), squeeze=False)
    for r, (size, cfgs) in enumerate(rows):
        for c in range(n_cols):
            ax = axes[r][c]
            if c >= len(cfgs):
                ax.axis("off")
                continue
            cfg = cfgs[c]
            ci = configs.index(cfg)
            for lib in LIBS:
                marker, color = MARKERS[lib]
                for setting in SETTING_NAMES:
                    cell = cells[ci, lib, setting]
                    if not cell["seeds"]:
                        continue
                    y = mean(cell["score"])
                    if cfg.task == "regression":
                        y = max(y, R2_FLOOR)  # very negative R² would squash the panel
                    ax.scatter(mean(cell["time"]), y, marker=marker, s=55, color=color,
                               facecolors=color if setting == "defaults" else "none", linewidths=1.5,
                               label=f"{LIB_NAMES[lib].split(' (')[0]} {setting}")
            ax.set_xscale("log")
            ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
            ax.set_title(f"{cfg.label[:48]}\n{size_label(cfg)}", fontsize=8)
            ax.set_xlabel("fit time (s)", fontsize=8)
            ax.set_ylabel("accuracy" if cfg.task == "classification" else "R²", fontsize=8)
            ax.tick_params(labelsize=7)
            ax.grid(alpha=0.3)
    handles, labels = [], []
    for ax in axes.ravel():
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    fig.legend(handles, labels, loc="lower center", ncol=5, fontsize=8)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    fig.savefig(image_dir / "peers_accuracy_vs_time.png", dpi=90)
    plt.close(fig)

    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    by_noise = {}
    for ci, cfg in enumerate(configs):
        if cfg.synthetic and cfg.size in ("base", "wide"):
            by_noise.setdefault(cfg.n_noise, []).append(ci)
    noise = sorted(by_noise)
    for ax, setting in zip(axes, SETTING_NAMES):
        for lib in LIBS:
            marker, color = MARKERS[lib]
            xs, ys = [], []
            for n in noise:
                vals = [mean(cells[ci, lib, setting]["precision"]) for ci in by_noise[n]
                        if cells[ci, lib, setting]["seeds"]]
                vals = [v for v in vals if not math.isnan(v)]
                if vals:
                    xs.append(n)
                    ys.append(np.mean(vals))
            if xs:
                ax.plot(xs, ys, marker=marker, color=color, label=LIB_NAMES[lib].split(" (")[0])
        ax.set_xscale("log")
        ax.set_xticks(noise)
        ax.set_xticklabels([str(n) for n in noise])
        ax.set_xlabel("noise features")
        ax.set_title(setting)
        ax.grid(alpha=0.3)
    axes[0].set_ylim(0, 1.05)
    axes[0].set_ylabel("top-5 precision")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(image_dir / "peers_precision_vs_noise.png", dpi=90)
    plt.close(fig)


# --------------------------------------------------------------------- main
def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, 1 seed, few epochs (needs --out)")
    parser.add_argument("--out", default=None,
                        help="directory for peers.md and images/ (default: docs/, only without --quick)")
    parser.add_argument("--cell-budget", type=float, default=None, help="seconds of fitting per cell before seeds stop")
    parser.add_argument("--fit-cap", type=float, default=None, help="estimated seconds above which a fit is not run")
    parser.add_argument("--total-budget", type=float, default=None, help="seconds after which remaining cells are skipped")
    parser.add_argument("--no-shap", action="store_true")
    parser.add_argument("--save-raw", default=None, help="also write every cell's per-seed numbers to this JSON file")
    parser.add_argument("--from-raw", default=None,
                        help="rewrite peers.md and the plots from a --save-raw file instead of fitting")
    args = parser.parse_args()
    if args.quick and args.out is None:
        parser.error("--quick writes to --out DIR, not over the committed docs")
    out = Path(args.out) if args.out else ROOT / "docs"
    cell_budget = args.cell_budget if args.cell_budget is not None else (5.0 if args.quick else 15.0)
    fit_cap = args.fit_cap if args.fit_cap is not None else (20.0 if args.quick else 60.0)
    total_budget = args.total_budget if args.total_budget is not None else (100.0 if args.quick else 1800.0)

    warnings.filterwarnings("ignore")
    raw = json.loads(Path(args.from_raw).read_text()) if args.from_raw else None
    if raw:
        if raw["quick"] and args.out is None:
            parser.error("a --quick run's numbers are not written over the committed docs; give --out")
        args.quick = raw["quick"]
    configs = build_configs(args.quick)
    runner = Runner(args.quick, cell_budget, fit_cap, total_budget, shap_on=not args.no_shap)
    start = time.perf_counter()
    args.date = datetime.date.today().isoformat()
    if raw:
        runner.cells = {(c["config"], c["lib"], c["setting"]): c["cell"] for c in raw["cells"]}
        skip, elapsed, args.date = raw["skip"], raw["elapsed"], raw["date"]
        args.quick, args.out = raw["quick"], raw["out"]
        runner.cell_budget, runner.fit_cap, runner.total_budget = raw["budgets"]
    else:
        skip = run(configs, runner)
        elapsed = time.perf_counter() - start
        if args.save_raw:
            Path(args.save_raw).write_text(json.dumps(dict(
                quick=args.quick, out=args.out, elapsed=elapsed, skip=skip, date=args.date,
                budgets=[runner.cell_budget, runner.fit_cap, runner.total_budget],
                cells=[dict(config=ci, lib=lib, setting=setting, cell=cell)
                       for (ci, lib, setting), cell in runner.cells.items()]), indent=1))
    out.mkdir(parents=True, exist_ok=True)
    text = markdown(configs, runner, skip, args, elapsed)
    path = out / "peers.md"
    discussion_marker = "\n## Discussion"
    if path.exists() and not args.quick:
        old = path.read_text()
        if discussion_marker in old:  # keep the hand-written discussion
            text = text.rstrip("\n") + "\n" + old[old.index(discussion_marker):]
    path.write_text(text)
    plots(configs, runner, out / "images")
    print(f"wrote {path} and {out / 'images'}/peers_*.png in {elapsed:.0f} s")


if __name__ == "__main__":
    main()
