"""Dask: dask-ml's Incremental trains the estimator block by block through
partial_fit on a distributed LocalCluster (worker processes: the model is
pickled there and back), with the same result as the passes run here; and
scoresactivation.dask predicts, explains and reduces global importances
partition by partition, with the numbers of the in-memory methods."""

import numpy as np
import pytest

pytest.importorskip("dask_ml")
distributed = pytest.importorskip("distributed")
import dask.array as da  # noqa: E402
import dask.dataframe as dd  # noqa: E402
import pandas as pd  # noqa: E402
from dask_ml.wrappers import Incremental  # noqa: E402

from scoresactivation import ScoresActivationClassifier, ScoresActivationRegressor  # noqa: E402
from scoresactivation import dask as sa_dask  # noqa: E402


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


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(900, 4))
    y = np.where(X[:, 0] + 0.5 * X[:, 1] > 0, "yes", "no")
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    est = ScoresActivationClassifier(max_epochs=15, random_state=0, n_threads=1).fit(frame, y)
    return est, frame, y


def test_predict_and_explain_per_partition_equal_the_in_memory_methods(client, fitted):
    est, frame, y = fitted
    ddf = dd.from_pandas(frame, npartitions=3)
    Xd = da.from_array(frame.to_numpy(), chunks=(250, 2))  # column blocks are joined
    np.testing.assert_array_equal(sa_dask.predict(est, ddf).compute(), est.predict(frame))
    # (row blocks of another size may round the last bit differently)
    np.testing.assert_allclose(sa_dask.predict_proba(est, Xd).compute(), est.predict_proba(frame.to_numpy()),
                               rtol=1e-12, atol=1e-15)
    values = sa_dask.explain(est, ddf, "integrated_gradients", target="yes").compute()
    np.testing.assert_allclose(values, est.explain(frame, "integrated_gradients", target="yes"), rtol=1e-12)
    shap_like = sa_dask.explain(est, Xd, "shapley", background=frame.to_numpy()[:20]).compute()
    assert shap_like.shape == (900, 4, 2)


def test_global_importance_reduced_across_partitions(client, fitted):
    est, frame, y = fitted
    ddf = dd.from_pandas(frame, npartitions=3)
    # a deterministic method: exactly the whole table's mean |attribution|
    np.testing.assert_allclose(sa_dask.global_importance(est, ddf, method="deeplift"),
                               est.global_importance(frame, method="deeplift"), rtol=1e-12)
    yd = dd.from_pandas(pd.Series(y), npartitions=3)
    perm = sa_dask.global_importance(est, ddf, yd, method="permutation", n_repeats=3, random_state=1)
    assert perm.shape == (4,) and perm[0] > perm[1] > max(perm[2], perm[3])
    again = sa_dask.global_importance(est, ddf, yd, method="permutation", n_repeats=3, random_state=1)
    np.testing.assert_array_equal(perm, again)  # seeds per partition, not per scheduling
    np.testing.assert_array_equal(sa_dask.global_importance(est, ddf, method="scores"), est.scores())


def test_bad_collections_are_refused(fitted):
    est, frame, y = fitted
    ddf = dd.from_pandas(frame, npartitions=3)
    with pytest.raises(ValueError, match="X must be a Dask Array or DataFrame; got DataFrame"):
        sa_dask.predict(est, frame)
    with pytest.raises(ValueError, match="needs y"):
        sa_dask.global_importance(est, ddf, method="permutation")
    with pytest.raises(ValueError, match="y has 2 partitions but X has 3"):
        sa_dask.global_importance(est, ddf, dd.from_pandas(pd.Series(y), npartitions=2), method="permutation")
    with pytest.raises(ValueError, match="a regressor"):
        sa_dask.predict_proba(ScoresActivationRegressor(max_epochs=2).fit(frame, frame["a"]), ddf)
    with pytest.raises(Exception, match="not fitted"):
        sa_dask.predict(ScoresActivationClassifier(), ddf)
