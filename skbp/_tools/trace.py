"""Backpropagation of one or a few samples, quantity by quantity, in the lecture's notation.

:func:`trace_backprop` runs the engine's own forward pass and BP1–BP2 on a
few samples of a fitted estimator and hands back every intermediate
quantity, so that a reader can watch — and recompute by hand — what one
training step computes.

The engine stores a batch as rows and ``coefs_[l-1]`` with shape
(fan_in, fan_out): Z^l = A^{l−1} W + b.  The lecture writes one sample as a
column vector and W^l with shape (M_l, M_{l−1}): z^l = W^l a^{l−1} + b^l.  The
trace is in the lecture's orientation, so

    W^l = coefs_[l-1].T,     b^l = intercepts_[l-1] as a column,

and its gradients are the per-sample ∂C_n/∂W^l = δ^l (a^{l−1})ᵀ (BP4), the
transpose of the engine's layout.  Their mean over the traced samples is the
gradient training computes for a batch of these samples.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike
from sklearn.utils.validation import check_is_fitted

from .._engine.network import Workspace, _layer_views
from .._engine.regularization import make_penalty
from .._estimators.base import BaseBackpropMLP
from .gradcheck import (
    _estimator_penalty,
    _final_estimator,
    _network_from_estimator,
    validated_data,
)

__all__ = ["trace_backprop"]

#: How the output activation a^L = σ^L(z^L) reads, by ``out_activation_``.
_OUTPUT_FORMULA = {
    "softmax": "softmax(z^{l})",
    "logistic": "logistic(z^{l})",
    "identity": "z^{l} (identity)",
    "exp": "exp(z^{l})",
}


#: The fields of a LayerTrace that hold one value per sample.
_PER_SAMPLE = ("a_prev", "z", "a", "sigma_prime", "delta", "grad_W", "grad_b")


@dataclass(frozen=True)
class LayerTrace:
    """The quantities of weight layer l (1..L) for the traced samples.

    Vectors are column vectors of shape (M, 1); with several samples every
    per-sample field (``_PER_SAMPLE``) has a leading sample axis, e.g.
    (n_samples, M_l, 1) and, for ``grad_W``, (n_samples, M_l, M_{l−1}).
    ``W`` and ``b`` are the layer's parameters, shared by the samples.
    The fields are described in :func:`trace_backprop`; see
    :class:`BackpropTrace` for an example.
    """

    index: int
    activation: str
    W: np.ndarray
    b: np.ndarray
    a_prev: np.ndarray
    z: np.ndarray
    a: np.ndarray
    sigma_prime: np.ndarray | None
    delta: np.ndarray
    grad_W: np.ndarray
    grad_b: np.ndarray

    def sample(self, n):
        """The layer for sample n alone (its per-sample fields without the sample axis)."""
        return replace(
            self,
            **{
                name: getattr(self, name)[n]
                for name in _PER_SAMPLE
                if getattr(self, name) is not None
            },
        )


class BackpropTrace:
    """The result of :func:`trace_backprop`: every quantity of BP1–BP4 for the traced samples.

    Build it with :func:`trace_backprop`, which documents its attributes
    (``layers``, ``y``, ``cost``, ``loss``); ``print(trace)`` shows it as
    tables, and :meth:`to_string` with other limits on wide layers.

    Examples
    --------
    >>> import numpy as np
    >>> from skbp import BackpropMLPRegressor, trace_backprop
    >>> X, y = np.eye(3), np.arange(3.0)
    >>> reg = BackpropMLPRegressor(hidden_layer_sizes=(2,), max_iter=3,
    ...                            random_state=0).fit(X, y)
    >>> trace = trace_backprop(reg, X, y)
    >>> type(trace).__name__, trace.n_samples, sorted(trace.layers)
    ('BackpropTrace', 3, [1, 2])
    >>> output = trace.layers[2]      # a LayerTrace: 3 samples, 1 output, 2 hidden units
    >>> output.index, output.W.shape, output.grad_W.shape, output.sample(0).grad_W.shape
    (2, (1, 2), (3, 1, 2), (1, 2))
    """

    def __init__(
        self, layers, y, cost, *, estimator_name, loss, penalty, has_sample_axis,
        input_name="input x",
    ):
        self.layers = layers
        self.input_name = input_name
        self.y = y
        self.cost = cost
        self.estimator_name = estimator_name
        self.loss = loss.name
        self._loss = loss
        self.penalty = penalty
        self._has_sample_axis = has_sample_axis

    @property
    def n_samples(self):
        """Number of traced samples."""
        return self.y.shape[0] if self._has_sample_axis else 1

    def _samples(self):
        """(y, cost, layers) of each sample, without the sample axis."""
        if not self._has_sample_axis:
            yield self.y, self.cost, self.layers
            return
        for n in range(self.n_samples):
            layers = {index: layer.sample(n) for index, layer in self.layers.items()}
            yield self.y[n], self.cost[n], layers

    def to_string(self, max_columns: int | None = 6, max_rows: int | None = 6) -> str:
        """The trace as tables, one per sample and layer, each row labelled with its equation.

        Parameters
        ----------
        max_columns : int >= 2 or None, default=6
            A vector or matrix row with more entries shows its first and last
            ``max_columns // 2`` entries around an ellipsis. None shows all.
        max_rows : int >= 2 or None, default=6
            A matrix with more rows shows its first and last ``max_rows // 2``
            rows around an ellipsis. None shows all.

        Returns
        -------
        text : str
            What ``print(trace)`` prints with the defaults. The trace's
            arrays always hold every entry.
        """
        for name, value in (("max_columns", max_columns), ("max_rows", max_rows)):
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 2
            ):
                raise ValueError(f"{name} must be an int >= 2 or None; got {value!r}.")
        table = _Table(max_columns, max_rows)
        top = len(self.layers)
        first, last = self.layers[1], self.layers[top]
        sizes = [first.W.shape[1]] + [layer.W.shape[0] for layer in self.layers.values()]
        samples = "1 sample" if self.n_samples == 1 else f"{self.n_samples} samples"
        hidden = first.activation if top > 1 else "none"
        lines = [
            f"Backprop trace of {self.estimator_name}: {samples}, layer sizes "
            + " -> ".join(map(str, sizes)),
            f"hidden activation {hidden}, output {last.activation}, loss {self.loss} "
            f"({'data term + penalty' if self.penalty else 'data term only'})",
            "Column vectors are printed as rows; W^l = coefs_[l-1].T, of shape "
            "(M_l, M_{l-1}),",
            "and b^l = intercepts_[l-1]. δ is computed from the output layer down: "
            "BP1, then BP2.",
        ]
        body = ["", "Parameters"]
        for index, layer in self.layers.items():
            body += table.rows(f"W^{index}", f"coefs_[{index - 1}].T", layer.W)
            body += table.row(f"b^{index}", f"intercepts_[{index - 1}]", layer.b)
        for n, (y, cost, layers) in enumerate(self._samples(), start=1):
            body += ["", f"Sample {n}: cost C = {_number(cost)}"]
            for layer in layers.values():
                body += self._layer_lines(table, layer, y, top)
        if table.summarized:
            lines += [
                f"Wide layers show their first and last entries around '...' (at most "
                f"{max_columns} columns, {max_rows} rows);",
                "the trace's arrays hold them all: "
                "print(trace.to_string(max_columns=None, max_rows=None)).",
            ]
        return "\n".join(lines + body)

    def __str__(self):
        return self.to_string()

    __repr__ = __str__

    def _layer_lines(self, table, layer, y, top):
        i = layer.index
        hidden = i < top
        kind = layer.activation if hidden else f"{layer.activation} output"
        row = table.row
        lines = [f"  layer {i} ({layer.W.shape[1]} -> {layer.W.shape[0]} units, {kind})"]
        lines += row(f"a^{i - 1}", self.input_name if i == 1 else f"output of layer {i - 1}", layer.a_prev)
        lines += row(f"z^{i}", f"forward: W^{i} a^{i - 1} + b^{i}", layer.z)
        if hidden:
            lines += row(f"a^{i}", f"forward: {layer.activation}(z^{i})", layer.a)
            lines += row(f"σ'(z^{i})", f"{layer.activation}'(z^{i})", layer.sigma_prime)
            bp2 = f"BP2: ((W^{i + 1})ᵀ δ^{i + 1}) ⊙ σ'(z^{i})"
            lines += row(f"δ^{i}", bp2, layer.delta)
        else:
            output = _OUTPUT_FORMULA[layer.activation].format(l=i)
            lines += row(f"a^{i}", f"forward: {output}", layer.a)
            lines += row("y", "target, encoded", y)
            lines += row(f"δ^{i}", _bp1_formula(self._loss, i), layer.delta)
        lines += row(f"∂C/∂b^{i}", f"BP3: δ^{i}", layer.grad_b)
        bp4 = f"BP4: δ^{i} (a^{i - 1})ᵀ" + (f" + α∇R(W^{i})/n" if self.penalty else "")
        lines += table.rows(f"∂C/∂W^{i}", bp4, layer.grad_W)
        return lines


def _bp1_formula(loss, i):
    """BP1 as the loss computes it: a − y for the canonical pairs."""
    if loss.canonical:
        return f"BP1: a^{i} - y"
    return f"BP1: ∇_a C ⊙ σ'(z^{i})"


def _number(value):
    return f"{float(value):.6g}"


#: Width of a printed number: "-1.23457e-05" is the longest ``_number`` writes.
_NUMBER_WIDTH = 12


class _Table:
    """Rows of numbers under a label, wide vectors and tall matrices summarized.

    Every number gets ``_NUMBER_WIDTH`` characters after a space, so that
    neighbours never run together; ``summarized`` tells whether an ellipsis
    stands for entries that were not printed.
    """

    def __init__(self, max_columns, max_rows):
        self.max_columns = max_columns
        self.max_rows = max_rows
        self.summarized = False

    def _kept(self, n, limit):
        """The indices to print of n entries, with None where the ellipsis goes."""
        if limit is None or n <= limit:
            return list(range(n))
        self.summarized = True
        head = limit // 2
        return [*range(head), None, *range(n - (limit - head), n)]

    def rows(self, symbol, formula, matrix):
        """Table rows of a matrix, one line per row, labelled on the first."""
        head = f"    {symbol:<10}{formula:<36}"
        columns = self._kept(matrix.shape[1], self.max_columns)
        lines = []
        for i in self._kept(matrix.shape[0], self.max_rows):
            label = head if not lines else " " * len(head)
            if i is None:
                cells = ["..."] * len(columns)
            else:
                cells = ["..." if j is None else _number(matrix[i, j]) for j in columns]
            lines.append(label + "".join(f" {cell:>{_NUMBER_WIDTH}}" for cell in cells))
        return lines

    def row(self, symbol, formula, column):
        """A column vector (M, 1), printed as one row."""
        return self.rows(symbol, formula, np.reshape(column, (1, -1)))


def _columns(rows):
    """Row vectors (n, M), the engine's layout, as column vectors (n, M, 1)."""
    return np.array(rows)[:, :, np.newaxis]


def trace_backprop(model, X: ArrayLike, y: ArrayLike, *, penalty: bool = False) -> BackpropTrace:
    """Every quantity of backpropagation for a few samples, in the lecture's notation.

    The trace runs the engine's forward pass and BP1–BP2 on the samples of
    ``X`` — the estimator's output layer and loss, its encoding of the
    targets and the hidden activation's derivative, exactly as a training
    step runs them (without dropout) — and adds BP3 and BP4 for each sample.
    It is written the way the lecture writes one sample: column vectors and
    z^l = W^l a^{l−1} + b^l with W^l an M_l × M_{l−1} matrix, so that

    * ``W^l = coefs_[l-1].T`` and ``b^l = intercepts_[l-1]`` (as a column);
    * ``grad_W`` = δ^l (a^{l−1})ᵀ = ∂C_n/∂W^l is the *transpose* of the
      gradient of ``coefs_[l-1]``, which has shape (fan_in, fan_out).

    Printing the trace shows, per sample and layer, a table of these
    quantities, each labelled with the equation it comes from (forward, BP1,
    BP2, BP3, BP4); wide layers show their first and last entries, and
    ``trace.to_string(max_columns=None, max_rows=None)`` shows them all.

    Parameters
    ----------
    model : BackpropMLPClassifier, BackpropMLPRegressor or Pipeline
        A fitted skbp estimator, or a fitted Pipeline ending in one (``X``
        then goes through the other steps first).  It is not modified.
    X : array-like of shape (n_samples, n_features) or (n_features,)
        The samples to trace, one or a few (every quantity is kept).  A 1-D
        array is one sample, and the arrays of the trace then have no sample
        axis.
    y : array-like
        Their targets, as given to ``fit``: one label per sample (an indicator
        row for multilabel models) or one value (a row of values for several
        outputs) for a regressor; for a 1-D ``X``, the target of that sample.
    penalty : bool, default=False
        False: the gradients of each sample's cost C_n, the data term alone.
        True: as in training, the penalty's share in the cost of a batch of
        these n samples, α ∇R(W^l) / n (the estimator's ``alpha``, ``penalty``
        and ``l1_ratio``), is added to every ``grad_W`` and α R(W) / n to
        every cost; biases are never penalized.  Sample and class weights,
        which only weigh each sample's cost in a batch, are not applied: n
        counts the samples.

    Returns
    -------
    trace : :class:`BackpropTrace`
        An object with the attributes

        ``layers`` : dict of int to :class:`LayerTrace`
            ``layers[l]`` for the weight layers l = 1..L, keyed as in the
            lecture: 1 is input → first hidden layer, L the output layer.  Each
            has the parameters ``W`` (M_l, M_{l−1}) and ``b`` (M_l, 1), and for
            each sample the column vectors (M, 1) ``a_prev`` = a^{l−1} (the
            input x for l = 1), ``z`` = z^l, ``a`` = a^l, ``sigma_prime`` =
            σ'(z^l) (None for the output layer), ``delta`` = δ^l (BP1 for
            l = L, BP2 below), ``grad_b`` = ∂C_n/∂b^l (BP3), and the matrix
            ``grad_W`` = ∂C_n/∂W^l (BP4); ``index`` is l, ``activation`` names σ^l.  With
            several samples each of these per-sample arrays has a leading
            sample axis (``grad_W``: (n_samples, M_l, M_{l−1})), and
            ``grad_W.mean(axis=0)`` is the gradient of the batch's mean cost,
            what a training step on these samples computes (its transpose is
            that step's gradient of ``coefs_[l-1]``). ``layers[l].sample(n)``
            is the layer for sample n alone.
        ``y`` : ndarray
            The encoded targets (one-hot, indicator or values) as column vectors.
        ``cost`` : float or ndarray of shape (n_samples,)
            Each sample's cost C_n (plus α R(W) / n with ``penalty=True``).
        ``loss`` : str
            The name of the loss: ``"log_loss"`` (softmax output),
            ``"binary_log_loss"`` (logistic outputs) or the regressor's ``loss``.

    See Also
    --------
    check_gradients : Compare the backpropagated gradient with finite differences.

    Examples
    --------
    >>> import numpy as np
    >>> from skbp import BackpropMLPClassifier, trace_backprop
    >>> rng = np.random.RandomState(0)
    >>> X, y = rng.randn(20, 2), rng.randint(0, 3, 20)
    >>> clf = BackpropMLPClassifier((3,), activation="tanh", max_iter=5,
    ...                             random_state=0).fit(X, y)
    >>> trace = trace_backprop(clf, X[:4], y[:4])
    >>> trace.layers[1].grad_W.shape   # 4 samples, M_1 = 3 units, M_0 = 2 inputs
    (4, 3, 2)
    >>> np.allclose(trace.layers[1].W, clf.coefs_[0].T)
    True
    >>> out = trace.layers[2]          # BP4: the outer product δ^2 (a^1)ᵀ
    >>> np.allclose(out.grad_W, out.delta @ out.a_prev.transpose(0, 2, 1))
    True
    >>> print(trace_backprop(clf, X[0], y[0]))  # doctest: +ELLIPSIS
    Backprop trace of BackpropMLPClassifier: 1 sample, layer sizes 2 -> 3 -> 3
    ...
        δ^2       BP1: a^2 - y ...
    """
    if not isinstance(penalty, (bool, np.bool_)):
        raise TypeError(
            f"penalty must be True or False (whether to add the estimator's own "
            f"penalty); got {penalty!r}."
        )
    has_sample_axis = np.ndim(X) != 1
    if not has_sample_axis:
        X = np.reshape(X, (1, -1))
        y = np.reshape(y, (1, -1) if np.ndim(y) == 1 else 1)
    estimator, X = _final_estimator(model, X)
    if not isinstance(estimator, BaseBackpropMLP):
        raise TypeError(
            "trace_backprop takes a fitted BackpropMLPClassifier or BackpropMLPRegressor, "
            f"or a Pipeline ending in one; got {type(estimator).__name__}."
        )
    check_is_fitted(estimator)
    X, Y = validated_data(estimator, X, y, estimator.coefs_[0].dtype)
    X = X.toarray() if sp.issparse(X) else X
    n = X.shape[0]

    network = _network_from_estimator(estimator, X.dtype)
    loss = network.output
    ws = Workspace(network, n)
    network.forward(X, ws)
    # BP1 without the 1/n of the batch mean leaves each sample its own δ^L,
    # and BP2 carries each sample's δ down.
    network.backward(Y, ws, sample_scale=1.0)
    top = network.n_layers - 1
    cost = loss.per_sample(ws.z[top][:n], Y)

    penalty_grads = [np.zeros_like(coef) for coef in network.coefs]
    name, alpha, l1_ratio = _estimator_penalty(estimator)
    regularizer = make_penalty(name, alpha=alpha, l1_ratio=l1_ratio)
    if penalty and regularizer is not None:
        flat = np.zeros(network.n_weights, network.dtype)
        regularizer.add_gradient(flat, network.weights, 1.0 / n)
        penalty_grads = _layer_views(flat, [coef.shape for coef in network.coefs])
        cost = cost + regularizer.value(network.weights) / n

    activation, input_name = estimator.activation, "input x"
    if network.alphas is not None:
        activation = f"parametric {activation}"  # z + α (f(z) − z), α learned per unit
    if hasattr(estimator, "encoder_"):
        # a^0 is what the first dense layer receives: the encoded table after
        # the front layers (PBLD embedding appended, feature scaling).
        input_name = " -> ".join(["encoded x", *(type(f).__name__ for f in network.front)])
    layers = {}
    for layer in range(network.n_layers):
        z, a = ws.z[layer][:n], ws.a[layer]
        a_prev, delta = _columns(ws.inputs[layer]), _columns(ws.delta[layer][:n])
        sigma_prime = None
        if layer < top:
            sigma_prime = _columns(network.hidden_derivative(layer, ws, n))
        layers[layer + 1] = LayerTrace(
            index=layer + 1,
            activation=activation if layer < top else loss.output_activation.name,
            W=network.coefs[layer].T.copy(),
            b=network.intercepts[layer][:, np.newaxis].copy(),
            a_prev=a_prev,
            z=_columns(z),
            a=_columns(a),
            sigma_prime=sigma_prime,
            delta=delta,
            grad_W=delta @ a_prev.transpose(0, 2, 1) + penalty_grads[layer].T,  # BP4
            grad_b=delta.copy(),  # BP3
        )
    y, cost = _columns(Y), cost.astype(network.dtype)
    if not has_sample_axis:
        layers = {index: layer.sample(0) for index, layer in layers.items()}
        y, cost = y[0], float(cost[0])
    return BackpropTrace(
        layers, y, cost, estimator_name=type(estimator).__name__, loss=loss,
        penalty=penalty, has_sample_axis=has_sample_axis, input_name=input_name,
    )
