"""Tests for skbp.TrainingCurveDisplay and skbp.LayerDiagnosticsDisplay."""

import sys

import matplotlib
import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbp import (
    BackpropMLPClassifier,
    BackpropMLPRegressor,
    LayerDiagnosticsDisplay,
    TrainingCurveDisplay,
)

matplotlib.use("Agg")  # matplotlib is in the test extra: a missing one must fail


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
    # Without a validation split the model keeps the last epoch's weights and
    # training ends where the curve ends: there is no epoch worth marking.
    assert set(display.lines_) == {"train_loss"}
    assert display.best_epoch is None and display.stop_epoch is None
    assert display.score_ax_ is None
    assert display.figure_ is display.ax_.figure

    train = display.lines_["train_loss"]
    epochs = [h["epoch"] for h in clf.history_]
    np.testing.assert_allclose(train.get_xdata(), epochs)
    np.testing.assert_allclose(train.get_ydata(), _history_column(clf, "train_loss"))

    assert display.ax_.get_xlabel() == "Epoch"
    assert display.ax_.get_title() == "BackpropMLPClassifier"
    legend_texts = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert legend_texts == ["training loss"]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_markers_after_a_warm_start_count_the_epochs_of_every_fit(data):
    # Two warm-started fits of 10 epochs: n_iter_ is the last call's 10, the
    # history holds all 20 and training stopped after epoch 20.
    clf = _fit(data, early_stopping=True, warm_start=True, max_iter=10, n_iter_no_change=50)
    clf.fit(*data)
    assert clf.n_iter_ == 10 and len(clf.history_) == 20
    display = TrainingCurveDisplay.from_estimator(clf)
    assert display.lines_["stop_epoch"].get_xdata()[0] == 20
    assert display.lines_["best_epoch"].get_xdata()[0] == clf.best_epoch_
    np.testing.assert_allclose(display.lines_["train_loss"].get_xdata(), np.arange(1, 21))


def _legend_extent(display):
    figure = display.figure_
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    return display.ax_.get_legend().get_window_extent(renderer), renderer


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("early_stopping", [False, True])
def test_legend_does_not_hide_the_curves(data, early_stopping):
    clf = _fit(data, early_stopping=early_stopping, max_iter=30, n_iter_no_change=3)
    display = TrainingCurveDisplay.from_estimator(clf)
    legend, renderer = _legend_extent(display)
    axes = display.ax_.get_window_extent(renderer)
    assert legend.x0 >= axes.x1  # beside the axes, not over the data
    if early_stopping:
        # and beside the score's axis too: its tick labels and label
        score_axis = display.score_ax_.get_tightbbox(renderer)
        assert legend.x0 >= score_axis.x1
    assert display.figure_.bbox.contains(legend.x1 - 1, legend.y0 + 1)  # not cut off
    handles = display.ax_.get_legend().legend_handles
    assert len(handles) == len(display.lines_)


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
        BackpropMLPClassifier(
            hidden_layer_sizes=(8,), max_iter=10, early_stopping=True, random_state=0
        ),
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
    assert display.lines_["stop_epoch"].get_xdata()[0] == len(mlp.loss_curve_)
    plain = MLPClassifier(hidden_layer_sizes=(8,), max_iter=10, random_state=0).fit(X, y)
    assert set(TrainingCurveDisplay.from_estimator(plain).lines_) == {"train_loss"}


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


# ------------------------------------------------------------- LayerDiagnosticsDisplay
STATISTICS = ["grad_rms", "delta_rms", "weight_rms", "update_ratio", "inactive_fraction"]


@pytest.fixture(scope="module")
def monitored(data):
    return _fit(data, hidden_layer_sizes=(8, 6), max_iter=12, monitor_layers=True)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("statistic", STATISTICS)
def test_layer_display_draws_one_curve_per_layer(monitored, statistic):
    display = LayerDiagnosticsDisplay.from_estimator(monitored, statistic=statistic)
    n_layers = 3 if statistic != "inactive_fraction" else 2  # no inactive units at the output
    assert len(display.lines_) == n_layers
    epochs = [record["epoch"] for record in monitored.history_]
    for layer, line in enumerate(display.lines_):
        expected = [record["layers"][layer][statistic] for record in monitored.history_]
        np.testing.assert_allclose(line.get_xdata(), epochs)
        np.testing.assert_allclose(line.get_ydata(), expected)
        assert line.axes is display.ax_
    labels = [line.get_label() for line in display.lines_]
    assert labels[:2] == ["layer 1: 6 → 8", "layer 2: 8 → 6"]
    if statistic == "inactive_fraction":
        assert display.ax_.get_yscale() == "linear"
    else:
        assert labels[2] == "layer 3: 6 → 3 (output)"
        assert display.ax_.get_yscale() == "log"
    assert display.figure_ is display.ax_.figure
    assert display.ax_.get_title() == "BackpropMLPClassifier"
    assert display.ax_.get_xlabel() == "Epoch"


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_layer_display_legend_does_not_hide_the_curves(monitored):
    display = LayerDiagnosticsDisplay.from_estimator(monitored)
    legend, renderer = _legend_extent(display)
    axes = display.ax_.get_window_extent(renderer)
    assert legend.x0 >= axes.x1  # beside the axes, not over the data
    assert display.figure_.bbox.contains(legend.x1 - 1, legend.y0 + 1)  # and not cut off
    assert [t.get_text() for t in display.ax_.get_legend().get_texts()] == [
        line.get_label() for line in display.lines_
    ]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_layer_display_of_a_regressor_in_a_pipeline():
    X, y = make_classification(n_samples=80, n_features=5, random_state=0)
    pipe = make_pipeline(
        StandardScaler(),
        BackpropMLPRegressor(hidden_layer_sizes=(4,), max_iter=5, monitor_layers=True, random_state=0),
    ).fit(X, y.astype(float))
    display = LayerDiagnosticsDisplay.from_estimator(pipe, statistic="delta_rms")
    np.testing.assert_allclose(
        display.lines_[0].get_ydata(),
        [record["layers"][0]["delta_rms"] for record in pipe[-1].history_],
    )
    assert display.ax_.get_title() == "BackpropMLPRegressor"


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_layer_display_needs_monitor_layers(data):
    clf = _fit(data, max_iter=3)
    with pytest.raises(ValueError, match="without monitor_layers=True"):
        LayerDiagnosticsDisplay.from_estimator(clf)
    with pytest.raises(ValueError, match="monitor_layers=True"):
        LayerDiagnosticsDisplay(history=clf.history_).plot()


def test_layer_display_refuses_what_it_cannot_plot(data, monitored):
    X, y = data
    with pytest.raises(NotFittedError):
        LayerDiagnosticsDisplay.from_estimator(BackpropMLPClassifier(monitor_layers=True))
    with pytest.raises(TypeError, match="no training history"):
        LayerDiagnosticsDisplay.from_estimator(LogisticRegression().fit(X, y))
    with pytest.raises(ValueError, match="statistic must be one of"):
        LayerDiagnosticsDisplay.from_estimator(monitored, statistic="grad_norm")
    with pytest.raises(ValueError, match="yscale"):
        LayerDiagnosticsDisplay.from_estimator(monitored, yscale="symlog")
    with pytest.raises(TypeError, match="sequence of dicts"):
        LayerDiagnosticsDisplay(history={"layers": []}).plot()


def test_layer_display_constructor_gaps_and_scale():
    history = [
        {"epoch": 1, "train_loss": 1.0},  # trained before monitor_layers was switched on
        {"epoch": 2, "layers": [{"grad_rms": 1e-3}, {"grad_rms": 0.1}]},
        {"epoch": 3, "layers": [{"grad_rms": 2e-3}, {"grad_rms": 0.05}]},
    ]
    display = LayerDiagnosticsDisplay(history=history, estimator_name="toy")
    assert display.history is history and not hasattr(display, "lines_")
    assert display.plot() is display
    assert np.isnan(display.lines_[0].get_ydata()[0])
    np.testing.assert_allclose(display.lines_[1].get_ydata()[1:], [0.1, 0.05])
    assert display.ax_.get_yscale() == "log"
    assert display.ax_.get_title() == "toy"
    # a statistic that is exactly zero (all-zero weights) cannot be shown on a log scale
    history[1]["layers"][0]["grad_rms"] = 0.0
    assert LayerDiagnosticsDisplay(history=history).plot().ax_.get_yscale() == "linear"
    forced = LayerDiagnosticsDisplay(history=history).plot(yscale="log", legend=False)
    assert forced.ax_.get_yscale() == "log" and forced.ax_.get_legend() is None


def test_layer_display_custom_ax_name_and_line_kwargs(monitored):
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    display = LayerDiagnosticsDisplay.from_estimator(
        monitored, ax=ax, name="deep", line_kwargs={"color": "black", "linewidth": 3}
    )
    assert display.ax_ is ax and ax.get_title() == "deep"
    assert all(line.get_color() == "black" and line.get_linewidth() == 3 for line in display.lines_)
    default = LayerDiagnosticsDisplay.from_estimator(monitored)
    assert len({tuple(line.get_color()) for line in default.lines_}) == 3
