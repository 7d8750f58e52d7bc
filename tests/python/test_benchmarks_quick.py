"""The scripts behind docs/shap-comparison.md and docs/paper-reproduction.md still run (--quick)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytest.importorskip("shap")
pytest.importorskip("matplotlib")
pytest.importorskip("pandas")


def run(script, out):
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), "--quick", "--out", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "MPLBACKEND": "Agg"})
    assert result.returncode == 0, f"{script} --quick failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def test_shap_comparison_quick(tmp_path):
    run("shap_comparison.py", tmp_path)
    text = (tmp_path / "shap-comparison.md").read_text()
    assert "| data | rows × features | test score | without layer | Spearman scores–SHAP |" in text
    assert "## Against the ground truth" in text and "## Stability over seeds" in text and "## Time" in text
    for image in ("shap-rank-scatter.png", "score-history.png", "shap-bars-breast-cancer.png"):
        assert (tmp_path / "images" / image).stat().st_size > 0
    assert not re.search(r"\bnan\b", text), "a table holds NaN"


def test_paper_reproduction_quick(tmp_path):
    run("paper_reproduction.py", tmp_path)
    text = (tmp_path / "paper-reproduction.md").read_text()
    assert "| data | with layer | without layer | gain (points) |" in text
    assert "+11.24 %" in text and "+29.33 %" in text and "150×" in text


def test_ranking_fidelity_quick(tmp_path):
    run("ranking_fidelity.py", tmp_path)
    text = (tmp_path / "ranking-fidelity.md").read_text()
    assert "## Tuning suites" in text and "## Held-out suites" in text and "## Stability over seeds" in text
    assert "## Correlated and duplicated groups" in text and "## Faithfulness on the same model" in text
    assert not re.search(r"\bnan\b", text), "a table holds NaN"
    # graded regression, 600 rows: the default's scores find the six relevant columns on both seeds,
    # and deleting its top 3 hurts the model more than deleting 3 random columns
    row = next(line for line in text.splitlines() if "| scores (default, snr gate) |" in line and "graded regression" in line)
    assert row.split("|")[5].strip() == "2/2"
    deletion = next(line for line in text.splitlines() if line.startswith("| graded regression | top 3 |"))
    cells = [float(c.split("±")[0]) for c in deletion.split("|")[3:-1]]
    assert cells[0] > cells[-1]  # default scores vs random ranking


def test_sequence_attribution_quick(tmp_path):
    run("sequence_attribution.py", tmp_path)
    text = (tmp_path / "sequence.md").read_text()
    assert "Produced by `python benchmarks/sequence_attribution.py --quick` on " in text
    for heading in ("## Summary: the issue's targets", "## Are the relevant channels the top 3? (synthetic sets)",
                    "## Keep and remove: synthetic classification", "## Paired tests", "## Cost of each ranking"):
        assert heading in text, heading
    assert not re.search(r"\bnan\b", text), "a table holds NaN"
    lines = text.splitlines()
    header = "| ranking (1 − accuracy) | keep 1 (10%) | keep 2 (20%) | keep 3 (30%) | keep 4 (40%) | remove 1 |"
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    methods = ["**scores**", "**DeepACTIF inv**", "**DeepACTIF mean**", "**DeepACTIF meanstd**", "integrated gradients",
               "gradient × input", "Shapley (SHAP)", "permutation", "random"]
    rows = [line.split("|")[1].strip() for line in lines[start + 2:start + 2 + len(methods) + 2]]
    assert rows == methods + ["*all 10 channels (the model ranked)*", "*null: predict the training majority class*"]
    cells = lines[start + 2].split("|")[2:-1]  # the scores' row: 4 keep + 4 remove errors, each "mean ± sd"
    assert len(cells) == 8 and all(0 <= float(c.split("±")[0]) <= 1 for c in cells)
    # the targets table: hit rates, speed ratios and the Wilcoxon comparison with SHAP
    targets = [line for line in lines if line.startswith("| relevant channels are the top 3")
               or (line.startswith("| ") and "faster than" in line) or line.startswith("| keep-top-k error with our best")]
    assert len(targets) == 2 + 4 + 1, targets


def test_benchmark_progress_is_a_bar_on_a_terminal_only(monkeypatch):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import _report
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    items = [3, 1, 2]
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert _report.progress(items, "runs") is items  # logs keep the scripts' own lines
    tqdm = pytest.importorskip("tqdm")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    bar = _report.progress(iter(items), "runs", total=3, unit="fit")
    assert isinstance(bar, tqdm.tqdm) and bar.total == 3 and bar.unit == "fit"
    assert list(bar) == items


def test_categorical_quick(tmp_path):
    run("categorical.py", tmp_path)
    text = (tmp_path / "categorical.md").read_text()
    assert "Produced by `python benchmarks/categorical.py --quick` on " in text
    rows = {tuple(cell.strip() for cell in line.split("|")[1:3]): line.split("|")[3:]
            for line in text.splitlines() if line.startswith("| regression") or line.startswith("| classification")}
    assert len(rows) == 6
    for task in ("regression", "classification"):
        # held-out permutation importance of a known-truth model tells every relevant variable from noise
        assert rows[task, "permutation (shared-gate model)"][1].strip() == "2/2"
    assert not re.search(r"\bnan\b", text), "a table holds NaN"
