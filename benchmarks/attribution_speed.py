"""Speed of our attributions against shap and captum on the same fitted model.

- Shapley values: our sampled Shapley (antithetic permutations, C++) against
  shap's PermutationExplainer at the same number of permutations, the
  same background rows and the same model function (our C++ forward pass, so
  the difference is the explainer machinery, not the network). The error of
  both against exact Shapley values (our exact explainer, checked against
  shap's Exact explainer in the test suite) shows they estimate the same thing.
- DeepLIFT (Rescale): ours against captum's DeepLift on a PyTorch copy of the
  same weights, same rows, same reference (the training mean); captum is run
  in float64, where it matches ours to 1e-6, and in float32, its usual setting.
- Integrated Gradients (50 Gauss-Legendre steps): ours against captum's.

Everything runs on --threads threads (ours: n_threads; PyTorch:
torch.set_num_threads). Timings are the best of a few repeats, all in one run,
in process CPU time (robust to other load on the machine; with one thread it
equals wall time on an idle machine).

    python benchmarks/attribution_speed.py            # writes a section of docs/benchmarks.md
    python benchmarks/attribution_speed.py --quick    # small sizes, prints only
"""

import argparse
import datetime
import sys
from pathlib import Path

import numpy as np

import scoresactivation
from scoresactivation import ScoresActivationClassifier, _core

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import BENCHMARKS_MD, best_cpu_time_of, machine, write_section  # noqa: E402
from datasets import classification_10, classification_16  # noqa: E402


def classification_100(seed):
    """make_classification with 5 informative columns and 95 of noise."""
    from sklearn.datasets import make_classification

    return make_classification(n_samples=2000, n_features=100, n_informative=5, n_redundant=0, shuffle=False,
                               random_state=seed)


def logit_function(est, target, threads):
    """The model function handed to shap: one class's logit from our forward pass."""

    def f(rows):
        return np.asarray(_core.model_outputs(est._core, np.asfortranarray(rows, dtype=float), "raw", threads))[:, target]

    return f


def torch_copy(est, dtype):
    """The fitted network in PyTorch: standardisation and the scores gate as a
    fixed element-wise affine map (the gate is constant at explanation time),
    then the dense layers with relu."""
    import torch

    arrays = est._core.state()["arrays"]
    gate = est.n_features_in_ * est.scores()
    mean = torch.tensor(arrays["input_mean"], dtype=dtype)
    scale = torch.tensor(arrays["input_scale"] / gate, dtype=dtype)

    class Standardise(torch.nn.Module):
        def forward(self, x):
            return (x - mean) / scale

    layers = [Standardise()]
    n_layers = len([k for k in arrays if k.startswith("dense_") and k.endswith("_weight")])
    for layer in range(n_layers):
        weight = arrays[f"dense_{layer}_weight"]
        linear = torch.nn.Linear(*weight.shape).to(dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(weight.T, dtype=dtype))
            linear.bias.copy_(torch.tensor(arrays[f"dense_{layer}_bias"], dtype=dtype))
        layers.append(linear)
        if layer < n_layers - 1:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers).eval()


def fitted(make, seed, threads):
    X, y = make(seed)
    est = ScoresActivationClassifier(random_state=seed, n_threads=threads).fit(X, y)
    return est, X


def shapley_rows(est, X, n_explained, n_background, pairs, threads, repeats, with_exact):
    """Ours vs shap's PermutationExplainer at equal model evaluations."""
    import shap

    d = X.shape[1]
    background = X[:n_background]
    explained = X[n_background:n_background + n_explained]
    target = 1
    # shap's PermutationExplainer: each permutation is evaluated forwards and
    # backwards (an antithetic pair) in 2d + 1 masked samples; ours walks
    # each of the 2 * pairs orders through d - 1 coalitions (the empty and
    # the full coalition are shared).
    max_evals = pairs * (2 * d + 1)
    masker = shap.maskers.Independent(background, max_samples=n_background)
    explainer = shap.explainers.Permutation(logit_function(est, target, threads), masker)
    theirs = {}

    def run_shap():
        theirs["values"] = explainer(explained, max_evals=max_evals, silent=True).values

    ours = {}

    def run_ours():
        ours["values"] = est.explain(explained, "shapley", background=background, target=target, exact=False,
                                     n_permutations=2 * pairs, random_state=0)

    explainer(explained[:1], max_evals=max_evals, silent=True)  # warm-up: shap compiles on first use
    t_shap = best_cpu_time_of(run_shap, repeats)
    t_ours = best_cpu_time_of(run_ours, repeats)
    evals_ours = 2 * pairs * (d - 1)
    evals_shap = pairs * (2 * d + 1)
    row = {"d": d, "rows": n_explained, "background": n_background, "pairs": pairs,
           "evals_ours": evals_ours, "evals_shap": evals_shap, "ours": t_ours, "shap": t_shap}
    if with_exact:
        exact = est.explain(explained, "shapley", background=background, target=target, exact=True)
        scale = np.sqrt(np.mean(exact ** 2))
        row["err_ours"] = np.sqrt(np.mean((ours["values"] - exact) ** 2)) / scale
        row["err_shap"] = np.sqrt(np.mean((theirs["values"] - exact) ** 2)) / scale
    return row


def gradient_method_rows(est, X, n_rows, threads, repeats):
    """Ours vs captum's DeepLift and IntegratedGradients on the same weights."""
    import torch
    from captum.attr import DeepLift, IntegratedGradients

    torch.set_num_threads(threads)
    rows_X = np.resize(X, (n_rows, X.shape[1]))  # repeat rows to reach n_rows
    reference = X.mean(axis=0)
    target = 1
    out = []
    for method in ("deeplift", "integrated_gradients"):
        kwargs = {"baseline": reference, "target": target}
        if method == "integrated_gradients":
            kwargs["n_steps"] = 50
        ours_values = {}

        def run_ours():
            ours_values["v"] = est.explain(rows_X, method, **kwargs)

        run_ours()
        t_ours = best_cpu_time_of(run_ours, repeats)
        row = {"method": method, "d": X.shape[1], "rows": n_rows, "ours": t_ours}
        for name, dtype in (("float64", torch.float64), ("float32", torch.float32)):
            model = torch_copy(est, dtype)
            inputs = torch.tensor(rows_X, dtype=dtype)
            baseline = torch.tensor(reference.reshape(1, -1), dtype=dtype)
            theirs = {}
            if method == "deeplift":
                explainer = DeepLift(model)

                def run_captum():
                    theirs["v"] = explainer.attribute(inputs, baselines=baseline, target=target)
            else:
                explainer = IntegratedGradients(model)

                def run_captum():
                    # captum batches all steps at once unless told otherwise;
                    # internal_batch_size keeps memory bounded like ours.
                    theirs["v"] = explainer.attribute(inputs, baselines=baseline, target=target, n_steps=50,
                                                      method="gausslegendre", internal_batch_size=1024)

            run_captum()  # warm-up: hooks and autograd set-up on first use
            row[f"captum_{name}"] = best_cpu_time_of(run_captum, repeats)
            row[f"diff_{name}"] = float(np.max(np.abs(theirs["v"].detach().numpy() - ours_values["v"])))
        out.append(row)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, print only")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--output", default=str(BENCHMARKS_MD))
    args = parser.parse_args()
    import shap

    try:
        import captum
        import torch
    except ImportError:
        captum = torch = None
        print("PyTorch or captum is not installed: the captum comparison is skipped "
              "(pip install torch==2.13.0 captum)")

    repeats = 1 if args.quick else 3
    threads = args.threads
    if args.quick:
        shapley_cases = [(classification_10, 5, 20, 5, True)]
        gradient_cases = [(classification_10, 500)]
    else:
        shapley_cases = [(classification_10, 200, 100, 10, True), (classification_16, 200, 100, 10, False),
                         (classification_16, 100, 100, 50, False), (classification_100, 20, 100, 10, False)]
        gradient_cases = [(classification_10, 1000), (classification_10, 20000), (classification_100, 20000)]

    print("Shapley values: ours (sampled, antithetic) vs shap PermutationExplainer, same permutations")
    shapley_results = []
    for make, n_explained, n_background, pairs, with_exact in shapley_cases:
        est, X = fitted(make, 0, threads)
        row = shapley_rows(est, X, n_explained, n_background, pairs, threads, repeats, with_exact)
        shapley_results.append(row)
        errors = (f"  relative RMS error vs exact: ours {row['err_ours']:.3f}, shap {row['err_shap']:.3f}"
                  if with_exact else "")
        print(f"  d={row['d']} rows={row['rows']} background={row['background']} evals/row "
              f"{row['evals_ours']}/{row['evals_shap']}: ours {row['ours']:.3f}s shap {row['shap']:.3f}s "
              f"-> {row['shap'] / row['ours']:.1f}x{errors}", flush=True)

    print("DeepLIFT and Integrated Gradients: ours vs captum on the same weights")
    gradient_results = []
    for make, n_rows in (gradient_cases if torch is not None else []):
        est, X = fitted(make, 0, threads)
        for row in gradient_method_rows(est, X, n_rows, threads, repeats):
            gradient_results.append(row)
            print(f"  {row['method']} d={row['d']} rows={row['rows']}: ours {row['ours']:.4f}s, captum float64 "
                  f"{row['captum_float64']:.4f}s ({row['captum_float64'] / row['ours']:.1f}x, max diff "
                  f"{row['diff_float64']:.1e}), float32 {row['captum_float32']:.4f}s "
                  f"({row['captum_float32'] / row['ours']:.1f}x)", flush=True)

    shap_ratios = [r["shap"] / r["ours"] for r in shapley_results]
    deeplift = [r for r in gradient_results if r["method"] == "deeplift"]
    captum_ratios = [min(r["captum_float64"], r["captum_float32"]) / r["ours"] for r in deeplift]
    print(f"shap / ours (Shapley): min {min(shap_ratios):.1f}x")
    if captum_ratios:
        print(f"captum / ours (DeepLIFT, captum's faster precision): min {min(captum_ratios):.1f}x")
    if args.quick:
        return
    if torch is None:
        raise SystemExit("the full benchmark needs PyTorch and captum")

    lines = [
        "## Attribution speed (benchmarks/attribution_speed.py)",
        "",
        f"Command: `python benchmarks/attribution_speed.py --threads {threads}`, run on "
        f"{datetime.date.today().isoformat()}; {machine()}; scoresactivation {scoresactivation.__version__}, "
        f"shap {shap.__version__}, captum {captum.__version__}, PyTorch {torch.__version__}; {threads} thread(s) "
        f"for every library; best of {repeats} runs, process CPU time. Models: the default classifier fitted on the "
        "make_classification sets of `benchmarks/datasets.py` (seed 0); class 1's logit is explained.",
        "",
        "### Shapley values at the same number of permutations",
        "",
        "shap's PermutationExplainer is given our model's forward pass as its model function, so both "
        "sides spend the same time in the network; the ratio measures the explainer. One antithetic pair "
        "of permutations costs shap 2d + 1 masked evaluations and us 2(d - 1) (the empty and full coalitions "
        "are shared); every evaluation runs the background rows through the network. Error: relative RMS difference from the exact Shapley values "
        "(all 2^d coalitions, computed by our exact explainer).",
        "",
        "| features | explained rows | background rows | permutation pairs | evaluations / row (ours, shap) "
        "| ours (s) | shap (s) | shap / ours | error ours | error shap |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in shapley_results:
        errors = (f"{r['err_ours']:.3f} | {r['err_shap']:.3f}" if "err_ours" in r else "– | –")
        lines.append(f"| {r['d']} | {r['rows']} | {r['background']} | {r['pairs']} | {r['evals_ours']}, "
                     f"{r['evals_shap']} | {r['ours']:.3f} | {r['shap']:.3f} | {r['shap'] / r['ours']:.1f}x | "
                     f"{errors} |")
    lines += [
        "",
        "With the same permutations the two compute the same estimator (equal errors above), and the "
        "time goes into the network evaluations (ours are 2(d - 1) per pair, shap's 2d + 1, as the table "
        "says): shap's explainer adds little on top of a compiled model function, so no explainer can be 20x "
        "faster at equal permutations. Ours saves the first layer's "
        "product (rank-1 updates along each order), the empty and full coalitions, and Python; it also "
        "runs over rows on several threads, and offers exact values (all 2^d coalitions, walked in Gray-code "
        "order) up to 16 features.",
        "",
        "### DeepLIFT (Rescale) and Integrated Gradients against captum",
        "",
        "captum runs on a PyTorch copy of the same weights (standardisation and the scores gate as a "
        "fixed affine map, then the dense layers); the reference is the training mean. 'max diff' is the "
        "largest absolute difference between captum's float64 attributions and ours. Integrated Gradients: "
        "50 Gauss-Legendre steps, captum with internal_batch_size=1024.",
        "",
        "| method | features | rows | ours (s) | captum float64 (s) | captum float32 (s) | captum64 / ours "
        "| captum32 / ours | max diff (float64) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in gradient_results:
        lines.append(f"| {r['method']} | {r['d']} | {r['rows']} | {r['ours']:.4f} | {r['captum_float64']:.4f} | "
                     f"{r['captum_float32']:.4f} | {r['captum_float64'] / r['ours']:.1f}x | "
                     f"{r['captum_float32'] / r['ours']:.1f}x | {r['diff_float64']:.1e} |")
    lines += [
        "",
        f"Ratios: shap / ours for Shapley values min {min(shap_ratios):.1f}x (target 20x); captum / ours for "
        f"DeepLIFT, against captum's faster precision, min {min(captum_ratios):.1f}x (target 3x).",
        "",
    ]
    print("wrote", write_section("\n".join(lines), args.output))


if __name__ == "__main__":
    main()
