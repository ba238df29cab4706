"""The tabular ingredients of the engine: front layers, SELU/Mish, parametric
activations, parameter-group factors, the NTK equivalence and data-driven
initialization — each against central finite differences in float64."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp

from skbp import BackpropMLPClassifier, check_gradients
from skbp._engine.activations import ACTIVATIONS, Parametric, get_activation
from skbp._engine.initializers import initialize_from_data
from skbp._engine.layers import (
    FRONT_LAYERS,
    CategoricalEmbedding,
    FeatureScaling,
    PeriodicEmbedding,
)
from skbp._engine.losses import SoftmaxCrossEntropy, SquaredError
from skbp._engine.network import PARAMETER_GROUPS, Network, Workspace
from skbp._engine.optimizers import SGD, Adam

TOL = 1e-6


def _numeric_derivative(f, x, eps=1e-6):
    return (f(x + eps) - f(x - eps)) / (2 * eps)


def _relative_error(g, g_hat):
    scale = np.linalg.norm(g) + np.linalg.norm(g_hat)
    return np.linalg.norm(g - g_hat) / scale if scale else 0.0


# ------------------------------------------------------------- activations
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_every_activation_derivative_matches_finite_differences(name):
    activation = get_activation(name)
    # Away from ReLU's kink at 0, where the derivative is not defined.
    z = np.concatenate([np.linspace(-6, -0.01, 200), np.linspace(0.01, 6, 200)])
    numeric = _numeric_derivative(lambda v: activation.forward(v.copy()), z)
    analytic = activation.derivative(z, activation.forward(z.copy()))
    np.testing.assert_allclose(analytic, numeric, rtol=TOL, atol=TOL)


def test_selu_and_mish_values_and_extremes():
    selu, mish = get_activation("selu"), get_activation("mish")
    z = np.array([-1e4, -2.0, 0.0, 1.5, 1e4])
    lam, alp = 1.0507009873554805, 1.6732632423543772
    expected = np.where(z > 0, lam * z, lam * alp * (np.exp(np.minimum(z, 0)) - 1))
    np.testing.assert_allclose(selu.forward(z.copy()), expected, rtol=1e-15)
    softplus = np.log1p(np.exp(np.minimum(z, 30))) + np.maximum(z - 30, 0)
    np.testing.assert_allclose(mish.forward(z.copy()), z * np.tanh(softplus), rtol=1e-15)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # |z| = 1e4
        for act in (selu, mish):
            a = act.forward(z.copy())
            assert np.isfinite(act.derivative(z, a)).all()


def test_activations_keep_float32():
    z = np.linspace(-3, 3, 11, dtype=np.float32)
    for name in ACTIVATIONS:
        act = get_activation(name)
        a = act.forward(z.copy())
        assert a.dtype == np.float32 and act.derivative(z, a).dtype == np.float32, name


@pytest.mark.parametrize("name", ["selu", "mish", "tanh", "relu", "identity"])
def test_parametric_activation_derivative_and_alpha_gradient(name):
    rng = np.random.RandomState(0)
    z = rng.randn(7, 5) * 2
    z[np.abs(z) < 0.05] = 0.3  # keep ReLU away from its kink
    alpha = rng.uniform(-0.5, 1.5, 5)
    upstream = rng.randn(7, 5)  # ∂C/∂A for C = Σ upstream ⊙ A
    act = Parametric(get_activation(name), alpha)

    def cost(z_, alpha_):
        return float(np.sum(upstream * Parametric(get_activation(name), alpha_).forward(z_.copy())))

    f = get_activation(name).forward(z.copy())
    a = act.forward(z.copy())
    np.testing.assert_allclose(a, z + alpha * (get_activation(name).forward(z.copy()) - z))
    numeric_z = np.array(
        [
            _numeric_derivative(lambda t, i=i: cost(z + t * np.eye(z.size)[i].reshape(z.shape), alpha), 0.0)
            for i in range(z.size)
        ]
    ).reshape(z.shape)
    assert _relative_error(upstream * act.derivative(z, f), numeric_z) < TOL
    numeric_alpha = np.array(
        [_numeric_derivative(lambda t, i=i: cost(z, alpha + t * np.eye(5)[i]), 0.0) for i in range(5)]
    )
    analytic = act.alpha_gradient(upstream, f - z, np.empty(5))
    assert _relative_error(analytic, numeric_alpha) < TOL


# ------------------------------------------------------------ front layers
def _layer_gradients(layer, x, rng):
    """Backprop and finite-difference gradients of C = Σ G ⊙ layer(x)."""
    params = rng.randn(layer.n_params)
    grads = np.zeros_like(params)
    layer.bind(params, grads)
    layer.initialize(rng)
    params += 0.1 * rng.randn(params.size)  # away from the initial values (s = 1)
    G = rng.randn(x.shape[0], layer.n_out)
    cache = {}
    layer.forward(x, cache)
    delta_x = layer.backward(G, cache, input_delta=True)

    def cost(x_):
        return float(np.sum(G * layer.forward(x_)))

    eps = 1e-6
    numeric_params = np.empty_like(params)
    for i in range(params.size):
        saved = params[i]
        params[i] = saved + eps
        plus = cost(x)
        params[i] = saved - eps
        minus = cost(x)
        params[i] = saved
        numeric_params[i] = (plus - minus) / (2 * eps)
    numeric_x = np.empty_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = eps
        numeric_x[i] = (cost(x + step) - cost(x - step)) / (2 * eps)
    return grads, numeric_params, delta_x, numeric_x


@pytest.mark.parametrize(
    "layer",
    [
        FeatureScaling(),
        PeriodicEmbedding([0, 2, 3], n_frequencies=5, n_dims=2, sigma=0.5),
        PeriodicEmbedding([4], n_frequencies=16, n_dims=3, sigma=0.1),
    ],
    ids=["scaling", "embedding", "embedding-one-column"],
)
def test_front_layer_gradients_match_finite_differences(layer):
    rng = np.random.RandomState(1)
    x = rng.randn(9, 5)
    layer.build(5, np.float64)
    grads, numeric_params, delta_x, numeric_x = _layer_gradients(layer, x, rng)
    assert _relative_error(grads, numeric_params) < TOL
    assert _relative_error(delta_x, numeric_x) < TOL


def test_embedding_output_layout_and_per_feature_maps():
    """[x, e_1, …, e_J], e_j from column j alone: the batched product equals a loop."""
    rng = np.random.RandomState(2)
    columns = [3, 0]
    layer = PeriodicEmbedding(columns, n_frequencies=4, n_dims=2, sigma=1.0)
    assert layer.build(5, np.float64) == 5 + 2 * 2
    layer.bind(np.empty(layer.n_params), np.empty(layer.n_params))
    layer.initialize(rng)
    x = rng.randn(6, 5)
    out = layer.forward(x)
    np.testing.assert_array_equal(out[:, :5], x)
    w, b, V, c = layer.params
    for k, j in enumerate(columns):
        e = np.cos(2 * np.pi * np.outer(x[:, j], w[k]) + b[k]) @ V[k] + c[k]
        np.testing.assert_allclose(out[:, 5 + 2 * k : 7 + 2 * k], e, rtol=1e-12)
    x_other = x.copy()
    x_other[:, [1, 2, 4]] = rng.randn(6, 3)  # columns that are not embedded
    np.testing.assert_array_equal(layer.forward(x_other)[:, 5:], out[:, 5:])


def test_embedding_initialization_follows_realmlp():
    rng = np.random.RandomState(3)
    layer = PeriodicEmbedding(np.arange(300), n_frequencies=16, n_dims=3, sigma=0.1)
    layer.build(300, np.float64)
    layer.bind(np.empty(layer.n_params), np.empty(layer.n_params))
    layer.initialize(rng)
    w, b, V, c = layer.params
    assert abs(w.std() - 0.1) < 0.005 and abs(w.mean()) < 0.005  # 4800 draws of N(0, 0.1²)
    assert -np.pi <= b.min() and b.max() <= np.pi and b.max() - b.min() > 6.2
    for uniform in (V, c):
        assert np.abs(uniform).max() <= 0.25 and np.abs(uniform).max() > 0.24


@pytest.mark.parametrize(
    "layer, message",
    [
        (PeriodicEmbedding([5]), r"indices in \[0, 5\)"),
        (PeriodicEmbedding([1, 1]), "distinct"),
        (PeriodicEmbedding([1], n_dims=0), "n_dims must be a positive integer"),
    ],
)
def test_embedding_rejects_bad_columns(layer, message):
    with pytest.raises(ValueError, match=message):
        Network((5, 3, 2), "relu", SoftmaxCrossEntropy(), front=[layer])


# ------------------------------------------------------ categorical embedding
def _coded_input(rng, n=40, width=6, columns=(1, 4), cardinalities=(5, 12)):
    """x with random numbers, and codes 0..k−1 in the coded columns (every level used)."""
    x = rng.randn(n, width)
    for column, k in zip(columns, cardinalities):
        x[:, column] = np.concatenate([np.arange(k), rng.randint(0, k, n - k)])
        rng.shuffle(x[:, column])
    return x


def test_categorical_embedding_forward_is_a_lookup_per_column():
    """[x without the codes, E_1[r_1], …, E_J[r_J]], each table read on its own."""
    rng = np.random.RandomState(0)
    layer = CategoricalEmbedding([4, 1], [12, 5], n_dims=3)
    assert layer.build(6, np.float64) == 4 + 2 * 3
    layer.bind(np.empty(layer.n_params), np.empty(layer.n_params))
    layer.initialize(rng)
    x = _coded_input(rng)
    out = layer.forward(x)
    np.testing.assert_array_equal(out[:, :4], x[:, [0, 2, 3, 5]])
    table = layer.params[0]
    assert table.shape == (12 + 5, 3)
    tables = {4: table[:12], 1: table[12:]}  # column 4's table first: the given order
    for position, column in enumerate([4, 1]):
        expected = tables[column][x[:, column].astype(int)]
        np.testing.assert_array_equal(out[:, 4 + 3 * position : 7 + 3 * position], expected)


def test_categorical_embedding_initialization_is_standard_normal():
    rng = np.random.RandomState(1)
    layer = CategoricalEmbedding([0], [1000], n_dims=8)
    layer.build(1, np.float64)
    layer.bind(np.empty(layer.n_params), np.empty(layer.n_params))
    layer.initialize(rng)
    table = layer.params[0]
    assert abs(table.mean()) < 0.03 and abs(table.std() - 1) < 0.03  # 8000 draws


def test_categorical_embedding_gradient_matches_finite_differences():
    """∂C/∂E by central differences of C = Σ G ⊙ layer(x); the codes pass no error."""
    rng = np.random.RandomState(2)
    layer = CategoricalEmbedding([1, 4], [5, 12], n_dims=3)
    layer.build(6, np.float64)
    params, grads = np.zeros(layer.n_params), np.zeros(layer.n_params)
    layer.bind(params, grads)
    layer.initialize(rng)
    x = _coded_input(rng)
    x[:3, 4] = 11  # a level seen several times in one batch
    G = rng.randn(x.shape[0], layer.n_out)
    cache = {}
    layer.forward(x, cache)
    delta_x = layer.backward(G, cache, input_delta=True)

    def cost():
        return float(np.sum(G * layer.forward(x)))

    eps = 1e-6
    numeric = np.empty_like(params)
    for i in range(params.size):
        saved = params[i]
        params[i] = saved + eps
        plus = cost()
        params[i] = saved - eps
        minus = cost()
        params[i] = saved
        numeric[i] = (plus - minus) / (2 * eps)
    assert _relative_error(grads, numeric) < TOL
    # Independently: Σ over the rows of each level, by a loop over the rows.
    expected = np.zeros((17, 3))
    for n in range(x.shape[0]):
        expected[int(x[n, 1])] += G[n, 4:7]
        expected[5 + int(x[n, 4])] += G[n, 7:10]
    np.testing.assert_allclose(grads.reshape(17, 3), expected, rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(delta_x[:, [0, 2, 3, 5]], G[:, :4])
    assert not delta_x[:, [1, 4]].any()
    assert layer.backward(G, cache, input_delta=False) is None


def test_categorical_embedding_keeps_float32():
    rng = np.random.RandomState(3)
    layer = CategoricalEmbedding([0], [4], n_dims=2)
    layer.build(2, np.float32)
    params, grads = np.zeros(layer.n_params, np.float32), np.zeros(layer.n_params, np.float32)
    layer.bind(params, grads)
    layer.initialize(rng)
    x = np.column_stack([rng.randint(0, 4, 10), rng.randn(10)]).astype(np.float32)
    cache = {}
    out = layer.forward(x, cache)
    assert out.dtype == np.float32
    assert layer.backward(np.ones_like(out), cache, input_delta=True).dtype == np.float32
    assert params.dtype == grads.dtype == np.float32


@pytest.mark.parametrize("bad", [np.nan, -1.0, 4.0, 1.5])
def test_categorical_embedding_refuses_what_is_not_a_code(bad):
    layer = CategoricalEmbedding([0], [4])
    layer.build(2, np.float64)
    layer.bind(np.zeros(layer.n_params), np.zeros(layer.n_params))
    x = np.array([[0.0, 1.0], [bad, 2.0]])
    with pytest.raises(ValueError, match=r"whole numbers in \[0, cardinality\)"):
        layer.forward(x)


@pytest.mark.parametrize(
    "layer, message",
    [
        (CategoricalEmbedding([5], [3]), r"indices in \[0, 5\)"),
        (CategoricalEmbedding([1, 1], [3, 3]), "distinct"),
        (CategoricalEmbedding([1, 2], [3]), "cardinalities must give"),
        (CategoricalEmbedding([1], [0]), "cardinalities must give"),
        (CategoricalEmbedding([1], [3], n_dims=0), "n_dims must be a positive integer"),
    ],
)
def test_categorical_embedding_rejects_bad_columns(layer, message):
    with pytest.raises(ValueError, match=message):
        Network((5, 3, 2), "relu", SoftmaxCrossEntropy(), front=[layer])


def _categorical_network(dtype=np.float64, seed=0, order="first"):
    """Every front layer: the categorical embedding first (as the estimators) or behind PBLD."""
    rng = np.random.RandomState(seed)
    coded, cardinalities = [1, 4], [5, 12]
    categorical = CategoricalEmbedding(coded, cardinalities, n_dims=3)
    if order == "first":  # the continuous columns 0, 2, 5 are 0, 1, 3 behind it
        front = [categorical, PeriodicEmbedding([0, 1, 3], n_frequencies=4, n_dims=2, sigma=0.3)]
    else:  # behind PBLD, which passes the codes through: its input error is used
        front = [PeriodicEmbedding([0, 2, 5], n_frequencies=4, n_dims=2, sigma=0.3), categorical]
    net = Network(
        (6, 7, 5, 3), "selu", SoftmaxCrossEntropy(), dtype,
        front=[*front, FeatureScaling()], parametric_activation=True,
    )
    net.initialize(rng, "normal", 0.5)
    X = _coded_input(rng).astype(dtype)
    initialize_from_data(net, X, rng)
    for alpha in net.alphas:
        alpha[...] = rng.uniform(0.3, 1.5, alpha.shape)
    net.front[-1].params[0][...] = rng.uniform(0.5, 1.5, net.front[-1].n_in)
    Y = np.eye(3)[rng.randint(0, 3, X.shape[0])].astype(dtype)
    return net, X, Y, rng


@pytest.mark.parametrize("order", ["first", "behind"])
def test_network_with_a_categorical_embedding_passes_the_gradient_check(order):
    net, X, Y, rng = _categorical_network(order=order)
    assert net.layer_sizes[0] == 4 + 2 * 3 + 3 * 2
    masks = [(rng.rand(X.shape[0], m) < 0.8) / 0.8 for m in net.layer_sizes[:-1]]
    sw = rng.rand(X.shape[0]) + 0.5
    assert check_gradients(net, X, Y) < TOL
    assert check_gradients(net, X, Y, sw, alpha=0.1, penalty="l2", masks=masks) < TOL


def test_gradient_check_sees_a_broken_categorical_embedding(monkeypatch):
    """The check of the tables can fail: give every level the gradient of the first."""
    net, X, Y, _ = _categorical_network()
    original = CategoricalEmbedding.backward

    def broken(self, delta, cache, input_delta):
        result = original(self, delta, cache, input_delta)
        self.grads[0][...] = self.grads[0][:1]
        return result

    monkeypatch.setattr(CategoricalEmbedding, "backward", broken)
    assert check_gradients(net, X, Y) > 0.1


def test_categorical_embedding_in_float32_training_and_pickling():
    net, X, Y, _ = _categorical_network(np.float32)
    ws = Workspace(net, X.shape[0])
    loss = net.loss_and_gradient(X, Y, None, None, ws)
    assert np.isfinite(loss) and np.isfinite(net.grad).all() and net.grad.dtype == np.float32
    assert ws.a[0].dtype == np.float32 and net.predict_logits(X).dtype == np.float32
    clone = pickle.loads(pickle.dumps(net))
    np.testing.assert_array_equal(clone.predict_logits(X), net.predict_logits(X))
    clone.params[...] = 0
    assert not clone.front[0].params[0].any()  # still a view of the flat vector


def test_front_layers_need_dense_input():
    net = Network((4, 3, 2), "relu", SoftmaxCrossEntropy(), front=[FeatureScaling()])
    net.initialize(np.random.RandomState(0))
    with pytest.raises(TypeError, match="dense input"):
        net.predict_logits(sp.csr_matrix(np.ones((2, 4))))


def test_front_layer_table_names_the_groups():
    assert {cls.group for cls in FRONT_LAYERS.values()} <= set(PARAMETER_GROUPS)
    assert set(FRONT_LAYERS) == {cls.group for cls in FRONT_LAYERS.values()}


# ------------------------------------------------------------ the network
def _tabular_network(activation="selu", dtype=np.float64, seed=0, output=None):
    rng = np.random.RandomState(seed)
    net = Network(
        (6, 7, 5, 3),
        activation,
        output or SoftmaxCrossEntropy(),
        dtype,
        front=[PeriodicEmbedding([0, 2, 5], n_frequencies=4, n_dims=2, sigma=0.3), FeatureScaling()],
        parametric_activation=True,
    )
    net.initialize(rng, "normal", 0.5)
    X = rng.randn(25, 6).astype(dtype)
    initialize_from_data(net, X, rng)
    # Move every new parameter away from its initial value (s = 1, α = 1).
    for alpha in net.alphas:
        alpha[...] = rng.uniform(0.3, 1.5, alpha.shape)
    net.front[1].params[0][...] = rng.uniform(0.5, 1.5, net.front[1].n_in)
    Y = np.eye(3)[rng.randint(0, 3, 25)].astype(dtype)
    return net, X, Y, rng


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_full_network_with_every_ingredient_passes_the_gradient_check(activation):
    net, X, Y, rng = _tabular_network(activation)
    masks = [(rng.rand(25, m) < 0.8) / 0.8 for m in net.layer_sizes[:-1]]
    sw = rng.rand(25) + 0.5
    assert check_gradients(net, X, Y) < TOL
    assert check_gradients(net, X, Y, sw, alpha=0.1, penalty="l2", masks=masks) < TOL


_FRONTS = {
    "scaling": lambda: [FeatureScaling()],
    "categorical, scaling": lambda: [CategoricalEmbedding([1, 4], [3, 4], n_dims=2), FeatureScaling()],
    "categorical, embedding, scaling": lambda: [
        CategoricalEmbedding([1, 4], [3, 4], n_dims=2),
        PeriodicEmbedding([0, 1, 3], n_frequencies=4, n_dims=2),
        FeatureScaling(),
    ],
    "scaling, embedding": lambda: [FeatureScaling(), PeriodicEmbedding([0, 2, 5], n_frequencies=4, n_dims=2)],
}


@pytest.mark.parametrize("front", sorted(_FRONTS))
def test_scaling_gradients_from_bp4_pass_the_gradient_check(front):
    # A scaling that ends the front takes its gradient from layer 1's BP4 product and
    # passes the layer below only the columns it reads; elsewhere, its own backward.
    rng = np.random.RandomState(0)
    X = rng.randn(25, 6)
    X[:, 1], X[:, 4] = rng.randint(0, 3, 25), rng.randint(0, 4, 25)
    Y = np.eye(3)[rng.randint(0, 3, 25)]
    net = Network((6, 7, 5, 3), "selu", SoftmaxCrossEntropy(), front=_FRONTS[front]())
    net.initialize(rng, "normal", 0.5)
    for layer in net.front:
        if isinstance(layer, FeatureScaling):
            layer.params[0][...] = rng.uniform(-1.5, 1.5, layer.n_in)
    assert check_gradients(net, X, Y) < TOL
    masks = [None, (rng.rand(25, 7) < 0.8) / 0.8, None]
    assert check_gradients(net, X, Y, masks=masks) < TOL


def test_gradient_check_sees_a_broken_front_layer(monkeypatch):
    """The check of the new parameters can fail: drop the 2π of ∂C/∂w."""
    net, X, Y, _ = _tabular_network("tanh")
    original = PeriodicEmbedding.backward

    def broken(self, delta, cache, input_delta):
        result = original(self, delta, cache, input_delta)
        self.grads[0][...] /= 2 * np.pi
        return result

    monkeypatch.setattr(PeriodicEmbedding, "backward", broken)
    assert check_gradients(net, X, Y) > 0.1


def test_gradient_check_sees_a_broken_alpha_gradient(monkeypatch):
    net, X, Y, _ = _tabular_network("selu")
    monkeypatch.setattr(Parametric, "alpha_gradient", lambda self, up, f_minus_z, out: out.fill(0))
    assert check_gradients(net, X, Y) > 0.1


def test_prediction_and_training_run_the_same_forward_pass():
    net, X, Y, _ = _tabular_network("mish")
    ws = Workspace(net, X.shape[0])
    net.forward(X, ws)
    np.testing.assert_array_equal(net.predict_logits(X), ws.z[-1][: X.shape[0]])


def test_float32_stays_float32():
    net, X, Y, _ = _tabular_network("selu", np.float32)
    assert net.params.dtype == net.grad.dtype == np.float32
    ws = Workspace(net, X.shape[0])
    loss = net.loss_and_gradient(X, Y, None, None, ws)
    assert np.isfinite(loss) and np.isfinite(net.grad).all()
    assert ws.a[0].dtype == ws.delta[0].dtype == np.float32
    assert net.predict_logits(X).dtype == np.float32
    assert all(p.dtype == np.float32 for layer in net.front for p in layer.params)


def test_pickled_network_keeps_its_views():
    net, X, _, _ = _tabular_network("selu")
    clone = pickle.loads(pickle.dumps(net))
    np.testing.assert_array_equal(clone.predict_logits(X), net.predict_logits(X))
    clone.params[...] = 0
    assert not clone.coefs[0].any() and not clone.alphas[0].any()
    assert not clone.front[0].params[2].any()


def test_without_options_the_network_is_the_dense_stack():
    plain = Network((6, 7, 3), "relu", SoftmaxCrossEntropy())
    assert plain.params.size == plain.n_dense == 6 * 7 + 7 * 3 + 7 + 3
    assert plain.alphas is None and plain.front == [] and plain.layer_sizes == (6, 7, 3)
    ws = Workspace(plain, 4)
    assert ws.f_minus_z == [None, None] and ws.d == [None, None] and ws.front == []


def test_dropout_mask_of_layer_zero_applies_to_the_front_output():
    net, X, Y, rng = _tabular_network("tanh")
    assert net.layer_sizes[0] == 6 + 3 * 2 and net.n_features_in == 6
    masks = [np.zeros((25, net.layer_sizes[0])), None, None]
    logits_without_input = net.predict_logits(np.zeros_like(X))  # only the biases remain...
    ws = Workspace(net, 25)
    net.forward(X, ws, masks)
    z0 = ws.z[0][:25]
    np.testing.assert_allclose(z0, np.broadcast_to(net.intercepts[0], z0.shape))
    assert logits_without_input.shape == (25, 3)


# ------------------------------------------------- groups and optimizers
def test_groups_cover_every_parameter_once():
    net, _, _, _ = _categorical_network()
    covered = np.zeros(net.params.size, int)
    for slices in net.group_slices().values():
        for part in slices:
            covered[part] += 1
    assert (covered == 1).all()
    assert set(net.group_slices()) == set(PARAMETER_GROUPS)
    assert net.group_slices()["categorical"] == [slice(net.n_dense, net.n_dense + 17 * 3)]
    with pytest.raises(ValueError, match=r"Unknown parameter group\(s\) \['bias'\]"):
        net.group_factors({"bias": 0.1})


@pytest.mark.parametrize("optimizer_cls", [SGD, Adam])
def test_lr_factors_scale_each_parameter_step(optimizer_cls):
    rng = np.random.RandomState(4)
    start, grad = rng.randn(30), rng.randn(30)
    factors = rng.uniform(0.1, 6.0, 30)
    plain = optimizer_cls(start.copy(), 10, 0.01)
    scaled = optimizer_cls(start.copy(), 10, 0.01, lr_factors=factors)
    p_plain, p_scaled = start.copy(), start.copy()
    plain.step(p_plain, grad.copy())
    scaled.step(p_scaled, grad.copy())
    # One step from rest: momentum and Adam's moments are linear in the first step.
    np.testing.assert_allclose(p_scaled - start, factors * (p_plain - start), rtol=1e-12)
    ones = optimizer_cls(start.copy(), 10, 0.01, lr_factors=np.ones(30))
    p_ones = start.copy()
    ones.step(p_ones, grad.copy())
    np.testing.assert_array_equal(p_ones, p_plain)


@pytest.mark.parametrize("optimizer_cls", [SGD, Adam])
def test_decay_factors_decay_each_parameter(optimizer_cls):
    rng = np.random.RandomState(5)
    start = rng.randn(30)
    decay = rng.uniform(0, 2, 30)
    opt = optimizer_cls(start.copy(), 10, 0.01, weight_decay=0.05, decay_factors=decay)
    params = start.copy()
    opt.step(params, np.zeros(30))
    np.testing.assert_allclose(params, start * (1 - 0.05 * decay), rtol=1e-14)


def test_set_group_factors_builds_realmlp_vectors():
    net, _, _, _ = _tabular_network()
    lr = {"weights": 1.0, "biases": 0.1, "scaling": 6.0, "embedding": 0.1, "activation": 0.1}
    wd = {"weights": 1.0, "biases": 0.0, "scaling": 6.0, "embedding": 0.1, "activation": 0.1}
    net.set_group_factors(lr=lr, weight_decay=wd, fan_in_power=0.5)
    for group, slices in net.group_slices().items():
        for part in slices:
            np.testing.assert_allclose(net.decay_factors[part], lr[group] * wd[group])
            if group != "weights":
                np.testing.assert_allclose(net.lr_factors[part], lr[group])
    start = 0
    for coef in net.coefs:
        np.testing.assert_allclose(net.lr_factors[start : start + coef.size], coef.shape[0] ** -0.5)
        start += coef.size
    net.set_group_factors(lr={"biases": 0.1})
    assert net.decay_factors[: net.n_weights].min() == 1 and net.decay_factors[net.n_weights :].max() == 0
    net.set_group_factors()
    assert net.lr_factors is None and net.decay_factors is None


def test_adam_with_fan_in_factors_is_the_ntk_parametrization():
    """Adam on V with lr · fan_in^−½ equals AdamW on W = V √fan_in with z = a W / √fan_in.

    The NTK trajectory is simulated directly: the gradient of W is the
    network's gradient of V divided by √fan_in.  With ε → 0 the two agree to
    rounding (with ε > 0 the NTK run has ε √fan_in: negligible).
    """
    net, X, Y, _ = _tabular_network("selu")
    net.set_group_factors(
        lr={"biases": 0.1, "scaling": 6.0, "embedding": 0.1, "activation": 0.1},
        weight_decay={"scaling": 6.0, "embedding": 0.1, "activation": 0.1},
        fan_in_power=0.5,
    )
    root_fan_in = np.ones(net.params.size)
    start = 0
    for coef in net.coefs:
        root_fan_in[start : start + coef.size] = np.sqrt(coef.shape[0])
        start += coef.size
    lr_groups = net.lr_factors * root_fan_in  # the group factors without the NTK factor
    ours = Adam(net.params, net.n_weights, 0.01, 0.9, 0.95, 1e-300, 0.002,
                net.lr_factors, net.decay_factors)
    ntk = Adam(net.params, net.n_weights, 0.01, 0.9, 0.95, 1e-300, 0.002,
               lr_groups, net.decay_factors)
    theta = net.params * root_fan_in  # NTK's stored parameters (W = V √fan_in)
    ws = Workspace(net, X.shape[0])
    for _ in range(5):
        ntk_view = theta / root_fan_in
        saved = net.params.copy()
        net.params[...] = ntk_view
        net.loss_and_gradient(X, Y, None, None, ws)
        ntk.step(theta, net.grad / root_fan_in)
        net.params[...] = saved
        net.loss_and_gradient(X, Y, None, None, ws)
        ours.step(net.params, net.grad)
    np.testing.assert_allclose(net.params, theta / root_fan_in, rtol=1e-10, atol=1e-13)


# ------------------------------------------------- data-driven initialization
@pytest.mark.parametrize("activation", ["selu", "mish", "relu"])
def test_data_driven_initialization_standardizes_every_net_input(activation):
    rng = np.random.RandomState(6)
    X = rng.randn(200, 6) * [1, 10, 0.1, 1, 1, 3]
    net = Network((6, 16, 8, 2), activation, SoftmaxCrossEntropy(),
                  front=[FeatureScaling()], parametric_activation=True)
    net.initialize(rng, "normal", 1.0)
    initialize_from_data(net, X, rng)
    a = X
    for layer in range(net.n_layers):
        z = a @ net.coefs[layer]
        np.testing.assert_allclose(z.std(axis=0), 1.0, rtol=1e-10)
        # −b_j is a convex combination of z_j on the batch: inside its range.
        assert np.all(z.min(axis=0) <= -net.intercepts[layer])
        assert np.all(-net.intercepts[layer] <= z.max(axis=0))
        z = z + net.intercepts[layer]
        a = net.activate(layer, z) if layer < net.n_layers - 1 else z
    # The bias of a unit is −Σ π_i z_{r_i}: not the batch mean (a random point mixture).
    assert np.std(net.intercepts[0]) > 0.05


def test_data_driven_initialization_is_reproducible_and_keeps_directions():
    rng = np.random.RandomState(7)
    X = rng.randn(50, 4)
    nets = []
    for _ in range(2):
        net = Network((4, 5, 1), "mish", SquaredError()).initialize(np.random.RandomState(0), "normal")
        drawn = net.coefs[0].copy()
        initialize_from_data(net, X, np.random.RandomState(1))
        nets.append(net)
    np.testing.assert_array_equal(nets[0].params, nets[1].params)
    ratio = nets[0].coefs[0] / drawn
    np.testing.assert_allclose(ratio, np.broadcast_to(ratio[0], ratio.shape))  # column-wise scaling


def test_data_driven_initialization_leaves_constant_units_finite():
    X = np.ones((10, 3))  # every net input is constant on the batch
    net = Network((3, 4, 2), "selu", SoftmaxCrossEntropy()).initialize(np.random.RandomState(0))
    initialize_from_data(net, X, np.random.RandomState(0))
    assert np.isfinite(net.params).all()
    with pytest.raises(ValueError, match="at least 2 rows"):
        initialize_from_data(net, X[:1], np.random.RandomState(0))


def test_gradient_check_after_data_driven_initialization():
    rng = np.random.RandomState(8)
    X = rng.randn(30, 5)
    Y = np.eye(2)[rng.randint(0, 2, 30)]
    net = Network((5, 8, 6, 2), "mish", SoftmaxCrossEntropy(),
                  front=[PeriodicEmbedding([1, 3]), FeatureScaling()], parametric_activation=True)
    net.initialize(rng, "normal", 1.0)
    initialize_from_data(net, X, rng)
    assert check_gradients(net, X, Y) < TOL


# ------------------------------------------------- the existing estimators
@pytest.mark.parametrize("activation", ["selu", "mish"])
def test_backprop_mlp_takes_the_new_activations(activation):
    rng = np.random.RandomState(9)
    X, y = rng.randn(40, 4), rng.randint(0, 3, 40)
    clf = BackpropMLPClassifier((6,), activation=activation, max_iter=5, random_state=0)
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert check_gradients(clf, X, y) < TOL
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_layer_monitor_reads_the_parametric_derivative():
    """α = 0 makes a ReLU layer the identity: no unit is inactive, although half the z are < 0."""
    from skbp._engine.hooks import TrainingRun
    from skbp._engine.monitor import LayerMonitor
    from skbp._engine.training import DataSet

    rng = np.random.RandomState(10)
    X, Y = rng.randn(40, 4), np.eye(2)[rng.randint(0, 2, 40)]
    net = Network((4, 6, 2), "relu", SoftmaxCrossEntropy(), front=[FeatureScaling()],
                  parametric_activation=True).initialize(rng, "normal", 1.0)
    net.alphas[0][...] = 0.0
    net.intercepts[0][...] = -10.0  # every z < 0: a plain ReLU layer would be all dead
    monitor, run, record = LayerMonitor(DataSet(X, Y)), TrainingRun(net), {}
    monitor.on_train_begin(run)
    monitor.on_epoch_end(run, record)
    assert record["layers"][0]["inactive_fraction"] == 0.0
    net.alphas[0][...] = 1.0
    monitor.on_epoch_end(run, record)
    assert record["layers"][0]["inactive_fraction"] == 1.0


def test_backward_overwrites_every_gradient_entry():
    """No stale entry survives a step: front layers' and α's gradients included."""
    net, X, Y, _ = _tabular_network("mish")
    net.grad[...] = np.nan
    net.loss_and_gradient(X, Y, None, None, Workspace(net, X.shape[0]))
    assert np.isfinite(net.grad).all()
