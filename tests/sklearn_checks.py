"""Which of scikit-learn's estimator checks run on which configuration.

Shared by test_common.py (BackpropMLP) and test_tabular.py (TabularMLP). An
estimator's default configuration runs scikit-learn's whole list. Every other
configuration exists to cover one training path, so it runs the checks that
train on that path and judge what it produced (``TRAINING_CHECKS``); one that
also reads ``X`` its own way runs the checks of how ``X`` arrives too
(``INPUT_CHECKS``). What is left (``API_CHECKS``: parameters, tags, clone, repr,
and the input validation, done by the shared base class before anything
configuration-specific) answers the same for every configuration and runs on
the defaults only. A check scikit-learn adds is in none of the three lists:
:func:`checks_in_no_list` then names it, and the guard tests fail.
"""

import pytest
import sklearn.utils.estimator_checks as estimator_checks
from sklearn.base import clone
from sklearn.datasets import make_regression
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import estimator_checks_generator

ALL = "every check"
TRAINING = "training checks"
TRAINING_AND_INPUT = "training and input checks"

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
RUNS = {
    ALL: TRAINING_CHECKS | INPUT_CHECKS | API_CHECKS,
    TRAINING: TRAINING_CHECKS,
    TRAINING_AND_INPUT: TRAINING_CHECKS | INPUT_CHECKS,
}

#: These checks skip themselves without a decision_function; that absence is the
#: point (meta-estimators must pick predict_proba, as for MLPClassifier).
DECISION_FUNCTION_CHECKS = {
    "check_decision_proba_consistency",
    "check_classifiers_multilabel_output_format_decision_function",
}


def check_name(check):
    return getattr(check, "func", check).__name__


def all_checks(estimator):
    """scikit-learn's checks of ``estimator``, none marked (failures are ours to mark)."""
    return estimator_checks_generator(estimator, legacy=True, expected_failed_checks={})


def selected_checks(configurations, expected_failed_checks=None):
    """(estimator, check) of each ``(estimator, runs, why)`` configuration, as its list says.

    ``expected_failed_checks(estimator)`` returns ``{check_name: reason}``; those
    checks are marked strict xfail, so one that starts passing fails the run. A
    reason given as ``(reason, False)`` marks a failure that holds on some BLAS
    kernels or seeds and not on others: not strict, the reason says why.
    """
    for estimator, runs, _ in configurations:
        expected = expected_failed_checks(estimator) if expected_failed_checks else {}
        for est, check in all_checks(estimator):
            name = check_name(check)
            if name not in RUNS[runs]:
                continue
            if name in expected:
                reason, strict = (
                    expected[name] if isinstance(expected[name], tuple) else (expected[name], True)
                )
                yield pytest.param(
                    est, check, marks=pytest.mark.xfail(reason=reason, strict=strict)
                )
            else:
                yield est, check


def param_id(obj):
    """A readable pytest id of an estimator or a check."""
    if hasattr(obj, "get_params"):
        return "".join(repr(obj).split())
    keywords = getattr(obj, "keywords", {})
    arguments = ",".join(f"{key}={value}" for key, value in keywords.items())
    return check_name(obj) + (f"({arguments})" if arguments else "")


def _positive_make_regression(*args, **kwargs):
    X, y = make_regression(*args, **kwargs)
    return X, y + 1 + abs(y.min())  # what the checks do for positive_only targets


def run_check(estimator, check, monkeypatch):
    """Run one check; a skip is never a pass (see DECISION_FUNCTION_CHECKS)."""
    name = check_name(check)
    if name in DECISION_FUNCTION_CHECKS:
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


def checks_in_no_list(estimator):
    """The checks of ``estimator`` no list places (empty when each has one)."""
    assert not TRAINING_CHECKS & INPUT_CHECKS and not (TRAINING_CHECKS | INPUT_CHECKS) & API_CHECKS
    names = {check_name(check) for _, check in all_checks(estimator)}
    return sorted(names - RUNS[ALL])


def changes_from_defaults(configurations, cls):
    """Parameters that the one full-list configuration of ``cls`` sets away from its defaults."""
    runs_all = [est for est, runs, _ in configurations if runs == ALL and type(est) is cls]
    assert len(runs_all) == 1
    defaults = cls().get_params()
    return {k for k, v in runs_all[0].get_params().items() if v != defaults[k]}
