"""Training history: ``history_`` holds one record per epoch (per L-BFGS iteration).

Each record has the keys epoch (1-based), train_loss, val_loss, val_score
(None without validation), learning_rate, n_samples_seen and duration_s; it is
in sync with ``loss_curve_``, ``validation_scores_`` and ``validation_losses_``.
The recorded losses are checked against losses recomputed here from the weights.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from skbp import BackpropMLPClassifier


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """Small matrices on a shared 2-core machine: multi-threaded BLAS only spins."""
    with threadpool_limits(1):
        yield


KEYS = {
    "epoch",
    "train_loss",
    "val_loss",
    "val_score",
    "learning_rate",
    "n_samples_seen",
    "duration_s",
}


def _data(n=100, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 6)
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 0.6)
    return X, y


def _quiet_fit(est, X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, **kw)


def _log_loss(est, X, y, sample_weight=None):
    P = est.predict_proba(X)
    per_sample = -np.log(P[np.arange(len(y)), np.searchsorted(est.classes_, y)])
    return np.average(per_sample, weights=sample_weight)


def _l2(est):
    return 0.5 * sum(np.sum(W**2) for W in est.coefs_)


def _check_records(est):
    history = est.history_
    assert isinstance(history, list) and len(history) > 0
    for i, record in enumerate(history, start=1):
        assert set(record) == KEYS
        assert record["epoch"] == i
        assert isinstance(record["epoch"], int)
        assert isinstance(record["train_loss"], float) and np.isfinite(
            record["train_loss"]
        )
        assert isinstance(record["n_samples_seen"], int)
        # Measured, not a placeholder: perf_counter advances during any epoch.
        assert isinstance(record["duration_s"], float) and record["duration_s"] > 0
        assert isinstance(record["learning_rate"], float)
    assert est.loss_curve_ == [r["train_loss"] for r in history]


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_history_without_validation(solver):
    X, y = _data()
    est = _quiet_fit(
        BackpropMLPClassifier(
            (8,), solver=solver, max_iter=12, batch_size=32, random_state=0
        ),
        X,
        y,
    )
    _check_records(est)
    assert len(est.history_) == est.n_iter_ == 12
    assert all(r["val_loss"] is None and r["val_score"] is None for r in est.history_)
    assert est.validation_scores_ is None and est.validation_losses_ is None
    seen = [r["n_samples_seen"] for r in est.history_]
    assert seen == [len(y) * e for e in range(1, 13)]
    assert est.t_ == seen[-1]
    assert all(r["learning_rate"] == est.learning_rate_init for r in est.history_)
    assert est.loss_ == est.history_[-1]["train_loss"]
    # best_epoch_: the epoch of the lowest training loss.
    assert est.best_epoch_ == int(np.argmin(est.loss_curve_)) + 1


@pytest.mark.parametrize("criterion", [True, "GL"])
def test_history_with_validation_is_in_sync(criterion, recorded_split):
    recorded = recorded_split
    X, y = _data(n=150)
    est = _quiet_fit(
        BackpropMLPClassifier(
            (16,),
            early_stopping=criterion,
            validation_fraction=0.2,
            learning_rate_init=0.02,
            max_iter=40,
            alpha=1e-3,
            random_state=0,
        ),
        X,
        y,
    )
    _check_records(est)
    history = est.history_
    assert len(history) == est.n_iter_
    assert est.validation_scores_ == [r["val_score"] for r in history]
    assert est.validation_losses_ == [r["val_loss"] for r in history]
    assert all(
        r["val_loss"] is not None and r["val_score"] is not None for r in history
    )
    is_val = recorded["is_val"]
    n_train = int((~is_val).sum())
    assert 0 < n_train < len(y)
    seen = [r["n_samples_seen"] for r in history]
    assert seen == [n_train * e for e in range(1, len(history) + 1)]
    # The model holds the weights of best_epoch_; its validation loss and accuracy,
    # recomputed here on the held-out rows, are the recorded ones.
    best = history[est.best_epoch_ - 1]
    X_val, y_val = X[is_val], y[is_val]
    assert_allclose(best["val_loss"], _log_loss(est, X_val, y_val), rtol=1e-10)
    assert_allclose(best["val_score"], np.mean(est.predict(X_val) == y_val), rtol=1e-12)
    assert est.best_validation_score_ == best["val_score"]


def test_train_loss_is_the_loss_of_the_epochs_starting_weights():
    """Full-batch SGD: epoch k's train_loss is the (penalized) cost of the weights
    after k - 1 epochs, recomputed here from a model trained for k - 1 epochs."""
    X, y = _data(n=80)
    alpha = 0.01
    params = dict(
        hidden_layer_sizes=(8,),
        solver="sgd",
        learning_rate_init=0.1,
        batch_size=80,
        shuffle=False,
        alpha=alpha,
        random_state=0,
    )
    full = _quiet_fit(BackpropMLPClassifier(max_iter=6, **params), X, y)
    for k in (1, 3, 5):
        partial = _quiet_fit(BackpropMLPClassifier(max_iter=k, **params), X, y)
        expected = _log_loss(partial, X, y) + alpha * _l2(partial) / len(y)
        assert_allclose(full.history_[k]["train_loss"], expected, rtol=1e-10)


def test_invscaling_learning_rate_is_recorded():
    X, y = _data(n=60)
    lr0, power_t = 0.1, 0.5
    est = _quiet_fit(
        BackpropMLPClassifier(
            (6,),
            solver="sgd",
            learning_rate="invscaling",
            learning_rate_init=lr0,
            power_t=power_t,
            max_iter=8,
            random_state=0,
        ),
        X,
        y,
    )
    rates = [r["learning_rate"] for r in est.history_]
    # Epoch e runs with the rate set after e - 1 epochs: lr0 / (t + 1)^power_t,
    # t = samples seen so far (scikit-learn's schedule).
    expected = [lr0] + [lr0 / (60 * (e - 1) + 1) ** power_t for e in range(2, 9)]
    assert_allclose(rates, expected, rtol=1e-12)


def test_adaptive_learning_rate_is_recorded():
    X, y = _data(n=60)
    lr0 = 0.05
    est = _quiet_fit(
        BackpropMLPClassifier(
            (6,),
            solver="sgd",
            learning_rate="adaptive",
            learning_rate_init=lr0,
            n_iter_no_change=2,
            tol=0.5,
            max_iter=30,
            random_state=0,
        ),
        X,
        y,
    )
    rates = np.array([r["learning_rate"] for r in est.history_])
    # Only divisions by 5: lr0 / 5^j, never increasing, and it did divide.
    j = np.log(lr0 / rates) / np.log(5)
    assert_allclose(j, np.round(j), atol=1e-9)
    assert np.all(np.diff(rates) <= 0)
    assert rates[-1] < lr0


def test_partial_fit_appends_one_record_per_call():
    X, y = _data(n=150)
    est = BackpropMLPClassifier(
        (8,), solver="sgd", learning_rate_init=0.1, random_state=0
    )
    chunks = [slice(0, 40), slice(40, 100), slice(100, 150), slice(0, 150)]
    for i, part in enumerate(chunks, start=1):
        before = None
        if i > 1:
            before = _log_loss(est, X[part], y[part]) + est.alpha * _l2(est) / len(
                y[part]
            )
        est.partial_fit(X[part], y[part], classes=[0, 1, 2])
        assert len(est.history_) == i
        assert est.n_iter_ == 1
        record = est.history_[-1]
        assert record["epoch"] == i
        assert record["val_loss"] is None and record["val_score"] is None
        if before is not None:  # one batch per call: the loss of the starting weights
            assert_allclose(record["train_loss"], before, rtol=1e-10)
    _check_records(est)
    sizes = [40, 60, 50, 150]
    assert [r["n_samples_seen"] for r in est.history_] == list(np.cumsum(sizes))
    assert est.t_ == sum(sizes)


def test_lbfgs_records_one_per_iteration():
    X, y = _data()
    alpha = 0.01
    est = _quiet_fit(
        BackpropMLPClassifier(
            (8,), solver="lbfgs", alpha=alpha, max_iter=25, random_state=0
        ),
        X,
        y,
    )
    _check_records(est)
    assert len(est.history_) == est.n_iter_ == len(est.loss_curve_)
    assert est.n_iter_ > 1
    assert all(r["val_loss"] is None and r["val_score"] is None for r in est.history_)
    # L-BFGS's line search decreases the objective at every iteration ...
    assert np.all(np.diff(est.loss_curve_) <= 1e-12)
    # ... and the last record is the cost of the returned weights.
    expected = _log_loss(est, X, y) + alpha * _l2(est) / len(y)
    assert_allclose(est.history_[-1]["train_loss"], expected, rtol=1e-8)
    assert_allclose(est.loss_, expected, rtol=1e-8)


def test_refit_without_warm_start_starts_a_new_history():
    X, y = _data()
    est = _quiet_fit(BackpropMLPClassifier((8,), max_iter=7, random_state=0), X, y)
    est.set_params(max_iter=3)
    _quiet_fit(est, X, y)
    assert [r["epoch"] for r in est.history_] == [1, 2, 3]
    assert est.t_ == 3 * len(y)


def test_history_with_sample_weight_counts_rows():
    X, y = _data(n=50)
    sw = np.random.RandomState(0).uniform(0.5, 3.0, 50)
    est = _quiet_fit(
        BackpropMLPClassifier((5,), max_iter=4, random_state=0), X, y, sample_weight=sw
    )
    assert [r["n_samples_seen"] for r in est.history_] == [50, 100, 150, 200]


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_a_warm_started_cosine_fit_restarts_its_schedule_and_trains(solver):
    X, y = _data()
    params = dict(solver=solver, learning_rate="cosine", learning_rate_init=0.05,
                  warmup_iter=2, max_iter=12, random_state=0)
    est = _quiet_fit(BackpropMLPClassifier((8,), warm_start=True, **params), X, y)
    first = [r["learning_rate"] for r in est.history_]
    weights = [w.copy() for w in est.coefs_]
    _quiet_fit(est, X, y)
    second = [r["learning_rate"] for r in est.history_[12:]]
    # The second fit anneals over its own max_iter epochs, as the first did.
    assert len(est.history_) == 24 and second == first
    assert min(second) > 0
    assert any(not np.array_equal(a, b) for a, b in zip(weights, est.coefs_))


def test_partial_fit_past_max_iter_keeps_training_with_the_cosine_schedule():
    X, y = _data()
    est = BackpropMLPClassifier(
        (8,), solver="sgd", learning_rate="cosine", learning_rate_init=0.05, max_iter=4,
        random_state=0,
    )
    for _ in range(9):
        before = [w.copy() for w in est.coefs_] if hasattr(est, "coefs_") else None
        est.partial_fit(X, y, classes=[0, 1, 2])
        if before is not None:
            assert any(not np.array_equal(a, b) for a, b in zip(before, est.coefs_))
    rates = [r["learning_rate"] for r in est.history_]
    # The cycle of max_iter=4 epochs restarts: epochs 5 and 9 start it again.
    assert rates[4] == rates[8] == rates[0] == 0.05
    assert min(rates) > 0


def test_partial_fit_after_a_cosine_fit_continues_its_cycle():
    X, y = _data()
    est = _quiet_fit(BackpropMLPClassifier(
        (8,), solver="sgd", learning_rate="cosine", learning_rate_init=0.05, max_iter=6,
        warm_start=True, random_state=0,
    ), X, y)
    _quiet_fit(est.set_params(max_iter=6), X, y)  # epochs 7-12: the second cycle
    est.partial_fit(X, y)  # epoch 13: past the second fit's cycle, a restart
    assert est.history_[-1]["learning_rate"] == 0.05
