"""SENN: fit speed against PyTorch, accuracy against the plain and gated MLP,
and the stability of its explanation against gradients and Integrated Gradients.

    python benchmarks/senn.py            # full run, writes docs/senn.md
    python benchmarks/senn.py --quick    # small run, prints only

Speed: the same model (theta = MLP 64-32 relu -> n_outputs * d, logit_k =
sum_i theta_{k,i}(x) x_i + b_k, no gate), the same loss and robustness
penalty (lambda * sum_k mean_rows ||J_k(x)^T x||^2, in PyTorch by a double
backward with autograd, create_graph=True), AdamW, batch 64, the same
epochs, one thread; process CPU time, best of the repeats, ratios from one run.

Quality: real sets that ship with scikit-learn (no download) and a
synthetic one; each seed is its own stratified train/test split; mean and
sd over the seeds. Stability: SENN's local Lipschitz estimate
(metrics.local_lipschitz: max ||e(x) - e(x')|| / ||x - x'|| within 0.1 sd)
on standardised inputs, divided by the mean norm of the explanation so
methods on different scales compare.
"""

import argparse
import datetime
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine, make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import scoresactivation
from scoresactivation import (
    ScoresActivationClassifier,
    ScoresActivationRegressor,
    SENNClassifier,
    SENNRegressor,
)
from scoresactivation.metrics import faithfulness, local_lipschitz

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import DOCS, best_cpu_time_of, machine, progress  # noqa: E402

HIDDEN = (64, 32)
BATCH = 64
SENN_MD = DOCS / "senn.md"


# ------------------------------------------------------------------ speed
def fit_ours(X, y, epochs, penalty):
    est = SENNClassifier(hidden_layer_sizes=HIDDEN, batch_size=BATCH, max_epochs=epochs, refine_epochs=0,
                         early_stopping=False, tol=0.0, n_iter_no_change=epochs + 1, scores_layer=False,
                         robustness_penalty=penalty, n_threads=1, random_state=0)
    return lambda: est.fit(X, y)


def fit_torch(X, y, epochs, penalty, dtype):
    import torch

    Xt = torch.as_tensor(StandardScaler().fit_transform(X), dtype=dtype)
    yt = torch.as_tensor(y, dtype=torch.long)
    d, k = X.shape[1], int(y.max()) + 1

    class SENN(torch.nn.Module):
        def __init__(self):
            super().__init__()
            layers, width = [], d
            for h in HIDDEN:
                layers += [torch.nn.Linear(width, h), torch.nn.ReLU()]
                width = h
            self.theta = torch.nn.Sequential(*layers, torch.nn.Linear(width, k * d))
            self.bias = torch.nn.Parameter(torch.zeros(k))

        def forward(self, z):
            theta = self.theta(z).view(-1, k, d)
            return (theta * z.unsqueeze(1)).sum(-1) + self.bias, theta

    def run():
        torch.manual_seed(0)
        model = SENN().to(dtype)
        optimiser = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.1)
        loss_fn = torch.nn.CrossEntropyLoss()
        n = len(Xt)
        for _ in range(epochs):
            order = torch.randperm(n)
            for start in range(0, n, BATCH):
                idx = order[start:start + BATCH]
                z = Xt[idx].clone().requires_grad_(penalty > 0)
                optimiser.zero_grad(set_to_none=True)
                logits, theta = model(z)
                loss = loss_fn(logits, yt[idx])
                if penalty > 0:
                    # grad_z f_k - theta_k = J_k^T z: the gradient of theta_k . z with z held fixed.
                    for c in range(k):
                        g = torch.autograd.grad((theta[:, c, :] * z.detach()).sum(), z, create_graph=True)[0]
                        loss = loss + penalty * g.pow(2).sum(1).mean()
                loss.backward()
                optimiser.step()

    return run


def speed(quick):
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        print("PyTorch is not installed: no speed comparison")
        return [], None
    grid = [(1000, 10)] if quick else [(2000, 10), (2000, 30), (10000, 30)]
    epochs, repeats = (2, 1) if quick else (5, 3)
    X0, y0 = make_classification(n_samples=256, n_features=10, random_state=0)
    fit_torch(X0, y0, 1, 0.1, torch.float32)()  # warm-up
    rows = []
    for n, d in grid:
        X, y = make_classification(n_samples=n, n_features=d, n_informative=min(d, 5), n_redundant=0,
                                   random_state=0)
        for penalty in (0.0, 0.1):
            ours = best_cpu_time_of(fit_ours(X, y, epochs, penalty), repeats)
            t32 = best_cpu_time_of(fit_torch(X, y, epochs, penalty, torch.float32), repeats)
            t64 = best_cpu_time_of(fit_torch(X, y, epochs, penalty, torch.float64), repeats)
            rows.append((n, d, penalty, ours, t32, t64))
            print(f"speed n={n} d={d} lambda={penalty}: ours {ours:.3f}s, torch float32 {t32:.3f}s "
                  f"({t32 / ours:.2f}x), torch float64 {t64:.3f}s ({t64 / ours:.2f}x)", flush=True)
    with_penalty = [r[4] / r[3] for r in rows if r[2] > 0]
    print(f"torch float32 / ours (with the penalty): min {min(with_penalty):.2f}x")
    return rows, torch.__version__


# ---------------------------------------------------------------- quality
def datasets(quick):
    X, y = load_breast_cancer(return_X_y=True)
    sets = [("breast cancer", X, y, "classification")]
    if not quick:
        X, y = load_wine(return_X_y=True)
        sets.append(("wine", X, y, "classification"))
        X, y = load_diabetes(return_X_y=True)
        sets.append(("diabetes", X, y, "regression"))
        X, y = make_classification(n_samples=2000, n_features=12, n_informative=6, n_redundant=2, random_state=0)
        sets.append(("synthetic (12 features)", X, y, "classification"))
    return sets


def models(task):
    classification = task == "classification"
    mlp = ScoresActivationClassifier if classification else ScoresActivationRegressor
    senn = SENNClassifier if classification else SENNRegressor
    return {
        "plain MLP": lambda seed: mlp(scores_layer=False, random_state=seed, n_threads=1),
        "gated MLP": lambda seed: mlp(random_state=seed, n_threads=1),
        "SENN, lambda 0": lambda seed: senn(robustness_penalty=0.0, scores_layer=False, random_state=seed, n_threads=1),
        "SENN, lambda 0.01": lambda seed: senn(scores_layer=False, random_state=seed, n_threads=1),
        "SENN, lambda 0.1": lambda seed: senn(robustness_penalty=0.1, scores_layer=False, random_state=seed,
                                              n_threads=1),
        "SENN + gate, lambda 0.01": lambda seed: senn(random_state=seed, n_threads=1),
    }


def explanations(name, est):
    """The local explanations whose stability is measured, per model."""
    if name == "plain MLP":
        return {"gradient": lambda rows: est.explain(rows, "gradient"),
                "integrated gradients": lambda rows: est.explain(rows, "integrated_gradients", n_steps=16)}
    if name.startswith("SENN") and "gate" not in name:
        return {"theta": lambda rows: est.explain(rows, "theta")}
    return {}


def attributions(name, est, rows, reference):
    """Local attributions (n, d) per target whose faithfulness is measured, per model."""
    targets = list(getattr(est, "classes_", [None]))
    out = {}
    for t in targets:
        if name == "plain MLP":
            out.setdefault("DeepLIFT", []).append(est.explain(rows, "deeplift", target=t))
            out.setdefault("integrated gradients", []).append(
                est.explain(rows, "integrated_gradients", n_steps=16, target=t))
            out.setdefault("gradient x (x - median)", []).append(est.explain(rows, "gradient", target=t) * (rows - reference))
        elif name.startswith("SENN") and "gate" not in name:
            out.setdefault("contributions", []).append(est.explain(rows, "contributions", target=t))
            out.setdefault("gradient x (x - median)", []).append(est.explain(rows, "gradient", target=t) * (rows - reference))
    return {method: list(zip(targets, values)) for method, values in out.items()}


def quality(quick):
    seeds = range(2) if quick else range(10)
    results, stability, faithful = {}, {}, {}
    for set_name, X, y, task in datasets(quick):
        X = StandardScaler().fit_transform(X)  # unit scales: the Lipschitz estimates compare across methods
        for seed in progress(seeds, set_name, unit="seed"):
            split = dict(test_size=0.3, random_state=seed, stratify=y if task == "classification" else None)
            X_train, X_test, y_train, y_test = train_test_split(X, y, **split)
            for name, make in models(task).items():
                start = time.process_time()
                est = make(seed).fit(X_train, y_train)
                elapsed = time.process_time() - start
                results.setdefault((set_name, name), []).append((est.score(X_test, y_test), elapsed))
                rows = X_test[:20 if quick else 60]
                for method, explain in explanations(name, est).items():
                    lipschitz = local_lipschitz(explain, rows, radius=0.1, n_samples=10 if quick else 20,
                                                random_state=seed)
                    norm = np.linalg.norm(np.asarray(explain(rows)).reshape(len(rows), -1), axis=1).mean()
                    stability.setdefault((set_name, f"{name}: {method}"), []).append(lipschitz.mean() / norm)
                reference = np.median(X_train, axis=0)
                for method, per_target in attributions(name, est, rows, reference).items():
                    values = [faithfulness(est, rows, a, reference=reference, target=t) for t, a in per_target]
                    faithful.setdefault((set_name, f"{name}: {method}"), []).append(np.mean(values))
        for (s, name), values in results.items():
            if s == set_name:
                scores = np.array([v[0] for v in values])
                print(f"{set_name:>24}  {name:<26} score {scores.mean():.3f} +- {scores.std(ddof=1):.3f}", flush=True)
        for (s, name), values in stability.items():
            if s == set_name:
                print(f"{set_name:>24}  {name:<34} relative Lipschitz {np.mean(values):.3f}", flush=True)
        for (s, name), values in faithful.items():
            if s == set_name:
                print(f"{set_name:>24}  {name:<34} faithfulness {np.mean(values):.3f}", flush=True)
    return results, stability, faithful, len(seeds)


def mean_table(label, values, set_names):
    """Markdown rows: one per measured name, the mean over the seeds per set."""
    names = list(dict.fromkeys(m for _, m in values))
    lines = [f"| {label} | " + " | ".join(set_names) + " |", "|---|" + "---:|" * len(set_names)]
    for m in names:
        cells = [f"{np.mean(values[(s, m)]):.3f}" if (s, m) in values else "" for s in set_names]
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run, print only")
    parser.add_argument("--output", default=str(SENN_MD))
    args = parser.parse_args()
    started = time.time()
    speed_rows, torch_version = speed(args.quick)
    results, stability, faithful, n_seeds = quality(args.quick)
    if args.quick:
        return
    minutes = (time.time() - started) / 60
    lines = [
        "# SENN: speed, accuracy and the stability of its explanations",
        "",
        f"Generated by `python benchmarks/senn.py` on {datetime.date.today().isoformat()} "
        f"({minutes:.0f} min; {machine()}); scoresactivation {scoresactivation.__version__}, "
        f"PyTorch {torch_version or 'not installed'}. Do not edit by hand.",
        "",
        "SENN (Alvarez-Melis & Jaakkola 2018) with identity concepts: `logit_k(x) = sum_i theta_{k,i}(x) x_i + b_k`, "
        "theta an MLP, and the robustness penalty `lambda * sum_k mean ||grad_x logit_k - theta_k||^2`. "
        "See [docs/senn-models.md](senn-models.md) for the estimators.",
        "",
        "## Fit speed against PyTorch",
        "",
        f"Same model (theta {HIDDEN} relu, no gate), loss, penalty and AdamW; batch {BATCH}, "
        "no early stopping, one thread; best process CPU time of 3 runs. PyTorch computes the penalty's "
        "gradient by a double backward (autograd, `create_graph=True`) on `J_k^T x`, the cheapest form "
        "of `grad_x f_k - theta_k`; ours is the exact double backward written out in the core.",
        "",
        "| rows | features | lambda | ours (s) | PyTorch float32 (s) | PyTorch float64 (s) | float32 / ours | float64 / ours |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, d, penalty, ours, t32, t64 in speed_rows:
        lines.append(f"| {n} | {d} | {penalty} | {ours:.3f} | {t32:.3f} | {t64:.3f} | {t32 / ours:.2f}x | "
                     f"{t64 / ours:.2f}x |")
    if speed_rows:
        with_penalty = [r[4] / r[3] for r in speed_rows if r[2] > 0]
        lines += ["", f"With the penalty, PyTorch float32 / ours: min {min(with_penalty):.2f}x, "
                      f"max {max(with_penalty):.2f}x (target of issue 13: at least 3x)."]
    lines += [
        "",
        "## Accuracy (test accuracy, or R^2 for diabetes)",
        "",
        f"Mean +- sd over {n_seeds} seeds (each its own 70/30 split); default parameters otherwise "
        "(hidden layers (64, 32), early stopping). Inputs standardised.",
        "",
    ]
    set_names = list(dict.fromkeys(s for s, _ in results))
    model_names = list(dict.fromkeys(m for _, m in results))
    lines += ["| model | " + " | ".join(set_names) + " |", "|---|" + "---:|" * len(set_names)]
    for m in model_names:
        cells = []
        for s in set_names:
            values = np.array([v[0] for v in results.get((s, m), [])])
            cells.append(f"{values.mean():.3f} +- {values.std(ddof=1):.3f}" if len(values) else "")
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    lines += ["", "Fit time (mean process CPU seconds):", "",
              "| model | " + " | ".join(set_names) + " |", "|---|" + "---:|" * len(set_names)]
    for m in model_names:
        cells = [f"{np.mean([v[1] for v in results.get((s, m), [])]):.2f}" for s in set_names]
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Stability of the explanations (relative local Lipschitz estimate, lower is stabler)",
        "",
        "Per test row, `max ||e(x) - e(x')|| / ||x - x'||` over 20 points within 0.1 sd "
        "(`scoresactivation.metrics.local_lipschitz`), averaged over 60 test rows, divided by the mean "
        "`||e(x)||` on those rows; all classes' explanations together. SENN's theta against the gradient and "
        "Integrated Gradients (16 Gauss-Legendre points, mean baseline) of the plain MLP fitted on the same split.",
        "",
    ]
    lines += mean_table("explanation", stability, set_names)
    lines += [
        "",
        "## Faithfulness (higher is more faithful)",
        "",
        "SENN's faithfulness (`scoresactivation.metrics.faithfulness`): per test row, the correlation between the "
        "attributions and the drop of the explained output when each feature alone is set to the training median; "
        "mean over the 60 rows and over the classes. SENN's own contributions against gradient x (x - median) of "
        "the same SENN model, and DeepLIFT, Integrated Gradients and gradient x (x - median) of the plain MLP.",
        "",
    ]
    lines += mean_table("attribution", faithful, set_names)
    lines.append("")
    Path(args.output).write_text("\n".join(lines))
    print("wrote", args.output)


if __name__ == "__main__":
    main()
