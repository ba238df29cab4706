"""Export skbp models to ONNX, through skl2onnx.

Importing this module registers converters for
:class:`~skbp.BackpropMLPClassifier` and :class:`~skbp.BackpropMLPRegressor`
with skl2onnx, so that ``skl2onnx.to_onnx`` and ``skl2onnx.convert_sklearn``
accept them on their own and as a step of a
:class:`~sklearn.pipeline.Pipeline`. :func:`to_onnx` does the import and the
conversion in one call.

The graph is built from the fitted attributes and computes what ``predict``
(and the classifier's ``predict_proba``) compute, in the dtype of the weights:

* every layer is one ``Gemm`` node, Z = A W + b, followed by the hidden
  activation (``Relu``, ``Tanh``, ``Sigmoid`` or ``Identity``) except after
  the last layer;
* the output layer is ``Softmax`` (multiclass), ``Sigmoid`` with the
  probabilities ``[1 - p, p]`` (binary), one ``Sigmoid`` per label
  (multilabel), or a column of ones (a model fitted on a single class);
* the labels come from the logits Z^L, as in ``predict``: their argmax
  (multiclass and single-class), their sign (binary), or the indicator matrix
  of their signs (multilabel);
* the regressor outputs z^L (``out_activation_ == 'identity'``) or, for the
  log link of the Poisson and gamma losses (``'exp'``), exp of z^L clipped
  as ``predict`` clips it, to ±44 in float32 and ±354 in float64; its one
  output, ``variable``, has shape (n_samples, n_outputs), also for a single
  output, as skl2onnx gives it for scikit-learn's regressors.

The classifier's converter takes skl2onnx's usual classifier options: ``zipmap`` (True,
False or ``'columns'``), ``nocl`` and ``output_class_labels``.

A TransformedTargetRegressor around a BackpropMLPRegressor with a
StandardScaler on the target (the command line's regressors) gets a converter
too, and a model fitted on a DataFrame whose columns it selects by name gets
one input per column (see :func:`to_onnx`; :func:`frame_inputs` feeds them).
"""

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_array, check_is_fitted

try:
    import skl2onnx
    from onnx import TensorProto
    from onnx.helper import make_tensor, np_dtype_to_tensor_dtype
    from skl2onnx.common.data_types import (
        BooleanTensorType,
        DoubleTensorType,
        FloatTensorType,
        Int64TensorType,
        StringTensorType,
    )
    from skl2onnx.common.utils import (
        check_input_and_output_numbers,
        check_input_and_output_types,
    )
    from skl2onnx.common.utils_classifier import get_label_classes
except ImportError as exc:
    raise ImportError(
        'skbp.onnx needs skl2onnx and onnx; install them with: pip install "skbp[onnx]"'
    ) from exc

from ._engine.activations import ACTIVATIONS, SELU, exp_limit
from ._estimators.classifier import BackpropMLPClassifier
from ._estimators.regressor import BackpropMLPRegressor
from ._tools.onnx_frames import (
    column_inputs,
    frame_inputs,
    is_text,
    restore_input_names,
    selects_columns_by_name,
    with_onnx_imputers,
)
from ._tools.onnx_graph import TENSOR_TYPES, constant, node

__all__ = ["frame_inputs", "to_onnx"]

def _selu(scope, container, z, dtype):
    """λ max(z, 0) + λ α_s (exp(min(z, 0)) − 1), as the engine's SELU."""
    scale = constant(scope, container, "selu_scale", np.asarray(SELU.scale, dtype))
    scale_alpha = constant(
        scope, container, "selu_scale_alpha", np.asarray(SELU.scale * SELU.alpha, dtype)
    )
    zero = constant(scope, container, "zero", np.zeros((), dtype))
    one = constant(scope, container, "one", np.ones((), dtype))
    below = node(scope, container, "Exp", [node(scope, container, "Min", [z, zero])])
    below = node(scope, container, "Mul", [node(scope, container, "Sub", [below, one]), scale_alpha])
    above = node(scope, container, "Mul", [node(scope, container, "Max", [z, zero]), scale])
    return node(scope, container, "Add", [below, above])


def _mish(scope, container, z, dtype):
    """z tanh(softplus(z)), softplus(z) = max(z, 0) + log(1 + exp(−|z|)) (no overflow)."""
    zero = constant(scope, container, "zero", np.zeros((), dtype))
    one = constant(scope, container, "one", np.ones((), dtype))
    tail = node(scope, container, "Exp", [node(scope, container, "Neg", [
        node(scope, container, "Abs", [z])])])
    softplus = node(scope, container, "Add", [
        node(scope, container, "Max", [z, zero]),
        node(scope, container, "Log", [node(scope, container, "Add", [one, tail])]),
    ])
    return node(scope, container, "Mul", [z, node(scope, container, "Tanh", [softplus])])


#: The ONNX operator of each hidden activation of skbp that has one, or the
#: function adding its nodes: onnxruntime runs ``Selu``, ``Elu`` and
#: ``Softplus`` on float only, so SELU and Mish are written with elementary
#: operators, which run on double too.
_ONNX_ACTIVATIONS = {
    "identity": "Identity",
    "logistic": "Sigmoid",
    "tanh": "Tanh",
    "relu": "Relu",
    "selu": _selu,
    "mish": _mish,
}


def _activate(scope, container, op, z, dtype):
    """a = σ(z), ``op`` being what :func:`_hidden_activation_op` returned."""
    if callable(op):
        return op(scope, container, z, dtype)
    return node(scope, container, op, [z])


#: The ONNX operator of each output activation of the regressor; exp is
#: applied to the clipped net input.
_ONNX_REGRESSOR_OUTPUTS = {"identity": "Identity", "exp": "Exp"}


def _hidden_activation_op(activation):
    if activation in ACTIVATIONS and activation in _ONNX_ACTIVATIONS:
        return _ONNX_ACTIVATIONS[activation]
    convertible = sorted(set(ACTIVATIONS) & set(_ONNX_ACTIVATIONS))
    raise ValueError(
        f"activation={activation!r} has no ONNX mapping in skbp.onnx; models with "
        f"activation in {convertible} can be converted."
    )


def _mlp_logits(scope, container, model, source):
    """Z^L, the net input of the output layer, computed in the weights' dtype.

    This is the part of the graph every skbp network shares (the forward pass of
    ``skbp._engine.network.forward_logits``); the output activation and what is
    read from it belong to the estimator's converter. ``source`` is the graph
    variable holding X.
    """
    hidden_op = _hidden_activation_op(model.activation)
    dtype = model.coefs_[0].dtype
    a = source.full_name
    if not isinstance(source.type, TENSOR_TYPES[dtype]):
        a = node(scope, container, "Cast", [a], to=np_dtype_to_tensor_dtype(dtype))
    last = len(model.coefs_) - 1
    for layer, (coef, intercept) in enumerate(zip(model.coefs_, model.intercepts_)):
        weights = constant(scope, container, f"coefficient{layer}", coef)
        bias = constant(scope, container, f"intercept{layer}", intercept)
        z = node(scope, container, "Gemm", [a, weights, bias])
        a = _activate(scope, container, hidden_op, z, dtype) if layer < last else z
    return a


def _onnx_labels(scope, model):
    """The class labels as the graph outputs them: int64 or strings (nocl: indices)."""
    classes = np.asarray(get_label_classes(scope, model))
    if classes.dtype.kind not in "biuf":
        return classes.astype(str)
    # scikit-learn accepts float labels only when they are integers; ONNX's
    # labels are int64, which a cast would silently wrap beyond its range.
    info = np.iinfo(np.int64)
    outside = [
        label for label in model.classes_.ravel()
        if not info.min <= int(label) <= info.max
    ] if classes.dtype.kind in "uf" else []
    if outside:
        raise ValueError(
            f"class labels {outside[:5]} do not fit in the int64 labels of an ONNX "
            f"classifier (from {info.min} to {info.max}); encode the labels (for "
            "instance as strings, or with sklearn.preprocessing.LabelEncoder) and fit again."
        )
    return classes.astype(np.int64)


def _probability_dtype(scope, model):
    """dtype of the probabilities: the weights' dtype, float32 if a ZipMap follows.

    ONNX's ZipMap operator takes float tensors only, so a float64 model whose
    probabilities become a list of dictionaries (``zipmap=True``) casts them.
    """
    if scope.get_options(model, dict(zipmap=True))["zipmap"] is True:
        return np.dtype(np.float32)
    return model.coefs_[0].dtype


def _target_kind(model):
    """Which output layer ``predict_proba`` applies to the logits."""
    if model.out_activation_ == "softmax":
        return "multiclass"
    if model._label_binarizer.y_type_ == "multilabel-indicator":
        return "multilabel"
    return "single-class" if len(model.classes_) == 1 else "binary"


def _classifier_output_shapes(operator):
    check_input_and_output_numbers(operator, input_count_range=1, output_count_range=2)
    check_input_and_output_types(
        operator,
        good_input_types=[FloatTensorType, DoubleTensorType, Int64TensorType, BooleanTensorType],
    )
    _set_classifier_output_types(operator)


def _set_classifier_output_types(operator):
    """Types of the labels and probabilities, for the rows of the first input."""
    model = operator.raw_operator
    scope = operator.scope_inst
    n_rows = operator.inputs[0].get_first_dimension()
    labels = _onnx_labels(scope, model)
    label_type = StringTensorType if labels.dtype.kind == "U" else Int64TensorType
    multilabel = _target_kind(model) == "multilabel"
    operator.outputs[0].set_type(label_type([n_rows, len(labels)] if multilabel else [n_rows]))
    proba_type = TENSOR_TYPES[_probability_dtype(scope, model)]
    operator.outputs[1].set_type(proba_type([n_rows, len(labels)]))


def _classifier_probabilities(scope, container, model, logits):
    """``predict_proba`` from the logits, in the weights' dtype."""
    kind = _target_kind(model)
    dtype = model.coefs_[0].dtype
    if kind == "multiclass":
        # onnxruntime shifts each row by its maximum, as predict_proba does, so
        # logits beyond the range of exp (88 in float32) stay finite.
        return node(scope, container, "Softmax", [logits], axis=1)
    if kind == "multilabel":
        return node(scope, container, "Sigmoid", [logits])
    if kind == "single-class":
        one = make_tensor("value", np_dtype_to_tensor_dtype(dtype), [1], [1])
        shape = node(scope, container, "Shape", [logits])
        return node(scope, container, "ConstantOfShape", [shape], value=one)
    positive = node(scope, container, "Sigmoid", [logits])
    one = constant(scope, container, "one", np.ones((), dtype))
    negative = node(scope, container, "Sub", [one, positive])
    return node(scope, container, "Concat", [negative, positive], axis=1)


def _classifier_labels(scope, container, model, logits, output):
    """``predict`` from the logits, written to ``output``.

    As in ``predict``, the labels are read from the logits, not from the
    probabilities: a probability can round to exactly 0.5, or tie with another,
    where the logits still differ.
    """
    kind = _target_kind(model)
    if kind in ("multilabel", "binary"):
        zero = constant(scope, container, "zero", np.zeros((), model.coefs_[0].dtype))
        positive = node(scope, container, "Greater", [logits, zero])
        if kind == "multilabel":  # the indicator matrix
            return node(scope, container, "Cast", [positive], output, to=TensorProto.INT64)
        column = node(scope, container, "Cast", [positive], to=TensorProto.INT64)
        flat = constant(scope, container, "flat", np.array([-1], dtype=np.int64))
        index = node(scope, container, "Reshape", [column, flat])
    else:
        # One logit per class; a single-class model has one column, so index 0.
        index = node(scope, container, "ArgMax", [logits], axis=1, keepdims=0)
    labels = constant(scope, container, "classes", _onnx_labels(scope, model))
    return node(scope, container, "Gather", [labels, index], output, axis=0)


def _convert_classifier(scope, operator, container):
    model = operator.raw_operator
    logits = _mlp_logits(scope, container, model, operator.inputs[0])
    _classifier_outputs(scope, operator, container, logits)


def _classifier_outputs(scope, operator, container, logits):
    """The operator's labels and probabilities, from the logits."""
    model = operator.raw_operator
    label_out, proba_out = (variable.full_name for variable in operator.outputs)
    proba = _classifier_probabilities(scope, container, model, logits)
    if _probability_dtype(scope, model) == model.coefs_[0].dtype:
        node(scope, container, "Identity", [proba], proba_out)
    else:
        node(scope, container, "Cast", [proba], proba_out, to=TensorProto.FLOAT)
    _classifier_labels(scope, container, model, logits, label_out)


#: skl2onnx's classifier options, which skbp's classifier converters take.
CLASSIFIER_OPTIONS = {
    "zipmap": [True, False, "columns"],
    "nocl": [True, False],
    "output_class_labels": [False, True],
}

skl2onnx.update_registered_converter(
    BackpropMLPClassifier,
    "SkbpBackpropMLPClassifier",
    _classifier_output_shapes,
    _convert_classifier,
    options=CLASSIFIER_OPTIONS,
)


def _regressor_output_shapes(operator):
    check_input_and_output_numbers(operator, input_count_range=1, output_count_range=1)
    check_input_and_output_types(
        operator,
        good_input_types=[FloatTensorType, DoubleTensorType, Int64TensorType, BooleanTensorType],
    )
    model = operator.raw_operator
    n_rows = operator.inputs[0].get_first_dimension()
    output_type = TENSOR_TYPES[model.coefs_[0].dtype]
    operator.outputs[0].set_type(output_type([n_rows, model.n_outputs_]))


def _clip(scope, container, z, limit, dtype):
    """``np.clip(z, -limit, limit)`` as Max(Min(z, limit), -limit).

    Not ``Clip``: its bounds are attributes before opset 11, and onnxruntime
    runs it on doubles only from opset 12 on; Min and Max take both dtypes at
    every opset skl2onnx writes.
    """
    high = constant(scope, container, "exp_limit", np.asarray(limit, dtype))
    low = constant(scope, container, "minus_exp_limit", np.asarray(-limit, dtype))
    below = node(scope, container, "Min", [z, high])
    return node(scope, container, "Max", [below, low])


def _regressor_prediction(scope, container, model, source):
    """``predict`` of a skbp regressor: z^L, or exp(z^L) for the log link."""
    if model.out_activation_ not in _ONNX_REGRESSOR_OUTPUTS:
        raise ValueError(
            f"out_activation_={model.out_activation_!r} has no ONNX mapping in skbp.onnx; "
            f"regressors with out_activation_ in {sorted(_ONNX_REGRESSOR_OUTPUTS)} can be "
            "converted."
        )
    a = _mlp_logits(scope, container, model, source)
    if model.out_activation_ == "exp":
        # predict clips z^L first; unclipped, a large net input would give
        # exp(z), inf or 0 where predict gives exp(±exp_limit).
        dtype = model.coefs_[0].dtype
        a = _clip(scope, container, a, exp_limit(dtype), dtype)
    return node(scope, container, _ONNX_REGRESSOR_OUTPUTS[model.out_activation_], [a])


def _convert_regressor(scope, operator, container):
    model = operator.raw_operator
    prediction = _regressor_prediction(scope, container, model, operator.inputs[0])
    node(scope, container, "Identity", [prediction], operator.outputs[0].full_name)


skl2onnx.update_registered_converter(
    BackpropMLPRegressor,
    "SkbpBackpropMLPRegressor",
    _regressor_output_shapes,
    _convert_regressor,
)


def _scaled_target_regressor(model):
    """The skbp regressor of a TransformedTargetRegressor that skbp.onnx converts.

    The command line's regressors learn a standardised target: a
    TransformedTargetRegressor around a skbp regressor with a StandardScaler
    as ``transformer``. Other target transformations have no converter.
    """
    regressor, transformer = model.regressor_, model.transformer_
    if not isinstance(regressor, BackpropMLPRegressor) or not isinstance(
        transformer, StandardScaler
    ):
        raise ValueError(
            "skbp.onnx converts a TransformedTargetRegressor whose regressor is a "
            "BackpropMLPRegressor and whose transformer is a StandardScaler; got "
            f"{type(regressor).__name__} and {type(transformer).__name__}."
        )
    return regressor


def _scaled_target_output_shapes(operator):
    check_input_and_output_numbers(operator, input_count_range=1, output_count_range=1)
    regressor = _scaled_target_regressor(operator.raw_operator)
    n_rows = operator.inputs[0].get_first_dimension()
    output_type = TENSOR_TYPES[regressor.coefs_[0].dtype]
    operator.outputs[0].set_type(output_type([n_rows, regressor.n_outputs_]))


def _convert_scaled_target(scope, operator, container):
    """The regressor's prediction mapped back to y's units: z · scale_ + mean_."""
    model = operator.raw_operator
    regressor = _scaled_target_regressor(model)
    scaler = model.transformer_
    dtype = regressor.coefs_[0].dtype
    y = _regressor_prediction(scope, container, regressor, operator.inputs[0])
    if scaler.with_std:
        scale = constant(scope, container, "target_scale", scaler.scale_.astype(dtype))
        y = node(scope, container, "Mul", [y, scale])
    if scaler.with_mean:
        mean = constant(scope, container, "target_mean", scaler.mean_.astype(dtype))
        y = node(scope, container, "Add", [y, mean])
    node(scope, container, "Identity", [y], operator.outputs[0].full_name)


skl2onnx.update_registered_converter(
    TransformedTargetRegressor,
    "SkbpTransformedTargetRegressor",
    _scaled_target_output_shapes,
    _convert_scaled_target,
)


def _skbp_estimator(model):
    """The skbp estimator that makes the predictions of ``model``."""
    if isinstance(model, Pipeline):
        return _skbp_estimator(model._final_estimator)
    if isinstance(model, TransformedTargetRegressor):
        return _scaled_target_regressor(model)
    if isinstance(model, (BackpropMLPClassifier, BackpropMLPRegressor)):
        return model
    raise TypeError(
        "skbp.onnx.to_onnx converts a BackpropMLPClassifier, a BackpropMLPRegressor or "
        f"a Pipeline that ends with one, not {type(model).__name__}. For other models, "
        "import skbp.onnx and call skl2onnx.to_onnx."
    )


def to_onnx(model, X, *, options=None, target_opset=None):
    """Convert a fitted skbp estimator, or a Pipeline ending in one, to ONNX.

    Given an array, the ONNX model has one input, ``X``, a float tensor for a
    model trained in float32 and a double tensor for a model trained in
    float64 (whatever the dtype of the ``X`` passed here), of shape
    ``(n_samples, n_features)``.

    Given a pandas DataFrame with text columns, or a model whose
    ColumnTransformer selects columns by name (what the command line's
    ``--save`` writes: imputers, a StandardScaler for the numbers and a
    OneHotEncoder for the text, then the estimator), it has one input per
    column of ``feature_names_in_``, named after it, of shape
    ``(n_samples, 1)``: a string tensor for a text (object, string or
    categorical) column or a column the model's encoders were fitted on as
    text, where the empty string stands for a missing value,
    and a double tensor (float for a float32 model) for a numeric or boolean
    column, where NaN stands for a missing value. :func:`frame_inputs` makes
    these inputs from a DataFrame. A TransformedTargetRegressor around a
    BackpropMLPRegressor with a StandardScaler on the target (the command
    line's regressors) is converted too.

    Its outputs are those skl2onnx gives for scikit-learn's estimators: for a
    classifier the predicted labels and the class probabilities, for a
    regressor the predictions ``variable``, of shape ``(n_samples,
    n_outputs)`` (``(n_samples, 1)`` where ``predict`` returns shape
    ``(n_samples,)``).

    Parameters
    ----------
    model : BackpropMLPClassifier, BackpropMLPRegressor or Pipeline
        The fitted model; a Pipeline's other steps must be convertible by
        skl2onnx (scalers, for instance).

    X : array-like or pandas DataFrame of shape (n_samples, n_features)
        A sample of the input. Only its number of columns is used, and for a
        DataFrame the names and dtypes of its columns.

    options : dict, default=None
        skl2onnx converter options, e.g. ``{"zipmap": False}`` to output a
        classifier's probabilities as a tensor instead of a list of dictionaries (``None``:
        skl2onnx's defaults, ``zipmap=True``). ONNX's ZipMap takes float only:
        with ``zipmap=True`` the dictionaries of a float64 model hold float32
        probabilities, while the labels are computed in float64.

    target_opset : int, default=None
        ONNX opset of the model; ``None`` uses skl2onnx's default.

    Returns
    -------
    onnx_model : onnx.ModelProto
        The converted model, ready for ``onnxruntime.InferenceSession(
        onnx_model.SerializeToString())``.

    Raises
    ------
    TypeError
        If ``model`` is neither a skbp estimator nor a Pipeline ending in one.

    ValueError
        If ``X`` does not have the model's number of features (or, for a model
        fitted on a DataFrame, its columns), or the model's activations or
        labels have no ONNX counterpart (integer labels beyond int64, such as
        unsigned labels >= 2**63).

    See Also
    --------
    frame_inputs : The inputs of such an ONNX model from a DataFrame.
    skl2onnx.to_onnx : The general converter, which this function calls.

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime as ort
    >>> from sklearn.datasets import load_iris
    >>> from skbp import BackpropMLPClassifier
    >>> from skbp.onnx import to_onnx
    >>> X, y = load_iris(return_X_y=True)
    >>> X = X.astype(np.float32)
    >>> clf = BackpropMLPClassifier((16,), max_iter=300, random_state=0).fit(X, y)
    >>> onx = to_onnx(clf, X, options={"zipmap": False})
    >>> session = ort.InferenceSession(onx.SerializeToString(),
    ...                                providers=["CPUExecutionProvider"])
    >>> labels, proba = session.run(None, {"X": X})
    >>> bool(np.abs(proba - clf.predict_proba(X)).max() < 1e-5)
    True
    >>> bool((labels == clf.predict(X)).all())
    True

    A regressor's single output comes out as a column:

    >>> from skbp import BackpropMLPRegressor
    >>> reg = BackpropMLPRegressor(hidden_layer_sizes=(16,), solver="lbfgs",
    ...                            random_state=0).fit(X[:, :3], X[:, 3])
    >>> session = ort.InferenceSession(to_onnx(reg, X[:, :3]).SerializeToString(),
    ...                                providers=["CPUExecutionProvider"])
    >>> (prediction,) = session.run(None, {"X": X[:, :3]})
    >>> prediction.shape
    (150, 1)
    >>> bool(np.abs(prediction[:, 0] - reg.predict(X[:, :3])).max() < 1e-5)
    True
    """
    check_is_fitted(model)
    if hasattr(model, "encoder_"):  # a Tabular estimator encodes the raw table itself
        return _onnx_tabular.to_onnx(model, X, options=options, target_opset=target_opset)
    dtype = _skbp_estimator(model).coefs_[0].dtype
    if hasattr(X, "to_pandas") and not hasattr(X, "iloc"):  # polars
        X = X.to_pandas()
    is_frame = hasattr(X, "dtypes") and hasattr(X, "columns")
    by_name = selects_columns_by_name(model)
    if is_frame and (by_name or any(is_text(column) for column in X.dtypes)):
        inputs = column_inputs(model, X, dtype)
        onnx_model = skl2onnx.to_onnx(
            with_onnx_imputers(model), initial_types=inputs,
            options=options, target_opset=target_opset,
        )
        return restore_input_names(onnx_model, [name for name, _ in inputs])
    if by_name:
        raise ValueError(
            "The model selects columns by name (it was fitted on a DataFrame with columns "
            f"{list(getattr(model, 'feature_names_in_', []))}): pass a sample of its input "
            "as a pandas DataFrame, whose column dtypes give the ONNX inputs."
        )
    X = check_array(X, dtype=dtype)
    n_features = getattr(model, "n_features_in_", None)
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(
            f"X has {X.shape[1]} features, but the model was fitted with {n_features} "
            "features; pass a sample of the model's input."
        )
    return skl2onnx.to_onnx(model, X[:1], options=options, target_opset=target_opset)


# The Tabular estimators' converters (encoder, front layers, parametric
# activations) use the helpers above; importing the module registers them.
from ._tools import onnx_tabular as _onnx_tabular  # noqa: E402
