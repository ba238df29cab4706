"""skbp.onnx: onnxruntime computes what predict and predict_proba compute.

Tolerances. float32 models: 1e-5 on the probabilities, the bound a user of a
float32 model can count on (the runs here differ by at most a few 1e-7: the
products are summed in another order and onnxruntime has its own tanh and
sigmoid). float64 models: 1e-12, about 4500 float64 ulps of 1.0; the observed
differences are below 1e-15, the margin covers deeper nets and larger logits,
where a rounding difference in z^L is larger.

Regressors: the same bounds, relative. An identity output z^L is a sum whose
rounding error scales with its terms, not with z^L (which can cancel to 0), so
its error is taken relative to the largest |prediction| of the output. An exp
output a = e^z has |Δa / a| = |Δz| to first order, so its error is taken
relative to each prediction: it does not grow with the prediction, however
large, and predict's clip keeps |z| <= 44 in float32, where one ulp is 3.8e-6,
so 1e-5 covers z^L differing by two ulps there. Observed here: below 6e-7
(float32) and 6e-16 (float64), identity and exp outputs alike.
"""

import importlib
import sys
import warnings

import numpy as np
import onnx
import onnxruntime as ort
import pandas as pd
import pytest
import skl2onnx
from onnx import TensorProto
from skl2onnx.common.data_types import FloatTensorType
from sklearn.compose import ColumnTransformer
from sklearn.datasets import (
    make_classification,
    make_multilabel_classification,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skbp import BackpropMLPClassifier, BackpropMLPRegressor
from skbp._engine import activations, losses
from skbp._engine.activations import get_activation
from skbp._engine.network import forward_logits
from skbp.onnx import frame_inputs, to_onnx

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

FLOAT32_ATOL = 1e-5
FLOAT64_ATOL = 1e-12


def _classification(n_classes=3, dtype=np.float32, n_samples=120):
    X, y = make_classification(
        n_samples=n_samples, n_features=6, n_informative=4, n_redundant=0,
        n_classes=n_classes, n_clusters_per_class=1, random_state=0,
    )
    return X.astype(dtype), y


def _multilabel(n_labels, dtype=np.float32):
    X, Y = make_multilabel_classification(
        n_samples=120, n_features=6, n_classes=n_labels, random_state=0
    )
    return X.astype(dtype), Y


def _fit(X, y, **params):
    params = {"hidden_layer_sizes": (8,), "max_iter": 60, "random_state": 0, **params}
    return BackpropMLPClassifier(**params).fit(X, y)


def _run_inputs(onnx_model, inputs):
    """The outputs of onnxruntime on ``inputs``, by name."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(
        onnx_model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    names = [output.name for output in session.get_outputs()]
    return dict(zip(names, session.run(None, inputs)))


def _run(onnx_model, X):
    return _run_inputs(onnx_model, {onnx_model.graph.input[0].name: X})


def _assert_faithful(model, X, atol=FLOAT32_ATOL):
    """onnxruntime's labels equal predict's, its probabilities predict_proba's."""
    outputs = _run(to_onnx(model, X, options={"zipmap": False}), X)
    proba, expected = outputs["probabilities"], model.predict_proba(X)
    assert proba.dtype == expected.dtype
    assert proba.shape == expected.shape
    assert np.abs(proba - expected).max() <= atol
    labels, expected_labels = outputs["label"], model.predict(X)
    assert labels.shape == expected_labels.shape
    assert np.array_equal(labels, expected_labels)
    return outputs


# ------------------------------------------------------------- float32 models
@pytest.mark.parametrize("n_classes", [2, 3])
def test_binary_and_multiclass(n_classes):
    X, y = _classification(n_classes)
    _assert_faithful(_fit(X, y), X)


@pytest.mark.parametrize("n_classes", [2, 4])
def test_string_labels(n_classes):
    X, y = _classification(n_classes)
    names = np.array(["ant", "bee", "cat", "dog"])[y]
    outputs = _assert_faithful(_fit(X, names), X)
    assert set(outputs["label"]) <= set(names)


@pytest.mark.parametrize("labels", [np.array([-5, 7, 42]), np.array([0.0, 1.0, 2.0])])
def test_numeric_labels_keep_their_values(labels):
    X, y = _classification(3)
    _assert_faithful(_fit(X, labels[y]), X)


@pytest.mark.parametrize("activation", sorted(activations.ACTIVATIONS))
@pytest.mark.parametrize("n_classes", [2, 3])
def test_every_hidden_activation(activation, n_classes):
    X, y = _classification(n_classes)
    _assert_faithful(_fit(X, y, activation=activation), X)


@pytest.mark.parametrize(
    "params",
    [
        {"dropout": 0.2},
        {"penalty": "l1", "alpha": 1e-3},
        {"early_stopping": "GL", "validation_fraction": 0.2},
        {"class_weight": "balanced"},
    ],
    ids=["dropout", "l1", "early_stopping_GL", "class_weight_balanced"],
)
def test_models_trained_with_skbp_extras(params):
    X, y = _classification(3)
    y = np.where(np.arange(len(y)) % 4 == 0, 0, y)  # unbalanced for class_weight
    _assert_faithful(_fit(X, y, **params), X)


@pytest.mark.parametrize("activation, min_logit", [("relu", 89), ("tanh", 10)])
def test_lbfgs_with_several_layers(activation, min_logit):
    X, y = _classification(3)
    clf = _fit(X, y, solver="lbfgs", hidden_layer_sizes=(12, 10, 8, 6),
               activation=activation, max_iter=200)
    # Fitted by L-BFGS, the nets have large logits; the relu net's are beyond
    # float32's exp range (88.7), where an unshifted softmax overflows.
    logits = forward_logits(X, clf.coefs_, clf.intercepts_, get_activation(activation))
    assert np.abs(logits).max() > min_logit
    _assert_faithful(clf, X)


@pytest.mark.filterwarnings("ignore:A column-vector y was passed")
@pytest.mark.parametrize("n_labels", [1, 2, 5])
def test_multilabel(n_labels):
    X, Y = _multilabel(n_labels)
    clf = _fit(X, Y)
    outputs = _assert_faithful(clf, X)
    if n_labels == 1:
        # A single indicator column is a binary target: labels of shape (n,).
        assert outputs["label"].shape == (len(X),)
    else:
        # One probability per label (skl2onnx's MLPClassifier converter gives
        # 2 * n_labels columns for two labels) and the indicator matrix.
        assert outputs["probabilities"].shape == (len(X), n_labels)
        assert outputs["label"].shape == (len(X), n_labels)
        assert 0 < outputs["label"].mean() < 1


@pytest.mark.parametrize("label", [3, "only"])
def test_single_class_model(label):
    X, _ = _classification(2)
    clf = _fit(X, np.full(len(X), label))
    outputs = _assert_faithful(clf, X)
    # predict_proba is a column of ones whatever the output unit's logit.
    assert np.all(outputs["probabilities"] == 1)
    assert np.all(outputs["label"] == label)


def test_pipeline_with_scaler_through_skl2onnx():
    X, y = _classification(3)
    X = X * 10 + 3
    pipe = make_pipeline(StandardScaler(), BackpropMLPClassifier((8,), max_iter=60,
                                                                 random_state=0)).fit(X, y)
    outputs = _run(skl2onnx.to_onnx(pipe, X[:1], options={"zipmap": False}), X)
    assert np.abs(outputs["probabilities"] - pipe.predict_proba(X)).max() <= FLOAT32_ATOL
    assert np.array_equal(outputs["label"], pipe.predict(X))
    _assert_faithful(pipe, X)


def test_pipeline_with_column_transformer_on_a_dataframe():
    X, y = _classification(3)
    frame = pd.DataFrame(X, columns=[f"x{k}" for k in range(X.shape[1])])
    frame["kind"] = np.array(["u", "v", "w"])[np.arange(len(y)) % 3]
    encode = ColumnTransformer([
        ("scale", StandardScaler(), list(frame.columns[:-1])),
        ("one_hot", OneHotEncoder(), ["kind"]),
    ])
    pipe = make_pipeline(encode, BackpropMLPClassifier((8,), max_iter=60, random_state=0))
    pipe.fit(frame, y)
    outputs = _run_inputs(
        skl2onnx.to_onnx(pipe, frame[:1], options={"zipmap": False}),
        {column: frame[[column]].to_numpy() for column in frame.columns},
    )
    # The transformer computes in float32 from float32 columns, the float64
    # network then casts: the float32 tolerance applies.
    assert np.abs(outputs["probabilities"] - pipe.predict_proba(frame)).max() <= FLOAT32_ATOL
    assert np.array_equal(outputs["label"], pipe.predict(frame))


def test_column_names_that_are_no_identifiers_stay_the_input_names():
    # skl2onnx makes "size cm" an identifier, "size_cm"; frame_inputs must still
    # find the columns.
    frame = pd.DataFrame({"size cm": [1.0, 2.5, 0.3, 4.1] * 5,
                          "colour (main)": ["red", "blue", "red", "green"] * 5})
    y = [0, 1, 0, 1] * 5
    encode = ColumnTransformer([("scale", StandardScaler(), ["size cm"]),
                                ("one_hot", OneHotEncoder(), ["colour (main)"])])
    pipe = make_pipeline(encode, BackpropMLPClassifier((4,), max_iter=50, random_state=0))
    pipe.fit(frame, y)
    onnx_model = to_onnx(pipe, frame, options={"zipmap": False})
    assert [i.name for i in onnx_model.graph.input] == ["size cm", "colour (main)"]
    outputs = _run_inputs(onnx_model, frame_inputs(onnx_model, frame))
    assert np.abs(outputs["probabilities"] - pipe.predict_proba(frame)).max() <= FLOAT64_ATOL


def test_convert_sklearn_with_initial_types():
    X, y = _classification(3)
    clf = _fit(X, y)
    onx = skl2onnx.convert_sklearn(
        clf, initial_types=[("features", FloatTensorType([None, X.shape[1]]))],
        options={"zipmap": False},
    )
    outputs = _run(onx, X)
    assert np.abs(outputs["probabilities"] - clf.predict_proba(X)).max() <= FLOAT32_ATOL
    assert np.array_equal(outputs["label"], clf.predict(X))


# ------------------------------------------------------------- float64 models
@pytest.mark.parametrize(
    "data, params",
    [
        (lambda: _classification(2, np.float64), {}),
        (lambda: _classification(3, np.float64), {"activation": "tanh"}),
        (lambda: _classification(3, np.float64),
         {"solver": "lbfgs", "hidden_layer_sizes": (12, 10, 8), "max_iter": 200}),
        (lambda: _multilabel(3, np.float64), {"activation": "logistic"}),
        # onnxruntime has no double Selu or Softplus: composed of elementary operators
        (lambda: _classification(3, np.float64), {"activation": "selu"}),
        (lambda: _classification(3, np.float64), {"activation": "mish"}),
    ],
    ids=["binary", "multiclass", "lbfgs", "multilabel", "selu", "mish"],
)
def test_float64_models_use_double_inputs(data, params):
    X, y = data()
    clf = _fit(X, y, **params)
    onx = to_onnx(clf, X.astype(np.float32), options={"zipmap": False})
    assert onx.graph.input[0].type.tensor_type.elem_type == TensorProto.DOUBLE
    _assert_faithful(clf, X, atol=FLOAT64_ATOL)


def test_float32_model_uses_float_inputs():
    X, y = _classification(3)
    onx = to_onnx(_fit(X, y), X.astype(np.float64))
    assert onx.graph.input[0].type.tensor_type.elem_type == TensorProto.FLOAT


@pytest.mark.parametrize(
    "model_dtype, input_dtype, atol",
    [(np.float32, np.float64, FLOAT32_ATOL), (np.float64, np.float32, FLOAT64_ATOL)],
)
def test_graph_computes_in_the_dtype_of_the_weights(model_dtype, input_dtype, atol):
    """skl2onnx takes the input type from X; the graph casts it, as predict does."""
    X, y = _classification(3, model_dtype)
    clf = _fit(X, y)
    X_in = X.astype(input_dtype)
    outputs = _run(skl2onnx.to_onnx(clf, X_in[:1], options={"zipmap": False}), X_in)
    expected = clf.predict_proba(X_in)
    assert outputs["probabilities"].dtype == expected.dtype == model_dtype
    assert np.abs(outputs["probabilities"] - expected).max() <= atol
    assert np.array_equal(outputs["label"], clf.predict(X_in))


# ------------------------------------------------------------------ regressors
def _regression(loss="squared_error", n_outputs=1, dtype=np.float32):
    X, y = make_regression(
        n_samples=120, n_features=6, n_informative=4, n_targets=n_outputs, noise=1.0,
        random_state=0,
    )
    y = y / y.std()
    # The log-link losses need positive targets; exp gives them a spread of e^±3.
    return X.astype(dtype), np.exp(y) if loss in ("poisson", "gamma") else y


def _fit_regressor(X, y, **params):
    params = {"hidden_layer_sizes": (8,), "max_iter": 60, "random_state": 0, **params}
    return BackpropMLPRegressor(**params).fit(X, y)


def _assert_regressor_faithful(model, X, rtol=FLOAT32_ATOL, onnx_model=None):
    """onnxruntime's ``variable`` is predict's as a column per output.

    The relative error is per prediction for the log link (exp output) and
    relative to the largest |prediction| of the output for the identity (see
    the module docstring).
    """
    regressor = model[-1] if isinstance(model, Pipeline) else model
    onnx_model = onnx_model or to_onnx(model, X)
    (output,) = onnx_model.graph.output
    assert output.name == "variable"
    # The declared shape, which onnxruntime does not check against the result.
    shape = [dim.dim_value if dim.HasField("dim_value") else None
             for dim in output.type.tensor_type.shape.dim]
    assert shape == [None, regressor.n_outputs_]
    prediction = _run(onnx_model, X)["variable"]
    expected = model.predict(X).reshape(len(X), -1)
    assert prediction.dtype == expected.dtype
    assert prediction.shape == expected.shape == (len(X), regressor.n_outputs_)
    scale = np.abs(expected) if regressor.out_activation_ == "exp" else np.abs(expected).max(axis=0)
    assert np.all(np.abs(prediction - expected) <= rtol * scale)
    return prediction


@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("activation", sorted(activations.ACTIVATIONS))
@pytest.mark.parametrize("loss", losses.REGRESSION_LOSSES)
def test_regressor_every_loss_and_hidden_activation(loss, activation, n_outputs):
    X, y = _regression(loss, n_outputs)
    reg = _fit_regressor(X, y, loss=loss, activation=activation)
    assert reg.out_activation_ == ("exp" if loss in ("poisson", "gamma") else "identity")
    _assert_regressor_faithful(reg, X)


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_regressor_lbfgs_with_several_layers(loss):
    X, y = _regression(loss, n_outputs=2)
    reg = _fit_regressor(X, y, loss=loss, solver="lbfgs", hidden_layer_sizes=(12, 10, 8, 6),
                         activation="tanh", max_iter=100)
    assert len(reg.coefs_) == 5
    _assert_regressor_faithful(reg, X)


@pytest.mark.parametrize(
    "params",
    [
        {"dropout": 0.2},
        {"penalty": "l1", "alpha": 1e-3},
        {"early_stopping": "GL", "validation_fraction": 0.2},
    ],
    ids=["dropout", "l1", "early_stopping_GL"],
)
@pytest.mark.parametrize("loss", ["squared_error", "gamma"])
def test_regressors_trained_with_skbp_extras(loss, params):
    X, y = _regression(loss, n_outputs=2)
    _assert_regressor_faithful(_fit_regressor(X, y, loss=loss, **params), X)


@pytest.mark.parametrize("target_opset", [8, None])
@pytest.mark.parametrize("dtype, rtol", [(np.float32, FLOAT32_ATOL), (np.float64, FLOAT64_ATOL)])
def test_log_link_clips_huge_net_inputs_as_predict(dtype, rtol, target_opset):
    """Net inputs far beyond ±exp_limit give exp(±exp_limit), as in predict."""
    X, y = _regression("poisson", n_outputs=3, dtype=dtype)
    reg = _fit_regressor(X, y, loss="poisson")
    # z^L near +1000, near -1000 and as fitted: exp of the first two, unclipped,
    # is inf and 0 in both dtypes.
    reg.intercepts_[-1] += np.array([1000, -1000, 0], dtype=dtype)
    limit = activations.exp_limit(dtype)
    expected = reg.predict(X)
    assert np.all(expected[:, 0] == np.exp(dtype(limit)))
    assert np.all(expected[:, 1] == np.exp(dtype(-limit)))
    onx = to_onnx(reg, X, target_opset=target_opset)
    prediction = _assert_regressor_faithful(reg, X, rtol=rtol, onnx_model=onx)
    assert np.all(np.isfinite(prediction)) and np.all(prediction > 0)


@pytest.mark.parametrize("n_outputs", [1, 2])
def test_regressor_pipeline_with_scaler(n_outputs):
    X, y = _regression("poisson", n_outputs)
    X = X * 10 + 3
    pipe = make_pipeline(StandardScaler(), BackpropMLPRegressor(
        loss="poisson", hidden_layer_sizes=(8,), max_iter=60, random_state=0)).fit(X, y)
    _assert_regressor_faithful(pipe, X, onnx_model=skl2onnx.to_onnx(pipe, X[:1]))
    _assert_regressor_faithful(pipe, X)


def test_regressor_convert_sklearn_with_initial_types():
    X, y = _regression(n_outputs=2)
    reg = _fit_regressor(X, y)
    onx = skl2onnx.convert_sklearn(
        reg, initial_types=[("features", FloatTensorType([None, X.shape[1]]))]
    )
    assert onx.graph.input[0].name == "features"
    _assert_regressor_faithful(reg, X, onnx_model=onx)


@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_float64_regressors_use_double_inputs(loss, n_outputs):
    X, y = _regression(loss, n_outputs, dtype=np.float64)
    reg = _fit_regressor(X, y, loss=loss, activation="tanh")
    onx = to_onnx(reg, X.astype(np.float32))
    for put in (onx.graph.input[0], onx.graph.output[0]):
        assert put.type.tensor_type.elem_type == TensorProto.DOUBLE
    _assert_regressor_faithful(reg, X, rtol=FLOAT64_ATOL, onnx_model=onx)


def test_regressor_computes_in_the_dtype_of_the_weights():
    """skl2onnx takes the input type from X; the graph casts it, as predict does."""
    X, y = _regression("gamma", dtype=np.float64)
    reg = _fit_regressor(X, y, loss="gamma")
    X_in = X.astype(np.float32)
    onx = skl2onnx.to_onnx(reg, X_in[:1])
    assert onx.graph.input[0].type.tensor_type.elem_type == TensorProto.FLOAT
    _assert_regressor_faithful(reg, X_in, rtol=FLOAT64_ATOL, onnx_model=onx)


# ------------------------------------------------------------ converter options
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("labels", [np.array([0, 1, 2]), np.array(["a", "b", "c"])])
def test_default_zipmap_gives_one_dict_per_row(dtype, labels):
    X, y = _classification(3, dtype)
    clf = _fit(X, labels[y])
    outputs = _run(to_onnx(clf, X), X)
    rows = outputs["output_probability"]
    assert [set(row) for row in rows] == [set(labels)] * len(X)
    proba = np.array([[row[c] for c in clf.classes_] for row in rows])
    # ZipMap holds float32: the dictionaries of a float64 model are rounded.
    assert np.abs(proba - clf.predict_proba(X)).max() <= FLOAT32_ATOL
    assert np.array_equal(outputs["output_label"], clf.predict(X))


def test_zipmap_holds_float64_probabilities_rounded_to_float32():
    """ONNX's ZipMap takes float tensors only; zipmap=False and 'columns' keep float64."""
    (zipmap_input,) = onnx.defs.get_schema("ZipMap", domain="ai.onnx.ml").inputs
    assert zipmap_input.type_str == "tensor(float)"
    X, y = _classification(3, np.float64)
    clf = _fit(X, y)
    expected = clf.predict_proba(X)
    proba = _run(to_onnx(clf, X, options={"zipmap": False}), X)["probabilities"]
    assert np.abs(proba - expected).max() <= FLOAT64_ATOL
    rows = _run(to_onnx(clf, X), X)["output_probability"]
    zipped = np.array([[row[label] for label in clf.classes_] for row in rows])
    assert np.array_equal(zipped, proba.astype(np.float32))
    columns = _run(to_onnx(clf, X, options={"zipmap": "columns"}), X)
    for k, label in enumerate(clf.classes_):
        assert columns[f"i{label}"].dtype == np.float64
        assert np.abs(columns[f"i{label}"] - expected[:, k]).max() <= FLOAT64_ATOL


def test_zipmap_columns():
    X, y = _classification(3)
    clf = _fit(X, y)
    outputs = _run(to_onnx(clf, X, options={"zipmap": "columns"}), X)
    proba = clf.predict_proba(X)
    for k, label in enumerate(clf.classes_):
        assert np.abs(outputs[f"i{label}"] - proba[:, k]).max() <= FLOAT32_ATOL


def test_zipmap_on_multilabel_model():
    X, Y = _multilabel(3)
    clf = _fit(X, Y)
    outputs = _run(to_onnx(clf, X), X)
    proba = np.array([[row[k] for k in range(3)] for row in outputs["output_probability"]])
    assert np.abs(proba - clf.predict_proba(X)).max() <= FLOAT32_ATOL
    assert np.array_equal(outputs["output_label"], clf.predict(X))


def test_nocl_outputs_class_indices():
    X, y = _classification(3)
    clf = _fit(X, np.array(["a", "b", "c"])[y])
    outputs = _run(to_onnx(clf, X, options={"zipmap": False, "nocl": True}), X)
    assert np.array_equal(outputs["label"], np.searchsorted(clf.classes_, clf.predict(X)))


def test_output_class_labels():
    X, y = _classification(3)
    clf = _fit(X, np.array([10, 20, 30])[y])
    options = {"zipmap": False, "output_class_labels": True}
    outputs = _run(to_onnx(clf, X, options=options), X)
    assert np.array_equal(outputs["class_labels"], clf.classes_)


# ------------------------------------------------------------------ errors
class _Softplus:
    """A hidden activation without an ONNX mapping in skbp.onnx."""

    name = "softplus"

    def forward(self, z, out=None):
        return np.logaddexp(0, z, out=out)


def test_activation_without_onnx_mapping_is_a_clear_error(monkeypatch):
    X, y = _classification(3)
    clf = _fit(X, y)
    monkeypatch.setitem(activations.ACTIVATIONS, "softplus", _Softplus)
    clf.set_params(activation="softplus")
    clf.predict_proba(X)  # skbp itself predicts with the new activation
    message = (
        r"activation='softplus' has no ONNX mapping.*"
        r"\['identity', 'logistic', 'mish', 'relu', 'selu', 'tanh'\]"
    )
    with pytest.raises(ValueError, match=message):
        to_onnx(clf, X)
    with pytest.raises(ValueError, match=message):
        skl2onnx.to_onnx(clf, X[:1])


def test_regressor_output_without_onnx_mapping_is_a_clear_error():
    X, y = _regression()
    reg = _fit_regressor(X, y)
    reg.out_activation_ = "softplus"
    message = r"out_activation_='softplus' has no ONNX mapping.*\['exp', 'identity'\]"
    with pytest.raises(ValueError, match=message):
        to_onnx(reg, X)


@pytest.mark.parametrize("estimator", [BackpropMLPClassifier, BackpropMLPRegressor])
def test_unfitted_model(estimator):
    X, _ = _classification(3)
    with pytest.raises(NotFittedError):
        to_onnx(estimator(), X)


def test_wrong_number_of_features():
    X, y = _classification(3)
    with pytest.raises(ValueError, match="X has 5 features, but the model was fitted with 6"):
        to_onnx(_fit(X, y), X[:, :5])


def test_other_models_are_rejected_by_to_onnx():
    X, y = _classification(3)
    with pytest.raises(TypeError, match="BackpropMLPClassifier, a BackpropMLPRegressor or a"):
        to_onnx(make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y), X)


def test_import_without_skl2onnx_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "skl2onnx", None)
    monkeypatch.delitem(sys.modules, "skbp.onnx")
    with pytest.raises(ImportError, match=r'pip install "skbp\[onnx\]"'):
        importlib.import_module("skbp.onnx")


# ------------------------------------------- the models the command line saves
def _cli_like_frame(n=150, seed=0):
    """Integer, real and text columns, with missing numbers and texts, as a CSV gives."""
    rng = np.random.RandomState(seed)
    frame = pd.DataFrame({
        "age": rng.randint(18, 80, n),
        "income": (rng.randn(n) * 1000 + 3000).round(2),
        "city": rng.choice(["paris", "lyon", "nice"], n).astype(object),
        "member": rng.choice(["yes", "no"], n).astype(object),
    })
    frame.loc[frame.index % 11 == 3, "income"] = np.nan
    frame.loc[frame.index % 13 == 5, "city"] = np.nan
    return frame


def _cli_pipeline(task, frame, y, **params):
    """The pipeline ``skbp train`` fits (its own make_model), unfitted."""
    from skbp._tools.cli._columns import Columns
    from skbp._tools.cli._tasks import CLASSIFICATION, REGRESSION
    from skbp._tools.cli.train import make_model

    numeric = list(frame.select_dtypes(["number", "bool"]).columns)
    levels = {column: frame[column].nunique() for column in frame if column not in numeric}
    task = CLASSIFICATION if task == "classification" else REGRESSION
    params = {"hidden_layer_sizes": (8,), "max_iter": 80, "random_state": 0, **params}
    return make_model(task, params, Columns(numeric=numeric, levels=levels), y)


def _unseen_rows(frame):
    """Rows with a category and missing values the training rows did not have there."""
    rows = frame.iloc[:4].copy()
    rows.loc[rows.index[0], "city"] = "lille"  # unknown: OneHotEncoder ignores it
    rows.loc[rows.index[1], "member"] = np.nan
    rows.loc[rows.index[2], "income"] = np.nan
    return pd.concat([frame, rows], ignore_index=True)


def test_a_cli_classifier_pipeline_exports_with_one_input_per_column():
    from skbp.onnx import frame_inputs

    frame = _cli_like_frame()
    y = np.where((frame["age"] > 45) ^ (frame["member"] == "yes"), "good", "bad")
    pipe = _cli_pipeline("classification", frame, y).fit(frame, y)
    onx = to_onnx(pipe, frame, options={"zipmap": False})
    assert [(i.name, i.type.tensor_type.elem_type) for i in onx.graph.input] == [
        ("age", TensorProto.DOUBLE), ("income", TensorProto.DOUBLE),
        ("city", TensorProto.STRING), ("member", TensorProto.STRING),
    ]
    rows = _unseen_rows(frame)
    outputs = _run_inputs(onx, frame_inputs(onx, rows))
    assert np.abs(outputs["probabilities"] - pipe.predict_proba(rows)).max() <= FLOAT64_ATOL
    assert np.array_equal(outputs["label"], pipe.predict(rows))


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_a_cli_regressor_pipeline_with_a_scaled_target_exports(loss):
    from skbp.onnx import frame_inputs

    frame = _cli_like_frame()
    y = frame["age"] * 3.0 + frame["income"].fillna(3000) / 100 + 500.0
    # the log-link losses' target is divided by its standard deviation, not centred
    pipe = _cli_pipeline("regression", frame, y.to_numpy(), loss=loss).fit(frame, y)
    assert pipe[-1].transformer.with_mean == (loss == "squared_error")
    onx = to_onnx(pipe, frame)
    rows = _unseen_rows(frame)
    (prediction,) = _run_inputs(onx, frame_inputs(onx, rows)).values()
    expected = pipe.predict(rows)
    assert prediction.shape == (len(rows), 1)
    assert np.abs(prediction[:, 0] - expected).max() <= FLOAT64_ATOL * np.abs(expected).max()


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_a_model_saved_by_the_command_line_exports(task, tmp_path):
    import subprocess

    import joblib

    from skbp.onnx import frame_inputs

    frame = _cli_like_frame()
    frame["zone"] = np.arange(len(frame)) % 4 + 1  # numbers, encoded as categories
    if task == "classification":
        frame["target"] = np.where(frame["age"] > 45, "old", "young")
    else:
        frame["target"] = (frame["age"] * 3.7 + np.arange(len(frame)) % 7).round(1)
    csv, model_path = tmp_path / "people.csv", tmp_path / "model.joblib"
    frame.to_csv(csv, index=False)
    done = subprocess.run(
        [sys.executable, "-m", "skbp", "train", str(csv), "--target", "target", "--model", "mlp",
         "--categorical", "zone", "--max-iter", "30", "--save", str(model_path)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    model = joblib.load(model_path)
    X = pd.read_csv(csv).drop(columns="target")
    assert X["zone"].dtype.kind == "i"  # read as numbers here, as text by the command line
    onx = to_onnx(model, X, options={"zipmap": False} if task == "classification" else None)
    types = {i.name: i.type.tensor_type.elem_type for i in onx.graph.input}
    assert types["zone"] == types["city"] == TensorProto.STRING
    assert types["age"] == TensorProto.DOUBLE
    outputs = _run_inputs(onx, frame_inputs(onx, X))
    X = X.astype({"zone": str})  # as the command line reads it, for predict
    if task == "classification":
        assert np.abs(outputs["probabilities"] - model.predict_proba(X)).max() <= FLOAT64_ATOL
        assert np.array_equal(outputs["label"], model.predict(X))
    else:
        expected = model.predict(X)
        error = np.abs(outputs["variable"][:, 0] - expected).max()
        assert error <= FLOAT64_ATOL * np.abs(expected).max()


def test_a_model_fitted_on_named_columns_needs_a_dataframe():
    frame = _cli_like_frame()
    y = (frame["age"] > 45).to_numpy()
    pipe = _cli_pipeline("classification", frame, y, max_iter=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(frame, y)
    with pytest.raises(ValueError, match="selects columns by name.*'age', 'income'"):
        to_onnx(pipe, frame.to_numpy())
    with pytest.raises(ValueError, match=r"missing \['member'\], unknown \['club'\]"):
        to_onnx(pipe, frame.rename(columns={"member": "club"}))


# --------------------------------------------------------------- integer labels
def test_unsigned_labels_beyond_int64_are_refused():
    X, y = _classification(3)
    labels = np.array([1, 2**63, 2**64 - 1], dtype=np.uint64)
    clf = _fit(X, labels[y])
    with pytest.raises(ValueError, match=r"do not fit in the int64 labels.*9223372036854775808"):
        to_onnx(clf, X)
    # unsigned labels within int64's range keep their values
    small = np.array([0, 7, 2**63 - 1], dtype=np.uint64)
    _assert_faithful(_fit(X, small[y]), X)


def test_an_imputer_with_missing_indicators_is_refused():
    from sklearn.impute import SimpleImputer

    frame = _cli_like_frame()
    y = (frame["age"] > 45).to_numpy()
    preprocess = ColumnTransformer([
        ("numeric", SimpleImputer(add_indicator=True), ["age", "income"]),
        ("text", OneHotEncoder(handle_unknown="ignore"), ["member"]),
    ])
    pipe = make_pipeline(preprocess, BackpropMLPClassifier((4,), max_iter=5, random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(frame[["age", "income", "member"]], y)
    with pytest.raises(ValueError, match="add_indicator=True"):
        to_onnx(pipe, frame[["age", "income", "member"]])
