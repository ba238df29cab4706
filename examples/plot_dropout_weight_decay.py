"""
Fighting overfitting with dropout and weight decay
==================================================

A network with many more weights than training samples can learn the noise of
its training set. The training loss then keeps falling while the loss on new
data starts to rise. This example builds such a situation on purpose (100
training samples, 40 features, 512 hidden units, i.e. about 21,000 weights)
and compares three ways of training the same network:

* no regularization (``alpha=0``),
* dropout: during training each input unit is dropped with probability 0.2
  and each hidden unit with probability 0.5 (``dropout=(0.2, 0.5)``: input
  layer first, then the hidden layer; inverted dropout, so nothing changes at
  prediction time),
* weight decay: every update shrinks the weights, ``W := (1 - beta) W - step``
  with ``beta=0.01`` (``weight_decay=0.01``).

After every epoch the training loss and the loss on a held-out validation
set are recorded.
"""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# A task built to overfit
# -----------------------
# A binary problem with 6 informative features among 40 and 5% flipped labels.
# Only 100 samples are used for training; 900 are kept to measure how well the
# network generalizes.
import numpy as np
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

X, y = make_classification(
    n_samples=1000,
    n_features=40,
    n_informative=6,
    n_redundant=0,
    flip_y=0.05,
    class_sep=1.5,
    random_state=0,
)
X_train, X_val, y_train, y_val = train_test_split(
    X, y, train_size=100, stratify=y, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)

# %%
# Training loop with an explicit validation set
# ---------------------------------------------
# ``partial_fit`` runs one epoch (one pass over the mini-batches) per call and
# keeps the optimizer state between calls, so we can evaluate the network
# after every epoch. Both losses are computed with ``predict_proba``, i.e.
# without dropout, so that the curves of the three models are comparable.
from skbp import BackpropMLPClassifier


def log_loss(y_true, proba):
    """Mean cross-entropy of 0/1 labels, as ``sklearn.metrics.log_loss`` computes it.

    Written out because the metric's input checks, run 1200 times here, took
    longer than the training itself.
    """
    p_true = proba[np.arange(len(y_true)), y_true]
    return -np.mean(np.log(np.clip(p_true, np.finfo(proba.dtype).eps, 1.0)))


n_epochs = 200
common = dict(
    hidden_layer_sizes=(512,),
    alpha=0.0,
    solver="adam",
    learning_rate_init=1e-3,
    batch_size=20,
    random_state=0,
)
models = {
    "no regularization": BackpropMLPClassifier(**common),
    "dropout (0.2 input, 0.5 hidden)": BackpropMLPClassifier(
        **common, dropout=(0.2, 0.5)
    ),
    "weight decay (beta=0.01)": BackpropMLPClassifier(**common, weight_decay=0.01),
}

curves = {}
for name, model in models.items():
    train_loss, val_loss = [], []
    for _ in range(n_epochs):
        model.partial_fit(X_train, y_train, classes=np.unique(y))
        train_loss.append(log_loss(y_train, model.predict_proba(X_train)))
        val_loss.append(log_loss(y_val, model.predict_proba(X_val)))
    curves[name] = (np.array(train_loss), np.array(val_loss))
    best = int(np.argmin(val_loss))
    print(
        f"{name:>32}: final train loss {train_loss[-1]:.3f}, final validation loss "
        f"{val_loss[-1]:.3f} (lowest {val_loss[best]:.3f} at epoch {best + 1}), "
        f"validation accuracy {model.score(X_val, y_val):.3f}"
    )

# %%
# Training vs validation curves
# -----------------------------
# Without regularization the training loss goes to zero and the validation
# loss, after a short decrease, climbs steadily: the network becomes more and
# more confident on the training samples, including the mislabeled ones.
# With dropout the training loss (measured without dropout) still goes to
# zero, but the validation loss no longer climbs: the random masks train many
# thinned networks that share their weights, and the full network used for
# prediction approximately averages them. Weight decay keeps the weights
# small: the training loss stays clearly above zero and the validation loss
# flattens out.
#
# The validation accuracies printed above differ less than the losses: much
# of the rise of the unregularized validation loss comes from over-confident
# wrong predictions, which the cross-entropy punishes heavily and the
# accuracy counts only once.
import matplotlib.pyplot as plt

epochs = np.arange(1, n_epochs + 1)
fig, axes = plt.subplots(1, len(curves), figsize=(11, 3.6), sharey=True)
for ax, (name, (train_loss, val_loss)) in zip(axes, curves.items(), strict=True):
    ax.plot(epochs, train_loss, label="training loss")
    ax.plot(epochs, val_loss, label="validation loss")
    ax.set_title(name)
    ax.set_xlabel("Epoch")
axes[0].set_ylabel("Cross-entropy")
axes[0].legend()
fig.tight_layout()
plt.show()

# %%
# The gap between the two curves (the generalization gap) summarizes the
# picture: it is largest without regularization.
fig, ax = plt.subplots(figsize=(6, 3.6))
for name, (train_loss, val_loss) in curves.items():
    ax.plot(epochs, val_loss - train_loss, label=name)
ax.set_xlabel("Epoch")
ax.set_ylabel("validation loss - training loss")
ax.legend()
plt.show()
