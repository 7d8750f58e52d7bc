"""scoresactivation: neural networks that rank their features while they train."""

from ._estimator import (
    ScoresActivationClassifier,
    ScoresActivationRegressor,
    __version__,
    load_model,
)
from ._common import param_spec
from ._consistency import ConsistencyReport, consistency
from ._senn import SENNClassifier, SENNRegressor
from ._sequence import ScoresActivationSequenceClassifier, ScoresActivationSequenceRegressor
from .plotting import plot_consistency, plot_history, plot_scores, to_shap_explanation

__all__ = ["ScoresActivationClassifier", "ScoresActivationRegressor", "ScoresActivationSequenceClassifier",
           "ScoresActivationSequenceRegressor", "SENNClassifier", "SENNRegressor", "load_model", "__version__",
           "plot_scores", "plot_history", "plot_consistency", "to_shap_explanation",
           "consistency", "ConsistencyReport", "param_spec"]
