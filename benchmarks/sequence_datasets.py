"""Sequence data sets for the sequence benchmarks: synthetic sets with known
relevant channels, and aeon's bundled multivariate sets (never downloaded).

Every set is (X, y, lengths) with X of shape (n, T, C) and lengths None or
(n,) valid steps; the synthetic generators also return a description of the
channels (which are relevant, which are distractors of which).
"""

import contextlib
import socket

import numpy as np

# Channel layout of both synthetic sets (C = 10):
#   0 frequency  relevant only through its frequency (zero mean, same variance in every class)
#   1 slope      relevant only through the sign (or size) of a trend centred on zero (zero mean shift)
#   2 window     relevant only inside steps [0.55 T, 0.8 T); pure noise elsewhere
#   3 distractor of 0: corr. 0.7 with channel 0 at every step, no effect on y given channel 0
#   4 distractor of 2: corr. 0.7 with channel 2 at every step, no effect on y given channel 2
#   5 nuisance: random per-sequence offset (a mean shift unrelated to y)
#   6 nuisance: sinusoid of random frequency and phase (temporal structure unrelated to y)
#   7 nuisance: random trend (unrelated to y)
#   8, 9 AR(1) noise
RELEVANT = (0, 1, 2)
DISTRACTORS = {3: 0, 4: 2}
CHANNEL_NAMES = ("frequency", "slope", "window", "copy of 0", "copy of 2", "offset", "random sine",
                 "random trend", "AR noise", "AR noise")
N_CHANNELS = len(CHANNEL_NAMES)
RHO = 0.7


def _channels(rng, n, steps, freq, slope, level):
    """The 10 channels for given per-sequence frequency (cycles over the sequence),
    slope and window level; unit-scale noise everywhere."""
    t = np.arange(steps) / steps
    X = np.empty((n, steps, N_CHANNELS))
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1))
    X[:, :, 0] = np.sin(2 * np.pi * freq[:, None] * t + phase) + 0.3 * rng.normal(size=(n, steps))
    X[:, :, 1] = slope[:, None] * (t - t.mean()) * 2 + 0.3 * rng.normal(size=(n, 1)) + 0.5 * rng.normal(size=(n, steps))
    window = (t >= 0.55) & (t < 0.8)
    X[:, :, 2] = rng.normal(size=(n, steps)) + level[:, None] * window
    for copy, source in DISTRACTORS.items():
        own = X[:, :, source]
        z = (own - own.mean()) / own.std()
        X[:, :, copy] = RHO * z + np.sqrt(1 - RHO ** 2) * rng.normal(size=(n, steps))
    X[:, :, 5] = rng.normal(size=(n, 1)) + 0.5 * rng.normal(size=(n, steps))
    X[:, :, 6] = (np.sin(2 * np.pi * rng.uniform(2, 7, size=(n, 1)) * t + rng.uniform(0, 2 * np.pi, size=(n, 1)))
                  + 0.5 * rng.normal(size=(n, steps)))
    X[:, :, 7] = rng.normal(size=(n, 1)) * 1.5 * (t - t.mean()) * 2 + 0.6 * rng.normal(size=(n, steps))
    for c in (8, 9):
        e = rng.normal(size=(n, steps))
        for s in range(1, steps):
            e[:, s] = 0.8 * e[:, s - 1] + 0.6 * e[:, s]
        X[:, :, c] = e
    return X


def synthetic_classification(seed, n=1000, steps=40):
    """Four classes, y = b0 + b1 + b2 for three independent bits, one per relevant channel:
    b0 sets channel 0's frequency (3 or 6 cycles), b1 the sign of channel 1's trend,
    b2 whether channel 2 has a bump (+1.6) inside the window. Each relevant channel
    carries one bit that no other channel holds (the distractors only echo it), so
    every relevant channel is needed for a low error."""
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2, size=(n, 3))
    X = _channels(rng, n, steps, freq=np.where(bits[:, 0] == 1, 5.0, 2.0), slope=np.where(bits[:, 1] == 1, 1.5, -1.5),
                  level=2.0 * bits[:, 2])
    return X, bits.sum(axis=1), None


def synthetic_regression(seed, n=1000, steps=40):
    """y = u0 + u1 + u2 + noise (sd 0.1) for three independent U(-1, 1) latents:
    u0 sets channel 0's frequency (3 to 7 cycles), u1 channel 1's slope (1.5 u1),
    u2 the level inside channel 2's window (1.6 u2)."""
    rng = np.random.default_rng(seed)
    u = rng.uniform(-1, 1, size=(n, 3))
    X = _channels(rng, n, steps, freq=3.5 + 1.5 * u[:, 0], slope=1.5 * u[:, 1], level=2.0 * u[:, 2])
    return X, u.sum(axis=1) + 0.1 * rng.normal(size=n), None


@contextlib.contextmanager
def no_network(what):
    """Any attempt to open a connection inside the block raises at once: the
    real sets must come from the files aeon ships, never from a download."""
    def refuse(*args, **kwargs):
        raise RuntimeError(f"{what} tried to open a network connection; this benchmark only reads the files "
                           "aeon ships inside its package (aeon/datasets/data). Is the installed aeon complete?")

    saved = socket.socket.connect, socket.socket.connect_ex, socket.create_connection, socket.getaddrinfo
    socket.socket.connect = socket.socket.connect_ex = refuse
    socket.create_connection = socket.getaddrinfo = refuse
    try:
        yield
    finally:
        socket.socket.connect, socket.socket.connect_ex, socket.create_connection, socket.getaddrinfo = saved


def _aeon_problem(name):
    """Train and test parts of one of aeon's bundled problems, as lists of (C, T_i) arrays."""
    try:
        import aeon
        from aeon.datasets import load_classification
    except ImportError as error:
        raise SystemExit(f"the real sequence sets need aeon (pip install aeon): {error}") from None
    from pathlib import Path

    folder = Path(aeon.__file__).parent / "datasets" / "data" / name
    if not (folder / f"{name}_TRAIN.ts").is_file() or not (folder / f"{name}_TEST.ts").is_file():
        raise SystemExit(f"aeon {aeon.__version__} does not ship {name} in {folder}; refusing to download it")
    parts = []
    with no_network(f"aeon's loader for {name}"):
        for split in ("train", "test"):
            X, y = load_classification(name, split=split, extract_path=str(folder.parent), return_metadata=False)
            parts.append((list(X), np.asarray(y)))
    return parts


def _padded(series):
    """List of (C, T_i) arrays -> (n, T_max, C) zero-padded, and the lengths."""
    lengths = np.array([s.shape[1] for s in series])
    channels = series[0].shape[0]
    X = np.zeros((len(series), lengths.max(), channels))
    for i, s in enumerate(series):
        X[i, :s.shape[1]] = np.asarray(s, dtype=float).T
    return X, lengths


def aeon_set(name):
    """(X, y, lengths, n_train): train and test parts stacked (train first); lengths
    None when every series has the same length."""
    (train, y_train), (test, y_test) = _aeon_problem(name)
    X, lengths = _padded(train + test)
    y = np.concatenate([y_train, y_test])
    if (lengths == X.shape[1]).all():
        lengths = None
    return X, y, lengths, len(train)
