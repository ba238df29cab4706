"""
Weight initialization and the symmetry problem
==============================================

Training a neural network is a non-convex problem: where gradient descent
starts decides how fast, and whether, it gets anywhere. This example trains
ReLU networks of increasing depth on the digits data with different
``initializer`` values and compares the training-loss curves:

* ``"auto"`` (the default): scikit-learn's rule, weights and biases from
  ``U[-r, r]`` with ``r = sqrt(6 / (fan_in + fan_out))``, the start
  ``MLPClassifier`` uses with the same ``random_state``,
* ``"lecture"``: the lecture's table for the activation, for ReLU
  ``U[-r, r]`` with ``r = sqrt(6 / fan_in)`` (He), zero biases,
* ``"glorot_normal"``: Gaussian with variance ``2 / (fan_in + fan_out)``,
* ``"he_normal"``: Gaussian with variance ``2 / fan_in``, made for ReLU,
* ``"orthogonal"``: a random orthogonal matrix (scaled by the activation's
  gain),
* ``"normal"`` with ``init_std=0.01``: a fixed, small variance,
* ``"uniform"``: uniform with the same fixed variance (``init_std``).

Finally, it shows why the weights cannot all start at zero.
"""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Data
# ----
import numpy as np
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler

X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)

# %%
# The default and the lecture's table
# ------------------------------------
# Both draw every weight from ``U[-r, r]``. The default, scikit-learn's rule,
# uses ``r = sqrt(6 / (fan_in + fan_out))`` (``sqrt(2 / ...)`` for logistic
# units) and draws the biases from the same law; the lecture's table picks
# ``r`` by activation and starts the biases at zero. For a layer of 64 inputs
# and 64 units, as in the hidden layers below:
import pandas as pd

fan_in = fan_out = 64
glorot = np.sqrt(6 / (fan_in + fan_out))
bounds = pd.DataFrame(
    {
        '"auto" (default)': {
            "relu": glorot,
            "tanh": glorot,
            "identity": glorot,
            "logistic": np.sqrt(2 / (fan_in + fan_out)),
        },
        '"lecture"': {
            "relu": np.sqrt(6 / fan_in),
            "tanh": glorot,
            "identity": glorot,
            "logistic": 4 * glorot,
        },
    }
)
bounds.index.name = "activation"
print(bounds.round(3).to_string())

# %%
# For ReLU units the lecture's He rule is ``sqrt(2)`` times wider here; the
# curves below show both, next to the other initializers.

# %%
# Training-loss curves
# --------------------
# Networks with 1, 2 and 4 hidden layers of 64 ReLU units are trained with
# plain mini-batch SGD with momentum for 60 epochs, without penalty
# (``alpha=0``), so that only the starting point differs. SGD is used on
# purpose: Adam rescales every gradient, which hides much of the effect of the
# initial scale.
import warnings

from sklearn.exceptions import ConvergenceWarning

from skbp import BackpropMLPClassifier

# Every run gets a fixed budget of epochs; do not warn that it was used up.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

settings = {
    "auto (default)": {"initializer": "auto"},
    "lecture": {"initializer": "lecture"},
    "glorot_normal": {"initializer": "glorot_normal"},
    "he_normal": {"initializer": "he_normal"},
    "orthogonal": {"initializer": "orthogonal"},
    "normal (std 0.01)": {"initializer": "normal", "init_std": 0.01},
    "uniform (std 0.01)": {"initializer": "uniform", "init_std": 0.01},
}
depths = [1, 2, 4]
common = dict(
    alpha=0.0,
    solver="sgd",
    learning_rate_init=0.01,
    momentum=0.9,
    batch_size=64,
    max_iter=60,
    tol=0.0,
    n_iter_no_change=60,
    random_state=0,
)

curves = {}
for depth in depths:
    for name, params in settings.items():
        clf = BackpropMLPClassifier(
            hidden_layer_sizes=(64,) * depth, **common, **params
        )
        curves[depth, name] = clf.fit(X, y).loss_curve_

# %%
# The training loss after 1, 10 and 60 epochs:
table = pd.DataFrame(
    {
        (f"{depth} hidden", f"epoch {e}"): {
            name: curves[depth, name][e - 1] for name in settings
        }
        for depth in depths
        for e in (1, 10, 60)
    }
)
print(table.round(4).to_string())

# %%
# With a fixed, small standard deviation (0.01) the signal shrinks by a factor
# of about ``0.01 * sqrt(64) = 0.08`` in every layer (and, by BP2, so does the
# error on its way back). With one hidden layer this only delays training a
# little; with two layers the loss sits on a plateau for about 15 epochs; with
# four layers the output is almost constant, the gradients reaching the first
# layers are tiny, and the network does not learn at all within 60 epochs. The
# variance-scaling schemes (Glorot, He) and the orthogonal matrices keep the
# signal at the same scale from layer to layer and start learning at once,
# whatever the depth.
#
# The default and the lecture's table train alike with one hidden layer. The
# deeper the network, the more the lecture's He bound for ReLU units pays off
# in training loss: with four hidden layers its loss after 10 epochs is about
# half the default's. He's rule was derived for this case, many ReLU layers
# trained by SGD; a lower training loss is not a higher test accuracy, though,
# and on the wider, shallower networks of the :ref:`initializer benchmark
# <initialization_measured>` the default scores higher.
import matplotlib.pyplot as plt

fig, axes = plt.subplots(1, len(depths), figsize=(11, 3.8), sharey=True)
for ax, depth in zip(axes, depths, strict=True):
    for k, name in enumerate(settings):
        curve = curves[depth, name]
        # the two fixed-variance curves coincide; draw the second one dashed
        style = "--" if name.startswith("uniform") else "-"
        ax.plot(np.arange(1, len(curve) + 1), curve, style, color=f"C{k}", label=name)
    ax.set_yscale("log")
    ax.set_xlabel("Epoch")
    ax.set_title(f"{depth} hidden layer{'s' if depth > 1 else ''} of 64 units")
axes[0].set_ylabel("Training loss (cross-entropy)")
axes[-1].legend(fontsize="small")
fig.tight_layout()
plt.show()

# %%
# Why not start from zero?
# ------------------------
# ``initializer`` also accepts a callable ``(fan_in, fan_out, rng, dtype)``
# returning the initial weight matrix. Let us start every weight at zero. To
# give the ReLU units a non-zero output and hence a gradient, the biases start
# at 0.01, the fixed-value initialization suggested in the lecture.
#
# All hidden units of the layer then have the same incoming weights, so they
# compute the same net input and activation, and the same outgoing weights, so
# by BP2, ``delta^l = ((W^{l+1})^T delta^{l+1}) * f'(z^l)``, they receive the
# same error term. By BP3 and BP4 they then get identical updates and stay
# identical: the symmetry is never broken, and the 64 hidden units behave like
# a single one.


def zeros(fan_in, fan_out, rng, dtype):
    return np.zeros((fan_in, fan_out), dtype=dtype)


sym = dict(common, hidden_layer_sizes=(64,), max_iter=30, n_iter_no_change=30)
zero_init = BackpropMLPClassifier(initializer=zeros, bias_init=0.01, **sym).fit(X, y)
random_init = BackpropMLPClassifier(initializer="he_normal", bias_init=0.01, **sym).fit(
    X, y
)

for name, clf in [("zero", zero_init), ("he_normal", random_init)]:
    W = clf.coefs_[0]  # shape (n_features, n_hidden): one column per hidden unit
    spread = np.abs(W - W[:, [0]]).max()
    n_distinct = np.unique(W.round(10), axis=1).shape[1]
    print(
        f"{name:>9} init: max |column - first column| = {spread:.2e}, "
        f"{n_distinct} distinct hidden units out of {W.shape[1]}, "
        f"training accuracy {clf.score(X, y):.3f}"
    )

# %%
# The first-layer weights make the difference visible: each column is the
# weight vector of one hidden unit. After zero initialization all columns are
# the same (and so are the rows of the second weight matrix); after random
# initialization each unit has learned its own feature.
fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
for ax, (name, clf) in zip(
    axes, [("zero init", zero_init), ("he_normal init", random_init)], strict=True
):
    W = clf.coefs_[0]
    lim = np.abs(W).max()
    image = ax.imshow(W, aspect="auto", cmap="RdBu_r", vmin=-lim, vmax=lim)
    ax.set_title(f"{name}: coefs_[0] after training")
    ax.set_xlabel("hidden unit")
    fig.colorbar(image, ax=ax)
axes[0].set_ylabel("input pixel")
fig.tight_layout()
plt.show()
