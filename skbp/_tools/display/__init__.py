"""Visualisation of the per-epoch training history of a fitted MLP, one Display per module.

:class:`TrainingCurveDisplay` draws the training and validation curves,
:class:`LayerDiagnosticsDisplay` one curve per weight layer of a statistic
that ``monitor_layers=True`` recorded. Both follow scikit-learn's Display API:
the constructor only stores the data, ``plot`` draws it, and
``from_estimator`` builds the display from a fitted estimator and plots it in
one call. What they share (the fitted step, the history's checks, the figure
and the legend beside the axes) is in :mod:`._plot`.
"""

from .layer_diagnostics import LayerDiagnosticsDisplay
from .training_curve import TrainingCurveDisplay

__all__ = ["LayerDiagnosticsDisplay", "TrainingCurveDisplay"]
