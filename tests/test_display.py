"""Tests for skbp.TrainingCurveDisplay."""

import sys

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbp import BackpropMLPClassifier, TrainingCurveDisplay

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=160, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    return StandardScaler().fit_transform(X), y


def _fit(data, **params):
    X, y = data
    defaults = dict(hidden_layer_sizes=(8,), max_iter=25, random_state=0)
    defaults.update(params)
    return BackpropMLPClassifier(**defaults).fit(X, y)


def _history_column(estimator, key):
    return np.array(
        [np.nan if h[key] is None else h[key] for h in estimator.history_], dtype=float
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_from_estimator_without_early_stopping(data):
    clf = _fit(data)
    display = TrainingCurveDisplay.from_estimator(clf)

    assert isinstance(display, TrainingCurveDisplay)
    assert set(display.lines_) == {"train_loss", "best_epoch", "stop_epoch"}
    assert display.score_ax_ is None
    assert display.figure_ is display.ax_.figure

    train = display.lines_["train_loss"]
    epochs = [h["epoch"] for h in clf.history_]
    np.testing.assert_allclose(train.get_xdata(), epochs)
    np.testing.assert_allclose(train.get_ydata(), _history_column(clf, "train_loss"))

    # vertical markers at best_epoch_ and n_iter_
    assert display.lines_["best_epoch"].get_xdata()[0] == clf.best_epoch_
    assert display.lines_["stop_epoch"].get_xdata()[0] == clf.n_iter_
    assert display.ax_.get_xlabel() == "Epoch"
    assert display.ax_.get_title() == "BackpropMLPClassifier"
    legend_texts = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert f"best epoch ({clf.best_epoch_})" in legend_texts
    assert f"stopped ({clf.n_iter_})" in legend_texts


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("early_stopping", [True, "GL"])
def test_from_estimator_with_early_stopping(data, early_stopping):
    clf = _fit(
        data,
        early_stopping=early_stopping,
        max_iter=60,
        n_iter_no_change=3,
        learning_rate_init=0.02,
    )
    display = TrainingCurveDisplay.from_estimator(clf)

    assert set(display.lines_) == {
        "train_loss",
        "val_loss",
        "val_score",
        "best_epoch",
        "stop_epoch",
    }
    # the score lives on its own twin y-axis, the losses on the main axis
    assert display.score_ax_ is not None
    assert display.score_ax_ is not display.ax_
    assert display.lines_["val_score"].axes is display.score_ax_
    assert display.lines_["val_loss"].axes is display.ax_
    np.testing.assert_allclose(
        display.lines_["val_loss"].get_ydata(), _history_column(clf, "val_loss")
    )
    np.testing.assert_allclose(
        display.lines_["val_score"].get_ydata(), _history_column(clf, "val_score")
    )
    assert display.lines_["best_epoch"].get_xdata()[0] == clf.best_epoch_
    assert display.lines_["stop_epoch"].get_xdata()[0] == clf.n_iter_
    assert len(clf.history_) == clf.n_iter_


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_plot_score_false_and_custom_ax(data):
    import matplotlib.pyplot as plt

    clf = _fit(data, early_stopping=True, max_iter=15)
    _, ax = plt.subplots()
    display = TrainingCurveDisplay.from_estimator(
        clf,
        ax=ax,
        plot_score=False,
        name="my model",
        line_kwargs={"train_loss": {"color": "black"}},
    )
    assert display.ax_ is ax
    assert "val_score" not in display.lines_
    assert "val_loss" in display.lines_
    assert display.score_ax_ is None
    assert display.ax_.get_title() == "my model"
    assert display.lines_["train_loss"].get_color() == "black"


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_from_estimator_accepts_pipeline(data):
    X, y = data
    pipe = make_pipeline(
        StandardScaler(),
        BackpropMLPClassifier(hidden_layer_sizes=(8,), max_iter=10, random_state=0),
    ).fit(X, y)
    display = TrainingCurveDisplay.from_estimator(pipe)
    np.testing.assert_allclose(
        display.lines_["train_loss"].get_ydata(),
        _history_column(pipe[-1], "train_loss"),
    )
    assert display.stop_epoch == pipe[-1].n_iter_


def test_not_fitted_error():
    with pytest.raises(NotFittedError):
        TrainingCurveDisplay.from_estimator(BackpropMLPClassifier())
    with pytest.raises(NotFittedError):
        TrainingCurveDisplay.from_estimator(
            make_pipeline(StandardScaler(), BackpropMLPClassifier())
        )


def test_estimator_without_history(data):
    X, y = data
    with pytest.raises(TypeError, match="no training history"):
        TrainingCurveDisplay.from_estimator(LogisticRegression().fit(X, y))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_sklearn_mlp_fallback(data):
    X, y = data
    mlp = MLPClassifier(
        hidden_layer_sizes=(8,), max_iter=40, early_stopping=True, random_state=0
    ).fit(X, y)
    display = TrainingCurveDisplay.from_estimator(mlp)
    np.testing.assert_allclose(
        display.lines_["train_loss"].get_ydata(), mlp.loss_curve_
    )
    np.testing.assert_allclose(
        display.lines_["val_score"].get_ydata(), mlp.validation_scores_
    )
    assert "val_loss" not in display.lines_
    best = int(np.argmax(mlp.validation_scores_)) + 1
    assert display.lines_["best_epoch"].get_xdata()[0] == best


def test_constructor_and_plot():
    history = [
        {"epoch": 1, "train_loss": 1.0, "val_loss": 1.1, "val_score": 0.5},
        {"epoch": 2, "train_loss": 0.7, "val_loss": 0.9, "val_score": 0.6},
        {"epoch": 3, "train_loss": 0.5, "val_loss": 1.0, "val_score": 0.55},
    ]
    display = TrainingCurveDisplay(
        history=history, best_epoch=2, stop_epoch=3, estimator_name="toy"
    )
    # parameters are stored as is and nothing is drawn before plot()
    assert display.history is history
    assert not hasattr(display, "lines_")
    assert display.plot() is display
    assert display.ax_.get_title() == "toy"
    np.testing.assert_allclose(display.lines_["val_loss"].get_ydata(), [1.1, 0.9, 1.0])
    assert display.lines_["best_epoch"].get_xdata()[0] == 2

    # epochs without a validation entry are drawn as gaps, not as zeros
    partial = [
        {"train_loss": 1.0, "val_score": None},
        {"train_loss": 0.8, "val_score": 0.7},
    ]
    display = TrainingCurveDisplay(history=partial).plot()
    np.testing.assert_allclose(display.lines_["train_loss"].get_xdata(), [1, 2])
    assert np.isnan(display.lines_["val_score"].get_ydata()[0])
    assert set(display.lines_) == {"train_loss", "val_score"}


@pytest.mark.parametrize(
    "kwargs, err, match",
    [
        ({"history": []}, ValueError, "empty"),
        ({"history": [{"val_loss": 1.0}]}, ValueError, "train_loss"),
        ({"history": "abc"}, TypeError, "sequence of dicts"),
        ({"history": [{"train_loss": 1.0}], "best_epoch": 0}, ValueError, ">= 1"),
        ({"history": [{"train_loss": 1.0}], "stop_epoch": 1.5}, TypeError, "int"),
    ],
)
def test_invalid_history(kwargs, err, match):
    with pytest.raises(err, match=match):
        TrainingCurveDisplay(**kwargs).plot()


def test_invalid_line_kwargs():
    display = TrainingCurveDisplay(history=[{"train_loss": 1.0}])
    with pytest.raises(ValueError, match="Unknown keys in line_kwargs"):
        display.plot(line_kwargs={"loss": {"color": "k"}})


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_import_error_without_matplotlib(data, monkeypatch):
    clf = _fit(data, max_iter=3)
    display = TrainingCurveDisplay(history=clf.history_)
    # a None entry in sys.modules makes "import matplotlib" raise ImportError
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        TrainingCurveDisplay.from_estimator(clf)
    with pytest.raises(ImportError, match=r"skbp\[examples\]"):
        display.plot()
