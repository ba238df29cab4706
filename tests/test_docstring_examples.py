"""Every example in skbp's docstrings runs and shows what it says it shows."""

import doctest
import importlib
import io
import pkgutil

import pytest

import skbp


def _docstring_examples():
    finder = doctest.DocTestFinder(exclude_empty=True)
    # The public classes report skbp as their module: the finder sees them there.
    modules = [skbp] + [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(skbp.__path__, "skbp.")
        if not info.name.endswith("__main__")  # importing it runs the command line
    ]
    for module in modules:
        for test in finder.find(module):
            if test.examples:
                yield test


EXAMPLES = {test.name: test for test in _docstring_examples()}


def test_the_public_api_has_examples():
    documented = {name.rsplit(".", 1)[-1] for name in EXAMPLES}
    assert {
        "BackpropMLPClassifier", "BackpropMLPRegressor", "check_gradients", "trace_backprop",
        "TrainingCurveDisplay", "LayerDiagnosticsDisplay", "BackpropTrace",
        "to_onnx", "frame_inputs",
    } <= documented


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_docstring_example(name):
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report = io.StringIO()
    runner.run(EXAMPLES[name], out=report.write)
    assert runner.failures == 0, report.getvalue()
