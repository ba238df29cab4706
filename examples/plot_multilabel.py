"""
Multilabel classification
=========================

In a multilabel problem every sample can carry several labels at once, for
instance the topics of a document. The target is a binary indicator matrix
with one column per label. :class:`~skbp.BackpropMLPClassifier` then uses one
logistic (sigmoid) output unit per label instead of a softmax, and the loss
is the sum of the binary cross-entropies of the labels. The output error of
BP1 keeps its simple form, ``delta^L = a^L - y``, now computed per label.
Consequently ``predict_proba`` returns one independent probability per label:
the rows do not sum to one.
"""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Data
# ----
# :func:`~sklearn.datasets.make_multilabel_classification` draws documents as
# bags of words: ``X`` holds word counts and ``Y`` the topics of each document
# (on average 2 out of 5).
import numpy as np
from sklearn.datasets import make_multilabel_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

X, Y = make_multilabel_classification(
    n_samples=2000, n_features=20, n_classes=5, n_labels=2, random_state=0
)
X_train, X_test, Y_train, Y_test = train_test_split(X, Y, test_size=0.3, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
print(
    f"Y has shape {Y.shape}; labels per sample: mean {Y.sum(axis=1).mean():.2f}, "
    f"max {Y.sum(axis=1).max()}"
)
print(f"frequency of each label: {Y.mean(axis=0).round(2)}")

# %%
# Fit
# ---
# The word counts are noisy evidence for the topics, so a fairly strong L2
# penalty (``alpha=1.0``) helps against overfitting.
from skbp import BackpropMLPClassifier

clf = BackpropMLPClassifier(
    hidden_layer_sizes=(64,),
    alpha=1.0,
    learning_rate_init=0.01,
    max_iter=300,
    random_state=0,
)
clf.fit(X_train, Y_train)
print(
    f"converged after {clf.n_iter_} epochs; output activation: "
    f"{clf.out_activation_!r}, n_outputs_ = {clf.n_outputs_}"
)

# %%
# Evaluation
# ----------
# ``score`` is the *subset accuracy*: a sample counts as correct only if all
# of its labels are right, which is a strict criterion. The Hamming loss is
# the fraction of wrong individual labels, and the F1 score can be computed
# per label. A baseline that always predicts the most frequent value of each
# label puts the numbers in perspective.
from sklearn.dummy import DummyClassifier
from sklearn.metrics import f1_score, hamming_loss

Y_pred = clf.predict(X_test)
baseline = DummyClassifier(strategy="most_frequent").fit(X_train, Y_train)
Y_base = baseline.predict(X_test)

print(
    f"subset accuracy: {clf.score(X_test, Y_test):.3f} "
    f"(baseline {baseline.score(X_test, Y_test):.3f})"
)
print(
    f"Hamming loss:    {hamming_loss(Y_test, Y_pred):.3f} "
    f"(baseline {hamming_loss(Y_test, Y_base):.3f})"
)
per_label_f1 = f1_score(Y_test, Y_pred, average=None)
print(f"F1 per label:    {per_label_f1.round(3)}")
print(f"micro-averaged F1: {f1_score(Y_test, Y_pred, average='micro'):.3f}")

# %%
# Per-label probabilities
# -----------------------
# ``predict_proba`` has one column per label. ``predict`` thresholds every
# column at 0.5 independently, so a sample can receive zero, one or several
# labels.
import matplotlib.pyplot as plt

proba = clf.predict_proba(X_test)
print(
    f"predict_proba shape: {proba.shape}; row sums of the first 5 samples: "
    f"{proba[:5].sum(axis=1).round(2)}"
)

n_show = 15
fig, (ax_f1, ax_proba) = plt.subplots(
    1, 2, figsize=(10, 4), gridspec_kw={"width_ratios": [1, 1.6]}
)
labels = [f"label {k}" for k in range(Y.shape[1])]
ax_f1.bar(labels, per_label_f1, color="C0")
ax_f1.set_ylim(0, 1)
ax_f1.set_ylabel("F1 score on the test set")
ax_f1.set_title("F1 per label")
ax_f1.tick_params(axis="x", rotation=45)

image = ax_proba.imshow(proba[:n_show].T, cmap="Blues", vmin=0, vmax=1, aspect="auto")
rows, cols = np.nonzero(Y_test[:n_show].T)
ax_proba.scatter(
    cols,
    rows,
    marker="o",
    facecolors="none",
    edgecolors="C3",
    s=120,
    linewidths=1.5,
    label="true label",
)
ax_proba.set_yticks(range(len(labels)), labels=labels)
ax_proba.set_xlabel("test sample")
ax_proba.set_title("predict_proba per label (circles: true labels)")
ax_proba.legend(loc="upper right", bbox_to_anchor=(1.0, -0.12), frameon=False)
fig.colorbar(image, ax=ax_proba, label="probability")
fig.tight_layout()
plt.show()
