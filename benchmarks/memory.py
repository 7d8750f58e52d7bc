"""Peak memory of fit and predict against the size of the data, ours beside
scikit-learn's MLPClassifier (same layers, one epoch) in the same run.

Each measurement runs in a fresh process: the data are made first, the
kernel's high-water mark is reset (/proc/self/clear_refs), the call runs,
and the extra peak resident memory (VmHWM minus the resident size before the
call) is reported in units of the data's size (n x d float64). The R package
is measured the same way through Rscript when R is installed.

    python benchmarks/memory.py           # full grid, writes docs/benchmarks.md section
    python benchmarks/memory.py --quick   # small grid, prints only
"""

import argparse
import datetime
import json
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import DOCS, machine, write_section  # noqa: E402

PYTHON_CHILD = r"""
import json, sys, warnings
import numpy as np

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
    raise KeyError(key)

library, operation, n, d = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rng = np.random.default_rng(0)
X = rng.standard_normal((n, d))  # C order, float64: what users usually have
y = (X[:, 0] + X[:, 1] > 0).astype(int)
if library == "scoresactivation":
    from scoresactivation import ScoresActivationClassifier
    est = ScoresActivationClassifier(hidden_layer_sizes=(64, 32), max_epochs=1, refine_epochs=0,
                                     n_threads=1, random_state=0)
else:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    warnings.simplefilter("ignore", ConvergenceWarning)
    est = MLPClassifier(hidden_layer_sizes=(64, 32), max_iter=1, random_state=0)
if operation == "predict":
    est.fit(X[:2000], y[:2000])
open("/proc/self/clear_refs", "w").write("5")  # VmHWM := current RSS
before = status("VmRSS:")
if operation == "fit":
    est.fit(X, y)
else:
    est.predict_proba(X)
print(json.dumps({"extra": status("VmHWM:") - before, "data": X.nbytes}))
"""

R_CHILD = r"""
args <- commandArgs(TRUE)
operation <- args[1]; n <- as.integer(args[2]); d <- as.integer(args[3])
status <- function(key) {
  line <- grep(paste0("^", key), readLines("/proc/self/status"), value = TRUE)
  as.numeric(strsplit(trimws(sub(key, "", line)), " +")[[1]][1]) * 1024
}
suppressMessages(library(scoresactivation))
set.seed(0)
x <- matrix(rnorm(n * d), n, d)
y <- factor(x[, 1] + x[, 2] > 0)
if (operation == "predict") fit <- scores_activation(x[1:2000, ], y[1:2000], max_epochs = 1, refine_epochs = 0, n_threads = 1, random_state = 0)
invisible(gc())
cat("5", file = "/proc/self/clear_refs")
before <- status("VmRSS:")
if (operation == "fit") {
  fit <- scores_activation(x, y, max_epochs = 1, refine_epochs = 0, n_threads = 1, random_state = 0)
} else {
  p <- predict(fit, x, type = "prob")
}
cat(sprintf('{"extra": %.0f, "data": %.0f}\n', status("VmHWM:") - before, 8 * n * d))
"""


def measure(library, operation, n, d):
    if library == "R":
        command = ["Rscript", "-e", R_CHILD, operation, str(n), str(d)]
    else:
        command = [sys.executable, "-c", PYTHON_CHILD, library, operation, str(n), str(d)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    if result.returncode != 0:
        raise RuntimeError(f"{library} {operation} {n}x{d} failed:\n{result.stderr[-2000:]}")
    out = json.loads(result.stdout.strip().splitlines()[-1])
    return out["extra"] / out["data"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, print only")
    parser.add_argument("--no-r", action="store_true", help="skip the R package")
    args = parser.parse_args()
    sizes = [(100_000, 50)] if args.quick else [(200_000, 100), (1_000_000, 100)]
    libraries = ["scoresactivation", "sklearn"] + (["R"] if shutil.which("Rscript") and not args.no_r else [])
    names = {"scoresactivation": "ours (Python)", "sklearn": "sklearn MLPClassifier", "R": "ours (R)"}
    rows = []
    for n, d in sizes:
        for operation in ("fit", "predict"):
            cells = {lib: measure(lib, operation, n, d) for lib in libraries}
            rows.append((n, d, operation, cells))
            print(f"{operation:7s} {n}x{d} ({8 * n * d / 2**30:.2f} GiB): " +
                  ", ".join(f"{names[lib]} {cells[lib]:.2f}x" for lib in libraries), flush=True)
    if args.quick:
        return
    today = datetime.date.today().isoformat()
    lines = [
        "## Memory (benchmarks/memory.py)", "",
        f"`python benchmarks/memory.py`, {today}, {machine()}.", "",
        "Extra peak resident memory of one call, in units of the data's size (n x d float64, C order as numpy "
        "makes it; an R matrix in R), measured in a fresh process per cell (VmHWM after resetting it, minus the "
        "resident size before the call). Fit: hidden (64, 32), one epoch, early stopping's validation split "
        "included. The design target: fit at most one extra copy of the data (1.0x plus the model), predict O(batch).", "",
        "| rows x columns | data | call | " + " | ".join(names[lib] for lib in libraries) + " |",
        "|---|---|---|" + "---|" * len(libraries),
    ]
    for n, d, operation, cells in rows:
        lines.append(f"| {n:,} x {d} | {8 * n * d / 2**30:.2f} GiB | {operation} | " +
                     " | ".join(f"{cells[lib]:.2f}x" for lib in libraries) + " |")
    lines += ["", "Where we are weaker: scikit-learn's MLP slices mini-batches straight from X and needs almost no "
              "extra memory to fit; we keep one standardised, row-major copy (gathering shuffled rows from it is "
              "what makes our epochs fast). Predict streams blocks of 1 024 rows in both packages."]
    section = "\n".join(lines) + "\n"
    write_section(section)
    write_section(section, path=DOCS / "robustness.md")
    print("wrote the memory section of docs/benchmarks.md and docs/robustness.md")


if __name__ == "__main__":
    main()
