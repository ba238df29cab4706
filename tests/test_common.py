"""scikit-learn's estimator checks, over configurations that exercise every code path.

Every check must pass: ``expected_failed_checks`` is empty for every configuration.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skbp import BackpropMLPClassifier

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
]


def _no_expected_failures(estimator):
    return {}


@parametrize_with_checks(CONFIGURATIONS, expected_failed_checks=_no_expected_failures)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def test_pandas_is_installed_so_dataframe_checks_run():
    # Without pandas several checks above silently degrade to skips: fail instead.
    import pandas  # noqa: F401
