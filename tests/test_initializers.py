"""Initialization (lecture §6): the named laws, callables, bias_init, warm start.

Expected variances and bounds are computed here from the formulas of the issue,
never read back from the code under test:

* ``"auto"``: scikit-learn's MLP rule, weights and biases from U[-r, r] with
  r = sqrt(2 / (fan_in + fan_out)) (logistic), sqrt(6 / (fan_in + fan_out))
  (otherwise); with one integer random_state the draws are MLPClassifier's own;
* ``"lecture"``: U[-r, r] with r = 4 sqrt(6 / (fan_in + fan_out)) (logistic),
  sqrt(6 / (fan_in + fan_out)) (tanh, identity), sqrt(6 / fan_in) (relu);
* glorot: Var = 2 / (fan_in + fan_out); he: 2 / fan_in; lecun: 1 / fan_in;
* orthogonal: (semi-)orthogonal times the gain (relu sqrt 2, tanh 5/3, else 1);
* normal: N(0, init_std^2); uniform: U[-sqrt(3) init_std, sqrt(3) init_std].
"""

import re
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

from skbp import BackpropMLPClassifier
from skbp._engine.initializers import INITIALIZERS, Layer, initialize_layer
from skbp._engine.losses import SoftmaxCrossEntropy
from skbp._engine.network import Network


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """Small matrices on a shared 2-core machine: multi-threaded BLAS only spins."""
    with threadpool_limits(1):
        yield


FAN_IN, FAN_OUT = 400, 300
INIT_STD = 0.05
VALID_NAMES = [
    "auto",
    "lecture",
    "glorot_uniform",
    "glorot_normal",
    "he_uniform",
    "he_normal",
    "lecun_uniform",
    "lecun_normal",
    "orthogonal",
    "normal",
    "uniform",
]
ACTIVATIONS = ["logistic", "tanh", "identity", "relu"]


def _expected_variance(name, fan_in, fan_out, init_std=INIT_STD):
    """Var of the law of ``name`` (independent of the activation)."""
    if name.startswith("glorot"):
        return 2.0 / (fan_in + fan_out)
    if name.startswith("he"):
        return 2.0 / fan_in
    if name.startswith("lecun"):
        return 1.0 / fan_in
    if name in ("normal", "uniform"):
        return init_std**2
    raise AssertionError(name)


def _sklearn_bound(activation, fan_in, fan_out):
    factor = 2.0 if activation == "logistic" else 6.0
    return np.sqrt(factor / (fan_in + fan_out))


def _lecture_bound(activation, fan_in, fan_out):
    if activation == "relu":
        return np.sqrt(6.0 / fan_in)
    r = np.sqrt(6.0 / (fan_in + fan_out))
    return 4.0 * r if activation == "logistic" else r


def _gain(activation):
    return {"relu": np.sqrt(2.0), "tanh": 5.0 / 3.0, "logistic": 1.0, "identity": 1.0}[
        activation
    ]


def _excess_kurtosis(w):
    w = w.ravel() - w.mean()
    return np.mean(w**4) / np.mean(w**2) ** 2 - 3.0


def _draw_layer(
    name, activation="relu", fan_in=FAN_IN, fan_out=FAN_OUT, seed=0, dtype=np.float64
):
    return initialize_layer(
        name,
        Layer(fan_in, fan_out, activation, INIT_STD),
        np.random.RandomState(seed),
        dtype,
    )


def _draw(name, *args, **kwargs):
    return _draw_layer(name, *args, **kwargs)[0]


def _assert_uniform(values, r):
    """``values`` look like a sample of U[-r, r]: variance, support, shape."""
    assert abs(values.var() / (r**2 / 3) - 1) < 0.05, (values.var(), r**2 / 3)
    assert np.abs(values).max() <= r
    assert values.max() > 0.99 * r and values.min() < -0.99 * r
    assert abs(_excess_kurtosis(values) - (-1.2)) < 0.1


def test_every_documented_name_is_accepted():
    assert sorted(INITIALIZERS) == sorted(VALID_NAMES)


@pytest.mark.parametrize(
    "name", [n for n in VALID_NAMES if n not in ("auto", "lecture", "orthogonal")]
)
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_variance_scaling_laws(name, activation):
    # These laws do not depend on the activation, and draw no biases.
    W, b = _draw_layer(name, activation)
    assert b is None
    assert W.shape == (FAN_IN, FAN_OUT)
    assert W.dtype == np.float64
    expected = _expected_variance(name, FAN_IN, FAN_OUT)
    empirical = W.var()
    assert abs(empirical / expected - 1) < 0.05, (name, expected, empirical)
    # Centered: the mean is within 5 standard errors of 0.
    assert abs(W.mean()) < 5 * np.sqrt(expected / W.size)
    if name.endswith("uniform"):
        _assert_uniform(W, np.sqrt(3 * expected))
    else:
        assert abs(_excess_kurtosis(W)) < 0.1  # Gaussian law
        # A Gaussian is not bounded by the uniform law of the same variance.
        assert np.abs(W).max() > 2 * np.sqrt(3 * expected)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_auto_is_sklearns_uniform_rule_for_weights_and_biases(activation):
    W, b = _draw_layer("auto", activation)
    r = _sklearn_bound(activation, FAN_IN, FAN_OUT)
    _assert_uniform(W, r)
    # The biases come from the same law (300 of them: a looser variance check).
    assert b.shape == (FAN_OUT,) and b.dtype == np.float64
    assert np.abs(b).max() <= r and np.ptp(b) > 1.8 * r
    assert abs(b.var() / (r**2 / 3) - 1) < 0.25


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_lecture_is_the_lectures_uniform_rule(activation):
    W, b = _draw_layer("lecture", activation)
    _assert_uniform(W, _lecture_bound(activation, FAN_IN, FAN_OUT))
    assert b is None


@pytest.mark.parametrize("activation", ["logistic", "tanh", "identity", "relu"])
@pytest.mark.parametrize("shape", [(FAN_IN, FAN_OUT), (FAN_OUT, FAN_IN), (50, 50)])
def test_orthogonal_is_semi_orthogonal_times_the_gain(activation, shape):
    fan_in, fan_out = shape
    W = _draw("orthogonal", activation, fan_in=fan_in, fan_out=fan_out)
    assert W.shape == shape
    g = _gain(activation)
    if fan_in >= fan_out:  # orthonormal columns
        gram = W.T @ W
    else:  # orthonormal rows
        gram = W @ W.T
    assert_allclose(gram, g**2 * np.eye(min(shape)), atol=1e-10)
    # Every singular value equals the gain.
    assert_allclose(np.linalg.svd(W, compute_uv=False), g, rtol=1e-10)
    # Variance per entry of a semi-orthogonal matrix: g^2 min / (fan_in fan_out).
    expected = g**2 * min(shape) / (fan_in * fan_out)
    assert_allclose(np.mean(W**2), expected, rtol=1e-10)


def test_orthogonal_is_random_not_a_fixed_matrix():
    W0 = _draw("orthogonal", fan_in=30, fan_out=20, seed=0)
    W1 = _draw("orthogonal", fan_in=30, fan_out=20, seed=1)
    assert not np.allclose(W0, W1)
    # Not an identity-like / permutation matrix: entries are spread out.
    assert np.mean(np.abs(W0) > 1e-3) > 0.9


@pytest.mark.parametrize("name", VALID_NAMES)
def test_same_seed_same_parameters_other_seed_other_parameters(name):
    a = _draw_layer(name, "tanh", fan_in=40, fan_out=30, seed=3)
    b = _draw_layer(name, "tanh", fan_in=40, fan_out=30, seed=3)
    c = _draw_layer(name, "tanh", fan_in=40, fan_out=30, seed=4)
    assert_array_equal(a[0], b[0])
    assert not np.allclose(a[0], c[0])
    if name == "auto":
        assert_array_equal(a[1], b[1])
        assert not np.allclose(a[1], c[1])


@pytest.mark.parametrize("name", VALID_NAMES)
def test_float32_draws_are_the_float64_draws_rounded(name):
    w64, b64 = _draw_layer(name, "relu", fan_in=20, fan_out=10, seed=5, dtype=np.float64)
    w32, b32 = _draw_layer(name, "relu", fan_in=20, fan_out=10, seed=5, dtype=np.float32)
    assert w32.dtype == np.float32
    assert_array_equal(w32, w64.astype(np.float32))
    if b64 is not None:
        assert b32.dtype == np.float32
        assert_array_equal(b32, b64.astype(np.float32))


@pytest.mark.parametrize("name", VALID_NAMES)
def test_estimator_same_random_state_same_initial_weights(name):
    rng = np.random.RandomState(0)
    X, y = rng.randn(30, 6), rng.randint(0, 3, 30)
    params = dict(
        hidden_layer_sizes=(7, 5),
        initializer=name,
        learning_rate_init=1e-12,
        max_iter=1,
        solver="sgd",
        momentum=0.0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = BackpropMLPClassifier(random_state=11, **params).fit(X, y)
        b = BackpropMLPClassifier(random_state=11, **params).fit(X, y)
        c = BackpropMLPClassifier(random_state=12, **params).fit(X, y)
    for wa, wb, wc in zip(a.coefs_, b.coefs_, c.coefs_):
        assert_array_equal(wa, wb)
        assert not np.allclose(wa, wc)


def _negligible_step(estimator, X, y, partial=False):
    """``estimator`` after one epoch at a learning rate of 1e-300.

    Each SGD update is then below half an ulp of every non-zero parameter (and
    0 in float32), so it rounds away: ``coefs_`` and ``intercepts_`` are, bit
    for bit, the parameters the estimator started from, except that a zero
    moves to about 1e-300.
    """
    estimator.set_params(solver="sgd", momentum=0.0, learning_rate_init=1e-300, max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if partial:
            return estimator.partial_fit(X, y, classes=np.unique(y))
        return estimator.fit(X, y)


def _initial_parameters(estimator, X, y, partial=False):
    """The weights then the biases ``estimator`` starts from."""
    estimator = _negligible_step(estimator, X, y, partial)
    return estimator.coefs_ + estimator.intercepts_


def _fit_one_tiny_step(X, y, **params):
    return _negligible_step(BackpropMLPClassifier(**params), X, y)


def _wide_data(n_features=FAN_IN, n_samples=20, seed=0):
    rng = np.random.RandomState(seed)
    return rng.randn(n_samples, n_features), rng.randint(0, 2, n_samples)


@pytest.mark.parametrize("init_std", [0.01, 0.3])
@pytest.mark.parametrize("name", ["normal", "uniform"])
def test_estimator_fixed_variance_laws_use_init_std(name, init_std):
    X, y = _wide_data()
    est = _fit_one_tiny_step(
        X,
        y,
        hidden_layer_sizes=(FAN_OUT,),
        initializer=name,
        init_std=init_std,
        random_state=0,
    )
    W = est.coefs_[0]
    assert W.shape == (FAN_IN, FAN_OUT)
    assert abs(W.std() / init_std - 1) < 0.05, (W.std(), init_std)
    # The output layer is drawn from the same law.
    assert abs(est.coefs_[1].std() / init_std - 1) < 0.2
    if name == "uniform":
        assert np.abs(W).max() <= np.sqrt(3) * init_std * (1 + 1e-6)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_estimator_lecture_follows_the_hidden_activation(activation):
    X, y = _wide_data()
    est = _fit_one_tiny_step(
        X,
        y,
        hidden_layer_sizes=(FAN_OUT,),
        activation=activation,
        initializer="lecture",
        random_state=0,
    )
    W = est.coefs_[0]
    r = _lecture_bound(activation, FAN_IN, FAN_OUT)
    assert abs(W.var() / (r**2 / 3) - 1) < 0.05
    assert np.abs(W).max() <= r * (1 + 1e-6)
    assert np.abs(W).max() > 0.99 * r
    # The rule applies to the output layer's weights as well; biases start at 0.
    assert np.abs(est.coefs_[1]).max() <= _lecture_bound(activation, FAN_OUT, 1) * (
        1 + 1e-6
    )
    assert np.abs(est.coefs_[1]).max() > 0.5 * _lecture_bound(activation, FAN_OUT, 1)
    for b in est.intercepts_:
        assert_allclose(b, 0.0, atol=1e-9)


# ------------------------------------------------- the default: MLPClassifier's
def _targets(kind, n_samples, rng):
    if kind == "binary":
        return rng.randint(0, 2, n_samples)
    if kind == "multiclass":
        return rng.randint(0, 4, n_samples)
    return rng.randint(0, 2, (n_samples, 3))  # multilabel indicator


@pytest.mark.parametrize("target", ["binary", "multiclass", "multilabel"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_default_initial_parameters_are_mlpclassifiers(activation, dtype, target):
    rng = np.random.RandomState(0)
    X, y = rng.randn(40, 9).astype(dtype), _targets(target, 40, rng)
    params = dict(hidden_layer_sizes=(7, 5), activation=activation, random_state=42)
    ours = _initial_parameters(BackpropMLPClassifier(**params), X, y)
    theirs = _initial_parameters(MLPClassifier(**params), X, y)
    assert len(ours) == len(theirs) == 6
    for got, want in zip(ours, theirs):
        assert got.dtype == want.dtype == dtype
        assert_array_equal(got, want)


@pytest.mark.parametrize("hidden_layer_sizes", [(), (3,), (6, 5, 4)])
def test_default_matches_mlpclassifier_for_any_depth(hidden_layer_sizes):
    rng = np.random.RandomState(1)
    X, y = rng.randn(30, 8), rng.randint(0, 3, 30)
    params = dict(hidden_layer_sizes=hidden_layer_sizes, random_state=7)
    ours = _initial_parameters(BackpropMLPClassifier(**params), X, y)
    theirs = _initial_parameters(MLPClassifier(**params), X, y)
    assert len(ours) == len(theirs) == 2 * (len(hidden_layer_sizes) + 1)
    for got, want in zip(ours, theirs):
        assert_array_equal(got, want)


def test_default_matches_mlpclassifier_with_a_randomstate_and_partial_fit():
    rng = np.random.RandomState(2)
    X, y = rng.randn(30, 5), rng.randint(0, 3, 30)
    ours = _initial_parameters(
        BackpropMLPClassifier((4,), random_state=np.random.RandomState(3)), X, y
    )
    theirs = _initial_parameters(
        MLPClassifier((4,), random_state=np.random.RandomState(3)), X, y
    )
    for got, want in zip(ours, theirs):
        assert_array_equal(got, want)
    ours = _initial_parameters(BackpropMLPClassifier((4,), random_state=3), X, y, True)
    theirs = _initial_parameters(MLPClassifier((4,), random_state=3), X, y, True)
    for got, want in zip(ours, theirs):
        assert_array_equal(got, want)


def test_estimator_orthogonal_gain_follows_the_activation():
    X, y = _wide_data(n_features=60)
    est = _fit_one_tiny_step(
        X,
        y,
        hidden_layer_sizes=(40, 80),
        activation="tanh",
        initializer="orthogonal",
        random_state=0,
    )
    g = 5.0 / 3.0
    W0, W1 = est.coefs_[0], est.coefs_[1]
    assert_allclose(W0.T @ W0, g**2 * np.eye(40), atol=1e-8)  # 60 x 40: columns
    assert_allclose(W1 @ W1.T, g**2 * np.eye(40), atol=1e-8)  # 40 x 80: rows


@pytest.mark.parametrize("bad", ["xavier", "Glorot_Uniform", "he"])
def test_unknown_initializer_name_raises_listing_valid_names(bad):
    X, y = _wide_data(n_features=3)
    est = BackpropMLPClassifier(initializer=bad, max_iter=1)
    with pytest.raises(ValueError, match="initializer") as excinfo:
        est.fit(X, y)
    message = str(excinfo.value)
    assert repr(bad) in message or bad in message
    for name in VALID_NAMES:
        assert re.search(rf"\b{name}\b", message), (name, message)


# ----------------------------------------------------------------- callables
def test_callable_initializer_receives_fans_rng_and_dtype():
    calls = []

    def init(fan_in, fan_out, rng, dtype):
        calls.append((fan_in, fan_out, type(rng), np.dtype(dtype)))
        return rng.uniform(-0.1, 0.1, (fan_in, fan_out))

    X, y = _wide_data(n_features=6)
    est = _fit_one_tiny_step(
        X.astype(np.float32),
        y,
        hidden_layer_sizes=(5, 4),
        initializer=init,
        random_state=0,
    )
    assert [c[:2] for c in calls] == [(6, 5), (5, 4), (4, 1)]
    assert all(c[2] is np.random.RandomState for c in calls)
    assert all(c[3] == np.float32 for c in calls)
    assert all(W.dtype == np.float32 for W in est.coefs_)
    # The rng is the estimator's: same random_state, same weights.
    calls.clear()
    again = _fit_one_tiny_step(
        X.astype(np.float32),
        y,
        hidden_layer_sizes=(5, 4),
        initializer=init,
        random_state=0,
    )
    for a, b in zip(est.coefs_, again.coefs_):
        assert_array_equal(a, b)


def test_callable_initializer_values_are_used():
    def init(fan_in, fan_out, rng, dtype):
        # A deterministic, recognisable matrix.
        return np.fromfunction(lambda i, j: 0.01 * (i - j), (fan_in, fan_out))

    X, y = _wide_data(n_features=6)
    est = _fit_one_tiny_step(
        X, y, hidden_layer_sizes=(5,), initializer=init, random_state=0
    )
    assert_allclose(
        est.coefs_[0], np.fromfunction(lambda i, j: 0.01 * (i - j), (6, 5)), atol=1e-9
    )
    assert_allclose(
        est.coefs_[1], np.fromfunction(lambda i, j: 0.01 * (i - j), (5, 1)), atol=1e-9
    )


def test_callable_returning_a_wrong_shape_raises():
    X, y = _wide_data(n_features=6)
    est = BackpropMLPClassifier(
        hidden_layer_sizes=(5,),
        initializer=lambda fi, fo, rng, dt: np.zeros((fo, fi)),
        max_iter=1,
    )
    with pytest.raises(ValueError, match="shape"):
        est.fit(X, y)


def test_zero_initialization_shows_the_symmetry_problem():
    """All-zero weights: every hidden unit gets the same gradient forever."""
    rng = np.random.RandomState(0)
    X = rng.randn(120, 5)
    y = (X[:, 0] * X[:, 1] > 0).astype(int) + (X[:, 2] > 0.5)  # 3 classes

    def zeros(fan_in, fan_out, rng, dtype):
        return np.zeros((fan_in, fan_out), dtype=dtype)

    params = dict(
        hidden_layer_sizes=(16,),
        activation="logistic",
        solver="sgd",
        learning_rate_init=0.5,
        max_iter=30,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sym = BackpropMLPClassifier(initializer=zeros, **params).fit(X, y)
        rnd = BackpropMLPClassifier(**params).fit(X, y)
    W = sym.coefs_[0]
    # Training did move the first layer ...
    assert np.abs(W).max() > 1e-3
    # ... but every hidden unit has exactly the same incoming weights and bias.
    assert_allclose(W, np.repeat(W[:, :1], W.shape[1], axis=1), rtol=1e-10, atol=1e-12)
    assert_allclose(sym.intercepts_[0], sym.intercepts_[0][0], rtol=1e-10, atol=1e-12)
    # Outgoing weights of the hidden units are identical too (rows of W2).
    W2 = sym.coefs_[1]
    assert_allclose(W2, np.repeat(W2[:1], W2.shape[0], axis=0), rtol=1e-10, atol=1e-12)
    # A random start breaks the symmetry.
    Wr = rnd.coefs_[0]
    assert np.abs(Wr - Wr[:, :1]).max() > 1e-2


# ---------------------------------------------------------------- bias_init
@pytest.mark.parametrize("bias_init", [0.0, 0.01, -0.3])
@pytest.mark.parametrize("initializer", ["auto", "glorot_uniform"])
def test_bias_init_sets_hidden_biases_output_biases_zero(initializer, bias_init):
    net = Network((6, 5, 4, 3), "relu", SoftmaxCrossEntropy())
    net.initialize(np.random.RandomState(0), initializer, 0.01, bias_init)
    assert_array_equal(net.intercepts[0], np.full(5, bias_init))
    assert_array_equal(net.intercepts[1], np.full(4, bias_init))
    assert_array_equal(net.intercepts[2], np.zeros(3))


def _zeros(fan_in, fan_out, rng, dtype):
    return np.zeros((fan_in, fan_out), dtype=dtype)


@pytest.mark.parametrize("initializer", [n for n in VALID_NAMES if n != "auto"] + [_zeros])
def test_default_bias_init_keeps_zero_biases_of_weight_only_laws(initializer):
    net = Network((6, 5, 4, 3), "tanh", SoftmaxCrossEntropy())
    net.initialize(np.random.RandomState(0), initializer)
    for b in net.intercepts:
        assert_array_equal(b, 0.0)


def test_default_bias_init_keeps_the_biases_auto_draws():
    net = Network((6, 5, 4, 3), "tanh", SoftmaxCrossEntropy()).initialize(
        np.random.RandomState(0)
    )
    for b, fan_in, fan_out in zip(net.intercepts, (6, 5, 4), (5, 4, 3)):
        r = _sklearn_bound("tanh", fan_in, fan_out)
        assert np.all(np.abs(b) <= r) and np.unique(b).size == fan_out


@pytest.mark.parametrize("initializer", ["auto", "lecture", "he_normal", "orthogonal"])
def test_bias_init_never_changes_the_weights_drawn(initializer):
    X, y = _wide_data(n_features=6)
    y = np.arange(20) % 3
    params = dict(hidden_layer_sizes=(5, 4), initializer=initializer, random_state=0)
    est = BackpropMLPClassifier(bias_init=0.25, **params)
    ref = BackpropMLPClassifier(**params)
    est_params, ref_params = _initial_parameters(est, X, y), _initial_parameters(ref, X, y)
    for a, b in zip(est_params[:3], ref_params[:3]):
        assert_array_equal(a, b)
    assert_array_equal(est.intercepts_[0], 0.25)
    assert_array_equal(est.intercepts_[1], 0.25)
    assert_allclose(est.intercepts_[2], 0.0, rtol=0, atol=1e-290)


def test_bias_init_with_auto_keeps_mlpclassifiers_weights():
    rng = np.random.RandomState(0)
    X, y = rng.randn(30, 6), rng.randint(0, 3, 30)
    ours = _initial_parameters(
        BackpropMLPClassifier((5, 4), bias_init=0.01, random_state=1), X, y
    )
    theirs = _initial_parameters(MLPClassifier((5, 4), random_state=1), X, y)
    for got, want in zip(ours[:3], theirs[:3]):
        assert_array_equal(got, want)


def test_bias_init_default_is_none():
    assert BackpropMLPClassifier().get_params()["bias_init"] is None


@pytest.mark.parametrize("bad", ["0.1", np.inf, -np.inf, np.nan, [0.1]])
def test_invalid_bias_init_raises_naming_the_parameter(bad):
    X, y = _wide_data(n_features=3)
    with pytest.raises(ValueError, match=r"'bias_init' parameter .* None or a float"):
        BackpropMLPClassifier(bias_init=bad, max_iter=1).fit(X, y)


# --------------------------------------------------------------- warm start
def _pretrain_data():
    rng = np.random.RandomState(1)
    X = rng.randn(200, 8)
    y = (X[:, 0] + X[:, 1] ** 2 - 1 > 0).astype(int) + (X[:, 2] > 0.8)
    return X, y


def test_warm_start_with_negligible_step_keeps_pretrained_weights():
    X, y = _pretrain_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = BackpropMLPClassifier(
            (20,), solver="sgd", learning_rate_init=0.1, max_iter=20, random_state=0
        ).fit(X, y)
        pretrained = [c.copy() for c in est.coefs_ + est.intercepts_]
        est.set_params(
            warm_start=True,
            learning_rate_init=1e-12,
            max_iter=1,
            initializer="orthogonal",
            random_state=5,
        )
        est.fit(X, y)
    for before, after in zip(pretrained, est.coefs_ + est.intercepts_):
        assert_allclose(after, before, rtol=0, atol=1e-9)


def test_warm_start_fine_tunes_from_the_pretrained_weights():
    X, y = _pretrain_data()
    params = dict(hidden_layer_sizes=(20,), learning_rate_init=0.01, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        first = BackpropMLPClassifier(max_iter=60, **params).fit(X, y)
        pretrained = [c.copy() for c in first.coefs_]
        last_loss_first = first.loss_curve_[-1]
        cold_first_epoch = first.loss_curve_[0]
        first.set_params(warm_start=True, max_iter=1)
        first.fit(X, y)
    assert first.n_iter_ == 1
    first_epoch_second_fit = first.loss_curve_[-1]
    # The second fit starts where the first one ended ...
    gap_warm = abs(first_epoch_second_fit - last_loss_first)
    gap_cold = abs(cold_first_epoch - last_loss_first)
    assert gap_warm < 0.05 * gap_cold, (gap_warm, gap_cold)
    # ... and one epoch moves the weights little compared to the pre-training.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        init_est = _fit_one_tiny_step(X, y, hidden_layer_sizes=(20,), random_state=0)
    for W_init, W_pre, W_tuned in zip(init_est.coefs_, pretrained, first.coefs_):
        moved_by_pretraining = np.linalg.norm(W_pre - W_init)
        moved_by_finetuning = np.linalg.norm(W_tuned - W_pre)
        assert moved_by_finetuning < 0.1 * moved_by_pretraining
        assert moved_by_finetuning > 0  # it did train


def test_warm_start_false_reinitializes():
    X, y = _pretrain_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = BackpropMLPClassifier(
            (20,), max_iter=30, learning_rate_init=0.01, random_state=0
        ).fit(X, y)
        est.set_params(max_iter=1)
        est.fit(X, y)
        fresh = BackpropMLPClassifier(
            (20,), max_iter=1, learning_rate_init=0.01, random_state=0
        ).fit(X, y)
    for a, b in zip(est.coefs_, fresh.coefs_):
        assert_array_equal(a, b)
