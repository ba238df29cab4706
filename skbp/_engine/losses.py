"""Output layers paired with their cost: the ``fn`` / ``delta`` classes of the lecture.

In Nielsen's ``network2.py`` each cost is a class with ``fn`` (the cost) and
``delta`` (the output error δ^L of BP1).  Here each class also owns the output
activation σ^L, because BP1 is about the pair:

    δ^L = ∇_a C ⊙ σ'(z^L).

Each loss holds its output activation σ^L (``output_activation``, an object
of ``activations.py`` with ``forward`` and ``derivative``) and says whether the
pair is *canonical*.  ``Loss.delta`` computes BP1's product from ``grad_a``
(∇_a C) and ``output_activation.derivative`` (σ'(z^L)).  For the canonical
pairs — softmax with cross-entropy, logistic units with binary cross-entropy,
identity with squared error, exp with Poisson deviance — the product collapses
to a^L − y, and ``delta`` is that subtraction.  Absolute error, the quantile
(pinball) loss and the gamma deviance with a log link are not canonical and
use the general product as it reads.

Every cost is summed over the output units of a sample and averaged over the
samples, weighted by ``sample_weight`` (the scikit-learn convention).  Costs are
evaluated from the net input z^L with log-sum-exp / softplus identities, and the
log link's exp is taken of z^L clipped to ±``exp_limit(dtype)`` (``Exp.clipped``), so costs
stay finite for |z| up to 1e4 and never take log 0.

Label smoothing (Szegedy et al., 2016) trains the two classification losses
against softened targets ỹ = (1 − ε) y + ε/K — K classes for softmax, K = 2
for each logistic unit — instead of the one-hot y.  The cost is the same
cross-entropy with ỹ in place of y, and since the pairs stay canonical BP1
reads δ^L = a^L − ỹ: the network is never pushed towards a saturated output,
which keeps its logits finite and its probabilities less overconfident.
``label_smoothing`` = ε is a parameter of those two losses (0: plain y);
their ``target`` is ỹ.

``LOSSES`` is the one table of losses, keyed by loss name: estimators, parameter
validation, the command line, the docs and the tests derive their lists from it.
"""

from abc import ABC, abstractmethod

import numpy as np
from scipy.special import xlogy

from .activations import OUTPUT_ACTIVATIONS, Exp, Identity, Logistic, Softmax


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


def _smooth(y, epsilon, n_levels, dtype):
    """(1 − ε) y + ε / n_levels in ``dtype``; y itself (often boolean) when ε = 0."""
    if not epsilon:
        return y
    return y.astype(dtype) * (1.0 - epsilon) + epsilon / n_levels


class Loss(ABC):
    """An output activation σ^L with its cost C; subclasses fill in the math.

    ``name`` is the key in :data:`LOSSES`; ``output_activation`` is σ^L, an
    activation object with ``forward`` and ``derivative`` (its name is the
    estimators' ``out_activation_``); ``canonical`` says whether the pair's
    BP1 collapses to a^L − y.
    """

    name = None
    output_activation = None
    canonical = False

    def activation(self, z, out=None):
        """a^L = σ^L(z^L)."""
        return self.output_activation.forward(z, out=out)

    @abstractmethod
    def per_sample(self, z, y):
        """C_n for each sample n, computed from its net input z^L."""

    @abstractmethod
    def grad_a(self, a, y):
        """∇_a C for each sample: the derivative of its cost by its output a^L."""

    def target(self, y, dtype):  # noqa: ARG002 - the smoothing losses use dtype
        """The target the cost compares a^L with: y itself (ỹ with label smoothing)."""
        return y

    def delta(self, z, a, y, out=None):
        """BP1: the output error δ^L = ∂C_n/∂z^L of each sample.

        ∇_a C ⊙ σ'(z^L) as the lecture writes it; a canonical pair uses the
        subtraction a^L − y it simplifies to, which also avoids 0/0 where a
        logistic unit saturates.
        """
        if self.canonical:
            return np.subtract(a, self.target(y, a.dtype), out=out)
        return np.multiply(
            self.grad_a(a, y), self.output_activation.derivative(z, a), out=out
        )

    def fn(self, z, y, sample_weight=None):
        """The cost C: the (weighted) mean over the samples of C_n."""
        return _weighted_mean(self.per_sample(z, y), sample_weight)

    def check_targets(self, y):  # noqa: B027 - most losses take any real target
        """Raise ValueError for targets outside the loss's domain (none here)."""


class SoftmaxCrossEntropy(Loss):
    """Softmax output, categorical cross-entropy C = −Σ_k y_k log a_k (multiclass).

    σ' is not element-wise here: each a_k depends on every z_j, and the
    Jacobian ∂a/∂z = diag(a) − a aᵀ applied to ∇_a C = −y / a gives
    δ^L = a − y for one-hot y (see the user guide's derivation).
    """

    name = "log_loss"
    output_activation = Softmax()
    canonical = True

    def __init__(self, label_smoothing=0.0):
        self.label_smoothing = float(label_smoothing)

    def target(self, y, dtype=np.float64):
        """ỹ = (1 − ε) y + ε/K, K the number of classes (y itself for ε = 0)."""
        return _smooth(y, self.label_smoothing, y.shape[1], dtype)

    def grad_a(self, a, y):
        return -self.target(y, a.dtype) / a

    def per_sample(self, z, y):
        # −Σ_k ỹ_k log softmax(z)_k = logsumexp(z) − Σ_k ỹ_k z_k, as Σ_k ỹ_k = 1.
        return _logsumexp_rows(z) - np.einsum("ij,ij->i", self.target(y, z.dtype), z)


class LogisticCrossEntropy(Loss):
    """Logistic output per unit, binary cross-entropy summed over units.

    One unit for binary problems, one per label for multilabel problems:
    C = −Σ_k [y_k log a_k + (1 − y_k) log(1 − a_k)];
    ∇_a C = (a − y) / (a (1 − a)) and σ'(z) = a (1 − a).
    """

    name = "binary_log_loss"
    output_activation = Logistic()
    canonical = True

    def __init__(self, label_smoothing=0.0):
        self.label_smoothing = float(label_smoothing)

    def target(self, y, dtype=np.float64):
        """ỹ = (1 − ε) y + ε/2 per unit (y itself for ε = 0)."""
        return _smooth(y, self.label_smoothing, 2, dtype)

    def grad_a(self, a, y):
        return (a - self.target(y, a.dtype)) / (a * (1 - a))

    def per_sample(self, z, y):
        # −[ỹ log σ(z) + (1 − ỹ) log(1 − σ(z))] = softplus(z) − ỹ z.
        return (np.logaddexp(0, z) - self.target(y, z.dtype) * z).sum(axis=1)


class SquaredError(Loss):
    """Half squared error C = ½ Σ_k (a_k − y_k)², identity output: ∇_a C = a − y, σ' = 1."""

    name = "squared_error"
    output_activation = Identity()
    canonical = True

    def grad_a(self, a, y):
        return a - y

    def per_sample(self, z, y):
        return 0.5 * ((z - y) ** 2).sum(axis=1)


class AbsoluteError(Loss):
    """Absolute error C = Σ_k |a_k − y_k|, identity output: ∇_a C = sign(a − y) (0 at the kink)."""

    name = "absolute_error"
    output_activation = Identity()

    def grad_a(self, a, y):
        return np.sign(a - y)

    def per_sample(self, z, y):
        return np.abs(z - y).sum(axis=1)


class QuantileLoss(Loss):
    """Pinball loss of quantile q: C = Σ_k max(q (y_k − a_k), (q − 1)(y_k − a_k)).

    Identity output.  ∇_a C is −q where a < y (the prediction is too low) and
    1 − q where a ≥ y, so the minimizer is the q-quantile of y given x.
    """

    name = "quantile"
    output_activation = Identity()

    def __init__(self, quantile=0.5):
        self.quantile = float(quantile)

    def grad_a(self, a, y):
        return np.subtract(a >= y, self.quantile, dtype=a.dtype)

    def per_sample(self, z, y):
        residual = y - z
        q = self.quantile
        return np.maximum(q * residual, (q - 1) * residual).sum(axis=1)


class PoissonDeviance(Loss):
    """Half Poisson deviance with a log link, C = Σ_k [y log(y/a) − y + a].

    ∇_a C = 1 − y/a and σ'(z) = a, so δ^L = a − y: a canonical pair.
    """

    name = "poisson"
    output_activation = Exp()
    canonical = True

    def grad_a(self, a, y):
        return 1 - y / a

    def per_sample(self, z, y):
        z = Exp.clipped(z)
        return (xlogy(y, y) - y * z - y + np.exp(z)).sum(axis=1)

    def check_targets(self, y):
        if not (np.all(y >= 0) and np.sum(y) > 0):
            raise ValueError("loss='poisson' requires non-negative y and sum(y) > 0.")


class GammaDeviance(Loss):
    """Half gamma deviance with a log link, C = Σ_k [log(a/y) + y/a − 1].

    ∇_a C = 1/a − y/a² and σ'(z) = a: δ^L = (1/a − y/a²) a = 1 − y/a, which is
    not a − y (the log link is not the gamma family's canonical link).
    """

    name = "gamma"
    output_activation = Exp()

    def grad_a(self, a, y):
        return (a - y) / (a * a)

    def per_sample(self, z, y):
        z = Exp.clipped(z)
        return (z - np.log(y) + y * np.exp(-z) - 1).sum(axis=1)

    def check_targets(self, y):
        if not np.all(y > 0):
            raise ValueError("loss='gamma' requires strictly positive y.")


#: The losses by name; classifiers use "log_loss" (multiclass) and
#: "binary_log_loss" (binary, multilabel), as scikit-learn's MLP does internally.
LOSSES = {
    loss.name: loss
    for loss in (
        SoftmaxCrossEntropy,
        LogisticCrossEntropy,
        SquaredError,
        AbsoluteError,
        QuantileLoss,
        PoissonDeviance,
        GammaDeviance,
    )
}

#: The ``loss`` values of regressors, in the order the docs list them.
REGRESSION_LOSSES = ("squared_error", "poisson", "absolute_error", "gamma", "quantile")


def make_loss(name, **params):
    """The loss called ``name``; ``params`` are its own (``quantile``, ``label_smoothing``)."""
    if name not in LOSSES:
        raise ValueError(f"Unknown loss {name!r}; the losses are {sorted(LOSSES)}.")
    return LOSSES[name](**params)


def activation_of_output(out_activation):
    """σ^L for ``out_activation_`` ("softmax", "logistic", "identity" or "exp")."""
    if out_activation not in OUTPUT_ACTIVATIONS:
        raise ValueError(f"No loss has the output activation {out_activation!r}.")
    return OUTPUT_ACTIVATIONS[out_activation]().forward
