"""Parameter initialization (lecture §6).

``INITIALIZERS`` maps every initializer name to its law for one layer,
``law(rng, layer) -> (weights, biases)``: a (fan_in, fan_out) weight matrix
and, for the laws that draw them, a bias vector (``None`` otherwise, and the
biases start at zero or at ``bias_init``).  Every draw comes from ``rng`` (a
``numpy.random.RandomState``, so the same ``random_state`` gives the same
parameters), in float64 and then cast, so float32 and float64 models start
from the same values up to rounding.

``"auto"`` is scikit-learn's MLP rule: weights and biases of a layer from
U[−r, r], r = sqrt(factor / (fan_in + fan_out)), factor 2 for logistic units
and 6 otherwise, drawn layer by layer (weights, then biases) exactly as
``MLPClassifier`` draws them.  ``"lecture"`` is the lecture's table, uniform:
He for relu, Glorot for tanh and identity, 4 × Glorot for logistic.

Variance-scaling rules (fan_in = M_{l−1}, fan_out = M_l):

==================  ==============================================
glorot (Xavier)     Var = 2 / (fan_in + fan_out)
he                  Var = 2 / fan_in
lecun               Var = 1 / fan_in
==================  ==============================================

A uniform law U[−r, r] has variance r²/3, so its bound is r = sqrt(3·Var).
"""

from dataclasses import dataclass

import numpy as np

from .activations import ACTIVATIONS


@dataclass(frozen=True)
class Layer:
    """What a law may depend on: the layer's fans, its activation, ``init_std``."""

    fan_in: int
    fan_out: int
    activation: str
    init_std: float

    @property
    def shape(self):
        return (self.fan_in, self.fan_out)


def sklearn_bound(layer):
    """scikit-learn's bound r = sqrt(factor / (fan_in + fan_out)) (Glorot et al.)."""
    factor = 2.0 if layer.activation == "logistic" else 6.0
    return np.sqrt(factor / (layer.fan_in + layer.fan_out))


def lecture_bound(layer):
    """The lecture's uniform bound r for the layer's activation (its table, §6)."""
    if layer.activation == "relu":
        return np.sqrt(6.0 / layer.fan_in)
    glorot = np.sqrt(6.0 / (layer.fan_in + layer.fan_out))
    return 4.0 * glorot if layer.activation == "logistic" else glorot


def _sklearn_rule(rng, layer):
    r = sklearn_bound(layer)
    # Weights, then biases, of the same layer: MLPClassifier's order of draws,
    # so that one random_state gives both estimators the same start.
    return rng.uniform(-r, r, layer.shape), rng.uniform(-r, r, layer.fan_out)


def _uniform(bound):
    """U[−r, r] weights with r = bound(layer); the biases are not drawn."""

    def law(rng, layer):
        r = bound(layer)
        return rng.uniform(-r, r, layer.shape), None

    return law


def _normal(std):
    """N(0, std(layer)²) weights; the biases are not drawn."""

    def law(rng, layer):
        return rng.normal(0.0, std(layer), layer.shape), None

    return law


def orthogonal(rng, shape, gain):
    """A (semi-)orthogonal matrix times ``gain``: orthonormal columns or rows."""
    fan_in, fan_out = shape
    big, small = max(fan_in, fan_out), min(fan_in, fan_out)
    q, r = np.linalg.qr(rng.standard_normal((big, small)))
    # Fixing the signs by diag(R) makes Q Haar-distributed (not biased by QR).
    q *= np.sign(np.diag(r))
    if fan_in < fan_out:
        q = q.T
    return gain * q


def _orthogonal(rng, layer):
    return orthogonal(rng, layer.shape, ACTIVATIONS[layer.activation].gain), None


#: The initializer names, in the order they are documented, and their laws.
INITIALIZERS = {
    "auto": _sklearn_rule,
    "lecture": _uniform(lecture_bound),
    "glorot_uniform": _uniform(lambda layer: np.sqrt(6.0 / (layer.fan_in + layer.fan_out))),
    "glorot_normal": _normal(lambda layer: np.sqrt(2.0 / (layer.fan_in + layer.fan_out))),
    "he_uniform": _uniform(lambda layer: np.sqrt(6.0 / layer.fan_in)),
    "he_normal": _normal(lambda layer: np.sqrt(2.0 / layer.fan_in)),
    "lecun_uniform": _uniform(lambda layer: np.sqrt(3.0 / layer.fan_in)),
    "lecun_normal": _normal(lambda layer: np.sqrt(1.0 / layer.fan_in)),
    "orthogonal": _orthogonal,
    "normal": _normal(lambda layer: layer.init_std),
    # The lecture's fixed-variance uniform: r = sqrt(3 σ²).
    "uniform": _uniform(lambda layer: np.sqrt(3.0) * layer.init_std),
}


class InitializerError(ValueError):
    """A callable initializer returned weights a layer cannot start from (the
    estimator names its parameter when it reports this)."""


def _call_user_initializer(initializer, layer, rng, dtype):
    weights = np.asarray(initializer(layer.fan_in, layer.fan_out, rng, dtype))
    if weights.shape != layer.shape:
        raise InitializerError(
            f"the initializer callable must return an array of shape "
            f"(fan_in, fan_out) = {layer.shape}; got {weights.shape}."
        )
    if not np.issubdtype(weights.dtype, np.number) or not np.all(np.isfinite(weights)):
        raise InitializerError("the initializer callable must return finite numeric weights.")
    return weights


def initialize_layer(initializer, layer, rng, dtype):
    """Return the initial ``(weights, biases)`` of one layer, in ``dtype``.

    Parameters
    ----------
    initializer : str or callable
        A key of :data:`INITIALIZERS`, or ``f(fan_in, fan_out, rng, dtype)``
        returning an array of shape (fan_in, fan_out).
    layer : Layer
        The layer's fans, its units' activation (which selects the "auto" and
        "lecture" bounds and the orthogonal gain) and ``init_std`` (the
        standard deviation of "normal" and "uniform").
    rng : numpy.random.RandomState
        Source of every random draw.
    dtype : numpy dtype
        float32 or float64.

    Returns
    -------
    weights : ndarray of shape (fan_in, fan_out)
    biases : ndarray of shape (fan_out,) or None
        The drawn biases, or None when the law draws the weights only.
    """
    if callable(initializer):
        weights, biases = _call_user_initializer(initializer, layer, rng, dtype), None
    elif initializer in INITIALIZERS:
        weights, biases = INITIALIZERS[initializer](rng, layer)
    else:
        raise ValueError(
            f"Unknown initializer {initializer!r}; the initializers are "
            f"{sorted(INITIALIZERS)} or a callable."
        )
    weights = np.ascontiguousarray(weights, dtype=dtype)
    return weights, None if biases is None else biases.astype(dtype)


def initial_biases(drawn, fan_out, bias_init, is_output, dtype):
    """The bias vector a layer starts from.

    ``bias_init=None`` follows the initializer: its ``drawn`` biases, or zeros
    when it draws none.  A number sets the hidden biases to that constant (the
    lecture's fixed-value initialization) and the output biases to zero.
    """
    if bias_init is None:
        return np.zeros(fan_out, dtype) if drawn is None else drawn
    return np.full(fan_out, 0.0 if is_output else bias_init, dtype=dtype)


def initialize_from_data(
    network, X, rng, *, weights=True, biases=True, n_points=5, sample_weight=None
):
    """Data-driven initialization of every dense layer from a batch X (RealMLP's).

    Layer by layer, input first, with A⁰ = X through the front layers (no
    dropout) and Z^l = A^{l−1} W^l computed before the bias:

    * ``weights``: each column j of W^l is divided by the standard deviation
      of z^l_j over the batch, so every net input starts with unit standard
      deviation (the "std" initialization; the direction of W^l is the one its
      initializer drew).  A unit whose z^l_j is constant on the batch keeps
      its weights (dividing by 0 would not give a finite start).
    * ``biases``: b^l_j = −Σ_i π_i z^l_{r_i j}, with r_1..r_p (p = ``n_points``)
      rows drawn uniformly and π ~ Dirichlet(1, …, 1) (normalized exponential
      draws): the unit's kink sits at a random convex combination of p training
      points, so the units split the data where it lies ("he+5").

    The output layer is initialized the same way, as RealMLP does.  Every draw
    comes from ``rng`` (a ``numpy.random.RandomState``).  With ``sample_weight``
    (positive, one per row of X) the standard deviations are weighted and the
    rows r_i are drawn with probability proportional to their weight: integer
    weights give the network that repeating each row as many times as its
    weight says gives, from the same ``rng``.
    Returns the network.
    """
    if X.shape[0] < 2:
        raise ValueError(
            f"A data-driven initialization needs a batch of at least 2 rows; got {X.shape[0]}."
        )
    a = network.front_forward(X) if network.front else X
    top = network.n_layers - 1
    for layer, (coef, intercept) in enumerate(zip(network.coefs, network.intercepts)):
        z = np.asarray(a @ coef, dtype=np.float64)
        if weights:
            if sample_weight is None:
                std = z.std(axis=0)
            else:
                mean = np.average(z, axis=0, weights=sample_weight)
                std = np.sqrt(np.average((z - mean) ** 2, axis=0, weights=sample_weight))
            scale = np.where(std > np.finfo(network.dtype).tiny, std, 1.0)
            coef /= scale.astype(network.dtype)
            z /= scale
        if biases:
            n, m = z.shape
            # Row r_i is where a uniform draw falls on the cumulated weights: with
            # integer weights, the row k copies of it would give by the same draw.
            cumulative = np.cumsum(np.ones(n) if sample_weight is None else sample_weight)
            draws = rng.random_sample((n_points, m)) * cumulative[-1]
            rows = np.minimum(np.searchsorted(cumulative, draws, side="right"), n - 1)
            mix = rng.exponential(1.0, size=(n_points, m))
            mix /= mix.sum(axis=0)
            intercept[...] = -(mix * z[rows, np.arange(m)]).sum(axis=0)
        z = (z + intercept).astype(network.dtype)
        a = network.activate(layer, z, out=z) if layer < top else z
    return network
