"""Every example in skbp's docstrings runs and shows what it says it shows."""

import doctest
import importlib
import io
import pkgutil

import pytest

import skbp


def _docstring_examples():
    finder = doctest.DocTestFinder(exclude_empty=True)
    for info in pkgutil.walk_packages(skbp.__path__, "skbp."):
        if info.name.endswith("__main__"):  # importing it runs the command line
            continue
        for test in finder.find(importlib.import_module(info.name)):
            if test.examples:
                yield test


EXAMPLES = {test.name: test for test in _docstring_examples()}


def test_the_public_api_has_examples():
    documented = {name.rsplit(".", 1)[-1] for name in EXAMPLES}
    assert {"BackpropMLPClassifier", "check_gradients", "TrainingCurveDisplay"} <= documented


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_docstring_example(name):
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report = io.StringIO()
    runner.run(EXAMPLES[name], out=report.write)
    assert runner.failures == 0, report.getvalue()
