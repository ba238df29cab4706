"""Penalties (l2, l1, elastic net) and decoupled weight decay (lecture §7).

* ``alpha`` keeps scikit-learn's meaning: the penalty of a batch is
  ``alpha * R(W) / sum(sample_weight)`` with R = ½||W||² (l2), ||W||₁ (l1) or
  l1_ratio ||W||₁ + ½ (1 - l1_ratio) ||W||² (elastic net); biases are never
  penalized.
* ``weight_decay = beta``: W := (1 - beta) W - step, on the weights only, for
  sgd and adam.  Under plain SGD it equals l2 with
  alpha = beta * batch_size / learning_rate_init; under Adam it does not (AdamW).
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skbp import BackpropMLPClassifier, check_gradients
from skbp._engine.losses import SoftmaxCrossEntropy
from skbp._engine.network import Network
from skbp._engine.optimizers import SGD, Adam


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """Small matrices on a shared 2-core machine: multi-threaded BLAS only spins."""
    with threadpool_limits(1):
        yield


def _data(n=120, n_features=10, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, n_features)
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 0.5)
    return X, y


def _quiet_fit(est, X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, **kw)


def _penalty_by_hand(coefs, penalty, alpha, l1_ratio):
    W = np.concatenate([c.ravel() for c in coefs])
    l1, l2 = np.abs(W).sum(), 0.5 * np.dot(W, W)
    if penalty == "l2":
        return alpha * l2
    if penalty == "l1":
        return alpha * l1
    return alpha * (l1_ratio * l1 + (1 - l1_ratio) * l2)


def _penalty_gradient_by_hand(W, penalty, alpha, l1_ratio):
    if penalty == "l2":
        return alpha * W
    if penalty == "l1":
        return alpha * np.sign(W)
    return alpha * (l1_ratio * np.sign(W) + (1 - l1_ratio) * W)


def _network(seed=0):
    rng = np.random.RandomState(seed)
    net = Network((5, 8, 6, 3), "tanh", SoftmaxCrossEntropy(), np.float64)
    net.initialize(rng, "glorot_uniform")
    # Keep every weight away from 0, where |w| is not differentiable.
    w = net.weights
    w[...] = np.sign(w) * np.maximum(np.abs(w), 0.02)
    for b in net.intercepts:
        b[...] = rng.uniform(-0.3, 0.3, b.shape)
    X = rng.randn(30, 5)
    Y = np.eye(3)[rng.randint(0, 3, 30)]
    return net, X, Y


def _penalty(name, alpha, l1_ratio=0.15):
    from skbp._engine.regularization import make_penalty

    return make_penalty(name, alpha=alpha, l1_ratio=l1_ratio)


# ---------------------------------------------------------- penalty values
@pytest.mark.parametrize("penalty", ["l2", "l1", "elasticnet"])
@pytest.mark.parametrize("weighted", [False, True])
def test_penalty_value_and_gradient_follow_the_formulas(penalty, weighted):
    net, X, Y = _network()
    alpha, l1_ratio = 0.7, 0.3
    sw = np.random.RandomState(1).uniform(0.5, 2.0, 30) if weighted else None
    weight_sum = 30.0 if sw is None else sw.sum()

    data_loss = net.loss_and_gradient(X, Y, sw)
    data_grad = net.grad.copy()
    loss = net.loss_and_gradient(X, Y, sw, _penalty(penalty, alpha, l1_ratio))
    expected_penalty = (
        _penalty_by_hand(net.coefs, penalty, alpha, l1_ratio) / weight_sum
    )
    assert_allclose(loss, data_loss + expected_penalty, rtol=1e-12)
    extra = net.grad - data_grad
    n_w = net.n_weights
    expected = _penalty_gradient_by_hand(net.params[:n_w], penalty, alpha, l1_ratio)
    assert_allclose(extra[:n_w], expected / weight_sum, rtol=1e-9, atol=1e-14)
    # Biases are never penalized.
    assert_array_equal(extra[n_w:], 0.0)


@pytest.mark.parametrize("penalty", ["l2", "l1", "elasticnet"])
@pytest.mark.parametrize("alpha", [0.1, 3.0])
def test_gradient_check_with_penalty_network(penalty, alpha):
    net, X, Y = _network()
    error = check_gradients(net, X, Y, alpha=alpha, penalty=penalty, l1_ratio=0.4)
    assert error < 1e-6, error
    # The penalty is really part of the cost that was checked.
    assert not np.isclose(
        net.loss_and_gradient(X, Y, None, _penalty(penalty, alpha, 0.4)),
        net.loss_and_gradient(X, Y),
    )


@pytest.mark.parametrize("penalty", ["l2", "l1", "elasticnet"])
def test_gradient_check_with_penalty_estimator(penalty):
    X, y = _data(n=40, n_features=4)
    sw = np.random.RandomState(3).uniform(0.2, 3.0, 40)
    est = _quiet_fit(
        BackpropMLPClassifier(
            (7,),
            activation="logistic",
            penalty=penalty,
            alpha=0.5,
            l1_ratio=0.6,
            max_iter=20,
            learning_rate_init=0.01,
            random_state=0,
        ),
        X,
        y,
    )
    W = np.concatenate([c.ravel() for c in est.coefs_])
    assert np.abs(W).min() > 1e-5  # finite differences do not cross a kink
    assert check_gradients(est, X, y) < 1e-6
    assert check_gradients(est, X, y, sample_weight=sw) < 1e-6
    # Explicit arguments override the estimator's own.
    assert check_gradients(est, X, y, alpha=2.0, penalty="l2") < 1e-6


def test_alpha_has_scikit_learns_meaning():
    """After an lbfgs fit, loss_ = log-loss + alpha ½||W||² / n (sklearn's cost)."""
    X, y = _data(n=80)
    alpha = 0.3
    est = _quiet_fit(
        BackpropMLPClassifier(
            (6,), solver="lbfgs", alpha=alpha, max_iter=30, random_state=0
        ),
        X,
        y,
    )
    P = est.predict_proba(X)
    log_loss = -np.mean(np.log(P[np.arange(len(y)), np.searchsorted(est.classes_, y)]))
    l2 = sum(np.sum(W**2) for W in est.coefs_)
    assert_allclose(est.loss_, log_loss + alpha * 0.5 * l2 / len(y), rtol=1e-8)


def test_binary_penalized_loss_by_hand():
    """Binary targets: logistic output, same penalty scaling."""
    X, y = _data(n=60)
    y = (y > 0).astype(int)
    alpha = 0.2
    est = _quiet_fit(
        BackpropMLPClassifier(
            (5,), solver="lbfgs", alpha=alpha, penalty="l1", max_iter=20, random_state=0
        ),
        X,
        y,
    )
    a = np.maximum(X @ est.coefs_[0] + est.intercepts_[0], 0)
    p = expit(a @ est.coefs_[1] + est.intercepts_[1]).ravel()
    log_loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    l1 = sum(np.abs(W).sum() for W in est.coefs_)
    assert_allclose(est.loss_, log_loss + alpha * l1 / len(y), rtol=1e-8)


def test_l1_drives_more_weights_to_zero_than_l2():
    X, y = _data()
    fractions = {}
    for penalty in ("l1", "l2"):
        est = _quiet_fit(
            BackpropMLPClassifier(
                (32,),
                solver="sgd",
                learning_rate_init=0.01,
                alpha=1.0,
                penalty=penalty,
                max_iter=150,
                random_state=0,
            ),
            X,
            y,
        )
        W = np.concatenate([c.ravel() for c in est.coefs_])
        fractions[penalty] = np.mean(np.abs(W) < 1e-3)
        assert est.score(X, y) > 0.8  # still a useful model
    assert fractions["l1"] > 0.05
    assert fractions["l1"] > 3 * fractions["l2"], fractions


@pytest.mark.parametrize("bad", ["l3", "L2", "none"])
def test_unknown_penalty_raises(bad):
    X, y = _data(n=20)
    with pytest.raises(ValueError, match="penalty"):
        BackpropMLPClassifier(penalty=bad, max_iter=1).fit(X, y)


@pytest.mark.parametrize("bad", [-0.1, 1.5])
def test_l1_ratio_out_of_range_raises(bad):
    X, y = _data(n=20)
    with pytest.raises(ValueError, match="l1_ratio"):
        BackpropMLPClassifier(penalty="elasticnet", l1_ratio=bad, max_iter=1).fit(X, y)


# ------------------------------------------------------------- weight decay
@pytest.mark.parametrize("optimizer_cls", [SGD, Adam])
def test_optimizers_decay_weights_but_not_biases(optimizer_cls):
    net, _, _ = _network()
    beta = 0.1
    before = net.params.copy()
    opt = optimizer_cls(net.params, net.n_weights, learning_rate_init=0.5, weight_decay=beta)
    opt.step(net.params, np.zeros_like(net.params))  # no gradient: only the decay acts
    n_w = net.n_weights
    assert_allclose(net.params[:n_w], (1 - beta) * before[:n_w], rtol=1e-14)
    assert_array_equal(net.params[n_w:], before[n_w:])


@pytest.mark.parametrize("optimizer_cls", [SGD, Adam])
def test_decoupled_update_is_decay_then_step(optimizer_cls):
    """W := (1 - beta) W - step, where step is the update without decay."""
    net, X, Y = _network()
    beta = 0.05
    net.loss_and_gradient(X, Y)
    grad = net.grad.copy()
    start = net.params.copy()
    kw = dict(learning_rate_init=0.1)
    if optimizer_cls is SGD:
        kw.update(momentum=0.9, nesterov=True)
    plain = optimizer_cls(net.params, net.n_weights, **kw)
    decayed = optimizer_cls(net.params, net.n_weights, weight_decay=beta, **kw)
    p_plain, p_decayed = start.copy(), start.copy()
    plain.step(p_plain, grad.copy())  # step consumes its gradient
    decayed.step(p_decayed, grad.copy())
    step = start - p_plain
    n_w = net.n_weights
    assert_allclose(
        p_decayed[:n_w], (1 - beta) * start[:n_w] - step[:n_w], rtol=1e-12, atol=1e-15
    )
    assert_allclose(p_decayed[n_w:], p_plain[n_w:], rtol=1e-12, atol=1e-15)


def _plain_sgd(**kw):
    return BackpropMLPClassifier(
        hidden_layer_sizes=(16, 8),
        solver="sgd",
        momentum=0.0,
        learning_rate="constant",
        shuffle=False,
        batch_size=20,
        learning_rate_init=0.05,
        max_iter=30,
        random_state=0,
        **kw,
    )


def test_weight_decay_equals_l2_under_plain_sgd():
    X, y = _data(n=120)  # 120 = 6 batches of 20
    assert X.shape[0] % 20 == 0
    beta, lr, batch_size = 1e-3, 0.05, 20
    decayed = _quiet_fit(_plain_sgd(weight_decay=beta, alpha=0.0), X, y)
    penalized = _quiet_fit(
        _plain_sgd(weight_decay=0.0, alpha=beta * batch_size / lr), X, y
    )
    neither = _quiet_fit(_plain_sgd(weight_decay=0.0, alpha=0.0), X, y)
    pairs = list(
        zip(
            decayed.coefs_ + decayed.intercepts_,
            penalized.coefs_ + penalized.intercepts_,
        )
    )
    for a, b in pairs:
        assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    # The regularization did something (this is not a comparison of two no-ops).
    effect = max(np.abs(a - b).max() for a, b in zip(decayed.coefs_, neither.coefs_))
    assert effect > 1e-2
    # Decay shrinks the weights compared to no regularization.
    norm = lambda est: sum(np.sum(W**2) for W in est.coefs_)  # noqa: E731
    assert norm(decayed) < norm(neither)


def test_weight_decay_differs_from_l2_under_adam():
    X, y = _data(n=120)
    beta, lr, batch_size = 1e-3, 0.01, 20
    common = dict(
        hidden_layer_sizes=(16, 8),
        shuffle=False,
        batch_size=batch_size,
        learning_rate_init=lr,
        max_iter=30,
        random_state=0,
    )
    decayed = _quiet_fit(
        BackpropMLPClassifier(weight_decay=beta, alpha=0.0, **common), X, y
    )
    penalized = _quiet_fit(
        BackpropMLPClassifier(weight_decay=0.0, alpha=beta * batch_size / lr, **common),
        X,
        y,
    )
    diff = max(np.abs(a - b).max() for a, b in zip(decayed.coefs_, penalized.coefs_))
    scale = max(np.abs(a).max() for a in decayed.coefs_)
    assert diff > 0.05 * scale, (diff, scale)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_weight_decay_at_negligible_learning_rate_only_shrinks_weights(solver):
    X, y = _data(n=60)
    beta = 0.1
    common = dict(
        hidden_layer_sizes=(8,),
        solver=solver,
        learning_rate_init=1e-12,
        batch_size=20,
        max_iter=1,
        bias_init=0.5,
        random_state=0,
    )
    decayed = _quiet_fit(BackpropMLPClassifier(weight_decay=beta, **common), X, y)
    ref = _quiet_fit(BackpropMLPClassifier(**common), X, y)
    n_steps = 60 // 20
    for a, b in zip(decayed.coefs_, ref.coefs_):
        assert_allclose(a, (1 - beta) ** n_steps * b, rtol=1e-8, atol=1e-10)
    for a, b in zip(decayed.intercepts_, ref.intercepts_):
        assert_allclose(a, b, rtol=0, atol=1e-9)
    assert_allclose(decayed.intercepts_[0], 0.5, atol=1e-9)


def test_weight_decay_with_lbfgs_raises_mentioning_alpha():
    X, y = _data(n=20)
    with pytest.raises(ValueError, match="alpha"):
        BackpropMLPClassifier(solver="lbfgs", weight_decay=0.01).fit(X, y)


@pytest.mark.parametrize("bad", [1.0, -0.01, 2.0])
def test_weight_decay_out_of_range_raises(bad):
    X, y = _data(n=20)
    with pytest.raises(ValueError, match="weight_decay"):
        BackpropMLPClassifier(weight_decay=bad, max_iter=1).fit(X, y)


def test_weight_decay_zero_is_a_no_op():
    X, y = _data(n=60)
    a = _quiet_fit(_plain_sgd(weight_decay=0.0), X, y)
    b = _quiet_fit(_plain_sgd(), X, y)
    for wa, wb in zip(a.coefs_, b.coefs_):
        assert_array_equal(wa, wb)


# ---------------------------------------------------------------- grid search
def test_grid_search_over_the_lectures_knobs_in_a_pipeline():
    X, y = _data(n=100, n_features=6)
    pipe = make_pipeline(
        StandardScaler(),
        BackpropMLPClassifier(
            (8,), max_iter=15, learning_rate_init=0.01, random_state=0
        ),
    )
    grid = {
        "backpropmlpclassifier__initializer": ["glorot_uniform", "he_normal"],
        "backpropmlpclassifier__dropout": [0.0, 0.2],
        "backpropmlpclassifier__weight_decay": [0.0, 1e-3],
        "backpropmlpclassifier__early_stopping": [False, "GL"],
    }
    search = GridSearchCV(pipe, grid, cv=2, n_jobs=2, error_score="raise")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    results = search.cv_results_
    assert len(results["params"]) == 16
    assert np.all(np.isfinite(results["mean_test_score"]))
    # The knobs reached the estimators: different settings, different scores.
    assert len(np.unique(np.round(results["mean_test_score"], 6))) > 1
    best = search.best_estimator_[-1]
    for key, value in search.best_params_.items():
        assert best.get_params()[key.split("__")[1]] == value
    assert search.score(X, y) > 0.5
