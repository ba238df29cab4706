"""
Deep ReLU networks: He against Xavier, layer by layer
=====================================================

The lecture's table gives ReLU units their own variance, He's
``sigma² = 2 / M_{l-1}``, twice Xavier's ``2 / (M_{l-1} + M_l)`` for a layer
with as many inputs as units. The reason: a ReLU unit passes on only the
positive half of its net input, which halves the second moment of the signal.
With Xavier's variance the signal therefore loses a factor sqrt(2) in RMS at
every layer on its way up, and, since BP2 multiplies by the same weights and
by ``sigma'(z) = [z > 0]``, the error loses about as much on its way down.
He's variance makes up for the half that ReLU discards.

This example trains a network of 10 hidden layers of 64 ReLU units on the
digits with ``initializer="glorot_normal"`` (Xavier) and
``initializer="he_normal"``, records the per-layer statistics of every epoch
(``monitor_layers=True``) and, with :func:`skbp.trace_backprop`, the
activations of every layer on a batch of 300 images after the first epoch.
"""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Training
# --------
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from skbp import BackpropMLPClassifier, LayerDiagnosticsDisplay, trace_backprop

# Both runs get the same fixed budget of epochs; do not warn that it was used up.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)
depth = 10
starts = {"Xavier (glorot_normal)": "glorot_normal", "He (he_normal)": "he_normal"}
common = dict(
    hidden_layer_sizes=(64,) * depth,
    activation="relu",
    solver="sgd",
    learning_rate_init=0.01,
    momentum=0.9,
    batch_size=64,
    alpha=0.0,
    random_state=0,
)


def rms(values):
    return float(np.sqrt(np.mean(np.square(values))))


after_one_epoch, models = {}, {}
for name, initializer in starts.items():
    clf = BackpropMLPClassifier(initializer=initializer, monitor_layers=True, **common)
    for epoch in range(10):  # partial_fit: one epoch per call, the optimizer's state kept
        clf.partial_fit(X, y, classes=np.unique(y))
        if epoch == 0:  # look at the network close to its start
            layers = trace_backprop(clf, X[:300], y[:300]).layers
            after_one_epoch[name] = {
                "activation": [rms(layers[k].a) for k in range(1, depth + 1)],
                "delta": [rms(layers[k].delta) for k in range(1, depth + 2)],
            }
    models[name] = clf

# %%
# Layer by layer after the first epoch: the RMS of the activations ``a^l`` of
# the hidden layers (the signal on its way up) and of the errors ``delta^l``
# (on its way down; layer 11 is the output layer).
print(f"{'layer':>34}" + "".join(f"{k:8d}" for k in range(1, depth + 2)))
for name, values in after_one_epoch.items():
    print(f"{name + ', RMS of a':>34}" + "".join(f"{v:8.3f}" for v in values["activation"]))
    print(f"{name + ', RMS of δ':>34}" + "".join(f"{v:8.1e}" for v in values["delta"]))
for name, clf in models.items():
    losses = ", ".join(f"{clf.loss_curve_[e - 1]:.3f}" for e in (1, 3, 6, 10))
    print(f"{name}: training loss after 1, 3, 6 and 10 epochs: {losses}")

# %%
# With Xavier's variance the activations lose about a factor sqrt(2) = 1.41 per
# layer going up, and the errors about as much going down: the first layer's
# error is about 30 times smaller than the last hidden layer's. With He's variance
# both stay at the same scale through the ten layers, and the training loss
# falls from the first epochs on, while the Xavier network needs several
# epochs to get going.
import matplotlib.pyplot as plt

fig, (ax_a, ax_delta) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
for k, (name, values) in enumerate(after_one_epoch.items()):
    ax_a.plot(range(1, depth + 1), values["activation"], "o-", color=f"C{k}", label=name)
    ax_delta.plot(range(1, depth + 2), values["delta"], "o-", color=f"C{k}", label=name)
for ax, what in ((ax_a, r"RMS of $a^l$"), (ax_delta, r"RMS of $\delta^l$")):
    ax.set_yscale("log")
    ax.set_xlabel("layer l")
    ax.set_ylabel(what)
ax_a.set_title("The signal on its way up")
ax_delta.set_title("The error on its way down")
ax_delta.legend()
plt.show()

# %%
# Over the epochs, the errors of every layer (:class:`skbp.LayerDiagnosticsDisplay`):
# with He's start the layers' curves lie together from the first epoch on;
# with Xavier's they start spread over almost two orders of magnitude and come
# together only when the network starts to learn, in epoch 5.
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True, layout="constrained")
for ax, (name, clf) in zip(axes, models.items(), strict=True):
    LayerDiagnosticsDisplay.from_estimator(
        clf, statistic="delta_rms", ax=ax, name=name, legend=ax is axes[-1]
    )
plt.show()
