"""
Prediction intervals from quantile models
=========================================

With ``loss="quantile"`` :class:`~skbp.BackpropMLPRegressor` minimises the
pinball loss of the quantile q, C = max(q (y − a), (q − 1)(y − a)), whose
minimiser is the q-quantile of y given x. Its BP1 is the subgradient
δ^L = −q where the prediction is too low (a < y) and 1 − q where it is not:
every sample pushes the prediction up with weight q or down with weight
1 − q, and the prediction settles where a fraction q of the targets lies
below it. Two such models, for q = 0.05 and q = 0.95, bound a 90 %
prediction interval. This example checks that interval's coverage on
held-out data whose noise grows with x, next to the constant-width interval
of a squared-error model.
"""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Data whose noise grows with x
# -----------------------------
# y = x sin(x) plus Gaussian noise with a standard deviation of 0.3 + 0.25 x:
# 0.3 at x = 0, 2.8 at x = 10. The true 5 % and 95 % quantiles are the curve
# ∓ 1.645 standard deviations.
import numpy as np

rng = np.random.RandomState(0)


def sample(n):
    x = rng.uniform(0, 10, n)
    y = x * np.sin(x) + (0.3 + 0.25 * x) * rng.randn(n)
    return x.reshape(-1, 1), y


X_train, y_train = sample(2000)
X_test, y_test = sample(2000)

# %%
# Two quantile models and a squared-error model
# ---------------------------------------------
# The three networks are identical but for the loss. The pinball loss has a
# kink, so its subgradient does not shrink near the minimum: with a constant
# step, the fraction of training targets below the 0.05 model wanders between
# 0.03 and 0.08 from one epoch to the next (epochs 100 to 300). The cosine schedule
# (``learning_rate="cosine"``) lets the step decay to 0 over ``max_iter``
# epochs, and the models settle; ``n_iter_no_change=max_iter`` lets all the
# epochs of the schedule run. The squared-error model's interval is its
# prediction ± 1.645 times the standard deviation of its training residuals:
# the 90 % interval if the noise were Gaussian with a constant spread.
import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbp import BackpropMLPRegressor

params = dict(
    hidden_layer_sizes=(32, 32), learning_rate="cosine", learning_rate_init=0.01,
    max_iter=300, n_iter_no_change=300, random_state=0,
)
quantiles = {}
with warnings.catch_warnings():
    # the schedule ends the training at max_iter, by design
    warnings.simplefilter("ignore", ConvergenceWarning)
    for q in (0.05, 0.95):
        model = make_pipeline(
            StandardScaler(), BackpropMLPRegressor(loss="quantile", quantile=q, **params)
        )
        quantiles[q] = model.fit(X_train, y_train)
    mean_model = make_pipeline(StandardScaler(), BackpropMLPRegressor(**params))
    mean_model.fit(X_train, y_train)
spread = 1.645 * np.std(y_train - mean_model.predict(X_train))

intervals = {
    "quantile models": (quantiles[0.05].predict(X_test), quantiles[0.95].predict(X_test)),
    "squared error ± 1.645 σ": (
        mean_model.predict(X_test) - spread,
        mean_model.predict(X_test) + spread,
    ),
}

# %%
# Coverage on the held-out data
# -----------------------------
# The fraction of held-out targets inside each interval, over all of x and in
# three bands of x, with the interval's mean width.
x = X_test.ravel()
bands = {"all x": x >= 0, "x < 3.3": x < 10 / 3, "3.3 ≤ x < 6.7": (x >= 10 / 3) & (x < 20 / 3),
         "x ≥ 6.7": x >= 20 / 3}
below = np.mean(y_test < intervals["quantile models"][0])
above = np.mean(y_test > intervals["quantile models"][1])
print(f"held-out targets below the 0.05 model: {below:.3f}, above the 0.95 model: {above:.3f}")
print(f"{'interval':<24}" + "".join(f"{band:>15}" for band in bands) + f"{'mean width':>12}")
for name, (low, high) in intervals.items():
    inside = (low <= y_test) & (y_test <= high)
    coverage = "".join(f"{inside[band].mean():>15.3f}" for band in bands.values())
    print(f"{name:<24}{coverage}{np.mean(high - low):>12.2f}")

# %%
# Both intervals cover close to 90 % of all the held-out targets, but only
# the quantile models stay close to it in every band of x: they widen where
# the noise is large. The constant-width interval covers every target where
# the noise is small (it is too wide there) and misses about one in five
# where it is large.
import matplotlib.pyplot as plt

grid = np.linspace(0, 10, 400).reshape(-1, 1)
fig, ax = plt.subplots(figsize=(6.4, 3.8), layout="constrained")
ax.scatter(x, y_test, s=3, color="0.6", label="held-out data")
ax.fill_between(
    grid.ravel(), quantiles[0.05].predict(grid), quantiles[0.95].predict(grid),
    alpha=0.35, color="C0", label="quantile models, 0.05 to 0.95",
)
middle = mean_model.predict(grid)
ax.plot(grid, middle - spread, "--", color="C1", label="squared error ± 1.645 σ")
ax.plot(grid, middle + spread, "--", color="C1")
truth = grid.ravel() * np.sin(grid.ravel())
ax.plot(grid, truth - 1.645 * (0.3 + 0.25 * grid.ravel()), ":", color="k", label="true quantiles")
ax.plot(grid, truth + 1.645 * (0.3 + 0.25 * grid.ravel()), ":", color="k")
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.set_title("90 % prediction intervals")
ax.legend(fontsize="small", loc="lower left")
plt.show()
