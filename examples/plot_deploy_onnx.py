"""
Deploying a model
=================

A fitted :class:`~skbp.BackpropMLPClassifier`, alone or at the end of a
:class:`~sklearn.pipeline.Pipeline`, can be exported to `ONNX
<https://onnx.ai>`_ with :func:`skbp.onnx.to_onnx` and run by onnxruntime,
without Python's scientific stack (onnxruntime exists for C, C++, C#, Java,
JavaScript and more). This example trains a pipeline on the digits data,
exports it, runs the exported model and checks that it computes what
``predict`` and ``predict_proba`` compute. It needs the ``onnx`` extra:
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
