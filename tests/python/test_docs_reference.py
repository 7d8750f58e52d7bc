"""Every public name has a page in the API reference (docs/api, built with
warnings as errors by make docs / make test-docs)."""

import pathlib
import re

import scoresactivation

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_every_public_name_is_in_the_reference():
    index = (ROOT / "docs" / "api" / "index.rst").read_text()
    listed = set(re.findall(r"^   ([A-Za-z_]\w*)$", index, re.M))
    public = {n for n in scoresactivation.__all__ if not n.startswith("__")}
    assert public <= listed, f"not in docs/api/index.rst: {sorted(public - listed)}"
    assert ".. automodule:: scoresactivation.metrics" in index
