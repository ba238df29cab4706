"""scikit-learn's estimator checks, over configurations that exercise every code path.

Every check that runs must pass: no check is expected to fail. The default
configuration of each estimator runs scikit-learn's whole list. The other
configurations each exist to cover one training path (a solver, an activation,
a loss, a stopping rule, dropout, a penalty, a schedule), so they run the checks
that train on that path and judge what it produced (``TRAINING_CHECKS``); those
whose configuration also reads ``X`` its own way (a full batch for L-BFGS, a
held-out split for early stopping, masks on the input for input dropout) run
the checks of how ``X`` arrives too (``INPUT_CHECKS``: sparse, read-only,
Fortran-ordered). What is left (``API_CHECKS``: parameters, tags, clone, repr,
and the input validation, which the shared base class does before anything
configuration-specific) answers the same for every configuration and runs on
the defaults only. A check scikit-learn adds is in none of the three lists:
``test_every_check_has_a_list`` then fails until it is given one.
"""

import pytest
import sklearn.utils.estimator_checks as estimator_checks
from sklearn.base import clone
from sklearn.datasets import make_regression
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import estimator_checks_generator

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

ALL = "every check"
TRAINING = "training checks"
TRAINING_AND_INPUT = "training and input checks"

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

#: Fit, then judge the model, its predictions or its fitted state.
TRAINING_CHECKS = {
    "check_classifiers_train",
    "check_regressors_train",
    "check_classifiers_classes",
    "check_classifiers_one_label",
    "check_classifiers_one_label_sample_weights",
    "check_class_weight_classifiers",
    "check_classifiers_multilabel_representation_invariance",
    "check_classifiers_multilabel_output_format_predict",
    "check_classifiers_multilabel_output_format_predict_proba",
    "check_supervised_y_2d",
    "check_regressor_multioutput",
    "check_regressors_int",
    "check_positive_only_tag_during_fit",
    "check_sample_weight_equivalence_on_dense_data",
    "check_sample_weights_not_overwritten",
    "check_estimators_dtypes",
    "check_fit2d_1sample",
    "check_fit2d_1feature",
    "check_fit_idempotent",
    "check_pipeline_consistency",
    "check_methods_sample_order_invariance",
    "check_methods_subset_invariance",
    "check_dict_unchanged",
    "check_estimators_overwrite_params",
    "check_dont_overwrite_parameters",
    "check_estimators_pickle",
    "check_fit_check_is_fitted",
    "check_non_transformer_estimators_n_iter",
}
#: How X arrives: sparse formats, read-only memory maps, Fortran order.
INPUT_CHECKS = {
    "check_estimator_sparse_array",
    "check_estimator_sparse_matrix",
    "check_sample_weight_equivalence_on_sparse_data",
    "check_readonly_memmap_input",
    "check_f_contiguous_array_estimator",
}
#: Parameters, tags, clone, repr, and the validation of X, y and sample_weight.
API_CHECKS = {
    "check_estimator_cloneable",
    "check_estimator_tags_renamed",
    "check_valid_tag_types",
    "check_estimator_repr",
    "check_no_attributes_set_in_init",
    "check_parameters_default_constructible",
    "check_get_params_invariance",
    "check_set_params",
    "check_do_not_raise_errors_in_init_or_set_params",
    "check_mixin_order",
    "check_estimator_sparse_tag",
    "check_array_api_input",
    "check_fit_score_takes_y",
    "check_estimators_fit_returns_self",
    "check_estimators_unfitted",
    "check_n_features_in",
    "check_n_features_in_after_fitting",
    "check_requires_y_none",
    "check_fit1d",
    "check_fit2d_predict1d",
    "check_complex_data",
    "check_dtype_object",
    "check_estimators_empty_data_messages",
    "check_estimators_nan_inf",
    "check_classifier_data_not_an_array",
    "check_regressor_data_not_an_array",
    "check_classifiers_regression_target",
    "check_supervised_y_no_nan",
    "check_all_zero_sample_weights_error",
    "check_sample_weights_shape",
    "check_sample_weights_list",
    "check_sample_weights_not_an_array",
    "check_sample_weights_pandas_series",
    "check_estimators_partial_fit_n_features",
    "check_regressors_no_decision_function",
    "check_decision_proba_consistency",
    "check_classifiers_multilabel_output_format_decision_function",
}
_RUNS = {
    ALL: TRAINING_CHECKS | INPUT_CHECKS | API_CHECKS,
    TRAINING: TRAINING_CHECKS,
    TRAINING_AND_INPUT: TRAINING_CHECKS | INPUT_CHECKS,
}


def _check_name(check):
    return getattr(check, "func", check).__name__


def _all_checks(estimator):
    """scikit-learn's checks of ``estimator``; none is expected to fail."""
    return estimator_checks_generator(estimator, legacy=True, expected_failed_checks={})


def _selected_checks():
    for estimator, runs, _ in CONFIGURATIONS:
        for est, check in _all_checks(estimator):
            if _check_name(check) in _RUNS[runs]:
                yield est, check


def _test_id(obj):
    if hasattr(obj, "get_params"):
        return "".join(repr(obj).split())
    keywords = getattr(obj, "keywords", {})
    arguments = ",".join(f"{key}={value}" for key, value in keywords.items())
    return _check_name(obj) + (f"({arguments})" if arguments else "")


_DECISION_FUNCTION_CHECKS = {
    "check_decision_proba_consistency",
    "check_classifiers_multilabel_output_format_decision_function",
}


def _positive_make_regression(*args, **kwargs):
    X, y = make_regression(*args, **kwargs)
    return X, y + 1 + abs(y.min())  # what the checks do for positive_only targets


@pytest.mark.parametrize("estimator, check", list(_selected_checks()), ids=_test_id)
def test_sklearn_compatible_estimator(estimator, check, monkeypatch):
    name = _check_name(check)
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


@pytest.mark.parametrize(
    "estimator", [BackpropMLPClassifier(), BackpropMLPRegressor()], ids=_test_id
)
def test_every_check_has_a_list(estimator):
    # A check scikit-learn adds must be placed in a list on purpose, not left out.
    names = {_check_name(check) for _, check in _all_checks(estimator)}
    assert names <= _RUNS[ALL], f"checks in no list: {sorted(names - _RUNS[ALL])}"
    assert not TRAINING_CHECKS & INPUT_CHECKS and not (TRAINING_CHECKS | INPUT_CHECKS) & API_CHECKS


def test_each_estimator_runs_every_check_on_its_defaults():
    for cls in (BackpropMLPClassifier, BackpropMLPRegressor):
        runs_all = [est for est, runs, _ in CONFIGURATIONS if runs == ALL and type(est) is cls]
        assert len(runs_all) == 1
        # Only max_iter differs from the defaults (the checks' data is tiny).
        defaults = cls().get_params()
        changed = {k for k, v in runs_all[0].get_params().items() if v != defaults[k]}
        assert changed <= {"max_iter"}


def test_pandas_is_installed_so_dataframe_checks_run():
    # Without pandas several checks above silently degrade to skips: fail instead.
    import pandas  # noqa: F401
