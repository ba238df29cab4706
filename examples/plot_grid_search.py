"""
Tuning initializer, dropout and weight decay with GridSearchCV
==============================================================

:class:`~skbp.BackpropMLPClassifier` is an ordinary scikit-learn estimator,
so its hyper-parameters can be tuned with
:class:`~sklearn.model_selection.GridSearchCV`. Here a small grid crosses the
three knobs from the backpropagation lecture that
:class:`~sklearn.neural_network.MLPClassifier` does not have:

* ``initializer``: how the initial weights are drawn,
* ``dropout``: the probability of *dropping* each hidden unit during training,
* ``weight_decay``: the decay factor beta of the update
  ``W := (1 - beta) W - step``.

Inside a :class:`~sklearn.pipeline.Pipeline` the parameters are addressed as
``<step name>__<parameter>``.
"""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Data and pipeline
# -----------------
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skbp import BackpropMLPClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)

pipe = Pipeline(
    [
        ("scale", StandardScaler()),
        (
            "mlp",
            BackpropMLPClassifier(
                hidden_layer_sizes=(64,),
                max_iter=60,
                tol=0.0,
                random_state=0,
            ),
        ),
    ]
)

# %%
# The grid
# --------
# 2 initializers x 2 dropout rates x 3 decay factors = 12 candidates, each
# fitted on 3 folds (36 fits, two at a time with ``n_jobs=2``). Every fit runs
# at most 60 epochs, which keeps the example fast; the ranking of the
# candidates, not the last digit of accuracy, is what we look at.
import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

# The short epoch budget is deliberate; do not warn that it was used up.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

param_grid = {
    "mlp__initializer": ["glorot_uniform", "he_normal"],
    "mlp__dropout": [0.0, 0.2],
    "mlp__weight_decay": [0.0, 1e-3, 1e-2],
}
search = GridSearchCV(pipe, param_grid, cv=3, n_jobs=2)
search.fit(X_train, y_train)

print("best parameters:", search.best_params_)
print(f"best mean CV accuracy: {search.best_score_:.3f}")
print(
    f"test accuracy of the refitted best pipeline: {search.score(X_test, y_test):.3f}"
)

# %%
# The results table
# -----------------
# ``cv_results_`` holds one row per candidate; pandas makes it readable.
import pandas as pd

results = pd.DataFrame(search.cv_results_)
columns = {
    "param_mlp__initializer": "initializer",
    "param_mlp__dropout": "dropout",
    "param_mlp__weight_decay": "weight_decay",
    "mean_test_score": "mean accuracy",
    "std_test_score": "std",
    "mean_fit_time": "fit time (s)",
    "rank_test_score": "rank",
}
table = results[list(columns)].rename(columns=columns).sort_values("rank")
print(table.round(4).to_string(index=False))

# %%
# Heatmaps of the mean cross-validated accuracy
# ---------------------------------------------
# One panel per initializer, dropout on the rows and weight decay on the
# columns. The decay factor is applied at every mini-batch step (5 per epoch
# here), so ``beta=0.01`` shrinks the weights by about 5% per epoch: this
# pulls too hard against the gradient steps and costs several points of
# accuracy. ``beta=0.001`` and ``dropout=0.2`` change little: on this data the
# network overfits little, so there is not much for a regularizer to fix (see
# :ref:`sphx_glr_auto_examples_plot_dropout_weight_decay.py` for a task where
# there is).
import matplotlib.pyplot as plt
import numpy as np

initializers = param_grid["mlp__initializer"]
dropouts = param_grid["mlp__dropout"]
decays = param_grid["mlp__weight_decay"]

scores = table.pivot_table(
    index=["initializer", "dropout"], columns="weight_decay", values="mean accuracy"
)
vmin, vmax = scores.to_numpy().min(), scores.to_numpy().max()

fig, axes = plt.subplots(1, len(initializers), figsize=(9, 3.4), sharey=True)
for ax, init in zip(axes, initializers, strict=True):
    grid = scores.loc[init].reindex(index=dropouts, columns=decays).to_numpy()
    image = ax.imshow(grid, cmap="viridis", vmin=vmin, vmax=vmax)
    for (i, j), value in np.ndenumerate(grid):
        ax.text(
            j,
            i,
            f"{value:.3f}",
            ha="center",
            va="center",
            color="white" if value < (vmin + vmax) / 2 else "black",
        )
    ax.set_xticks(range(len(decays)), labels=[str(d) for d in decays])
    ax.set_yticks(range(len(dropouts)), labels=[str(d) for d in dropouts])
    ax.set_xlabel("weight_decay")
    ax.set_title(f"initializer={init!r}")
axes[0].set_ylabel("dropout")
fig.colorbar(image, ax=axes, label="mean CV accuracy", shrink=0.85)
plt.show()
