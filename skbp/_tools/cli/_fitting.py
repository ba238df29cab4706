"""The estimator of a run: checked before any work, fitted, and summarised in words."""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import os
import time
import warnings

import numpy as np
from sklearn.base import is_regressor
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import Pipeline

from ..._estimators.params import check_hyperparameters, hidden_layer_sizes_tuple
from ._options import CLIError

# Every solver keeps at least three copies of the parameter vector: the weights,
# their gradient, and the best (or the starting) weights.
PARAMETER_COPIES = 3


def checked_estimator(estimator_class: type, params: dict, y: np.ndarray | None = None):
    """The estimator, with the checks its fit makes run now (of ``y`` too, if given).

    The messages are the estimator's own; running them first refuses a bad
    option before the data summary and the cross-validation.
    """
    estimator = estimator_class(**params)
    estimator._validate_params()
    check_hyperparameters(estimator, len(hidden_layer_sizes_tuple(estimator.hidden_layer_sizes)))
    if y is not None and is_regressor(estimator):
        estimator._output_layer().check_targets(y)  # the loss's domain: y >= 0, y > 0
    return estimator


def check_memory(estimator, n_features: int, n_outputs: int, n_rows: int) -> None:
    """Refuse a network that does not fit into the memory of this machine."""
    sizes = (n_features, *estimator.hidden_layer_sizes, n_outputs)
    n_params = sum((fan_in + 1) * fan_out for fan_in, fan_out in zip(sizes, sizes[1:]))
    batch = 200 if estimator.batch_size == "auto" else estimator.batch_size
    batch = n_rows if getattr(estimator, "solver", None) == "lbfgs" else min(batch, n_rows)
    n_activations = 3 * batch * sum(sizes[1:])  # z, a and delta of one batch
    needed = np.dtype(np.float64).itemsize * (PARAMETER_COPIES * n_params + n_activations)
    memory = physical_memory()
    if memory is not None and needed > memory:
        raise CLIError(
            f"the network {' -> '.join(map(str, sizes))} has {n_params:,} weights and "
            f"biases; training it needs about {needed / 2**30:,.1f} GiB, more than the "
            f"{memory / 2**30:,.1f} GiB of memory of this machine: use smaller --hidden layers"
        )


def physical_memory() -> int | None:
    """Bytes of physical memory, or None where the system does not tell (Windows)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, OSError, ValueError):
        return None


def skbp_estimator(model):
    """The skbp estimator in a pipeline built here (or saved by --save); fitted if it is."""
    step = model[-1] if isinstance(model, Pipeline) else model
    if isinstance(step, TransformedTargetRegressor):
        return getattr(step, "regressor_", step.regressor)
    return step


def describe(estimator) -> str:
    """The estimator with the parameters that differ from its defaults."""
    defaults = type(estimator)().get_params()
    changed = [
        f"{name}={value!r}"
        for name, value in estimator.get_params().items()
        if name != "verbose" and value != defaults[name]
    ]
    return f"{type(estimator).__name__}({', '.join(changed)})"


def timed_fit(estimator, X, y) -> tuple[float, bool]:
    """Fit, returning (seconds, converged); ConvergenceWarnings are recorded."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        start = time.perf_counter()
        estimator.fit(X, y)
        seconds = time.perf_counter() - start
    converged = True
    for warning in caught:
        if issubclass(warning.category, ConvergenceWarning):
            converged = False
        else:  # re-emit what was not meant to be silenced
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    return seconds, converged


def fit_summary(mlp, seconds: float, converged: bool) -> str:
    """What the fit ran, and whose weights the model kept."""
    step = "L-BFGS iteration" if getattr(mlp, "solver", None) == "lbfgs" else "epoch"
    if mlp.validation_scores_ is not None:  # only then are the best weights restored
        kept = f"weights of epoch {mlp.best_epoch_} restored (the best on the validation split)"
    else:
        kept = f"weights of the last {step} kept"
    status = "" if converged else "; stopped at --max-iter before converging"
    return f"trained in {seconds:.2f} s: {mlp.n_iter_} {step}(s), {kept}{status}"
