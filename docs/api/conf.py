"""Sphinx configuration of the Python API reference (make docs; warnings are errors)."""

import scoresactivation

project = "scoresactivation"
author = "The scoresactivation authors"
copyright = "2026, The scoresactivation authors"
release = version = scoresactivation.__version__

extensions = ["sphinx.ext.autodoc", "sphinx.ext.autosummary", "numpydoc"]
autosummary_generate = True
autodoc_default_options = {"members": True}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# A public class, method or function without a docstring (GL08), a one-line summary (SS01), its
# parameters documented (PR01, PR02) or a Returns section (RT01) fails the build; the Examples of
# every public class and function are checked and run by tests/python/test_docs_reference.py.
numpydoc_validation_checks = {"GL08", "PR01", "PR02", "RT01", "SS01"}
# sklearn's inherited helpers are documented by sklearn.
numpydoc_validation_exclude = {r"\.get_params$", r"\.set_params$", r"\.score$", r"\.set_.*_request$",
                               r"\.get_metadata_routing$", r"\.__init__$"}
html_theme = "alabaster"
html_theme_options = {"description": "Neural networks that rank their features while they train"}
exclude_patterns = ["_build"]
templates_path = ["_templates"]
