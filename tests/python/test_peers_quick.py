"""benchmarks/peers.py --quick runs end to end (peers that are missing are reported, not fatal)."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "peers.py"


def test_peers_quick_writes_the_table(tmp_path):
    result = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--out", str(tmp_path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    text = (tmp_path / "peers.md").read_text()
    assert "## The issue's goals" in text
    assert "| scoresactivation (ours) | defaults |" in text
    for name in ("EBM (interpret)", "LassoNet", "TabNet (pytorch-tabnet)", "STG (stochastic gates)"):
        assert f"| {name} | defaults |" in text  # a row for every peer, run or 'not run: <reason>'
    assert (tmp_path / "images" / "peers_accuracy_vs_time.png").stat().st_size > 0
    assert (tmp_path / "images" / "peers_precision_vs_noise.png").stat().st_size > 0


def _load_peers_module():
    saved = dict(os.environ)  # the script pins thread counts in os.environ at import
    try:
        spec = importlib.util.spec_from_file_location("peers_benchmark", SCRIPT)
        module = importlib.util.module_from_spec(spec)
        sys.path.insert(0, str(SCRIPT.parent))
        try:
            spec.loader.exec_module(module)
        finally:
            sys.path.remove(str(SCRIPT.parent))
        return module
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_precision_at_k_breaks_ties_in_expectation():
    peers = _load_peers_module()
    assert peers.precision_at_k(np.array([5, 4, 3, 2, 1, 0, 0, 0, 0, 0.0])) == 1.0
    # all ten tied: 5 of the 10 columns are relevant, whatever their order
    assert peers.precision_at_k(np.ones(10)) == 0.5
    # four clear winners (3 relevant), then relevant columns 3, 4 tie with noise columns 6, 7 for the last place
    imp = np.array([9, 9, 9, 1, 1, 9, 1, 1, 0, 0.0])
    assert abs(peers.precision_at_k(imp) - (3 + 2 / 4) / 5) < 1e-12
    assert peers.precision_at_k(np.array([np.inf, 1, 1, 1, 1, 0, 0, 0, 0, 0])) == 1.0
