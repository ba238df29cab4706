"""The training and validation curves of a fit, per epoch."""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.base import is_regressor

from ._plot import (
    as_float_array,
    check_history,
    epochs_of,
    fitted_final_step,
    import_pyplot,
    label_axes,
    legend_beside,
    new_axes,
)

__all__ = ["TrainingCurveDisplay"]

#: Keys of :attr:`TrainingCurveDisplay.lines_` that may be drawn, in drawing order.
_LINE_KEYS = ("train_loss", "val_loss", "val_score", "best_epoch", "stop_epoch")

_DEFAULT_LINE_KWARGS: dict[str, dict[str, Any]] = {
    "train_loss": {"color": "C0", "label": "training loss"},
    "val_loss": {"color": "C1", "label": "validation loss"},
    "val_score": {"color": "C2", "linestyle": "--", "label": "validation score"},
    "best_epoch": {"color": "0.35", "linestyle": ":", "linewidth": 1.5},
    "stop_epoch": {"color": "C3", "linestyle": "-.", "linewidth": 1.0},
}


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


def _validated_markers(history, best_epoch):
    """``best_epoch`` and the last epoch of ``history`` when it held out a validation split.

    Only a validation split gives the markers a meaning: the model keeps the
    weights of the best validation epoch, and the epochs after it are the
    patience spent before stopping. Without one the model keeps the last
    epoch's weights and training simply ends where the curve ends, so there
    is nothing to mark.
    """
    validated = any(
        record.get("val_loss") is not None or record.get("val_score") is not None
        for record in history
    )
    if not validated:
        return None, None
    last_epoch = int(epochs_of(history)[-1])  # counts the epochs of earlier warm-started fits
    return (None if best_epoch is None else int(best_epoch)), last_epoch


class TrainingCurveDisplay:
    """Training-curve visualisation of a (stochastic) gradient-descent fit.

    Plots, per epoch, the training loss and, when a validation split was
    held out (``early_stopping``), the validation loss on the left axis and
    the validation score on a twin right axis. Vertical lines mark the epoch
    whose weights the model keeps and the epoch at which training stopped;
    :meth:`from_estimator` draws them only when a validation split was held
    out, since without one the model keeps the last epoch's weights. The
    legend stands to the right of the axes, where it hides no curve.

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

    def _curves(self) -> dict[str, np.ndarray]:
        """Validate ``history`` and return epochs and curves as float arrays."""
        history = self.history
        check_history(history)
        if len(history) == 0:
            raise ValueError("history is empty: there is no epoch to plot.")
        for i, record in enumerate(history):
            if record.get("train_loss") is None:
                raise ValueError(f"history[{i}] has no 'train_loss' entry.")
        return {
            "epoch": epochs_of(history),
            "train_loss": as_float_array([r["train_loss"] for r in history]),
            "val_loss": as_float_array([r.get("val_loss") for r in history]),
            "val_score": as_float_array([r.get("val_score") for r in history]),
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
            Whether to draw a legend gathering the lines of both y-axes. It is
            placed to the right of the axes (and of the score's axis), where
            it cannot hide a curve.

        Returns
        -------
        display : TrainingCurveDisplay
            Object that stores the computed values.
        """
        plt = import_pyplot(f"{self.__class__.__name__}.plot")

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
            ax = new_axes(plt)

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

        label_axes(ax, "Loss", self.estimator_name if name is None else name)
        if legend:
            ordered = [lines[k] for k in _LINE_KEYS if k in lines]
            legend_beside(ax, ordered, right_of=[score_ax] if score_ax is not None else [])

        self.lines_ = lines
        self.ax_ = ax
        self.score_ax_ = score_ax
        self.figure_ = ax.figure
        return self

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

        With a validation split (``early_stopping``), vertical lines mark the
        epoch whose weights the model kept (``best_epoch_``) and the last
        epoch of its history, where training stopped (after a warm start,
        epochs count from the first fit). Without one, the model keeps the
        last epoch's weights and no line is drawn.

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
            Whether to draw a legend (to the right of the axes).

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
        import_pyplot(f"{cls.__name__}.from_estimator")

        final = fitted_final_step(estimator)

        history = getattr(final, "history_", None)
        if history is not None:
            best_epoch = getattr(final, "best_epoch_", None)
        elif getattr(final, "loss_curve_", None) is not None:
            history = _history_from_sklearn_attributes(final)
            # scikit-learn's early_stopping=True restores the best validation score.
            scores = [record["val_score"] for record in history]
            best_epoch = None if scores[0] is None else int(np.nanargmax(as_float_array(scores))) + 1
        else:
            raise TypeError(
                f"{type(final).__name__} records no training history "
                "(neither history_ nor loss_curve_); TrainingCurveDisplay "
                "needs a fitted BackpropMLPClassifier or a Pipeline ending "
                "with one."
            )
        best_epoch, stop_epoch = _validated_markers(history, best_epoch)

        display = cls(
            history=history,
            best_epoch=best_epoch,
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
