import numpy as np
import pytest
from sklearn.datasets import make_classification, make_friedman1


def pytest_configure(config):
    # Most tests fit with a few epochs on purpose; the warning is tested where
    # it matters (test_conventions.py, with pytest.warns).
    config.addinivalue_line("filterwarnings", "ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="session")
def classification_data():
    """5 informative columns (0-4) then 5 pure-noise columns."""
    return make_classification(
        n_samples=600, n_features=10, n_informative=5, n_redundant=0, shuffle=False, random_state=0
    )


@pytest.fixture(scope="session")
def regression_data():
    return make_friedman1(n_samples=600, n_features=8, noise=0.5, random_state=0)


@pytest.fixture
def rng():
    return np.random.default_rng(0)
