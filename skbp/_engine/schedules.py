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
``coslog4``     η = learning_rate_init · coslog4(t): RealMLP's four cosine
                cycles with warm restarts, each twice as long as the last
``flat_cos``    η = learning_rate_init · flat_cos(t): flat, then a cosine to 0

As in scikit-learn, ``invscaling`` and ``adaptive`` are used by ``solver="sgd"``
only; the others by both stochastic solvers.

The last two are *shapes*: multipliers s(t) of the training progress
t ∈ [0, 1], kept in the table :data:`SHAPES`, which the tabular estimators
also apply to their dropout and weight decay (RealMLP, Holzmüller et al. 2024,
and its package pytabkit, whose formulas these are):

``constant``    s(t) = 1
``cosine``      s(t) = ½ (1 + cos(π t))
``coslog4``     s(t) = ½ (1 − cos(2π log₂(1 + 15 t))): s is 0 at t = 0 and at
                the restarts t = 1/15, 3/15, 7/15, 1, and 1 halfway (in log
                time) through each cycle
``flat_cos``    s(t) = 1 for t < ½, then ½ (1 + cos(π (2t − 1)))

The Backprop estimators change their rate once per epoch, evaluated at the
epoch's middle, t = (e + ½) / E, so that no epoch runs at the rate 0 of
coslog4's restarts. The tabular estimators set rate, dropout and weight decay
before every step, as pytabkit does: t = (e + r/n) / E after r of the epoch's
n rows (the very first step has coslog4's rate 0), see
:class:`~skbp._engine.hooks.LearningRateSchedule`.
"""

import math


def _coslog(n_cycles):
    def coslog(t):
        return 0.5 * (1.0 - math.cos(2.0 * math.pi * math.log2(1.0 + (2**n_cycles - 1) * t)))

    return coslog


def _flat_cos(t):
    return 1.0 if t < 0.5 else 0.5 * (1.0 + math.cos(math.pi * (2.0 * t - 1.0)))


#: Multipliers s(t) of the training progress t in [0, 1], by name: the
#: ``learning_rate`` values "coslog4" and "flat_cos", and the dropout and
#: weight-decay schedules of the tabular estimators.
SHAPES = {
    "constant": lambda t: 1.0,
    "cosine": lambda t: 0.5 * (1.0 + math.cos(math.pi * t)),
    "coslog4": _coslog(4),
    "flat_cos": _flat_cos,
}


def progress(epoch, max_epochs, fraction=0.5):
    """t in [0, 1] at ``fraction`` of the epoch ``epoch`` (0-based) of ``max_epochs``.

    The default ½ is the epoch's middle (a schedule set once per epoch); a
    schedule set before every step passes the share of the epoch's rows already
    used, so t is the share of the whole budget's rows seen, RealMLP's t.
    """
    return min((epoch + fraction) / max(max_epochs, 1), 1.0)


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


class Shaped(Schedule):
    """η = learning_rate_init · s(t) for the shape s called ``shape`` in :data:`SHAPES`.

    t = (e + f) / max_iter at the share f of the epoch (½ by default: its
    middle; per step, the share of its rows already used), e counting the epochs since ``origin``, the epoch
    at which the current fit started (every fit runs the shape over its own
    ``max_iter`` epochs); past ``max_iter`` epochs — a stream of partial_fit
    calls — the shape starts over.
    """

    shape = "constant"

    def __init__(self, learning_rate_init, max_iter=200, origin=0, shape=None, **_):
        super().__init__(learning_rate_init)
        self.max_iter = int(max_iter)
        self.origin = int(origin)
        if shape is not None:
            self.shape = shape

    def rate(self, epoch, n_samples_seen, fraction=0.5):
        t = progress((epoch - self.origin) % self.max_iter, self.max_iter, fraction)
        return self.learning_rate_init * SHAPES[self.shape](t)

    def state(self):
        return {"origin": self.origin}


class Coslog4(Shaped):
    """RealMLP's schedule: four cosine cycles with warm restarts (``SHAPES["coslog4"]``)."""

    shape = "coslog4"


class FlatCosine(Shaped):
    """A flat rate for the first half, then a cosine to 0 (``SHAPES["flat_cos"]``)."""

    shape = "flat_cos"


#: The ``learning_rate`` values, one class each.
SCHEDULES = {
    "constant": Constant,
    "invscaling": InvScaling,
    "adaptive": Adaptive,
    "cosine": Cosine,
    "coslog4": Coslog4,
    "flat_cos": FlatCosine,
}

#: The schedules Adam follows; it ignores the other two, as in scikit-learn.
ADAM_SCHEDULES = ("constant", "cosine", "coslog4", "flat_cos")


def make_schedule(name, *, solver, **options):
    """The schedule called ``name`` for ``solver``; ``options`` are its settings
    (``learning_rate_init``, ``power_t``, ``max_iter``, ...; each schedule
    takes the ones it uses)."""
    if name not in SCHEDULES:
        raise ValueError(f"Unknown learning_rate {name!r}; the schedules are {sorted(SCHEDULES)}.")
    if solver == "adam" and name not in ADAM_SCHEDULES:
        name = "constant"
    return SCHEDULES[name](**options)
