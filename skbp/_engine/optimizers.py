"""Stochastic optimizers: one object, one job — turn a gradient into an update.

Both optimizers act on the network's flat parameter vector with a handful of
in-place NumPy passes (no per-layer Python loops, no temporaries per step; with
per-group factors, one short loop over the groups' runs), and both implement
decoupled weight decay (lecture §7):

    W := (1 − β) W − step(∇C),

applied to the weights only (``params[:n_weights]``), never to the biases.  The
learning rate η is set from outside, once per epoch, by a schedule
(:mod:`skbp._engine.schedules`).

``state()`` returns everything an optimizer must carry between ``partial_fit``
calls as plain arrays and numbers, and ``load_state`` puts it back: a fitted
estimator stores that, not the optimizer object.
"""

import math

import numpy as np


class Optimizer:
    """Base class: the learning rate and weight decay."""

    def __init__(
        self, n_weights, learning_rate_init, weight_decay=0.0, lr_factors=None, decay_factors=None
    ):
        # Python floats: a NumPy float64 scalar would make every in-place update of
        # a float32 vector compute in float64 (NEP 50).
        self.learning_rate = float(learning_rate_init)
        self.weight_decay = float(weight_decay)
        self.n_weights = n_weights
        # Per-parameter factors (parameter groups), None when all are 1: the
        # step is multiplied by lr_factors, the decay by decay_factors.
        self.lr_factors = lr_factors
        self.decay_factors = decay_factors
        # The factors are constant over long runs of the vector (a group, a
        # layer's weights): applied run by run, each costs one in-place pass
        # by a number, folded into the step size or the decay, instead of a
        # pass over a factor vector (three for the decay).
        self._lr_runs = None if lr_factors is None else constant_runs(lr_factors)
        self._decay_runs = None if decay_factors is None else constant_runs(decay_factors)

    def decay_weights(self, params):
        """W := (1 − β) W on the weight prefix (biases are not decayed).

        With ``decay_factors`` d: p := (1 − β d) ⊙ p on every parameter.
        """
        if not self.weight_decay:
            return
        if self.decay_factors is None:
            params[: self.n_weights] *= 1.0 - self.weight_decay
            return
        for part, factor in self._decay_runs:
            if factor:
                params[part] *= 1.0 - self.weight_decay * factor

    def scale_step(self, step, size):
        """step := size · lr_factors ⊙ step, in place (one pass); returns ``step``."""
        if self.lr_factors is None:
            step *= size
            return step
        for part, factor in self._lr_runs:
            step[part] *= size * factor
        return step

    def state(self):
        """The state to carry between calls: plain arrays and numbers."""
        return {}

    def load_state(self, state):
        """Restore a ``state()``; arrays are used in place, not copied."""
        vars(self).update(state)
        return self


class SGD(Optimizer):
    """Mini-batch gradient descent with (Nesterov) momentum, as the lecture's §4.

    Update (scikit-learn's formulation): v := μ v − η g, then
    p := p + v, or p := p + μ v − η g with Nesterov's momentum.
    With μ = 0 it is the lecture's plain rule p := p − η g.
    """

    def __init__(
        self,
        params,
        n_weights,
        learning_rate_init=0.1,
        momentum=0.9,
        nesterov=True,
        weight_decay=0.0,
        lr_factors=None,
        decay_factors=None,
    ):
        super().__init__(n_weights, learning_rate_init, weight_decay, lr_factors, decay_factors)
        self.momentum = float(momentum)
        self.nesterov = nesterov
        self.velocity = np.zeros_like(params)

    def step(self, params, grad):
        """Apply one update to ``params`` (in place) from ``grad``.

        The gradient is consumed: its buffer is reused as scratch space.
        """
        lr_grad = self.scale_step(grad, self.learning_rate)
        self.decay_weights(params)
        if self.momentum == 0:
            params -= lr_grad
            return
        velocity = self.velocity
        velocity *= self.momentum
        velocity -= lr_grad
        if self.nesterov:
            params -= lr_grad
            params += np.multiply(velocity, self.momentum, out=grad)
        else:
            params += velocity

    def state(self):
        return {"velocity": self.velocity}


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2014); with ``weight_decay`` it is AdamW.

    m := β₁ m + (1 − β₁) g,  v := β₂ v + (1 − β₂) g²,
    p := p − η √(1 − β₂ᵗ) / (1 − β₁ᵗ) · m / (√v + ε).

    The moments are stored rescaled, M = m / (1 − β₁) and V = v / (1 − β₂), so
    that their updates need no multiplication of the gradient (M := β₁ M + g);
    the constants move into the step size.  Ten passes over the parameter
    vector per step, no temporaries (the consumed gradient's buffer is the
    scratch space); the decay does not pass through √v.  Learning-rate
    factors ride on the step size's pass, decay factors on the decay's.
    """

    def __init__(
        self,
        params,
        n_weights,
        learning_rate_init=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        weight_decay=0.0,
        lr_factors=None,
        decay_factors=None,
    ):
        super().__init__(n_weights, learning_rate_init, weight_decay, lr_factors, decay_factors)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        self.t = 0
        self.first_moment = np.zeros_like(params)  # M = m / (1 − β₁)
        self.second_moment = np.zeros_like(params)  # V = v / (1 − β₂)

    def step(self, params, grad):
        """Apply one update to ``params`` (in place) from ``grad``.

        The gradient is consumed: its buffer is reused as scratch space.
        """
        self.t += 1
        b1, b2 = self.beta_1, self.beta_2
        M, V = self.first_moment, self.second_moment
        M *= b1
        M += grad
        V *= b2
        V += np.multiply(grad, grad, out=grad)
        # m / (√v + ε) = (1 − β₁)/√(1 − β₂) · M / (√V + ε/√(1 − β₂))
        root = math.sqrt(1.0 - b2)
        s = np.sqrt(V, out=grad)
        s += self.epsilon / root
        np.divide(M, s, out=s)
        step_size = self.learning_rate * math.sqrt(1.0 - b2**self.t) / (1.0 - b1**self.t)
        self.scale_step(s, step_size * (1.0 - b1) / root)
        self.decay_weights(params)
        params -= s

    def state(self):
        return {"t": self.t, "first_moment": self.first_moment, "second_moment": self.second_moment}


def constant_runs(vector):
    """[(slice, value)] covering ``vector`` with its runs of equal entries (Python floats)."""
    edges = np.flatnonzero(vector[1:] != vector[:-1]) + 1
    starts = [0, *edges.tolist()]
    stops = [*edges.tolist(), vector.size]
    return [(slice(a, b), float(vector[a])) for a, b in zip(starts, stops)]


#: The stochastic solvers, one optimizer class each.
OPTIMIZERS = {"sgd": SGD, "adam": Adam}

#: Every ``solver`` value: L-BFGS is SciPy's minimizer, driven by the training loop.
SOLVERS = ("lbfgs", *OPTIMIZERS)


def make_optimizer(name, *, network, **options):
    """The optimizer called ``name`` for ``network``'s parameters.

    ``options`` are the estimators' settings: ``learning_rate_init`` and
    ``weight_decay``, with ``momentum`` and ``nesterovs_momentum`` for "sgd",
    ``beta_1``, ``beta_2`` and ``epsilon`` for "adam"; others are ignored, so
    that an estimator can pass all of its parameters.
    """
    if name not in OPTIMIZERS:
        raise ValueError(
            f"solver={name!r} has no stochastic optimizer; the stochastic solvers "
            f"are {sorted(OPTIMIZERS)}."
        )
    common = dict(
        params=network.params,
        n_weights=network.n_weights,
        learning_rate_init=options["learning_rate_init"],
        weight_decay=options["weight_decay"],
        lr_factors=getattr(network, "lr_factors", None),
        decay_factors=getattr(network, "decay_factors", None),
    )
    if name == "sgd":
        return SGD(momentum=options["momentum"], nesterov=options["nesterovs_momentum"], **common)
    return Adam(
        beta_1=options["beta_1"], beta_2=options["beta_2"], epsilon=options["epsilon"], **common
    )
