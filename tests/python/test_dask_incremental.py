"""dask-ml's Incremental trains the estimator block by block through
partial_fit on a distributed LocalCluster (worker processes: the model is
pickled there and back), with the same result as the passes run here."""

import numpy as np
import pytest

pytest.importorskip("dask_ml")
distributed = pytest.importorskip("distributed")
import dask.array as da  # noqa: E402
from dask_ml.wrappers import Incremental  # noqa: E402

from scoresactivation import ScoresActivationClassifier, ScoresActivationRegressor  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as c:
            yield c


def test_incremental_on_a_cluster_equals_the_same_passes_in_process(client):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4000, 5))
    y = (X[:, 0] - X[:, 1] > 0).astype(int)
    Xd, yd = da.from_array(X, chunks=(500, 5)), da.from_array(y, chunks=500)
    inc = Incremental(ScoresActivationClassifier(random_state=0, n_threads=1), scoring="accuracy",
                      shuffle_blocks=False)
    inc.fit(Xd, yd, classes=[0, 1])
    local = ScoresActivationClassifier(random_state=0, n_threads=1)
    for start in range(0, 4000, 500):
        local.partial_fit(X[start:start + 500], y[start:start + 500], classes=[0, 1])
    assert inc.estimator_.n_iter_ == 8
    np.testing.assert_array_equal(inc.estimator_.predict_proba(X), local.predict_proba(X))
    assert inc.score(Xd, yd) > 0.9
    w = inc.estimator_.scores()
    assert min(w[0], w[1]) > max(w[2:])
    # predicting on the cluster block by block gives the in-process labels
    np.testing.assert_array_equal(inc.predict(Xd).compute(), local.predict(X))


def test_incremental_regression(client):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(3000, 3))
    y = 50 + 10 * X[:, 2] + rng.normal(size=3000)
    Xd, yd = da.from_array(X, chunks=(300, 3)), da.from_array(y, chunks=300)
    inc = Incremental(ScoresActivationRegressor(random_state=0, n_threads=1), shuffle_blocks=False)
    for _ in range(3):
        inc.partial_fit(Xd, yd)
    assert inc.estimator_.n_iter_ == 30
    assert inc.estimator_.score(X, y) > 0.9
