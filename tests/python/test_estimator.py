"""Behaviour of the estimators: scores, ranking, round trips, determinism."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from scoresactivation import ScoresActivationClassifier, ScoresActivationRegressor, load_model

QUICK = dict(hidden_layer_sizes=(16,), max_epochs=30, random_state=0)


def test_scores_are_a_distribution_in_column_order(classification_data):
    X, y = classification_data
    est = ScoresActivationClassifier(**QUICK).fit(X, y)
    scores = est.scores()
    assert scores.shape == (10,)
    assert np.all(scores >= 0)
    assert scores.sum() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_array_equal(scores, est.feature_importances_)
    # scores() returns a copy: mutating it does not touch the model
    scores[:] = 0
    assert est.scores().sum() == pytest.approx(1.0)


def test_ranking_orders_indices_by_score(classification_data):
    X, y = classification_data
    est = ScoresActivationClassifier(**QUICK).fit(X, y)
    ranking = est.ranking()
    np.testing.assert_array_equal(ranking, np.argsort(-est.scores(), kind="stable"))
    assert sorted(ranking.tolist()) == list(range(10))


def test_dataframe_column_names_flow_into_ranking(classification_data):
    pd = pytest.importorskip("pandas")
    X, y = classification_data
    names = [f"feature_{chr(97 + j)}" for j in range(X.shape[1])]
    df = pd.DataFrame(X, columns=names)
    est = ScoresActivationClassifier(**QUICK).fit(df, y)
    np.testing.assert_array_equal(est.feature_names_in_, names)
    expected = np.asarray(names, dtype=object)[np.argsort(-est.scores(), kind="stable")]
    np.testing.assert_array_equal(est.ranking(), expected)
    # The same numbers as the plain array fit
    np.testing.assert_array_equal(est.scores(), ScoresActivationClassifier(**QUICK).fit(X, y).scores())


def test_scores_history_tracks_every_epoch(classification_data):
    X, y = classification_data
    est = ScoresActivationClassifier(**QUICK).fit(X, y)
    history = est.scores_history_
    assert history.shape == (est.n_epochs_, X.shape[1])
    np.testing.assert_allclose(history.sum(axis=1), 1.0, atol=1e-12)
    assert len(est.loss_curve_) == est.n_epochs_ == len(est.validation_loss_curve_)
    # Early stopping restores the best epoch's scores
    np.testing.assert_array_equal(est.scores(), history[est.best_epoch_ - 1])
    assert est.validation_loss_curve_[est.best_epoch_ - 1] == est.validation_loss_curve_.min()


def test_same_seed_same_bits_and_thread_count_does_not_matter(classification_data):
    X, y = classification_data
    a = ScoresActivationClassifier(batch_size=300, n_threads=1, **QUICK).fit(X, y)
    b = ScoresActivationClassifier(batch_size=300, n_threads=2, **QUICK).fit(X, y)
    np.testing.assert_array_equal(a.scores(), b.scores())
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    c = ScoresActivationClassifier(**{**QUICK, "random_state": 1}).fit(X, y)
    assert not np.array_equal(a.scores(), c.scores())


def test_random_state_none_follows_numpy_global_seed(classification_data):
    X, y = classification_data
    params = {**QUICK, "random_state": None}
    np.random.seed(5)
    a = ScoresActivationClassifier(**params).fit(X, y)
    np.random.seed(5)
    b = ScoresActivationClassifier(**params).fit(X, y)
    np.testing.assert_array_equal(a.scores(), b.scores())


@pytest.mark.parametrize("Estimator", [ScoresActivationClassifier, ScoresActivationRegressor])
def test_pickle_and_json_round_trips_predict_identically(Estimator, classification_data, regression_data, tmp_path):
    X, y = classification_data if Estimator is ScoresActivationClassifier else regression_data
    est = Estimator(**QUICK).fit(X, y)
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(restored.predict(X), est.predict(X))
    np.testing.assert_array_equal(restored.scores(), est.scores())

    path = tmp_path / "model.json"
    est.save(path)
    loaded = Estimator.load(path)
    np.testing.assert_array_equal(loaded.predict(X), est.predict(X))
    np.testing.assert_array_equal(loaded.scores(), est.scores())
    np.testing.assert_array_equal(loaded.scores_history_, est.scores_history_)
    assert loaded.get_params() == est.get_params()
    assert type(load_model(path)) is Estimator
    if Estimator is ScoresActivationClassifier:
        np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))
        np.testing.assert_array_equal(loaded.classes_, est.classes_)


def test_string_labels_round_trip(classification_data, tmp_path):
    X, y = classification_data
    labels = np.array(["no", "yes"])[y]
    est = ScoresActivationClassifier(**QUICK).fit(X, labels)
    assert set(est.predict(X)) <= {"no", "yes"}
    est.save(tmp_path / "m.json")
    np.testing.assert_array_equal(ScoresActivationClassifier.load(tmp_path / "m.json").predict(X), est.predict(X))


def test_load_rejects_wrong_task_and_newer_format(classification_data, tmp_path):
    import json

    X, y = classification_data
    path = tmp_path / "m.json"
    ScoresActivationClassifier(**QUICK).fit(X, y).save(path)
    with pytest.raises(ValueError, match="classification"):
        ScoresActivationRegressor.load(path)
    doc = json.loads(path.read_text())
    doc["format_version"] = 99
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="newer"):
        ScoresActivationClassifier.load(path)


def test_baseline_without_scores_layer_has_no_scores(classification_data):
    X, y = classification_data
    est = ScoresActivationClassifier(scores_layer=False, **QUICK).fit(X, y)
    assert est.score(X, y) > 0.8
    assert not hasattr(est, "feature_importances_")
    with pytest.raises(AttributeError, match="scores_layer=False"):
        est.scores()


def test_works_in_pipeline_and_cross_validation(classification_data):
    X, y = classification_data
    pipe = make_pipeline(StandardScaler(), ScoresActivationClassifier(**QUICK))
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.mean() > 0.8
    assert clone(pipe).get_params()["scoresactivationclassifier__max_epochs"] == 30


def test_sample_weight_zero_equals_dropping_rows_effect(classification_data):
    X, y = classification_data
    weights = np.ones(len(y))
    weights[y == 1] = 1e-3  # class 1 barely counts
    est = ScoresActivationClassifier(**QUICK).fit(X, y, sample_weight=weights)
    assert np.mean(est.predict(X) == 0) > 0.8


def test_verbose_prints_loss_and_top_features(classification_data, capsys):
    X, y = classification_data
    ScoresActivationClassifier(**{**QUICK, "max_epochs": 3, "refine_epochs": 2, "early_stopping": False},
                               verbose=1).fit(X, y)
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 5  # 3 epochs learning the scores, 2 refining the network
    assert out[0].startswith("epoch    1/5  loss") and "top: x" in out[0]
    assert out[4].startswith("epoch    5/5  loss")


def test_sgd_solver_learns(classification_data):
    X, y = classification_data
    est = ScoresActivationClassifier(solver="sgd", learning_rate=0.01, **{k: v for k, v in QUICK.items()}).fit(X, y)
    assert est.score(X, y) > 0.8


def test_portable_kernel_matches_avx2_closely(classification_data):
    from scoresactivation import _core

    if not _core.avx2_kernels_available():
        pytest.skip("this CPU has no AVX2+FMA")
    X, y = classification_data
    a = ScoresActivationClassifier(kernel="portable", max_epochs=2, early_stopping=False, random_state=0).fit(X, y)
    b = ScoresActivationClassifier(kernel="avx2", max_epochs=2, early_stopping=False, random_state=0).fit(X, y)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), atol=1e-8)
