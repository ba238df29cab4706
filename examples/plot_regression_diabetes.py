"""
Regression on the diabetes data, next to MLPRegressor
=====================================================

:class:`~skbp.BackpropMLPRegressor` accepts every parameter of
:class:`~sklearn.neural_network.MLPRegressor` with the same meaning, and uses
the same default loss: the half squared error with an identity output unit,
whose BP1 is δ^L = a^L − y. This example compares the two on scikit-learn's
diabetes data (442 patients, 10 features, a disease-progression score) with
5-fold cross-validated R², for the adam and L-BFGS solvers.
"""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# The same model for both estimators
# ----------------------------------
# The features are standardised in a pipeline, and the target is standardised
# too, with :class:`~sklearn.compose.TransformedTargetRegressor`: the target
# ranges from 25 to 346, and a network whose output bias starts near 0 would
# spend its first epochs only moving that bias. 442 samples are few for 385
# weights: ``alpha=10`` is a strong ℓ2 penalty, which L-BFGS, run to a minimum
# of the penalised cost, needs. With the same ``random_state`` both estimators
# start from the same weights (skbp's default initializer is scikit-learn's
# rule).
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbp import BackpropMLPRegressor

X, y = load_diabetes(return_X_y=True)
common = dict(hidden_layer_sizes=(32,), alpha=10.0, random_state=0)
implementations = {"skbp": BackpropMLPRegressor, "scikit-learn": MLPRegressor}
# 200 epochs of adam; 100 L-BFGS iterations, each of which sees all the data
max_iter = {"adam": 200, "lbfgs": 100}
solvers = list(max_iter)


def model(cls, solver):
    mlp = cls(solver=solver, max_iter=max_iter[solver], **common)
    return TransformedTargetRegressor(
        regressor=make_pipeline(StandardScaler(), mlp), transformer=StandardScaler()
    )


# %%
# Cross-validated R²
# ------------------
# The five folds are the same for every model (shuffled
# :class:`~sklearn.model_selection.KFold` with a fixed ``random_state``). A
# ridge regression on the same folds is the linear reference.
import warnings

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import KFold, cross_val_score

cv = KFold(n_splits=5, shuffle=True, random_state=0)
scores = {}
with warnings.catch_warnings():
    # both solvers use up max_iter: the scores say how good the fits are
    warnings.simplefilter("ignore", ConvergenceWarning)
    for solver in solvers:
        for name, cls in implementations.items():
            scores[solver, name] = cross_val_score(model(cls, solver), X, y, cv=cv, scoring="r2")

table = pd.DataFrame(
    [
        {"solver": solver, "implementation": name, "mean R²": s.mean(), "std R²": s.std()}
        for (solver, name), s in scores.items()
    ]
)
print(table.round(4).to_string(index=False))
ridge = cross_val_score(make_pipeline(StandardScaler(), RidgeCV()), X, y, cv=cv, scoring="r2")
print(f"RidgeCV (linear reference): mean R² {ridge.mean():.4f}, std {ridge.std():.4f}")
for solver in solvers:
    difference = np.abs(scores[solver, "skbp"] - scores[solver, "scikit-learn"]).max()
    print(f"{solver}: largest difference between the two, fold by fold: {difference:.2g}")

# %%
# L-BFGS is SciPy's in both, and the two pass it the same cost and gradient
# from the same start: the fits agree to round-off. adam's mini-batches (200
# of the 353 training rows of a fold) are shuffled differently by the two
# implementations, so those fits end at different weights, with R² that
# differ by far less than the fold-to-fold spread. The networks do about as
# well as the linear model: the diabetes target is nearly linear in its
# features.
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6.4, 3.4), layout="constrained")
width = 0.38
folds = np.arange(1, cv.get_n_splits() + 1)
for k, solver in enumerate(solvers):
    for name, marker, face in [("skbp", "o", "none"), ("scikit-learn", "x", f"C{k}")]:
        ax.plot(
            folds + (k - 0.5) * width / 2,
            scores[solver, name],
            marker,
            color=f"C{k}",
            markerfacecolor=face,
            markersize=8,
            label=f"{name}, {solver}",
        )
ax.plot(folds, ridge, "_", color="grey", markersize=14, label="RidgeCV")
ax.set_xticks(folds)
ax.set_xlabel("fold")
ax.set_ylabel("test R²")
ax.set_title("5-fold R² on load_diabetes")
ax.legend(ncols=2, fontsize="small")
plt.show()
