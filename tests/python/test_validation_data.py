"""fit(..., validation_data=(X_val, y_val)): early stopping watches the given
rows instead of a validation_fraction split; validation_scores_ (accuracy or
R^2 per epoch, as MLPClassifier's) are the kept model's at its best epoch."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris, make_regression
from sklearn.metrics import accuracy_score, log_loss, r2_score

import scoresactivation as sa

X_iris, y_iris = load_iris(return_X_y=True)
LABELS = np.array(["setosa", "versicolor", "virginica"])[y_iris]
rng = np.random.default_rng(0)
ORDER = rng.permutation(150)
TRAIN, VAL = ORDER[:100], ORDER[100:]


def test_regression_scores_are_the_kept_models_r2_on_the_given_rows():
    X, y = make_regression(400, 6, n_informative=3, noise=10.0, random_state=0)
    w_val = np.r_[np.full(50, 3.0), np.ones(50)]
    est = sa.ScoresActivationRegressor(max_epochs=60, random_state=0).fit(
        X[:300], y[:300], validation_data=(X[300:], y[300:], w_val))
    assert len(est.validation_scores_) == len(est.validation_loss_curve_) == est.n_iter_
    best = est.best_epoch_ - 1
    assert est.validation_scores_[best] == pytest.approx(
        r2_score(y[300:], est.predict(X[300:]), sample_weight=w_val), abs=1e-9)
    assert est.best_validation_loss_ == pytest.approx(est.validation_loss_curve_.min())


def test_classification_scores_are_accuracy_and_the_loss_is_log_loss():
    est = sa.ScoresActivationClassifier(max_epochs=40, random_state=0).fit(
        X_iris[TRAIN], LABELS[TRAIN], validation_data=(X_iris[VAL], LABELS[VAL]))
    best = est.best_epoch_ - 1
    assert est.validation_scores_[best] == pytest.approx(accuracy_score(LABELS[VAL], est.predict(X_iris[VAL])))
    assert est.validation_loss_curve_[best] == pytest.approx(
        log_loss(LABELS[VAL], est.predict_proba(X_iris[VAL]), labels=est.classes_), rel=1e-9)


def test_every_training_row_trains_when_validation_rows_are_given():
    # No split: the trajectory is that of a fit on all rows without early
    # stopping (same losses per epoch while neither has stopped).
    kw = dict(max_epochs=8, refine_epochs=0, n_iter_no_change=1000, random_state=1)
    given = sa.ScoresActivationClassifier(**kw).fit(X_iris[TRAIN], y_iris[TRAIN],
                                                    validation_data=(X_iris[VAL], y_iris[VAL]))
    plain = sa.ScoresActivationClassifier(early_stopping=False, **kw).fit(X_iris[TRAIN], y_iris[TRAIN])
    np.testing.assert_array_equal(given.loss_curve_, plain.loss_curve_)


def test_without_early_stopping_the_rows_are_only_watched():
    kw = dict(max_epochs=10, early_stopping=False, random_state=2)
    watched = sa.ScoresActivationClassifier(**kw).fit(X_iris[TRAIN], y_iris[TRAIN],
                                                      validation_data=(X_iris[VAL], y_iris[VAL]))
    plain = sa.ScoresActivationClassifier(**kw).fit(X_iris[TRAIN], y_iris[TRAIN])
    np.testing.assert_array_equal(watched.predict_proba(X_iris), plain.predict_proba(X_iris))
    assert plain.validation_scores_ is None and len(plain.validation_loss_curve_) == 0
    assert watched.validation_scores_[-1] == pytest.approx(accuracy_score(y_iris[VAL], watched.predict(X_iris[VAL])))
    assert watched.best_validation_loss_ is None  # as MLPClassifier: early stopping did not judge by it


def test_early_stoppings_own_split_also_records_scores():
    est = sa.ScoresActivationClassifier(max_epochs=5, random_state=0).fit(X_iris, y_iris)
    assert est.validation_scores_.shape == (est.n_iter_,)
    assert np.all((est.validation_scores_ >= 0) & (est.validation_scores_ <= 1))


def test_callbacks_see_the_validation_score():
    seen = []
    est = sa.ScoresActivationRegressor(max_epochs=6, random_state=0).fit(
        X_iris[TRAIN, :3], X_iris[TRAIN, 3], validation_data=(X_iris[VAL, :3], X_iris[VAL, 3]),
        callbacks=seen.append)
    assert [info["validation_score"] for info in seen] == pytest.approx(list(est.validation_scores_))


def test_class_weight_applies_to_the_validation_rows():
    kw = dict(max_epochs=6, random_state=0)
    weighted = sa.ScoresActivationClassifier(class_weight={2: 4.0}, **kw).fit(
        X_iris[TRAIN], y_iris[TRAIN], validation_data=(X_iris[VAL], y_iris[VAL]))
    explicit = sa.ScoresActivationClassifier(**kw).fit(
        X_iris[TRAIN], y_iris[TRAIN], np.where(y_iris[TRAIN] == 2, 4.0, 1.0),
        validation_data=(X_iris[VAL], y_iris[VAL], np.where(y_iris[VAL] == 2, 4.0, 1.0)))
    np.testing.assert_array_equal(weighted.validation_loss_curve_, explicit.validation_loss_curve_)


def test_categorical_frames_are_encoded_like_predicts():
    frame = pd.DataFrame({"x": X_iris[:, 0], "kind": pd.Categorical(np.where(X_iris[:, 2] > 4, "long", "short"))})
    est = sa.ScoresActivationRegressor(max_epochs=10, random_state=0).fit(
        frame.iloc[TRAIN], X_iris[TRAIN, 3], validation_data=(frame.iloc[VAL], X_iris[VAL, 3]))
    best = est.best_epoch_ - 1
    assert est.validation_scores_[best] == pytest.approx(est.score(frame.iloc[VAL], X_iris[VAL, 3]), abs=1e-9)
    unknown = frame.iloc[VAL].assign(kind=pd.Categorical(["mid"] * len(VAL)))
    with pytest.raises(ValueError, match="validation_data: .*'mid'"):
        sa.ScoresActivationRegressor(max_epochs=3).fit(frame.iloc[TRAIN], X_iris[TRAIN, 3],
                                                      validation_data=(unknown, X_iris[VAL, 3]))


def test_sequences_take_validation_lengths():
    seq = np.random.default_rng(4).normal(size=(120, 6, 2))
    lengths = 3 + np.arange(120) % 4
    target = np.array([seq[i, :lengths[i], 0].mean() for i in range(120)])
    est = sa.ScoresActivationSequenceRegressor(units=(6,), architecture="conv", max_epochs=15, random_state=0).fit(
        seq[:80], target[:80], lengths=lengths[:80], validation_data=(seq[80:], target[80:], None, lengths[80:]))
    best = est.best_epoch_ - 1
    assert est.validation_scores_[best] == pytest.approx(
        r2_score(target[80:], est.predict(seq[80:], lengths=lengths[80:])), abs=1e-9)
    with pytest.raises(ValueError, match="validation_data: X has shape \\(40, 5, 2\\); the training X has 6 steps"):
        est.fit(seq[:80], target[:80], validation_data=(seq[80:, :5], target[80:]))
    with pytest.raises(ValueError, match="validation_data: lengths"):
        est.fit(seq[:80], target[:80], validation_data=(seq[80:], target[80:], None, np.full(40, 9)))


def test_senn_watches_the_given_rows():
    est = sa.SENNClassifier(max_epochs=5, random_state=0).fit(
        X_iris[TRAIN], y_iris[TRAIN], validation_data=(X_iris[VAL], y_iris[VAL]))
    best = est.best_epoch_ - 1
    assert est.validation_scores_[best] == pytest.approx(accuracy_score(y_iris[VAL], est.predict(X_iris[VAL])))


@pytest.mark.parametrize("validation_data, message", [
    ((X_iris[VAL, :3], y_iris[VAL]), "validation_data: X has 3 features, but ScoresActivationClassifier is expecting 4"),
    ((X_iris[VAL], y_iris[VAL][:10]), "validation_data: X has 50 rows but y has 10 values"),
    ((X_iris[VAL], np.full(50, 7)), r"validation_data: y holds labels the training y does not: \[7\]"),
    ((X_iris[VAL], y_iris[VAL], -np.ones(50)), "validation_data: sample_weight must be non-negative"),
    ((X_iris[VAL],), "validation_data must be a tuple"),
    (X_iris[VAL], "validation_data must be a tuple"),
    ((np.full((50, 4), np.nan), y_iris[VAL]), "validation_data: Input X contains NaN"),
])
def test_bad_validation_data_is_refused_by_name_and_keeps_the_earlier_fit(validation_data, message):
    est = sa.ScoresActivationClassifier(max_epochs=3, random_state=0).fit(X_iris, y_iris)
    before = est.predict_proba(X_iris)
    with pytest.raises(ValueError, match=message):
        est.fit(X_iris[TRAIN], y_iris[TRAIN], validation_data=validation_data)
    np.testing.assert_array_equal(est.predict_proba(X_iris), before)


def test_validation_scores_survive_save_and_load(tmp_path):
    est = sa.ScoresActivationRegressor(max_epochs=5, random_state=0).fit(
        X_iris[TRAIN, :3], X_iris[TRAIN, 3], validation_data=(X_iris[VAL, :3], X_iris[VAL, 3]))
    est.save(tmp_path / "m.json")
    back = sa.load_model(tmp_path / "m.json")
    np.testing.assert_array_equal(back.validation_scores_, est.validation_scores_)
