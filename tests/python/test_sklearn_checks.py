"""scikit-learn's estimator checks on the tabular estimators (ScoresActivation and SENN)."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from scoresactivation import ScoresActivationClassifier, ScoresActivationRegressor, SENNClassifier, SENNRegressor

# Mini-batch training with a shuffled order cannot make a weight of 2 equal
# to a duplicated row (sklearn's own MLP fails these checks for the same reason).
_EXPECTED_FAILURES = {
    "check_sample_weight_equivalence_on_dense_data": "mini-batch SGD: weights are not duplicated rows",
    "check_sample_weight_equivalence_on_sparse_data": "mini-batch SGD: weights are not duplicated rows",
}


@parametrize_with_checks(
    [ScoresActivationClassifier(max_epochs=40, random_state=0), ScoresActivationRegressor(max_epochs=40, random_state=0),
     SENNClassifier(max_epochs=40, random_state=0), SENNRegressor(max_epochs=40, random_state=0)],
    expected_failed_checks=lambda est: _EXPECTED_FAILURES,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
