"""Attribution methods and metrics of the C++ core, seen from Python."""

import numpy as np
import pytest
from scipy import stats
from sklearn.datasets import make_classification, make_friedman1

from scoresactivation import ScoresActivationClassifier, ScoresActivationRegressor, _core, metrics


@pytest.fixture(scope="module")
def classifier():
    X, y = make_classification(n_samples=400, n_features=6, n_informative=3, n_redundant=0, n_classes=3,
                               n_clusters_per_class=1, random_state=0)
    est = ScoresActivationClassifier(hidden_layer_sizes=(16, 8), max_epochs=60, random_state=0).fit(X, y)
    return est, X, y


@pytest.fixture(scope="module")
def tanh_regressor():
    X, y = make_friedman1(n_samples=400, n_features=7, random_state=0)
    est = ScoresActivationRegressor(hidden_layer_sizes=(16,), activation="tanh", max_epochs=60,
                                    random_state=0).fit(X, y)
    return est, X, y


def logits(est, X):
    return np.asarray(_core.model_outputs(est._core, np.asfortranarray(X, dtype=float), "raw", 1))


@pytest.mark.parametrize("rule", ["rescale", "reveal_cancel"])
def test_deeplift_sums_to_output_difference(classifier, rule):
    est, X, _ = classifier
    baseline = X[:3]  # several references: contributions sum to f(x) - mean f(ref)
    values = est.explain(X[:40], "deeplift", baseline=baseline, rule=rule)
    assert values.shape == (40, 6, 3)
    expected = logits(est, X[:40]) - logits(est, baseline).mean(axis=0)
    np.testing.assert_allclose(values.sum(axis=1), expected, rtol=0, atol=1e-8)


def test_deeplift_regression_in_target_units(tanh_regressor):
    est, X, _ = tanh_regressor
    values = est.explain(X[:30], "deeplift")
    np.testing.assert_allclose(values.sum(axis=1), est.predict(X[:30]) - est.predict(X.mean(axis=0, keepdims=True)),
                               rtol=0, atol=1e-8)


def test_integrated_gradients_completeness_on_smooth_network(tanh_regressor):
    est, X, _ = tanh_regressor
    values = est.explain(X[:30], "integrated_gradients", baseline="zeros", n_steps=64)
    np.testing.assert_allclose(values.sum(axis=1), est.predict(X[:30]) - est.predict(np.zeros((1, 7))),
                               rtol=0, atol=1e-6)
    coarse = est.explain(X[:30], "integrated_gradients", baseline="zeros", n_steps=64, integration="riemann_trapezoid")
    np.testing.assert_allclose(coarse, values, atol=1e-2)


def test_gradient_matches_finite_differences(tanh_regressor):
    est, X, _ = tanh_regressor
    grad = est.explain(X[:5], "gradient")
    h = 1e-6
    for j in range(X.shape[1]):
        step = np.zeros(X.shape[1])
        step[j] = h
        numeric = (est.predict(X[:5] + step) - est.predict(X[:5] - step)) / (2 * h)
        np.testing.assert_allclose(grad[:, j], numeric, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(est.explain(X[:5], "gradient_times_input"), grad * X[:5], rtol=1e-12)


def torch_copy(est):
    """The same network in PyTorch (float64): standardisation and the scores
    gate as a fixed element-wise affine map, then the dense layers."""
    torch = pytest.importorskip("torch", reason="PyTorch 2.13 (CPU) is a test-only dependency")
    arrays = est._core.state()["arrays"]
    w = est.scores()
    if est.gate == "snr":  # docs/model-format.md, prediction step 2
        r = est.snr_budget * est.n_features_in_ * w
        gate = np.sqrt(r / (1 + r))
    else:
        gate = est.n_features_in_ * w
    mean = torch.tensor(arrays["input_mean"])
    scale = torch.tensor(arrays["input_scale"] / gate)

    class Standardise(torch.nn.Module):
        def forward(self, x):
            return (x - mean) / scale

    layers = [Standardise()]
    n_layers = len([k for k in arrays if k.endswith("_weight")])
    for layer in range(n_layers):
        linear = torch.nn.Linear(*arrays[f"dense_{layer}_weight"].shape).double()
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(arrays[f"dense_{layer}_weight"].T))
            linear.bias.copy_(torch.tensor(arrays[f"dense_{layer}_bias"]))
        layers.append(linear)
        if layer < n_layers - 1:
            layers.append(torch.nn.ReLU())
    return torch, torch.nn.Sequential(*layers).double().eval()


def test_deeplift_rescale_equals_captum(classifier):
    est, X, _ = classifier
    torch, model = torch_copy(est)
    captum_attr = pytest.importorskip("captum.attr", reason="captum is a test-only dependency")
    inputs = torch.tensor(X[:25])
    baseline = torch.tensor(X.mean(axis=0, keepdims=True))
    np.testing.assert_allclose(model(inputs).detach().numpy(), logits(est, X[:25]), atol=1e-12)
    for target in range(3):
        theirs = captum_attr.DeepLift(model).attribute(inputs, baselines=baseline, target=target).detach().numpy()
        ours = est.explain(X[:25], "deeplift", baseline=X.mean(axis=0), target=target)
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)


def test_integrated_gradients_equals_captum(classifier):
    est, X, _ = classifier
    torch, model = torch_copy(est)
    captum_attr = pytest.importorskip("captum.attr", reason="captum is a test-only dependency")
    theirs = captum_attr.IntegratedGradients(model).attribute(
        torch.tensor(X[:10]), baselines=torch.zeros(1, 6, dtype=torch.float64), target=2, n_steps=20,
        method="gausslegendre").detach().numpy()
    ours = est.explain(X[:10], "integrated_gradients", baseline="zeros", target=2, n_steps=20)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)


def test_exact_shapley_equals_shap_exact_explainer(classifier):
    shap = pytest.importorskip("shap", reason="shap is a test-only dependency")
    est, X, _ = classifier
    background = X[:20]

    def class_two_logit(rows):
        return logits(est, rows)[:, 2]

    explainer = shap.explainers.Exact(class_two_logit, shap.maskers.Independent(background, max_samples=20))
    theirs = explainer(X[:8])
    ours = est.explain(X[:8], "shapley", background=background, target=2)
    np.testing.assert_allclose(ours, theirs.values, rtol=0, atol=1e-6)
    np.testing.assert_allclose(theirs.base_values, class_two_logit(background).mean(), atol=1e-9)


def test_sampled_shapley_converges_to_exact_and_ignores_threads(classifier):
    est, X, _ = classifier
    background = X[:15]
    exact = est.explain(X[:5], "shapley", background=background, target=0, output="probability")
    sampled = est.explain(X[:5], "shapley", background=background, target=0, output="probability",
                          exact=False, n_permutations=400, random_state=3)
    assert np.abs(sampled - exact).max() < 0.02
    # antithetic orders telescope: sampled values still sum exactly
    np.testing.assert_allclose(sampled.sum(axis=1), exact.sum(axis=1), atol=1e-12)
    other_threads = est.set_params(n_threads=1).explain(X[:5], "shapley", background=background, target=0,
                                                        output="probability", exact=False, n_permutations=400,
                                                        random_state=3)
    est.set_params(n_threads=None)
    np.testing.assert_array_equal(other_threads, sampled)


def test_shap_explanation_for_shap_plots(classifier):
    shap = pytest.importorskip("shap")
    est, X, _ = classifier
    explanation = est.explain(X[:4], "deeplift", target=1, as_explanation=True)
    assert isinstance(explanation, shap.Explanation)
    np.testing.assert_allclose(explanation.values.sum(axis=1) + explanation.base_values, logits(est, X[:4])[:, 1],
                               atol=1e-8)


def test_permutation_importance_finds_the_informative_features():
    X, y = make_classification(n_samples=800, n_features=8, n_informative=3, n_redundant=0, shuffle=False,
                               random_state=1)
    est = ScoresActivationClassifier(random_state=0).fit(X, y)
    importance = est.global_importance(X, y, "permutation", n_repeats=5, random_state=0)
    assert set(np.argsort(-importance)[:3]) == {0, 1, 2}
    again = est.set_params(n_threads=1).global_importance(X, y, "permutation", n_repeats=5, random_state=0)
    np.testing.assert_array_equal(importance, again)
    deeplift = est.global_importance(X, method="deeplift")
    assert set(np.argsort(-deeplift)[:3]) == {0, 1, 2}
    np.testing.assert_array_equal(est.global_importance(), est.scores())


def test_rank_metrics_match_scipy():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 5, size=30).astype(float)  # with ties
    b = a + rng.normal(size=30)
    assert metrics.spearman(a, b) == pytest.approx(stats.spearmanr(a, b).statistic, abs=1e-12)
    assert metrics.kendall_tau(a, b) == pytest.approx(stats.kendalltau(a, b).statistic, abs=1e-12)
    assert metrics.top_k_precision([0.4, 0.1, 0.3, 0.2], relevant=[0, 1]) == 0.5
    assert metrics.ranking_stability([[1, 2, 3], [1, 2, 3], [3, 2, 1]]) == pytest.approx(-1 / 3)


def test_deletion_and_insertion_curves_start_and_end_at_known_outputs(classifier):
    est, X, _ = classifier
    attributions = est.explain(X[:10], "deeplift", target=1)
    curves, auc = metrics.deletion_curve(est, X[:10], attributions, target=1)
    assert curves.shape == (10, 7)
    np.testing.assert_allclose(curves[:, 0], logits(est, X[:10])[:, 1], atol=1e-12)
    np.testing.assert_allclose(curves[:, -1], logits(est, X.mean(axis=0, keepdims=True))[0, 1], atol=1e-12)
    np.testing.assert_allclose(auc, np.mean((curves[:, :-1] + curves[:, 1:]).sum(axis=1) / 12), atol=1e-12)
    inserted, _ = metrics.insertion_curve(est, X[:10], attributions, target=1)
    np.testing.assert_allclose(inserted[:, 0], curves[:, -1], atol=1e-12)
    np.testing.assert_allclose(inserted[:, -1], curves[:, 0], atol=1e-12)


def test_faithfulness_is_one_for_the_output_drops_themselves(classifier):
    est, X, _ = classifier
    reference = np.median(X, axis=0)
    drops = np.empty((6, 6))
    for j in range(6):
        changed = X[:6].copy()
        changed[:, j] = reference[j]
        drops[:, j] = logits(est, X[:6])[:, 0] - logits(est, changed)[:, 0]
    assert metrics.faithfulness(est, X[:6], drops, X_train=X, target=0) == pytest.approx(1.0)


def test_local_lipschitz_of_a_linear_map_is_its_norm():
    A = np.array([[2.0, 0.0], [0.0, 0.5]])
    estimate = metrics.local_lipschitz(lambda rows: rows @ A, np.zeros((3, 2)) + 1.0, n_samples=200)
    assert np.all(estimate <= 2.0 + 1e-12) and np.all(estimate > 1.9)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"method": "lime"}, "method"),
        ({"method": "deeplift", "target": 7}, "target"),
        ({"method": "deeplift", "output": "probability"}, "probability"),
        ({"method": "deeplift", "baseline": np.zeros(3)}, "baseline"),
        ({"method": "deeplift", "rule": "linear"}, "rule"),
        ({"method": "integrated_gradients", "n_steps": 0}, "n_steps"),
        ({"method": "integrated_gradients", "integration": "simpson"}, "gausslegendre"),
        ({"method": "shapley", "exact": True, "background": np.full((2, 6), np.nan)}, "NaN"),
    ],
)
def test_bad_arguments(classifier, kwargs, match):
    est, X, _ = classifier
    method = kwargs.pop("method")
    with pytest.raises(ValueError, match=match):
        est.explain(X[:2], method, **kwargs)


def test_mean_baseline_needs_standardisation():
    X, y = make_friedman1(n_samples=200, n_features=5, random_state=0)
    est = ScoresActivationRegressor(hidden_layer_sizes=(8,), max_epochs=5, standardize=False, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="standardize = FALSE/False"):
        est.explain(X[:3], "deeplift")
    # explicit rows work and satisfy completeness against them
    values = est.explain(X[:3], "deeplift", baseline=X.mean(axis=0))
    np.testing.assert_allclose(values.sum(axis=1), est.predict(X[:3]) - est.predict(X.mean(axis=0, keepdims=True)),
                               atol=1e-8)


def test_global_importance_passes_random_state_to_sampled_shapley(classifier):
    est, X, _ = classifier
    kwargs = dict(method="shapley", background=X[:10], exact=False, n_permutations=4)
    a = est.global_importance(X[:20], random_state=1, **kwargs)
    b = est.global_importance(X[:20], random_state=1, **kwargs)
    c = est.global_importance(X[:20], random_state=2, **kwargs)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_metric_arguments_are_checked(classifier):
    est, X, _ = classifier
    with pytest.raises(ValueError, match="relevant"):
        metrics.top_k_precision(np.arange(6.0), [0, 9], k=2)
    bad = np.full((5, 6), np.nan)
    with pytest.raises(ValueError, match="NaN"):
        metrics.deletion_curve(est, X[:5], bad, target=0)


def test_global_importance_refuses_arguments_it_would_ignore(classifier):
    est, X, y = classifier
    with pytest.raises(TypeError, match="baseline"):
        est.global_importance(method="scores", baseline="zeros")
    with pytest.raises(TypeError, match="n_steps"):
        est.global_importance(X, y, method="permutation", n_steps=10)


# ------------------------------------------------------------------ hardening

@pytest.mark.parametrize(
    "call, match",
    [
        # Integers pybind11 cannot convert (it would raise TypeError: incompatible function arguments).
        (lambda est, X, y: est.explain(X[:2], "shapley", exact=False, random_state=-1), "random_state"),
        (lambda est, X, y: est.explain(X[:2], "shapley", exact=False, random_state=2**64), "random_state"),
        (lambda est, X, y: est.explain(X[:2], "shapley", exact=False, random_state=True), "random_state"),
        (lambda est, X, y: est.explain(X[:2], "shapley", exact=False, n_permutations=2**63), "n_permutations"),
        (lambda est, X, y: est.explain(X[:2], "shapley", exact=False, n_permutations=True), "n_permutations"),
        (lambda est, X, y: est.explain(X[:2], "integrated_gradients", n_steps=2**63), "n_steps"),
        (lambda est, X, y: est.explain(X[:2], "integrated_gradients", n_steps=True), "n_steps"),
        (lambda est, X, y: est.explain(X[:2], "integrated_gradients", n_steps=2.0), "n_steps"),
        (lambda est, X, y: est.global_importance(X, y, "permutation", n_repeats=2**63), "n_repeats"),
        (lambda est, X, y: est.global_importance(X, y, "permutation", n_repeats=False), "n_repeats"),
        (lambda est, X, y: est.global_importance(X, y, "permutation", random_state=-1), "random_state"),
        (lambda est, X, y: est.global_importance(X, y, "permutation", random_state=2**64), "random_state"),
        (lambda est, X, y: est.global_importance(X[:5], method="shapley", exact=False, random_state=-3),
         "random_state"),
        # Representable, but beyond the core's bounds (2**62 orders once overflowed a buffer size).
        (lambda est, X, y: est.explain(X[:2], "shapley", exact=False, n_permutations=2**62),
         r"n_permutations must be an integer in \[1, 10000000\]"),
        (lambda est, X, y: est.explain(X[:2], "integrated_gradients", n_steps=10**6 + 1),
         r"n_steps must be an integer in \[1, 1000000\]"),
        (lambda est, X, y: est.global_importance(X, y, "permutation", n_repeats=10**5 + 1),
         r"n_repeats must be an integer in \[1, 100000\]"),
        (lambda est, X, y: metrics.local_lipschitz(lambda r: r, X[:2], n_samples=2**63), "n_samples"),
        (lambda est, X, y: metrics.local_lipschitz(lambda r: r, X[:2], n_samples=10**9), "n_samples"),
        (lambda est, X, y: metrics.local_lipschitz(lambda r: r, X[:2], random_state=-1), "random_state"),
        (lambda est, X, y: metrics.top_k_precision(np.arange(6.0), [0, 1], k=2**63), "k must be"),
        (lambda est, X, y: metrics.top_k_precision(np.arange(6.0), [2**64], k=1), "relevant"),
    ],
)
def test_out_of_range_integers_are_value_errors_naming_the_argument(classifier, call, match):
    est, X, y = classifier
    with pytest.raises(ValueError, match=match):
        call(est, X, y)


def test_thread_counts_beyond_a_c_int_never_reach_pybind11(classifier):
    import copy

    est, X, _ = classifier
    big = copy.deepcopy(est)
    big.n_threads = 2**63  # set after fit: only the attribution calls see it
    # Capped to the machine (or refused naming n_threads), never pybind11's TypeError.
    for call in (lambda e: e.explain(X[:3], "deeplift", target=0),
                 lambda e: metrics.deletion_curve(e, X[:3], np.ones(6), target=0)[0]):
        try:
            values = call(big)
        except ValueError as error:
            assert "n_threads" in str(error)
        else:
            np.testing.assert_array_equal(values, call(est))


@pytest.mark.parametrize(
    "method, kwargs, named",
    [
        ("integrated_gradients", {"rule": "reveal_cancel"}, "rule"),
        ("deeplift", {"n_steps": 10}, "n_steps"),
        ("deeplift", {"integration": "riemann_left"}, "integration"),
        ("deeplift", {"background": "zeros"}, "background"),
        ("deeplift", {"random_state": 0}, "random_state"),
        ("gradient", {"baseline": "zeros"}, "baseline"),
        ("gradient_times_input", {"n_steps": 5, "rule": "rescale"}, "rule, n_steps"),
        ("shapley", {"baseline": "zeros"}, "baseline"),
        ("shapley", {"rule": "rescale"}, "rule"),
        ("integrated_gradients", {"exact": True}, "exact"),
        ("integrated_gradients", {"n_permutations": 8}, "n_permutations"),
    ],
)
def test_options_of_other_methods_are_refused(classifier, method, kwargs, named):
    est, X, _ = classifier
    with pytest.raises(ValueError, match=rf"{named} do(es)? not apply to method = '{method}'"):
        est.explain(X[:2], method, target=0, **kwargs)


def test_options_that_would_be_ignored_elsewhere_are_refused(classifier):
    est, X, y = classifier
    with pytest.raises(ValueError, match="n_permutations does not apply to exact Shapley"):
        est.explain(X[:2], "shapley", exact=True, n_permutations=10, target=0)
    with pytest.raises(ValueError, match="n_repeats does not apply to method = 'deeplift'"):
        est.global_importance(X[:5], method="deeplift", n_repeats=3)
    with pytest.raises(ValueError, match="random_state does not apply to method = 'scores'"):
        est.global_importance(random_state=1)
    with pytest.raises(ValueError, match="random_state does not apply to method = 'integrated_gradients'"):
        est.global_importance(X[:5], method="integrated_gradients", random_state=1)
    # Each method's own options and the defaults still work, explicit None seeds too.
    est.explain(X[:2], "deeplift", baseline="zeros", rule="reveal_cancel", random_state=None)
    est.explain(X[:2], "integrated_gradients", baseline="zeros", n_steps=5, integration="riemann_left")
    est.explain(X[:2], "shapley", background=X[:4], exact=False, n_permutations=4, random_state=3)
    est.explain(X[:2], "shapley", background=X[:4], exact=True, random_state=3)
    est.global_importance(X[:5], method="gradient")


def _unsorted_classes_copy(est):
    """The same model with its classes stored in reverse order (as an R factor
    with levels c("yes", "no") saves them): classes and output units reversed."""
    doc = est.to_dict()
    doc["classes"] = doc["classes"][::-1]
    for name in [k for k in doc["arrays"] if k.startswith("dense_")]:
        layer = int(name.split("_")[1])
        if layer != max(int(k.split("_")[1]) for k in doc["arrays"] if k.startswith("dense_")):
            continue
        array = np.asarray(doc["arrays"][name]["data"], dtype=float).reshape(doc["arrays"][name]["shape"])
        doc["arrays"][name]["data"] = array[..., ::-1].ravel().tolist()  # output units are the last axis
    return type(est).from_dict(doc)


def test_permutation_importance_maps_labels_through_unsorted_classes():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    y = np.where(X[:, 0] + 0.5 * X[:, 1] > 0, "yes", "no")
    est = ScoresActivationClassifier(hidden_layer_sizes=(8,), max_epochs=30, random_state=0).fit(X, y)
    flipped = _unsorted_classes_copy(est)
    assert flipped.classes_.tolist() == ["yes", "no"]
    np.testing.assert_array_equal(flipped.predict(X), est.predict(X))
    np.testing.assert_allclose(flipped.predict_proba(X)[:, ::-1], est.predict_proba(X), atol=1e-12)
    expected = est.global_importance(X, y, "permutation", n_repeats=3, random_state=4)
    got = flipped.global_importance(X, y, "permutation", n_repeats=3, random_state=4)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)
    assert np.all(expected[:2] > 0.01)  # the check compares real importances
    with pytest.raises(ValueError, match="'maybe'"):
        flipped.global_importance(X[:3], np.array(["yes", "maybe", "no"]), "permutation")
    with pytest.raises(ValueError, match="not fitted on"):
        est.global_importance(X[:3], np.array([0, 1, 1]), "permutation")


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda est, X: est.explain(X[:0], "deeplift"), "0 sample"),
        (lambda est, X: est.explain(X[:2], "deeplift", baseline=X[:0]), "baseline has no rows"),
        (lambda est, X: est.explain(X[:2], "integrated_gradients", baseline=np.zeros(5)), "baseline must have 6"),
        (lambda est, X: est.explain(X[:2], "shapley", background=np.zeros((0, 6))), "background has no rows"),
        (lambda est, X: est.explain(X[:2], "deeplift", baseline=np.full(6, np.nan)), "NaN"),
        (lambda est, X: est.explain(np.full((2, 6), np.nan), "gradient"), "NaN"),
        (lambda est, X: est.explain(X[:2], "shapley", target=5), "target"),
        (lambda est, X: metrics.deletion_curve(est, X[:2], np.ones(6), baseline=np.full(6, np.inf), target=0),
         "infinity"),
        (lambda est, X: metrics.faithfulness(est, X[:2], np.full((2, 6), np.nan), X_train=X, target=0), "NaN"),
        (lambda est, X: metrics.local_lipschitz(lambda r: r[:1], X[:2], n_samples=3), "one row of attributions"),
        (lambda est, X: _core.model_outputs(est._core, np.zeros((2, 3)), "raw", 1), "3 features"),
    ],
)
def test_hostile_inputs_give_clear_errors(classifier, call, match):
    est, X, _ = classifier
    with pytest.raises(ValueError, match=match):
        call(est, X)
