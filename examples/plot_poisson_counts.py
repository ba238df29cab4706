"""
Counts with the Poisson loss
============================

Counts — visits, claims, defects — are non-negative, and their spread grows
with their mean. ``loss="poisson"`` fits them with the half Poisson deviance
and a log link, a = exp(z): the prediction is positive by construction, and a
unit change of z multiplies the predicted mean. The log link is the Poisson
family's canonical link, so its BP1 collapses to the same δ^L = a − y as the
squared error with an identity output; only the activation differs. This
example compares the two losses on synthetic counts, next to
:class:`~sklearn.neural_network.MLPRegressor`'s ``loss="poisson"``, by the
mean Poisson deviance on held-out data.
"""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Synthetic counts
# ----------------
# Five standard-normal features; the log of the mean count is linear in
# three of them plus an interaction, and the counts are Poisson draws. The
# true means are kept for reference: no model can beat their deviance on
# average.
import numpy as np


def counts(n, seed):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 5)
    mean = np.exp(0.4 * X[:, 0] - 0.6 * X[:, 1] + 0.3 * X[:, 2] * X[:, 3] + 0.5)
    return X, rng.poisson(mean).astype(float), mean


X_train, y_train, _ = counts(3000, seed=0)
X_test, y_test, true_mean = counts(3000, seed=1)
print(f"mean count {y_train.mean():.2f}, largest {y_train.max():.0f}, "
      f"zeros {np.mean(y_train == 0):.1%} of the training rows")

# %%
# Four models, one network
# ------------------------
# The networks are the same for every loss: 32 ReLU units, 100 epochs of
# adam. A constant prediction (the training mean) is the baseline.
import warnings

from sklearn.dummy import DummyRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor

from skbp import BackpropMLPRegressor

params = dict(hidden_layer_sizes=(32,), max_iter=100, random_state=0)
models = {
    "skbp, poisson": BackpropMLPRegressor(loss="poisson", **params),
    "MLPRegressor, poisson": MLPRegressor(loss="poisson", **params),
    "skbp, squared_error": BackpropMLPRegressor(loss="squared_error", **params),
    "constant (training mean)": DummyRegressor(),
}
predictions = {}
with warnings.catch_warnings():
    # 100 epochs are a fixed budget here, not a convergence claim
    warnings.simplefilter("ignore", ConvergenceWarning)
    for name, model in models.items():
        predictions[name] = model.fit(X_train, y_train).predict(X_test)
predictions["true means"] = true_mean

# %%
# Held-out mean Poisson deviance
# ------------------------------
# The deviance needs positive predictions. The exp link guarantees them; the
# squared-error model predicts some counts below zero, which are clipped to
# 0.001 to be scored at all (the deviance of such a row is then large if its
# count is not 0).
import pandas as pd
from sklearn.metrics import mean_absolute_error, mean_poisson_deviance

floor = 1e-3
table = pd.DataFrame(
    [
        {
            "model": name,
            "mean Poisson deviance": mean_poisson_deviance(y_test, np.maximum(p, floor)),
            "MAE": mean_absolute_error(y_test, p),
            "predictions <= 0": int(np.sum(p <= 0)),
        }
        for name, p in predictions.items()
    ]
)
print(table.round(4).to_string(index=False))

# %%
# The Poisson models come within a few hundredths of the deviance of the
# true means; skbp's and scikit-learn's agree, as they take the same kind of
# steps on the same cost. The squared-error model treats a miss by 2 at a
# mean of 0.5 like one at a mean of 10, and predicts negative counts where
# the mean is small.
#
# Predicted against observed means
# --------------------------------
# The held-out rows are grouped into ten bins by each model's prediction;
# within a bin, a well-calibrated model's mean prediction equals the mean
# observed count.
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(5.2, 4.2), layout="constrained")
styles = {
    "skbp, poisson": dict(marker="o", markersize=9, markerfacecolor="none", lw=2.5, alpha=0.6),
    "MLPRegressor, poisson": dict(marker="s", markersize=4),
    "skbp, squared_error": dict(marker="x"),
}
for name, style in styles.items():
    p = predictions[name]
    edges = np.quantile(p, np.linspace(0, 1, 11))
    bins = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, 9)
    ax.plot(
        [p[bins == b].mean() for b in range(10)],
        [y_test[bins == b].mean() for b in range(10)],
        label=name, **style,
    )
top = ax.get_xlim()[1]
ax.plot([0, top], [0, top], ":", color="k", label="perfect calibration")
ax.set_xlabel("mean predicted count in the bin")
ax.set_ylabel("mean observed count in the bin")
ax.set_title("Calibration on the held-out counts")
ax.legend(fontsize="small")
plt.show()
