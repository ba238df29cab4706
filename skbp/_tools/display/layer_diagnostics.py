"""The per-layer statistics that ``monitor_layers=True`` records, one curve per weight layer."""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

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

__all__ = ["LayerDiagnosticsDisplay"]

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
        check_history(history)
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
                values[i] = as_float_array([layer[self.statistic] for layer in layers])
        return epochs_of(history), values

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
        plt = import_pyplot(f"{self.__class__.__name__}.plot")
        if yscale not in ("auto", "log", "linear"):
            raise ValueError(f"yscale must be 'auto', 'log' or 'linear'; got {yscale!r}.")
        epochs, values = self._curves()
        n_layers = values.shape[1]
        drawn = [layer for layer in range(n_layers) if not np.all(np.isnan(values[:, layer]))]
        if ax is None:
            ax = new_axes(plt)
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
        title = self.estimator_name if name is None else name
        label_axes(ax, _LAYER_STATISTICS[self.statistic], title)
        if legend:
            legend_beside(ax)
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
        import_pyplot(f"{cls.__name__}.from_estimator")
        final = fitted_final_step(estimator)
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
