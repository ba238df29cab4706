"""
Dropout: training many thinned networks at once
===============================================

The lecture describes dropout as training "a large network like many small
ones and averaging them": in every step each unit is kept with probability
``1 - p``, so the step trains a *thinned* network, one of the ``2^n`` that
share the weights; at prediction time the full network, whose kept units were
scaled by ``1 / (1 - p)`` during training (inverted dropout), stands in for
the average of all of them.

This example measures both halves of that sentence on a task built to
overfit (100 training samples, 40 features, 256 hidden units):

1. training and validation curves with and without dropout
   (``dropout=(0.2, 0.5)``: 20% of the inputs and 50% of the hidden units
   dropped in every step);
2. the full network of the dropout model against explicit averages of
   thinned networks, sampled by zeroing the rows of ``coefs_`` that leave
   the dropped units (and scaling the others by ``1 / (1 - p)``).
"""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Training and validation curves
# ------------------------------
# ``partial_fit`` trains one epoch per call, so the losses can be measured
# after every epoch, with ``predict_proba``, i.e. on the full network, without
# dropout.
import numpy as np
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skbp import BackpropMLPClassifier

X, y = make_classification(
    n_samples=1000, n_features=40, n_informative=6, n_redundant=0, flip_y=0.05,
    class_sep=1.5, random_state=0,
)
X_train, X_val, y_train, y_val = train_test_split(
    X, y, train_size=100, stratify=y, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)


def cross_entropy(model, X, y):
    """Mean −log p(y|x) of the full network."""
    proba = model.predict_proba(X)
    return float(-np.mean(np.log(proba[np.arange(len(y)), y])))


rates = (0.2, 0.5)  # drop probability of the inputs, of the hidden units
common = dict(
    hidden_layer_sizes=(256,), alpha=0.0, solver="adam", learning_rate_init=1e-3,
    batch_size=20, random_state=0,
)
models = {
    "without dropout": BackpropMLPClassifier(**common),
    "with dropout": BackpropMLPClassifier(**common, dropout=rates),
}
n_epochs = 100
curves = {}
for name, model in models.items():
    train_loss, val_loss = [], []
    for _ in range(n_epochs):
        model.partial_fit(X_train, y_train, classes=[0, 1])
        train_loss.append(cross_entropy(model, X_train, y_train))
        val_loss.append(cross_entropy(model, X_val, y_val))
    curves[name] = (train_loss, val_loss)
    best = int(np.argmin(val_loss))
    print(
        f"{name:>15}: after {n_epochs} epochs training loss {train_loss[-1]:.4f}, "
        f"validation loss {val_loss[-1]:.3f} (lowest {val_loss[best]:.3f}, epoch "
        f"{best + 1}), validation accuracy {model.score(X_val, y_val):.3f}"
    )

# %%
# Both networks fit the training set (training losses 0.003 and 0.012).
# Without dropout the validation loss is lowest in epoch 20 (0.49) and then
# climbs to 0.60, as the network grows confident on the noise of its 100
# samples; with dropout it keeps falling until epoch 84 and ends at 0.41.
import matplotlib.pyplot as plt

epochs = np.arange(1, n_epochs + 1)
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True, layout="constrained")
for ax, (name, (train_loss, val_loss)) in zip(axes, curves.items(), strict=True):
    ax.plot(epochs, train_loss, label="training loss")
    ax.plot(epochs, val_loss, label="validation loss")
    ax.set_title(name)
    ax.set_xlabel("Epoch")
axes[0].set_ylabel("Cross-entropy (full network)")
axes[0].legend()
plt.show()

# %%
# The full network and the average of thinned networks
# ----------------------------------------------------
# A thinned network keeps each input with probability 0.8 and each hidden
# unit with probability 0.5, with the kept ones scaled as in training.
# Dropping input k zeroes row k of ``coefs_[0]``, dropping hidden unit j row j
# of ``coefs_[1]``. Each of 200 thinned networks is one fixed draw of these
# masks; their predicted probabilities are averaged.
dropout_model = models["with dropout"]
thinned = BackpropMLPClassifier(**common).partial_fit(X_train, y_train, classes=[0, 1])
thinned.intercepts_ = dropout_model.intercepts_
rng = np.random.RandomState(0)
probabilities = []
for _ in range(200):
    keep = [rng.rand(coef.shape[0]) >= p for coef, p in zip(dropout_model.coefs_, rates)]
    thinned.coefs_ = [
        coef * (kept / (1 - p))[:, np.newaxis]
        for coef, kept, p in zip(dropout_model.coefs_, keep, rates)
    ]
    probabilities.append(thinned.predict_proba(X_val)[:, 1])
probabilities = np.array(probabilities)

full = dropout_model.predict_proba(X_val)[:, 1]


def scores(p_positive):
    """(validation cross-entropy, validation accuracy) of P(y = 1 | x)."""
    p_true = np.where(y_val == 1, p_positive, 1 - p_positive)
    return float(-np.mean(np.log(p_true))), float(np.mean((p_positive > 0.5) == y_val))


single = np.array([scores(p) for p in probabilities])
print(f"one thinned network (mean of 200): cross-entropy {single[:, 0].mean():.3f}, "
      f"accuracy {single[:, 1].mean():.3f}")
n_averaged = [1, 2, 5, 10, 20, 50, 100, 200]
averaged = np.array([scores(probabilities[:k].mean(axis=0)) for k in n_averaged])
for k, (loss, accuracy) in zip(n_averaged, averaged):
    print(f"average of {k:3d} thinned networks: cross-entropy {loss:.3f}, "
          f"accuracy {accuracy:.3f}")
full_loss, full_accuracy = scores(full)
print(f"full network: cross-entropy {full_loss:.3f}, accuracy {full_accuracy:.3f}")
print("mean |P(full) - P(average of 200)| over the validation samples: "
      f"{np.abs(full - probabilities.mean(axis=0)).mean():.3f}")

# %%
# A single thinned network is clearly worse than the full network (mean
# cross-entropy 0.54 against 0.41), and averaging more and more of them
# improves the predictions. The full network, one forward pass, is a cheap
# stand-in for that average, not an exact one: here the average of ten or
# more thinned networks is even a little better (0.38), and its predicted
# probabilities differ from the full network's by 0.05 on average.
fig, ax = plt.subplots(figsize=(6, 3.8), layout="constrained")
ax.semilogx(n_averaged, averaged[:, 0], "o-", label="average of thinned networks")
ax.axhline(full_loss, color="C1", label="full network (weights scaled in training)")
ax.axhline(single[:, 0].mean(), color="C2", ls="--", label="one thinned network (mean)")
ax.set_xlabel("number of thinned networks averaged")
ax.set_ylabel("Validation cross-entropy")
ax.legend()
plt.show()
