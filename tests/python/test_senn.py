"""SENN estimators: the model's own explanation (exact decomposition, gradients,
known truth), the robustness penalty's effect, persistence, pickling and bad input."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from scoresactivation import (
    ScoresActivationClassifier,
    ScoresActivationRegressor,
    SENNClassifier,
    SENNRegressor,
    load_model,
)

QUICK = dict(hidden_layer_sizes=(16,), max_epochs=60, refine_epochs=5, learning_rate=1e-2, n_threads=1)


def make_data(n=600, seed=0, classification=False):
    """y = 3 x0 - 2 x1 + x2 x3 (+ noise); x4, x5 are noise."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    v = 3 * X[:, 0] - 2 * X[:, 1] + X[:, 2] * X[:, 3] + 0.1 * rng.normal(size=n)
    if classification:
        return X, np.where(v > 0, "yes", "no")
    return X, v


@pytest.fixture(scope="module")
def regressor():
    X, y = make_data(1500, seed=1)
    return SENNRegressor(robustness_penalty=0.1, random_state=3, **QUICK).fit(X, y)


@pytest.fixture(scope="module")
def classifier():
    X, y = make_data(800, seed=2, classification=True)
    return SENNClassifier(random_state=4, **QUICK).fit(X, y)


def test_contributions_and_base_values_sum_to_the_prediction(regressor, classifier):
    X, _ = make_data(50, seed=9)
    c = regressor.explain(X, "contributions")
    assert c.shape == (50, 6)
    np.testing.assert_allclose(c.sum(axis=1) + regressor.base_values_[0], regressor.predict(X), rtol=0, atol=1e-9)
    # Per class: the logits, whose softmax is predict_proba.
    per_class = classifier.explain(X, "contributions")
    assert per_class.shape == (50, 6, 2)
    logits = per_class.sum(axis=1) + classifier.base_values_
    expected = np.exp(logits - logits.max(axis=1, keepdims=True))
    np.testing.assert_allclose(expected / expected.sum(axis=1, keepdims=True), classifier.predict_proba(X), atol=1e-12)
    one = classifier.explain(X, "contributions", target="yes")
    np.testing.assert_array_equal(one, per_class[:, :, list(classifier.classes_).index("yes")])


def test_theta_and_gradient_recover_the_truth(regressor):
    X, y = make_data(400, seed=5)
    assert np.mean((regressor.predict(X) - y) ** 2) < 0.15 * np.var(y)
    s = regressor.scores()
    assert s[0] > s[1] > max(s[4], s[5])
    g = regressor.explain(X, "gradient").mean(axis=0)
    assert g[0] == pytest.approx(3.0, abs=0.3)
    assert g[1] == pytest.approx(-2.0, abs=0.3)
    # theta's signs follow the linear effects.
    theta = regressor.explain(X, "theta").mean(axis=0)
    assert theta[0] > 0 > theta[1]
    importance = regressor.global_importance(X, method="contributions")
    assert set(np.argsort(-importance)[:2]) == {0, 1}
    np.testing.assert_allclose(importance, np.abs(regressor.explain(X, "contributions")).mean(axis=0))


def test_gradient_is_in_the_features_units(regressor):
    X, _ = make_data(5, seed=6)
    X_scaled = X.copy()
    X_scaled[:, 0] *= 100
    other = clone(regressor).fit(*_scaled_training(100))
    g = other.explain(X_scaled, "gradient")
    h = 1e-4
    for j in range(6):
        step = np.zeros(6)
        step[j] = h * (100 if j == 0 else 1)
        numeric = (other.predict(X_scaled + step) - other.predict(X_scaled - step)) / (2 * step[j])
        np.testing.assert_allclose(g[:, j], numeric, rtol=1e-5, atol=1e-7)


def _scaled_training(factor):
    X, y = make_data(400, seed=1)
    X = X.copy()
    X[:, 0] *= factor
    return X, y


def test_penalty_lowers_the_robustness_residual():
    X, y = make_data(800, seed=7, classification=True)
    X_test, y_test = make_data(400, seed=8, classification=True)
    common = dict(QUICK, hidden_layer_sizes=(16, 16), activation="tanh", random_state=0)
    free = SENNClassifier(robustness_penalty=0.0, **common).fit(X, y)
    robust = SENNClassifier(robustness_penalty=1.0, **common).fit(X, y)
    assert robust.robustness(X_test).mean() < 0.5 * free.robustness(X_test).mean()
    assert robust.score(X_test, y_test) > 0.85
    assert robust.score(X_test, y_test) > free.score(X_test, y_test) - 0.05


def test_same_seed_same_model_and_threads_change_nothing():
    X, y = make_data(700, seed=3, classification=True)
    a = SENNClassifier(random_state=5, batch_size=600, **dict(QUICK, max_epochs=5)).fit(X, y)
    b = SENNClassifier(random_state=5, batch_size=600, **dict(QUICK, max_epochs=5, n_threads=2)).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    np.testing.assert_array_equal(a.explain(X), b.explain(X))


def test_save_load_and_pickle_round_trips(tmp_path, regressor, classifier):
    X, _ = make_data(30, seed=11)
    for est in (regressor, classifier):
        path = tmp_path / f"{type(est).__name__}.json"
        est.save(path)
        doc = est.to_dict()
        assert doc["estimator"] == type(est).__name__
        assert doc["format_version"] == 5
        assert doc["params"]["robustness_penalty"] == est.robustness_penalty
        assert "theta_0_weight" in doc["arrays"] and "output_bias" in doc["arrays"]
        for loaded in (load_model(path), type(est).load(path), pickle.loads(pickle.dumps(est))):
            assert type(loaded) is type(est)
            assert loaded.get_params() == est.get_params()
            np.testing.assert_array_equal(loaded.explain(X, "contributions"), est.explain(X, "contributions"))
            np.testing.assert_array_equal(loaded.base_values_, est.base_values_)
            np.testing.assert_array_equal(loaded.scores(), est.scores())
    np.testing.assert_array_equal(load_model(tmp_path / "SENNClassifier.json").classes_, classifier.classes_)


def test_model_families_do_not_load_each_other(tmp_path, regressor):
    path = tmp_path / "senn.json"
    regressor.save(path)
    with pytest.raises(ValueError, match="SENN model"):
        ScoresActivationRegressor.load(path)
    X, y = make_data(100, seed=1)
    tabular = ScoresActivationRegressor(max_epochs=2, random_state=0).fit(X, y)
    tabular.save(tmp_path / "tabular.json")
    with pytest.raises(ValueError, match="tabular model"):
        SENNRegressor.load(tmp_path / "tabular.json")
    # A SENN document needs format version 4.
    doc = regressor.to_dict()
    doc["format_version"] = 3
    with pytest.raises(ValueError, match="estimator"):
        SENNRegressor.from_dict(doc)


def test_tampered_documents_are_refused_by_name(regressor):
    doc = regressor.to_dict()
    doc["params"]["robustness_penalty"] = -1
    with pytest.raises(ValueError, match="robustness_penalty"):
        SENNRegressor.from_dict(doc)
    doc = regressor.to_dict()
    doc["arrays"]["theta_1_weight"]["shape"] = [16, 5]
    doc["arrays"]["theta_1_weight"]["data"] = doc["arrays"]["theta_1_weight"]["data"][:80]
    with pytest.raises(ValueError, match="theta_1_weight"):
        SENNRegressor.from_dict(doc)
    doc = regressor.to_dict()
    del doc["arrays"]["output_bias"]
    with pytest.raises(ValueError, match="output_bias"):
        SENNRegressor.from_dict(doc)


def test_dataframe_names_and_explanations():
    X, y = make_data(300, seed=4)
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(6)])
    est = SENNRegressor(random_state=0, **dict(QUICK, max_epochs=20)).fit(frame, y)
    assert list(est.feature_names_in_) == [f"f{j}" for j in range(6)]
    with pytest.warns(UserWarning, match="feature names"):
        from_array = est.explain(X)
    np.testing.assert_array_equal(est.explain(frame), from_array)


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(robustness_penalty=-0.1), "robustness_penalty"),
        (dict(robustness_penalty=float("nan")), "robustness_penalty"),
        (dict(robustness_penalty="big"), "robustness_penalty"),
        (dict(robustness_penalty=True), "robustness_penalty"),
        (dict(hidden_layer_sizes=(0,)), "hidden_layer_sizes"),
    ],
)
def test_bad_params_name_the_parameter_and_keep_the_fitted_model(params, message, regressor):
    X, y = make_data(80, seed=0)
    est = clone(regressor)
    est.fit(X, y)
    before = est.predict(X)
    est.set_params(**params)
    with pytest.raises(ValueError, match=message):
        est.fit(X, y)
    np.testing.assert_array_equal(est.predict(X), before)


def test_bad_explain_arguments(regressor, classifier):
    X, _ = make_data(10, seed=0)
    with pytest.raises(ValueError, match="method must be one of theta, contributions, gradient"):
        regressor.explain(X, "deeplift")
    with pytest.raises(ValueError, match="target"):
        classifier.explain(X, target="maybe")
    with pytest.raises(ValueError, match="single output"):
        regressor.explain(X, target=1)
    with pytest.raises(ValueError, match="features"):
        regressor.explain(X[:, :5])
    with pytest.raises(ValueError, match="needs X"):
        regressor.global_importance(method="theta")
    with pytest.raises(ValueError, match="method must be one of"):
        regressor.global_importance(X, method="permutation")
    with pytest.raises(NotFittedError):
        SENNRegressor().explain(X)
    with pytest.raises(NotFittedError):
        SENNRegressor().base_values_


def test_without_the_gate_theta_still_explains():
    X, y = make_data(600, seed=12)
    est = SENNRegressor(scores_layer=False, random_state=1, **QUICK).fit(X, y)
    with pytest.raises(AttributeError, match="scores_layer=False"):
        est.scores()
    c = est.explain(X[:20], "contributions")
    np.testing.assert_allclose(c.sum(axis=1) + est.base_values_[0], est.predict(X[:20]), atol=1e-9)
    assert set(np.argsort(-est.global_importance(X, method="contributions"))[:2]) == {0, 1}


def test_perturbation_measures_take_senn_models(regressor):
    from scoresactivation.metrics import deletion_curve, faithfulness

    X, _ = make_data(60, seed=13)
    X_train, _ = make_data(400, seed=1)
    contributions = regressor.explain(X, "contributions")
    # SENN's own decomposition is faithful to what removing a feature does; noise is not.
    assert faithfulness(regressor, X, contributions, X_train=X_train) > 0.9
    noise = np.random.default_rng(0).normal(size=X.shape)
    assert abs(faithfulness(regressor, X, noise, X_train=X_train)) < 0.3
    curves, auc = deletion_curve(regressor, X[:5], contributions[:5], baseline="zeros")
    np.testing.assert_allclose(curves[:, 0], regressor.predict(X[:5]), atol=1e-12)
    np.testing.assert_allclose(curves[:, -1], regressor.predict(np.zeros((1, 6)))[0], atol=1e-12)
    assert np.isfinite(auc)


def test_perturbation_measures_refuse_sequence_models():
    from scoresactivation import ScoresActivationSequenceRegressor
    from scoresactivation.metrics import faithfulness

    X = np.random.default_rng(0).normal(size=(40, 5, 2))
    est = ScoresActivationSequenceRegressor(units=(4,), max_epochs=2, random_state=0).fit(X, X[:, :, 0].sum(axis=1))
    with pytest.raises(ValueError, match="tabular models"):
        faithfulness(est, X, np.zeros((40, 10)), X_train=X)


def test_shapley_values_of_a_senn_model(regressor, classifier):
    X, _ = make_data(8, seed=14)
    background = make_data(20, seed=15)[0]
    values = regressor.explain(X, "shapley", background=background)
    # Efficiency: they sum to f(x) minus the mean output over the background.
    np.testing.assert_allclose(values.sum(axis=1), regressor.predict(X) - regressor.predict(background).mean(),
                               atol=1e-9)
    sampled = regressor.explain(X, "shapley", background=background, exact=False, n_permutations=200,
                                random_state=1)
    np.testing.assert_allclose(sampled.sum(axis=1), values.sum(axis=1), atol=1e-9)
    assert np.abs(sampled - values).max() < 0.1 * np.abs(values).max()
    np.testing.assert_array_equal(sampled, regressor.explain(X, "shapley", background=background, exact=False,
                                                            n_permutations=200, random_state=1))
    per_class = classifier.explain(X, "shapley")  # the training mean as background
    assert per_class.shape == (8, 6, 2)
    importance = regressor.global_importance(make_data(60, seed=16)[0], method="shapley")
    assert set(np.argsort(-importance)[:2]) == {0, 1}
    # An option of another method, as for the other families; an unknown name is a TypeError.
    with pytest.raises(ValueError, match=r"n_permutations does not apply to method = 'theta' \(its options: none\)"):
        regressor.explain(X, "theta", n_permutations=10)
    with pytest.raises(TypeError, match="rule"):
        regressor.explain(X, "shapley", rule="rescale")
    with pytest.raises(ValueError, match="background"):
        regressor.explain(X, "shapley", background=np.zeros((2, 5)))
