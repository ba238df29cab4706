"""scikit-learn's estimator checks, over configurations that exercise every code path.

Every check must pass: ``expected_failed_checks`` is empty for every configuration.
"""

import pytest
import sklearn.utils.estimator_checks as estimator_checks
from sklearn.base import clone
from sklearn.datasets import make_regression
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import parametrize_with_checks

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

CONFIGURATIONS = [
    BackpropMLPClassifier(max_iter=100),
    BackpropMLPClassifier(solver="sgd", activation="logistic", max_iter=100),
    BackpropMLPClassifier(solver="lbfgs", activation="tanh", max_iter=100),
    BackpropMLPClassifier(activation="identity", max_iter=100),
    BackpropMLPClassifier(early_stopping=True, **_ES),
    BackpropMLPClassifier(early_stopping="GL", **_ES),
    BackpropMLPClassifier(early_stopping="PQ", **_ES),
    BackpropMLPClassifier(early_stopping="UP", **_ES),
    BackpropMLPClassifier(dropout=0.2, max_iter=100),
    BackpropMLPClassifier(dropout=[0.1, 0.3], early_stopping=True, **_ES),
    BackpropMLPClassifier(
        initializer="he_normal", penalty="elasticnet", weight_decay=1e-4, max_iter=100
    ),
    BackpropMLPClassifier(learning_rate="cosine", warmup_iter=5, max_iter=100),
    BackpropMLPRegressor(max_iter=200),
    BackpropMLPRegressor(solver="sgd", max_iter=200),
    BackpropMLPRegressor(solver="lbfgs", activation="tanh", max_iter=200),
    # Positive targets start far from exp(0) = 1: a larger rate (poisson) or
    # L-BFGS (gamma, whose gradient 1 - y/a is large while a underpredicts).
    BackpropMLPRegressor(loss="poisson", learning_rate_init=0.01, max_iter=300),
    BackpropMLPRegressor(loss="gamma", solver="lbfgs", max_iter=300),
    BackpropMLPRegressor(loss="absolute_error", learning_rate_init=0.01, max_iter=200),
    BackpropMLPRegressor(loss="quantile", quantile=0.8, learning_rate_init=0.01, max_iter=200),
    BackpropMLPRegressor(early_stopping=True, validation_fraction=0.3, max_iter=200),
    BackpropMLPRegressor(early_stopping="GL", validation_fraction=0.3, max_iter=200),
    BackpropMLPRegressor(dropout=0.2, max_iter=200),
]


def _no_expected_failures(estimator):
    return {}


_DECISION_FUNCTION_CHECKS = {
    "check_decision_proba_consistency",
    "check_classifiers_multilabel_output_format_decision_function",
}


def _positive_make_regression(*args, **kwargs):
    X, y = make_regression(*args, **kwargs)
    return X, y + 1 + abs(y.min())  # what the checks do for positive_only targets


@parametrize_with_checks(CONFIGURATIONS, expected_failed_checks=_no_expected_failures)
def test_sklearn_compatible_estimator(estimator, check, monkeypatch):
    name = check.func.__name__
    if name in _DECISION_FUNCTION_CHECKS:
        # These checks skip themselves without a decision_function; that absence is
        # the point (meta-estimators must pick predict_proba, as for MLPClassifier).
        assert not hasattr(estimator, "decision_function")
        return
    if name == "check_regressor_multioutput" and get_tags(estimator).target_tags.positive_only:
        # This check draws targets with make_regression and, unlike
        # check_regressors_train (scikit-learn#21323), ignores the positive_only
        # tag. Negative targets must be refused; the check runs on positive ones.
        X, y = make_regression(n_samples=11, n_features=10, n_targets=5, random_state=42)
        with pytest.raises(ValueError, match="requires"):
            clone(estimator).fit(X, y)
        monkeypatch.setattr(estimator_checks, "make_regression", _positive_make_regression)
    check(estimator)


def test_pandas_is_installed_so_dataframe_checks_run():
    # Without pandas several checks above silently degrade to skips: fail instead.
    import pandas  # noqa: F401
