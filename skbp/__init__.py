"""skbp — a scikit-learn multi-layer perceptron built on readable backpropagation.

Public API:

* :class:`BackpropMLPClassifier` — drop-in superset of scikit-learn's MLPClassifier;
* :class:`BackpropMLPRegressor` — drop-in superset of scikit-learn's MLPRegressor;
* :class:`TabularMLPClassifier`, :class:`TabularMLPRegressor` — raw tables in,
  RealMLP's tuned recipe on the same engine;
* :func:`check_gradients` — backprop vs. central finite differences;
* :func:`trace_backprop` — every quantity of BP1–BP4 for a few samples, returned
  as a :class:`BackpropTrace` of :class:`LayerTrace`;
* :class:`TrainingCurveDisplay` — plot a model's per-epoch history;
* :class:`LayerDiagnosticsDisplay` — plot the per-layer statistics of ``monitor_layers``;
* :class:`SmoothClipScaler` — robust scaling with smooth clipping;
* :class:`TabularEncoder` — a raw table (numeric, categorical, missing values) as floats.
"""

from ._estimators.classifier import BackpropMLPClassifier
from ._estimators.regressor import BackpropMLPRegressor
from ._estimators.smooth_clip import SmoothClipScaler
from ._estimators.tabular import TabularMLPClassifier, TabularMLPRegressor
from ._estimators.tabular_encoding import TabularEncoder
from ._tools.display import LayerDiagnosticsDisplay, TrainingCurveDisplay
from ._tools.gradcheck import check_gradients
from ._tools.trace import BackpropTrace, LayerTrace, trace_backprop

__version__ = "0.1.0"

__all__ = [
    "BackpropMLPClassifier",
    "BackpropMLPRegressor",
    "BackpropTrace",
    "LayerDiagnosticsDisplay",
    "LayerTrace",
    "SmoothClipScaler",
    "TabularEncoder",
    "TabularMLPClassifier",
    "TabularMLPRegressor",
    "TrainingCurveDisplay",
    "check_gradients",
    "trace_backprop",
    "__version__",
]

# The public classes are defined in private modules but named by their public
# path: pickles, skops' trusted types ("skbp.BackpropMLPClassifier") and reprs
# then survive a move of the private modules, which keep the names importable
# for the files written by skbp 0.1.0.
for _public_class in (
    BackpropMLPClassifier,
    BackpropMLPRegressor,
    BackpropTrace,
    LayerDiagnosticsDisplay,
    LayerTrace,
    SmoothClipScaler,
    TabularEncoder,
    TabularMLPClassifier,
    TabularMLPRegressor,
    TrainingCurveDisplay,
    TabularMLPClassifier,
    TabularMLPRegressor,
    SmoothClipScaler,
    TabularEncoder,
):
    _public_class.__module__ = __name__
del _public_class
