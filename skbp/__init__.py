"""skbp — a scikit-learn multi-layer perceptron built on readable backpropagation.

Public API:

* :class:`BackpropMLPClassifier` — drop-in superset of scikit-learn's MLPClassifier;
* :class:`BackpropMLPRegressor` — drop-in superset of scikit-learn's MLPRegressor;
* :class:`TabularMLPClassifier`, :class:`TabularMLPRegressor` — raw tables in,
  RealMLP's tuned recipe on the same engine;
* :func:`check_gradients` — backprop vs. central finite differences;
* :func:`trace_backprop` — every quantity of BP1–BP4 for a few samples;
* :class:`TrainingCurveDisplay` — plot a model's per-epoch history;
* :class:`LayerDiagnosticsDisplay` — plot the per-layer statistics of ``monitor_layers``;
* :class:`SmoothClipScaler` — robust scaling with smooth clipping;
* :class:`TabularEncoder` — a raw table (numeric, categorical, missing values) as floats.
"""

from ._estimators.classifier import BackpropMLPClassifier
from ._estimators.regressor import BackpropMLPRegressor
from ._estimators.tabular import TabularMLPClassifier, TabularMLPRegressor
from ._estimators.tabular_encoding import SmoothClipScaler, TabularEncoder
from ._tools.gradcheck import check_gradients
from ._tools.trace import trace_backprop

__version__ = "0.1.0"

__all__ = [
    "BackpropMLPClassifier",
    "BackpropMLPRegressor",
    "LayerDiagnosticsDisplay",
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
# path, so that pickles and skops' trusted types read "skbp.TabularEncoder".
for _public_class in (TabularMLPClassifier, TabularMLPRegressor, SmoothClipScaler, TabularEncoder):
    _public_class.__module__ = __name__
del _public_class


def __getattr__(name):
    # The displays pull in nothing heavy, but keep import-time minimal and robust.
    if name in ("TrainingCurveDisplay", "LayerDiagnosticsDisplay"):
        from ._tools import display

        return getattr(display, name)
    raise AttributeError(f"module 'skbp' has no attribute {name!r}")
