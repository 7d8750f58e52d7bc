"""What sklearn (MLPClassifier) users expect of a fit: n_iter_, best_loss_, a
ConvergenceWarning when max_epochs ends the fit, per-epoch callbacks, and the
verbose output (a progress bar on a terminal)."""

import sys
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning

import scoresactivation as sa

X, y = load_iris(return_X_y=True)


def test_mlp_attributes():
    est = sa.ScoresActivationClassifier(max_epochs=5, random_state=0).fit(X, y)
    assert est.n_iter_ == est.n_epochs_ == len(est.loss_curve_)
    assert est.best_loss_ is None  # as MLPClassifier with early stopping
    assert est.best_validation_loss_ == pytest.approx(est.validation_loss_curve_.min())
    plain = sa.ScoresActivationRegressor(max_epochs=5, early_stopping=False, random_state=0).fit(X[:, :3], X[:, 3])
    assert plain.best_loss_ == pytest.approx(plain.loss_curve_.min())
    assert plain.best_validation_loss_ is None


def test_convergence_warning_only_when_max_epochs_ended_the_scores_phase():
    with pytest.warns(ConvergenceWarning, match=r"max_epochs=3 ended the scores phase .* raise max_epochs"):
        short = sa.ScoresActivationClassifier(max_epochs=3, random_state=0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        settled = sa.ScoresActivationClassifier(max_epochs=500, n_iter_no_change=2, random_state=0).fit(X, y)
        assert settled.n_iter_ < 500
        sa.ScoresActivationClassifier(max_epochs=3, early_stopping=False, random_state=0).fit(X, y)
        sa.ScoresActivationClassifier.from_dict(short.to_dict())  # loading warns nothing
    with pytest.warns(ConvergenceWarning):
        sa.SENNRegressor(max_epochs=2, random_state=0).fit(X[:, :3], X[:, 3])
    seq = np.random.default_rng(0).normal(size=(60, 4, 2))
    with pytest.warns(ConvergenceWarning):
        sa.ScoresActivationSequenceRegressor(units=(4,), max_epochs=2, random_state=0).fit(seq, seq[:, :, 0].sum(1))


def test_callbacks_see_every_epoch():
    seen, also = [], []
    est = sa.ScoresActivationClassifier(max_epochs=6, random_state=0).fit(X, y, callbacks=[seen.append, also.append])
    assert [info["epoch"] for info in seen] == list(range(1, est.n_iter_ + 1))
    assert seen == also
    assert [info["train_loss"] for info in seen] == pytest.approx(list(est.loss_curve_))
    assert [info["validation_loss"] for info in seen] == pytest.approx(list(est.validation_loss_curve_))
    assert np.allclose(seen[-1]["scores"], est.scores_history_[-1])
    assert set(seen[0]) == {"epoch", "train_loss", "validation_loss", "validation_score", "improved", "scores"}
    no_validation = []
    sa.ScoresActivationClassifier(max_epochs=2, early_stopping=False, scores_layer=False,
                                  random_state=0).fit(X, y, callbacks=no_validation.append)
    assert no_validation[0]["validation_loss"] is None and no_validation[0]["scores"] is None
    seq_seen = []
    seq = np.random.default_rng(1).normal(size=(50, 4, 2))
    sa.ScoresActivationSequenceRegressor(units=(4,), max_epochs=3, random_state=0).fit(
        seq, seq[:, :, 0].sum(1), callbacks=seq_seen.append)
    assert seq_seen and seq_seen[0]["scores"].shape == (2,)


def test_a_raising_callback_ends_the_fit_and_keeps_the_earlier_model():
    est = sa.ScoresActivationClassifier(max_epochs=4, random_state=0).fit(X, y)
    before = est.predict_proba(X)

    class Stop(Exception):
        pass

    def stop_at_two(info):
        if info["epoch"] == 2:
            raise Stop

    with pytest.raises(Stop):
        est.fit(X[:100], y[:100], callbacks=stop_at_two)
    np.testing.assert_array_equal(est.predict_proba(X), before)
    assert len(est.classes_) == 3
    with pytest.raises(ValueError, match="callbacks must be a callable or a list of callables"):
        est.fit(X, y, callbacks=[1])
    with pytest.raises(ValueError, match="callbacks must be"):
        est.fit(X, y, callbacks=3)


def test_verbose_prints_epoch_lines_or_a_progress_bar_on_a_terminal(capsys, monkeypatch):
    sa.ScoresActivationClassifier(max_epochs=2, refine_epochs=1, random_state=0, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    assert "epoch    1/3  loss" in out and "top: x" in out
    pytest.importorskip("tqdm")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    sa.ScoresActivationClassifier(max_epochs=2, refine_epochs=1, random_state=0, verbose=1).fit(X, y)
    captured = capsys.readouterr()
    assert "epoch    1/3" not in captured.out
    assert "epoch" in captured.err and "3/3" in captured.err  # the bar, closed at the end


def test_class_weight_is_the_fit_of_the_weights_it_stands_for():
    from sklearn.utils.class_weight import compute_sample_weight

    labels = np.array(["a", "b", "c"])[y]
    keep = np.r_[0:50, 50:70, 100:110]  # unbalanced
    Xk, yk = X[keep], labels[keep]
    w = np.full(len(yk), 2.0)
    a = sa.ScoresActivationClassifier(max_epochs=5, random_state=0, class_weight="balanced").fit(Xk, yk, w)
    b = sa.ScoresActivationClassifier(max_epochs=5, random_state=0).fit(Xk, yk, w * compute_sample_weight("balanced", yk))
    np.testing.assert_array_equal(a.scores(), b.scores())
    c = sa.ScoresActivationClassifier(max_epochs=5, random_state=0, class_weight={"c": 3}).fit(Xk, yk)
    d = sa.ScoresActivationClassifier(max_epochs=5, random_state=0).fit(Xk, yk, np.where(yk == "c", 3.0, 1.0))
    np.testing.assert_array_equal(c.scores(), d.scores())
    ints = sa.ScoresActivationClassifier(max_epochs=5, random_state=0, class_weight={2: 3}).fit(X[keep], y[keep])
    np.testing.assert_array_equal(ints.scores(), d.scores())  # labels 2 and "c" are the same class
    seq = np.random.default_rng(3).normal(size=(60, 4, 2))
    sy = (seq[:, 0, 0] > 0.5).astype(int)
    s1 = sa.ScoresActivationSequenceClassifier(units=(4,), max_epochs=3, random_state=0, class_weight={1: 4}).fit(seq, sy)
    s2 = sa.ScoresActivationSequenceClassifier(units=(4,), max_epochs=3, random_state=0).fit(seq, sy, np.where(sy == 1, 4.0, 1.0))
    np.testing.assert_array_equal(s1.scores(), s2.scores())


def test_class_weight_round_trips_and_bad_values_name_it():
    est = sa.ScoresActivationClassifier(max_epochs=3, random_state=0, class_weight={0: 0.5, 2: 2.0}).fit(X, y)
    doc = est.to_dict()
    assert doc["params"]["class_weight"] == {"0": 0.5, "2": 2.0}  # labels as text, as R names them
    loaded = sa.ScoresActivationClassifier.from_dict(doc)
    assert loaded.class_weight == {"0": 0.5, "2": 2.0}
    np.testing.assert_array_equal(sa.ScoresActivationClassifier(**loaded.get_params()).fit(X, y).scores(),
                                  est.scores())  # the same weights
    with pytest.raises(ValueError, match=r"class_weight names '7', which is not a class of y"):
        sa.ScoresActivationClassifier(max_epochs=2, class_weight={7: 1.0}).fit(X, y)
    with pytest.raises(ValueError, match="class_weight applies to classifiers only"):
        sa.ScoresActivationRegressor(max_epochs=2, class_weight="balanced").fit(X[:, :3], X[:, 3])
    with pytest.raises(ValueError, match="class_weight must be None/NULL, 'balanced' or a mapping"):
        sa.ScoresActivationClassifier(max_epochs=2, class_weight={0: -1}).fit(X, y)
    with pytest.raises(ValueError, match="class_weight must be"):
        sa.ScoresActivationClassifier(max_epochs=2, class_weight="equal").fit(X, y)


def _verbose_classifier():
    return sa.ScoresActivationClassifier(max_epochs=3, early_stopping=False, random_state=0).fit(X, y)


def test_shapley_and_permutation_runs_show_progress_on_a_terminal_with_verbose(capsys, monkeypatch):
    est = _verbose_classifier()
    quiet = est.explain(X[:30], "shapley", n_permutations=8, random_state=0)
    est.global_importance(X, y, "permutation", n_repeats=2, random_state=0)
    assert capsys.readouterr().err == ""  # verbose=0
    est.set_params(verbose=1)
    est.explain(X[:30], "shapley", n_permutations=8, random_state=0)
    assert capsys.readouterr().err == ""  # not a terminal: off
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)  # no tqdm: the line with the share done
    loud = est.explain(X[:30], "shapley", n_permutations=8, random_state=0)
    np.testing.assert_array_equal(loud, quiet)  # reporting changes no value
    err = capsys.readouterr().err
    assert "Shapley values: 90/90 rows (100%)" in err and err.endswith("\n")  # 30 rows x 3 classes
    est.global_importance(X, y, "permutation", n_repeats=2, random_state=0)
    assert "permutation importance: 8/8 shuffles (100%)" in capsys.readouterr().err
    seq = np.random.default_rng(0).normal(size=(40, 4, 2))
    sest = sa.ScoresActivationSequenceRegressor(units=(4,), max_epochs=2, random_state=0, verbose=1).fit(
        seq, seq[:, :, 0].sum(1))
    capsys.readouterr()
    sest.explain(seq[:10], "shapley", exact=False, n_permutations=4, random_state=0)
    assert "Shapley values: 10/10 rows" in capsys.readouterr().err


def test_shapley_progress_uses_tqdm_when_installed(capsys, monkeypatch):
    pytest.importorskip("tqdm")
    est = _verbose_classifier().set_params(verbose=1)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    est.explain(X[:20], "shapley", n_permutations=8, random_state=0)
    err = capsys.readouterr().err
    assert "Shapley values" in err and "60/60" in err
