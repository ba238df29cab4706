"""
Imbalanced classes and class_weight
===================================

When one class is rare, the average cross-entropy is dominated by the
frequent class: a network can reach a low loss, and a high accuracy, while
missing most of the rare samples. ``class_weight="balanced"`` multiplies the
loss of every sample by ``n_samples / (n_classes * n_samples_of_its_class)``,
so that both classes contribute equally to the gradient. In backpropagation
terms, the output error of BP1, ``delta^L = a^L - y``, of every sample is
scaled by its weight before it is propagated back.
"""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# An imbalanced problem
# ---------------------
# 5% of the samples belong to the positive (minority) class, and the classes
# overlap.
import numpy as np
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

X, y = make_classification(
    n_samples=4000,
    n_features=20,
    n_informative=5,
    n_redundant=2,
    weights=[0.95, 0.05],
    class_sep=0.8,
    flip_y=0.0,
    random_state=0,
)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.5, stratify=y, random_state=0
)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
print(f"class counts in the training set: {np.bincount(y_train)}")

# %%
# The balanced weights
# --------------------
# :func:`sklearn.utils.class_weight.compute_class_weight` shows the weights
# that ``class_weight="balanced"`` uses.
from sklearn.utils.class_weight import compute_class_weight

weights = compute_class_weight("balanced", classes=np.unique(y_train), y=y_train)
print(
    f"balanced class weights: class 0 -> {weights[0]:.3f}, class 1 -> {weights[1]:.3f}"
)

# %%
# Training with and without class weights
# ---------------------------------------
# Both networks are identical except for ``class_weight``; both stop early on
# a held-out 10% of the training set.
from sklearn.metrics import balanced_accuracy_score, precision_score, recall_score

from skbp import BackpropMLPClassifier

models = {}
for class_weight in [None, "balanced"]:
    clf = BackpropMLPClassifier(
        hidden_layer_sizes=(32,),
        class_weight=class_weight,
        max_iter=300,
        early_stopping=True,
        random_state=0,
    )
    clf.fit(X_train, y_train)
    y_pred = clf.predict(X_test)
    models[str(class_weight)] = clf
    print(
        f"class_weight={class_weight!r:>10}: accuracy {clf.score(X_test, y_test):.3f}, "
        f"balanced accuracy {balanced_accuracy_score(y_test, y_pred):.3f}, "
        f"minority recall {recall_score(y_test, y_pred):.3f}, "
        f"minority precision {precision_score(y_test, y_pred):.3f}"
    )

# %%
# Confusion matrices
# ------------------
# Rows are the true classes, columns the predictions; the bottom row is the
# minority class. Without weights most minority samples are predicted as the
# majority class. With balanced weights many more of them are found, at the
# price of more false alarms (top right): the plain accuracy drops, the
# balanced accuracy and the minority recall rise. Which trade-off is right
# depends on the cost of each kind of error.
import matplotlib.pyplot as plt
from sklearn.metrics import ConfusionMatrixDisplay

fig, axes = plt.subplots(1, 2, figsize=(9, 4))
for ax, (name, clf) in zip(axes, models.items(), strict=True):
    ConfusionMatrixDisplay.from_estimator(
        clf,
        X_test,
        y_test,
        ax=ax,
        colorbar=False,
        display_labels=["majority (0)", "minority (1)"],
    )
    recall = recall_score(y_test, clf.predict(X_test))
    ax.set_title(f"class_weight={name}\nminority recall {recall:.2f}")
fig.tight_layout()
plt.show()
