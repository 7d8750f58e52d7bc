"""The library's version is written once (core/include/scoresactivation/version.hpp):
the Python metadata, scoresactivation.__version__, the model documents and
R's DESCRIPTION all carry that one."""

import importlib.metadata
import pathlib
import re

import numpy as np

import scoresactivation
from scoresactivation import ScoresActivationRegressor

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _header_version():
    text = (ROOT / "core" / "include" / "scoresactivation" / "version.hpp").read_text()
    return re.search(r'#define SCORESACTIVATION_VERSION "([^"]+)"', text).group(1)


def test_every_copy_is_the_headers():
    version = _header_version()
    assert scoresactivation.__version__ == version
    assert importlib.metadata.version("scoresactivation") == version
    description = (ROOT / "r-package" / "DESCRIPTION").read_text()
    assert re.search(r"^Version: (.+)$", description, re.M).group(1).strip() == version
    pyproject = (ROOT / "python-package" / "pyproject.toml").read_text()
    assert not re.search(r"^version\s*=", pyproject, re.M) and 'dynamic = ["version"]' in pyproject


def test_documents_carry_it():
    X = np.random.default_rng(0).normal(size=(40, 2))
    est = ScoresActivationRegressor(max_epochs=2, random_state=0).fit(X, X[:, 0])
    assert est.to_dict()["library_version"] == _header_version()
