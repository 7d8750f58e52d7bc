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


def _public_objects():
    """Every public class and function: scoresactivation's and scoresactivation.metrics'."""
    import inspect

    import scoresactivation.metrics as metrics

    objects = {name: getattr(scoresactivation, name) for name in scoresactivation.__all__ if not name.startswith("__")}
    objects.update({f"metrics.{name}": obj for name, obj in vars(metrics).items()
                    if not name.startswith("_") and inspect.isfunction(obj) and obj.__module__ == metrics.__name__})
    return objects


def test_every_public_class_and_function_has_examples():
    """numpydoc's build checks parameters and returns (docs/api/conf.py);
    the examples are checked here, and run by the next test."""
    missing = [name for name, obj in _public_objects().items() if "\n    Examples\n    --------\n" not in (obj.__doc__ or "")]
    assert not missing, f"no Examples section: {missing}"


def test_the_examples_run_and_print_what_they_show():
    import doctest

    import matplotlib

    matplotlib.use("Agg")
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    modules = {obj.__module__ for obj in _public_objects().values() if hasattr(obj, "__module__")}
    attempted = 0
    for module_name in sorted(modules):
        module = __import__(module_name, fromlist=["_"])
        for test in finder.find(module):
            runner.run(test)
        attempted = runner.summarize(verbose=False).attempted
    results = runner.summarize(verbose=False)
    assert results.failed == 0
    assert attempted > 50  # the examples were found
