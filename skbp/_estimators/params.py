"""Hyperparameter declarations and the checks that span several parameters.

Single-parameter checks are declared in ``PARAMETER_CONSTRAINTS`` and run by
scikit-learn's parameter validation at ``fit`` (its messages name the parameter
and list the allowed values).  Every list of names comes from the engine's
tables (activations, solvers, schedules, initializers, stopping rules,
losses), so a new entry there is a new allowed value here.
``check_hyperparameters`` adds what a declaration cannot say: entries of
sequences, and combinations.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, Options, StrOptions

from .._engine.activations import ACTIVATIONS
from .._engine.initializers import INITIALIZERS
from .._engine.losses import REGRESSION_LOSSES
from .._engine.optimizers import SOLVERS
from .._engine.regularization import PENALTIES
from .._engine.schedules import SCHEDULES
from .._engine.stopping import PRECHELT_RULES

#: The parameters both estimators share.
PARAMETER_CONSTRAINTS = {
    "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
    "activation": [StrOptions(set(ACTIVATIONS))],
    "solver": [StrOptions(set(SOLVERS))],
    "alpha": [Interval(Real, 0, None, closed="left")],
    "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
    "learning_rate": [StrOptions(set(SCHEDULES))],
    "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
    "power_t": [Interval(Real, 0, None, closed="left")],
    "max_iter": [Interval(Integral, 1, None, closed="left")],
    "shuffle": ["boolean"],
    "random_state": ["random_state"],
    "tol": [Interval(Real, 0, None, closed="left")],
    "verbose": ["verbose"],
    "warm_start": ["boolean"],
    "momentum": [Interval(Real, 0, 1, closed="both")],
    "nesterovs_momentum": ["boolean"],
    "early_stopping": ["boolean", StrOptions(set(PRECHELT_RULES))],
    "validation_fraction": [Interval(Real, 0, 1, closed="left")],
    "beta_1": [Interval(Real, 0, 1, closed="left")],
    "beta_2": [Interval(Real, 0, 1, closed="left")],
    "epsilon": [Interval(Real, 0, None, closed="neither")],
    "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
    "max_fun": [Interval(Integral, 1, None, closed="left")],
    "initializer": [StrOptions(set(INITIALIZERS)), callable],
    "init_std": [Interval(Real, 0, None, closed="neither")],
    "bias_init": [None, Interval(Real, None, None, closed="neither")],
    "dropout": [Interval(Real, 0, 1, closed="left"), "array-like"],
    "penalty": [StrOptions(set(PENALTIES))],
    "l1_ratio": [Interval(Real, 0, 1, closed="both")],
    "weight_decay": [Interval(Real, 0, 1, closed="left")],
    "stopping_threshold": [None, Interval(Real, 0, None, closed="neither")],
    "warmup_iter": [Interval(Integral, 0, None, closed="left")],
    "monitor_layers": ["boolean"],
}

CLASSIFIER_CONSTRAINTS = {
    **PARAMETER_CONSTRAINTS,
    "class_weight": [dict, StrOptions({"balanced"}), None],
}

REGRESSOR_CONSTRAINTS = {
    **PARAMETER_CONSTRAINTS,
    "loss": [StrOptions(set(REGRESSION_LOSSES))],
    "quantile": [Interval(Real, 0, 1, closed="neither")],
}


def _is_integer(value):
    return isinstance(value, Integral | np.integer) and not isinstance(value, bool | np.bool_)


def hidden_layer_sizes_tuple(hidden_layer_sizes):
    """Validate ``hidden_layer_sizes`` and return it as a tuple of ints."""
    sizes = hidden_layer_sizes
    if not hasattr(sizes, "__iter__") or isinstance(sizes, str):
        sizes = [sizes]
    sizes = list(sizes)
    for size in sizes:
        if not _is_integer(size) or size <= 0:
            raise ValueError(
                "hidden_layer_sizes must contain positive integers (units per hidden "
                f"layer), got {hidden_layer_sizes!r}."
            )
    return tuple(int(size) for size in sizes)


def dropout_rates(dropout, n_hidden):
    """Per-layer drop probabilities: input layer first, then each hidden layer.

    A float applies to the hidden layers only (the input is kept whole).
    """
    if np.ndim(dropout) == 0:
        return [0.0] + [float(dropout)] * n_hidden
    rates = [float(p) for p in np.asarray(dropout, dtype=float).ravel()]
    if len(rates) != n_hidden + 1 or np.ndim(dropout) != 1:
        raise ValueError(
            "dropout given as a sequence must have len(hidden_layer_sizes) + 1 = "
            f"{n_hidden + 1} entries (input layer first, then each hidden layer); "
            f"got {dropout!r}."
        )
    for p in rates:
        if not 0.0 <= p < 1.0:
            raise ValueError(
                "Each dropout probability must be in the range [0, 1) (the probability "
                f"of dropping a unit); got {dropout!r}."
            )
    return rates


def check_hyperparameters(est, n_hidden):
    """Checks that span several hyperparameters (and the entries of ``dropout``)."""
    rates = dropout_rates(est.dropout, n_hidden)
    if est.solver == "lbfgs":
        if any(rates):
            raise ValueError(
                "dropout > 0 is not supported with solver='lbfgs': L-BFGS needs a "
                "deterministic objective. Use solver='adam' or 'sgd', or dropout=0."
            )
        if est.weight_decay > 0:
            raise ValueError(
                "weight_decay > 0 is not supported with solver='lbfgs' (decoupled "
                "weight decay is an update rule, L-BFGS minimizes a fixed objective). "
                "Use the ℓ2 penalty 'alpha' instead."
            )
    if est.early_stopping is not False and est.solver != "lbfgs":
        if not 0.0 < est.validation_fraction < 1.0:
            raise ValueError(
                "validation_fraction must be in the open interval (0, 1) when "
                f"early_stopping={est.early_stopping!r}; got {est.validation_fraction!r}."
            )
    if est.warmup_iter and est.learning_rate != "cosine":
        raise ValueError(
            f"warmup_iter={est.warmup_iter} needs learning_rate='cosine' (the warm-up "
            f"leads into the cosine annealing); got learning_rate={est.learning_rate!r}."
        )
    if est.warmup_iter >= est.max_iter:
        raise ValueError(
            f"warmup_iter={est.warmup_iter} must be smaller than max_iter={est.max_iter}: "
            "the warm-up is the start of the max_iter epochs."
        )
    if est.early_stopping == "UP" and est.stopping_threshold is not None:
        if float(est.stopping_threshold) != int(est.stopping_threshold):
            raise ValueError(
                "stopping_threshold for early_stopping='UP' is a number of strips "
                f"and must be a positive integer; got {est.stopping_threshold!r}."
            )
