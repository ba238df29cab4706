"""The feed-forward network: forward pass and backpropagation (BP1–BP4).

Conventions (row-vector batches, as in scikit-learn):

* ``coefs[l]`` is W^{l+1} with shape (fan_in, fan_out), ``intercepts[l]`` is b^{l+1};
* a batch of n samples is a matrix with one row per sample, so the lecture's
  z^l = W^l a^{l−1} + b^l becomes Z^l = A^{l−1} W^l + b^l;
* the error of layer l is the matrix Δ^l whose row n is δ^l for sample n.

With these conventions the four equations read, for the batch cost
C = Σ_n s_n C_n / Σ_n s_n (sample weights s, all ones by default):

* BP1  Δ^L = diag(s / Σs) (∇_A C ⊙ σ'(Z^L))   — the loss's ``delta`` (A^L − Y
                                                for the canonical pairs)
* BP2  Δ^l = (Δ^{l+1} (W^{l+1})ᵀ) ⊙ σ'(Z^l)     — ``activation.backprop``
* BP3  ∂C/∂b^l = 1ᵀ Δ^l                          — column sums, as a product
* BP4  ∂C/∂W^l = (A^{l−1})ᵀ Δ^l                  — one matrix product

Folding the weighted mean into Δ^L once makes BP3 and BP4 plain sums, exactly
the lecture's "average the per-sample gradients over the batch".

All parameters live in one contiguous vector ``params`` (weights of every layer
first, then biases: the order of scikit-learn's ``_pack``); ``coefs`` and
``intercepts`` are views into it, and ``grad`` mirrors it.  Optimizers update
the whole vector with a few in-place passes, L-BFGS reads and writes it
directly, and weight decay touches exactly the prefix ``params[:n_weights]``.
"""

import numpy as np
import scipy.sparse as sp

from .activations import get_activation
from .initializers import Layer, initial_biases, initialize_layer

_PREDICT_CHUNK_ROWS = 4096


def _layer_views(buffer, shapes):
    views, start = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        views.append(buffer[start : start + size].reshape(shape))
        start += size
    return views


class Workspace:
    """Arrays reused by every batch of up to ``batch_size`` rows.

    ``z[l]`` and ``delta[l]`` hold the net input and the error of weight
    layer l (a batch of n rows uses their first n rows), and ``scratch`` one
    temporary as wide as the widest hidden layer (σ'(z) while BP2 needs it).
    The forward pass records in ``a[l]`` the activation A^l of the batch (in
    its buffer, or Z^l itself for the identity) and in ``inputs[l]`` the
    matrix that was multiplied by W^l, which is what BP4 needs: A^{l−1}, or
    with dropout the masked copy of it held in ``masked_inputs[l]``.
    """

    def __init__(self, network, batch_size):
        dtype = network.dtype
        widths = network.layer_sizes[1:]
        self.batch_size = batch_size
        self.z = [np.empty((batch_size, m), dtype) for m in widths]
        self._a_buffers = [np.empty((batch_size, m), dtype) for m in widths]
        self.a = [None] * network.n_layers
        self.delta = [np.empty((batch_size, m), dtype) for m in widths]
        self._scratch = np.empty(batch_size * max(widths[:-1], default=0), dtype)
        self.ones = np.ones(batch_size, dtype)  # the 1 of BP3's 1ᵀ Δ
        self.masks = [None] * network.n_layers
        self.masked_inputs = [None] * network.n_layers
        self.inputs = [None] * network.n_layers

    def scratch(self, n_rows, n_units):
        """A contiguous (n_rows, n_units) temporary, shared by all hidden layers."""
        return self._scratch[: n_rows * n_units].reshape(n_rows, n_units)

    def mask_buffer(self, layer, n_units, dtype):
        if self.masks[layer] is None:
            self.masks[layer] = np.empty((self.batch_size, n_units), dtype)
            self.masked_inputs[layer] = np.empty((self.batch_size, n_units), dtype)
        return self.masks[layer]


class Network:
    """A multi-layer perceptron with its parameters in one flat vector.

    Parameters
    ----------
    layer_sizes : sequence of int
        Units per layer, input first: (n_features, h_1, ..., h_k, n_outputs).
    activation : str
        Hidden activation: "identity", "logistic", "tanh" or "relu".
    output : OutputLayer
        Output activation with its cost (see :mod:`skbp._engine.losses`).
    dtype : numpy dtype
        float32 or float64; every array of the network has this dtype.
    """

    def __init__(self, layer_sizes, activation, output, dtype=np.float64):
        self.layer_sizes = tuple(int(s) for s in layer_sizes)
        self.activation_name = activation
        self.activation = get_activation(activation)
        self.output = output
        self.dtype = np.dtype(dtype)
        coef_shapes = list(zip(self.layer_sizes[:-1], self.layer_sizes[1:]))
        self.n_weights = sum(i * o for i, o in coef_shapes)
        n_params = self.n_weights + sum(self.layer_sizes[1:])
        self.params = np.zeros(n_params, dtype=self.dtype)
        self.grad = np.zeros(n_params, dtype=self.dtype)
        self.coefs = _layer_views(self.params, coef_shapes)
        self.intercepts = _layer_views(self.params[self.n_weights :], self.layer_sizes[1:])
        self.coef_grads = _layer_views(self.grad, coef_shapes)
        self.intercept_grads = _layer_views(self.grad[self.n_weights :], self.layer_sizes[1:])

    @property
    def n_layers(self):
        """Number of weight layers L (hidden layers plus the output layer)."""
        return len(self.layer_sizes) - 1

    @property
    def weights(self):
        """All weights as one flat view (the part penalties and weight decay touch)."""
        return self.params[: self.n_weights]

    def initialize(self, rng, initializer="auto", init_std=0.01, bias_init=None):
        """Draw every layer's weights and biases, input layer first.

        ``bias_init=None`` keeps the initializer's biases ("auto" draws them,
        the other laws start them at zero); a number sets the hidden biases to
        it and the output biases to zero.  It never changes the weights drawn:
        "auto" still draws its biases, so its weights stay scikit-learn's.
        """
        for layer, (coef, intercept) in enumerate(zip(self.coefs, self.intercepts)):
            weights, biases = initialize_layer(
                initializer,
                Layer(*coef.shape, self.activation_name, init_std),
                rng,
                self.dtype,
            )
            coef[...] = weights
            intercept[...] = initial_biases(
                biases, intercept.shape[0], bias_init, layer == self.n_layers - 1, self.dtype
            )
        return self

    def set_parameters(self, coefs, intercepts):
        """Copy existing layer parameters in (warm start, fine-tuning)."""
        for dst, src in zip(self.coefs + self.intercepts, list(coefs) + list(intercepts)):
            if dst.shape != np.shape(src):
                raise ValueError(
                    f"Existing parameters have shape {np.shape(src)} but the network "
                    f"needs {dst.shape}; hidden_layer_sizes or the data changed."
                )
            dst[...] = src
        return self

    # ------------------------------------------------------------------ forward
    def forward(self, X, ws, masks=None):
        """Forward pass over a batch, keeping every Z^l and A^l in ``ws``.

        ``masks[l]``, when given, is the scaled dropout mask applied to the input
        of weight layer l (layer 0: the features).  Returns A^L.
        """
        n = X.shape[0]
        a = X
        last = self.n_layers - 1
        for layer in range(self.n_layers):
            if masks is not None and masks[layer] is not None:
                buffer = ws.masked_inputs[layer]
                a = self._apply_mask(a, masks[layer], None if buffer is None else buffer[:n])
            ws.inputs[layer] = a
            z = ws.z[layer][:n]
            if sp.issparse(a):
                z[...] = a @ self.coefs[layer]
            else:
                np.matmul(a, self.coefs[layer], out=z)
            z += self.intercepts[layer]
            if layer < last:
                a = self.activation.forward(z, out=ws._a_buffers[layer][:n])
            else:
                a = self.output.activation(z, out=ws._a_buffers[layer][:n])
            ws.a[layer] = a
        return a

    @staticmethod
    def _apply_mask(a, mask, out):
        if sp.issparse(a):
            return sp.csr_matrix(a.multiply(mask))
        return np.multiply(a, mask, out=out)

    # ----------------------------------------------------------------- backward
    def backward(self, Y, ws, sample_scale, masks=None):
        """Backpropagation: fill ``grad`` with ∂C/∂W^l and ∂C/∂b^l (data term).

        ``sample_scale`` is 1/n or the column s/Σs: it turns the per-sample
        output errors into the error of the weighted-mean batch cost.
        """
        n = Y.shape[0]
        top = self.n_layers - 1
        # BP1: δ^L = ∇_a C ⊙ σ'(z^L) for each sample, weighted into the batch mean.
        delta = self.output.delta(ws.z[top][:n], ws.a[top], Y, out=ws.delta[top][:n])
        delta *= sample_scale
        for layer in range(top, -1, -1):
            # BP3: ∂C/∂b = 1ᵀ Δ = Σ_n δ_n (a BLAS product beats np.sum over axis 0).
            np.matmul(ws.ones[:n], delta, out=self.intercept_grads[layer])
            # BP4: ∂C/∂W = (A^{l−1})ᵀ Δ^l.
            below = ws.inputs[layer]
            if sp.issparse(below):
                self.coef_grads[layer][...] = below.T @ delta
            else:
                np.matmul(below.T, delta, out=self.coef_grads[layer])
            if layer == 0:
                break
            # BP2: Δ^{l−1} = (Δ^l Wᵀ) ⊙ σ'(Z^{l−1}), through the dropout mask if any.
            delta_below = np.matmul(delta, self.coefs[layer].T, out=ws.delta[layer - 1][:n])
            if masks is not None and masks[layer] is not None:
                delta_below *= masks[layer][:n]
            self.activation.backprop(
                delta_below,
                ws.z[layer - 1][:n],
                ws.a[layer - 1],
                ws.scratch(*delta_below.shape),
            )
            delta = delta_below
        return self.grad

    def loss(self, X, Y, sample_weight=None, penalty=None, ws=None, masks=None):
        """Cost of the batch (data term + penalty), forward pass only."""
        n = X.shape[0]
        if ws is None:
            ws = Workspace(self, n)
        self.forward(X, ws, masks)
        loss = self.output.fn(ws.z[self.n_layers - 1][:n], Y, sample_weight)
        if penalty is not None:
            weight_sum = n if sample_weight is None else float(sample_weight.sum())
            loss += penalty.value(self.weights) / weight_sum
        return loss

    def loss_and_gradient(self, X, Y, sample_weight=None, penalty=None, ws=None, masks=None):
        """Cost of the batch (data term + penalty) and its gradient in ``grad``.

        This is one training step's worth of backpropagation: forward, BP1–BP4,
        then the penalty's gradient α ∇R(W) / Σs on the weights.
        """
        n = X.shape[0]
        if ws is None:
            ws = Workspace(self, n)
        self.forward(X, ws, masks)
        z_top = ws.z[self.n_layers - 1][:n]
        loss = self.output.fn(z_top, Y, sample_weight)
        if sample_weight is None:
            weight_sum = n
            scale = self.dtype.type(1.0 / n)
        else:
            weight_sum = float(sample_weight.sum())
            scale = (sample_weight / self.dtype.type(weight_sum))[:, np.newaxis]
        self.backward(Y, ws, scale, masks)
        if penalty is not None:
            loss += penalty.value(self.weights) / weight_sum
            penalty.add_gradient(self.grad[: self.n_weights], self.weights, 1.0 / weight_sum)
        return loss

    # ------------------------------------------------------------------ predict
    def predict_logits(self, X):
        """Z^L for every row of X (no dropout, nothing stored)."""
        return forward_logits(X, self.coefs, self.intercepts, self.activation)


def forward_logits(X, coefs, intercepts, activation):
    """Z^L for every row of X, in row chunks so memory stays O(chunk × width)."""
    n = X.shape[0]
    last = len(coefs) - 1
    logits = np.empty((n, coefs[-1].shape[1]), dtype=coefs[-1].dtype)
    for start in range(0, n, _PREDICT_CHUNK_ROWS):
        a = X[start : start + _PREDICT_CHUNK_ROWS]
        for layer, (coef, intercept) in enumerate(zip(coefs, intercepts)):
            z = a @ coef
            z += intercept
            a = activation.forward(z, out=z) if layer < last else z
        logits[start : start + a.shape[0]] = a
    return logits
