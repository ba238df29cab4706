"""The training loops' one extension point: per-epoch hooks.

Both loops (mini-batch epochs and L-BFGS iterations) call, in this order,

    on_train_begin(run)
    on_epoch_begin(run)           } once per epoch (L-BFGS: per iteration)
    on_step_begin(run, fraction)  }   before every mini-batch step (per_step hooks only)
    on_epoch_end(run, record)     }   -> True asks to stop training
    on_train_end(run)             (also after an error or an interruption)

where ``run`` is the :class:`TrainingRun` of the fit and ``record`` the epoch's
entry of ``history_``, made by :func:`epoch_record`.  Everything that happens
once per epoch — recording the history, the stopping rules and the learning-
rate schedule, verbose printing, per-layer monitoring, scikit-learn's
callbacks — is a hook: new monitoring never needs an edit of the loops.  Hooks
run in the order they are given; each sees every epoch, also after an earlier
hook has asked to stop.
"""

from dataclasses import dataclass, field

import numpy as np

from .schedules import SHAPES, progress


def epoch_record(
    epoch, train_loss, val_loss, val_score, learning_rate, n_samples_seen, duration_s
):
    """One entry of ``history_`` (builtins only: it is stored and persisted as is)."""
    return {
        "epoch": int(epoch),
        "train_loss": float(train_loss),
        "val_loss": None if val_loss is None else float(val_loss),
        "val_score": None if val_score is None else float(val_score),
        "learning_rate": float(learning_rate),
        "n_samples_seen": int(n_samples_seen),
        "duration_s": float(duration_s),
    }


@dataclass
class TrainingRun:
    """What the hooks of one fit share: the network and the training's progress.

    ``validation`` is the held-out set of early stopping (None without one);
    ``history`` is the estimator's ``history_`` (it grows across partial_fit
    calls and warm starts); ``best_params`` is a snapshot of the weights of the
    best epoch of this call — before any epoch improved, of its starting
    weights, which are also the fallback if training diverges.
    """

    network: object
    optimizer: object = None
    validation: object = None
    history: list = field(default_factory=list)
    n_samples_seen: int = 0
    best_epoch: int | None = None
    best_params: np.ndarray | None = None
    notes: list = field(default_factory=list)
    _history_at_start: int = 0

    def __post_init__(self):
        self._history_at_start = len(self.history)

    @property
    def epoch(self):
        """Epochs completed over the whole life of the model."""
        return len(self.history)

    @property
    def epochs_this_call(self):
        return len(self.history) - self._history_at_start

    def keep_best(self):
        """Snapshot the current weights as the best (reusing the buffer)."""
        if self.best_params is None:
            self.best_params = self.network.params.copy()
        else:
            np.copyto(self.best_params, self.network.params)

    def restore_best(self):
        np.copyto(self.network.params, self.best_params)


class EpochHook:
    """A client of the training loops; override the calls you need."""

    def on_train_begin(self, run):
        pass

    def on_epoch_begin(self, run):
        pass

    #: True: the mini-batch loop also calls :meth:`on_step_begin` (hooks that
    #: leave it False cost nothing per step).
    per_step = False

    def on_step_begin(self, run, fraction):
        """Before a mini-batch step; ``fraction`` of the epoch's rows already used."""

    def on_epoch_end(self, run, record):
        """Return True to ask the loop to stop after this epoch."""
        return False

    def on_train_end(self, run):
        pass


class Hooks:
    """The hooks of one fit, called in order."""

    def __init__(self, hooks):
        self.hooks = [hook for hook in hooks if hook is not None]
        self.step_hooks = [hook for hook in self.hooks if getattr(hook, "per_step", False)]

    def train_begin(self, run):
        for hook in self.hooks:
            hook.on_train_begin(run)

    def epoch_begin(self, run):
        run.notes.clear()
        for hook in self.hooks:
            hook.on_epoch_begin(run)

    def step_begin(self, run, fraction):
        for hook in self.step_hooks:
            hook.on_step_begin(run, fraction)

    def epoch_end(self, run, record):
        stop = False
        for hook in self.hooks:
            stop |= bool(hook.on_epoch_end(run, record))
        return stop

    def train_end(self, run):
        for hook in self.hooks:
            hook.on_train_end(run)


class History(EpochHook):
    """Appends each epoch's record to ``history_``."""

    def on_epoch_end(self, run, record):
        run.history.append(record)


class LearningRateSchedule(EpochHook):
    """Sets the optimizer's learning rate at the start of every epoch.

    ``per_step=True`` (a :class:`~skbp._engine.schedules.Shaped` schedule):
    also before every mini-batch step, at the progress of that step.
    """

    def __init__(self, schedule, per_step=False):
        self.schedule = schedule
        self.per_step = per_step

    def on_epoch_begin(self, run):
        run.optimizer.learning_rate = self.schedule.rate(run.epoch, run.n_samples_seen)

    def on_step_begin(self, run, fraction):
        run.optimizer.learning_rate = self.schedule.rate(
            run.epoch, run.n_samples_seen, fraction
        )


class ScheduledFactor(EpochHook):
    """Scales a training quantity by a shape of the progress, once per epoch.

    At the start of every epoch, ``apply(run, s(t))`` receives the factor
    s(t) of the shape ``shape`` (a name in :data:`~skbp._engine.schedules.SHAPES`)
    at t = (e + ½) / ``max_epochs``, e counted from the first epoch of this
    call; ``apply`` sets the quantity (dropout rates, weight decay).  Put it
    after :class:`LearningRateSchedule` when the quantity depends on the rate.
    ``per_step=True``: also before every mini-batch step, at
    t = (e + f) / ``max_epochs`` with f the share of the epoch's rows used.
    """

    def __init__(self, shape, max_epochs, apply, per_step=False):
        self.shape = SHAPES[shape]
        self.max_epochs = max_epochs
        self.apply = apply
        self.per_step = per_step

    def on_epoch_begin(self, run):
        self.apply(run, self.shape(progress(run.epochs_this_call, self.max_epochs)))

    def on_step_begin(self, run, fraction):
        t = progress(run.epochs_this_call, self.max_epochs, fraction)
        self.apply(run, self.shape(t))


class EpochBudget(EpochHook):
    """Ends training after ``max_epochs`` epochs of this call.

    For a training plan whose length is part of its schedules (coslog4 ends at
    the budget's last epoch): reaching it is the plan, not a failure to
    converge, so the loop ends as if a stopping rule had fired and no
    ConvergenceWarning is raised.
    """

    def __init__(self, max_epochs):
        self.max_epochs = max_epochs
        self.first_epoch = 1

    def on_train_begin(self, run):
        self.first_epoch = run.epoch + 1

    def on_epoch_end(self, run, record):
        return record["epoch"] - self.first_epoch + 1 >= self.max_epochs


class StoppingRule(EpochHook):
    """Asks a stopping rule (:mod:`skbp._engine.stopping`) after every epoch.

    Keeps the weights of the best epoch; when the rule fires, the schedule may
    lower the learning rate instead (``learning_rate="adaptive"``), otherwise
    training stops.  With ``restore_best`` (a validation split is used) the best
    epoch's weights are put back when training ends, however it ends.  The
    messages are scikit-learn's, printed with ``verbose``.
    """

    def __init__(self, rule, schedule, restore_best):
        self.rule = rule
        self.schedule = schedule
        self.restore_best = restore_best

    def on_train_begin(self, run):
        run.keep_best()

    def on_epoch_end(self, run, record):
        improved, fired = self.rule.update(
            record["train_loss"], record["val_loss"], record["val_score"]
        )
        if improved:
            run.best_epoch = record["epoch"]
            run.keep_best()
        if not fired:
            return False
        if self.schedule.on_plateau():
            rate = self.schedule.rate(run.epoch, run.n_samples_seen)
            run.notes.append(f"{self.rule.message} Setting learning rate to {rate:f}")
            self.rule.reset()
            return False
        run.notes.append(f"{self.rule.message} {self.schedule.stop_note}")
        return True

    def on_train_end(self, run):
        if self.restore_best and run.best_params is not None:
            run.restore_best()


class BestIterate(EpochHook):
    """L-BFGS: the best epoch is the iteration with the lowest training loss."""

    def on_epoch_end(self, run, record):
        best = run.best_epoch
        if best is None or record["train_loss"] < run.history[best - 1]["train_loss"]:
            run.best_epoch = record["epoch"]
