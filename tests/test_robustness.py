"""Robustness: bad input fails clearly, extreme input works, divergence is contained.

* Invalid data and hyperparameters raise ``ValueError``/``TypeError`` whose
  message names the problem (the parameter, the offending value kind).
* Extreme but valid data (huge or tiny feature scales, one sample per class,
  string and negative labels, very wide sparse input, hundreds of classes,
  float32) gives finite, normalized, correctly labelled output.
* A diverging learning rate raises scikit-learn's "non-finite parameter weights"
  error without a validation split, and with one returns the best validated
  epoch with a warning (scikit-learn #29504); only finite parameters are left
  behind either way.
"""

import re
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from skbp import BackpropMLPClassifier

pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    pytest.mark.filterwarnings("ignore:Got `batch_size` less than 1:UserWarning"),
]


def _small_problem(n_samples=30, n_features=3, n_classes=3, seed=0):
    rng = np.random.RandomState(seed)
    y = np.arange(n_samples) % n_classes
    X = rng.randn(n_samples, n_features) + 2.0 * y[:, None]
    return X, y


def _model(**params):
    defaults = dict(hidden_layer_sizes=(5,), max_iter=5, random_state=0)
    defaults.update(params)
    return BackpropMLPClassifier(**defaults)


def _assert_valid_proba(proba, n_rows, n_classes, atol=1e-6):
    assert proba.shape == (n_rows, n_classes)
    assert np.all(np.isfinite(proba))
    assert np.all(proba >= 0) and np.all(proba <= 1)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=atol)


# --------------------------------------------------------------------------
# 1. Bad input
# --------------------------------------------------------------------------
def _with_value(X, value):
    X = X.copy()
    X[1, 2] = value
    return X


X_OK, Y_OK = _small_problem()

BAD_X = {
    "nan": (_with_value(X_OK, np.nan), ValueError, "NaN"),
    "inf": (_with_value(X_OK, np.inf), ValueError, "infinity"),
    "-inf": (_with_value(X_OK, -np.inf), ValueError, "infinity"),
    "empty": (np.empty((0, 3)), ValueError, r"0 sample\(s\)"),
    "1d": (X_OK[:, 0], ValueError, "Expected 2D array"),
    "3d": (X_OK[:, :, None], ValueError, "dim 3"),
    "zero_features": (np.empty((30, 0)), ValueError, r"0 feature\(s\)"),
    "strings": (np.full((30, 3), "a"), ValueError, "string"),
    "objects": (
        np.array([[object()] * 3] * 30, dtype=object),
        (TypeError, ValueError),
        "object",
    ),
    "complex": (X_OK + 1j, ValueError, "Complex"),
}


@pytest.mark.parametrize("case", list(BAD_X))
def test_bad_X_in_fit(case):
    X, error, message = BAD_X[case]
    y = Y_OK[: len(X)]
    with pytest.raises(error, match=message):
        _model().fit(X, y)


def test_nan_in_y():
    y = Y_OK.astype(float)
    y[4] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        _model().fit(X_OK, y)


def test_y_of_wrong_length():
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        _model().fit(X_OK, Y_OK[:-1])


def test_continuous_y():
    y = np.random.RandomState(0).randn(len(X_OK))
    with pytest.raises(ValueError, match="continuous"):
        _model().fit(X_OK, y)


@pytest.fixture(scope="module")
def fitted():
    return _model().fit(X_OK, Y_OK)


@pytest.mark.parametrize(
    "method", ["predict", "predict_proba", "predict_log_proba", "score"]
)
def test_predict_with_other_number_of_features(fitted, method):
    args = (X_OK[:, :2],) if method != "score" else (X_OK[:, :2], Y_OK)
    with pytest.raises(ValueError, match="X has 2 features.*expecting 3 features"):
        getattr(fitted, method)(*args)


@pytest.mark.parametrize("method", ["predict", "predict_proba"])
def test_predict_with_nan(fitted, method):
    with pytest.raises(ValueError, match="NaN"):
        getattr(fitted, method)(_with_value(X_OK, np.nan))


@pytest.mark.parametrize("method", ["predict", "predict_proba", "predict_log_proba"])
def test_predict_before_fit(method):
    with pytest.raises(NotFittedError):
        getattr(_model(), method)(X_OK)


@pytest.mark.parametrize(
    "sample_weight, message",
    [
        (np.ones(29), r"sample_weight\.shape"),
        (np.r_[-1.0, np.ones(29)], "Negative values"),
        (np.r_[np.nan, np.ones(29)], "NaN"),
        (np.r_[np.inf, np.ones(29)], "infinity"),
        (np.zeros(30), "non-zero"),
    ],
    ids=["wrong_length", "negative", "nan", "inf", "all_zero"],
)
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_bad_sample_weight(sample_weight, message, solver):
    with pytest.raises(ValueError, match=message):
        _model(solver=solver).fit(X_OK, Y_OK, sample_weight=sample_weight)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_a_minibatch_of_zero_weights_is_skipped(solver):
    # shuffle=False and batches of 200: the first batch weighs nothing (its
    # weighted mean cost is 0/0), the second half. It must be skipped, not end
    # in a ZeroDivisionError after RuntimeWarnings.
    rng = np.random.RandomState(0)
    X, y = rng.randn(600, 3), np.arange(600) % 3
    sample_weight = np.r_[np.zeros(300), np.ones(300)]
    est = _model(solver=solver, shuffle=False, max_iter=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        est.fit(X, y, sample_weight=sample_weight)
    assert len(est.loss_curve_) == 3 and np.all(np.isfinite(est.loss_curve_))
    for array in est.coefs_ + est.intercepts_:
        assert np.all(np.isfinite(array))
    if solver == "adam":  # two steps per epoch: the empty batch took none
        assert est._training_state["optimizer"]["t"] == 2 * 3
    # The rows of zero weight change nothing: the model is the one trained on the
    # weighted rows, batch by batch (rows 300-399 in batch 2, 400-599 in batch 3).
    same = _model(solver=solver, shuffle=False, max_iter=3, batch_size=200)
    same.fit(X[200:], y[200:], sample_weight=sample_weight[200:])
    for a, b in zip(est.coefs_, same.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_all_zero_sample_weight_is_refused_by_partial_fit():
    with pytest.raises(ValueError, match="Sample weights must contain at least one non-zero"):
        _model().partial_fit(X_OK, Y_OK, sample_weight=np.zeros(30), classes=[0, 1, 2])


def test_zero_weight_after_class_weight():
    # Weights are only zero once class_weight multiplies them: still rejected.
    sample_weight = (Y_OK == 0).astype(float)
    with pytest.raises(ValueError, match="non-zero"):
        _model(class_weight={0: 0.0}).fit(X_OK, Y_OK, sample_weight=sample_weight)


def test_partial_fit_classes_do_not_cover_y():
    with pytest.raises(ValueError, match="classes"):
        _model().partial_fit(X_OK, Y_OK, classes=[0, 1])


def test_partial_fit_later_call_brings_new_label():
    est = _model()
    first = Y_OK < 2
    est.partial_fit(X_OK[first], Y_OK[first], classes=[0, 1])
    coefs = [c.copy() for c in est.coefs_]
    with pytest.raises(ValueError, match="classes"):
        est.partial_fit(X_OK, Y_OK)
    # The rejected call did not touch the model.
    for before, after in zip(coefs, est.coefs_):
        np.testing.assert_array_equal(before, after)
    assert list(est.classes_) == [0, 1]


def test_partial_fit_without_classes_on_first_call():
    with pytest.raises(ValueError, match="classes"):
        _model().partial_fit(X_OK, Y_OK)


BAD_PARAMS = [
    ("hidden_layer_sizes", (0,)),
    ("hidden_layer_sizes", (-3,)),
    ("hidden_layer_sizes", (4, 0)),
    ("hidden_layer_sizes", (2.5,)),
    ("hidden_layer_sizes", (4, "3")),
    ("hidden_layer_sizes", 0),
    ("hidden_layer_sizes", -2),
    ("hidden_layer_sizes", "abc"),
    ("activation", "softplus"),
    ("activation", None),
    ("solver", "rmsprop"),
    ("initializer", "xavier"),
    ("initializer", 3),
    ("penalty", "l3"),
    ("penalty", None),
    ("alpha", -1e-4),
    ("alpha", "big"),
    ("batch_size", 0),
    ("batch_size", -5),
    ("batch_size", 2.5),
    ("batch_size", "all"),
    ("learning_rate", "cyclic"),
    ("learning_rate_init", 0.0),
    ("learning_rate_init", -0.1),
    ("learning_rate_init", "fast"),
    ("max_iter", 0),
    ("max_iter", -1),
    ("max_iter", 2.5),
    ("max_iter", "10"),
    ("momentum", -0.1),
    ("momentum", 1.5),
    ("momentum", "high"),
    ("beta_1", 1.0),
    ("beta_1", -0.5),
    ("beta_2", 1.0),
    ("beta_2", 1.5),
    ("epsilon", 0.0),
    ("tol", -1.0),
    ("power_t", -0.5),
    ("n_iter_no_change", 0),
    ("max_fun", 0),
    ("init_std", 0.0),
    ("l1_ratio", 1.5),
    ("dropout", 1.0),
    ("dropout", -0.1),
    ("dropout", "half"),
    ("dropout", (0.1,)),
    ("dropout", (0.1, 0.2, 0.3)),
    ("dropout", (0.0, 1.0)),
    ("dropout", (-0.1, 0.2)),
    ("weight_decay", 1.0),
    ("weight_decay", -0.1),
    ("weight_decay", "some"),
    ("class_weight", "balance"),
    ("class_weight", {5: 2.0}),
    ("class_weight", ["balanced"]),
    ("early_stopping", "XY"),
    ("shuffle", "yes"),
    ("warm_start", 2),
    ("stopping_threshold", 0.0),
    ("stopping_threshold", -1.0),
]


@pytest.mark.parametrize(
    "name, value", BAD_PARAMS, ids=[f"{n}={v!r}" for n, v in BAD_PARAMS]
)
def test_bad_hyperparameter_is_named(name, value):
    est = _model(solver="adam").set_params(**{name: value})
    with pytest.raises((ValueError, TypeError), match=re.escape(name)):
        est.fit(X_OK, Y_OK)


@pytest.mark.parametrize("fraction", [0.0, 1.0, 1.5, -0.2])
@pytest.mark.parametrize("rule", [True, "GL", "PQ", "UP"])
def test_validation_fraction_out_of_range_with_early_stopping(rule, fraction):
    est = _model(solver="sgd", early_stopping=rule, validation_fraction=fraction)
    with pytest.raises(ValueError, match="validation_fraction"):
        est.fit(X_OK, Y_OK)


@pytest.mark.parametrize(
    "params, name",
    [
        (dict(dropout=0.2), "dropout"),
        (dict(dropout=(0.1, 0.0)), "dropout"),
        (dict(weight_decay=0.1), "weight_decay"),
    ],
)
def test_lbfgs_rejects_stochastic_only_regularizers(params, name):
    with pytest.raises(ValueError, match=f"{name}.*lbfgs"):
        _model(solver="lbfgs", **params).fit(X_OK, Y_OK)


@pytest.mark.parametrize("rule", [True, "GL"])
def test_validation_split_too_small_names_validation_fraction(rule):
    # One sample per class: no sample can leave training without removing a class.
    X, y = _small_problem(n_samples=3, n_classes=3)
    est = _model(solver="sgd", early_stopping=rule, validation_fraction=0.2)
    with pytest.raises(ValueError, match="validation_fraction"):
        est.fit(X, y)


def test_validation_split_too_small_with_duplicated_rows():
    # Two samples per class, but they are identical rows: each class is one group,
    # which the duplicate-aware split must keep on one side.
    X, y = _small_problem(n_samples=3, n_classes=3)
    X, y = np.repeat(X, 2, axis=0), np.repeat(y, 2)
    est = _model(solver="adam", early_stopping=True, validation_fraction=0.5)
    with pytest.raises(ValueError, match="validation_fraction"):
        est.fit(X, y)


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
@pytest.mark.parametrize("label", [7, "only"])
def test_single_class_target(solver, label):
    y = np.full(len(X_OK), label, dtype=object if isinstance(label, str) else int)
    est = _model(solver=solver).fit(X_OK, y)
    assert list(est.classes_) == [label]
    X_test = np.random.RandomState(1).randn(7, 3) * 10
    assert list(est.predict(X_test)) == [label] * 7
    proba = est.predict_proba(X_test)
    assert proba.shape == (7, 1)
    np.testing.assert_array_equal(proba, np.ones((7, 1)))
    np.testing.assert_array_equal(est.predict_log_proba(X_test), np.zeros((7, 1)))
    assert est.score(X_test, [label] * 7) == 1.0


# --------------------------------------------------------------------------
# 2. Extreme but valid input
# --------------------------------------------------------------------------
@pytest.mark.parametrize("scale", [1e6, 1e-6])
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
@pytest.mark.parametrize("activation", ["relu", "logistic", "tanh"])
def test_extreme_feature_scales(scale, solver, activation):
    X, y = _small_problem(n_samples=60, n_features=4, n_classes=3)
    X = X * scale
    est = _model(
        solver=solver, activation=activation, max_iter=20, hidden_layer_sizes=(8,)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
        proba = est.predict_proba(X)
        log_proba = est.predict_log_proba(X)
        pred = est.predict(X)
    _assert_valid_proba(proba, len(X), 3)
    assert not np.any(np.isnan(log_proba))
    assert set(pred) <= set(est.classes_)
    assert np.all(np.isfinite(est.loss_curve_))
    for array in est.coefs_ + est.intercepts_:
        assert np.all(np.isfinite(array))


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_extreme_scale_binary(solver):
    # Binary problems use a single logistic output unit: huge logits there too.
    X, y = _small_problem(n_samples=40, n_features=3, n_classes=2)
    est = _model(solver=solver, max_iter=20)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        est.fit(X * 1e6, y)
        proba = est.predict_proba(X * 1e6)
    _assert_valid_proba(proba, len(X), 2)


def test_one_sample_per_class():
    X, y = _small_problem(n_samples=4, n_features=3, n_classes=4)
    est = _model(solver="lbfgs", hidden_layer_sizes=(10,), max_iter=500, alpha=1e-5)
    est.fit(X, y)
    np.testing.assert_array_equal(est.classes_, np.arange(4))
    np.testing.assert_array_equal(est.predict(X), y)  # four points are memorized
    _assert_valid_proba(est.predict_proba(X), 4, 4)


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_one_sample_per_class_stochastic(solver):
    X, y = _small_problem(n_samples=3, n_features=2, n_classes=3)
    est = _model(solver=solver, max_iter=10).fit(X, y)
    assert set(est.predict(X)) <= set(y)
    _assert_valid_proba(est.predict_proba(X), 3, 3)


LABELINGS = {
    "strings": np.array(["cat", "dog", "eel"]),
    "negative_ints": np.array([-7, -3, -1]),
    "mixed_sign_ints": np.array([-2, 0, 5]),
    "binary_strings": np.array(["no", "yes"]),
    "binary_negative": np.array([-1, -2]),
}


@pytest.mark.parametrize("labeling", list(LABELINGS))
@pytest.mark.parametrize("solver", ["lbfgs", "adam"])
def test_label_types_round_trip(labeling, solver):
    labels = LABELINGS[labeling]
    X, codes = _small_problem(n_samples=60, n_features=3, n_classes=len(labels))
    y = labels[codes]
    est = _model(
        solver=solver, max_iter=200, hidden_layer_sizes=(10,), learning_rate_init=0.05
    )
    est.fit(X, y)
    np.testing.assert_array_equal(est.classes_, np.sort(labels))
    pred = est.predict(X)
    assert pred.dtype.kind == y.dtype.kind
    assert set(pred) <= set(labels)
    assert np.mean(pred == y) > 0.8  # well-separated blobs: the labels must line up
    proba = est.predict_proba(X)
    np.testing.assert_array_equal(pred, est.classes_[np.argmax(proba, axis=1)])
    assert est.score(X, y) == np.mean(pred == y)


def test_very_wide_sparse_input():
    rng = np.random.RandomState(0)
    n_samples, n_features = 120, 10**5
    X = sp.random(n_samples, n_features, density=5e-5, format="csr", random_state=rng)
    y = np.arange(n_samples) % 3
    # Make the labels learnable from a few informative columns.
    X = sp.hstack([sp.csr_matrix(np.eye(3)[y] * 3.0), X[:, 3:]], format="csr")
    assert X.shape == (n_samples, n_features)
    est = _model(hidden_layer_sizes=(4,), max_iter=20, learning_rate_init=0.05)
    est.fit(X, y)
    assert est.coefs_[0].shape == (n_features, 4)
    proba = est.predict_proba(X)
    _assert_valid_proba(proba, n_samples, 3)
    dense_rows = X[:5].toarray()
    np.testing.assert_allclose(
        est.predict_proba(dense_rows), proba[:5], rtol=1e-10, atol=1e-12
    )
    np.testing.assert_allclose(
        est.predict_proba(X.tocsc()), proba, rtol=1e-10, atol=1e-12
    )
    assert est.score(X, y) > 0.9


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_many_classes(solver):
    n_classes = 310
    rng = np.random.RandomState(0)
    y = np.repeat(np.arange(n_classes), 2)
    X = rng.randn(n_classes, 6)[y] + 0.01 * rng.randn(len(y), 6)
    est = _model(solver=solver, hidden_layer_sizes=(16,), max_iter=5).fit(X, y)
    assert len(est.classes_) == n_classes
    assert est.coefs_[-1].shape == (16, n_classes)
    proba = est.predict_proba(X)
    _assert_valid_proba(proba, len(X), n_classes)
    assert set(est.predict(X)) <= set(range(n_classes))


@pytest.mark.parametrize(
    "params",
    [
        dict(solver="adam"),
        dict(solver="sgd"),
        dict(solver="lbfgs"),
        dict(solver="adam", dropout=0.2, early_stopping=True),
        dict(
            solver="sgd", early_stopping="PQ", penalty="elasticnet", weight_decay=0.01
        ),
    ],
    ids=["adam", "sgd", "lbfgs", "adam-dropout-es", "sgd-pq-elasticnet"],
)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_float32_throughout(params, n_classes):
    X, y = _small_problem(n_samples=40, n_features=4, n_classes=n_classes)
    X32 = X.astype(np.float32)
    est = _model(max_iter=10, **params).fit(X32, y)
    for array in est.coefs_ + est.intercepts_:
        assert array.dtype == np.float32
    for X_test in (X32, X):  # float64 input to a float32 model still yields float32
        proba = est.predict_proba(X_test)
        assert proba.dtype == np.float32
        _assert_valid_proba(proba, len(X), n_classes, atol=1e-5)
        assert est.predict_log_proba(X_test).dtype == np.float32
    assert np.all(np.isfinite(est.loss_curve_))


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_float32_model_predicts_float64_rows_beyond_float32_range(n_classes, sparse):
    # Casting such rows to float32 gives inf and then NaN probabilities; they are
    # computed in float64 (as MLPClassifier does), the result stays float32.
    X, y = _small_problem(n_samples=40, n_features=4, n_classes=n_classes)
    est = _model(max_iter=10).fit(X.astype(np.float32), y)
    X_test = np.array([[1e39, 0, 0, 0], [-1e300, 1, 2, 3], [1, 2, 3, 4], [0, 0, 3e38, -3e38]])
    wide = _model(max_iter=10).fit(X, y)  # a float64 twin with the float32 model's weights
    wide.coefs_ = [c.astype(np.float64) for c in est.coefs_]
    wide.intercepts_ = [b.astype(np.float64) for b in est.intercepts_]
    if sparse:
        X_test = sp.csr_matrix(X_test)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        proba = est.predict_proba(X_test)
        labels = est.predict(X_test)
    assert proba.dtype == np.float32
    _assert_valid_proba(proba, 4, n_classes, atol=1e-6)
    np.testing.assert_allclose(proba, wide.predict_proba(X_test), atol=1e-6)
    np.testing.assert_array_equal(labels, wide.predict(X_test))
    assert np.isfinite(est.predict_log_proba(X_test)[2]).all()


def test_float32_regressor_predicts_float64_rows_beyond_float32_range():
    from skbp import BackpropMLPRegressor

    X, y = _small_problem(n_samples=40, n_features=4)
    est = BackpropMLPRegressor(hidden_layer_sizes=(5,), activation="tanh", max_iter=5, random_state=0)
    est.fit(X.astype(np.float32), y.astype(float))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        prediction = est.predict(np.array([[1e39, 0, 0, 0], [-1e300, 1, 2, 3]]))
    assert prediction.dtype == np.float32 and np.isfinite(prediction).all()


def test_float32_partial_fit_keeps_dtype():
    X, y = _small_problem(n_samples=40, n_features=4)
    est = _model()
    est.partial_fit(X.astype(np.float32), y, classes=np.unique(y))
    est.partial_fit(X, y)  # a float64 batch continues in float32
    for array in est.coefs_ + est.intercepts_:
        assert array.dtype == np.float32


def test_float32_sparse():
    X, y = _small_problem(n_samples=40, n_features=4)
    X = sp.csr_matrix(X.astype(np.float32))
    est = _model().fit(X, y)
    assert est.coefs_[0].dtype == np.float32
    assert est.predict_proba(X).dtype == np.float32


# --------------------------------------------------------------------------
# 3. Divergence
# --------------------------------------------------------------------------
def _diverging_problem():
    rng = np.random.RandomState(0)
    y = np.arange(80) % 3
    X = (rng.randn(80, 5) + y[:, None]) * 1e3  # unscaled features
    return X, y


def _fit_diverging(X, y, **params):
    """Fit sgd with a learning rate of 1e6 on ``X``; return the model and the
    message of the ValueError the fit must raise."""
    settings = dict(
        solver="sgd",
        learning_rate_init=1e6,
        momentum=0.9,
        hidden_layer_sizes=(10,),
        batch_size=4,
        max_iter=50,
    )
    settings.update(params)
    est = _model(**settings)
    with warnings.catch_warnings():
        # Overflow on the way to divergence is expected.
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(ValueError) as info:
            est.fit(X, y)
    return est, str(info.value)


@pytest.mark.parametrize(
    "params",
    [
        dict(),
        dict(activation="identity"),
        dict(learning_rate="invscaling"),
        dict(nesterovs_momentum=False),
        # One step per epoch: overflow after ~15 epochs, so the plateau rule must wait.
        dict(batch_size=80, n_iter_no_change=1000, max_iter=100),
    ],
    ids=["plain", "identity", "invscaling", "classical_momentum", "full_batch"],
)
def test_divergence_raises_and_keeps_finite_weights(params):
    # Without a validation split there is no model to return: as scikit-learn,
    # fit raises, and the model keeps the weights of its best finite epoch.
    est, message = _fit_diverging(*_diverging_problem(), **params)
    assert re.search("Solver produced non-finite parameter weights", message)
    assert "learning_rate_init" in message
    assert est.coefs_ and est.intercepts_
    for array in est.coefs_ + est.intercepts_:
        assert np.all(np.isfinite(array))
    assert len(est.history_) == est.n_iter_
    assert all(np.isfinite(record["train_loss"]) for record in est.history_)


def _fit_diverging_with_validation(X, y, **params):
    settings = dict(
        solver="sgd", learning_rate_init=1e6, momentum=0.9, hidden_layer_sizes=(10,),
        batch_size=4, max_iter=50,
    )
    settings.update(params)
    est = _model(**settings)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.warns(ConvergenceWarning, match="Training diverged in epoch") as caught:
            est.fit(X, y)
    return est, [str(w.message) for w in caught if "diverged" in str(w.message)]


@pytest.mark.parametrize(
    "params",
    [
        dict(early_stopping=True),
        dict(early_stopping="GL"),
        dict(early_stopping="UP"),
        dict(early_stopping="PQ"),
        dict(batch_size=80, n_iter_no_change=1000, max_iter=100, early_stopping=True),
    ],
    ids=["early_stopping", "GL", "UP", "PQ", "full_batch_es"],
)
def test_divergence_with_a_validation_split_keeps_the_best_epoch_and_warns(params):
    # scikit-learn #29504: with a validation split, fit does not raise; it returns
    # the best validated epoch's weights, and validation_scores_ ends in NaN.
    X, y = _diverging_problem()
    est, messages = _fit_diverging_with_validation(X, y, **params)
    assert len(messages) == 1 and "Lower learning_rate_init" in messages[0]
    assert str(est.validation_scores_[-1]) == "nan"
    assert isinstance(est.validation_scores_[-1], float)
    assert len(est.history_) == est.n_iter_ == len(est.validation_scores_)
    assert f"epoch {est.n_iter_}" in messages[0]
    for array in est.coefs_ + est.intercepts_:
        assert np.all(np.isfinite(array))
    # The kept weights are the best validated epoch's (outputs that overflowed
    # before the weights did scored NaN, never best), and they predict.
    if est.best_epoch_ is not None:
        assert np.isfinite(est.best_validation_score_)
        assert est.best_validation_score_ == est.validation_scores_[est.best_epoch_ - 1]
    _assert_valid_proba(est.predict_proba(X), len(X), 3)


def test_mlp_diverging_loss():
    # scikit-learn's test_mlp_diverging_loss (#29504), on BackpropMLPRegressor.
    from sklearn.datasets import load_iris

    from skbp import BackpropMLPRegressor

    X_iris, y_iris = load_iris(return_X_y=True)
    mlp = BackpropMLPRegressor(
        hidden_layer_sizes=100,
        activation="identity",
        solver="sgd",
        alpha=0.0001,
        learning_rate="constant",
        learning_rate_init=1,
        shuffle=True,
        max_iter=20,
        early_stopping=True,
        n_iter_no_change=10,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(X_iris, y_iris)
    # In python, float("nan") != float("nan")
    assert str(mlp.validation_scores_[-1]) == str(np.nan)
    assert isinstance(mlp.validation_scores_[-1], float)
    # skbp adds: the model it returns is finite.
    assert np.isfinite(mlp.predict(X_iris)).all()


@pytest.mark.parametrize(
    "params",
    [dict(), dict(batch_size=80, n_iter_no_change=1000, max_iter=100)],
    ids=["mini_batch", "full_batch"],
)
def test_weights_kept_after_divergence_predict_finite_probabilities(params):
    # "The last finite weights were kept": they must make a usable predictor, i.e.
    # the training data must have finite probabilities under them.
    X, y = _diverging_problem()
    est, message = _fit_diverging(X, y, **params)
    assert re.search("non-finite parameter weights", message)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        proba = est.predict_proba(X)
    assert np.all(np.isfinite(proba)), "predict_proba is not finite after divergence"
    _assert_valid_proba(proba, len(X), 3)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fit_that_returns_normally_gives_finite_probabilities(dtype):
    # A blow-up within the last epoch: the parameters are still finite, but so
    # large that the network's outputs overflow. Either fit reports the divergence
    # (the documented ValueError) or the model it returns predicts finite
    # probabilities - never a silent NaN model.
    rng = np.random.RandomState(8)
    X = (rng.randn(10, 1) * 100).astype(dtype)
    y = np.arange(10) % 5
    failures = []
    for lr in (1e-3, 3e-3, 1e-2):
        for seed in range(10):
            est = BackpropMLPClassifier(
                hidden_layer_sizes=(8, 3),
                activation="identity",
                solver="sgd",
                batch_size=1,
                max_iter=1,
                learning_rate_init=lr,
                random_state=seed,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                try:
                    est.fit(X, y)
                except ValueError as exc:
                    assert "non-finite parameter weights" in str(exc)
                    continue
                proba = est.predict_proba(X)
            if not np.all(np.isfinite(proba)):
                failures.append((lr, seed, est.loss_))
    assert not failures, f"fit returned normally, predict_proba not finite: {failures}"


def test_divergence_in_adam_with_huge_rate_is_contained():
    # Adam's steps are bounded by the learning rate, so it may or may not diverge:
    # either way the model ends with finite weights and no other exception type.
    X, y = _diverging_problem()
    est = _model(
        solver="adam", learning_rate_init=1e8, hidden_layer_sizes=(10,), max_iter=30
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            est.fit(X, y)
        except ValueError as exc:
            assert "non-finite parameter weights" in str(exc)
    for array in est.coefs_ + est.intercepts_:
        assert np.all(np.isfinite(array))


def test_refit_after_divergence_recovers():
    X, y = _diverging_problem()
    est, message = _fit_diverging(X, y, max_iter=20)
    assert re.search("non-finite", message)
    est.set_params(learning_rate_init=1e-3, solver="adam")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        est.fit(X / 1e3, y)
    _assert_valid_proba(est.predict_proba(X / 1e3), len(X), 3)
    assert len(est.history_) == est.n_iter_ == 20


def test_nonfinite_params():
    # scikit-learn's test_nonfinite_params, on BackpropMLPRegressor.
    from skbp import BackpropMLPRegressor

    rng = np.random.RandomState(0)
    n_samples = 10
    fmax = np.finfo(np.float64).max
    X = fmax * rng.uniform(size=(n_samples, 2))
    y = rng.standard_normal(size=n_samples)

    clf = BackpropMLPRegressor()
    msg = (
        "Solver produced non-finite parameter weights. The input data may contain large"
        " values and need to be preprocessed."
    )
    with pytest.raises(ValueError, match=msg):
        with warnings.catch_warnings():
            # RuntimeWarning: overflow encountered in square
            warnings.simplefilter("ignore")
            clf.fit(X, y)
    # skbp adds: the model keeps finite weights.
    assert all(np.isfinite(w).all() for w in clf.coefs_ + clf.intercepts_)


def test_early_stopping_stratified():
    # scikit-learn's test_early_stopping_stratified. skbp names the class by its
    # label (1), where MLPClassifier names its binarized indicator ('True').
    X = [[1, 2], [2, 3], [3, 4], [4, 5]]
    y = [0, 0, 0, 1]

    mlp = BackpropMLPClassifier(early_stopping=True)
    with pytest.raises(
        ValueError,
        match=(
            r"The least populated classes in y have only 1 member.*Classes with "
            r"too few members are: \[1\]"
        ),
    ):
        mlp.fit(X, y)
