"""Activation functions σ and their derivatives σ': hidden layers and outputs.

Each activation is a small object with two jobs:

* ``forward(z, out)`` computes a = σ(z) (the forward pass);
* ``derivative(z, a, out)`` computes σ'(z), the factor of the Hadamard product
  ``⊙ σ'(z^l)`` that closes BP2 (``backprop(delta, z, a, scratch)`` is that
  product, in place: ``delta *= σ'(z)``; the identity's σ' = 1 skips it).

Derivatives are computed from the activation ``a`` where that is cheaper and
exact (logistic, tanh, relu, selu).  Activations whose σ' shares costly work
with σ (SELU, Mish: the exponential) set ``fused_derivative`` and compute both
in the forward pass with ``forward_with_derivative(z, out, d_out, scratch)``;
the network keeps that σ' for BP2 instead of computing it in the backward pass.  ``gain`` is
the factor by which the orthogonal initializer scales its matrices so that
the forward signal keeps its scale through the activation; ``inactive(z, a)``
marks the units that pass (almost) no error back — ReLU units at 0, saturated
logistic and tanh units — for the per-layer monitor.

``ACTIVATIONS`` are the hidden layers' choices; ``OUTPUT_ACTIVATIONS`` the
output layer's σ^L (identity, logistic, softmax, exp), each held by the loss
it is paired with (``losses.py``).
"""

import math

import numpy as np
from scipy.special import expit

#: A saturating unit is inactive where σ'(z) is below this share of its maximum.
SATURATION = 0.01

_CONSTANTS = {}  # (dtype, value) -> a flat read-only array filled with value


def constant_like(z, value):
    """A read-only array shaped like ``z`` whose entries are all ``value`` (shared).

    ``np.minimum(z, c)`` and ``np.maximum(z, c)`` run ~3x faster against an
    array of c than against the number c (NumPy's vectorized loops cover
    array-with-array, not array-with-scalar), for the same values.  The arrays
    are views of one block per (dtype, value), grown to the largest size asked.
    """
    key = (z.dtype, value)
    block = _CONSTANTS.get(key)
    if block is None or block.size < z.size:
        block = np.full(z.size, value, dtype=z.dtype)
        block.flags.writeable = False
        _CONSTANTS[key] = block
    return block[: z.size].reshape(z.shape)


class Activation:
    """Base class: BP2's ``⊙ σ'(z)`` from the subclass's ``derivative``."""

    name = None
    gain = 1.0
    linear = False  # True only for the identity, whose σ' ≡ 1 BP2 may skip
    #: True: σ'(z) is cheapest computed with σ(z), in the forward pass.
    fused_derivative = False

    def backprop(self, delta, z, a, scratch=None):
        """δ := δ ⊙ σ'(z) in place (``scratch``, shaped like δ, receives σ'(z))."""
        delta *= self.derivative(z, a, out=scratch)
        return delta

    def forward_with_derivative(self, z, out, d_out, scratch):
        """a = σ(z) into ``out`` and σ'(z) into ``d_out`` (``scratch``: a
        temporary shaped like z); returns (a, σ'(z))."""
        a = self.forward(z, out=out)
        return a, self.derivative(z, a, out=d_out)


class Identity(Activation):
    """σ(z) = z, σ'(z) = 1."""

    name = "identity"
    gain = 1.0
    linear = True

    def forward(self, z, out=None):
        return z

    def derivative(self, z, a, out=None):
        if out is None:
            return np.ones_like(z)
        out[...] = 1
        return out

    def backprop(self, delta, z, a, scratch=None):
        return delta  # σ' = 1: nothing to multiply

    def inactive(self, z, a):
        return np.zeros(z.shape, dtype=bool)


class Logistic(Activation):
    """σ(z) = 1 / (1 + exp(−z)), σ'(z) = σ(z)(1 − σ(z))."""

    name = "logistic"
    gain = 1.0

    def forward(self, z, out=None):
        # expit never overflows, even for |z| ~ 1e4.
        return expit(z, out=out)

    def derivative(self, z, a, out=None):
        out = np.subtract(1, a, out=out)
        out *= a
        return out

    def inactive(self, z, a):
        return a * (1 - a) < SATURATION * 0.25  # max σ' = σ'(0) = 1/4


class Tanh(Activation):
    """σ(z) = tanh(z), σ'(z) = 1 − tanh(z)²."""

    name = "tanh"
    gain = 5.0 / 3.0

    def forward(self, z, out=None):
        return np.tanh(z, out=out)

    def derivative(self, z, a, out=None):
        out = np.multiply(a, a, out=out)
        return np.subtract(1, out, out=out)

    def inactive(self, z, a):
        return 1 - a * a < SATURATION  # max σ' = σ'(0) = 1


class ReLU(Activation):
    """σ(z) = max(z, 0), σ'(z) = 1 if z > 0 else 0."""

    name = "relu"
    gain = math.sqrt(2.0)

    def forward(self, z, out=None):
        return np.maximum(z, constant_like(z, 0), out=out)

    def derivative(self, z, a, out=None):
        # a = max(z, 0), so a > 0 is the 0/1 derivative, written as 0.0/1.0 into
        # the float output: no boolean temporary, no fancy-indexed write, and
        # half the time of np.sign(a).
        return np.greater(a, 0, out=np.empty_like(a) if out is None else out)

    def inactive(self, z, a):
        return a <= 0  # a dead unit: no error passes back through it


class SELU(Activation):
    """Scaled exponential linear unit (Klambauer et al., 2017).

    σ(z) = λ z for z > 0 and λ α_s (eᶻ − 1) otherwise; σ'(z) = λ for z > 0 and
    λ α_s eᶻ = σ(z) + λ α_s otherwise (from a, no second exponential).  The
    constants make N(0, 1) net inputs give activations of mean 0 and variance 1
    (E[σ(z)²] = 1 for z ~ N(0, 1), so its orthogonal gain is 1).
    """

    name = "selu"
    gain = 1.0
    scale = 1.0507009873554804934193349852946
    alpha = 1.6732632423543772848170429916717

    def forward(self, z, out=None):
        # exp of min(z, 0) only: never overflows, and λ α_s (e⁰ − 1) = 0 where z > 0.
        m = np.minimum(z, constant_like(z, 0))
        out = np.subtract(z, m, out=out)  # max(z, 0); a NumPy max with 0 is 3x slower
        np.expm1(m, out=m)
        m *= self.scale * self.alpha
        out *= self.scale
        out += m
        return out

    def derivative(self, z, a, out=None):
        # min(a, 0) + λα_s, plus (λ − λα_s) where a > 0 (sign(max(a, 0)) is that 0/1
        # indicator): arithmetic passes only, ~6x faster than a masked copy.
        out = np.minimum(a, constant_like(a, 0), out=out)
        out += self.scale * self.alpha
        step = np.sign(np.maximum(a, constant_like(a, 0)))
        step *= self.scale - self.scale * self.alpha
        out += step
        return out

    fused_derivative = True

    def forward_with_derivative(self, z, out, d_out, scratch):
        # With m = expm1(min(z, 0)) (0 where z > 0): σ = λ max(z, 0) + λα_s m,
        # exactly as forward() computes it, and σ' = λα_s (m + 1) + (λ − λα_s)[z > 0]:
        # one exponential for both.
        lam, lam_alpha = self.scale, self.scale * self.alpha
        m = np.minimum(z, constant_like(z, 0), out=d_out)
        np.subtract(z, m, out=out)  # max(z, 0)
        np.expm1(m, out=m)
        m *= lam_alpha
        out *= lam
        out += m  # σ(z)
        m += lam_alpha  # λα_s e^z, which is σ' where z ≤ 0 (λα_s where z > 0)
        step = np.greater(z, 0, out=scratch)  # [z > 0] as 0.0/1.0
        step *= lam - lam_alpha
        d_out += step  # σ'(z)
        return out, d_out

    def inactive(self, z, a):
        return self.derivative(z, a) < SATURATION * self.scale * self.alpha  # max σ' at z → 0⁻


class Mish(Activation):
    """Mish (Misra, 2019): σ(z) = z tanh(softplus(z)), softplus(z) = log(1 + eᶻ).

    With t = tanh(softplus(z)): σ'(z) = t + z (1 − t²) logistic(z), because
    softplus' = logistic and tanh' = 1 − tanh².  Both come from one
    exponential: with e = eᶻ and n = e (e + 2), t = n / (n + 2) and
    (1 − t²) logistic(z) = 4 e (1 + e) / (n + 2)², which is 4–50x faster than
    NumPy's logaddexp, tanh and logistic.  z is clipped at 20 inside the
    exponential, where t is 1 to float64 precision, so nothing overflows
    (in float32 (n + 2)² ≤ e⁸⁰ < 3.4e38).  Its orthogonal gain 1/√E[σ(z)²]
    ≈ 1.488 for z ~ N(0, 1) (estimated from 10⁷ draws), as ReLU's √2 = 1/√(1/2).
    """

    name = "mish"
    gain = 1.488
    clip = 20.0

    def _parts(self, z):
        """(e, n, n + 2) with e = exp(min(z, 20)), n = e (e + 2)."""
        e = np.exp(np.minimum(z, constant_like(z, self.clip)))
        n = np.add(e, 2)
        n *= e
        return e, n, np.add(n, 2)

    def forward(self, z, out=None):
        _, n, denominator = self._parts(z)
        t = np.divide(n, denominator, out=n)
        return np.multiply(z, t, out=out)

    def derivative(self, z, a, out=None):
        e, n, denominator = self._parts(z)
        out = np.divide(n, denominator, out=out)  # t
        slope = np.add(e, 1, out=n)
        slope *= e
        slope *= z
        slope *= 4
        denominator *= denominator
        slope /= denominator
        out += slope
        return out

    fused_derivative = True

    def forward_with_derivative(self, z, out, d_out, scratch):
        # σ and σ' from the same e, n and n + 2 (see the class docstring), with
        # e (1 + e) = n − e.
        e = np.minimum(z, constant_like(z, self.clip), out=d_out)
        np.exp(e, out=e)
        n = np.add(e, 2, out=out)
        n *= e
        denominator = np.add(n, 2, out=scratch)
        slope = np.subtract(n, e, out=e)  # e (1 + e)
        t = np.divide(n, denominator, out=n)
        slope *= z
        slope *= 4
        denominator *= denominator
        slope /= denominator
        slope += t  # σ'(z) = t + 4 z e (1 + e) / (n + 2)²
        out = np.multiply(z, t, out=t)  # σ(z) = z t
        return out, slope

    def inactive(self, z, a):
        return np.abs(self.derivative(z, a)) < SATURATION


ACTIVATIONS = {cls.name: cls for cls in (Identity, Logistic, Tanh, ReLU, SELU, Mish)}


def exp_limit(dtype):
    """Largest |z| whose exp(z), squared, is still finite in ``dtype`` (44 for float32)."""
    return float(np.floor(np.log(np.finfo(dtype).max) / 2))


class Softmax(Activation):
    """Output only: a_k = exp(z_k) / Σ_j exp(z_j), over the units of a sample.

    σ' is not element-wise: each a_k depends on every z_j, with the Jacobian
    ∂a/∂z = diag(a) − a aᵀ, so BP1 ⊙ σ'(z) does not apply; its loss, the
    cross-entropy, is canonical (δ^L = a − y) and never needs it.
    """

    name = "softmax"

    def forward(self, z, out=None):
        if out is None:
            out = np.empty_like(z)
        np.subtract(z, z.max(axis=1, keepdims=True), out=out)
        np.exp(out, out=out)
        out /= out.sum(axis=1, keepdims=True)
        return out

    def derivative(self, z, a, out=None):
        raise NotImplementedError(
            "The softmax's derivative is the Jacobian diag(a) - a a^T, not an "
            "element-wise factor; pair it with a canonical loss."
        )


class Exp(Activation):
    """Output only, the log link: a = exp(z), σ'(z) = exp(z) = a.

    z is clipped to ±``exp_limit(dtype)`` first (e^44 ≈ 1.3e19 in float32), so
    that exp, and the costs computed from it, stay finite for any net input.
    """

    name = "exp"

    def forward(self, z, out=None):
        out = self.clipped(z, out=out)
        return np.exp(out, out=out)

    def derivative(self, z, a, out=None):
        if out is None:
            return a
        np.copyto(out, a)
        return out

    @staticmethod
    def clipped(z, out=None):
        """z clipped to ±``exp_limit(z.dtype)``."""
        limit = exp_limit(z.dtype)
        return np.clip(z, -limit, limit, out=out)


#: The activations of an output layer (``out_activation_``), each owned by a loss.
OUTPUT_ACTIVATIONS = {cls.name: cls for cls in (Identity, Logistic, Softmax, Exp)}


def get_activation(name):
    """Return the activation object called ``name``."""
    if name not in ACTIVATIONS:
        raise ValueError(f"Unknown activation {name!r}; the activations are {sorted(ACTIVATIONS)}.")
    return ACTIVATIONS[name]()


class Parametric:
    """A parametric activation a = z + α ⊙ (f(z) − z), α learned per unit (init 1).

    α = 1 is f itself, α = 0 the identity.  ``alpha`` is a view into the
    network's parameter vector.  The training forward pass computes, with a,

    * σ'(z) = 1 + α (f'(z) − 1)                      (what BP2 multiplies by)
    * f(z) − z, kept for ∂C/∂α = 1ᵀ (∂C/∂A ⊙ (f(Z) − Z))   (summed over the batch)

    where ∂C/∂A = Δ^{l+1} (W^{l+1})ᵀ is the error arriving at the layer's output.
    """

    linear = False

    def __init__(self, base, alpha):
        self.base = base
        self.name = base.name
        self.alpha = alpha

    @property
    def fused_derivative(self):
        return self.base.fused_derivative

    def forward_with_derivative(self, z, out, d_out, scratch, change_out):
        """a = z + α (f(z) − z) into ``out``, σ'(z) = 1 + α (f'(z) − 1) into
        ``d_out`` and f(z) − z into ``change_out``; returns (a, σ'(z))."""
        f, d = self.base.forward_with_derivative(z, change_out, d_out, scratch)
        d *= self.alpha
        d += 1 - self.alpha
        change = np.subtract(f, z, out=change_out)  # f − z, which ∂C/∂α reads
        out = np.multiply(change, self.alpha, out=out)
        out += z
        return out, d

    def forward(self, z, out=None):
        """a = z + α (f(z) − z) (prediction: nothing is kept)."""
        f = self.base.forward(z)
        if out is z:  # in place (prediction): z is still needed after f − z
            change = np.subtract(f, z, out=None if f is z else f)  # f's own buffer if it has one
            change *= self.alpha
            z += change
            return z
        out = np.subtract(f, z, out=out)
        out *= self.alpha
        out += z
        return out

    def derivative(self, z, f, out=None):
        """σ'(z) = 1 + α (f'(z) − 1), from z and f = f(z)."""
        out = self.base.derivative(z, f, out=out)
        out *= self.alpha  # α f' + (1 − α): two passes
        out += 1 - self.alpha
        return out

    def alpha_gradient(self, upstream, f_minus_z, out):
        """∂C/∂α = Σ_n ∂C/∂a_n ⊙ (f(z_n) − z_n) into ``out``, from f(z) − z."""
        return np.einsum("nj,nj->j", upstream, f_minus_z, out=out)  # no (n, m) temporary

