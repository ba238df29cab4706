"""ONNX for a model fitted on a pandas DataFrame: one input per column, imputers, feeds.

A pipeline whose ColumnTransformer picks columns by name (what ``skbp train
--model mlp`` saves) cannot take one tensor X: skl2onnx needs one input per column, named
after it and typed by what the column holds. This module builds these
inputs, converts the pipeline's SimpleImputers (skl2onnx's converter does not
run on double columns in onnxruntime, nor take NaN as a text's missing
value), and turns a DataFrame into the inputs of such a model.
"""

import copy
import numbers

import numpy as np
from onnx import TensorProto
from skl2onnx import update_registered_converter
from skl2onnx.common.data_types import FloatTensorType, StringTensorType
from skl2onnx.operator_converters.common import concatenate_variables
from skl2onnx.operator_converters.imputer_op import convert_sklearn_imputer
from skl2onnx.shape_calculators.imputer import calculate_sklearn_imputer_output_shapes
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline

from .onnx_graph import TENSOR_TYPES, constant, node

__all__ = ["column_inputs", "frame_inputs", "is_text", "selects_columns_by_name",
           "with_onnx_imputers"]


def _steps(model):
    """``model`` and every fitted estimator inside it, depth first."""
    yield model
    if isinstance(model, Pipeline):
        inner = [step for _, step in model.steps]
    elif isinstance(model, ColumnTransformer):
        inner = [step for _, step, _ in model.transformers_]
    elif isinstance(model, TransformedTargetRegressor):
        inner = [model.regressor_]
    else:
        inner = []
    for step in inner:
        if step not in ("drop", "passthrough"):
            yield from _steps(step)


def selects_columns_by_name(model):
    """Whether a ColumnTransformer in ``model`` picks its columns by their names."""
    for step in _steps(model):
        if isinstance(step, ColumnTransformer):
            for _, _, columns in step.transformers_:
                names = [columns] if isinstance(columns, str) else columns
                if any(isinstance(name, str) for name in np.ravel(names)):
                    return True
    return False


def _text_columns(model):
    """Names of the columns that a ColumnTransformer of ``model`` encodes as text.

    Those whose first fitted step is an imputer or encoder fitted on strings:
    the command line reads its ``--categorical`` columns as text even when
    they hold numbers, so the column's dtype in a DataFrame read otherwise
    does not tell.
    """
    text = set()
    for step in _steps(model):
        if not isinstance(step, ColumnTransformer):
            continue
        for _, transformer, columns in step.transformers_:
            first = transformer.steps[0][1] if isinstance(transformer, Pipeline) else transformer
            fitted = [getattr(first, "statistics_", None)]
            fitted += list(getattr(first, "categories_", []))
            if any(values is not None and np.asarray(values).dtype.kind in "OUS"
                   for values in fitted):
                text.update(np.ravel([columns]).tolist())
    return text


def is_text(dtype):
    """Whether a pandas column of ``dtype`` holds text (object, string, categorical)."""
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    return not (is_numeric_dtype(dtype) or is_bool_dtype(dtype))


def column_inputs(model, frame, dtype):
    """One ONNX input per column of ``frame``, named after it, typed by its dtype.

    Numeric and boolean columns become tensors of the network's dtype (double
    or float), text columns (and the columns the model encodes as text) string
    tensors; each has shape (n_samples, 1).
    """
    fitted_names = getattr(model, "feature_names_in_", None)
    names = [str(name) for name in frame.columns]
    if fitted_names is not None and names != list(fitted_names):
        missing = [name for name in fitted_names if name not in names]
        extra = [name for name in names if name not in fitted_names]
        raise ValueError(
            "X must have the columns the model was fitted on, in the same order: "
            f"{list(fitted_names)}; missing {missing}, unknown {extra}."
        )
    inputs, text = [], _text_columns(model)
    for name, column_dtype in zip(names, frame.dtypes):
        if name in text or is_text(column_dtype):
            inputs.append((name, StringTensorType([None, 1])))
        else:
            inputs.append((name, TENSOR_TYPES[dtype]([None, 1])))
    return inputs


class _ImputerForOnnx(SimpleImputer):
    """A fitted SimpleImputer that the converter below turns into ONNX.

    skl2onnx's own converter writes ONNX-ML's ``Imputer``, which onnxruntime
    runs on float only (not on the double columns of a float64 model), and
    converts a text imputer only if its missing value is a string, while pandas
    writes a missing text as NaN, which a string tensor cannot hold.
    :func:`to_onnx` gives its model's imputers this class, on a copy.
    """


def _convert_imputer(scope, operator, container):
    """Missing entries replaced by ``statistics_``.

    Numbers: ``Where(IsNaN(x), statistics_, x)`` in the input's dtype. Text:
    skl2onnx's converter, with the empty string as the missing value.
    """
    imputer = operator.raw_operator
    if imputer.add_indicator:
        raise ValueError(
            "skbp.onnx does not convert a SimpleImputer with add_indicator=True."
        )
    if np.any(np.asarray(imputer.statistics_ != imputer.statistics_)):
        raise ValueError(
            "A SimpleImputer of the model has a column without any observed value, "
            "which it drops; skbp.onnx does not convert such an imputer."
        )
    source = concatenate_variables(scope, operator.inputs, container)
    if isinstance(operator.inputs[0].type, StringTensorType):
        imputer = copy.copy(imputer)
        imputer.missing_values = ""
        operator.raw_operator = imputer
        convert_sklearn_imputer(scope, operator, container)
        return
    is_missing = imputer.missing_values
    if not (isinstance(is_missing, numbers.Real) and np.isnan(is_missing)):
        raise ValueError(
            f"skbp.onnx converts a numeric SimpleImputer whose missing_values is NaN; "
            f"got {is_missing!r}."
        )
    dtype = np.float32 if isinstance(operator.inputs[0].type, FloatTensorType) else np.float64
    missing = node(scope, container, "IsNaN", [source])
    fill = constant(scope, container, "imputed", imputer.statistics_.astype(dtype)[np.newaxis])
    node(scope, container, "Where", [missing, fill, source], operator.outputs[0].full_name)


def _imputer_output_shapes(operator):
    """The inputs' type, one column per input column (skl2onnx's default is float)."""
    operator.outputs[0].type = type(operator.inputs[0].type)()
    calculate_sklearn_imputer_output_shapes(operator)


update_registered_converter(
    _ImputerForOnnx,
    "SkbpSimpleImputer",
    _imputer_output_shapes,
    _convert_imputer,
)


def with_onnx_imputers(model):
    """``model``, or a copy whose SimpleImputers are :class:`_ImputerForOnnx`."""
    if not any(type(step) is SimpleImputer for step in _steps(model)):
        return model
    model = copy.deepcopy(model)
    for step in _steps(model):
        if type(step) is SimpleImputer:
            step.__class__ = _ImputerForOnnx
    return model


#: The numpy dtype an ONNX model expects for each of its input tensor types.
_FEED_DTYPES = {TensorProto.DOUBLE: np.float64, TensorProto.FLOAT: np.float32,
                TensorProto.INT64: np.int64, TensorProto.STRING: object}


def restore_input_names(onnx_model, names):
    """``onnx_model`` with its inputs named ``names``, the DataFrame's columns.

    skl2onnx turns an input's name into an identifier ("size cm" becomes
    "size_cm"), after which :func:`frame_inputs` would not find the column;
    ONNX itself takes any string as a name.
    """
    graph, renamed = onnx_model.graph, {}
    for graph_input, name in zip(graph.input, names):
        if graph_input.name != name:
            renamed[graph_input.name] = name
            graph_input.name = name
    for graph_node in graph.node:
        for position, name in enumerate(graph_node.input):
            if name in renamed:
                graph_node.input[position] = renamed[name]
    return onnx_model


def frame_inputs(onnx_model, frame):
    """The inputs of an ONNX model made by :func:`to_onnx`, from a DataFrame.

    Each input named after a column gets that column as an ``(n_samples, 1)``
    array of the input's dtype; a text column's missing values become the
    empty string, which the model imputes as the original imputer did.

    Parameters
    ----------
    onnx_model : onnx.ModelProto
        A model returned by :func:`to_onnx` for a DataFrame's input (one input
        per column).

    frame : pandas DataFrame
        The rows to predict, with (at least) the model's columns.

    Returns
    -------
    inputs : dict of str to ndarray
        ``{column: values}``, for ``onnxruntime.InferenceSession.run(None, inputs)``.

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime as ort
    >>> import pandas as pd
    >>> from sklearn.compose import make_column_transformer
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import OneHotEncoder, StandardScaler
    >>> from skbp import BackpropMLPClassifier
    >>> from skbp.onnx import frame_inputs, to_onnx
    >>> frame = pd.DataFrame({"size": [1.0, 2.5, 0.3, 4.1] * 5,
    ...                       "colour": ["red", "blue", "red", "green"] * 5})
    >>> y = [0, 1, 0, 1] * 5
    >>> model = make_pipeline(
    ...     make_column_transformer((StandardScaler(), ["size"]),
    ...                             (OneHotEncoder(), ["colour"])),
    ...     BackpropMLPClassifier((4,), max_iter=50, random_state=0)).fit(frame, y)
    >>> onx = to_onnx(model, frame, options={"zipmap": False})
    >>> [i.name for i in onx.graph.input]
    ['size', 'colour']
    >>> session = ort.InferenceSession(onx.SerializeToString(),
    ...                                providers=["CPUExecutionProvider"])
    >>> labels, proba = session.run(None, frame_inputs(onx, frame))
    >>> bool(np.abs(proba - model.predict_proba(frame)).max() < 1e-12)
    True
    """
    inputs = {}
    for graph_input in onnx_model.graph.input:
        name = graph_input.name
        if name not in frame.columns:
            raise ValueError(f"frame has no column {name!r}, an input of the ONNX model.")
        dtype = _FEED_DTYPES[graph_input.type.tensor_type.elem_type]
        column = frame[[name]]
        if dtype is object:
            values = column.astype(object).where(column.notna(), "").astype(str)
            inputs[name] = values.to_numpy().astype(object)
        else:
            inputs[name] = column.to_numpy(dtype=dtype, na_value=np.nan)
    return inputs
