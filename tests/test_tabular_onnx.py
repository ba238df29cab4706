"""skbp.onnx on the Tabular estimators: the raw table's columns in, predict's outputs out.

The graph holds the TabularEncoder, the front layers and the output step, so
the comparisons below feed onnxruntime the raw columns of a DataFrame with
numeric, boolean, categorical and text columns, missing values, a constant
column, unseen levels and a level that is missing only at predict time.

Tolerances as in test_onnx.py: float32 probabilities 1e-5, float64 1e-12.
A regressor's error is taken on the standardized scale (divided by
``target_scale_``): the float32 network computes z^L, the graph and predict
multiply it by the same float64 scale. Observed: below 1e-6 (float32) and
1e-15 (float64).
"""

import numpy as np
import pytest
from tabular_tables import SMALL, labels, new_rows, table
from test_onnx import _run_inputs

from skbp import TabularMLPClassifier, TabularMLPRegressor
from skbp.onnx import frame_inputs, to_onnx

FLOAT32_ATOL = 1e-5
FLOAT64_ATOL = 1e-12
ATOL = {"float32": FLOAT32_ATOL, "float64": FLOAT64_ATOL}


def _assert_classifier_faithful(model, X, X_new, atol):
    onnx_model = to_onnx(model, X, options={"zipmap": False})
    outputs = _run_inputs(onnx_model, frame_inputs(onnx_model, X_new))
    expected = model.predict_proba(X_new)
    assert outputs["probabilities"].dtype == expected.dtype
    assert np.abs(outputs["probabilities"] - expected).max() <= atol
    assert np.array_equal(outputs["label"], model.predict(X_new))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_classifier_on_a_mixedtable(dtype, n_classes):
    X = table()
    model = TabularMLPClassifier(dtype=dtype, **SMALL).fit(X, labels(X, n_classes))
    # Every kind of encoder output is in the graph.
    assert set(model.encoder_.encodings_) == {"numeric", "onehot", "binary", "target"}
    assert model.encoder_.get_feature_names_out().tolist().count("size_missing") == 1
    _assert_classifier_faithful(model, X, new_rows(X), ATOL[dtype])


def _with_unseen_cities(X):
    X = new_rows(X)
    X["city"] = X["city"].cat.add_categories(["zz"])
    X.loc[12:14, "city"] = "zz"  # unseen: code 0, as a missing value
    X.loc[15:16, "city"] = np.nan
    return X


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_classifier_with_a_categorical_embedding(dtype, n_classes):
    X = table()
    model = TabularMLPClassifier(dtype=dtype, high_cardinality="embedding", **SMALL)
    model.fit(X, labels(X, n_classes))
    assert "ordinal" in model.encoder_.encodings_
    assert type(model._fitted_network().front[0]).__name__ == "CategoricalEmbedding"
    _assert_classifier_faithful(model, X, _with_unseen_cities(X), ATOL[dtype])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_regressor_with_a_categorical_embedding(dtype):
    X = table(seed=5)
    y = 1000 + 50 * X["weight kg"].to_numpy() + 20 * X["city"].cat.codes.to_numpy()
    model = TabularMLPRegressor(dtype=dtype, high_cardinality="embedding", **SMALL).fit(X, y)
    _assert_regressor_faithful(model, X, _with_unseen_cities(X), ATOL[dtype])


def test_a_table_of_coded_columns_only():
    # The embedding layer's output is all embeddings: no other column to keep.
    X = table(seed=6)[["city"]]
    model = TabularMLPClassifier(high_cardinality="embedding", **SMALL).fit(X, labels(table(seed=6), 2))
    assert model.encoder_.n_features_out_ == 1
    _assert_classifier_faithful(model, X, _with_unseen_cities(table(seed=6))[["city"]], FLOAT32_ATOL)


@pytest.mark.parametrize(
    "activation", ["selu", "mish", "relu", "tanh", "logistic", "identity"]
)
@pytest.mark.parametrize("parametric", [True, False])
def test_every_hidden_activation(activation, parametric):
    X = table(seed=1)
    model = TabularMLPClassifier(
        activation=activation, parametric_activation=parametric, **SMALL
    ).fit(X, labels(X, 3))
    _assert_classifier_faithful(model, X, new_rows(X), FLOAT32_ATOL)


@pytest.mark.parametrize(
    "params",
    [
        dict(numerical_embedding=None),
        dict(feature_scaling=False),
        dict(
            numerical_embedding=None, feature_scaling=False, parametric_activation=False
        ),
    ],
)
def test_without_front_layers(params):
    X = table(seed=2)
    model = TabularMLPClassifier(**params, **SMALL).fit(X, labels(X, 3))
    _assert_classifier_faithful(model, X, new_rows(X), FLOAT32_ATOL)


def test_zipmap_output_of_string_labels():
    X = table(seed=3)
    y = np.array(["low", "mid", "high"])[labels(X, 3)]
    model = TabularMLPClassifier(**SMALL).fit(X, y)
    onnx_model = to_onnx(model, X)  # zipmap=True: a list of {label: probability}
    predicted, probabilities = _run_inputs(
        onnx_model, frame_inputs(onnx_model, X)
    ).values()
    assert np.array_equal(predicted, model.predict(X))
    proba = np.array([[row[c] for c in model.classes_] for row in probabilities])
    assert np.abs(proba - model.predict_proba(X)).max() <= FLOAT32_ATOL


def _assert_regressor_faithful(model, X, X_new, atol):
    onnx_model = to_onnx(model, X)
    (prediction,) = _run_inputs(onnx_model, frame_inputs(onnx_model, X_new)).values()
    expected = model.predict(X_new)
    assert prediction.dtype == np.float64
    assert prediction.shape == (len(X_new), model.n_outputs_)
    error = np.abs(prediction - expected.reshape(len(X_new), -1)) / model.target_scale_
    assert error.max() <= atol
    return prediction


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_regressor_destandardizes_in_the_graph(dtype):
    X = table()
    y = 1000 + 50 * X["weight kg"].to_numpy() + 20 * (X["side"] == "left")
    model = TabularMLPRegressor(dtype=dtype, **SMALL).fit(X, y)
    assert model.target_mean_[0] > 900  # far from the network's standardized scale
    _assert_regressor_faithful(model, X, new_rows(X), ATOL[dtype])


def test_regressor_clips_to_the_training_range_in_the_graph():
    X = table()
    y = 50 * X["weight kg"].to_numpy()
    model = TabularMLPRegressor(**SMALL).fit(X, y)
    # A narrower range than the predictions span: many rows must be clipped,
    # in predict and in the graph alike.
    low, high = np.quantile(model.predict(X), [0.25, 0.75])
    model.target_range_ = np.array([[low], [high]])
    prediction = _assert_regressor_faithful(model, X, X, FLOAT32_ATOL)
    assert (prediction == low).sum() > 10 and (prediction == high).sum() > 10
    model.clip_predictions = False
    prediction = _assert_regressor_faithful(model, X, X, FLOAT32_ATOL)
    assert prediction.min() < low and prediction.max() > high


def test_multioutput_regressor():
    X = table(seed=4).drop(columns="city")  # target encoding takes one output only
    y = np.column_stack([X["weight kg"].to_numpy(), 10 * (X["flag"].to_numpy() + 1.0)])
    model = TabularMLPRegressor(**SMALL).fit(X, y)
    _assert_regressor_faithful(model, X, new_rows(X), FLOAT32_ATOL)


@pytest.mark.parametrize("transform", ["quantile", "robust"])
def test_numeric_transforms_in_the_graph(transform):
    # 3000 distinct values: 1000 knots, the binary search's ten steps; a column
    # mostly zeros (tied knots); new rows on knots, between them, beyond both
    # ends and missing.
    import pandas as pd

    rng = np.random.RandomState(0)
    n = 3000
    X = pd.DataFrame({
        "tail": rng.lognormal(sigma=2.0, size=n),
        "zeros": np.where(rng.rand(n) < 0.8, 0.0, rng.randint(1, 5, n).astype(float)),
    })
    X.loc[::50, "tail"] = np.nan
    y = (np.log(X["tail"].fillna(1.0)) + X["zeros"] > 0.5).astype(int)
    model = TabularMLPRegressor(dtype="float64", numeric_transform=transform, **SMALL)
    model.fit(X, y.astype(float))
    if transform == "quantile":
        assert model.encoder_.numeric_scaler_.quantiles_.shape == (2, 1000)
    knots = model.encoder_.numeric_scaler_.quantiles_
    tail = np.r_[rng.lognormal(sigma=2.0, size=200), -1.0, 1e9, np.nan]
    if knots is not None:
        tail = np.r_[tail, knots[0, :50], (knots[0, 1:51] + knots[0, :50]) / 2]
    X_new = pd.DataFrame({"tail": tail, "zeros": rng.randint(-1, 7, tail.size).astype(float)})
    onnx_model = to_onnx(model, X)
    outputs = _run_inputs(onnx_model, frame_inputs(onnx_model, X_new))
    expected = model.predict(X_new)
    error = np.abs(outputs["variable"].ravel() - expected) / model.target_scale_[0]
    assert error.max() <= FLOAT64_ATOL


def test_numeric_array_has_one_input():
    rng = np.random.RandomState(0)
    X = rng.randn(120, 4)
    X[::5, 1] = np.nan
    y = (X[:, 0] > 0).astype(int)
    model = TabularMLPClassifier(**SMALL).fit(X, y)
    onnx_model = to_onnx(model, X)
    assert [i.name for i in onnx_model.graph.input] == ["X"]
    predicted, _ = _run_inputs(onnx_model, {"X": X}).values()
    assert np.array_equal(predicted, model.predict(X))


def test_inputs_are_the_columns_by_name_and_type():
    X = table()
    model = TabularMLPClassifier(**SMALL).fit(X, labels(X, 2))
    onnx_model = to_onnx(model, X)
    kinds = {i.name: i.type.tensor_type.elem_type for i in onnx_model.graph.input}
    # double for numbers, string for categorical, object and boolean columns
    assert kinds == {
        "size": 11,
        "weight kg": 11,
        "colour": 8,
        "side": 8,
        "city": 8,
        "flag": 8,
        "constant": 11,
    }


def test_polars_sample_gives_the_same_inputs():
    pl = pytest.importorskip("polars")
    X = table()
    model = TabularMLPClassifier(**SMALL).fit(X, labels(X, 2))
    frame = pl.DataFrame(
        {
            name: X[name].astype(object).where(X[name].notna(), None).tolist()
            for name in X.columns
        }
    )
    from_polars = to_onnx(model, frame)
    assert [i.name for i in from_polars.graph.input] == list(X.columns)


def test_wrong_columns_and_categorical_arrays_are_clear_errors():
    X = table()
    model = TabularMLPClassifier(**SMALL).fit(X, labels(X, 2))
    with pytest.raises(ValueError, match=r"columns the model was fitted on.*'size'"):
        to_onnx(model, X[X.columns[::-1]])
    with pytest.raises(ValueError, match="columns the model was fitted on"):
        to_onnx(model, X.to_numpy())
    array = X[["side", "weight kg"]].to_numpy()
    model = TabularMLPClassifier(categorical_features=[0], **SMALL).fit(
        array, labels(X, 2)
    )
    with pytest.raises(ValueError, match=r"columns \[0\] are categorical.*DataFrame"):
        to_onnx(model, array)


def test_empty_string_level_is_refused():
    X = table()
    X["side"] = X["side"].where(X.index % 5 > 0, "")
    model = TabularMLPClassifier(**SMALL).fit(X, labels(X, 2))
    with pytest.raises(
        ValueError, match="Column 'side' has the empty string as a level"
    ):
        to_onnx(model, X)


def test_numeric_model_in_a_pipeline_and_categorical_one_refused():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.RandomState(1)
    X = rng.randn(120, 3)
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    pipe = make_pipeline(StandardScaler(), TabularMLPClassifier(**SMALL)).fit(X, y)
    onnx_model = to_onnx(
        pipe, X, options={"zipmap": False}
    )  # float input: float32 model
    # Both sides see the float32 input: the quantile map's slope between close
    # training values would amplify its rounding (see the Tabular user guide).
    X = X.astype(np.float32)
    outputs = _run_inputs(onnx_model, {"X": X})
    assert (
        np.abs(outputs["probabilities"] - pipe.predict_proba(X)).max() <= FLOAT32_ATOL
    )
    X = table()
    pipe = make_pipeline(TabularMLPClassifier(**SMALL)).fit(X, labels(X, 2))
    with pytest.raises(
        ValueError, match="has categorical columns: its graph takes one input"
    ):
        import skl2onnx
        from skl2onnx.common.data_types import DoubleTensorType

        skl2onnx.to_onnx(pipe, initial_types=[("X", DoubleTensorType([None, 7]))])


@pytest.mark.parametrize("target_opset", [13, 18])
def test_target_opsets(target_opset):
    X = table(seed=5)
    model = TabularMLPClassifier(**SMALL).fit(X, labels(X, 3))
    onnx_model = to_onnx(model, X, options={"zipmap": False}, target_opset=target_opset)
    assert {o.domain: o.version for o in onnx_model.opset_import}[""] == target_opset
    outputs = _run_inputs(onnx_model, frame_inputs(onnx_model, X))
    assert np.abs(outputs["probabilities"] - model.predict_proba(X)).max() <= FLOAT32_ATOL

