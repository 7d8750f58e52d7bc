"""The JSON model document (docs/model-format.md), written and read with json."""

import contextlib
import json
import os
import stat
import tempfile

import numpy as np

from . import _core

FORMAT_NAME = "scoresactivation"
FORMAT_VERSION = _core.MODEL_FORMAT_VERSION


def _json_value(value):
    """Plain Python types for json (numpy scalars and arrays)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_json_value(v) for v in value]
    return value


def state_to_document(*, estimator_name, params, seed, state, feature_names, classes, library_version):
    arrays = {
        name: {"shape": list(arr.shape), "data": np.asarray(arr, dtype=np.float64).ravel().tolist()}
        for name, arr in sorted(state["arrays"].items())
    }
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "library_version": library_version,
        "estimator": estimator_name,
        "task": state["task"],
        "params": {k: _json_value(v) for k, v in params.items()},
        "seed": int(seed),
        "n_features": int(state["n_features"]),
        "n_outputs": int(state["n_outputs"]),
        "n_epochs_run": int(state["n_epochs_run"]),
        "best_epoch": int(state["best_epoch"]),
        "feature_names": None if feature_names is None else [str(f) for f in feature_names],
        "classes": None if classes is None else _json_value(list(classes)),
        "arrays": arrays,
    }


def read(doc):
    """The core's check of a parsed document (raises ValueError naming the key).

    Returns a dict with format_version, task, estimator, core_params (the
    core's Params, with what older versions imply for params they predate),
    seed and state. Labels, feature names and the front end's own params
    (random_state, n_threads, verbose) are read from ``doc``, which the core
    has checked.
    """
    return _core.read_model_document(doc)


def write_document(doc, path):
    """Writes atomically: a failed write leaves any earlier file at path intact.

    The text is serialised first (non-finite numbers fail there), then written
    to a temporary file in the same folder, flushed to disk and renamed over
    path.
    """
    text = json.dumps(doc, allow_nan=False)
    path = os.path.abspath(path)
    folder = os.path.dirname(path)
    if os.path.isdir(path):
        raise ValueError(f"path {path!r} is a folder, not a file name")
    if not os.path.isdir(folder):
        raise ValueError(f"cannot save to {path!r}: no folder {folder!r}")
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, _file_mode(path))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _file_mode(path):
    """The existing file's permissions, else what open() would give under the umask."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def read_document(path):
    with open(path, encoding="utf-8") as handle:
        try:
            return json.load(handle)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
            raise ValueError(f"{path!r} is not a JSON model document: {error}") from None
