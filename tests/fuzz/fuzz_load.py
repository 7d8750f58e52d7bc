"""atheris target for the Python load path (make fuzz, make test-fuzz).

bytes -> a model file -> scoresactivation.load_model(path) -> predict one
zero row -> to_dict / from_dict round trip, which must predict the same.

Expected outcomes: the bytes are not a JSON text that Python's json reads as
load_model does (UTF-8; JSONDecodeError, UnicodeDecodeError and
RecursionError are json's), or loading raises ValueError. Anything else is a
finding: any other exception (TypeError, KeyError, AttributeError,
OverflowError, MemoryError, ...), a crash of the extension, a total above
-rss_limit_mb, or a loaded model that fails to predict or to round-trip.

Usage: python tests/fuzz/fuzz_load.py [libFuzzer flags] [corpus dirs]
(e.g. -atheris_runs=5000 -dict=tests/fuzz/model_document.dict build/fuzz/python/corpus tests/fuzz/corpus;
tests/fuzz/run.sh runs it so).
A single file instead of flags and dirs reruns that input.
"""

import copy
import json
import math
import os
import random
import sys
import tempfile
import warnings

import atheris
import numpy as np

# Coverage feedback from our Python code only: instrumenting numpy and
# scikit-learn too would slow every run for edges we do not test.
with atheris.instrument_imports(include=["scoresactivation"]):
    import scoresactivation

# The file each input is written to, in memory where there is a tmpfs, and
# removed after each load (libFuzzer's exit skips Python's clean-up).
_FOLDER = "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()
_PATH = os.path.join(_FOLDER, f"scoresactivation-fuzz_load-{os.getpid()}.json")


# Warnings are not findings (numpy's overflow warnings on extreme weights,
# "X does not have valid feature names"), and printing them would slow every run.
warnings.simplefilter("ignore")


def _predict(est):
    if hasattr(est, "predict_proba"):
        return np.asarray(est.predict_proba(np.zeros((1, est.n_features_in_))))
    return np.asarray(est.predict(np.zeros((1, est.n_features_in_))))


# How far the inputs got, for the summary of make fuzz: written to the file
# FUZZ_LOAD_STATS names every 1000 inputs (libFuzzer's exit skips atexit).
_STATS = {"inputs": 0, "not_json": 0, "refused": 0, "loaded": 0, "prediction_refused": 0, "round_tripped": 0}
_STATS_PATH = os.environ.get("FUZZ_LOAD_STATS")


def test_one_input(data):
    _STATS["inputs"] += 1
    if _STATS_PATH and _STATS["inputs"] % 1000 == 0:
        with open(_STATS_PATH, "w") as handle:
            json.dump(_STATS, handle)
    # What load_model's json.load reads from a file opened as UTF-8.
    try:
        json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        _STATS["not_json"] += 1
        return

    with open(_PATH, "wb") as handle:
        handle.write(data)
    try:
        est = scoresactivation.load_model(_PATH)
    except ValueError:
        _STATS["refused"] += 1
        return
    finally:
        os.unlink(_PATH)
    # Anything else propagates: atheris reports it and saves the input.

    # A model that loaded must predict one row. Only an output that
    # overflows double may refuse (weights near 1e308 are finite, so valid).
    _STATS["loaded"] += 1
    try:
        first = _predict(est)
    except ValueError as e:
        if "overflow" not in str(e):
            raise
        _STATS["prediction_refused"] += 1
        return
    if first.shape[0] != 1:
        raise AssertionError(f"one row in, {first.shape[0]} rows out")

    # What it saves must load again and predict the same numbers.
    again = type(est).from_dict(json.loads(json.dumps(est.to_dict(), allow_nan=False)))
    second = _predict(again)
    if not np.array_equal(first, second, equal_nan=True):
        raise AssertionError(f"a saved and reloaded model predicts {second!r}, not {first!r}")
    _STATS["round_tripped"] += 1


# ---------------------------------------------------------------- mutator
# The Python layer is thin (the checks are in the uninstrumented extension),
# so coverage alone does not steer byte mutations past the JSON parser: most
# would be syntax errors, and libFuzzer stacks several per input. So four in
# five mutations of a JSON input edit one value of the parsed document and
# serialise it again; the rest, and all of a non-JSON input, are libFuzzer's
# byte mutations, which reach the parser's own error paths.
HOSTILE = [0, -1, 1, 2, 3, 0.5, -0.0, 1e308, -1e308, 5e-324, math.nan, math.inf, -math.inf,
           2**24, 2**24 + 1, 2**31, 2**32, 2**53 + 1, 2**63, 2**64, 10**400, 2e9, 1e300, "", "x",
           "scoresactivation", "classification", "regression", None, True, False, [], {}, [1], [2, 2],
           {"shape": [1], "data": [0.0]}, {"shape": [2, 2], "data": [0.5] * 4}]


def _slots(node, out, depth=0):
    """(container, key) of every value, up to a few thousand."""
    if depth > 50 or len(out) > 4000:
        return
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        out.append((node, key))
        _slots(value, out, depth + 1)


def _hostile(rng):
    return copy.deepcopy(rng.choice(HOSTILE))  # a fresh copy: later edits must not change HOSTILE


def _mutate_document(doc, rng):
    slots = []
    _slots(doc, slots)
    if not slots:
        return _hostile(rng)
    node, key = rng.choice(slots)
    value = node[key]
    op = rng.randrange(6)
    if op == 0:  # a hostile value
        node[key] = _hostile(rng)
    elif op == 1:  # drop it
        del node[key]
    elif op == 2 and isinstance(value, (int, float)) and not isinstance(value, bool):  # nudge a number
        node[key] = rng.choice([value + 1, value - 1, -value, value * 2, value / 2, value * 1e300, int(value) if math.isfinite(value) else 0])
    elif op == 3 and isinstance(value, list):  # resize a list
        if value and rng.random() < 0.5:
            del value[rng.randrange(len(value)):]
        else:
            value.extend([rng.choice(value) if value else 0.0] * rng.choice([1, 2, 7, 64]))
    elif op == 4:  # another slot's value (e.g. a shape where data goes)
        other_node, other_key = rng.choice(slots)
        node[key] = json.loads(json.dumps(other_node[other_key], allow_nan=True))
    else:  # a new member or element
        if isinstance(node, dict):
            node[rng.choice([k for k, _ in slots if isinstance(k, str)] or ["x"])] = _hostile(rng)
        else:
            node.insert(rng.randrange(len(node) + 1), _hostile(rng))
    return doc


def custom_mutator(data, max_size, seed):
    rng = random.Random(seed)
    if rng.random() < 0.8:
        try:
            doc = json.loads(data.decode("utf-8"))
            for _ in range(rng.choice([1, 1, 2, 3])):
                doc = _mutate_document(doc, rng)
            out = json.dumps(doc, allow_nan=True).encode("utf-8")
            if len(out) <= max_size:
                return out
        except (ValueError, RecursionError, ArithmeticError):  # not a document, nested too deeply, int too big
            pass
    return atheris.Mutate(data, max_size)


def main():
    atheris.Setup(sys.argv, test_one_input, custom_mutator=custom_mutator)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
