"""Output layers paired with their cost: the ``fn`` / ``delta`` classes of the lecture.

In Nielsen's ``network2.py`` each cost is a class with ``fn`` (the cost) and
``delta`` (the output error δ^L of BP1).  Here each class also owns the output
activation, because the pair matters: for the *canonical* pairs below,

    δ^L = ∇_a C ⊙ σ'(z^L) = a^L − y,

so BP1 is a subtraction and the output nonlinearity's Jacobian never has to be
formed.  The cost is evaluated from the net input z^L with log-sum-exp /
softplus identities, so it stays finite for |z| up to 1e4 and never takes log 0.

Every cost is summed over the output units of a sample and averaged over the
samples, weighted by ``sample_weight`` (the scikit-learn convention).

Adding a regressor is one more class: identity output with half squared error
(``IdentitySquaredError``) already satisfies δ^L = a^L − y.
"""

from abc import ABC, abstractmethod

import numpy as np
from scipy.special import expit


def _logsumexp_rows(z):
    """log Σ_k exp(z_k) per row, shifted by the row maximum so exp never overflows."""
    top = z.max(axis=1)
    shifted = z - top[:, np.newaxis]
    np.exp(shifted, out=shifted)
    return np.log(shifted.sum(axis=1)) + top


def _weighted_mean(per_sample, sample_weight):
    if sample_weight is None:
        return float(per_sample.mean())
    return float(np.dot(per_sample, sample_weight) / sample_weight.sum())


class OutputLayer(ABC):
    """Base class: an output activation with its matching cost."""

    out_activation = None

    @abstractmethod
    def activation(self, z, out=None):
        """Return a^L = σ^L(z^L)."""

    @abstractmethod
    def fn(self, z, y, sample_weight=None):
        """Return the cost C (weighted mean over samples) computed from z^L."""

    def delta(self, a, y, out=None):
        """BP1: the output error δ^L = ∂C_n/∂z^L for each sample n.

        For the canonical activation/cost pairs this is a^L − y.
        """
        return np.subtract(a, y, out=out)


class SoftmaxCrossEntropy(OutputLayer):
    """Softmax output, categorical cross-entropy C = −Σ_k y_k log a_k (multiclass)."""

    out_activation = "softmax"

    def activation(self, z, out=None):
        if out is None:
            out = np.empty_like(z)
        np.subtract(z, z.max(axis=1, keepdims=True), out=out)
        np.exp(out, out=out)
        out /= out.sum(axis=1, keepdims=True)
        return out

    def fn(self, z, y, sample_weight=None):
        # −Σ_k y_k log softmax(z)_k = logsumexp(z) − Σ_k y_k z_k  for one-hot y.
        per_sample = _logsumexp_rows(z) - np.einsum("ij,ij->i", y, z)
        return _weighted_mean(per_sample, sample_weight)



class LogisticCrossEntropy(OutputLayer):
    """Logistic output per unit, binary cross-entropy summed over units.

    One unit for binary problems, one per label for multilabel problems:
    C = −Σ_k [y_k log a_k + (1 − y_k) log(1 − a_k)].
    """

    out_activation = "logistic"

    def activation(self, z, out=None):
        return expit(z, out=out)

    def fn(self, z, y, sample_weight=None):
        # −[y log σ(z) + (1 − y) log(1 − σ(z))] = softplus(z) − y z.
        per_sample = (np.logaddexp(0, z) - y * z).sum(axis=1)
        return _weighted_mean(per_sample, sample_weight)


class IdentitySquaredError(OutputLayer):
    """Identity output with half squared error C = ½ Σ_k (a_k − y_k)² (regression)."""

    out_activation = "identity"

    def activation(self, z, out=None):
        if out is None:
            return z
        np.copyto(out, z)
        return out

    def fn(self, z, y, sample_weight=None):
        per_sample = 0.5 * ((z - y) ** 2).sum(axis=1)
        return _weighted_mean(per_sample, sample_weight)


#: The output layer of each ``out_activation_``.
OUTPUT_LAYERS = {
    layer.out_activation: layer
    for layer in (SoftmaxCrossEntropy, LogisticCrossEntropy, IdentitySquaredError)
}
