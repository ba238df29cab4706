"""scikit-learn's estimator checks, over configurations that exercise every code path.

Every check that runs must pass: no check is expected to fail. The default
configuration of each estimator runs scikit-learn's whole list. The other
configurations each exist to cover one training path (a solver, an activation,
a loss, a stopping rule, dropout, a penalty, a schedule), so they run the checks
that train on that path and judge what it produced (``TRAINING_CHECKS``; the
lists live in sklearn_checks.py); those whose configuration also reads ``X``
its own way (a full batch for L-BFGS, a held-out split for early stopping,
masks on the input for input dropout) run the checks of how ``X`` arrives too (``INPUT_CHECKS``: sparse, read-only,
Fortran-ordered). What is left (``API_CHECKS``: parameters, tags, clone, repr,
and the input validation, which the shared base class does before anything
configuration-specific) answers the same for every configuration and runs on
the defaults only. A check scikit-learn adds is in none of the three lists:
``test_every_check_has_a_list`` then fails until it is given one.
"""

import pytest
from sklearn_checks import (
    ALL,
    TRAINING,
    TRAINING_AND_INPUT,
    changes_from_defaults,
    checks_in_no_list,
    param_id,
    run_check,
    selected_checks,
)

from skbp import BackpropMLPClassifier, BackpropMLPRegressor

# Early stopping is exercised with SGD at a step size suited to the checks' tiny,
# unscaled data sets: with ~50 samples an epoch is a single step, and at Adam's
# default rate the validation rules stop before any model (scikit-learn's
# MLPClassifier(early_stopping=True) included) has learned
# check_class_weight_classifiers' problem. Several checks fit 10 to 16 rows, some
# with only 2 distinct rows per class (or 5 rows of positive weight): the default
# validation_fraction=0.1 would hold out fewer than 2 distinct rows, which skbp
# (like MLPClassifier) refuses as too small to mean anything; 0.3 holds out 2.
_ES = dict(solver="sgd", learning_rate_init=0.05, max_iter=100, validation_fraction=0.3)

#: (configuration, which checks it runs, what it is here to cover)
CONFIGURATIONS = [
    (BackpropMLPClassifier(max_iter=100), ALL, "the defaults: adam, relu, mini-batches"),
    (
        BackpropMLPClassifier(solver="sgd", activation="logistic", max_iter=100),
        TRAINING, "SGD with momentum; logistic units",
    ),
    (
        BackpropMLPClassifier(solver="lbfgs", activation="tanh", max_iter=100),
        TRAINING_AND_INPUT, "L-BFGS on the full batch (SciPy); tanh units",
    ),
    (
        BackpropMLPClassifier(activation="identity", max_iter=100),
        TRAINING, "identity units (a linear model)",
    ),
    (
        BackpropMLPClassifier(early_stopping=True, **_ES),
        TRAINING_AND_INPUT, "the held-out split of distinct rows; the best weights restored",
    ),
    (BackpropMLPClassifier(early_stopping="GL", **_ES), TRAINING, "Prechelt's GL rule"),
    (BackpropMLPClassifier(early_stopping="PQ", **_ES), TRAINING, "Prechelt's PQ rule"),
    (BackpropMLPClassifier(early_stopping="UP", **_ES), TRAINING, "Prechelt's UP rule"),
    (
        BackpropMLPClassifier(dropout=0.2, max_iter=100),
        TRAINING, "dropout of hidden units: masks in fit, none in predict",
    ),
    (
        BackpropMLPClassifier(dropout=[0.1, 0.3], early_stopping=True, **_ES),
        TRAINING_AND_INPUT, "dropout of the inputs (also sparse ones) with early stopping",
    ),
    (
        BackpropMLPClassifier(
            initializer="he_normal", penalty="elasticnet", weight_decay=1e-4, max_iter=100
        ),
        TRAINING, "He's initializer; the elastic-net penalty and weight decay",
    ),
    (
        BackpropMLPClassifier(learning_rate="cosine", warmup_iter=5, max_iter=100),
        TRAINING, "the cosine schedule with warm-up",
    ),
    (BackpropMLPRegressor(max_iter=200), ALL, "the defaults: adam, relu, squared error"),
    (BackpropMLPRegressor(solver="sgd", max_iter=200), TRAINING, "SGD, squared error"),
    (
        BackpropMLPRegressor(solver="lbfgs", activation="tanh", max_iter=200),
        TRAINING_AND_INPUT, "L-BFGS on the full batch (SciPy); tanh units",
    ),
    # Positive targets start far from exp(0) = 1: a larger rate (poisson) or
    # L-BFGS (gamma, whose gradient 1 - y/a is large while a underpredicts).
    (
        BackpropMLPRegressor(loss="poisson", learning_rate_init=0.01, max_iter=300),
        TRAINING, "the Poisson deviance (log link, positive targets)",
    ),
    (
        BackpropMLPRegressor(loss="gamma", solver="lbfgs", max_iter=300),
        TRAINING, "the gamma deviance (log link) with L-BFGS",
    ),
    (
        BackpropMLPRegressor(loss="absolute_error", learning_rate_init=0.01, max_iter=200),
        TRAINING, "the absolute error",
    ),
    (
        BackpropMLPRegressor(
            loss="quantile", quantile=0.8, learning_rate_init=0.01, max_iter=200
        ),
        TRAINING, "the pinball loss of the 0.8 quantile",
    ),
    (
        BackpropMLPRegressor(early_stopping=True, validation_fraction=0.3, max_iter=200),
        TRAINING_AND_INPUT, "the held-out split (R²); the best weights restored",
    ),
    (
        BackpropMLPRegressor(early_stopping="GL", validation_fraction=0.3, max_iter=200),
        TRAINING, "Prechelt's GL rule on a regression loss",
    ),
    (
        BackpropMLPRegressor(dropout=0.2, max_iter=200),
        TRAINING, "dropout of hidden units with a linear output",
    ),
]


def _selected_checks():
    return selected_checks(CONFIGURATIONS)


@pytest.mark.parametrize("estimator, check", list(_selected_checks()), ids=param_id)
def test_sklearn_compatible_estimator(estimator, check, monkeypatch):
    run_check(estimator, check, monkeypatch)


@pytest.mark.parametrize(
    "estimator", [BackpropMLPClassifier(), BackpropMLPRegressor()], ids=param_id
)
def test_every_check_has_a_list(estimator):
    # A check scikit-learn adds must be placed in a list on purpose, not left out.
    assert checks_in_no_list(estimator) == []


def test_each_estimator_runs_every_check_on_its_defaults():
    for cls in (BackpropMLPClassifier, BackpropMLPRegressor):
        # Only max_iter differs from the defaults (the checks' data is tiny).
        assert changes_from_defaults(CONFIGURATIONS, cls) <= {"max_iter"}


def test_pandas_is_installed_so_dataframe_checks_run():
    # Without pandas several checks above silently degrade to skips: fail instead.
    import pandas  # noqa: F401
