"""Stopping rules: when does training end, and which epoch's weights to keep?

Each rule sees one epoch at a time through ``update(train_loss, val_loss,
val_score)`` and answers two questions:

* ``improved`` — is this the best epoch so far?  (The training loop snapshots
  the weights of the best epoch when a validation split is used.)
* ``fired`` — should training stop?  The learning-rate schedule gets the last
  word: with ``learning_rate="adaptive"`` it lowers the rate instead, and the
  rule is ``reset`` (see :class:`skbp._engine.hooks.StoppingRule`).

Rules:

``TrainingLossPlateau``     scikit-learn's default (``early_stopping=False``)
``ValidationScorePlateau``  scikit-learn's ``early_stopping=True``
``BestValidationEpoch``     model selection without stopping: every epoch runs,
                            the best-scoring one is kept (tabular estimators)
``GeneralizationLoss``      Prechelt's GL_α   (``early_stopping="GL"``)
``ProgressQuotient``        Prechelt's PQ_α   (``early_stopping="PQ"``)
``UpStrips``                Prechelt's UP_s   (``early_stopping="UP"``)

Prechelt (1998), "Early stopping — but when?", defines the last three on the
validation loss E_va and the training loss E_tr, with training strips of k = 5
epochs.
"""

import math

#: Thresholds used when ``stopping_threshold=None``: each is one of the values
#: Prechelt (1998) evaluated (GL_1..GL_5, PQ_0.5..PQ_3, UP_2..UP_4 among them).
DEFAULT_THRESHOLDS = {"GL": 2.0, "PQ": 0.75, "UP": 3}
STRIP_LENGTH = 5


class _Rule:
    """Shared by all rules: their state is plain numbers and lists."""

    def state(self):
        """What must survive between partial_fit calls (a copy, plain builtins)."""
        return {name: list(value) if isinstance(value, list) else value
                for name, value in vars(self).items()}

    def load_state(self, state):
        vars(self).update(state)
        return self


class _Plateau(_Rule):
    """scikit-learn's patience rule: fire when the monitored quantity has not
    improved by ``tol`` for more than ``n_iter_no_change`` consecutive epochs."""

    quantity = ""

    def __init__(self, tol, n_iter_no_change):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.no_improvement_count = 0

    @property
    def message(self):
        return (
            f"{self.quantity} did not improve more than tol={self.tol:f} for "
            f"{self.n_iter_no_change} consecutive epochs."
        )

    def _count(self, improved_by_tol):
        self.no_improvement_count = 0 if improved_by_tol else self.no_improvement_count + 1
        return self.no_improvement_count > self.n_iter_no_change

    def reset(self):
        self.no_improvement_count = 0


class TrainingLossPlateau(_Plateau):
    """Stop on a training-loss plateau (scikit-learn's default)."""

    needs_validation = False
    quantity = "Training loss"

    def __init__(self, tol, n_iter_no_change):
        super().__init__(tol, n_iter_no_change)
        self.best_loss = math.inf

    def update(self, train_loss, val_loss=None, val_score=None):
        fired = self._count(train_loss <= self.best_loss - self.tol)
        improved = train_loss < self.best_loss
        if improved:
            self.best_loss = train_loss
        return improved, fired


class ValidationScorePlateau(_Plateau):
    """Stop on a validation-score plateau (keep the best-scoring weights)."""

    needs_validation = True
    quantity = "Validation score"

    def __init__(self, tol, n_iter_no_change):
        super().__init__(tol, n_iter_no_change)
        self.best_score = -math.inf
        self.best_val_loss = math.inf

    def update(self, train_loss, val_loss=None, val_score=None):
        fired = self._count(val_score >= self.best_score + self.tol)
        # Accuracy is coarse: among epochs of equal validation accuracy, the one
        # with the lower validation loss is the better model.
        improved = val_score > self.best_score or (
            val_score == self.best_score and val_loss < self.best_val_loss
        )
        if improved:
            self.best_score = val_score
            self.best_val_loss = val_loss
        return improved, fired


class BestValidationEpoch(ValidationScorePlateau):
    """Never stop; the best validation epoch is the one whose weights are kept.

    RealMLP's model selection: the whole epoch budget is trained (a schedule
    such as coslog4 only makes sense run to its end) and the epoch with the
    best validation score — ties broken by the validation loss — is restored.
    """

    quantity = "Validation score"

    def __init__(self):
        super().__init__(tol=0.0, n_iter_no_change=math.inf)

    def update(self, train_loss, val_loss=None, val_score=None):
        improved, _ = super().update(train_loss, val_loss, val_score)
        return improved, False


class _ValidationLossRule(_Rule):
    """Shared bookkeeping of Prechelt's criteria: E_opt(t) = min E_va."""

    needs_validation = True

    def __init__(self, threshold):
        self.threshold = threshold
        self.best_val_loss = math.inf
        self.epoch = 0
        self.train_losses = []
        self.val_losses = []

    def _record(self, train_loss, val_loss):
        self.epoch += 1
        self.train_losses.append(train_loss)
        self.val_losses.append(val_loss)
        improved = val_loss < self.best_val_loss
        if improved:
            self.best_val_loss = val_loss
        return improved

    def generalization_loss(self):
        """GL(t) = 100 · (E_va(t) / E_opt(t) − 1), in percent."""
        if self.best_val_loss <= 0:
            return 0.0 if self.val_losses[-1] <= 0 else math.inf
        return 100.0 * (self.val_losses[-1] / self.best_val_loss - 1.0)

    def at_strip_end(self):
        return self.epoch % STRIP_LENGTH == 0

    def reset(self):
        """Called when the learning rate was lowered instead of stopping."""


class GeneralizationLoss(_ValidationLossRule):
    """GL_α: stop as soon as the generalization loss exceeds α percent."""

    @property
    def message(self):
        return f"Generalization loss GL exceeded alpha={self.threshold:g}."

    def update(self, train_loss, val_loss=None, val_score=None):
        improved = self._record(train_loss, val_loss)
        return improved, self.generalization_loss() > self.threshold


class ProgressQuotient(_ValidationLossRule):
    """PQ_α: stop at the end of a strip when GL(t) / P_k(t) > α, where
    P_k(t) = 1000 · (mean of E_tr over the strip / min over the strip − 1)
    measures how much training still progresses."""

    @property
    def message(self):
        return f"Progress quotient PQ exceeded alpha={self.threshold:g}."

    def training_progress(self):
        strip = self.train_losses[-STRIP_LENGTH:]
        lowest = min(strip)
        if lowest <= 0:
            return 0.0
        return 1000.0 * (sum(strip) / (len(strip) * lowest) - 1.0)

    def update(self, train_loss, val_loss=None, val_score=None):
        improved = self._record(train_loss, val_loss)
        if not self.at_strip_end():
            return improved, False
        gl = self.generalization_loss()
        progress = self.training_progress()
        if progress <= 0:
            return improved, gl > 0
        return improved, gl / progress > self.threshold


class UpStrips(_ValidationLossRule):
    """UP_s: stop when the validation loss increased at the end of s
    successive strips: E_va(t) > E_va(t − k) for s strip ends in a row."""

    def __init__(self, threshold):
        super().__init__(threshold)
        self.successive_ups = 0

    @property
    def message(self):
        return (
            f"Validation loss increased in {int(self.threshold)} successive strips "
            f"of {STRIP_LENGTH} epochs."
        )

    def update(self, train_loss, val_loss=None, val_score=None):
        improved = self._record(train_loss, val_loss)
        if not self.at_strip_end() or self.epoch <= STRIP_LENGTH:
            return improved, False
        if self.val_losses[-1] > self.val_losses[-1 - STRIP_LENGTH]:
            self.successive_ups += 1
        else:
            self.successive_ups = 0
        return improved, self.successive_ups >= self.threshold

    def reset(self):
        self.successive_ups = 0


PRECHELT_RULES = {"GL": GeneralizationLoss, "PQ": ProgressQuotient, "UP": UpStrips}


def make_stopping_rule(name, *, tol, n_iter_no_change, threshold=None):
    """The rule called ``name``: a key of ``PRECHELT_RULES`` (with its
    ``threshold``, None for its default), True for the validation-score
    plateau, False for the training-loss plateau (both with ``tol`` and
    ``n_iter_no_change``)."""
    if name in PRECHELT_RULES:
        if threshold is None:
            threshold = DEFAULT_THRESHOLDS[name]
        return PRECHELT_RULES[name](threshold)
    if name:
        return ValidationScorePlateau(tol, n_iter_no_change)
    return TrainingLossPlateau(tol, n_iter_no_change)
