"""monitor_layers: per-layer statistics per epoch, checked against independent arithmetic."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits, make_regression
from sklearn.exceptions import ConvergenceWarning

import skbp._estimators.base
from skbp import BackpropMLPClassifier, BackpropMLPRegressor
from skbp._engine.monitor import PROBE_ROWS

KEYS = {"delta_rms", "grad_rms", "weight_rms", "update_ratio", "inactive_fraction"}


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:400] / 16, y[:400]


def _fit(X, y, cls=BackpropMLPClassifier, **params):
    params = {"hidden_layer_sizes": (12,), "max_iter": 4, "random_state": 0, **params}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return cls(**params).fit(X, y)


def _rms(a):
    return float(np.sqrt(np.mean(np.square(a))))


def _probe_rows(n):
    return np.unique(np.linspace(0, n - 1, min(PROBE_ROWS, n)).astype(np.intp))


def test_nothing_is_recorded_or_computed_when_off(digits, monkeypatch):
    class Forbidden:
        def __init__(self, *args):
            raise AssertionError("LayerMonitor built with monitor_layers=False")

    monkeypatch.setattr(skbp._estimators.base, "LayerMonitor", Forbidden)
    est = _fit(*digits)
    assert all("layers" not in record for record in est.history_)


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_every_record_has_one_entry_per_weight_layer(digits, solver):
    est = _fit(*digits, hidden_layer_sizes=(12, 8), solver=solver, monitor_layers=True)
    assert len(est.history_) == est.n_iter_ > 0
    for record in est.history_:
        assert len(record["layers"]) == 3
        for layer in record["layers"]:
            assert set(layer) == KEYS
        assert record["layers"][-1]["inactive_fraction"] is None
        for layer in record["layers"][:-1]:
            assert 0.0 <= layer["inactive_fraction"] <= 1.0
        assert all(np.isfinite(layer[key]) for layer in record["layers"] for key in KEYS - {"inactive_fraction"})


def test_statistics_of_the_last_epoch_match_a_hand_computation(digits):
    X, y = digits
    k = 4
    est = _fit(X, y, max_iter=k, monitor_layers=True)
    before = _fit(X, y, max_iter=k - 1)  # the same run, one epoch shorter
    rows = _probe_rows(len(y))
    (W1, W2), b1 = est.coefs_, est.intercepts_[0]
    hidden = np.maximum(X[rows] @ W1 + b1, 0)
    Y = np.eye(10)[y[rows]]
    delta_out = est.predict_proba(X[rows]) - Y  # BP1 for softmax and cross-entropy
    delta_hidden = (delta_out @ W2.T) * (hidden > 0)  # BP2
    stats = est.history_[-1]["layers"]
    assert stats[1]["delta_rms"] == pytest.approx(_rms(delta_out), rel=1e-10)
    assert stats[0]["delta_rms"] == pytest.approx(_rms(delta_hidden), rel=1e-10)
    assert stats[1]["grad_rms"] == pytest.approx(_rms(hidden.T @ delta_out / len(rows)), rel=1e-10)
    assert stats[0]["grad_rms"] == pytest.approx(_rms(X[rows].T @ delta_hidden / len(rows)), rel=1e-10)
    for layer, (W, W_before) in enumerate(zip(est.coefs_, before.coefs_)):
        assert stats[layer]["weight_rms"] == pytest.approx(_rms(W), rel=1e-12)
        assert stats[layer]["update_ratio"] == pytest.approx(_rms(W - W_before) / _rms(W), rel=1e-10)
    assert stats[0]["inactive_fraction"] == np.mean(np.all(hidden == 0, axis=0))


def _with_dead_first_unit(fan_in, fan_out, rng, dtype):
    W = rng.uniform(-0.1, 0.1, (fan_in, fan_out))
    W[:, 0] = -10.0  # inputs are >= 0: unit 0 of the first hidden layer never fires
    return W


@pytest.mark.parametrize("activation", ["relu", "logistic", "tanh"])
def test_inactive_units_are_counted(digits, activation):
    X, y = digits
    weights = _with_dead_first_unit if activation == "relu" else None

    def saturating(fan_in, fan_out, rng, dtype):
        W = _with_dead_first_unit(fan_in, fan_out, rng, dtype)
        W[:, 1] = 10.0  # unit 1 saturates high, unit 0 low
        return W

    est = _fit(
        X, y, activation=activation, hidden_layer_sizes=(10,), monitor_layers=True,
        initializer=weights or saturating, learning_rate_init=1e-4,
    )
    expected = 0.1 if activation == "relu" else 0.2
    assert est.history_[-1]["layers"][0]["inactive_fraction"] == pytest.approx(expected)


def test_monitoring_does_not_change_what_is_trained(digits):
    X, y = digits
    for params in ({}, {"dropout": 0.2}, {"early_stopping": "GL"}):
        plain = _fit(X, y, **params)
        monitored = _fit(X, y, monitor_layers=True, **params)
        for a, b in zip(plain.coefs_ + plain.intercepts_, monitored.coefs_ + monitored.intercepts_):
            np.testing.assert_array_equal(a, b)


def test_regressor_partial_fit_and_pickling_keep_the_records():
    X, y = make_regression(n_samples=120, n_features=5, noise=1.0, random_state=0)
    reg = BackpropMLPRegressor(hidden_layer_sizes=(6,), monitor_layers=True, random_state=0)
    for _ in range(3):
        reg.partial_fit(X, y)
    assert [len(r["layers"]) for r in reg.history_] == [2, 2, 2]
    copy = pickle.loads(pickle.dumps(reg))
    assert copy.history_ == reg.history_
    rows = _probe_rows(len(y))
    delta_out = reg.predict(X[rows]) - y[rows]  # BP1 for the identity output and squared error
    assert reg.history_[-1]["layers"][-1]["delta_rms"] == pytest.approx(_rms(delta_out), rel=1e-10)
