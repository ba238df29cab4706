"""The matrix-product floor of one training epoch of a dense MLP.

A NumPy implementation of mini-batch backpropagation cannot be faster than
the matrix products it has to compute.  :class:`MatmulRoofline` computes
exactly those products, and nothing else, into buffers that are allocated
once, so that timing :meth:`MatmulRoofline.epoch` gives a practical lower
bound ("roofline") for one epoch of any NumPy MLP on this machine.

For a network with weight matrices ``W1 .. WL`` (``Wl`` of shape
``(fan_in, fan_out)``) and a batch ``X`` the products per batch are

* forward: ``A1 = X @ W1``, ``A2 = A1 @ W2``, ..., ``AL = A(L-1) @ WL``;
* backward: for ``l = L .. 1``: ``dWl = A(l-1).T @ Dl`` and, for ``l > 1``,
  ``D(l-1) = Dl @ Wl.T`` (no delta is needed for the input layer).

For ``hidden_layer_sizes=(256, 128)`` and 10 classes this is
``X@W1, A1@W2, A2@W3`` forward and ``dW3 = A2.T@D3, D2 = D3@W3.T,
dW2 = A1.T@D2, D1 = D2@W2.T, dW1 = X.T@D1`` backward.

Activations, the loss, the bias gradients, regularisation and the optimizer
update are deliberately left out: they are cheap element-wise work compared
with the products, and leaving them out keeps this a floor.
"""

import numpy as np

__all__ = ["MatmulRoofline", "epoch_flops"]


def _batch_sizes(n_samples, batch_size):
    """Sizes of the mini-batches of one epoch (the last one may be smaller)."""
    n_full, rest = divmod(n_samples, batch_size)
    return [batch_size] * n_full + ([rest] if rest else [])


def epoch_flops(n_samples, layer_sizes, batch_size):
    """Floating point operations of the matrix products of one epoch.

    Parameters
    ----------
    n_samples : int
        Number of training rows.
    layer_sizes : sequence of int
        ``[n_features, *hidden_layer_sizes, n_outputs]``.
    batch_size : int
        Mini-batch size.

    Returns
    -------
    flops : int
        ``2 * m * k * n`` summed over every product ``(m, k) @ (k, n)``.
    """
    total = 0
    for b in _batch_sizes(n_samples, batch_size):
        for layer, (fan_in, fan_out) in enumerate(
            zip(layer_sizes[:-1], layer_sizes[1:], strict=True)
        ):
            total += 2 * b * fan_in * fan_out  # forward A(l) = A(l-1) @ Wl
            total += 2 * fan_in * b * fan_out  # dWl = A(l-1).T @ Dl
            if layer > 0:
                total += 2 * b * fan_out * fan_in  # D(l-1) = Dl @ Wl.T
    return total


class MatmulRoofline:
    """Preallocated matrix products of mini-batch backpropagation.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Training data; C-contiguous, its dtype is used for every buffer.
    hidden_layer_sizes : sequence of int
        Widths of the hidden layers.
    n_outputs : int
        Width of the output layer (number of classes).
    batch_size : int
        Mini-batch size; the last batch of an epoch may be smaller, and has
        its own preallocated buffers.
    random_state : int, default=0
        Seed for the (irrelevant for timing, but finite) buffer contents.

    Attributes
    ----------
    layer_sizes : list of int
        ``[n_features, *hidden_layer_sizes, n_outputs]``.
    nbytes : int
        Bytes held by all preallocated buffers (weights, gradients,
        activations and deltas), not counting ``X``.
    """

    def __init__(self, X, hidden_layer_sizes, n_outputs, batch_size, random_state=0):
        X = np.ascontiguousarray(X)
        if X.ndim != 2:
            raise ValueError(f"X must be 2-dimensional, got shape {X.shape}.")
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}.")
        self.X = X
        self.batch_size = int(min(batch_size, X.shape[0]))
        self.layer_sizes = [X.shape[1], *map(int, hidden_layer_sizes), int(n_outputs)]
        dtype = X.dtype
        rng = np.random.default_rng(random_state)
        pairs = list(zip(self.layer_sizes[:-1], self.layer_sizes[1:], strict=True))
        # Scaled so that forward values stay O(1) although no activation is applied.
        self.weights = [
            (rng.standard_normal((i, o)) / np.sqrt(i)).astype(dtype) for i, o in pairs
        ]
        self.weight_grads = [np.empty((i, o), dtype=dtype) for i, o in pairs]
        # Per batch size: activations A1..AL and deltas D1..DL.
        self._buffers = {}
        for b in set(_batch_sizes(X.shape[0], self.batch_size)):
            acts = [np.empty((b, o), dtype=dtype) for _, o in pairs]
            deltas = [np.empty((b, o), dtype=dtype) for _, o in pairs]
            deltas[-1][...] = rng.standard_normal(deltas[-1].shape)
            self._buffers[b] = (acts, deltas)
        # Forward-only buffers over the whole of X (the predict_proba floor).
        self._predict_acts = [np.empty((X.shape[0], o), dtype=dtype) for _, o in pairs]
        self.nbytes = sum(
            a.nbytes
            for a in (
                *self.weights,
                *self.weight_grads,
                *self._predict_acts,
                *(
                    x
                    for acts, deltas in self._buffers.values()
                    for x in (*acts, *deltas)
                ),
            )
        )

    def _batch(self, Xb, acts, deltas):
        weights, grads = self.weights, self.weight_grads
        n_layers = len(weights)
        # Forward: A(l) = A(l-1) @ Wl.
        prev = Xb
        for W, A in zip(weights, acts, strict=True):
            np.matmul(prev, W, out=A)
            prev = A
        # Backward: dWl = A(l-1).T @ Dl ; D(l-1) = Dl @ Wl.T (not for l = 1).
        for layer in range(n_layers - 1, -1, -1):
            below = acts[layer - 1] if layer > 0 else Xb
            np.matmul(below.T, deltas[layer], out=grads[layer])
            if layer > 0:
                np.matmul(deltas[layer], weights[layer].T, out=deltas[layer - 1])

    def epoch(self):
        """Run the matrix products of one epoch (in order, no shuffling)."""
        X, bs, n = self.X, self.batch_size, self.X.shape[0]
        buffers = self._buffers
        for start in range(0, n, bs):
            Xb = X[start : start + bs]  # a view: no copy
            acts, deltas = buffers[Xb.shape[0]]
            self._batch(Xb, acts, deltas)

    def forward(self):
        """Run the forward products over the whole of ``X`` (predict floor)."""
        prev = self.X
        for W, A in zip(self.weights, self._predict_acts, strict=True):
            np.matmul(prev, W, out=A)
            prev = A
        return prev

    def flops_per_epoch(self):
        """Floating point operations of :meth:`epoch`."""
        return epoch_flops(self.X.shape[0], self.layer_sizes, self.batch_size)
