"""
BP4: weights fed by low activations learn slowly
================================================

BP4 says that the gradient of a weight is the product of the error of the
unit it feeds and the activation it carries:
``dC/dW^l_jk = delta^l_j a^{l-1}_k``. The lecture draws the consequence:
a weight whose input activation is small (``a ≈ 0``) gets a small gradient
and learns slowly; a weight whose input is exactly 0 does not learn at all.

The digits show it without any contrivance: their 8×8 pixels range from 0
(background) to 16, and the pixels at the border are 0 in almost every image.
This example uses :func:`skbp.trace_backprop` to look at the gradients of the
first layer's weights, pixel by pixel, then measures how far training moves
each pixel's weights.
"""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# One sample
# ----------
# A network with 32 tanh units is trained for one epoch, then one image is
# traced. Column k of ``dC/dW^1``, the gradients of the 32 weights fed by
# pixel k, is ``delta^1 x_k``: it is zero where the pixel is 0.
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from skbp import BackpropMLPClassifier, trace_backprop

warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = load_digits(return_X_y=True)
X = X / 16  # pixels in [0, 1], not standardized: a blank pixel stays 0
clf = BackpropMLPClassifier(
    hidden_layer_sizes=(32,),
    activation="tanh",
    solver="sgd",
    learning_rate_init=0.05,
    momentum=0.9,
    alpha=0.0,  # no penalty: a weight moves only by its data gradient
    max_iter=1,
    warm_start=True,
    random_state=0,
).fit(X, y)
W_start = clf.coefs_[0].copy()

one = trace_backprop(clf, X[0], y[0]).layers[1]
pixel = one.a_prev[:, 0]  # x = a^0, shape (64,)
gradient = np.abs(one.grad_W).sum(axis=0)  # sum over the 32 units j of |δ_j x_k|
print(f"image 0 has {np.sum(pixel == 0)} blank pixels out of 64; the gradients of")
print(f"their weights are all zero: {bool(np.all(one.grad_W[:, pixel == 0] == 0))}")

# %%
# Many samples
# ------------
# Over 300 images, the mean gradient of pixel k's weights follows the mean
# activation of pixel k.
batch = trace_backprop(clf, X[:300], y[:300]).layers[1]
mean_activation = batch.a_prev[:, :, 0].mean(axis=0)
mean_gradient = np.abs(batch.grad_W).mean(axis=(0, 1))  # over samples and units
lit = mean_activation > 0
print(f"pixels blank in all 300 images: {np.sum(~lit)}, their mean |gradient|: "
      f"{mean_gradient[~lit].max():.1g}")
print("correlation of mean activation and mean |gradient| over the other pixels: "
      f"{np.corrcoef(mean_activation[lit], mean_gradient[lit])[0, 1]:.4f}")

# %%
# Training
# --------
# Thirty more epochs, then the change of each pixel's weights, the mean over
# the 32 units of ``|W_end - W_start|``, set against how often the pixel is lit.
clf.set_params(max_iter=30).fit(X, y)
change = np.abs(clf.coefs_[0] - W_start).mean(axis=1)  # one value per input pixel
lit_share = (X > 0).mean(axis=0)
never = lit_share == 0
rare = (lit_share > 0) & (lit_share < 0.01)
print(f"training accuracy after 31 epochs: {clf.score(X, y):.3f}")
print(f"{never.sum()} pixels are blank in all {len(X)} images: their weights moved by "
      f"{change[never].max():.1g}")
print(f"{rare.sum()} pixels are lit in fewer than 1% of the images: their weights "
      f"moved by {change[rare].mean():.4f} on average")
print(f"the other {np.sum(lit_share >= 0.01)} pixels: their weights moved by "
      f"{np.median(change[lit_share >= 0.01]):.3f} (median)")

# %%
# The blank pixels' weights end exactly where they started; the weights of
# the pixels lit in a handful of images moved about 80 times less than the
# typical pixel's. The images show the pattern on the 8×8 grid: the weight
# change (right) follows the mean activation (left) and the gradient
# (middle), small at the border and large in the middle, where the strokes
# are.
import matplotlib.pyplot as plt

fig, axes = plt.subplots(1, 3, figsize=(10, 3.4), layout="constrained")
images = [
    (mean_activation, "mean activation $a^0_k$ (300 images)"),
    (mean_gradient, r"mean $|\partial C / \partial W^1_{jk}|$ (300 images)"),
    (change, r"mean $|\Delta W^1_{jk}|$, 30 epochs"),
]
for ax, (values, title) in zip(axes, images, strict=True):
    shown = ax.imshow(values.reshape(8, 8), cmap="viridis")
    ax.set_title(title, fontsize="medium")
    ax.set_xticks([])
    ax.set_yticks([])
    fig.colorbar(shown, ax=ax, shrink=0.8)
plt.show()

# %%
# Pixel by pixel, the weight change against the share of images in which the
# pixel is lit (the blank pixels, whose change is exactly 0, cannot be shown
# on the log scales):
fig, ax = plt.subplots(figsize=(5, 3.8), layout="constrained")
ax.loglog(lit_share[~never], change[~never], "o")
ax.set_xlabel("share of images in which pixel k is lit")
ax.set_ylabel(r"mean $|\Delta W^1_{jk}|$ over 30 epochs")
plt.show()
