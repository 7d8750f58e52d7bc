"""The JSON model document (docs/model-format.md): laid out and checked by the core, serialised with json."""

import contextlib
import json
import os
import stat
import tempfile

from . import _core


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
