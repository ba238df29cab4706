"""Persistence and concurrency: pickle/joblib round trips, clone, threaded predict."""

import io
import pickle
from concurrent.futures import ThreadPoolExecutor

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from skbp import BackpropMLPClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _data(n_samples=60, n_features=5, n_classes=3, seed=0):
    rng = np.random.RandomState(seed)
    y = np.arange(n_samples) % n_classes
    X = rng.randn(n_samples, n_features) + y[:, None]
    return X, y


def _pickle_round_trip(est):
    return pickle.loads(pickle.dumps(est))


def _joblib_round_trip(est):
    buffer = io.BytesIO()
    joblib.dump(est, buffer)
    buffer.seek(0)
    return joblib.load(buffer)


def _joblib_file_round_trip(est, tmp_path):
    path = tmp_path / "model.joblib"
    joblib.dump(est, path, compress=3)
    return joblib.load(path)


def _assert_same_history(history, expected):
    # lbfgs records learning_rate as NaN, which == does not match: compare reprs.
    assert len(history) == len(expected)
    for record, expected_record in zip(history, expected):
        assert record.keys() == expected_record.keys()
        for key, value in record.items():
            assert repr(value) == repr(expected_record[key]), key


CONFIGS = {
    "adam_float64": (dict(solver="adam"), "float64"),
    "sgd_float64": (dict(solver="sgd", early_stopping=True), "float64"),
    "lbfgs_float64": (dict(solver="lbfgs"), "float64"),
    "adam_float32": (dict(solver="adam", dropout=0.2), "float32"),
    "lbfgs_float32": (dict(solver="lbfgs"), "float32"),
    "adam_sparse": (dict(solver="adam", early_stopping="GL"), "sparse"),
    "sgd_sparse_float32": (dict(solver="sgd"), "sparse32"),
    "binary": (dict(solver="adam"), "binary"),
    "string_labels": (dict(solver="adam", class_weight="balanced"), "strings"),
}


def _fitted(config):
    params, kind = CONFIGS[config]
    X, y = _data(n_classes=2 if kind == "binary" else 3)
    if kind == "strings":
        y = np.array(["a", "b", "c"])[y]
    if kind in ("float32", "sparse32"):
        X = X.astype(np.float32)
    if kind in ("sparse", "sparse32"):
        X = sp.csr_matrix(np.where(np.abs(X) > 0.5, X, 0))
    est = BackpropMLPClassifier(
        hidden_layer_sizes=(7, 4), max_iter=15, random_state=0, **params
    )
    return est.fit(X, y), X, y


@pytest.mark.parametrize("config", list(CONFIGS))
@pytest.mark.parametrize("method", ["pickle", "joblib", "joblib_file"])
def test_round_trip_gives_identical_predictions(config, method, tmp_path):
    est, X, y = _fitted(config)
    if method == "pickle":
        loaded = _pickle_round_trip(est)
    elif method == "joblib":
        loaded = _joblib_round_trip(est)
    else:
        loaded = _joblib_file_round_trip(est, tmp_path)
    assert loaded is not est
    proba, loaded_proba = est.predict_proba(X), loaded.predict_proba(X)
    assert loaded_proba.dtype == proba.dtype
    assert np.array_equal(proba, loaded_proba)
    assert np.array_equal(est.predict(X), loaded.predict(X))
    np.testing.assert_array_equal(est.classes_, loaded.classes_)
    for a, b in zip(est.coefs_ + est.intercepts_, loaded.coefs_ + loaded.intercepts_):
        assert a.dtype == b.dtype
        assert np.array_equal(a, b)
    _assert_same_history(loaded.history_, est.history_)
    assert loaded.get_params() == est.get_params()
    assert loaded.n_iter_ == est.n_iter_ and loaded.best_epoch_ == est.best_epoch_


def test_unfitted_estimator_round_trips():
    est = BackpropMLPClassifier(
        hidden_layer_sizes=(3,), dropout=[0.1, 0.2], initializer="he_normal"
    )
    loaded = _pickle_round_trip(est)
    assert loaded.get_params() == est.get_params()
    with pytest.raises(NotFittedError):
        loaded.predict(np.zeros((1, 2)))


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_training_continues_identically_after_round_trip(solver):
    # The optimizer state travels with the model: partial_fit on the original and
    # on the unpickled copy give bit-identical models.
    X, y = _data()
    est = BackpropMLPClassifier(hidden_layer_sizes=(6,), solver=solver, random_state=0)
    for _ in range(3):
        est.partial_fit(X, y, classes=np.unique(y))
    copy = _pickle_round_trip(est)
    for _ in range(3):
        est.partial_fit(X, y)
        copy.partial_fit(X, y)
    assert np.array_equal(est.predict_proba(X), copy.predict_proba(X))
    assert copy.t_ == est.t_ and len(copy.history_) == len(est.history_) == 6


def test_warm_start_continues_identically_after_round_trip():
    X, y = _data()
    est = BackpropMLPClassifier(
        hidden_layer_sizes=(6,), warm_start=True, max_iter=5, random_state=0
    ).fit(X, y)
    copy = _pickle_round_trip(est)
    est.fit(X, y)
    copy.fit(X, y)
    assert np.array_equal(est.predict_proba(X), copy.predict_proba(X))


@pytest.mark.parametrize("config", ["adam_float64", "lbfgs_float32", "adam_sparse"])
def test_clone_of_fitted_estimator_is_unfitted(config):
    est, X, y = _fitted(config)
    cloned = clone(est)
    assert cloned.get_params() == est.get_params()
    for attribute in ("coefs_", "intercepts_", "classes_", "history_", "n_iter_"):
        assert not hasattr(cloned, attribute)
    for method in ("predict", "predict_proba", "predict_log_proba"):
        with pytest.raises(NotFittedError):
            getattr(cloned, method)(X)
    # The original is untouched, and the clone fits to the same model.
    assert np.array_equal(cloned.fit(X, y).predict_proba(X), est.predict_proba(X))


def test_clone_does_not_share_mutable_parameters():
    dropout = [0.1, 0.2]
    est = BackpropMLPClassifier(
        hidden_layer_sizes=[4], dropout=dropout, class_weight={0: 2.0}
    )
    cloned = clone(est)
    assert cloned.dropout == dropout and cloned.dropout is not dropout
    assert cloned.class_weight is not est.class_weight


@pytest.mark.parametrize(
    "config", ["adam_float64", "lbfgs_float32", "adam_sparse", "binary"]
)
def test_concurrent_predict_proba_is_identical(config):
    est, _, _ = _fitted(config)
    rng = np.random.RandomState(1)
    X_big = rng.randn(3000, est.n_features_in_)
    if config == "lbfgs_float32":
        X_big = X_big.astype(np.float32)
    if config == "adam_sparse":
        X_big = sp.csr_matrix(np.where(np.abs(X_big) > 0.5, X_big, 0))
    expected_proba = est.predict_proba(X_big)
    expected_pred = est.predict(X_big)

    def work(i):
        # Alternate the methods so that different code paths overlap.
        if i % 2:
            return "proba", est.predict_proba(X_big)
        return "pred", est.predict(X_big)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(32)))
    for kind, result in results:
        expected = expected_proba if kind == "proba" else expected_pred
        assert np.array_equal(result, expected)


def test_concurrent_predict_proba_eight_threads_same_call():
    est, _, _ = _fitted("adam_float64")
    X_big = np.random.RandomState(2).randn(5000, est.n_features_in_)
    expected = est.predict_proba(X_big)
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(est.predict_proba, X_big) for _ in range(8)]
        results = [f.result(timeout=60) for f in futures]
    for result in results:
        assert np.array_equal(result, expected)
    # The input was not modified by any of the calls.
    assert np.array_equal(
        X_big, np.random.RandomState(2).randn(5000, est.n_features_in_)
    )
