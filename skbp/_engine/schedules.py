"""Learning-rate schedules: one small object per rule, asked once per epoch.

``rate(epoch, n_samples_seen)`` gives the learning rate η of the epoch about to
start (epochs counted from 0 over the whole life of the model, as
``n_samples_seen`` is); ``on_plateau()`` is asked when a stopping rule fires and
returns True when the schedule lowered the rate instead of letting training
stop.  scikit-learn's three schedules keep their semantics exactly:

``constant``    η = learning_rate_init
``invscaling``  η = learning_rate_init / (t + 1)^power_t, t = samples seen
``adaptive``    η divided by 5 at each plateau; stop once η ≤ 1e-6
``cosine``      η = learning_rate_init · ½ (1 + cos(π e / E)) over the
                ``max_iter`` epochs of each fit, after an optional linear
                warm-up; a stream of partial_fit calls restarts the cycle

As in scikit-learn, ``invscaling`` and ``adaptive`` are used by ``solver="sgd"``
only; ``constant`` and ``cosine`` by both stochastic solvers.
"""

import math


class Schedule:
    """Base class: a constant rate, and no say when training plateaus."""

    #: What the verbose output says when a plateau stops training.
    stop_note = "Stopping."

    def __init__(self, learning_rate_init, **_):
        self.learning_rate_init = float(learning_rate_init)

    def rate(self, epoch, n_samples_seen):
        """η for the epoch ``epoch`` (0-based), after ``n_samples_seen`` samples."""
        return self.learning_rate_init

    def on_plateau(self):
        """A stopping rule fired: True if the rate was lowered instead of stopping."""
        return False

    def state(self):
        """What must survive between partial_fit calls (plain builtins)."""
        return {}

    def load_state(self, state):
        vars(self).update(state)
        return self


class Constant(Schedule):
    """η = learning_rate_init."""


class InvScaling(Schedule):
    """η = learning_rate_init / (t + 1)^power_t, with t the samples seen so far."""

    def __init__(self, learning_rate_init, power_t=0.5, **_):
        super().__init__(learning_rate_init)
        self.power_t = float(power_t)

    def rate(self, epoch, n_samples_seen):
        return self.learning_rate_init / (n_samples_seen + 1) ** self.power_t


class Adaptive(Schedule):
    """Keep η while training improves; divide it by 5 when a stopping rule fires.

    Training stops only when the rule fires with η already at or below 1e-6.
    """

    MIN_RATE = 1e-6
    stop_note = "Learning rate too small. Stopping."

    def __init__(self, learning_rate_init, **_):
        super().__init__(learning_rate_init)
        self.current = self.learning_rate_init

    def rate(self, epoch, n_samples_seen):
        return self.current

    def on_plateau(self):
        if self.current <= self.MIN_RATE:
            return False
        self.current /= 5.0
        return True

    def state(self):
        return {"current": self.current}


class Cosine(Schedule):
    """Cosine annealing from learning_rate_init towards 0 over ``max_iter`` epochs.

    With ``warmup_iter`` = W > 0 the first W epochs ramp η up linearly,
    η_e = learning_rate_init · (e + 1) / W; the remaining E = max_iter − W
    epochs follow η_e = learning_rate_init · ½ (1 + cos(π (e − W) / E)).

    e counts the epochs since ``origin``, the epoch at which the current
    ``fit`` started: every ``fit`` (a warm-started one too) anneals over its own
    ``max_iter`` epochs.  ``partial_fit`` calls continue the cycle of the last
    ``fit`` (or of the first call), and once ``max_iter`` epochs are done the
    cycle restarts at learning_rate_init, warm-up included — a "warm restart"
    (Loshchilov & Hutter, SGDR, 2017) — so that a stream keeps training
    instead of stalling at η = 0.
    """

    def __init__(self, learning_rate_init, max_iter=200, warmup_iter=0, origin=0, **_):
        super().__init__(learning_rate_init)
        self.max_iter = int(max_iter)
        self.warmup_iter = int(warmup_iter)
        self.origin = int(origin)

    def rate(self, epoch, n_samples_seen):
        e = (epoch - self.origin) % self.max_iter
        if e < self.warmup_iter:
            return self.learning_rate_init * (e + 1) / self.warmup_iter
        annealing = max(self.max_iter - self.warmup_iter, 1)
        progress = (e - self.warmup_iter) / annealing
        return self.learning_rate_init * 0.5 * (1.0 + math.cos(math.pi * progress))

    def state(self):
        return {"origin": self.origin}


#: The ``learning_rate`` values, one class each.
SCHEDULES = {
    "constant": Constant,
    "invscaling": InvScaling,
    "adaptive": Adaptive,
    "cosine": Cosine,
}

#: The schedules Adam follows; it ignores the other two, as in scikit-learn.
ADAM_SCHEDULES = ("constant", "cosine")


def make_schedule(name, solver, **params):
    """The schedule ``name`` for ``solver`` (``params``: the estimator's settings)."""
    if name not in SCHEDULES:
        raise ValueError(f"Unknown learning_rate {name!r}; the schedules are {sorted(SCHEDULES)}.")
    if solver == "adam" and name not in ADAM_SCHEDULES:
        name = "constant"
    return SCHEDULES[name](**params)
