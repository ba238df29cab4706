"""Dropout (lecture §7): inverted dropout, masks keyed by sample content.

``dropout`` is the probability of *dropping* a unit.  In training a kept unit is
scaled by 1 / (1 - p), so the expected activation is unchanged; at predict time
nothing is dropped.  Masks are a function of (seed, epoch, layer, sample key,
unit), so identical rows see identical masks.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import softmax
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from skbp import BackpropMLPClassifier, check_gradients
from skbp._engine.losses import SoftmaxCrossEntropy
from skbp._engine.network import Network
from skbp._engine.regularization import Dropout
from skbp._engine.sample_keys import row_keys


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """Small matrices on a shared 2-core machine: multi-threaded BLAS only spins."""
    with threadpool_limits(1):
        yield


def _keys(n_samples, n_features=7, seed=0):
    X = np.random.RandomState(seed).randn(n_samples, n_features)
    return X, row_keys(X)


# --------------------------------------------------------------- the masks
@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_mask_is_inverted_dropout_with_drop_probability_p(p):
    _, keys = _keys(1000)
    dropout = Dropout([p, p], seed=123)
    masks = np.stack(
        [
            dropout.mask(layer, epoch, keys, 50, np.dtype(np.float64))
            for epoch in range(4)
            for layer in range(2)
        ]
    )  # 8 x 1000 x 50 = 400 000 draws
    assert masks.shape == (8, 1000, 50)
    values = np.unique(masks)
    # Dropped units are 0, kept ones are scaled by 1 / (1 - p).
    assert_allclose(values, [0.0, 1.0 / (1.0 - p)])
    n = masks.size
    dropped = np.mean(masks == 0)
    # Fraction of zeros ~= p: within 5 binomial standard errors.
    assert abs(dropped - p) < 5 * np.sqrt(p * (1 - p) / n), (dropped, p)
    # E[mask] = 1: the expected activation is preserved.
    se = np.sqrt(p / (1 - p) / n)  # std of the scaled Bernoulli mean
    assert abs(masks.mean() - 1.0) < 5 * se, masks.mean()
    # Per unit and per sample too (no unit or sample is systematically dropped).
    per_unit = masks.mean(axis=(0, 1))
    assert np.all(np.abs(per_unit - 1) < 6 * np.sqrt(p / (1 - p) / (8 * 1000)))


def test_masks_of_different_epochs_layers_units_are_independent():
    p = 0.5
    _, keys = _keys(2000)
    dropout = Dropout([p, p], seed=7)
    dtype = np.dtype(np.float64)
    base = dropout.mask(0, 0, keys, 40, dtype) > 0
    others = {
        "epoch": dropout.mask(0, 1, keys, 40, dtype) > 0,
        "layer": dropout.mask(1, 0, keys, 40, dtype) > 0,
        "seed": Dropout([p, p], seed=8).mask(0, 0, keys, 40, dtype) > 0,
    }
    n = base.size
    for what, other in others.items():
        # Independent Bernoulli(1/2): agreement 1/2, within 5 standard errors.
        agreement = np.mean(base == other)
        assert abs(agreement - 0.5) < 5 * np.sqrt(0.25 / n), (what, agreement)
    # Units are not copies of each other, nor samples.
    unit_agreement = np.mean(base[:, :-1] == base[:, 1:])
    sample_agreement = np.mean(base[:-1] == base[1:])
    assert abs(unit_agreement - 0.5) < 0.02
    assert abs(sample_agreement - 0.5) < 0.02


def test_mask_is_a_pure_function_of_seed_epoch_layer_key_unit():
    X, keys = _keys(300)
    dropout = Dropout([0.3, 0.6], seed=99)
    dtype = np.dtype(np.float64)
    full = dropout.mask(1, 5, keys, 20, dtype)
    # Same arguments, new object: same mask.
    assert_array_equal(full, Dropout([0.3, 0.6], seed=99).mask(1, 5, keys, 20, dtype))
    # A subset of the samples, in another order, gets the same rows:
    # masks do not depend on the batch composition or order.
    index = np.random.RandomState(0).permutation(300)[:77]
    assert_array_equal(dropout.mask(1, 5, keys[index], 20, dtype), full[index])
    # Fewer units: the first units keep their masks.
    assert_array_equal(dropout.mask(1, 5, keys, 8, dtype), full[:, :8])
    # The mask follows the content of the row, not its position.
    assert_array_equal(dropout.mask(1, 5, row_keys(X[index]), 20, dtype), full[index])


def test_identical_rows_get_identical_masks():
    rng = np.random.RandomState(0)
    base = rng.randn(40, 6)
    X = np.vstack([base, base[::-1], base[:10]])
    keys = row_keys(X)
    dropout = Dropout([0.5, 0.5], seed=3)
    for layer in range(2):
        for epoch in range(3):
            m = dropout.mask(layer, epoch, keys, 30, np.dtype(np.float64))
            assert_array_equal(m[:40], m[40:80][::-1])
            assert_array_equal(m[:10], m[80:])
            # ... while different rows get different masks.
            assert len({row.tobytes() for row in m[:40]}) > 35


def test_float32_mask():
    _, keys = _keys(100)
    m32 = Dropout([0.25], seed=1).mask(0, 0, keys, 10, np.dtype(np.float32))
    m64 = Dropout([0.25], seed=1).mask(0, 0, keys, 10, np.dtype(np.float64))
    assert m32.dtype == np.float32
    assert_allclose(m32, m64, rtol=1e-7)


# ------------------------------------------------------- predict, parameter
def _data(n=90, n_features=6, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, n_features)
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 0.7)
    return X, y


def _forward_by_hand(est, X):
    """Softmax probabilities from coefs_/intercepts_ (no masks), ReLU hidden."""
    a = X
    for W, b in zip(est.coefs_[:-1], est.intercepts_[:-1]):
        a = np.maximum(a @ W + b, 0)
    return softmax(a @ est.coefs_[-1] + est.intercepts_[-1], axis=1)


@pytest.mark.parametrize("dropout", [0.5, [0.2, 0.5, 0.3]])
def test_predict_is_deterministic_and_unmasked(dropout):
    X, y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = BackpropMLPClassifier(
            (12, 8),
            dropout=dropout,
            max_iter=30,
            learning_rate_init=0.01,
            random_state=0,
        ).fit(X, y)
    p1 = est.predict_proba(X)
    p2 = est.predict_proba(X)
    assert_array_equal(p1, p2)
    assert_allclose(p1, _forward_by_hand(est, X), rtol=1e-10, atol=1e-12)
    assert_array_equal(est.predict(X), est.classes_[np.argmax(p1, axis=1)])


def test_dropout_changes_training():
    X, y = _data()
    params = dict(hidden_layer_sizes=(12,), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain = BackpropMLPClassifier(**params).fit(X, y)
        dropped = BackpropMLPClassifier(dropout=0.5, **params).fit(X, y)
    assert not np.allclose(plain.coefs_[0], dropped.coefs_[0])


def test_float_dropout_applies_to_hidden_layers_only():
    X, y = _data()
    params = dict(hidden_layer_sizes=(12, 9), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        as_float = BackpropMLPClassifier(dropout=0.4, **params).fit(X, y)
        as_sequence = BackpropMLPClassifier(dropout=[0.0, 0.4, 0.4], **params).fit(X, y)
        with_input = BackpropMLPClassifier(dropout=[0.4, 0.4, 0.4], **params).fit(X, y)
        first_only = BackpropMLPClassifier(dropout=[0.0, 0.4, 0.0], **params).fit(X, y)
    for a, b in zip(as_float.coefs_, as_sequence.coefs_):
        assert_array_equal(a, b)
    assert not np.allclose(as_float.coefs_[0], with_input.coefs_[0])
    assert not np.allclose(as_float.coefs_[0], first_only.coefs_[0])


@pytest.mark.parametrize(
    "bad", [[0.1, 0.2], [0.1, 0.2, 0.3, 0.4], [0.0, 1.0, 0.0], [-0.1, 0.0, 0.0]]
)
def test_bad_dropout_sequence_raises(bad):
    X, y = _data()
    with pytest.raises(ValueError, match="dropout"):
        BackpropMLPClassifier((5, 4), dropout=bad, max_iter=1).fit(X, y)


@pytest.mark.parametrize("bad", [1.0, 1.5, -0.2])
def test_bad_dropout_float_raises(bad):
    X, y = _data()
    with pytest.raises(ValueError, match="dropout"):
        BackpropMLPClassifier((5,), dropout=bad, max_iter=1).fit(X, y)


@pytest.mark.parametrize("dropout", [0.2, [0.1, 0.0]])
def test_lbfgs_with_dropout_raises(dropout):
    X, y = _data()
    with pytest.raises(ValueError, match="dropout"):
        BackpropMLPClassifier((5,), solver="lbfgs", dropout=dropout).fit(X, y)


def test_lbfgs_with_zero_dropout_is_plain_lbfgs():
    X, y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        zero = BackpropMLPClassifier(
            (5,), solver="lbfgs", dropout=[0.0, 0.0], max_iter=5, random_state=0
        ).fit(X, y)
        plain = BackpropMLPClassifier((5,), solver="lbfgs", max_iter=5, random_state=0).fit(
            X, y
        )
    for a, b in zip(zero.coefs_ + zero.intercepts_, plain.coefs_ + plain.intercepts_):
        np.testing.assert_array_equal(a, b)


def test_one_training_step_is_inverted_dropout_by_hand():
    """One full-batch SGD step equals the step computed here by hand with the masks
    of :class:`Dropout`: input mask on the features, hidden mask on tanh(z)."""
    X, y = _data(n=40, n_features=5)
    n = X.shape[0]
    Y = np.eye(3)[y]
    rates = [0.3, 0.5]
    lr = 0.1

    def init(fan_in, fan_out, rng, dtype):
        return np.random.RandomState(fan_in * 100 + fan_out).uniform(
            -0.5, 0.5, (fan_in, fan_out)
        )

    est = BackpropMLPClassifier(
        (8,),
        activation="tanh",
        solver="sgd",
        momentum=0.0,
        learning_rate_init=lr,
        batch_size=n,
        shuffle=False,
        max_iter=1,
        alpha=0.0,
        dropout=rates,
        initializer=init,
        bias_init=0.1,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)

    W1, b1 = init(5, 8, None, None), np.full(8, 0.1)
    W2, b2 = init(8, 3, None, None), np.zeros(3)
    dropout = Dropout(rates, seed=est._training_state["mask_seed"])
    keys = row_keys(X)
    M0 = dropout.mask(0, 0, keys, 5, np.dtype(np.float64))
    M1 = dropout.mask(1, 0, keys, 8, np.dtype(np.float64))
    assert (M0 == 0).any() and (M1 == 0).any()

    A0 = X * M0
    H = np.tanh(A0 @ W1 + b1)
    A1 = H * M1
    P = softmax(A1 @ W2 + b2, axis=1)
    loss = -np.mean(np.sum(Y * np.log(P), axis=1))
    D2 = (P - Y) / n
    D1 = (D2 @ W2.T) * M1 * (1 - H**2)
    expected = [W1 - lr * A0.T @ D1, W2 - lr * A1.T @ D2]
    expected_b = [b1 - lr * D1.sum(0), b2 - lr * D2.sum(0)]
    for got, want in zip(est.coefs_ + est.intercepts_, expected + expected_b):
        assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    assert_allclose(est.loss_curve_[0], loss, rtol=1e-10)


# ----------------------------------------------------------- gradient check
def _masked_network(seed=0):
    rng = np.random.RandomState(seed)
    net = Network((6, 9, 7, 4), "tanh", SoftmaxCrossEntropy(), np.float64)
    net.initialize(rng, "glorot_uniform")
    net.intercepts[0][...] = rng.uniform(-0.2, 0.2, 9)
    net.intercepts[1][...] = rng.uniform(-0.2, 0.2, 7)
    X = rng.randn(25, 6)
    Y = np.eye(4)[rng.randint(0, 4, 25)]
    dropout = Dropout([0.2, 0.5, 0.3], seed=5)
    keys = row_keys(X)
    masks = [
        dropout.mask(layer, 0, keys, width, np.dtype(np.float64))
        for layer, width in enumerate((6, 9, 7))
    ]
    return net, X, Y, masks


def _masked_loss_by_hand(net, X, Y, masks):
    a = X
    for layer in range(net.n_layers):
        if masks[layer] is not None:
            a = a * masks[layer]
        z = a @ net.coefs[layer] + net.intercepts[layer]
        a = np.tanh(z) if layer < net.n_layers - 1 else z
    P = softmax(a, axis=1)
    return -np.mean(np.sum(Y * np.log(P), axis=1))


@pytest.mark.parametrize("which", ["all", "input", "hidden", "none"])
def test_gradient_check_through_fixed_masks(which):
    net, X, Y, masks = _masked_network()
    keep = {"all": [0, 1, 2], "input": [0], "hidden": [1, 2], "none": []}[which]
    masks = [m if i in keep else None for i, m in enumerate(masks)]
    # The network's cost is the masked cost computed here by hand ...
    loss = net.loss_and_gradient(X, Y, masks=masks)
    assert_allclose(loss, _masked_loss_by_hand(net, X, Y, masks), rtol=1e-12)
    if which != "none":
        assert not np.isclose(loss, _masked_loss_by_hand(net, X, Y, [None] * 3))
    # ... and its backpropagated gradient matches finite differences.
    error = check_gradients(net, X, Y, masks=masks)
    assert error < 1e-6, error


def test_gradient_check_detects_a_mask_missing_in_backprop():
    """The check can fail: a gradient computed without the masks is wrong."""
    net, X, Y, masks = _masked_network()
    net.loss_and_gradient(X, Y, masks=None)
    unmasked_grad = net.grad.copy()
    net.loss_and_gradient(X, Y, masks=masks)
    assert np.abs(unmasked_grad - net.grad).max() > 1e-3


# -------------------------------------------------------------- overfitting
def _overfit_task(seed):
    X, y = make_classification(
        n_samples=560,
        n_features=100,
        n_informative=5,
        n_redundant=0,
        n_classes=2,
        class_sep=1.0,
        flip_y=0.0,
        random_state=seed,
    )
    return X[:60], y[:60], X[60:], y[60:]


def test_dropout_narrows_the_generalization_gap():
    results = {0.0: [], 0.5: []}
    for seed in range(5):
        X_train, y_train, X_test, y_test = _overfit_task(seed)
        for p in results:
            est = BackpropMLPClassifier(
                (512,),
                dropout=p,
                alpha=0.0,
                learning_rate_init=3e-3,
                max_iter=60,
                tol=0.0,
                n_iter_no_change=1000,
                random_state=seed,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                est.fit(X_train, y_train)
            results[p].append((est.score(X_train, y_train), est.score(X_test, y_test)))
    train_plain, test_plain = np.mean(results[0.0], axis=0)
    train_drop, test_drop = np.mean(results[0.5], axis=0)
    # The task does overfit without dropout.
    assert train_plain - test_plain > 0.2
    # Dropout narrows the gap and does not lower the mean test accuracy.
    assert train_drop - test_drop < train_plain - test_plain
    assert test_drop >= test_plain


def test_row_keys_of_equal_rows_are_equal_for_signed_zeros():
    import scipy.sparse as sp

    for dtype in (np.float32, np.float64):
        X = np.array([[0.0, 1.0], [-0.0, 1.0]], dtype=dtype)
        dense = row_keys(X)
        assert dense[0] == dense[1]
        assert_array_equal(dense, row_keys(sp.csr_matrix(X)))
