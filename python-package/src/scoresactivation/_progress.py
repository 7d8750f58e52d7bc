"""What a fit reports after each epoch: the verbose output (a tqdm progress
bar on a terminal when tqdm is installed, else one line per epoch) and the
user's ``callbacks``, all from the core's one per-epoch hook."""

import math
import sys

import numpy as np


def _checked_callbacks(callbacks):
    if callbacks is None:
        return []
    if callable(callbacks):
        return [callbacks]
    try:
        listed = list(callbacks)
    except TypeError:
        raise ValueError(f"callbacks must be a callable or a list of callables, got {callbacks!r}") from None
    for cb in listed:
        if not callable(cb):
            raise ValueError(f"callbacks must be a callable or a list of callables; {cb!r} is not callable")
    return listed


def _tqdm_or_none(verbose, total):
    """A tqdm bar for verbose fits on a terminal; None elsewhere (CI logs and
    notebooks' captured output read better as lines) or without tqdm."""
    if not verbose or not sys.stderr.isatty():
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="epoch", leave=True, dynamic_ncols=True)


class EpochReporter:
    """The core's on_epoch hook for one fit; close() ends the progress bar.

    Each callback gets a dict: ``epoch`` (1-based, over both phases),
    ``train_loss``, ``validation_loss`` (None without early stopping),
    ``improved`` (whether the monitored loss improved by ``tol``) and
    ``scores`` (the current scores, or None without the scores layer). A
    callback that raises ends the fit with that exception; the estimator
    keeps its earlier state.
    """

    def __init__(self, est, callbacks, max_epochs):
        self.callbacks = _checked_callbacks(callbacks)
        self.verbose = bool(est.verbose)
        self.max_epochs = max_epochs
        self.names = getattr(est, "feature_names_in_", None)
        self.bar = None
        self.active = self.verbose or bool(self.callbacks)

    def hook(self):
        """The callable the core calls, or None when nothing listens (no cost per epoch)."""
        if not self.active:
            return None
        if self.verbose:
            self.bar = _tqdm_or_none(self.verbose, self.max_epochs)
        return self._on_epoch

    def _label(self, j):
        return self.names[j] if self.names is not None else f"x{j}"

    def _on_epoch(self, epoch, train_loss, validation_loss, validation_score, improved, scores):
        info = {"epoch": int(epoch), "train_loss": float(train_loss),
                "validation_loss": None if math.isnan(validation_loss) else float(validation_loss),
                "validation_score": None if math.isnan(validation_score) else float(validation_score),
                "improved": bool(improved), "scores": None if scores is None else np.array(scores)}
        if self.verbose:
            self._report(info)
        for cb in self.callbacks:
            cb(info)

    def _report(self, info):
        top = ""
        if info["scores"] is not None:
            order = np.argsort(-info["scores"], kind="stable")[:5]
            top = ", ".join(f"{self._label(j)} {info['scores'][j]:.3f}" for j in order)
        if self.bar is not None:
            postfix = {"loss": f"{info['train_loss']:.4f}"}
            if info["validation_loss"] is not None:
                postfix["validation"] = f"{info['validation_loss']:.4f}"
            self.bar.set_postfix(postfix, refresh=False)
            self.bar.update(1)
            return
        line = f"epoch {info['epoch']:4d}/{self.max_epochs}  loss {info['train_loss']:.5f}"
        if info["validation_loss"] is not None:
            line += f"  validation {info['validation_loss']:.5f}{' *' if info['improved'] else ''}"
        if top:
            line += "  top: " + top
        print(line, flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class RunProgress:
    """Progress of one long computation of a fitted estimator (Shapley
    values, permutation importance): the core's progress(done, total) hook.

    With ``est.verbose`` on a terminal: a tqdm bar when tqdm is installed,
    else one line rewritten in place with the share done and an ETA. Off in
    non-interactive runs (no terminal) and without verbose: ``hook()`` is
    then None and the core reports nothing.
    """

    def __init__(self, est, description, unit):
        self.description, self.unit = description, unit
        self.on = bool(getattr(est, "verbose", 0)) and sys.stderr.isatty()
        self.bar = None
        self.started = None
        self.line_open = False

    def __enter__(self):
        return self.hook()

    def __exit__(self, *exc):
        self.close()
        return False

    def hook(self):
        return self._progress if self.on else None

    def _progress(self, done, total):
        import time

        if self.started is None:
            self.started = time.monotonic()
            try:
                from tqdm.auto import tqdm
            except ImportError:
                tqdm = None
            if tqdm is not None:
                self.bar = tqdm(total=total, desc=self.description, unit=self.unit, leave=True, dynamic_ncols=True)
        if self.bar is not None:
            self.bar.update(done - self.bar.n)
            return
        elapsed = time.monotonic() - self.started
        eta = elapsed * (total - done) / done if done > 0 else float("nan")
        eta_text = f", ETA {eta:.0f} s" if done < total and math.isfinite(eta) else f", {elapsed:.1f} s"
        sys.stderr.write(f"\r{self.description}: {done}/{total} {self.unit} ({100.0 * done / max(total, 1):.0f}%){eta_text}  ")
        sys.stderr.flush()
        self.line_open = True

    def close(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        if self.line_open:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self.line_open = False
