"""Nodes and constants of a skl2onnx graph, for skbp's converters (:mod:`skbp.onnx`)."""

import numpy as np
from onnx import TensorProto
from onnx.helper import np_dtype_to_tensor_dtype
from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType

#: The tensor type of each dtype a network computes in.
TENSOR_TYPES = {np.dtype(np.float32): FloatTensorType, np.dtype(np.float64): DoubleTensorType}


def node(scope, container, op_type, inputs, output=None, **attrs):
    """Add one node to the graph and return the name of its output."""
    output = output or scope.get_unique_variable_name(op_type.lower())
    container.add_node(
        op_type, inputs, output, name=scope.get_unique_operator_name(op_type), **attrs
    )
    return output


def constant(scope, container, name, value):
    """Add an initializer holding ``value`` and return its name."""
    value = np.asarray(value)
    tensor_name = scope.get_unique_variable_name(name)
    if value.dtype.kind in "OUS":
        onnx_type, content = TensorProto.STRING, [str(v).encode("utf-8") for v in value.ravel()]
    else:
        onnx_type, content = np_dtype_to_tensor_dtype(value.dtype), value.ravel()
    container.add_initializer(tensor_name, onnx_type, list(value.shape), content)
    return tensor_name
