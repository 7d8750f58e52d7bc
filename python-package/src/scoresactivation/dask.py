"""Scoring and explaining a fitted model on Dask collections, partition by partition.

The fitted estimator is pickled to the workers once per graph (its model
state, a few hundred kilobytes for the default network); each partition (a
Dask DataFrame partition or a row block of a Dask Array) is predicted or
explained by the C++ core in the worker, and global importances are reduced
across partitions with the rows' weights. Training on Dask goes through
``partial_fit`` (dask-ml's ``Incremental``; docs/scale.md).

Examples
--------
>>> import numpy as np
>>> import dask.array as da
>>> from scoresactivation import ScoresActivationClassifier
>>> from scoresactivation import dask as sa_dask
>>> X = np.random.default_rng(0).normal(size=(600, 3))
>>> est = ScoresActivationClassifier(max_epochs=10, random_state=0).fit(X, X[:, 0] > 0)
>>> Xd = da.from_array(X, chunks=(200, 3))
>>> bool((sa_dask.predict(est, Xd).compute() == est.predict(X)).all())
True
>>> sa_dask.global_importance(est, Xd, method="deeplift").shape
(3,)
"""

import numpy as np

__all__ = ["predict", "predict_proba", "explain", "global_importance"]


def _collection(X):
    """('array' | 'frame', X) for a Dask Array of rows or a Dask DataFrame."""
    try:
        import dask.array as da
        import dask.dataframe as dd
    except ImportError as exc:  # pragma: no cover - dask is an optional dependency
        raise ImportError("scoresactivation.dask needs dask: pip install 'dask[array,dataframe]'") from exc
    if isinstance(X, dd.DataFrame):
        return "frame", X
    if isinstance(X, da.Array):
        if X.ndim != 2:
            raise ValueError(f"X must be a 2-d Dask Array of rows; got {X.ndim} dimensions")
        if X.numblocks[1] != 1:
            X = X.rechunk({1: -1})  # a row block must hold every column
        return "array", X
    raise ValueError(f"X must be a Dask Array or DataFrame; got {type(X).__name__} (use the estimator's own "
                     "methods for in-memory data)")


def _per_rows(est, X, compute, width, dtype):
    """compute(est, rows) on every partition, as one Dask Array of its rows:
    (n,) when width is None, else (n, *width). A DataFrame's partition
    lengths are not known before they are read: the result's row chunks are
    then unknown (NaN) until computed."""
    import dask
    import dask.array as da

    kind, X = _collection(X)
    est = _fitted(est)
    parts, lengths = _row_parts(kind, X)
    tail = () if width is None else tuple(int(w) for w in width)
    task = dask.delayed(compute, pure=True)
    blocks = [da.from_delayed(task(est, part), shape=(n,) + tail, dtype=dtype) for part, n in zip(parts, lengths)]
    return da.concatenate(blocks, axis=0)


def _row_parts(kind, X):
    """The partitions (delayed) and their row counts (NaN when unknown)."""
    if kind == "frame":
        parts = X.to_delayed()
        return parts, [np.nan] * len(parts)
    return X.to_delayed().ravel().tolist(), list(X.chunks[0])


def _fitted(est):
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(est, "n_epochs_")
    return est


def predict(est, X):
    """``est.predict`` on every partition of X.

    Parameters
    ----------
    est : fitted estimator
        Any fitted estimator of this package (tabular or SENN).
    X : dask.array.Array of shape (n_samples, n_features) or dask.dataframe.DataFrame
        The rows, in row blocks or partitions.

    Returns
    -------
    dask.array.Array of shape (n_samples,)
        Lazy: ``.compute()`` gives the labels (or regression outputs).
    """
    est = _fitted(est)
    dtype = est.classes_.dtype if hasattr(est, "classes_") else np.float64
    return _per_rows(est, X, lambda e, rows: np.asarray(e.predict(rows)), None, dtype)


def predict_proba(est, X):
    """``est.predict_proba`` on every partition of X (classifiers).

    Parameters
    ----------
    est : fitted classifier
    X : dask.array.Array or dask.dataframe.DataFrame

    Returns
    -------
    dask.array.Array of shape (n_samples, n_classes)
    """
    est = _fitted(est)
    if not hasattr(est, "predict_proba"):
        raise ValueError(f"{type(est).__name__} has no predict_proba (a regressor: use predict)")
    return _per_rows(est, X, lambda e, rows: np.asarray(e.predict_proba(rows)), (len(est.classes_),), np.float64)


def explain(est, X, method="deeplift", **options):
    """``est.explain`` on every partition of X: local attributions per row.

    Parameters
    ----------
    est : fitted estimator
    X : dask.array.Array or dask.dataframe.DataFrame
    method : str, default="deeplift"
        A local method of ``est.explain``.
    **options
        ``est.explain``'s options (``target``, ``baseline``, ``background``,
        ``random_state``, ...), the same on every partition. Sampled Shapley
        values with ``random_state`` draw the same orders on every partition.

    Returns
    -------
    dask.array.Array
        (n_samples, n_features), or (n_samples, n_features, n_classes) for a
        classifier without ``target``, as ``est.explain`` returns.
    """
    est = _fitted(est)
    if options.get("as_explanation"):
        raise ValueError("as_explanation is not available on Dask collections (compute a sample first)")
    kind, X_checked = _collection(X)
    # The result's width: one row explained here (cheap) gives it.
    head = X_checked.head(1) if kind == "frame" else X_checked[:1].compute()
    width = np.asarray(est.explain(head, method, **options)).shape[1:]
    return _per_rows(est, X_checked, lambda e, rows: np.asarray(e.explain(rows, method, **options)),
                     width, np.float64)


def global_importance(est, X, y=None, method="permutation", *, n_repeats=5, random_state=0, **options):
    """One importance per feature over a distributed table, reduced across partitions.

    ``"permutation"``: in each partition, the increase of the model's loss
    when a feature is shuffled within the partition (``n_repeats``
    shuffles), averaged over partitions with their row counts as weights
    (every partition's seed is derived from ``random_state`` and its index,
    so the result does not depend on the scheduler). A local method of
    ``est.explain``: the mean absolute attribution over every row (and class),
    summed per partition and divided by the row count, so the result equals
    ``est.global_importance`` on the whole table for the deterministic
    methods. ``"scores"``: the learned scores (no data needed).

    Parameters
    ----------
    est : fitted estimator
    X : dask.array.Array or dask.dataframe.DataFrame
    y : dask.array.Array or dask.dataframe.Series, optional
        The true responses, partitioned as X ("permutation" only).
    method : str, default="permutation"
    n_repeats : int, default=5
        Shuffles per feature and partition ("permutation").
    random_state : int, default=0
        Seed of the shuffles (and of sampled Shapley values).
    **options
        Options of ``est.explain`` for the local methods.

    Returns
    -------
    ndarray of shape (n_features,)
    """
    import dask

    est = _fitted(est)
    if method == "scores":
        return np.asarray(est.scores())
    kind, X = _collection(X)
    x_parts, _ = _row_parts(kind, X)
    if method == "permutation":
        if y is None:
            raise ValueError("method='permutation' needs y, partitioned as X")
        y_parts = _y_partitions(y, len(x_parts))
        seed = int(np.random.SeedSequence(random_state).generate_state(1)[0]) if random_state is not None else None

        def part(e, rows, target, index):
            rows_seed = None if seed is None else (seed + 7919 * index) % (2**32)
            values = np.asarray(e.global_importance(rows, np.asarray(target), method="permutation",
                                                    n_repeats=n_repeats, random_state=rows_seed))
            return values * len(target), len(target)

        results = dask.compute(*[dask.delayed(part)(est, r, t, i)
                                 for i, (r, t) in enumerate(zip(x_parts, y_parts))])
    else:
        if y is not None:
            raise ValueError(f"y does not apply to method={method!r} (only 'permutation' reads it)")

        def part(e, rows):
            values = np.abs(np.asarray(e.explain(rows, method, random_state=random_state, **options)
                                       if method == "shapley" else e.explain(rows, method, **options)))
            per_feature = values.sum(axis=0)
            if per_feature.ndim > 1:  # a class axis: mean over the classes
                per_feature = per_feature.mean(axis=1)
            return per_feature, values.shape[0]

        results = dask.compute(*[dask.delayed(part)(est, r) for r in x_parts])
    total = sum(n for _, n in results)
    if total == 0:
        raise ValueError("X has 0 rows")
    return sum(v for v, _ in results) / total


def _y_partitions(y, n_parts):
    import dask.array as da
    import dask.dataframe as dd

    if isinstance(y, (dd.Series, dd.DataFrame)):
        parts = y.to_delayed()
    elif isinstance(y, da.Array):
        parts = y.to_delayed().ravel().tolist()
    else:
        raise ValueError(f"y must be a Dask Array or Series partitioned as X; got {type(y).__name__}")
    if len(parts) != n_parts:
        raise ValueError(f"y has {len(parts)} partitions but X has {n_parts}; partition them alike")
    return parts
