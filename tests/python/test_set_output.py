"""set_output(scores="pandas"): the per-feature results as pandas objects
indexed by the feature names, opt-in (ndarrays stay the default, so
sklearn's checks and existing code are unaffected)."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import load_diabetes
from sklearn.feature_selection import SelectFromModel

import scoresactivation as sa

X, y = load_diabetes(return_X_y=True, as_frame=True)


@pytest.fixture(scope="module")
def fitted():
    return sa.ScoresActivationRegressor(max_epochs=15, n_bootstrap=3, random_state=0).fit(X, y)


def test_default_is_ndarrays(fitted):
    assert isinstance(fitted.scores(), np.ndarray) and isinstance(fitted.ranking(), np.ndarray)
    assert isinstance(fitted.feature_importances_, np.ndarray)


def test_pandas_scores_are_series_indexed_by_feature_names(fitted):
    est = pickle.loads(pickle.dumps(fitted)).set_output(scores="pandas")
    plain = fitted.scores()
    scores = est.scores()
    assert isinstance(scores, pd.Series) and scores.name == "scores"
    assert list(scores.index) == list(X.columns) and scores.index.name == "feature"
    np.testing.assert_array_equal(scores.to_numpy(), plain)
    pd.testing.assert_series_equal(est.feature_importances_, scores)
    ranking = est.ranking()
    assert list(ranking.index) == list(fitted.ranking())  # the index is the ranking
    assert ranking.is_monotonic_decreasing
    interval = est.scores_interval(0.9)
    assert list(interval.columns) == ["lower", "upper"] and list(interval.index) == list(X.columns)
    np.testing.assert_array_equal(interval.to_numpy().T, fitted.scores_interval(0.9))
    permutation = est.global_importance(X, y, "permutation", n_repeats=2, random_state=0)
    assert isinstance(permutation, pd.Series) and permutation.name == "permutation"
    np.testing.assert_array_equal(permutation.to_numpy(),
                                  fitted.global_importance(X, y, "permutation", n_repeats=2, random_state=0))
    # Kept by pickling; set_output(scores=None) changes nothing; "default" goes back.
    assert isinstance(pickle.loads(pickle.dumps(est)).scores(), pd.Series)
    assert isinstance(est.set_output(scores=None).scores(), pd.Series)
    assert isinstance(est.set_output(scores="default").scores(), np.ndarray)


def test_without_names_the_index_is_the_column_numbers_and_clone_keeps_the_setting():
    est = sa.ScoresActivationRegressor(max_epochs=5, random_state=0).set_output(scores="pandas")
    again = clone(est)
    again.fit(X.to_numpy(), y)
    assert list(again.scores().index) == list(range(X.shape[1]))
    assert list(again.ranking().index) == list(np.argsort(-again.scores().to_numpy(), kind="stable"))


def test_plots_and_selection_work_with_pandas_scores(fitted):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    est = pickle.loads(pickle.dumps(fitted)).set_output(scores="pandas")
    labels = [t.get_text() for t in sa.plot_scores(est, top=3).get_yticklabels()]
    assert labels == [t.get_text() for t in sa.plot_scores(fitted, top=3).get_yticklabels()]
    assert sorted(labels) == sorted(fitted.ranking()[:3])
    # SelectFromModel refits a clone (which keeps the setting) and reads its Series importances.
    selector = SelectFromModel(est, max_features=3, threshold=-np.inf).fit(X, y)
    assert isinstance(selector.estimator_.feature_importances_, pd.Series)
    top = selector.estimator_.ranking().index[:3]
    assert list(selector.get_feature_names_out()) == [c for c in X.columns if c in set(top)]


def test_sequence_channels_and_bad_values():
    seq = np.random.default_rng(0).normal(size=(50, 4, 2))
    est = sa.ScoresActivationSequenceRegressor(units=(4,), max_epochs=2, random_state=0).fit(seq, seq[:, :, 0].sum(1))
    assert est.set_output(scores="pandas").scores().index.name == "channel"
    with pytest.raises(ValueError, match="scores must be 'default', 'pandas' or None"):
        est.set_output(scores="polars")
