"""What the displays share: the fitted step, the history's checks, the figure and the legend.

matplotlib is an optional dependency: it is imported only when something is drawn.
"""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted


def import_pyplot(caller_name: str):
    """Import and return ``matplotlib.pyplot`` or raise an informative error."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            f"{caller_name} requires matplotlib, which is not installed. Install it "
            'with `pip install matplotlib` or `pip install "skbp[examples]"`.'
        ) from exc
    return plt


def fitted_final_step(estimator):
    """The estimator itself, or a Pipeline's last step; it must be fitted."""
    final = estimator[-1] if isinstance(estimator, Pipeline) else estimator
    check_is_fitted(final)
    return final


def as_float_array(values: Sequence[Any]) -> np.ndarray:
    """Floats, with ``nan`` for the ``None`` of epochs that did not record a value."""
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


def check_history(history) -> None:
    """Refuse anything but a sequence of dicts (one per epoch)."""
    if isinstance(history, (str, bytes, Mapping)) or not isinstance(history, Sequence):
        raise TypeError(
            "history must be a sequence of dicts (one per epoch), got "
            f"{type(history).__name__}."
        )
    for i, record in enumerate(history):
        if not isinstance(record, Mapping):
            raise TypeError(f"history[{i}] must be a dict, got {type(record).__name__}.")


def epochs_of(history) -> np.ndarray:
    """The records' 1-based epoch numbers (their position plus one where absent)."""
    return np.array([record.get("epoch", i + 1) for i, record in enumerate(history)], dtype=float)


def new_axes(plt):
    """Axes in a figure wide enough for a legend beside them, laid out to fit it."""
    width, height = plt.rcParams["figure.figsize"]
    _, ax = plt.subplots(figsize=(1.3 * width, height), layout="constrained")
    return ax


def label_axes(ax, ylabel: str, title: str | None) -> None:
    """Epochs on the x axis, whole numbers only, the y label and the title if any."""
    from matplotlib.ticker import MaxNLocator

    ax.set_xlabel("Epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)


def legend_beside(ax, handles=None, *, right_of=()):
    """A legend to the right of ``ax``, where it cannot hide a curve.

    ``right_of`` are twin axes sharing ``ax``'s box whose tick labels and
    label stand on its right: the legend starts after them. The gap is fixed
    in inches, so that it holds when a constrained layout resizes the axes.
    """
    from matplotlib.transforms import ScaledTranslation

    figure = ax.figure
    gap = 0.1  # inches between the axes' decorations and the legend
    if right_of:
        # The twin's tick labels get their final text only when the figure is drawn.
        figure.draw_without_rendering()
        right = max(other.get_tightbbox().x1 for other in right_of)
        gap += max(0.0, right - ax.get_window_extent().x1) / figure.dpi
    anchor = ax.transAxes + ScaledTranslation(gap, 0.0, figure.dpi_scale_trans)
    kwargs = {} if handles is None else {"handles": handles}
    return ax.legend(
        loc="upper left", bbox_to_anchor=(1.0, 1.0), bbox_transform=anchor,
        borderaxespad=0.0, **kwargs,
    )
