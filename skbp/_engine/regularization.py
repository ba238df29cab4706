"""Regularization (lecture §7): ℓ1/ℓ2 penalties and dropout.

Penalties follow scikit-learn's scaling: the penalty of a mini-batch is
``alpha · R(W) / Σ_n s_n`` (the batch's sample-weight sum), and biases are never
penalized.  Weight decay — the decoupled ``W := (1 − β) W − step`` — is an
optimizer concern and lives in :mod:`skbp._engine.optimizers`; early stopping lives in
:mod:`skbp._engine.stopping`.
"""

import numpy as np

from .sample_keys import _GOLDEN, mix64


class _Penalty:
    """Shared plumbing: ``grad += c · values`` through a scratch vector owned by
    the penalty (one per fit, so concurrent fits never share it)."""

    _scratch = None

    def _add_scaled(self, grad, scale, values):
        scratch = self._scratch
        if scratch is None or scratch.shape != values.shape or scratch.dtype != values.dtype:
            self._scratch = np.empty_like(values)
        grad += np.multiply(values, float(scale), out=self._scratch)


def _squared_norm(weights):
    return float(np.dot(weights, weights))


class L2Penalty(_Penalty):
    """R(W) = ½ ||W||², ∇R = W."""

    def __init__(self, alpha):
        self.alpha = alpha

    def value(self, weights):
        return 0.5 * self.alpha * _squared_norm(weights)

    def add_gradient(self, grad, weights, scale):
        """grad += scale · α · ∇R(W)."""
        self._add_scaled(grad, scale * self.alpha, weights)


class L1Penalty(_Penalty):
    """R(W) = ||W||₁, ∇R = sign(W) (the subgradient 0 at W = 0)."""

    def __init__(self, alpha):
        self.alpha = alpha

    def value(self, weights):
        return self.alpha * float(np.abs(weights).sum())

    def add_gradient(self, grad, weights, scale):
        self._add_scaled(grad, scale * self.alpha, np.sign(weights))


class ElasticNetPenalty(_Penalty):
    """R(W) = ρ ||W||₁ + ½ (1 − ρ) ||W||², ρ = ``l1_ratio`` (as in SGDClassifier)."""

    def __init__(self, alpha, l1_ratio):
        self.alpha = alpha
        self.l1_ratio = l1_ratio

    def value(self, weights):
        l1 = float(np.abs(weights).sum())
        l2 = _squared_norm(weights)
        return self.alpha * (self.l1_ratio * l1 + 0.5 * (1 - self.l1_ratio) * l2)

    def add_gradient(self, grad, weights, scale):
        s = scale * self.alpha
        self._add_scaled(grad, s * self.l1_ratio, np.sign(weights))
        self._add_scaled(grad, s * (1 - self.l1_ratio), weights)


#: The ``penalty`` values.
PENALTIES = {"l2": L2Penalty, "l1": L1Penalty, "elasticnet": ElasticNetPenalty}


def make_penalty(name, *, alpha, l1_ratio=0.15):
    """The penalty called ``name`` of strength ``alpha``, or None when ``alpha`` is 0.

    ``l1_ratio`` is the L1 share of the elastic net (the other penalties ignore it).
    """
    if name not in PENALTIES:
        raise ValueError(f"Unknown penalty {name!r}; the penalties are {sorted(PENALTIES)}.")
    if alpha == 0:
        return None
    if name == "elasticnet":
        return ElasticNetPenalty(alpha, l1_ratio)
    return PENALTIES[name](alpha)


class Dropout:
    """Inverted dropout with masks keyed by sample content.

    ``rates[l]`` is the probability of *dropping* a unit of layer l, where layer 0
    is the input and layers 1.. are the hidden layers.  In training, a kept unit is
    scaled by 1 / (1 − p) so that E[m ⊙ a / (1 − p)] = a and nothing changes at
    predict time.

    The mask of unit j of sample n in a given epoch and layer is a pure function
    of (seed, epoch, layer, key_n, j), where key_n hashes the sample's features:
    masks do not depend on batch composition or order, and duplicated rows get
    identical masks, which keeps ``sample_weight=k`` equivalent to k copies.
    One 64-bit hash of (seed, epoch, layer, key_n, ⌊j/4⌋) gives four units their
    uniform 16-bit draws (a quarter of the hashing of one hash per unit: this
    is most of the cost of a mask).
    """

    #: Units that share one 64-bit hash, each using 16 of its bits.
    UNITS_PER_HASH = 4

    def __init__(self, rates, seed):
        self.rates = list(rates)
        self.seed = np.uint64(seed)
        self._hashes = {}  # (n_samples, n_hashes) -> (hash array, scratch), reused

    def is_active(self, layer):
        return layer < len(self.rates) and self.rates[layer] > 0

    def _hash_buffers(self, n_samples, n_hashes):
        """Two uint64 (n_samples, n_hashes) arrays and the group offsets g · golden, g = 1.. ."""
        buffers = self._hashes.get((n_samples, n_hashes))
        if buffers is None:
            # Array arithmetic on uint64 wraps silently (only NumPy scalars warn).
            groups = np.arange(1, n_hashes + 1, dtype=np.uint64) * _GOLDEN
            buffers = np.empty((2, n_samples, n_hashes), dtype=np.uint64), groups
            self._hashes[(n_samples, n_hashes)] = buffers
        return buffers

    def mask(self, layer, epoch, sample_keys, n_units, dtype, out=None):
        """Return the scaled mask m/(1 − p) of shape (len(sample_keys), n_units)."""
        p = self.rates[layer]
        salt = mix64(np.array([int(self.seed) ^ (epoch * 1024 + layer)], np.uint64))[0]
        n_hashes = -(-n_units // self.UNITS_PER_HASH)
        (h, scratch), groups = self._hash_buffers(sample_keys.shape[0], n_hashes)
        np.add.outer(sample_keys ^ salt, groups, out=h)
        mix64(h, scratch)
        # Each hash's four 16-bit parts (little-endian on every machine) are
        # uniform integers u in [0, 2^16): keep iff u >= p·2^16.
        u = h.astype("<u8", copy=False).view("<u2")[:, :n_units]
        keep = u >= np.uint16(min(int(round(p * (1 << 16))), (1 << 16) - 1))
        if out is None:
            out = np.empty(u.shape, dtype=dtype)
        np.multiply(keep, dtype.type(1.0 / (1.0 - p)), out=out)
        return out
