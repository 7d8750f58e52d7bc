"""plot_scores, plot_history and to_shap_explanation (matplotlib and shap are optional)."""

import sys

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

import scoresactivation
from scoresactivation import (
    ScoresActivationClassifier,
    ScoresActivationRegressor,
    plot_history,
    plot_scores,
    to_shap_explanation,
)

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def fitted_frame(classification_data):
    X, y = classification_data
    names = [f"feature_{j}" for j in range(X.shape[1])]
    frame = pd.DataFrame(X, columns=names)
    est = ScoresActivationClassifier(random_state=0, n_threads=1, max_epochs=30).fit(frame, y)
    return est, names


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_exported_from_package():
    for name in ("plot_scores", "plot_history", "to_shap_explanation"):
        assert name in scoresactivation.__all__


def test_plot_scores_bars_are_the_ranked_scores(fitted_frame):
    est, names = fitted_frame
    ax = plot_scores(est)
    scores = est.scores()
    order = np.argsort(-scores, kind="stable")
    widths = [patch.get_width() for patch in ax.patches]
    np.testing.assert_allclose(widths, scores[order])
    assert [t.get_text() for t in ax.get_yticklabels()] == [names[j] for j in order]
    assert list(est.ranking()) == [names[j] for j in order]
    # most important on top: the first bar has the highest y on screen (inverted axis)
    assert ax.yaxis_inverted()
    assert ax.patches[0].get_y() < ax.patches[-1].get_y()


def test_plot_scores_top_and_given_axes(fitted_frame):
    est, names = fitted_frame
    fig, ax = plt.subplots()
    out = plot_scores(est, ax=ax, top=3)
    assert out is ax
    assert len(ax.patches) == 3
    np.testing.assert_allclose([p.get_width() for p in ax.patches], np.sort(est.scores())[::-1][:3])
    with pytest.raises(ValueError, match="top"):
        plot_scores(est, top=0)


def test_plot_scores_without_names_uses_column_indices(regression_data):
    X, y = regression_data
    est = ScoresActivationRegressor(random_state=0, n_threads=1, max_epochs=5).fit(X, y)
    ax = plot_scores(est)
    order = np.argsort(-est.scores(), kind="stable")
    assert [t.get_text() for t in ax.get_yticklabels()] == [f"x{j}" for j in order]


def test_plot_history_lines_are_the_history_columns(fitted_frame):
    est, names = fitted_frame
    ax = plot_history(est)
    history = est.scores_history_
    assert len(ax.lines) == est.n_features_in_
    by_label = {line.get_label(): line for line in ax.lines}
    assert set(by_label) == set(names)
    for j, name in enumerate(names):
        x, y = by_label[name].get_data()
        np.testing.assert_allclose(y, history[:, j])
        np.testing.assert_array_equal(x, np.arange(1, est.n_epochs_ + 1))
    assert len(plot_history(est, top=2).lines) == 2


def test_unfitted_estimator_raises_not_fitted():
    for function in (plot_scores, plot_history, to_shap_explanation):
        with pytest.raises(NotFittedError):
            function(ScoresActivationClassifier())


def test_model_without_scores_layer_raises(classification_data):
    X, y = classification_data
    est = ScoresActivationClassifier(scores_layer=False, random_state=0, n_threads=1, max_epochs=3).fit(X, y)
    for function in (plot_scores, plot_history):
        with pytest.raises(ValueError, match="scores_layer=False"):
            function(est)


def test_missing_matplotlib_raises_clear_import_error(fitted_frame, monkeypatch):
    est, _ = fitted_frame
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"plot_scores needs matplotlib: pip install matplotlib"):
        plot_scores(est)
    with pytest.raises(ImportError, match=r"plot_history needs matplotlib: pip install matplotlib"):
        plot_history(est)


def test_missing_shap_raises_clear_import_error(fitted_frame, monkeypatch):
    est, _ = fitted_frame
    monkeypatch.setitem(sys.modules, "shap", None)
    with pytest.raises(ImportError, match=r"to_shap_explanation needs shap: pip install shap"):
        to_shap_explanation(est)


def test_to_shap_explanation_holds_the_scores(fitted_frame):
    shap = pytest.importorskip("shap")
    est, names = fitted_frame
    explanation = to_shap_explanation(est)
    assert isinstance(explanation, shap.Explanation)
    np.testing.assert_array_equal(explanation.values, est.scores())
    assert list(explanation.feature_names) == names
    shap.plots.bar(explanation, show=False)  # shap's own plot accepts it


def test_plot_scores_draws_the_bootstrap_intervals_as_error_bars(regression_data):
    X, y = regression_data
    est = ScoresActivationRegressor(random_state=0, n_threads=1, max_epochs=5, refine_epochs=1,
                                    n_bootstrap=4).fit(X, y)
    ax = plot_scores(est)
    order = np.argsort(-est.scores(), kind="stable")
    low, high = est.scores_interval()
    (bars,) = [c for c in ax.containers if getattr(c, "errorbar", None) is not None]
    segments = bars.errorbar.lines[2][0].get_segments()  # one horizontal segment per bar
    ends = np.array([[seg[0][0], seg[1][0]] for seg in segments])
    scores = est.scores()[order]
    np.testing.assert_allclose(ends[:, 0], np.minimum(low[order], scores))
    np.testing.assert_allclose(ends[:, 1], np.maximum(high[order], scores))
