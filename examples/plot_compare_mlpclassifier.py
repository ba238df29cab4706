"""
Comparison with scikit-learn's MLPClassifier
============================================

:class:`~skbp.BackpropMLPClassifier` accepts every parameter of
:class:`~sklearn.neural_network.MLPClassifier` with the same meaning. Both
estimators are NumPy implementations of the same algorithm: forward pass,
backward pass (BP1-BP4), optimizer step. Trained with identical parameters,
they should therefore reach a similar accuracy in a similar time. This example
checks that with 5-fold cross-validation for the three solvers.
"""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Identical parameters for both estimators
# ----------------------------------------
# The same parameter dictionary is passed to both classes. skbp's default
# ``initializer="auto"`` is scikit-learn's rule, drawn in the same order, so
# with the same ``random_state`` both start from the same weights and biases.
# The stochastic solvers then shuffle the samples into batches differently,
# and the two implementations round differently, so the individual fits are
# not bitwise identical.
from sklearn.datasets import load_digits
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbp import BackpropMLPClassifier

X, y = load_digits(return_X_y=True)

common = dict(hidden_layer_sizes=(64,), alpha=1e-4, max_iter=300, random_state=0)
solver_params = {
    "adam": dict(solver="adam", learning_rate_init=1e-3),
    "sgd": dict(solver="sgd", learning_rate_init=1e-2, momentum=0.9),
    "lbfgs": dict(solver="lbfgs"),
}
implementations = {"skbp": BackpropMLPClassifier, "scikit-learn": MLPClassifier}

# %%
# Cross-validation
# ----------------
# :func:`~sklearn.model_selection.cross_validate` returns the test scores and
# the fit time of each fold. The fits run one after the other (``n_jobs=1``)
# so that the timings are not disturbed by a concurrent fit.
import pandas as pd
from sklearn.model_selection import StratifiedKFold, cross_validate

cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
rows = []
for solver, params in solver_params.items():
    for name, cls in implementations.items():
        model = make_pipeline(StandardScaler(), cls(**common, **params))
        result = cross_validate(model, X, y, cv=cv, n_jobs=1)
        rows.append(
            {
                "solver": solver,
                "implementation": name,
                "mean accuracy": result["test_score"].mean(),
                "std accuracy": result["test_score"].std(),
                "mean fit time (s)": result["fit_time"].mean(),
            }
        )
results = pd.DataFrame(rows)
print(results.round(4).to_string(index=False))

# %%
# The accuracies agree to within the fold-to-fold spread. The fit times depend
# on the number of epochs each run needs before its stopping rule fires, and
# on the machine.
import matplotlib.pyplot as plt
import numpy as np

solvers = list(solver_params)
width = 0.38
x = np.arange(len(solvers))
fig, (ax_score, ax_time) = plt.subplots(1, 2, figsize=(9, 3.6))
for k, name in enumerate(implementations):
    part = results[results["implementation"] == name].set_index("solver").loc[solvers]
    offset = (k - 0.5) * width
    ax_score.bar(
        x + offset,
        part["mean accuracy"],
        width,
        yerr=part["std accuracy"],
        capsize=3,
        label=name,
    )
    ax_time.bar(x + offset, part["mean fit time (s)"], width, label=name)
for ax in (ax_score, ax_time):
    ax.set_xticks(x, labels=solvers)
    ax.set_xlabel("solver")
ax_score.set_ylim(0.9, 1.0)
ax_score.set_ylabel("mean accuracy (5-fold CV)")
ax_score.legend(loc="lower right")
ax_time.set_ylabel("mean fit time per fold (s)")
fig.suptitle("BackpropMLPClassifier vs MLPClassifier, identical parameters")
fig.tight_layout()
plt.show()
