"""
Deploying a model
=================

A fitted :class:`~skbp.BackpropMLPClassifier`, alone or at the end of a
:class:`~sklearn.pipeline.Pipeline`, can be exported to `ONNX
<https://onnx.ai>`_ with :func:`skbp.onnx.to_onnx` and run by onnxruntime,
without Python's scientific stack (onnxruntime exists for C, C++, C#, Java,
JavaScript and more). This example trains a pipeline on the digits data,
exports it, runs the exported model and checks that it computes what
``predict`` and ``predict_proba`` compute, then does the same for a
:class:`~skbp.BackpropMLPRegressor`. It needs the ``onnx`` extra:
``pip install "skbp[onnx]"``.
"""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Train
# -----
# The pixels are cast to float32, so the network is trained (and exported) in
# float32, the precision onnxruntime is fastest in.
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbp import BackpropMLPClassifier

X, y = load_digits(return_X_y=True)
X = X.astype(np.float32)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
model = make_pipeline(
    StandardScaler(),
    BackpropMLPClassifier(hidden_layer_sizes=(64,), early_stopping=True, random_state=0),
).fit(X_train, y_train)
print(f"test accuracy: {model.score(X_test, y_test):.3f}")

# %%
# Export
# ------
# ``to_onnx`` needs a sample of the input for its number of columns. With
# ``zipmap=False`` the probabilities come out as one tensor; skl2onnx's default
# (``zipmap=True``) gives one dictionary ``{label: probability}`` per row.
# The ONNX model is a protobuf message, saved as bytes.
import tempfile
from pathlib import Path

from skbp.onnx import to_onnx

onnx_model = to_onnx(model, X_train, options={"zipmap": False})
path = Path(tempfile.mkdtemp()) / "digits.onnx"
path.write_bytes(onnx_model.SerializeToString())
print(f"{path.name}: {path.stat().st_size / 1024:.0f} KiB")

# %%
# Run in onnxruntime
# ------------------
# A session is what a deployed service keeps; ``run`` takes a dictionary of
# inputs and returns the outputs in the order of ``get_outputs()``.
import onnxruntime as ort

session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
for put in (*session.get_inputs(), *session.get_outputs()):
    print(f"{put.name:>13}: {put.type} {put.shape}")
labels, proba = session.run(None, {"X": X_test})

# %%
# Compare
# -------
# The graph computes the same layers in the same precision; only the order of
# the additions inside the matrix products differs, which moves float32
# probabilities by about 1e-7.
max_diff = np.abs(proba - model.predict_proba(X_test)).max()
same = np.mean(labels == model.predict(X_test))
print(f"max |onnxruntime - predict_proba| = {max_diff:.1e}")
print(f"labels equal to predict's: {same:.0%}")

# %%
# A regressor
# -----------
# A regressor is exported the same way. Its one output, ``variable``, has a
# column per target, so a single target comes out with shape (n_samples, 1)
# where ``predict`` returns shape (n_samples,). This one has a log link
# (``loss="poisson"``): its predictions are exp(z), whose rounding error is
# relative, so they are compared relative to each prediction.
from sklearn.datasets import load_diabetes

from skbp import BackpropMLPRegressor

X_reg, y_reg = load_diabetes(return_X_y=True)
X_reg = X_reg.astype(np.float32)
X_reg_train, X_reg_test, y_reg_train, y_reg_test = train_test_split(X_reg, y_reg, random_state=0)
regressor = make_pipeline(
    StandardScaler(),
    BackpropMLPRegressor(
        loss="poisson", hidden_layer_sizes=(16,), learning_rate_init=0.05,
        early_stopping=True, n_iter_no_change=30, random_state=0,
    ),
).fit(X_reg_train, y_reg_train)
print(f"test R²: {regressor.score(X_reg_test, y_reg_test):.2f}")

session = ort.InferenceSession(
    to_onnx(regressor, X_reg_train).SerializeToString(), providers=["CPUExecutionProvider"]
)
(prediction,) = session.run(None, {"X": X_reg_test})
expected = regressor.predict(X_reg_test)
print(f"variable: {prediction.shape}, predict: {expected.shape}")
max_rel_diff = np.abs(prediction.ravel() / expected - 1).max()
print(f"max |onnxruntime / predict - 1| = {max_rel_diff:.1e}")
