"""
Zero initial weights: the symmetry is never broken
==================================================

The lecture warns that a network whose weights all start at zero cannot
learn: "all-zero weights make every hidden unit identical; random values
break the symmetry". This example measures it, epoch after epoch, on a
network with one hidden layer of 16 logistic units trained on the digits:

* ``initializer`` a callable returning zeros (and zero biases): every hidden
  unit computes the same net input, so the same activation; BP2,
  ``delta^1 = ((W^2)^T delta^2) * sigma'(z^1)``, gives every unit the same
  error because the outgoing weights are equal too; BP3 and BP4 then give the
  same update to every unit, and the units are still identical after the step;
* ``initializer="normal"`` with ``init_std=1e-4``: random, but tiny weights;
* the default ``initializer="auto"``.

After every epoch (one ``partial_fit`` call) we measure how different the
hidden units are: the largest difference between the incoming weights of a
unit and those of unit 1, the same for the outgoing weights, and, with
:func:`skbp.trace_backprop` on a fixed batch of 200 images, for their errors
``delta^1``.
"""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Training, one epoch at a time
# -----------------------------
import numpy as np
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler

from skbp import BackpropMLPClassifier, trace_backprop

X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)
probe = np.linspace(0, len(y) - 1, 200).astype(int)  # a fixed batch for the trace


def zeros(fan_in, fan_out, rng, dtype):
    return np.zeros((fan_in, fan_out), dtype=dtype)


starts = {
    "all zero": {"initializer": zeros},
    "normal, std 1e-4": {"initializer": "normal", "init_std": 1e-4},
    'default ("auto")': {"initializer": "auto"},
}
n_epochs = 40
measured = {}
for name, start in starts.items():
    clf = BackpropMLPClassifier(
        hidden_layer_sizes=(16,),
        activation="logistic",
        solver="sgd",
        learning_rate_init=0.1,
        momentum=0.9,
        batch_size=64,
        alpha=0.0,
        random_state=0,
        **start,
    )
    rows = []
    for _ in range(n_epochs):
        clf.partial_fit(X, y, classes=np.unique(y))
        W1, W2 = clf.coefs_  # (64, 16): one column per hidden unit; (16, 10): one row
        delta = trace_backprop(clf, X[probe], y[probe]).layers[1].delta[:, :, 0]
        rows.append(
            [
                np.abs(W1 - W1[:, [0]]).max(),
                np.abs(W2 - W2[[0]]).max(),
                np.abs(delta - delta[:, [0]]).max(),
                clf.score(X, y),
            ]
        )
    measured[name] = np.array(rows)
    if name == "all zero":
        largest_weight = np.abs(clf.coefs_[0]).max()

print("largest difference between a hidden unit and unit 1, and training accuracy")
print(f"{'':>18} epoch  {'incoming W':>10}  {'outgoing W':>10}  {'delta^1':>10}  accuracy")
for name, rows in measured.items():
    for epoch in (1, 5, 20, 40):
        w_in, w_out, delta, accuracy = rows[epoch - 1]
        print(
            f"{name:>18} {epoch:5d}  {w_in:10.3g}  {w_out:10.3g}  {delta:10.3g}"
            f"  {accuracy:8.3f}"
        )

print(f"all-zero start, largest |W^1_jk| after {n_epochs} epochs: {largest_weight:.3f}")

# %%
# With zero weights the three differences are exactly 0.0 after every epoch,
# although the weights do move (up to 0.41 after 40 epochs: logistic units
# output 0.5, not 0, so the output layer learns from the first step and
# passes errors down from the second). The 16 hidden units are, to the last
# bit, one unit repeated 16 times. The network computes a function of a
# single hidden feature, so it can never do better than the best network with
# one hidden unit; here it reaches a training accuracy of 0.41 after 40
# epochs. Weights of 1e-4 are practically zero too, but not exactly: their
# tiny differences grow with training, the units become different within a
# few epochs, and the network reaches the accuracy of the default start
# (0.999).
import matplotlib.pyplot as plt

epochs = np.arange(1, n_epochs + 1)
fig, (ax_spread, ax_accuracy) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
for k, (name, rows) in enumerate(measured.items()):
    # clip_on=False keeps the all-zero curve visible on the bottom edge
    ax_spread.plot(epochs, rows[:, 0], color=f"C{k}", label=name, lw=2.5, clip_on=False)
    ax_accuracy.plot(epochs, rows[:, 3], color=f"C{k}", label=name)
# A symmetric-log axis shows the exact zeros at the bottom and the rest on a log scale.
ax_spread.set_yscale("symlog", linthresh=1e-6)
ax_spread.set_ylim(bottom=0)
ax_spread.set_xlabel("Epoch")
ax_spread.set_ylabel(r"largest $|W^1_{jk} - W^1_{1k}|$")
ax_spread.set_title("How different the hidden units are")
ax_accuracy.set_xlabel("Epoch")
ax_accuracy.set_ylabel("Training accuracy")
ax_accuracy.set_title("What the network learns")
ax_accuracy.legend(loc="lower right")
plt.show()
