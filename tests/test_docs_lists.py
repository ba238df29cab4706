"""The documentation's lists and claims follow the code: losses, public names, messages."""

import doctest
import inspect
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor

import skbp
from skbp import BackpropMLPRegressor
from skbp._engine.losses import REGRESSION_LOSSES

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _text(page):
    """The page's text with its line breaks and indentation folded into spaces."""
    return " ".join((DOCS / page).read_text(encoding="utf-8").split())


def test_regression_guide_documents_exactly_the_regression_losses():
    text = _text("user_guide/regression.rst")
    assert set(re.findall(r'``loss="(\w+)"``', text)) == set(REGRESSION_LOSSES)
    # one row of the table of BP1 per loss, in the order of the table in losses.py
    rows = re.findall(r'\* - ``"(\w+)"``', text)
    assert rows == list(REGRESSION_LOSSES)


def test_cli_guide_names_every_regression_loss():
    text = _text("user_guide/cli.rst")
    for name in REGRESSION_LOSSES:
        assert f"``{name}``" in text, name


def test_api_reference_lists_the_public_api():
    text = _text("api.rst")
    for name in skbp.__all__:
        if name != "__version__":
            assert re.search(rf"\b{name}\b", text), name


def _public_docstrings():
    for name in skbp.__all__:
        if name == "__version__":
            continue
        obj = getattr(skbp, name)
        yield name, inspect.getdoc(obj)
        for member, value in inspect.getmembers(obj if inspect.isclass(obj) else None):
            if not member.startswith("_") and (callable(value) or isinstance(value, property)):
                yield f"{name}.{member}", inspect.getdoc(value) or ""


# reST reads |text| as a substitution, which the docs do not define
LITERAL = re.compile(r"``.*?``", re.S)
SUBSTITUTION = re.compile(r"(?<![\w|\\])\|(?!\s)[^|\n]+(?<!\s)\|(?![\w|])")


def test_public_docstrings_have_no_substitution_references():
    found = {
        name: SUBSTITUTION.findall(LITERAL.sub("", doc))
        for name, doc in _public_docstrings()
    }
    assert {name: bars for name, bars in found.items() if bars} == {}


@pytest.mark.parametrize(
    "loss, y",
    [("poisson", np.array([1.0, -1.0, 2.0, 0.0])), ("gamma", np.array([1.0, 0.0, 2.0, 3.0]))],
)
def test_regression_guide_quotes_the_target_errors(loss, y):
    with pytest.raises(ValueError) as error:
        BackpropMLPRegressor(loss=loss, max_iter=1).fit(np.arange(8.0).reshape(4, 2), y)
    assert f"``{error.value}``" in _text("user_guide/regression.rst")


def test_regression_guide_worked_example_prints_what_it_shows():
    path = DOCS / "user_guide" / "regression.rst"
    test = doctest.DocTestParser().get_doctest(
        path.read_text(encoding="utf-8"), {}, path.name, str(path), 0
    )
    assert len(test.examples) > 5
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    report = []
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_multi_output_tol_times_k_trains_as_mlpregressor():
    """The guide: with k outputs, skbp's tol = k × tol runs as MLPRegressor's tol."""
    rng = np.random.RandomState(0)
    X = rng.randn(200, 4)
    Y = 2 * X[:, :3] + 0.3 * rng.randn(200, 3)
    params = dict(hidden_layer_sizes=(8,), max_iter=2000, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = MLPRegressor(tol=1e-4, **params).fit(X, Y)
        ours = BackpropMLPRegressor(tol=3e-4, **params).fit(X, Y)
        default = BackpropMLPRegressor(tol=1e-4, **params).fit(X, Y)
    assert ours.n_iter_ == theirs.n_iter_ < default.n_iter_
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-10, atol=1e-12)
    # skbp's loss_ sums the k outputs' costs, MLPRegressor's averages them
    assert ours.loss_ == pytest.approx(3 * theirs.loss_, rel=1e-3)
