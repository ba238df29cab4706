"""Hidden-layer activation functions σ and their derivatives σ'.

Each activation is a small object with two jobs:

* ``forward(z, out)`` computes a = σ(z) (the forward pass);
* ``backprop(delta, z, a, scratch)`` multiplies an error term by σ'(z) in place —
  the Hadamard product ``⊙ σ'(z^l)`` that closes BP2.

Derivatives are computed from the activation ``a`` where that is cheaper and
exact (logistic, tanh); σ'(z) itself is ``backprop(ones, z, a)``.  ``gain`` is
the factor by which the orthogonal initializer scales its matrices so that
the forward signal keeps its scale through the activation; ``inactive(z, a)``
marks the units that pass (almost) no error back — ReLU units at 0, saturated
logistic and tanh units — for the per-layer monitor.
"""

import math

import numpy as np
from scipy.special import expit

#: A saturating unit is inactive where σ'(z) is below this share of its maximum.
SATURATION = 0.01


class Identity:
    """σ(z) = z, σ'(z) = 1."""

    name = "identity"
    gain = 1.0

    def forward(self, z, out=None):
        return z

    def backprop(self, delta, z, a, scratch=None):
        return delta

    def inactive(self, z, a):
        return np.zeros(z.shape, dtype=bool)


class Logistic:
    """σ(z) = 1 / (1 + exp(−z)), σ'(z) = σ(z)(1 − σ(z))."""

    name = "logistic"
    gain = 1.0

    def forward(self, z, out=None):
        # expit never overflows, even for |z| ~ 1e4.
        return expit(z, out=out)

    def backprop(self, delta, z, a, scratch=None):
        if scratch is None:
            scratch = np.empty_like(a)
        np.subtract(1, a, out=scratch)
        scratch *= a
        delta *= scratch
        return delta

    def inactive(self, z, a):
        return a * (1 - a) < SATURATION * 0.25  # max σ' = σ'(0) = 1/4


class Tanh:
    """σ(z) = tanh(z), σ'(z) = 1 − tanh(z)²."""

    name = "tanh"
    gain = 5.0 / 3.0

    def forward(self, z, out=None):
        return np.tanh(z, out=out)

    def backprop(self, delta, z, a, scratch=None):
        if scratch is None:
            scratch = np.empty_like(a)
        np.multiply(a, a, out=scratch)
        np.subtract(1, scratch, out=scratch)
        delta *= scratch
        return delta

    def inactive(self, z, a):
        return 1 - a * a < SATURATION  # max σ' = σ'(0) = 1


class ReLU:
    """σ(z) = max(z, 0), σ'(z) = 1 if z > 0 else 0."""

    name = "relu"
    gain = math.sqrt(2.0)

    def forward(self, z, out=None):
        return np.maximum(z, 0, out=out)

    def backprop(self, delta, z, a, scratch=None):
        if scratch is None:
            scratch = np.empty_like(a)
        # a = max(z, 0), so a > 0 is the 0/1 derivative, written as 0.0/1.0 into
        # the float scratch: no boolean temporary, no fancy-indexed write, and
        # half the time of np.sign(a) (which also tells -0 and NaN apart).
        np.greater(a, 0, out=scratch)
        delta *= scratch
        return delta

    def inactive(self, z, a):
        return a <= 0  # a dead unit: no error passes back through it


ACTIVATIONS = {cls.name: cls for cls in (Identity, Logistic, Tanh, ReLU)}


def get_activation(name):
    """Return the activation object called ``name``."""
    if name not in ACTIVATIONS:
        raise ValueError(f"Unknown activation {name!r}; the activations are {sorted(ACTIVATIONS)}.")
    return ACTIVATIONS[name]()
