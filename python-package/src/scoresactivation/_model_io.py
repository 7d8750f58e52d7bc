"""The JSON model document (docs/model-format.md), written and read with json."""

import json

import numpy as np

from . import _core

FORMAT_NAME = "scoresactivation"
FORMAT_VERSION = _core.MODEL_FORMAT_VERSION

# Params a version-1 document does not store: it was written by the scale
# gate without a refinement phase (docs/model-format.md).
VERSION_1_PARAMS = {"gate": "scale", "snr_budget": 1.0, "refine_epochs": 0, "n_bootstrap": 0}


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


def document_params(doc):
    """The document's params, with what older versions imply for params they predate."""
    params = dict(doc["params"])
    if doc["format_version"] == 1:
        for name, value in VERSION_1_PARAMS.items():
            params.setdefault(name, value)
    return params


def document_to_state(doc):
    """Checks the header and returns the core's state dict."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_NAME:
        raise ValueError("not a scoresactivation model document (missing 'format': 'scoresactivation')")
    version = doc.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise ValueError(f"invalid format_version {version!r} in model document")
    if version > FORMAT_VERSION:
        raise ValueError(
            f"model format_version {version} is newer than this library supports ({FORMAT_VERSION}); "
            "upgrade scoresactivation"
        )
    try:
        arrays = {}
        for name, entry in doc["arrays"].items():
            data = np.asarray(entry["data"], dtype=np.float64)
            shape = tuple(int(s) for s in entry["shape"])
            if data.size != int(np.prod(shape)):
                raise ValueError(f"array '{name}' has {data.size} values for shape {list(shape)}")
            arrays[name] = data.reshape(shape)
        return {
            "task": doc["task"],
            "n_features": int(doc["n_features"]),
            "n_outputs": int(doc["n_outputs"]),
            "n_epochs_run": int(doc["n_epochs_run"]),
            "best_epoch": int(doc["best_epoch"]),
            "arrays": arrays,
        }
    except KeyError as missing:
        raise ValueError(f"model document lacks the field {missing}") from None


def write_document(doc, path):
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(doc, handle, allow_nan=False)


def read_document(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)
