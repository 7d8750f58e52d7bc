"""Categorical variables: one-hot inside the estimator, one score per
variable (the core's score groups), the documented rules for unknown and
missing levels, and the model file's variables."""

import json
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

from scoresactivation import ScoresActivationClassifier, ScoresActivationRegressor, SENNRegressor, load_model

EFFECT = {"lyon": -2.0, "oslo": -0.5, "paris": 0.5, "rome": 2.0}


def city_data(n=800, seed=0):
    rng = np.random.default_rng(seed)
    city = rng.choice(sorted(EFFECT), n)
    x0 = rng.normal(size=n)
    X = pd.DataFrame({"x0": x0, "city": city, "n1": rng.normal(size=n), "n2": rng.normal(size=n),
                      "grade": pd.Categorical(rng.choice(["lo", "mid", "hi"], n), categories=["lo", "mid", "hi"])})
    y = 0.6 * x0 + np.vectorize(EFFECT.get)(city) + 0.3 * rng.normal(size=n)
    return X, y


@pytest.fixture(scope="module")
def fitted():
    X, y = city_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ScoresActivationRegressor(random_state=0, max_epochs=60).fit(X, y), X, y


def test_one_score_per_variable_ranks_the_signals_first(fitted):
    est, X, y = fitted
    scores = est.scores()
    assert scores.shape == (5,) and est.n_features_in_ == 5
    assert list(est.feature_names_in_) == ["x0", "city", "n1", "n2", "grade"]
    # Variance explained: city ~2.1, x0 0.36, the rest nothing.
    assert list(est.ranking()[:2]) == ["city", "x0"]
    assert scores[[2, 3, 4]].max() < 0.5 * scores[0]
    # Levels: a category's order; a string column's sorted values.
    assert list(est.encoded_feature_names_) == ["x0", "city=lyon", "city=oslo", "city=paris", "city=rome", "n1", "n2",
                                                "grade=lo", "grade=mid", "grade=hi"]
    assert est.score(X, y) > 0.9
    # Permutation importance shuffles a variable's columns together: one value each.
    importance = est.global_importance(X, y, method="permutation", random_state=0)
    assert importance.shape == (5,) and np.argmax(importance) == 1


def test_explain_sums_the_levels_of_a_variable(fitted):
    est, X, _ = fitted
    per_variable = est.explain(X[:4], "deeplift")
    per_level = est.explain(X[:4], "deeplift", per_level=True)
    assert per_variable.shape == (4, 5) and per_level.shape == (4, 10)
    np.testing.assert_allclose(per_variable[:, 1], per_level[:, 1:5].sum(axis=1), rtol=1e-12, atol=1e-12)
    # DeepLIFT sums to f(x) - f(baseline) (the training mean of the encoded columns).
    mean_row = est._core.input_mean()
    f_mean = est._core.decision_function(np.asarray(mean_row).reshape(1, -1))[0, 0]
    np.testing.assert_allclose(per_variable.sum(axis=1), est.predict(X[:4]) - f_mean, rtol=1e-7, atol=1e-7)
    # A DataFrame baseline is encoded like X.
    same = est.explain(X[:4], "deeplift", baseline=X[:1])
    np.testing.assert_allclose(same.sum(axis=1), est.predict(X[:4]) - est.predict(X[:1])[0], rtol=1e-7, atol=1e-7)


def test_classifier_with_a_string_column():
    X, y = city_data(600, 1)
    labels = np.where(y > 0, "high", "low")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = ScoresActivationClassifier(random_state=1, max_epochs=40).fit(X, labels)
    assert est.scores().shape == (5,) and est.ranking()[0] == "city"
    assert est.score(X, labels) > 0.85
    assert est.predict_proba(X[:3]).shape == (3, 2)


def test_unknown_levels_follow_handle_unknown(fitted):
    est, X, y = fitted
    one_new = X.copy()
    one_new.loc[0, "city"] = "madrid"
    with pytest.raises(ValueError, match=r"'city' has level\(s\) not seen in fit: 'madrid'"):
        est.predict(one_new)
    ignoring = pickle.loads(pickle.dumps(est))
    ignoring.set_params(handle_unknown="ignore")
    predicted = ignoring.predict(one_new)
    # "ignore": that row's city columns are all 0.
    encoded = est._check_X(X)
    encoded[0, 1:5] = 0.0
    assert predicted[0] == pytest.approx(est._core.decision_function(encoded[:1])[0, 0], rel=1e-12)
    np.testing.assert_allclose(predicted[1:], est.predict(X[1:]), rtol=1e-12, atol=1e-12)
    for model in (est, ignoring):  # every value unseen: the wrong column, either way
        with pytest.raises(ValueError, match="no value of X column 'city' is a level seen in fit"):
            model.predict(X.assign(city="madrid"))


def test_bad_categorical_input_gets_clear_errors(fitted):
    est, X, y = fitted
    missing = X.copy()
    missing.loc[3, "city"] = None
    with pytest.raises(ValueError, match="'city' \\(categorical\\) has 1 missing value"):
        ScoresActivationRegressor(max_epochs=2).fit(missing, y)
    with pytest.raises(ValueError, match="'city' \\(categorical\\) has 1 missing value"):
        est.predict(missing)
    colliding = X.assign(**{"city=rome": 1.0})
    with pytest.raises(ValueError, match="'city=rome' occurs twice"):
        ScoresActivationRegressor(max_epochs=2).fit(colliding, y)
    with pytest.raises(ValueError, match="lacks the column"):
        est.predict(X.drop(columns="grade"))
    with pytest.raises(ValueError, match="fitted on a DataFrame with categorical columns"):
        est.predict(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="handle_unknown"):
        ScoresActivationRegressor(max_epochs=2, handle_unknown="skip").fit(X, y)
    with pytest.raises(ValueError, match="numeric columns only"):
        SENNRegressor(max_epochs=2).fit(X, y)
    # A failed refit keeps the fitted model.
    before = est.predict(X[:5])
    with pytest.raises(ValueError):
        est.fit(missing, y)
    np.testing.assert_array_equal(est.predict(X[:5]), before)


def test_model_file_and_pickle_round_trip(fitted, tmp_path):
    est, X, _ = fitted
    path = tmp_path / "cat.json"
    est.save(path)
    doc = json.loads(path.read_text())
    assert doc["format_version"] == 5 and doc["feature_names"] is None
    assert doc["variables"][1] == {"name": "city", "levels": ["lyon", "oslo", "paris", "rome"]}
    assert doc["variables"][4] == {"name": "grade", "levels": ["lo", "mid", "hi"]}
    assert doc["arrays"]["score_groups"]["data"] == [1, 4, 1, 1, 3]
    loaded = load_model(path)
    shuffled = X[["grade", "n2", "n1", "city", "x0"]]  # columns are matched by name
    np.testing.assert_array_equal(loaded.predict(shuffled), est.predict(X))
    np.testing.assert_array_equal(loaded.scores(), est.scores())
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(est)).predict(X), est.predict(X))
    # A document whose variables disagree with the state's groups is refused by the core.
    doc["variables"][1]["levels"] = ["lyon", "oslo", "paris"]
    with pytest.raises(ValueError, match="variables"):
        ScoresActivationRegressor.from_dict(doc)


def test_numeric_dataframes_are_unchanged():
    X, y = city_data(300, 2)
    numeric = X[["x0", "n1", "n2"]]
    est = ScoresActivationRegressor(random_state=0, max_epochs=5).fit(numeric, y)
    assert est.to_dict()["feature_names"] == ["x0", "n1", "n2"] and "variables" not in est.to_dict()
    assert "score_groups" not in est.to_dict()["arrays"]


def test_handle_unknown_round_trips_through_the_file(fitted, tmp_path):
    est, X, _ = fitted
    ignoring = pickle.loads(pickle.dumps(est)).set_params(handle_unknown="ignore")
    assert ignoring.to_dict()["params"]["handle_unknown"] == "ignore"
    assert "handle_unknown" not in est.to_dict()["params"]  # the default is not written
    ignoring.save(tmp_path / "m.json")
    assert load_model(tmp_path / "m.json").handle_unknown == "ignore"
