"""
Early stopping: when to stop training
=====================================

Early stopping holds out part of the training set as a validation set,
watches the validation error during training and stops when it no longer
improves. The model then keeps the weights of its best epoch. The difficulty
is the exact rule: the validation curve is noisy and may rise and fall again.
:class:`~skbp.BackpropMLPClassifier` offers four rules through
``early_stopping``:

* ``True``: scikit-learn's rule, stop when the validation *accuracy* has not
  improved by ``tol`` for ``n_iter_no_change`` epochs;
* ``"GL"`` (generalization loss, Prechelt 1998): stop when the validation
  loss is more than ``stopping_threshold`` percent (default 2) above the
  lowest validation loss so far;
* ``"PQ"`` (progress quotient): like GL, but divided by the training progress,
  so that training continues while the training loss still falls quickly
  (default threshold 0.75);
* ``"UP"``: stop when the validation loss has increased at the end of
  ``stopping_threshold`` consecutive strips of 5 epochs (default 3).
"""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Data
# ----
# A noisy synthetic task (10% flipped labels) on which a wide network starts
# overfitting after some epochs, so that the validation loss has a minimum.
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

X, y = make_classification(
    n_samples=2000,
    n_features=30,
    n_informative=8,
    n_redundant=4,
    n_classes=3,
    flip_y=0.1,
    class_sep=1.2,
    random_state=0,
)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.5, stratify=y, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

# %%
# One model per stopping rule
# ---------------------------
# All four models use the same ``random_state``, hence the same validation
# split, the same initial weights and the same mini-batches: their training
# runs are identical up to the epoch where the first one stops. Only the
# stopping rule differs.
from skbp import BackpropMLPClassifier

rules = [True, "GL", "PQ", "UP"]
models = {}
for rule in rules:
    model = BackpropMLPClassifier(
        hidden_layer_sizes=(256,),
        early_stopping=rule,
        validation_fraction=0.2,
        max_iter=300,
        random_state=0,
    )
    models[str(rule)] = model.fit(X_train, y_train)
    print(
        f"early_stopping={rule!r:>6}: stopped after {model.n_iter_:3d} epochs, "
        f"kept the weights of epoch {model.best_epoch_:3d}, "
        f"test accuracy {model.score(X_test, y_test):.3f}"
    )

# %%
# Validation-loss curves
# ----------------------
# The four runs are identical until they stop, so their validation-loss curves
# coincide: the grey curve is that of the longest run. For each rule, the
# dashed vertical line marks the epoch where it stopped training (``n_iter_``)
# and the dot the epoch whose weights the model kept (``best_epoch_``). The
# right panel zooms in on the minimum of the curve.
#
# scikit-learn's rule looks at the accuracy, which is coarse and noisy: its
# best epoch need not be the epoch of lowest validation loss. GL reacts as soon
# as the loss is a few percent above its minimum, UP after three successive
# increases, while PQ tolerates the increase as long as the training loss
# still falls quickly, and runs much longer here.
import matplotlib.pyplot as plt
import numpy as np

longest = max(models.values(), key=lambda m: m.n_iter_)
val_loss = np.array(longest.validation_losses_, dtype=float)
epochs = np.arange(1, len(val_loss) + 1)
zoom = (20, 70)

fig, axes = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [1.3, 1]})
for ax in axes:
    ax.plot(epochs, val_loss, color="0.6", linewidth=2, label="validation loss")
    for k, (rule, model) in enumerate(models.items()):
        color = f"C{k}"
        ax.axvline(
            model.n_iter_,
            color=color,
            linestyle="--",
            label=f"early_stopping={rule}: stop ({model.n_iter_})",
        )
        ax.plot(
            model.best_epoch_,
            val_loss[model.best_epoch_ - 1],
            "o",
            color=color,
            markersize=9 - 2 * k,
            label=f"early_stopping={rule}: kept ({model.best_epoch_})",
        )
    ax.set_xlabel("Epoch")
axes[0].set_ylabel("Validation loss")
axes[0].set_title("Same training run, four stopping rules")
axes[0].legend(fontsize="small", ncol=2)
in_zoom = val_loss[zoom[0] - 1 : zoom[1]]
margin = 0.1 * (in_zoom.max() - in_zoom.min())
axes[1].set_xlim(*zoom)
axes[1].set_ylim(in_zoom.min() - margin, in_zoom.max() + margin)
axes[1].set_title(f"Zoom on epochs {zoom[0]}-{zoom[1]}")
fig.tight_layout()
plt.show()

# %%
# Test accuracy
# -------------
# The test accuracy of the weights each rule kept. Since the rules keep weights
# of nearly the same epoch, the accuracies are almost equal; what differs is
# how many epochs were spent before training stopped.
fig, ax = plt.subplots(figsize=(6, 3.2))
names = list(models)
accuracies = [models[name].score(X_test, y_test) for name in names]
epochs_run = [models[name].n_iter_ for name in names]
bars = ax.barh(names, accuracies, color=[f"C{k}" for k in range(len(names))])
ax.bar_label(
    bars,
    labels=[
        f"{a:.3f} ({e} epochs)" for a, e in zip(accuracies, epochs_run, strict=True)
    ],
    padding=3,
)
ax.set_xlim(0.5, 1.0)
ax.set_xlabel("Test accuracy")
ax.set_ylabel("early_stopping")
fig.tight_layout()
plt.show()
