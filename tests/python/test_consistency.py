"""The consistency (harmonizing) report: closed-form agreement values, the
consensus on fitted models with a known truth, the heatmap, and bad input."""

import numpy as np
import pytest

from scoresactivation import ConsistencyReport, ScoresActivationRegressor, SENNRegressor, consistency


def test_closed_form_values():
    r = consistency({"a": [3, 2, 1, 0], "b": [3, 2, 0, 1], "reversed": [0, 1, 2, 3]}, top_k=3)
    assert r.names == ["a", "b", "reversed"]
    # One swap of the last two: rho = 1 - 6 * 2 / (4 * 15), tau = (5 - 1) / 6.
    assert r.spearman[0, 1] == pytest.approx(0.8)
    assert r.kendall[0, 1] == pytest.approx(4 / 6)
    assert r.top_k_overlap[0, 1] == pytest.approx(2 / 3)
    assert r.spearman[0, 2] == pytest.approx(-1.0)
    assert np.isnan(r.spearman[0, 0])  # one run: no stability of its own
    np.testing.assert_allclose(r.mean_rank[0], [1, 2, 3, 4])
    np.testing.assert_allclose(r.consensus_rank, [2, 7 / 3, 3, 8 / 3])
    np.testing.assert_array_equal(r.consensus_ranking, [0, 1, 3, 2])
    assert r.to_frame("kendall").loc["a", "b"] == pytest.approx(4 / 6)


def test_runs_give_each_source_its_stability():
    r = consistency({"seeds": np.array([[3, 2, 1, 0], [3, 2, 0, 1]]), "one": np.array([4, 3, 2, 1])},
                    feature_names=["w", "x", "y", "z"])
    assert r.top_k == 4  # min(5, d)
    assert r.spearman[0, 0] == pytest.approx(0.8)
    assert r.spearman[0, 1] == pytest.approx(0.9)
    np.testing.assert_allclose(r.mean_rank[0], [1, 2, 3.5, 3.5])
    assert list(r.consensus_ranking[:2]) == ["w", "x"]


def test_consensus_of_fitted_models_finds_the_truth():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(800, 6))
    y = 3 * X[:, 0] - 2 * X[:, 1] + 1.0 * X[:, 2] + 0.1 * rng.normal(size=800)
    quick = dict(hidden_layer_sizes=(16,), max_epochs=40, refine_epochs=5, learning_rate=1e-2, n_threads=1)
    gated = [ScoresActivationRegressor(random_state=s, **quick).fit(X, y) for s in range(3)]
    senn = [SENNRegressor(random_state=s, **quick).fit(X, y) for s in range(3)]
    r = consistency({
        "gated MLP: scores": [m.scores() for m in gated],
        "SENN: contributions": [m.global_importance(X, method="contributions") for m in senn],
        "SENN: scores": [m.scores() for m in senn],
    }, top_k=3)
    assert sorted(r.consensus_ranking[:3]) == [0, 1, 2]
    assert np.all(r.top_k_overlap[~np.isnan(r.top_k_overlap)] > 0.6)
    assert r.spearman[0, 1] > 0.5
    assert np.all(r.consensus_spread >= 0)


def test_heatmap_writes_every_value():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    r = consistency({"a": [[3, 2, 1, 0], [3, 2, 0, 1]], "b": [3, 2, 0, 1]}, top_k=2)
    ax = r.plot("spearman")
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == sorted(["0.80", "0.90", "0.90", "n/a"])
    assert "Spearman" in ax.get_title()
    assert isinstance(r, ConsistencyReport)


@pytest.mark.parametrize(
    "importances, kwargs, message",
    [
        ({}, {}, "non-empty dict"),
        ([1, 2], {}, "non-empty dict"),
        ({"a": [1, 2, 3]}, {}, "at least two sources"),  # one model only
        ({"a": [1, 2, 3], "b": [1, 2]}, {}, r"importances\['b'\]"),
        ({"ok": [1, 2, 3], "a": [1, np.nan, 3]}, {}, r"importances\['a'\] contains NaN"),
        ({"a": [["x", "y"]]}, {}, "numeric"),
        ({"a": np.zeros((2, 2, 2))}, {}, "runs, n_features"),
        ({"a": [1, 2, 3], "b": [3, 2, 1]}, {"top_k": 4}, "top_k"),
        ({"a": [1, 2, 3], "b": [3, 2, 1]}, {"top_k": 1.5}, "top_k"),
        ({"a": [1, 2, 3], "b": [3, 2, 1]}, {"feature_names": ["x"]}, "feature_names"),
        ({"a": [1.0], "b": [2.0]}, {}, "2 features"),
    ],
)
def test_bad_input_names_the_argument(importances, kwargs, message):
    with pytest.raises(ValueError, match=message):
        consistency(importances, **kwargs)


def test_plot_metric_is_checked():
    r = consistency({"a": [1, 2, 3], "b": [3, 2, 1]})
    with pytest.raises(ValueError, match="metric"):
        r.to_frame("pearson")
