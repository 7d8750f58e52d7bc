"""Ground-truth suites for ranking fidelity: data with a known importance per feature.

Every generator returns ``(X, y, truth)`` where ``truth`` is the share of the
signal's variance each column carries (0 for noise columns, summing to 1 over
the relevant ones). Effects are standardised shapes times an amplitude, on
independent inputs, so a term's variance share is its amplitude squared over
the total; a pairwise product splits its share evenly between its two inputs.
The order of ``truth`` is what a faithful global ranking must reproduce.

Suites for tuning and for holding out are kept apart (``TUNING`` and
``HELD_OUT``): the defaults are chosen on the first and judged on both.
"""

import numpy as np


def _standardise(v):
    return (v - v.mean()) / v.std()


def _standard_shape(shape, x):
    """A standardised effect of one input (population statistics of a large sample)."""
    f = {
        "linear": lambda v: v,
        "periodic": lambda v: np.sin(2.0 * v),
        "quadratic": lambda v: v**2,
        "absolute": np.abs,
        "saturating": lambda v: np.tanh(2.0 * v),
        "step": lambda v: (v > 0.3).astype(float),
    }[shape]
    return f(x)


def _reference_moments(shape, kind, rng_seed=12345, n=400_000):
    """Mean and sd of a shape under the input distribution, from a fixed large sample."""
    rng = np.random.default_rng(rng_seed)
    v = _draw(kind, rng, n)
    f = _standard_shape(shape, v)
    return f.mean(), f.std()


def _draw(kind, rng, n):
    if kind == "normal":
        return rng.normal(size=n)
    if kind == "binary":
        return rng.integers(0, 2, size=n).astype(float)
    if kind == "heavy":  # Student t with 3 degrees of freedom, scaled to unit variance
        return rng.standard_t(3, size=n) / np.sqrt(3.0)
    if kind == "uniform":
        return rng.uniform(-np.sqrt(3), np.sqrt(3), size=n)
    raise ValueError(kind)


def additive(seed, terms, n_noise, task, n_samples=2000, noise_share=0.1, inputs=None, correlated=None):
    """y from standardised additive terms.

    terms: list of (amplitude, shape, columns); shape "product" multiplies two
    columns. inputs: per-column kind ("normal" default). correlated: list of
    (source, target, rho) making column target = rho * source + sqrt(1-rho^2) * own.
    The truth of a correlated copy is 0 (it carries no effect of its own); a
    group's credit is reported by the benchmark.
    """
    rng = np.random.default_rng(seed)
    n_relevant = 1 + max(max(cols) for _, _, cols in terms)
    d = n_relevant + n_noise
    kinds = list(inputs or []) + ["normal"] * (d - len(inputs or []))
    X = np.column_stack([_draw(kinds[j], rng, n_samples) for j in range(d)])
    for source, target, rho in correlated or []:
        X[:, target] = rho * X[:, source] + np.sqrt(1 - rho**2) * X[:, target]
    signal = np.zeros(n_samples)
    truth = np.zeros(d)
    for amplitude, shape, cols in terms:
        if shape == "product":
            f = X[:, cols[0]] * X[:, cols[1]]  # independent unit-variance inputs: unit variance, mean 0
            f = f - f.mean() if kinds[cols[0]] != "normal" else f
        else:
            mean, sd = _reference_moments(shape, kinds[cols[0]])
            f = (_standard_shape(shape, X[:, cols[0]]) - mean) / sd
        signal += amplitude * f
        for c in cols:
            truth[c] += amplitude**2 / len(cols)
    truth /= truth.sum()
    noise_sd = np.sqrt(signal.var() * noise_share / (1 - noise_share))
    if task == "regression":
        y = signal + noise_sd * rng.normal(size=n_samples)
    else:
        # Labels from a noisy threshold at the median: a balanced binary task
        # whose Bayes error grows with noise_share.
        latent = signal + noise_sd * rng.logistic(size=n_samples) / (np.pi / np.sqrt(3))
        y = (latent > np.median(latent)).astype(int)
    return X, y, truth


# The graded suite: six distinct effect sizes, six shapes, eight noise columns.
GRADED_TERMS = [
    (3.0, "linear", (0,)),
    (2.5, "periodic", (1,)),
    (2.0, "quadratic", (2,)),
    (1.6, "absolute", (3,)),
    (1.2, "saturating", (4,)),
    (0.8, "linear", (5,)),
]
# Held out: other shapes, orders and sizes, an interaction, binary and
# heavy-tailed inputs.
MIXED_TERMS = [
    (1.0, "quadratic", (0,)),
    (2.4, "product", (1, 2)),
    (1.8, "saturating", (3,)),
    (2.8, "periodic", (4,)),
    (1.4, "linear", (5,)),
    (0.6, "absolute", (6,)),
]
INPUT_TERMS = [
    (2.5, "step", (0,)),
    (2.0, "linear", (1,)),
    (1.5, "linear", (2,)),
    (1.0, "saturating", (3,)),
    (0.6, "linear", (4,)),
]
INPUT_KINDS = ["binary", "heavy", "binary", "heavy", "normal"]
WEAK_TERMS = [(w, "linear", (j,)) for j, w in enumerate([2.5, 2.0, 1.5, 1.0, 0.5])]


def graded(task):
    return lambda seed, n_samples=2000: additive(seed, GRADED_TERMS, 8, task, n_samples)


def mixed(task):
    return lambda seed, n_samples=2000: additive(seed, MIXED_TERMS, 7, task, n_samples)


def inputs(task):
    return lambda seed, n_samples=2000: additive(seed, INPUT_TERMS, 6, task, n_samples, inputs=INPUT_KINDS)


def weak(task):
    """Graded linear effects down to the noise floor (a fifth of the signal is noise)."""
    return lambda seed, n_samples=2000: additive(seed, WEAK_TERMS, 10, task, n_samples, noise_share=0.3)


# Correlated and duplicated groups: column 5 is a near copy of column 0
# (rho 0.95) and column 6 a correlated copy of column 2 (rho 0.7).
CORRELATED_TERMS = [(w, "linear", (j,)) for j, w in enumerate([2.5, 2.0, 1.5, 1.0, 0.5])]
CORRELATED_GROUPS = {"x0 + copy x5": (0, 5), "x2 + correlate x6": (2, 6)}


def correlated(task):
    return lambda seed, n_samples=2000: additive(
        seed, CORRELATED_TERMS, 7, task, n_samples, correlated=[(0, 5, 0.95), (2, 6, 0.7)]
    )


TUNING = {
    "graded regression": ("regression", graded("regression")),
    "graded classification": ("classification", graded("classification")),
    "weak classification": ("classification", weak("classification")),
}
HELD_OUT = {
    "mixed regression": ("regression", mixed("regression")),
    "mixed classification": ("classification", mixed("classification")),
    "binary/heavy-tailed regression": ("regression", inputs("regression")),
    "binary/heavy-tailed classification": ("classification", inputs("classification")),
    "weak regression": ("regression", weak("regression")),
    "correlated regression": ("regression", correlated("regression")),
    "correlated classification": ("classification", correlated("classification")),
}
