"""ONNX graphs of TabularMLPClassifier and TabularMLPRegressor, for :mod:`skbp.onnx`.

A Tabular estimator takes the raw table, so its graph starts where its
``predict`` starts: with the table's columns, one input per column, and runs
the fitted :class:`~skbp.TabularEncoder`, the front layers, the dense stack
and the estimator's output step. Every constant comes from the fitted
attributes; the graph computes what ``predict`` / ``predict_proba`` compute.

Inputs
    One per column of ``feature_names_in_``, named after it, of shape
    (n_samples, 1): a double tensor for a numeric column (NaN = missing; the
    encoder reads numbers in float64 too) and a string tensor for a
    categorical column, whose levels are written as ``str(level)``
    (``"True"``/``"False"`` for a boolean column) and where the empty string
    stands for a missing value. A model fitted on a numeric array without
    column names has one double input ``X`` of shape (n_samples, n_features).

Encoder (in float64, cast to the model's dtype at the end, as the encoder)
    numeric columns: with ``numeric_transform="quantile"`` first the map to
    normal scores, its segment found by a binary search over each column's
    knots (ten ``Gather``/compare steps for 1000 knots, memory O(n_samples)),
    then (x − median) / IQR, smooth clip z / √(1 + (z / max_abs)²),
    NaN → 0, and the missing indicators IsNaN(x); categorical columns: an
    ONNX-ML ``LabelEncoder`` maps each string to a row of a per-column table
    (one row per level, one for a missing value, one for an unseen level)
    whose columns are the encoder's outputs for that column — one-hot, the
    ±1 column of two levels, the ``_nan`` column, the ordinal code, or the
    smoothly clipped target encoding. One ``Gather`` puts the columns in the
    encoder's output order.

Network (in the weights' dtype)
    categorical embedding: the coded columns cast to int64, plus each
    column's offset in the stacked table, one ``Gather`` of the table's rows,
    appended to the other columns;
    PBLD embedding: u = 2π w x_j + b, cos(u), the per-feature map as one
    batched ``MatMul`` (n, J, 1, K) × (J, K, D), + c, appended to the input;
    feature scaling: a ``Mul``; dense layers: ``Gemm``; hidden activations
    from elementary operators (onnxruntime has no double kernel for ``Selu``,
    ``Elu`` or ``Softplus``): selu(z) = λ max(z, 0) + λ α_s (exp(min(z, 0)) − 1),
    mish(z) = z tanh(max(z, 0) + log(1 + exp(−|z|))), and parametric units
    z + α (f(z) − z).

Output
    classifier: the Backprop classifier's probabilities and labels;
    regressor: z^L · target_scale_ + target_mean_, clipped to
    ``target_range_`` (with ``clip_predictions``), in float64 as ``predict``
    returns it, whatever the weights' dtype.
"""

import math

import numpy as np
import skl2onnx
from onnx import TensorProto
from onnx.helper import make_tensor, np_dtype_to_tensor_dtype
from skl2onnx.common.data_types import (
    DoubleTensorType,
    FloatTensorType,
    StringTensorType,
)
from skl2onnx.common.utils import (
    check_input_and_output_numbers,
    check_input_and_output_types,
)

from .._engine.layers import CategoricalEmbedding, FeatureScaling, PeriodicEmbedding
from .._estimators.tabular import TabularMLPClassifier, TabularMLPRegressor
from ..onnx import (
    CLASSIFIER_OPTIONS,
    _activate,
    _classifier_outputs,
    _hidden_activation_op,
    _set_classifier_output_types,
)
from .onnx_frames import restore_input_names
from .onnx_graph import constant, node

#: The string that stands for a missing value in a categorical input.
MISSING_TEXT = ""

_ML_DOMAIN = {"op_domain": "ai.onnx.ml", "op_version": 2}


# ------------------------------------------------------------------ inputs
def onnx_inputs(model, X):
    """skl2onnx's ``initial_types`` of ``model``: one typed input per column.

    ``X`` is a sample of the input; a DataFrame must have the fitted columns
    in their order.
    """
    encoder = model.encoder_
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        if encoder.is_categorical_.any():
            columns = np.flatnonzero(encoder.is_categorical_).tolist()
            raise ValueError(
                f"{type(model).__name__} was fitted on an array whose columns {columns} "
                "are categorical; an ONNX graph needs named columns to type its inputs: "
                "fit on a DataFrame to export the model."
            )
        width = np.shape(X)[1] if np.ndim(X) == 2 else None
        if width != model.n_features_in_:
            raise ValueError(
                f"X has {width} features, but the model was fitted with "
                f"{model.n_features_in_} features; pass a sample of the model's input."
            )
        return [("X", DoubleTensorType([None, model.n_features_in_]))]
    given = [str(name) for name in getattr(X, "columns", [])]
    if given != [str(name) for name in names]:
        raise ValueError(
            "X must be a DataFrame with the columns the model was fitted on, in the same "
            f"order: {list(names)}; got {given or type(X).__name__}."
        )
    return [
        (
            str(name),
            StringTensorType([None, 1]) if categorical else DoubleTensorType([None, 1]),
        )
        for name, categorical in zip(names, encoder.is_categorical_)
    ]


def to_onnx(model, X, *, options=None, target_opset=None):
    """The ONNX model of a fitted Tabular estimator (see :func:`skbp.onnx.to_onnx`)."""
    inputs = onnx_inputs(model, X)
    onnx_model = skl2onnx.to_onnx(
        model, initial_types=inputs, options=options, target_opset=target_opset
    )
    return restore_input_names(onnx_model, [name for name, _ in inputs])


# ----------------------------------------------------------------- graph helpers
def _columns(scope, container, name, a, indices):
    """The columns ``indices`` of the samples' matrix ``a``."""
    return node(
        scope, container, "Gather",
        [a, constant(scope, container, name, indices.astype(np.int64))], axis=1,
    )


def _table_lookup(scope, container, name, table, index):
    """The entries (rows) of the constant ``table`` at ``index`` (int64 indices)."""
    return node(
        scope, container, "Gather", [constant(scope, container, name, table), index], axis=0
    )


def _table_rows(scope, container, name, table, rows, width):
    """The rows ``rows`` (int64 indices) of the constant ``table``, ``width`` values per sample."""
    gathered = _table_lookup(scope, container, name, table, rows)
    shape = constant(scope, container, "shape", np.array([-1, width], np.int64))
    return node(scope, container, "Reshape", [gathered, shape])


# ----------------------------------------------------------------- encoder
def _category_table(encoder, column, levels):
    """(rows, table): row of each level string, and the encoded outputs per row.

    Rows 0..k−1 are the levels, row k a missing value, row k+1 an unseen level.
    """
    encoding, k = encoder.encodings_[column], len(levels)
    if encoding == "binary":
        table = np.array([[-1.0], [1.0], [0.0], [0.0]])
    elif encoding == "onehot":
        table = np.vstack([np.eye(k), np.zeros((2, k))])
    elif encoding == "ordinal":
        table = np.append(np.arange(1.0, k + 1), [0.0, 0.0])[:, np.newaxis]
    else:
        table = _target_table(encoder, column, levels)
    if encoding in ("binary", "onehot") and encoder._category_had_missing[column]:
        nan_level = np.zeros((k + 2, 1))
        nan_level[k] = 1.0
        table = np.hstack([table, nan_level])
    return table


def _target_table(encoder, column, levels):
    """Smoothly clipped target encodings of the levels, a missing value, an unseen level."""
    target = encoder.target_encoder_
    targets = [i for i, e in enumerate(encoder.encodings_) if e == "target"]
    j, width = targets.index(column), encoder._target_width
    categories = np.asarray(target.categories_[j], dtype=object)
    seen_missing = categories.size and _is_missing(categories[-1])
    known = categories[:-1] if seen_missing else categories
    if len(known) != len(levels) or any(a != b for a, b in zip(known, levels)):
        raise ValueError(
            f"The target encoder's levels of column {column} differ from the encoder's."
        )
    mean = np.atleast_1d(target.target_mean_)
    raw = np.empty((len(levels) + 2, width))
    for c in range(width):
        encodings = target.encodings_[j * width + c]
        raw[: len(levels), c] = encodings[: len(levels)]
        raw[len(levels), c] = encodings[-1] if seen_missing else mean[c]
        raw[len(levels) + 1, c] = mean[c]
    # The encoder's own scaler, over all its target columns (ours in place).
    full = np.zeros((raw.shape[0], encoder.target_scaler_.n_features_in_))
    full[:, j * width : (j + 1) * width] = raw
    return encoder.target_scaler_.transform(full)[:, j * width : (j + 1) * width]


def _is_missing(value):
    return value is None or (isinstance(value, float) and math.isnan(value))


def _level_keys(name, levels):
    keys = [str(level) for level in levels]
    if MISSING_TEXT in keys:
        raise ValueError(
            f"Column {name!r} has the empty string as a level, which the ONNX graph reads "
            "as a missing value; replace it (e.g. with 'empty') and fit again."
        )
    if len(set(keys)) != len(keys):
        raise ValueError(
            f"Column {name!r} has levels that are equal as text ({keys}); the ONNX graph "
            "takes categorical columns as strings: make the levels distinct strings."
        )
    return keys


def _double(scope, container, variable):
    if isinstance(variable.type, DoubleTensorType):
        return variable.full_name
    return node(scope, container, "Cast", [variable.full_name], to=TensorProto.DOUBLE)


def _normal_scores(scope, container, scaler, x):
    """Each column of ``x`` through its piecewise-linear map to normal scores.

    A binary search finds the knot k with q_k <= x < q_{k+1} (k = 0 below the
    first knot); then s_k + slope_k (clip(x, q_k, q_{k+1}) − q_k), which is
    ``np.interp`` (flat beyond the ends; padded knots have slope 0).
    """
    knots, scores = scaler.quantiles_, scaler.normal_scores_
    n_columns, n_knots = knots.shape
    if n_knots == 1:  # every column constant or unseen: one score each
        return node(
            scope, container, "Add",
            [node(scope, container, "Mul", [x, constant(scope, container, "zero", np.float64(0.0))]),
             constant(scope, container, "scores", scores[:, 0][np.newaxis])],
        )
    rise, run = np.diff(scores, axis=1), np.diff(knots, axis=1)
    slopes = np.divide(rise, run, out=np.zeros_like(rise), where=run > 0)
    flat_knots = constant(scope, container, "knots", knots.ravel())
    # Row j of the flattened tables starts at j · n_knots.
    offsets = constant(
        scope, container, "offsets", (np.arange(n_columns, dtype=np.int64) * n_knots)[np.newaxis]
    )
    zeros = node(
        scope, container, "ConstantOfShape", [node(scope, container, "Shape", [x])],
        value=make_tensor("zero", TensorProto.INT64, [1], [0]),
    )
    low = node(scope, container, "Add", [zeros, offsets])
    high = node(scope, container, "Add", [low, constant(scope, container, "last", np.int64(n_knots - 1))])
    two = constant(scope, container, "two", np.int64(2))
    for _ in range(math.ceil(math.log2(n_knots - 1))):  # until high = low + 1
        middle = node(scope, container, "Div", [node(scope, container, "Add", [low, high]), two])
        right = node(scope, container, "GreaterOrEqual", [
            x, node(scope, container, "Gather", [flat_knots, middle], axis=0)])
        low = node(scope, container, "Where", [right, middle, low])
        high = node(scope, container, "Where", [right, high, middle])
    # low indexes the flattened knots; the segment tables have n_knots − 1 per row.
    segment = node(scope, container, "Sub", [low, node(scope, container, "Div", [
        low, constant(scope, container, "per_row", np.int64(n_knots))])])

    def at(name, table):
        return _table_lookup(scope, container, name, table.ravel(), segment)

    start = at("start", knots[:, :-1])
    clipped = node(scope, container, "Min", [
        node(scope, container, "Max", [x, start]), at("end", knots[:, 1:])])
    rise_so_far = node(scope, container, "Mul", [
        node(scope, container, "Sub", [clipped, start]), at("slope", slopes)])
    return node(scope, container, "Add", [at("base", scores[:, :-1]), rise_so_far])


def _numeric_block(scope, container, encoder, numeric):
    """(scaled, indicators): the numeric columns scaled and clipped (NaN → 0), float64."""
    scaler = encoder.numeric_scaler_
    missing = node(scope, container, "IsNaN", [numeric])
    if scaler.quantiles_ is not None:
        # NaN compares false and would be carried along; it is replaced at the end.
        numeric = _normal_scores(scope, container, scaler, numeric)
    center = constant(scope, container, "median", scaler.center_[np.newaxis])
    inverse = constant(
        scope, container, "inverse_scale", (1.0 / scaler.scale_)[np.newaxis]
    )
    z = node(
        scope,
        container,
        "Mul",
        [node(scope, container, "Sub", [numeric, center]), inverse],
    )
    if scaler.max_abs is not None:
        # z / sqrt(1 + (z / max_abs)²), SmoothClipScaler's formula.
        ratio = node(
            scope,
            container,
            "Div",
            [z, constant(scope, container, "max_abs", np.float64(scaler.max_abs))],
        )
        square = node(scope, container, "Mul", [ratio, ratio])
        one = constant(scope, container, "one", np.float64(1.0))
        root = node(
            scope, container, "Sqrt", [node(scope, container, "Add", [one, square])]
        )
        z = node(scope, container, "Div", [z, root])
    zero = constant(scope, container, "zero", np.float64(0.0))
    scaled = node(scope, container, "Where", [missing, zero, z])
    flagged = (
        np.flatnonzero(encoder._numeric_had_missing)
        if encoder.missing_indicator
        else []
    )
    indicators = None
    if len(flagged):
        picked = node(
            scope,
            container,
            "Gather",
            [
                missing,
                constant(scope, container, "flagged", np.asarray(flagged, np.int64)),
            ],
            axis=1,
        )
        indicators = node(scope, container, "Cast", [picked], to=TensorProto.DOUBLE)
    return scaled, indicators


def _encoded_table(scope, container, model, inputs, dtype):
    """The encoder's output, (n_samples, n_features_out_) in ``dtype``."""
    encoder = model.encoder_
    is_categorical = encoder.is_categorical_
    numeric_index = np.flatnonzero(~is_categorical)
    pieces, widths = [], []  # float64 blocks, concatenated then reordered
    if is_categorical.any() and len(inputs) != encoder.n_features_in_:
        raise ValueError(
            f"{type(model).__name__} has categorical columns: its graph takes one input "
            f"per column ({encoder.n_features_in_}), not {len(inputs)}. Convert the "
            "estimator itself with skbp.onnx.to_onnx and a DataFrame of its columns."
        )
    if len(inputs) == 1 and not is_categorical.any():
        numeric = _double(
            scope, container, inputs[0]
        )  # the array input X, or one column
    elif numeric_index.size:
        columns = [_double(scope, container, inputs[i]) for i in numeric_index]
        numeric = (
            columns[0]
            if len(columns) == 1
            else node(scope, container, "Concat", columns, axis=1)
        )
    if numeric_index.size:
        scaled, indicators = _numeric_block(scope, container, encoder, numeric)
        pieces.append(scaled)
        widths.append(numeric_index.size)
        if indicators is not None:
            pieces.append(indicators)
            widths.append(int(encoder._numeric_had_missing.sum()))
    # Where each input column's outputs sit in the concatenation of the pieces.
    offsets = np.cumsum([0, *widths])
    numeric_start, indicator_start = offsets[0], offsets[1] if len(widths) > 1 else None
    category_tables = {}
    start = offsets[-1]
    for i in np.flatnonzero(is_categorical):
        levels = encoder.categories_[i]
        keys = _level_keys(
            encoder.feature_names_in_[i]
            if hasattr(encoder, "feature_names_in_")
            else i,
            levels,
        )
        table = _category_table(encoder, i, levels)
        rows = node(
            scope,
            container,
            "LabelEncoder",
            [inputs[i].full_name],
            keys_strings=keys + [MISSING_TEXT],
            values_int64s=list(range(len(keys) + 1)),
            default_int64=len(keys) + 1,
            **_ML_DOMAIN,
        )
        pieces.append(_table_rows(scope, container, "category_table", table, rows, table.shape[1]))
        category_tables[i] = (start, table.shape[1])
        start += table.shape[1]
    order, numeric_j, indicator_j = [], 0, 0
    for i, encoding in enumerate(encoder.encodings_):
        if encoding == "numeric":
            order.append(numeric_start + numeric_j)
            if encoder.missing_indicator and encoder._numeric_had_missing[numeric_j]:
                order.append(indicator_start + indicator_j)
                indicator_j += 1
            numeric_j += 1
        else:
            first, width = category_tables[i]
            order.extend(range(first, first + width))
    table = (
        pieces[0]
        if len(pieces) == 1
        else node(scope, container, "Concat", pieces, axis=1)
    )
    table = node(scope, container, "Cast", [table], to=np_dtype_to_tensor_dtype(dtype))
    index = constant(scope, container, "column_order", np.asarray(order, np.int64))
    return node(scope, container, "Gather", [table, index], axis=1)


# ----------------------------------------------------------------- network
def _periodic_embedding(scope, container, layer, a):
    """[x, e]: e_jd = Σ_k cos(2π w_jk x_j + b_jk) V_jkd + c_jd for the embedded columns."""
    w, b, V, c = layer.params
    j, k = w.shape
    if j == 0:
        return a
    x = _columns(scope, container, "embedded", a, layer.index)
    x = node(
        scope,
        container,
        "Reshape",
        [x, constant(scope, container, "shape", np.array([0, j, 1], np.int64))],
    )
    two_pi_w = (2.0 * math.pi * w).astype(w.dtype)
    u = node(
        scope, container, "Mul", [x, constant(scope, container, "two_pi_w", two_pi_w)]
    )
    u = node(scope, container, "Add", [u, constant(scope, container, "phase", b)])
    cos_u = node(scope, container, "Cos", [u])
    # (n, J, 1, K) × (J, K, D) → (n, J, 1, D): each feature's own map, one MatMul.
    cos_u = node(
        scope,
        container,
        "Reshape",
        [cos_u, constant(scope, container, "shape", np.array([0, j, 1, k], np.int64))],
    )
    e = node(
        scope,
        container,
        "MatMul",
        [cos_u, constant(scope, container, "embedding_map", V)],
    )
    e = node(
        scope,
        container,
        "Reshape",
        [e, constant(scope, container, "shape", np.array([0, c.size], np.int64))],
    )
    e = node(
        scope,
        container,
        "Add",
        [e, constant(scope, container, "embedding_bias", c.ravel())],
    )
    return node(scope, container, "Concat", [a, e], axis=1)


def _categorical_embedding(scope, container, layer, a):
    """[x without the coded columns, E[o_j + r_j] for each coded column j]."""
    (table,) = layer.params
    j, d = layer.index.size, table.shape[1]
    if j == 0:
        return a
    codes = _columns(scope, container, "coded", a, layer.index)
    rows = node(scope, container, "Cast", [codes], to=TensorProto.INT64)  # whole numbers
    rows = node(
        scope,
        container,
        "Add",
        [rows, constant(scope, container, "table_offsets", layer.offsets.astype(np.int64))],
    )
    # One Gather over the stacked tables: (n, J) row indices → (n, J·D).
    e = _table_rows(scope, container, "categorical_table", table, rows, j * d)
    if layer.kept.size == 0:
        return e
    kept = _columns(scope, container, "kept", a, layer.kept)
    return node(scope, container, "Concat", [kept, e], axis=1)


def _tabular_logits(scope, container, model, inputs):
    """Z^L of the fitted network, from the raw columns."""
    network = model._fitted_network()
    dtype = network.dtype
    activation = _hidden_activation_op(network.activation_name)
    a = _encoded_table(scope, container, model, inputs, dtype)
    for layer in network.front:
        if isinstance(layer, CategoricalEmbedding):
            a = _categorical_embedding(scope, container, layer, a)
        elif isinstance(layer, PeriodicEmbedding):
            a = _periodic_embedding(scope, container, layer, a)
        elif isinstance(layer, FeatureScaling):
            a = node(
                scope,
                container,
                "Mul",
                [a, constant(scope, container, "feature_scale", layer.params[0])],
            )
        else:
            raise ValueError(
                f"The front layer {type(layer).__name__} has no ONNX graph in skbp.onnx."
            )
    for index, (coef, intercept) in enumerate(zip(network.coefs, network.intercepts)):
        weights = constant(scope, container, f"coefficient{index}", coef)
        bias = constant(scope, container, f"intercept{index}", intercept)
        z = node(scope, container, "Gemm", [a, weights, bias])
        if index == network.n_layers - 1:
            return z
        a = _activate(scope, container, activation, z, dtype)
        if network.alphas is not None:  # z + α (f(z) − z)
            alpha = constant(scope, container, f"alpha{index}", network.alphas[index])
            change = node(
                scope, container, "Mul", [node(scope, container, "Sub", [a, z]), alpha]
            )
            a = node(scope, container, "Add", [change, z])


# -------------------------------------------------------------- converters
def _check_inputs(operator):
    check_input_and_output_numbers(
        operator, input_count_range=[1, None], output_count_range=[1, 2]
    )
    check_input_and_output_types(
        operator, good_input_types=[DoubleTensorType, FloatTensorType, StringTensorType]
    )


def _classifier_shapes(operator):
    _check_inputs(operator)
    _set_classifier_output_types(operator)


def _convert_classifier(scope, operator, container):
    logits = _tabular_logits(scope, container, operator.raw_operator, operator.inputs)
    _classifier_outputs(scope, operator, container, logits)


def _regressor_shapes(operator):
    _check_inputs(operator)
    model = operator.raw_operator
    n_rows = operator.inputs[0].get_first_dimension()
    # float64, as predict returns it (the target's units can be large).
    operator.outputs[0].set_type(DoubleTensorType([n_rows, model.n_outputs_]))


def _convert_regressor(scope, operator, container):
    """z^L · target_scale_ + target_mean_, clipped to target_range_, as ``predict``."""
    model = operator.raw_operator
    logits = _tabular_logits(scope, container, model, operator.inputs)
    y = node(scope, container, "Cast", [logits], to=TensorProto.DOUBLE)
    y = node(
        scope,
        container,
        "Mul",
        [y, constant(scope, container, "target_scale", model.target_scale_)],
    )
    y = node(
        scope,
        container,
        "Add",
        [y, constant(scope, container, "target_mean", model.target_mean_)],
    )
    if model.clip_predictions:
        y = node(
            scope,
            container,
            "Min",
            [y, constant(scope, container, "target_max", model.target_range_[1])],
        )
        y = node(
            scope,
            container,
            "Max",
            [y, constant(scope, container, "target_min", model.target_range_[0])],
        )
    node(scope, container, "Identity", [y], operator.outputs[0].full_name)


skl2onnx.update_registered_converter(
    TabularMLPClassifier,
    "SkbpTabularMLPClassifier",
    _classifier_shapes,
    _convert_classifier,
    options=CLASSIFIER_OPTIONS,
)

skl2onnx.update_registered_converter(
    TabularMLPRegressor,
    "SkbpTabularMLPRegressor",
    _regressor_shapes,
    _convert_regressor,
)
