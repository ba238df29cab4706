"""skbp — a scikit-learn multi-layer perceptron built on readable backpropagation.

Public API:

* :class:`BackpropMLPClassifier` — drop-in superset of scikit-learn's MLPClassifier;
* :class:`BackpropMLPRegressor` — drop-in superset of scikit-learn's MLPRegressor;
* :func:`check_gradients` — backprop vs. central finite differences;
* :class:`TrainingCurveDisplay` — plot a model's per-epoch history.
"""

from ._estimators.classifier import BackpropMLPClassifier
from ._estimators.regressor import BackpropMLPRegressor
from ._tools.gradcheck import check_gradients

__version__ = "0.1.0"

__all__ = [
    "BackpropMLPClassifier",
    "BackpropMLPRegressor",
    "TrainingCurveDisplay",
    "check_gradients",
    "__version__",
]


def __getattr__(name):
    # The display pulls in nothing heavy, but keep import-time minimal and robust.
    if name == "TrainingCurveDisplay":
        from ._tools.display import TrainingCurveDisplay

        return TrainingCurveDisplay
    raise AttributeError(f"module 'skbp' has no attribute {name!r}")
