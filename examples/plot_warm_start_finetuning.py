"""
Pre-trained initialization and fine-tuning with warm_start
==========================================================

Instead of starting from random weights, a network can start from the weights
of a network trained on a large, related data set, and then be *fine-tuned*
on the (small) data set of the task at hand. This example simulates that
situation with the digits data:

* the **source** data: 1,000 images degraded by strong pixel noise, 40% of
  them with a random label: plenty of data, but of poor quality;
* the **target** data: only a few clean, correctly labeled images per digit.

With ``warm_start=True``, ``fit`` starts from the current weights (``coefs_``
and ``intercepts_``) instead of drawing new ones. It requires the same network
architecture and the same classes, which is why both data sets contain all
ten digits.
"""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Source, target and test data
# ----------------------------
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

X, y = load_digits(return_X_y=True)
X = X / 16.0  # pixels in [0, 1]; no fitted scaler, so that both tasks share it

X_source, X_rest, y_source, y_rest = train_test_split(
    X, y, train_size=1000, stratify=y, random_state=0
)
X_pool, X_test, y_pool, y_test = train_test_split(
    X_rest, y_rest, test_size=400, stratify=y_rest, random_state=0
)

rng = np.random.default_rng(0)
X_source = np.clip(X_source + rng.normal(scale=0.8, size=X_source.shape), 0, 1)
relabel = rng.random(len(y_source)) < 0.4
y_source = y_source.copy()
y_source[relabel] = rng.integers(0, 10, size=relabel.sum())
print(
    f"source: {len(y_source)} noisy images, {relabel.mean():.0%} of them relabeled "
    f"at random"
)
print(f"target pool: {len(y_pool)} clean images, test set: {len(y_test)} clean images")

# %%
# Pre-training on the source data
# -------------------------------
import warnings

from sklearn.exceptions import ConvergenceWarning

from skbp import BackpropMLPClassifier

# All runs below use a fixed budget of epochs; do not warn that it was used up.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

params = dict(hidden_layer_sizes=(128,), learning_rate_init=1e-3, random_state=0)
pretrained = BackpropMLPClassifier(max_iter=100, **params).fit(X_source, y_source)
pretrained_accuracy = pretrained.score(X_test, y_test)
print(f"pre-trained model, accuracy on the clean test set: {pretrained_accuracy:.3f}")

# %%
# Fine-tuning vs training from scratch
# ------------------------------------
# For several sizes of the target set, we compare
#
# * a network trained from scratch (random initialization) on the target set,
# * a copy of the pre-trained network fine-tuned on the target set with
#   ``warm_start=True`` for 50 epochs.
#
# ``n_iter_no_change`` is set to the number of epochs so that both runs use
# their whole epoch budget. Each experiment is repeated on three random
# draws of the target set, and the test accuracies are averaged.
import copy

sizes = [1, 2, 5, 10, 20]  # images per digit
n_repeats = 3
scratch_acc = np.zeros((len(sizes), n_repeats))
finetune_acc = np.zeros((len(sizes), n_repeats))
for i, n_per_class in enumerate(sizes):
    for r in range(n_repeats):
        draw = np.random.default_rng(r)
        idx = np.concatenate(
            [
                draw.choice(np.flatnonzero(y_pool == c), n_per_class, replace=False)
                for c in range(10)
            ]
        )
        X_small, y_small = X_pool[idx], y_pool[idx]

        scratch = BackpropMLPClassifier(max_iter=200, n_iter_no_change=200, **params)
        scratch.fit(X_small, y_small)
        scratch_acc[i, r] = scratch.score(X_test, y_test)

        finetuned = copy.deepcopy(pretrained)  # clone() would drop the weights
        finetuned.set_params(warm_start=True, max_iter=50, n_iter_no_change=50)
        finetuned.fit(X_small, y_small)
        finetune_acc[i, r] = finetuned.score(X_test, y_test)

    print(
        f"{n_per_class:2d} images per digit: from scratch "
        f"{scratch_acc[i].mean():.3f}, fine-tuned {finetune_acc[i].mean():.3f}"
    )

# %%
# With very few target images the pre-trained start wins clearly: its weights
# already encode what digits look like, and fine-tuning only has to correct
# them. As the target set grows, training from scratch catches up, and the
# bias inherited from the noisy source data can even become a handicap.
import matplotlib.pyplot as plt

n_images = 10 * np.array(sizes)
fig, ax = plt.subplots(figsize=(6.5, 4))
for acc, label, marker in [
    (scratch_acc, "from scratch", "o"),
    (finetune_acc, "pre-trained + fine-tuned", "s"),
]:
    ax.errorbar(
        n_images,
        acc.mean(axis=1),
        yerr=acc.std(axis=1),
        marker=marker,
        capsize=3,
        label=label,
    )
ax.axhline(
    pretrained_accuracy,
    color="0.4",
    linestyle="--",
    label="pre-trained only (no fine-tuning)",
)
ax.set_xscale("log")
ax.set_xticks(n_images, labels=[str(n) for n in n_images])
ax.set_xlabel("number of clean target images (10 digits)")
ax.set_ylabel("test accuracy")
ax.legend(loc="lower right")
plt.show()
