"""The training loops: mini-batch epochs (sgd, adam) and full-batch L-BFGS.

The data path of one step is: gather a batch → ``Network.loss_and_gradient``
(forward, BP1–BP4, penalty) → ``optimizer.step``.  Around it, the epoch loop
records one history entry per epoch, asks the stopping rule whether to stop, and
keeps the weights safe:

* the weights of the best epoch are kept whenever a validation split is used;
* a non-finite loss or parameter stops training at once, restores the last
  finite weights and raises scikit-learn's "Solver produced non-finite
  parameter weights" ValueError — coefs_ never hold NaN or inf;
* Ctrl-C (KeyboardInterrupt) leaves the network with the best or last finite
  weights and a complete history up to the last finished epoch, warns, and
  re-raises so that an outer grid search can still be aborted.
"""

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import scipy.optimize
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from .network import Workspace


class TrainingDiverged(ValueError):
    """Training produced a non-finite loss or non-finite parameters."""


def divergence_error(epoch, learning_rate_init):
    hint = "Lower learning_rate_init"
    if np.isfinite(learning_rate_init):
        hint += f" (currently {learning_rate_init:g})"
    return TrainingDiverged(
        "Solver produced non-finite parameter weights. The input data may contain "
        "large values and need to be preprocessed. Training diverged in epoch "
        f"{epoch}; the weights of the best finite epoch were kept. {hint} or scale "
        "the features (e.g. with StandardScaler)."
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


@dataclass
class ValidationSet(DataSet):
    """A held-out split plus the function scoring predictions made from logits."""

    score: object = None

    def evaluate(self, network):
        """(validation loss, validation score) from one forward pass."""
        logits = network.predict_logits(self.X)
        loss = network.output.fn(logits, self.Y, self.sample_weight)
        return loss, float(self.score(logits))


@dataclass
class TrainingState:
    """Everything the loop accumulates, kept across partial_fit calls."""

    history: list = field(default_factory=list)
    n_samples_seen: int = 0
    best_epoch: int | None = None
    best_params: np.ndarray | None = None
    epochs_this_call: int = 0

    @property
    def epoch(self):
        return len(self.history)

    def keep_best(self, params):
        """Snapshot the weights of the best epoch so far (reusing the buffer)."""
        if self.best_params is None or self.best_params.shape != params.shape:
            self.best_params = params.copy()
        else:
            np.copyto(self.best_params, params)


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


def run_epoch(network, optimizer, gatherer, ws, *, order, batch_size, penalty, dropout, epoch, progress):
    """One pass over the training data; returns the mean training loss."""
    n = gatherer.data.n_samples
    accumulated = 0.0
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        # Sorted rows gather faster; the order of rows inside a batch does not
        # change its gradient, and dropout masks follow the rows' content.
        index = slice(start, stop) if order is None else np.sort(order[start:stop])
        X, Y, sw, keys = gatherer.gather(index)
        masks = None
        if dropout is not None:
            masks = _batch_masks(network, dropout, ws, epoch, keys, stop - start)
        loss = network.loss_and_gradient(X, Y, sw, penalty, ws, masks)
        if not np.isfinite(loss):
            return float("nan")
        optimizer.step(network.params, network.grad)
        accumulated += loss * (stop - start)
        progress.batch(epoch + 1, stop, n)
    return accumulated / n


def train_stochastic(
    network,
    train,
    *,
    optimizer,
    rule,
    state,
    rng,
    batch_size,
    shuffle,
    max_epochs,
    validation=None,
    penalty=None,
    dropout=None,
    incremental=False,
    progress,
    learning_rate_init,
):
    """Run up to ``max_epochs`` epochs of mini-batch training; update ``state``.

    Returns the stopping message, or None when ``max_epochs`` ran out.
    """
    ws = Workspace(network, batch_size)
    gatherer = _BatchGatherer(train, batch_size)
    n = train.n_samples
    state.epochs_this_call = 0
    if state.best_params is None:
        state.keep_best(network.params)  # the fallback until an epoch improves

    def keep_safe_weights():
        """The best epoch's weights (this call's starting weights if none was better)."""
        np.copyto(network.params, state.best_params)

    try:
        for _ in range(max_epochs):
            started = time.perf_counter()
            order = rng.permutation(n) if shuffle else None
            train_loss = run_epoch(
                network, optimizer, gatherer, ws, order=order, batch_size=batch_size,
                penalty=penalty, dropout=dropout, epoch=state.epoch, progress=progress,
            )
            val_loss = val_score = None
            if _is_healthy(network, train, train_loss) and validation is not None:
                val_loss, val_score = validation.evaluate(network)
            if not _is_healthy(network, train, train_loss, val_loss):
                keep_safe_weights()
                raise divergence_error(state.epoch + 1, learning_rate_init)
            state.n_samples_seen += n
            improved, fired = rule.update(train_loss, val_loss, val_score)
            record = {
                "epoch": state.epoch + 1,
                "train_loss": float(train_loss),
                "val_loss": val_loss,
                "val_score": val_score,
                "learning_rate": float(optimizer.learning_rate),
                "n_samples_seen": state.n_samples_seen,
                "duration_s": time.perf_counter() - started,
            }
            state.history.append(record)
            state.epochs_this_call += 1
            if improved:
                state.best_epoch = record["epoch"]
                state.keep_best(network.params)
            progress.epoch(record)
            optimizer.iteration_ends(state.n_samples_seen)
            if fired:
                if optimizer.trigger_stopping(rule.message, progress.verbose):
                    return rule.message
                rule.reset()
            if incremental:
                return None
        if not incremental:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({max_epochs}) reached and "
                "the optimization hasn't converged yet.",
                ConvergenceWarning,
            )
        return None
    except KeyboardInterrupt:
        kept = "current"
        if validation is not None:
            kept = "best validated"  # restored by the finally clause
        elif not _is_healthy(network, train, 0.0):
            keep_safe_weights()
            kept = "best finite"
        warnings.warn(
            f"Training interrupted by user after {state.epochs_this_call} complete "
            f"epoch(s); the estimator keeps the {kept} weights.",
            UserWarning,
        )
        raise
    finally:
        if validation is not None:
            np.copyto(network.params, state.best_params)


_PROBE_ROWS = 256
_LBFGS_DEFAULT_FTOL = 2.220446049250313e-09


def _is_healthy(network, train, train_loss, val_loss=None):
    """Finite loss, finite parameters, and finite outputs on a few training rows.

    Parameters can stay finite while the network's outputs overflow (large
    weights multiplied through several layers): the probe forward pass on the
    first rows of the training data catches that, for the cost of one batch.
    """
    if not np.isfinite(train_loss) or (val_loss is not None and not np.isfinite(val_loss)):
        return False
    if not np.isfinite(network.params).all():
        return False
    with np.errstate(over="ignore", invalid="ignore"):
        return bool(np.isfinite(network.predict_logits(train.X[:_PROBE_ROWS])).all())


def train_lbfgs(network, train, *, penalty, max_iter, max_fun, tol, state, progress):
    """Full-batch L-BFGS-B (scipy) on the backprop gradient; returns the final loss."""
    ws = Workspace(network, train.n_samples)
    start_params = network.params.copy()

    def loss_and_grad(theta):
        network.params[...] = theta
        loss = network.loss_and_gradient(train.X, train.Y, train.sample_weight, penalty, ws)
        return loss, network.grad.astype(np.float64)

    started = [time.perf_counter()]
    accepted = network.params.astype(np.float64)  # the last completed iterate

    def record_iteration(intermediate_result):
        np.copyto(accepted, intermediate_result.x)
        state.epochs_this_call += 1
        loss = float(intermediate_result.fun)
        record = {
            "epoch": state.epoch + 1,
            "train_loss": loss,
            "val_loss": None,
            "val_score": None,
            "learning_rate": float("nan"),
            "n_samples_seen": state.n_samples_seen,
            "duration_s": time.perf_counter() - started[0],
        }
        state.history.append(record)
        if state.best_epoch is None or loss < state.history[state.best_epoch - 1]["train_loss"]:
            state.best_epoch = record["epoch"]
        progress.epoch(record)
        started[0] = time.perf_counter()

    state.epochs_this_call = 0
    try:
        result = scipy.optimize.minimize(
            loss_and_grad,
            accepted.copy(),
            method="L-BFGS-B",
            jac=True,
            callback=record_iteration,
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
    except KeyboardInterrupt:
        # The interrupt may land inside a line search: keep the last accepted iterate.
        network.params[...] = accepted
        warnings.warn(
            f"Training interrupted by user after {state.epochs_this_call} L-BFGS "
            "iteration(s); the estimator keeps the last completed iterate.",
            UserWarning,
        )
        raise
    network.params[...] = result.x
    if not _is_healthy(network, train, result.fun):
        np.copyto(network.params, start_params)
        raise divergence_error(len(state.history), float("nan"))
    if result.status != 0:
        warnings.warn(
            f"lbfgs failed to converge after {result.nit} iteration(s) "
            f"(status={result.status}): {result.message}. Increase the number of "
            "iterations (max_iter) or scale the data as shown in "
            "https://scikit-learn.org/stable/modules/preprocessing.html",
            ConvergenceWarning,
        )
    return float(result.fun)

