"""scoresactivation: neural networks that rank their features while they train."""

from ._estimator import (
    ScoresActivationClassifier,
    ScoresActivationRegressor,
    __version__,
    load_model,
)

__all__ = ["ScoresActivationClassifier", "ScoresActivationRegressor", "load_model", "__version__"]
