"""Visualisation of the per-epoch training history of a fitted MLP.

:class:`TrainingCurveDisplay` draws the training and validation curves,
:class:`LayerDiagnosticsDisplay` one curve per weight layer of a statistic
that ``monitor_layers=True`` recorded. Both follow scikit-learn's Display API:
the constructor only stores the data, ``plot`` draws it, and
``from_estimator`` builds the display from a fitted estimator and plots it in
one call. matplotlib is an optional dependency and is only imported when
something is drawn.
"""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.base import is_regressor
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

__all__ = ["LayerDiagnosticsDisplay", "TrainingCurveDisplay"]

#: Keys of :attr:`TrainingCurveDisplay.lines_` that may be drawn, in drawing order.
_LINE_KEYS = ("train_loss", "val_loss", "val_score", "best_epoch", "stop_epoch")

_DEFAULT_LINE_KWARGS: dict[str, dict[str, Any]] = {
    "train_loss": {"color": "C0", "label": "training loss"},
    "val_loss": {"color": "C1", "label": "validation loss"},
    "val_score": {"color": "C2", "linestyle": "--", "label": "validation score"},
    "best_epoch": {"color": "0.35", "linestyle": ":", "linewidth": 1.5},
    "stop_epoch": {"color": "C3", "linestyle": "-.", "linewidth": 1.0},
}


def _import_pyplot(caller_name: str):
    """Import and return ``matplotlib.pyplot`` or raise an informative error."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            f"{caller_name} requires matplotlib, which is not installed. Install it "
            'with `pip install matplotlib` or `pip install "skbp[examples]"`.'
        ) from exc
    return plt


def _as_float_array(values: Sequence[Any]) -> np.ndarray:
    """Convert a sequence that may contain ``None`` to floats with ``nan`` holes."""
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


def _history_from_sklearn_attributes(estimator) -> list[dict[str, Any]]:
    """Rebuild a minimal ``history_`` from ``loss_curve_``/``validation_scores_``.

    This lets the display also work with :class:`sklearn.neural_network.MLPClassifier`
    and other estimators that only record the curves sklearn records.
    """
    losses = list(estimator.loss_curve_)
    scores = getattr(estimator, "validation_scores_", None)
    if scores is None or len(scores) != len(losses):
        scores = [None] * len(losses)
    return [
        {"epoch": i + 1, "train_loss": loss, "val_loss": None, "val_score": score}
        for i, (loss, score) in enumerate(zip(losses, scores, strict=True))
    ]



def _fitted_final_step(estimator):
    """The estimator itself, or a Pipeline's last step; it must be fitted."""
    final = estimator[-1] if isinstance(estimator, Pipeline) else estimator
    check_is_fitted(final)
    return final

class TrainingCurveDisplay:
    """Training-curve visualisation of a (stochastic) gradient-descent fit.

    Plots, per epoch, the training loss and, when a validation split was
    held out (``early_stopping``), the validation loss on the left axis and
    the validation score on a twin right axis. Vertical lines mark the epoch
    whose weights the model keeps (``best_epoch_``) and the epoch at which
    training stopped (``n_iter_``).

    It is recommended to use :meth:`TrainingCurveDisplay.from_estimator` to
    create a display. All parameters are stored as attributes.

    Parameters
    ----------
    history : sequence of dict
        One mapping per epoch, as stored in the ``history_`` attribute of a
        fitted :class:`~skbp.BackpropMLPClassifier`. Each mapping must have a
        ``"train_loss"`` entry and may have ``"epoch"`` (1-based; defaults to
        the position in the sequence plus one), ``"val_loss"`` and
        ``"val_score"`` entries (``None`` when not recorded).

    best_epoch : int, default=None
        1-based epoch of the weights kept by the model. A vertical line is drawn
        there. ``None`` draws no line.

    stop_epoch : int, default=None
        1-based epoch after which training stopped. A vertical line is drawn
        there. ``None`` draws no line.

    estimator_name : str, default=None
        Name of the estimator, used as the title of the axes. ``None`` shows no
        title.

    score_name : str, default="score"
        Name of the validation score, for the label of its axis and legend
        entry: ``from_estimator`` uses "accuracy" for classifiers and "R²" for
        regressors, the scores their ``early_stopping=True`` records.

    Attributes
    ----------
    lines_ : dict of str to matplotlib Line2D
        The drawn lines. Possible keys are ``"train_loss"``, ``"val_loss"``
        (only when validation losses were recorded), ``"val_score"`` (only when
        validation scores were recorded and ``plot_score=True``),
        ``"best_epoch"`` and ``"stop_epoch"`` (the vertical markers, only when
        the corresponding epoch is known).

    ax_ : matplotlib Axes
        Axes holding the loss curves and the epoch markers.

    score_ax_ : matplotlib Axes or None
        Twin axes (sharing the x-axis with ``ax_``) holding the validation
        score, or ``None`` when no score was plotted.

    figure_ : matplotlib Figure
        Figure containing the curves.

    See Also
    --------
    TrainingCurveDisplay.from_estimator : Plot the training curves of a fitted
        estimator.
    sklearn.model_selection.LearningCurveDisplay : Score as a function of the
        number of training samples.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skbp import TrainingCurveDisplay
    >>> history = [
    ...     {"epoch": 1, "train_loss": 1.2, "val_loss": 1.3, "val_score": 0.4},
    ...     {"epoch": 2, "train_loss": 0.9, "val_loss": 1.0, "val_score": 0.6},
    ...     {"epoch": 3, "train_loss": 0.7, "val_loss": 1.1, "val_score": 0.6},
    ... ]
    >>> display = TrainingCurveDisplay(
    ...     history=history, best_epoch=2, stop_epoch=3, estimator_name="MLP"
    ... )
    >>> display = display.plot()
    >>> sorted(display.lines_)
    ['best_epoch', 'stop_epoch', 'train_loss', 'val_loss', 'val_score']
    """

    def __init__(
        self,
        *,
        history: Sequence[Mapping[str, Any]],
        best_epoch: int | None = None,
        stop_epoch: int | None = None,
        estimator_name: str | None = None,
        score_name: str = "score",
    ) -> None:
        self.history = history
        self.best_epoch = best_epoch
        self.stop_epoch = stop_epoch
        self.estimator_name = estimator_name
        self.score_name = score_name

    # ------------------------------------------------------------------ helpers
    def _curves(self) -> dict[str, np.ndarray]:
        """Validate ``history`` and return epochs and curves as float arrays."""
        history = self.history
        if isinstance(history, (str, bytes, Mapping)) or not isinstance(
            history, Sequence
        ):
            raise TypeError(
                "history must be a sequence of dicts (one per epoch), got "
                f"{type(history).__name__}."
            )
        if len(history) == 0:
            raise ValueError("history is empty: there is no epoch to plot.")
        for i, record in enumerate(history):
            if not isinstance(record, Mapping):
                raise TypeError(
                    f"history[{i}] must be a dict, got {type(record).__name__}."
                )
            if record.get("train_loss") is None:
                raise ValueError(f"history[{i}] has no 'train_loss' entry.")
        epochs = np.array(
            [record.get("epoch", i + 1) for i, record in enumerate(history)],
            dtype=float,
        )
        return {
            "epoch": epochs,
            "train_loss": _as_float_array([r["train_loss"] for r in history]),
            "val_loss": _as_float_array([r.get("val_loss") for r in history]),
            "val_score": _as_float_array([r.get("val_score") for r in history]),
        }

    @staticmethod
    def _check_epoch(value: Any, name: str) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be an int or None, got {value!r}.")
        if value < 1:
            raise ValueError(
                f"{name} must be a 1-based epoch number >= 1, got {value}."
            )
        return int(value)

    # --------------------------------------------------------------------- plot
    def plot(
        self,
        ax=None,
        *,
        plot_score: bool = True,
        name: str | None = None,
        line_kwargs: Mapping[str, Mapping[str, Any]] | None = None,
        legend: bool = True,
    ) -> TrainingCurveDisplay:
        """Plot the training curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on. If ``None``, a new figure and axes are created.

        plot_score : bool, default=True
            Whether to plot the validation score (on a twin y-axis) when it was
            recorded.

        name : str, default=None
            Title of the axes. If ``None``, ``estimator_name`` is used (if it is
            not ``None`` either).

        line_kwargs : dict of str to dict, default=None
            Keyword arguments passed to matplotlib for individual lines, keyed
            like :attr:`lines_` (``"train_loss"``, ``"val_loss"``,
            ``"val_score"``, ``"best_epoch"``, ``"stop_epoch"``). They override
            the defaults, e.g. ``{"train_loss": {"color": "k"}}``.

        legend : bool, default=True
            Whether to draw a legend gathering the lines of both y-axes.

        Returns
        -------
        display : TrainingCurveDisplay
            Object that stores the computed values.
        """
        plt = _import_pyplot(f"{self.__class__.__name__}.plot")

        curves = self._curves()
        best_epoch = self._check_epoch(self.best_epoch, "best_epoch")
        stop_epoch = self._check_epoch(self.stop_epoch, "stop_epoch")
        line_kwargs = {} if line_kwargs is None else dict(line_kwargs)
        unknown = sorted(set(line_kwargs) - set(_LINE_KEYS))
        if unknown:
            raise ValueError(
                f"Unknown keys in line_kwargs: {unknown}. Valid keys are "
                f"{list(_LINE_KEYS)}."
            )

        def kwargs_for(key: str, **extra: Any) -> dict[str, Any]:
            return {**_DEFAULT_LINE_KWARGS[key], **extra, **line_kwargs.get(key, {})}

        if ax is None:
            _, ax = plt.subplots()

        epochs = curves["epoch"]
        lines: dict[str, Any] = {}
        (lines["train_loss"],) = ax.plot(
            epochs, curves["train_loss"], **kwargs_for("train_loss")
        )
        if not np.all(np.isnan(curves["val_loss"])):
            (lines["val_loss"],) = ax.plot(
                epochs, curves["val_loss"], **kwargs_for("val_loss")
            )

        score_ax = None
        if plot_score and not np.all(np.isnan(curves["val_score"])):
            score_ax = ax.twinx()
            (lines["val_score"],) = score_ax.plot(
                epochs,
                curves["val_score"],
                **kwargs_for("val_score", label=f"validation {self.score_name}"),
            )
            score_ax.set_ylabel(f"Validation {self.score_name}")

        if best_epoch is not None:
            lines["best_epoch"] = ax.axvline(
                best_epoch,
                **kwargs_for("best_epoch", label=f"best epoch ({best_epoch})"),
            )
        if stop_epoch is not None:
            lines["stop_epoch"] = ax.axvline(
                stop_epoch, **kwargs_for("stop_epoch", label=f"stopped ({stop_epoch})")
            )

        ax.set_xlabel("Epoch")
        ax.set_ylabel("Loss")
        title = self.estimator_name if name is None else name
        if title is not None:
            ax.set_title(title)
        if legend:
            ordered = [lines[k] for k in _LINE_KEYS if k in lines]
            ax.legend(ordered, [line.get_label() for line in ordered], loc="best")

        self.lines_ = lines
        self.ax_ = ax
        self.score_ax_ = score_ax
        self.figure_ = ax.figure
        return self

    # ------------------------------------------------------------ constructors
    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        ax=None,
        plot_score: bool = True,
        name: str | None = None,
        line_kwargs: Mapping[str, Mapping[str, Any]] | None = None,
        legend: bool = True,
    ) -> TrainingCurveDisplay:
        """Plot the training curves of a fitted estimator.

        Parameters
        ----------
        estimator : estimator instance
            Fitted :class:`~skbp.BackpropMLPClassifier` or
            :class:`~skbp.BackpropMLPRegressor`, or a fitted
            :class:`~sklearn.pipeline.Pipeline` whose last step is one. Any
            fitted estimator exposing ``loss_curve_`` (for instance
            :class:`sklearn.neural_network.MLPClassifier`) is accepted too; its
            history is then rebuilt from ``loss_curve_`` and
            ``validation_scores_``.

        ax : matplotlib Axes, default=None
            Axes to plot on. If ``None``, a new figure and axes are created.

        plot_score : bool, default=True
            Whether to plot the validation score (on a twin y-axis) when it was
            recorded.

        name : str, default=None
            Title of the axes. If ``None``, the class name of the estimator is
            used.

        line_kwargs : dict of str to dict, default=None
            Keyword arguments passed to matplotlib for individual lines, keyed
            like :attr:`lines_`. See :meth:`plot`.

        legend : bool, default=True
            Whether to draw a legend.

        Returns
        -------
        display : TrainingCurveDisplay
            Object that stores the computed values.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the estimator (or the last step of the pipeline) is not fitted.
        TypeError
            If the estimator records no training history.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.pipeline import make_pipeline
        >>> from sklearn.preprocessing import StandardScaler
        >>> from skbp import BackpropMLPClassifier, TrainingCurveDisplay
        >>> X, y = load_iris(return_X_y=True)
        >>> clf = make_pipeline(
        ...     StandardScaler(),
        ...     BackpropMLPClassifier(hidden_layer_sizes=(8,), learning_rate_init=0.01,
        ...                           early_stopping=True, random_state=0),
        ... ).fit(X, y)
        >>> disp = TrainingCurveDisplay.from_estimator(clf)
        >>> sorted(disp.lines_)
        ['best_epoch', 'stop_epoch', 'train_loss', 'val_loss', 'val_score']
        """
        _import_pyplot(f"{cls.__name__}.from_estimator")

        final = _fitted_final_step(estimator)

        history = getattr(final, "history_", None)
        if history is None:
            if getattr(final, "loss_curve_", None) is None:
                raise TypeError(
                    f"{type(final).__name__} records no training history "
                    "(neither history_ nor loss_curve_); TrainingCurveDisplay "
                    "needs a fitted BackpropMLPClassifier or a Pipeline ending "
                    "with one."
                )
            history = _history_from_sklearn_attributes(final)

        stop_epoch = getattr(final, "n_iter_", None)
        if stop_epoch is not None:
            stop_epoch = int(stop_epoch)
        best_epoch = getattr(final, "best_epoch_", None)
        if best_epoch is None and not hasattr(final, "history_"):
            best_epoch = _infer_best_epoch(final)

        display = cls(
            history=history,
            best_epoch=None if best_epoch is None else int(best_epoch),
            stop_epoch=stop_epoch,
            estimator_name=type(final).__name__,
            score_name="R²" if is_regressor(final) else "accuracy",
        )
        return display.plot(
            ax=ax,
            plot_score=plot_score,
            name=name,
            line_kwargs=line_kwargs,
            legend=legend,
        )


def _infer_best_epoch(estimator) -> int | None:
    """Best epoch of an estimator that does not store ``best_epoch_``.

    Uses the highest validation score when one was recorded (what
    sklearn's ``early_stopping=True`` restores), else the lowest training loss.
    """
    scores = getattr(estimator, "validation_scores_", None)
    if scores:
        return int(np.nanargmax(_as_float_array(scores))) + 1
    losses = getattr(estimator, "loss_curve_", None)
    if losses:
        return int(np.nanargmin(_as_float_array(losses))) + 1
    return None


#: The per-layer statistics of ``monitor_layers=True``, with their axis labels.
_LAYER_STATISTICS = {
    "delta_rms": r"RMS of $\delta^l$",
    "grad_rms": r"RMS of $\partial C / \partial W^l$",
    "weight_rms": r"RMS of $W^l$",
    "update_ratio": r"RMS of the epoch's $\Delta W^l$ / RMS of $W^l$",
    "inactive_fraction": "fraction of inactive units",
}


class LayerDiagnosticsDisplay:
    """Per-layer statistics of a fit, one curve per weight layer over the epochs.

    Shows how the lecture's quantities evolve during training, layer by layer:
    the size of the errors δ^l (vanishing in the lower layers of a deep
    logistic network), of the gradients ∂C/∂W^l and of the weights, how much
    an epoch changes the weights relative to their size, and the fraction of
    inactive units (dead ReLU or saturated logistic/tanh units). The data are
    the ``"layers"`` entries that ``monitor_layers=True`` adds to every record
    of ``history_``.

    It is recommended to use :meth:`LayerDiagnosticsDisplay.from_estimator` to
    create a display. All parameters are stored as attributes.

    Parameters
    ----------
    history : sequence of dict
        One mapping per epoch, as in the ``history_`` of a model fitted with
        ``monitor_layers=True``: its ``"layers"`` entry is a list with one dict
        per weight layer (layer 1 = input → first hidden layer first) holding
        the statistic. Records without a ``"layers"`` entry (epochs trained
        with ``monitor_layers=False``) are drawn as gaps.

    statistic : {"grad_rms", "delta_rms", "weight_rms", "update_ratio", \
"inactive_fraction"}, default="grad_rms"
        The statistic plotted. ``"inactive_fraction"`` is not defined for the
        output layer, which then has no curve.

    layer_sizes : sequence of int, default=None
        Units per layer, input first (``n_features``, hidden sizes,
        ``n_outputs``), to write the fan-in and fan-out of every layer in the
        legend. ``None`` writes the layer numbers only.

    estimator_name : str, default=None
        Title of the axes. ``None`` shows no title.

    Attributes
    ----------
    lines_ : list of matplotlib Line2D
        The drawn curves, layer 1 first (without the output layer for
        ``"inactive_fraction"``).

    ax_ : matplotlib Axes
        Axes holding the curves.

    figure_ : matplotlib Figure
        Figure containing the axes.

    See Also
    --------
    LayerDiagnosticsDisplay.from_estimator : Plot the statistics of a fitted
        estimator.
    TrainingCurveDisplay : Training and validation curves.
    trace_backprop : The same quantities for a few samples, number by number.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skbp import LayerDiagnosticsDisplay
    >>> history = [
    ...     {"epoch": 1, "layers": [{"grad_rms": 1e-4}, {"grad_rms": 1e-2}]},
    ...     {"epoch": 2, "layers": [{"grad_rms": 2e-4}, {"grad_rms": 5e-3}]},
    ... ]
    >>> display = LayerDiagnosticsDisplay(history=history).plot()
    >>> [line.get_label() for line in display.lines_]
    ['layer 1', 'layer 2 (output)']
    >>> display.ax_.get_yscale()
    'log'
    """

    def __init__(
        self,
        *,
        history: Sequence[Mapping[str, Any]],
        statistic: str = "grad_rms",
        layer_sizes: Sequence[int] | None = None,
        estimator_name: str | None = None,
    ) -> None:
        self.history = history
        self.statistic = statistic
        self.layer_sizes = layer_sizes
        self.estimator_name = estimator_name

    def _curves(self) -> tuple[np.ndarray, np.ndarray]:
        """Epochs and an (n_epochs, n_layers) array of the statistic, nan for gaps."""
        if self.statistic not in _LAYER_STATISTICS:
            raise ValueError(
                f"statistic must be one of {sorted(_LAYER_STATISTICS)}; got "
                f"{self.statistic!r}."
            )
        history = self.history
        if isinstance(history, (str, bytes, Mapping)) or not isinstance(history, Sequence):
            raise TypeError(
                "history must be a sequence of dicts (one per epoch), got "
                f"{type(history).__name__}."
            )
        monitored = [record.get("layers") for record in history]
        n_layers = {len(layers) for layers in monitored if layers is not None}
        if not n_layers:
            raise ValueError(
                "history has no per-layer statistics: fit the model with "
                "monitor_layers=True to record them."
            )
        if len(n_layers) > 1:
            raise ValueError(
                f"history's records have different numbers of layers: {sorted(n_layers)}."
            )
        values = np.full((len(history), n_layers.pop()), np.nan)
        for i, layers in enumerate(monitored):
            if layers is not None:
                values[i] = _as_float_array([layer[self.statistic] for layer in layers])
        epochs = np.array(
            [record.get("epoch", i + 1) for i, record in enumerate(history)], dtype=float
        )
        return epochs, values

    def _label(self, layer: int, n_layers: int) -> str:
        label = f"layer {layer}"
        if self.layer_sizes is not None:
            label += f": {self.layer_sizes[layer - 1]} → {self.layer_sizes[layer]}"
        return label + (" (output)" if layer == n_layers else "")

    def plot(
        self,
        ax=None,
        *,
        name: str | None = None,
        line_kwargs: Mapping[str, Any] | None = None,
        legend: bool = True,
        yscale: str = "auto",
    ) -> LayerDiagnosticsDisplay:
        """Plot the statistic of every weight layer over the epochs.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on. If ``None``, a new figure and axes are created.

        name : str, default=None
            Title of the axes. If ``None``, ``estimator_name`` is used (if it is
            not ``None`` either).

        line_kwargs : dict, default=None
            Keyword arguments passed to matplotlib for every curve, e.g.
            ``{"linewidth": 1}``. By default layer l has the l-th of evenly
            spaced colors of the "viridis" colormap, so that the colors follow
            the depth.

        legend : bool, default=True
            Whether to draw a legend. It is placed to the right of the axes,
            where it cannot hide a curve.

        yscale : {"auto", "log", "linear"}, default="auto"
            Scale of the y axis. ``"auto"`` is logarithmic for the RMS
            statistics and the update ratio, which span orders of magnitude
            across the layers, when all their values are positive, and linear
            otherwise (``"inactive_fraction"``, or an exactly zero statistic,
            which a log scale could not show).

        Returns
        -------
        display : LayerDiagnosticsDisplay
            Object that stores the computed values.
        """
        plt = _import_pyplot(f"{self.__class__.__name__}.plot")
        if yscale not in ("auto", "log", "linear"):
            raise ValueError(f"yscale must be 'auto', 'log' or 'linear'; got {yscale!r}.")
        epochs, values = self._curves()
        n_layers = values.shape[1]
        drawn = [layer for layer in range(n_layers) if not np.all(np.isnan(values[:, layer]))]
        if ax is None:
            # Wider than the default figure: the legend sits beside the axes.
            width, height = plt.rcParams["figure.figsize"]
            _, ax = plt.subplots(figsize=(1.3 * width, height), layout="constrained")
        colors = plt.get_cmap("viridis")(np.linspace(0.0, 0.85, n_layers))
        lines = []
        for layer in drawn:
            kwargs = {"color": colors[layer], "label": self._label(layer + 1, n_layers)}
            kwargs.update(line_kwargs or {})
            (line,) = ax.plot(epochs, values[:, layer], **kwargs)
            lines.append(line)
        if yscale == "auto":
            finite = values[:, drawn][np.isfinite(values[:, drawn])]
            positive = finite.size > 0 and np.all(finite > 0)
            yscale = "log" if self.statistic != "inactive_fraction" and positive else "linear"
        ax.set_yscale(yscale)
        ax.set_xlabel("Epoch")
        ax.set_ylabel(_LAYER_STATISTICS[self.statistic])
        title = self.estimator_name if name is None else name
        if title is not None:
            ax.set_title(title)
        if legend:
            ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
        self.lines_ = lines
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        statistic: str = "grad_rms",
        ax=None,
        name: str | None = None,
        line_kwargs: Mapping[str, Any] | None = None,
        legend: bool = True,
        yscale: str = "auto",
    ) -> LayerDiagnosticsDisplay:
        """Plot a per-layer statistic of a model fitted with ``monitor_layers=True``.

        Parameters
        ----------
        estimator : estimator instance
            Fitted :class:`~skbp.BackpropMLPClassifier` or
            :class:`~skbp.BackpropMLPRegressor` with ``monitor_layers=True``,
            or a fitted :class:`~sklearn.pipeline.Pipeline` whose last step is
            one.

        statistic : {"grad_rms", "delta_rms", "weight_rms", "update_ratio", \
"inactive_fraction"}, default="grad_rms"
            The statistic plotted (see the estimator's ``monitor_layers``).

        ax : matplotlib Axes, default=None
            Axes to plot on. If ``None``, a new figure and axes are created.

        name : str, default=None
            Title of the axes. If ``None``, the class name of the estimator is
            used.

        line_kwargs : dict, default=None
            Keyword arguments passed to matplotlib for every curve.

        legend : bool, default=True
            Whether to draw a legend (to the right of the axes).

        yscale : {"auto", "log", "linear"}, default="auto"
            Scale of the y axis; see :meth:`plot`.

        Returns
        -------
        display : LayerDiagnosticsDisplay
            Object that stores the computed values.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the estimator (or the last step of the pipeline) is not fitted.
        TypeError
            If the estimator records no training history.
        ValueError
            If it was fitted without ``monitor_layers=True``.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from sklearn.datasets import load_digits
        >>> from skbp import BackpropMLPClassifier, LayerDiagnosticsDisplay
        >>> X, y = load_digits(return_X_y=True)
        >>> clf = BackpropMLPClassifier((32, 16), max_iter=20, monitor_layers=True,
        ...                             random_state=0).fit(X / 16, y)
        >>> display = LayerDiagnosticsDisplay.from_estimator(clf, statistic="delta_rms")
        >>> [line.get_label() for line in display.lines_]
        ['layer 1: 64 → 32', 'layer 2: 32 → 16', 'layer 3: 16 → 10 (output)']
        """
        _import_pyplot(f"{cls.__name__}.from_estimator")
        final = _fitted_final_step(estimator)
        history = getattr(final, "history_", None)
        if history is None:
            raise TypeError(
                f"{type(final).__name__} records no training history (history_); "
                "LayerDiagnosticsDisplay needs a BackpropMLPClassifier or "
                "BackpropMLPRegressor fitted with monitor_layers=True."
            )
        if not any("layers" in record for record in history):
            raise ValueError(
                f"{type(final).__name__} was fitted without monitor_layers=True, so "
                "its history_ has no per-layer statistics. Set monitor_layers=True "
                "and fit it again."
            )
        sizes = [final.coefs_[0].shape[0]] + [coef.shape[1] for coef in final.coefs_]
        display = cls(
            history=history,
            statistic=statistic,
            layer_sizes=sizes,
            estimator_name=type(final).__name__,
        )
        return display.plot(
            ax=ax, name=name, line_kwargs=line_kwargs, legend=legend, yscale=yscale
        )
