"""The training loops: mini-batch epochs (sgd, adam) and full-batch L-BFGS.

The data path of one step is: gather a batch → ``Network.loss_and_gradient``
(forward, BP1–BP4, penalty) → ``optimizer.step``.  Around it, each loop makes
one record per epoch (L-BFGS: per iteration) with :func:`epoch_record` and hands
it to the fit's hooks (:mod:`skbp._engine.hooks`): history, stopping rules,
learning-rate schedule, printing and monitoring live there, not here.  What
stays in the loops is keeping the weights safe:

* weights that are no longer finite stop training: the best finite epoch's
  weights are restored, and without a validation split scikit-learn's
  "Solver produced non-finite parameter weights" ValueError is raised
  (:class:`TrainingDiverged`; the estimator adds what to change) — coefs_
  never hold NaN or inf (see :func:`train_stochastic` for the rest);
* Ctrl-C (KeyboardInterrupt) leaves the network with the best or last finite
  weights and a complete history up to the last finished epoch, warns, and
  re-raises so that an outer grid search can still be aborted.
"""

import time
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.optimize
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from .hooks import epoch_record
from .network import Workspace


class TrainingDiverged(ValueError):
    """Training produced a non-finite loss or non-finite parameters."""


def divergence_error(epoch):
    """The error of a fit that cannot return a finite model (the estimator adds
    what to change: its learning rate, the scale of the features)."""
    return TrainingDiverged(
        "Solver produced non-finite parameter weights. The input data may contain "
        "large values and need to be preprocessed. Training diverged in epoch "
        f"{epoch}; the weights of the best finite epoch were kept."
    )


@dataclass
class DataSet:
    """Features, boolean one-hot/indicator targets, optional sample weights.

    ``keys`` (content hashes of the rows) are only needed for dropout masks.
    """

    X: object
    Y: np.ndarray
    sample_weight: np.ndarray | None = None
    keys: np.ndarray | None = None

    @property
    def n_samples(self):
        return self.Y.shape[0]

    def take(self, rows):
        """The data set of ``rows`` (an index array)."""

        def rows_of(values):
            return None if values is None else values[rows]

        return DataSet(self.X[rows], self.Y[rows], rows_of(self.sample_weight), rows_of(self.keys))


@dataclass
class ValidationSet(DataSet):
    """A held-out split plus the function scoring predictions made from logits."""

    score: object = None

    def evaluate(self, network):
        """(validation loss, validation score) from one forward pass.

        The score is NaN when the outputs are not finite, as scikit-learn's
        MLPs score such a model.
        """
        with np.errstate(over="ignore", invalid="ignore"):
            logits = network.predict_logits(self.X)
            loss = network.output.fn(logits, self.Y, self.sample_weight)
        if not np.isfinite(logits).all():
            return loss, float("nan")
        return loss, float(self.score(logits))


class _BatchGatherer:
    """Copies the rows of a batch into preallocated buffers (no per-batch allocation)."""

    def __init__(self, data, batch_size):
        self.data = data
        self.dense = not sp.issparse(data.X)
        if self.dense:
            self.X_buffer = np.empty((batch_size, data.X.shape[1]), data.X.dtype)
        self.Y_buffer = np.empty((batch_size, data.Y.shape[1]), data.Y.dtype)
        if data.sample_weight is not None:
            self.sw_buffer = np.empty(batch_size, data.sample_weight.dtype)

    def gather(self, index):
        """Return (X, Y, sample_weight, keys) for ``index`` (an array or a slice)."""
        data, m = self.data, self._length(index)
        if isinstance(index, slice):
            X = data.X[index]
            Y = data.Y[index]
            sw = None if data.sample_weight is None else data.sample_weight[index]
        else:
            # mode="clip": with out=, the default mode="raise" copies through a
            # buffer (1.5x slower); the indices come from a permutation, so they
            # are always in range.
            X = data.X[index] if not self.dense else np.take(
                data.X, index, axis=0, out=self.X_buffer[:m], mode="clip"
            )
            Y = np.take(data.Y, index, axis=0, out=self.Y_buffer[:m], mode="clip")
            sw = None
            if data.sample_weight is not None:
                sw = np.take(data.sample_weight, index, out=self.sw_buffer[:m], mode="clip")
        keys = None if data.keys is None else data.keys[index]
        return X, Y, sw, keys

    @staticmethod
    def _length(index):
        if isinstance(index, slice):
            return index.stop - index.start
        return index.shape[0]


def _batch_masks(network, dropout, ws, epoch, keys, n):
    """Scaled dropout masks for the inputs of every weight layer (None: no dropout)."""
    masks = [None] * network.n_layers
    for layer in range(network.n_layers):
        if dropout.is_active(layer):
            width = network.layer_sizes[layer]
            buffer = ws.mask_buffer(layer, width, network.dtype)
            masks[layer] = dropout.mask(layer, epoch, keys, width, network.dtype, out=buffer[:n])
    return masks


def epoch_rows(n, batch_size, drop_last):
    """Rows one epoch trains on: all ``n``, or the full batches' with ``drop_last``."""
    return n - n % batch_size if drop_last and n >= batch_size else n


def run_epoch(
    network, optimizer, gatherer, ws, *, order, batch_size, penalty, dropout, epoch,
    batch_progress=None, step_begin=None, drop_last=False,
):
    """One pass over the training data; returns the mean training loss (None
    when a gradient was not finite and the epoch had to stop).

    A batch whose sample weights are all zero has no cost to descend (its
    weighted mean is 0/0): it is skipped, and the mean loss is over the rows
    of the batches that trained.  ``drop_last`` skips the last batch when it
    is smaller than ``batch_size`` (shuffled, it is other rows every epoch):
    every step then has the same gradient noise.
    """
    n = epoch_rows(gatherer.data.n_samples, batch_size, drop_last)
    accumulated = 0.0
    n_trained = 0
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        # Sorted rows gather faster; the order of rows inside a batch does not
        # change its gradient, and dropout masks follow the rows' content.
        index = slice(start, stop) if order is None else np.sort(order[start:stop])
        X, Y, sw, keys = gatherer.gather(index)
        if sw is not None and not sw.any():
            continue
        if step_begin is not None:  # per-step schedules: before the masks (dropout rates)
            step_begin(start / n)
        masks = None
        if dropout is not None:
            masks = _batch_masks(network, dropout, ws, epoch, keys, stop - start)
        loss = network.loss_and_gradient(X, Y, sw, penalty, ws, masks)
        if not np.isfinite(loss) and not np.isfinite(network.grad).all():
            # An overflowing cost alone is not divergence (scikit-learn trains on),
            # but a step along a non-finite gradient would poison every weight.
            return None
        optimizer.step(network.params, network.grad)
        accumulated += loss * (stop - start)
        n_trained += stop - start
        if batch_progress is not None:
            batch_progress(epoch + 1, stop, n)
    return accumulated / n_trained


def train_stochastic(
    network,
    train,
    *,
    run,
    hooks,
    rng,
    batch_size,
    shuffle,
    max_epochs,
    validation=None,
    penalty=None,
    dropout=None,
    incremental=False,
    batch_progress=None,
    divergence_hint="",
    drop_last=False,
):
    """Run up to ``max_epochs`` epochs of mini-batch training (one for partial_fit).

    Divergence follows scikit-learn (#29504): training stops when the weights
    are no longer finite; with a validation split the best validated epoch is
    kept with a warning and the diverged epoch's validation score is NaN,
    without one there is no model to return and TrainingDiverged is raised.
    A cost that overflows while the weights stay finite is not divergence:
    training goes on, and if the final weights' outputs are not finite the
    epoch of the lowest training loss is restored, with a warning.
    ``divergence_hint`` ends those warnings: what the caller's user can change
    (the engine does not know the estimator's parameter names).
    ``drop_last``: every epoch skips its last, smaller batch (see :func:`run_epoch`).
    """
    ws = Workspace(network, batch_size)
    gatherer = _BatchGatherer(train, batch_size)
    n = train.n_samples
    optimizer = run.optimizer
    step_begin = None
    if hooks.step_hooks:
        def step_begin(fraction):
            hooks.step_begin(run, fraction)
    hooks.train_begin(run)
    try:
        for _ in range(max_epochs):
            hooks.epoch_begin(run)
            started = time.perf_counter()
            order = rng.permutation(n) if shuffle else None
            train_loss = run_epoch(
                network, optimizer, gatherer, ws, order=order, batch_size=batch_size,
                penalty=penalty, dropout=dropout, epoch=run.epoch,
                batch_progress=batch_progress, step_begin=step_begin, drop_last=drop_last,
            )
            diverged = train_loss is None or not np.isfinite(network.params).all()
            if diverged and validation is None:
                run.restore_best()
                raise divergence_error(run.epoch + 1)
            val_loss = val_score = None
            if diverged:
                val_loss = val_score = float("nan")
            elif validation is not None:
                val_loss, val_score = validation.evaluate(network)
            run.n_samples_seen += epoch_rows(n, batch_size, drop_last)
            record = epoch_record(
                run.epoch + 1, float("nan") if train_loss is None else train_loss,
                val_loss, val_score, optimizer.learning_rate, run.n_samples_seen,
                time.perf_counter() - started,
            )
            stop = hooks.epoch_end(run, record)
            if diverged:
                kept = (
                    "starting weights of this call" if run.best_epoch is None
                    else f"weights of the best validated epoch ({run.best_epoch})"
                )
                warnings.warn(
                    f"Training diverged in epoch {run.epoch}: the weights are no longer "
                    f"finite. The {kept} were restored. {divergence_hint}".rstrip(),
                    ConvergenceWarning,
                )
                return
            if stop or incremental:
                break
        else:
            if not incremental:
                warnings.warn(
                    f"Stochastic Optimizer: Maximum iterations ({max_epochs}) reached and "
                    "the optimization hasn't converged yet.",
                    ConvergenceWarning,
                )
        if validation is None and not _outputs_are_finite(network, train):
            _restore_finite_outputs(run, train, divergence_hint)
    except KeyboardInterrupt:
        kept = "current"
        if validation is not None:
            kept = "best validated"  # restored by the stopping rule's train_end
        elif not (np.isfinite(network.params).all() and _outputs_are_finite(network, train)):
            run.restore_best()
            kept = "best finite"
        warnings.warn(
            f"Training interrupted by user after {run.epochs_this_call} complete "
            f"epoch(s); the estimator keeps the {kept} weights.",
            UserWarning,
        )
        raise
    finally:
        hooks.train_end(run)


def _restore_finite_outputs(run, train, hint):
    """The weights are finite but the outputs overflow: go back to the best epoch."""
    run.restore_best()
    if not _outputs_are_finite(run.network, train):
        raise divergence_error(run.epoch)
    kept = "starting weights" if run.best_epoch is None else f"weights of epoch {run.best_epoch}"
    warnings.warn(
        "The network's outputs overflow on the training data with the last epoch's "
        f"weights, although these are finite; the {kept} (the lowest training loss "
        f"of this call) were restored. {hint}".rstrip(),
        ConvergenceWarning,
    )


#: Rows of the training data whose outputs tell whether the network overflows.
_OVERFLOW_CHECK_ROWS = 256
_LBFGS_DEFAULT_FTOL = 2.220446049250313e-09
#: scipy's L-BFGS-B status when the callback raised StopIteration (a hook asked to stop).
_LBFGS_STOPPED_BY_CALLBACK = 99


def _outputs_are_finite(network, train):
    """Finite outputs on the first rows of the training data.

    Parameters can stay finite while the network's outputs overflow (large
    weights multiplied through several layers): a forward pass on one batch
    of rows catches that.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        return bool(np.isfinite(network.predict_logits(train.X[:_OVERFLOW_CHECK_ROWS])).all())


def _is_healthy(network, train, loss):
    """Finite loss, finite parameters, finite outputs on a few training rows."""
    return (
        bool(np.isfinite(loss))
        and bool(np.isfinite(network.params).all())
        and _outputs_are_finite(network, train)
    )


def train_lbfgs(
    network, train, *, run, hooks, penalty=None, max_iter, max_fun, tol, budget_hint=""
):
    """Full-batch L-BFGS-B (scipy) on the backprop gradient; returns the final loss.

    Each L-BFGS iteration is an "epoch" for the hooks; a hook that asks to stop
    ends the minimization after that iteration.  ``budget_hint`` ends the
    warning of a run that did not converge: what the caller's user can change.
    """
    ws = Workspace(network, train.n_samples)
    start_params = network.params.copy()

    def loss_and_grad(theta):
        network.params[...] = theta
        loss = network.loss_and_gradient(train.X, train.Y, train.sample_weight, penalty, ws)
        return loss, network.grad.astype(np.float64)

    started = [time.perf_counter()]
    accepted = network.params.astype(np.float64)  # the last completed iterate

    def end_of_iteration(intermediate_result):
        np.copyto(accepted, intermediate_result.x)
        network.params[...] = accepted  # hooks see the iterate, not a line-search point
        record = epoch_record(
            run.epoch + 1, intermediate_result.fun, None, None, float("nan"),
            run.n_samples_seen, time.perf_counter() - started[0],
        )
        if hooks.epoch_end(run, record):
            raise StopIteration
        hooks.epoch_begin(run)
        started[0] = time.perf_counter()

    hooks.train_begin(run)
    try:
        hooks.epoch_begin(run)
        result = scipy.optimize.minimize(
            loss_and_grad,
            accepted.copy(),
            method="L-BFGS-B",
            jac=True,
            callback=end_of_iteration,
            # scipy's default ftol (2.2e-9) would end every run before a small
            # ``tol`` is reached: near the optimum a gradient of size tol lowers
            # the loss by about tol², so a small tol tightens ftol to tol².
            options={
                "maxfun": max_fun,
                "maxiter": max_iter,
                "gtol": tol,
                "ftol": min(_LBFGS_DEFAULT_FTOL, tol * tol),
            },
        )
        network.params[...] = result.x
        if not _is_healthy(network, train, result.fun):
            np.copyto(network.params, start_params)
            raise divergence_error(run.epoch)
        stopped_by_hook = result.status == _LBFGS_STOPPED_BY_CALLBACK
        if result.status != 0 and not stopped_by_hook:
            warnings.warn(
                f"lbfgs failed to converge after {result.nit} iteration(s) "
                f"(status={result.status}): {result.message}. {budget_hint}".rstrip(),
                ConvergenceWarning,
            )
        return float(result.fun)
    except KeyboardInterrupt:
        # The interrupt may land inside a line search: keep the last accepted iterate.
        network.params[...] = accepted
        warnings.warn(
            f"Training interrupted by user after {run.epochs_this_call} L-BFGS "
            "iteration(s); the estimator keeps the last completed iterate.",
            UserWarning,
        )
        raise
    finally:
        hooks.train_end(run)
