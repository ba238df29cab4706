"""Parameter initialization (lecture §6).

Every named initializer draws a (fan_in, fan_out) weight matrix from ``rng`` (a
``numpy.random.RandomState``, so the same ``random_state`` gives the same
weights).  Draws are made in float64 and cast, so float32 and float64 models
start from the same values up to rounding.

Variance-scaling rules (fan_in = M_{l−1}, fan_out = M_l):

==================  ==============================================
glorot (Xavier)     Var = 2 / (fan_in + fan_out)
he                  Var = 2 / fan_in
lecun               Var = 1 / fan_in
==================  ==============================================

A uniform law U[−r, r] has variance r²/3, so its bound is r = sqrt(3·Var).
"""

import numbers

import numpy as np

#: Gain applied to orthogonal matrices so the forward signal keeps its scale.
ORTHOGONAL_GAIN = {
    "identity": 1.0,
    "logistic": 1.0,
    "tanh": 5.0 / 3.0,
    "relu": np.sqrt(2.0),
}


def _uniform(rng, bound, shape):
    return rng.uniform(-bound, bound, shape)


def _normal(rng, std, shape):
    return rng.normal(0.0, std, shape)


def auto_bound(fan_in, fan_out, activation):
    """The lecture's uniform bound r for ``activation`` (its table, §6)."""
    if activation == "relu":
        return np.sqrt(6.0 / fan_in)
    bound = np.sqrt(6.0 / (fan_in + fan_out))
    return 4.0 * bound if activation == "logistic" else bound


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


def _draw(name, fan_in, fan_out, rng, activation, init_std):
    shape = (fan_in, fan_out)
    if name == "auto":
        return _uniform(rng, auto_bound(fan_in, fan_out, activation), shape)
    if name == "glorot_uniform":
        return _uniform(rng, np.sqrt(6.0 / (fan_in + fan_out)), shape)
    if name == "glorot_normal":
        return _normal(rng, np.sqrt(2.0 / (fan_in + fan_out)), shape)
    if name == "he_uniform":
        return _uniform(rng, np.sqrt(6.0 / fan_in), shape)
    if name == "he_normal":
        return _normal(rng, np.sqrt(2.0 / fan_in), shape)
    if name == "lecun_uniform":
        return _uniform(rng, np.sqrt(3.0 / fan_in), shape)
    if name == "lecun_normal":
        return _normal(rng, np.sqrt(1.0 / fan_in), shape)
    if name == "orthogonal":
        return orthogonal(rng, shape, ORTHOGONAL_GAIN[activation])
    if name == "normal":
        return _normal(rng, init_std, shape)
    if name == "uniform":
        # The lecture's fixed-variance uniform: r = sqrt(3 σ²).
        return _uniform(rng, np.sqrt(3.0) * init_std, shape)
    raise ValueError(
        f"The 'initializer' parameter must be one of {sorted(INITIALIZERS)} or a "
        f"callable; got {name!r}."
    )


INITIALIZERS = (
    "auto",
    "glorot_uniform",
    "glorot_normal",
    "he_uniform",
    "he_normal",
    "lecun_uniform",
    "lecun_normal",
    "orthogonal",
    "normal",
    "uniform",
)


def initialize_weights(
    initializer, fan_in, fan_out, rng, dtype, *, activation="relu", init_std=0.01
):
    """Return a (fan_in, fan_out) weight matrix of ``dtype``.

    Parameters
    ----------
    initializer : str or callable
        One of :data:`INITIALIZERS`, or ``f(fan_in, fan_out, rng, dtype)``
        returning an array of shape (fan_in, fan_out).
    fan_in, fan_out : int
        Units of the layer below and of the layer being initialized.
    rng : numpy.random.RandomState
        Source of every random draw.
    dtype : numpy dtype
        float32 or float64.
    activation : str
        Activation of the layer's units; selects the "auto" rule and the
        orthogonal gain.
    init_std : float
        Standard deviation of the "normal" and "uniform" fixed-variance laws.
    """
    if callable(initializer):
        weights = np.asarray(initializer(fan_in, fan_out, rng, dtype))
        if weights.shape != (fan_in, fan_out):
            raise ValueError(
                f"The 'initializer' callable must return an array of shape "
                f"(fan_in, fan_out) = {(fan_in, fan_out)}; got {weights.shape}."
            )
        if not np.issubdtype(weights.dtype, np.number) or not np.all(
            np.isfinite(weights)
        ):
            raise ValueError(
                "The 'initializer' callable must return finite numeric weights."
            )
    else:
        weights = _draw(initializer, fan_in, fan_out, rng, activation, init_std)
    return np.ascontiguousarray(weights, dtype=dtype)


def initial_biases(fan_out, value, dtype):
    """A bias vector filled with ``value`` (the lecture's fixed-value init)."""
    if not isinstance(value, numbers.Real):  # pragma: no cover - validated earlier
        raise TypeError("bias_init must be a real number.")
    return np.full(fan_out, value, dtype=dtype)
