"""
Quick start: classifying handwritten digits
===========================================

This example trains :class:`~skbp.BackpropMLPClassifier` on the 8x8 digit
images of :func:`~sklearn.datasets.load_digits`. The estimator is used exactly
like :class:`~sklearn.neural_network.MLPClassifier`: it goes into a
:class:`~sklearn.pipeline.Pipeline`, is fitted with ``fit`` and evaluated with
``score``. Afterwards we look at the errors it makes (confusion matrix) and at
how the loss evolved during training
(:class:`~skbp.TrainingCurveDisplay`).
"""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Load the data
# -------------
# Each sample is an 8x8 grey-level image flattened to 64 features with values
# in 0..16. We keep a stratified quarter of the images aside as a test set.
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
print(f"{X_train.shape[0]} training and {X_test.shape[0]} test images")

# %%
# Build and fit the pipeline
# --------------------------
# Gradient descent works best when all inputs have a similar scale, so the
# pixels are standardized first. The network has one hidden layer of 64 ReLU
# units and a softmax output layer; it is trained with Adam on mini-batches.
# ``early_stopping=True`` holds out 10% of the training set and stops once the
# validation accuracy has not improved for ``n_iter_no_change`` epochs.
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skbp import BackpropMLPClassifier

model = Pipeline(
    [
        ("scale", StandardScaler()),
        (
            "mlp",
            BackpropMLPClassifier(
                hidden_layer_sizes=(64,),
                early_stopping=True,
                max_iter=300,
                random_state=0,
            ),
        ),
    ]
)
model.fit(X_train, y_train)

mlp = model[-1]
print(
    f"Training stopped after {mlp.n_iter_} epochs; the weights of epoch "
    f"{mlp.best_epoch_} were kept."
)
print(f"Test accuracy: {model.score(X_test, y_test):.3f}")

# %%
# The fitted network exposes the same attributes as scikit-learn's MLP: one
# weight matrix of shape ``(fan_in, fan_out)`` per layer in ``coefs_``.
print("weight shapes:", [W.shape for W in mlp.coefs_])

# %%
# ``history_`` records one row per epoch, which is convenient to inspect with
# pandas.
import pandas as pd

history = pd.DataFrame(mlp.history_)
print(history[["epoch", "train_loss", "val_loss", "val_score"]].tail().round(4))

# %%
# Which digits are confused?
# --------------------------
# The confusion matrix counts, for every true digit (row), how often each digit
# (column) was predicted. Almost all of the mass lies on the diagonal.
import matplotlib.pyplot as plt
from sklearn.metrics import ConfusionMatrixDisplay

fig, ax = plt.subplots(figsize=(5.5, 5))
ConfusionMatrixDisplay.from_estimator(model, X_test, y_test, ax=ax, colorbar=False)
ax.set_title("Confusion matrix on the test set")
plt.show()

# %%
# Training curves
# ---------------
# :class:`~skbp.TrainingCurveDisplay` plots the training loss and, because a
# validation split was held out, the validation loss and accuracy per epoch.
# The vertical lines mark the epoch whose weights the model kept and the epoch
# at which training stopped.
from skbp import TrainingCurveDisplay

display = TrainingCurveDisplay.from_estimator(model)
display.ax_.set_yscale("log")
plt.show()
