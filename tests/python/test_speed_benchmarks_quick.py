"""The speed benchmarks in --quick mode, so the scripts cannot rot."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(script, *args):
    return subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), "--quick", *args],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)


def test_fit_speed_quick_reports_ratios():
    result = run("fit_speed.py")
    assert result.returncode == 0, result.stderr
    assert "sklearn / ours" in result.stdout


def test_attribution_speed_quick_reports_ratios_and_accuracy():
    pytest.importorskip("shap", reason="shap is a benchmark dependency")
    result = run("attribution_speed.py")
    assert result.returncode == 0, result.stderr
    assert "shap / ours (Shapley)" in result.stdout
    # both estimators of the Shapley values are close to the exact values
    line = next(line for line in result.stdout.splitlines() if "relative RMS error" in line)
    errors = [float(part.split()[-1].rstrip(",")) for part in line.split("exact:")[1].split(",")]
    assert all(error < 0.2 for error in errors), line


def test_memory_quick_reports_fit_within_one_copy():
    result = run("memory.py", "--no-r")
    assert result.returncode == 0, result.stderr
    fit = next(line for line in result.stdout.splitlines() if line.startswith("fit"))
    ours = float(fit.split("ours (Python) ")[1].split("x")[0])
    # One standardised copy, plus the model and workspaces (issue 11: at most one extra copy).
    assert ours < 1.3, fit


def test_sequence_speed_quick_reports_ratio():
    pytest.importorskip("torch", reason="PyTorch is a benchmark dependency")
    result = run("sequence_speed.py")
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("torch / ours (gated, float32, wall)"))
    assert float(line.split("min")[1].rstrip("x")) > 0, line


def test_senn_quick_reports_speed_and_stability():
    pytest.importorskip("torch", reason="PyTorch is a benchmark dependency")
    result = run("senn.py")
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("torch float32 / ours (with the penalty)"))
    assert float(line.split("min")[1].rstrip("x")) > 0, line
    # The penalty's claim, even in the quick run: theta with lambda > 0 is stabler than the MLP's gradient.
    found = (re.match(r"^\s*(.+?)\s{2,}(.+?)\s+relative Lipschitz ([0-9.]+)$", line)
             for line in result.stdout.splitlines())
    lipschitz = {m.group(2): float(m.group(3)) for m in found if m}
    assert lipschitz["SENN, lambda 0.1: theta"] < lipschitz["plain MLP: gradient"], lipschitz


def test_consistency_quick_reports_agreement_and_the_consensus():
    result = run("consistency.py")
    assert result.returncode == 0, result.stderr
    truth = [line for line in result.stdout.splitlines() if "truth (inside relevant)" in line]
    assert len(truth) == 2, result.stdout
    # The consensus of every source recovers the graded order inside the relevant set.
    for line in truth:
        assert float(line.split("consensus ")[1].split(",")[0]) > 0.8, line
    assert "within method 'permutation' across architectures" in result.stdout
