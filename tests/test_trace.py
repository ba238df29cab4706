"""skbp.trace_backprop: per-sample BP1–BP4 in the lecture's notation.

The gradients are checked against central differences of each sample's cost
computed only through the public ``predict_proba`` / ``predict`` of a copy of
the model whose ``coefs_`` / ``intercepts_`` entries are perturbed; the
printed table against arithmetic written out here.
"""

import copy
import math
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbp import BackpropMLPClassifier, BackpropMLPRegressor, trace_backprop
from skbp._engine.network import Network, Workspace
from skbp._engine.regularization import make_penalty

ACTIVATIONS = ["identity", "logistic", "tanh", "relu"]
REGRESSION_LOSSES = ["squared_error", "absolute_error", "quantile", "poisson", "gamma"]
DOCS_PAGE = Path(__file__).resolve().parents[1] / "docs" / "user_guide" / "trace.rst"


def _fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def _classification_targets(kind, rng, n):
    if kind == "binary":
        return rng.choice(["no", "yes"], n)
    if kind == "multiclass":
        return rng.randint(0, 4, n)
    return rng.randint(0, 2, (n, 3))  # multilabel indicator


def _regression_targets(loss, rng, n):
    if loss == "poisson":
        return rng.poisson(3.0, (n, 2)) + 0.5  # y > 0: y log y needs no 0 · log 0 convention
    if loss == "gamma":
        return rng.gamma(2.0, 1.5, (n, 2))
    return 3.0 + rng.randn(n, 2)


def _classifier(kind, activation, **params):
    rng = np.random.RandomState(0)
    X, y = rng.randn(40, 3), _classification_targets(kind, rng, 40)
    clf = BackpropMLPClassifier(
        (4, 3), activation=activation, max_iter=15, learning_rate_init=0.01,
        random_state=0, **params,
    )
    return _fit(clf, X, y), X, y


def _regressor(loss, activation, **params):
    rng = np.random.RandomState(1)
    X, y = rng.randn(40, 3), _regression_targets(loss, rng, 40)
    reg = BackpropMLPRegressor(
        loss=loss, hidden_layer_sizes=(4, 3), activation=activation, max_iter=15,
        learning_rate_init=0.01, random_state=0, quantile=0.3, **params,
    )
    return _fit(reg, X, y), X, y


# ------------------------------------------------- the per-sample costs, public API only
def _classifier_costs(model, X, y):
    """−log p(y|x) per sample from predict_proba."""
    proba = model.predict_proba(X)
    if y.ndim == 2:  # multilabel: independent labels, binary cross-entropy summed
        return -(y * np.log(proba) + (1 - y) * np.log(1 - proba)).sum(axis=1)
    column = np.searchsorted(model.classes_, y)
    return -np.log(proba[np.arange(len(y)), column])


def _regressor_costs(model, X, y):
    """The loss of each sample, written out from predict (summed over the outputs)."""
    p = model.predict(X)
    if model.loss == "squared_error":
        cost = 0.5 * (p - y) ** 2
    elif model.loss == "absolute_error":
        cost = np.abs(p - y)
    elif model.loss == "quantile":
        q = model.quantile
        cost = np.maximum(q * (y - p), (q - 1) * (y - p))
    elif model.loss == "poisson":
        cost = y * np.log(y / p) - y + p
    else:  # gamma
        cost = np.log(p / y) + y / p - 1
    return cost.sum(axis=1)


def _finite_differences(model, X, y, costs, epsilon):
    """Per-sample central differences for every entry of coefs_ and intercepts_.

    Returns, per weight layer l, arrays in the lecture's orientation:
    (n_samples, M_l, M_{l-1}) for W^l and (n_samples, M_l, 1) for b^l.
    """
    perturbed = copy.deepcopy(model)
    grads_W, grads_b = [], []
    for coef, intercept in zip(perturbed.coefs_, perturbed.intercepts_):
        grad_W = np.empty((len(X), coef.shape[1], coef.shape[0]))
        grad_b = np.empty((len(X), intercept.shape[0], 1))
        for array, out in ((coef, grad_W), (intercept, grad_b)):
            for index in np.ndindex(array.shape):
                saved = array[index]
                array[index] = saved + epsilon
                plus = costs(perturbed, X, y)
                array[index] = saved - epsilon
                minus = costs(perturbed, X, y)
                array[index] = saved
                # coefs_[l-1][k, j] is W^l[j, k]: the lecture's W is the transpose.
                j, k = (index[1], index[0]) if array.ndim == 2 else (index[0], 0)
                out[:, j, k] = (plus - minus) / (2 * epsilon)
        grads_W.append(grad_W)
        grads_b.append(grad_b)
    return grads_W, grads_b


def _hidden_net_inputs(model, X):
    """z^l of every hidden layer, from the public coefs_ (to keep ReLU off its kink)."""
    a, zs = X, []
    for coef, intercept in zip(model.coefs_[:-1], model.intercepts_[:-1]):
        z = a @ coef + intercept
        zs.append(z)
        a = {"identity": z, "logistic": 1 / (1 + np.exp(-z)), "tanh": np.tanh(z),
             "relu": np.maximum(z, 0)}[model.activation]
    return np.concatenate(zs, axis=1)


def _assert_matches_finite_differences(model, X, y, costs):
    epsilon = 1e-6 if model.activation == "relu" else 1e-5
    if model.activation == "relu":
        assert np.abs(_hidden_net_inputs(model, X)).min() > 100 * epsilon
    trace = trace_backprop(model, X, y)
    grads_W, grads_b = _finite_differences(model, X, y, costs, epsilon)
    for k, (grad_W, grad_b) in enumerate(zip(grads_W, grads_b), start=1):
        layer = trace.layers[k]
        # The gradients are of order 0.01 to 1: the tolerance is far below a wrong term.
        assert np.abs(grad_W).max() > 1e-2
        np.testing.assert_allclose(layer.grad_W, grad_W, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(layer.grad_b, grad_b, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("kind", ["binary", "multiclass", "multilabel"])
def test_classifier_gradients_are_those_of_minus_log_p(kind, activation):
    clf, X, y = _classifier(kind, activation)
    assert clf.out_activation_ == ("softmax" if kind == "multiclass" else "logistic")
    _assert_matches_finite_differences(clf, X[:5], y[:5], _classifier_costs)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loss", REGRESSION_LOSSES)
def test_regressor_gradients_are_those_of_its_loss(loss, activation):
    reg, X, y = _regressor(loss, activation)
    X, y = X[:5], y[:5]
    if loss in ("absolute_error", "quantile"):  # keep the residuals off the kink
        assert np.abs(reg.predict(X) - y).min() > 1e-3
    _assert_matches_finite_differences(reg, X, y, _regressor_costs)


# ------------------------------------------------------------- shapes, orientation
def test_lecture_orientation_and_shapes():
    clf, X, y = _classifier("multiclass", "tanh")
    trace = trace_backprop(clf, X[:3], y[:3])
    sizes = [3, 4, 3, 4]
    assert list(trace.layers) == [1, 2, 3]
    for k, layer in trace.layers.items():
        m_in, m_out = sizes[k - 1], sizes[k]
        assert layer.index == k
        np.testing.assert_array_equal(layer.W, clf.coefs_[k - 1].T)
        np.testing.assert_array_equal(layer.b, clf.intercepts_[k - 1][:, np.newaxis])
        assert layer.a_prev.shape == (3, m_in, 1)
        for column in (layer.z, layer.a, layer.delta, layer.grad_b):
            assert column.shape == (3, m_out, 1)
        assert layer.grad_W.shape == (3, m_out, m_in)
        # The lecture's equations hold as written, with column vectors.
        np.testing.assert_allclose(layer.z, layer.W @ layer.a_prev + layer.b, rtol=1e-12)
        np.testing.assert_allclose(layer.grad_W, layer.delta @ layer.a_prev.transpose(0, 2, 1))
        np.testing.assert_array_equal(layer.grad_b, layer.delta)
    np.testing.assert_array_equal(trace.layers[1].a_prev, X[:3, :, np.newaxis])
    for k in (1, 2):
        below, above = trace.layers[k], trace.layers[k + 1]
        np.testing.assert_array_equal(above.a_prev, below.a)
        np.testing.assert_allclose(
            below.delta, (above.W.T @ above.delta) * below.sigma_prime, rtol=1e-12
        )
    assert trace.layers[3].sigma_prime is None
    np.testing.assert_allclose(trace.layers[3].a[:, :, 0], clf.predict_proba(X[:3]), rtol=1e-12)
    np.testing.assert_array_equal(trace.y[:, :, 0], np.eye(4)[y[:3]])
    np.testing.assert_allclose(trace.cost, _classifier_costs(clf, X[:3], y[:3]), rtol=1e-12)
    assert (trace.n_samples, trace.loss) == (3, "log_loss")


def _training_gradient(estimator, X, Y, penalty=None):
    """The engine's gradient of a batch, as one training step computes it."""
    sizes = [X.shape[1]] + [c.shape[1] for c in estimator.coefs_]
    network = Network(sizes, estimator.activation, estimator._output_layer())
    network.set_parameters(estimator.coefs_, estimator.intercepts_)
    loss = network.loss_and_gradient(X, Y, None, penalty, Workspace(network, len(X)))
    return loss, network.coef_grads, network.intercept_grads


@pytest.mark.parametrize("penalty", ["l2", "l1", "elasticnet"])
def test_batch_mean_is_the_training_gradient_and_penalty_is_added_as_in_training(penalty):
    clf, X, y = _classifier("multiclass", "relu", alpha=0.3, penalty=penalty, l1_ratio=0.4)
    X, y, n = X[:6], y[:6], 6
    data, penalized = trace_backprop(clf, X, y), trace_backprop(clf, X, y, penalty=True)
    for k, coef in enumerate(clf.coefs_, start=1):
        # α ∇R(W) / n with n = Σ s = 6 unit sample weights, written out by hand.
        W = coef.T
        hand = {
            "l2": W,
            "l1": np.sign(W),
            "elasticnet": 0.4 * np.sign(W) + 0.6 * W,
        }[penalty]
        added = penalized.layers[k].grad_W - data.layers[k].grad_W
        np.testing.assert_allclose(added, np.broadcast_to(0.3 * hand / n, added.shape), atol=1e-15)
        np.testing.assert_array_equal(penalized.layers[k].grad_b, data.layers[k].grad_b)
        np.testing.assert_array_equal(penalized.layers[k].delta, data.layers[k].delta)
    weights = np.concatenate([c.ravel() for c in clf.coefs_])
    R = {
        "l2": 0.5 * weights @ weights,
        "l1": np.abs(weights).sum(),
        "elasticnet": 0.4 * np.abs(weights).sum() + 0.3 * weights @ weights,
    }[penalty]
    np.testing.assert_allclose(penalized.cost - data.cost, 0.3 * R / n, rtol=1e-12)

    Y = clf._encode_targets(y).astype(float)
    loss, coef_grads, intercept_grads = _training_gradient(
        clf, X, Y, make_penalty(penalty, alpha=0.3, l1_ratio=0.4)
    )
    assert penalized.cost.mean() == pytest.approx(loss, rel=1e-12)
    for k, (coef_grad, intercept_grad) in enumerate(zip(coef_grads, intercept_grads), start=1):
        np.testing.assert_allclose(penalized.layers[k].grad_W.mean(axis=0), coef_grad.T, atol=1e-15)
        np.testing.assert_allclose(penalized.layers[k].grad_b.mean(axis=0)[:, 0], intercept_grad, atol=1e-15)


def test_penalty_true_without_alpha_adds_nothing():
    reg, X, y = _regressor("squared_error", "tanh", alpha=0.0)
    data, penalized = trace_backprop(reg, X[:2], y[:2]), trace_backprop(reg, X[:2], y[:2], penalty=True)
    for k in data.layers:
        np.testing.assert_array_equal(penalized.layers[k].grad_W, data.layers[k].grad_W)
    np.testing.assert_array_equal(penalized.cost, data.cost)


def test_one_sample_as_a_1d_array_has_no_sample_axis():
    for model, X, y in (_classifier("binary", "logistic"), _regressor("gamma", "tanh")):
        batch, single = trace_backprop(model, X[:2], y[:2]), trace_backprop(model, X[1], y[1])
        assert single.n_samples == 1 and isinstance(single.cost, float)
        assert single.cost == pytest.approx(batch.cost[1], rel=1e-12)
        np.testing.assert_array_equal(single.y, batch.y[1])
        for k, layer in single.layers.items():
            assert layer.grad_W.shape == layer.W.shape
            assert layer.a_prev.shape == (layer.W.shape[1], 1)
            for name in ("a_prev", "z", "a", "delta", "grad_W", "grad_b"):
                np.testing.assert_allclose(getattr(layer, name), getattr(batch.layers[k], name)[1], rtol=1e-12)


def test_float32_model_is_traced_in_float32():
    rng = np.random.RandomState(0)
    X, y = rng.randn(30, 3).astype(np.float32), rng.randint(0, 3, 30)
    clf = _fit(BackpropMLPClassifier((4,), max_iter=5, random_state=0), X, y)
    trace = trace_backprop(clf, X[:2].astype(np.float64), y[:2])
    for layer in trace.layers.values():
        assert {layer.z.dtype, layer.delta.dtype, layer.grad_W.dtype} == {np.dtype(np.float32)}
    assert trace.cost.dtype == np.float32


def test_pipeline_input_goes_through_the_other_steps():
    rng = np.random.RandomState(3)
    X, y = 10 + 5 * rng.randn(40, 3), rng.randint(0, 3, 40)
    pipe = _fit(make_pipeline(StandardScaler(), BackpropMLPClassifier((4,), max_iter=10, random_state=0)), X, y)
    through, direct = trace_backprop(pipe, X[:3], y[:3]), trace_backprop(pipe[-1], pipe[0].transform(X[:3]), y[:3])
    np.testing.assert_allclose(through.layers[1].a_prev[:, :, 0], pipe[0].transform(X[:3]))
    for k in through.layers:
        np.testing.assert_array_equal(through.layers[k].grad_W, direct.layers[k].grad_W)
    assert trace_backprop(pipe, X[0], y[0]).cost == pytest.approx(through.cost[0])


def test_the_model_is_not_modified():
    clf, X, y = _classifier("multiclass", "relu", alpha=0.5)
    before = copy.deepcopy(clf)
    trace = trace_backprop(clf, X[:3], y[:3], penalty=True)
    trace.layers[1].W[...] = 0  # the trace's arrays are its own
    for now, then in zip(clf.coefs_ + clf.intercepts_, before.coefs_ + before.intercepts_):
        np.testing.assert_array_equal(now, then)


# ------------------------------------------------------------------------ errors
def test_errors_are_clear():
    clf, X, y = _classifier("multiclass", "relu")
    with pytest.raises(NotFittedError):
        trace_backprop(BackpropMLPClassifier(), X[:2], y[:2])
    with pytest.raises(NotFittedError):
        trace_backprop(make_pipeline(StandardScaler(), BackpropMLPClassifier()), X[:2], y[:2])
    with pytest.raises(TypeError, match="BackpropMLPClassifier or BackpropMLPRegressor"):
        trace_backprop(LogisticRegression().fit(X, y), X[:2], y[:2])
    with pytest.raises(ValueError, match="2 features, but BackpropMLPClassifier is expecting 3"):
        trace_backprop(clf, X[:2, :2], y[:2])
    with pytest.raises(ValueError, match="y has 3 samples, but X has 2"):
        trace_backprop(clf, X[:2], y[:3])
    with pytest.raises(ValueError, match=r"labels \[7\] that are not in classes_"):
        trace_backprop(clf, X[:2], [0, 7])
    with pytest.raises(ValueError, match="one class label per sample"):
        trace_backprop(clf, X[:2], np.zeros((2, 2), int))
    with pytest.raises(TypeError, match="penalty must be True or False"):
        trace_backprop(clf, X[:2], y[:2], penalty="l2")

    multilabel, X, y = _classifier("multilabel", "tanh")
    with pytest.raises(ValueError, match="indicator matrix with 3 columns"):
        trace_backprop(multilabel, X[:2], y[:2, :2])

    reg, X, y = _regressor("gamma", "tanh")
    with pytest.raises(ValueError, match="2 number"):
        trace_backprop(reg, X[:2], y[:2, 0])
    with pytest.raises(ValueError, match="strictly positive y"):
        trace_backprop(reg, X[:2], -y[:2])


# ------------------------------------------------------- the user guide's network
def _documented_network():
    """The 2-2-2 network of docs/user_guide/trace.rst, set up as the page does."""
    x, y = np.array([1.0, 0.5]), np.array([0.0, 1.0])
    net = BackpropMLPRegressor(
        hidden_layer_sizes=(2,), activation="logistic",
        solver="sgd", learning_rate_init=0.5, momentum=0.0, alpha=0.0,
    )
    net.partial_fit(x[np.newaxis], y[np.newaxis])
    W1, b1 = np.array([[0.1, -0.2], [0.4, 0.3]]), np.array([0.1, -0.1])
    W2, b2 = np.array([[0.5, -0.4], [0.2, 0.6]]), np.array([0.0, 0.1])
    net.coefs_ = [W1.T, W2.T]
    net.intercepts_ = [b1, b2]
    return net, x, y


def _printed_rows(text):
    """{(layer, symbol): rows of numbers} of the first sample's table."""
    rows, layer, symbol = {}, None, None
    for line in text.split("Sample 1:")[1].splitlines()[1:]:
        header = re.match(r"  layer (\d+) ", line)
        if header:
            layer = int(header.group(1))
            continue
        if line[:14].strip():
            symbol = line[:14].split()[0]
        rows.setdefault((layer, symbol), []).append([float(v) for v in line[50:].split()])
    return rows


def _sigmoid(z):
    return 1 / (1 + math.exp(-z))


def test_printed_numbers_match_a_hand_computation():
    net, x, y = _documented_network()
    printed = _printed_rows(str(trace_backprop(net, x, y)))

    # forward: z^1 = W^1 x + b^1, a^1 = σ(z^1), z^2 = W^2 a^1 + b^2, a^2 = z^2
    z1 = [0.1 * 1.0 - 0.2 * 0.5 + 0.1, 0.4 * 1.0 + 0.3 * 0.5 - 0.1]
    a1 = [_sigmoid(z1[0]), _sigmoid(z1[1])]
    z2 = [0.5 * a1[0] - 0.4 * a1[1] + 0.0, 0.2 * a1[0] + 0.6 * a1[1] + 0.1]
    # BP1 (squared error, identity output): δ^2 = a^2 − y
    d2 = [z2[0] - 0.0, z2[1] - 1.0]
    # BP2: δ^1 = ((W^2)ᵀ δ^2) ⊙ σ'(z^1), σ' = a (1 − a)
    s1 = [a1[0] * (1 - a1[0]), a1[1] * (1 - a1[1])]
    d1 = [(0.5 * d2[0] + 0.2 * d2[1]) * s1[0], (-0.4 * d2[0] + 0.6 * d2[1]) * s1[1]]
    expected = {
        (1, "a^0"): [[1.0, 0.5]],
        (1, "z^1"): [z1],
        (1, "a^1"): [a1],
        (1, "σ'(z^1)"): [s1],
        (1, "δ^1"): [d1],
        (1, "∂C/∂b^1"): [d1],  # BP3
        (1, "∂C/∂W^1"): [[d1[0] * 1.0, d1[0] * 0.5], [d1[1] * 1.0, d1[1] * 0.5]],  # BP4
        (2, "a^1"): [a1],
        (2, "z^2"): [z2],
        (2, "a^2"): [z2],
        (2, "y"): [[0.0, 1.0]],
        (2, "δ^2"): [d2],
        (2, "∂C/∂b^2"): [d2],
        (2, "∂C/∂W^2"): [[d2[0] * a1[0], d2[0] * a1[1]], [d2[1] * a1[0], d2[1] * a1[1]]],
    }
    assert set(printed) == set(expected)
    for key, rows in expected.items():
        # six significant digits are printed
        np.testing.assert_allclose(printed[key], rows, rtol=5e-6, atol=5e-7, err_msg=str(key))
    cost = 0.5 * (d2[0] ** 2 + d2[1] ** 2)
    assert f"cost C = {cost:.6g}" in str(trace_backprop(net, x, y))


def test_the_user_guide_shows_what_the_trace_prints():
    net, x, y = _documented_network()
    page = DOCS_PAGE.read_text(encoding="utf-8")
    block = page.split(".. trace-output-start")[1].split(".. trace-output-end")[0]
    shown = "\n".join(line[4:] for line in block.split(".. code-block:: text")[1].splitlines())
    assert shown.strip("\n") == str(trace_backprop(net, x, y))


def test_one_sgd_step_subtracts_the_traced_gradient():
    """What the guide shows: a step of plain SGD is W^l := W^l − η ∂C/∂W^l."""
    net, x, y = _documented_network()
    trace = trace_backprop(net, x, y)
    before = [(coef.T.copy(), intercept.copy()) for coef, intercept in zip(net.coefs_, net.intercepts_)]
    net.partial_fit(x[np.newaxis], y[np.newaxis])  # one epoch of one batch of one sample
    for k, (W, b) in enumerate(before, start=1):
        layer = trace.layers[k]
        np.testing.assert_allclose(net.coefs_[k - 1].T, W - 0.5 * layer.grad_W, rtol=1e-12)
        np.testing.assert_allclose(net.intercepts_[k - 1], b - 0.5 * layer.grad_b[:, 0], rtol=1e-12)


# ------------------------------------------------------------ printing wide layers
@pytest.fixture(scope="module")
def digits_trace():
    """A 64-64-32-10 network traced on one sample: the case that printed 245 lines."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    clf = BackpropMLPClassifier((64, 32), max_iter=3, random_state=0)
    clf = _fit(clf, X[:200] / 16, y[:200])
    return trace_backprop(clf, X[0] / 16, y[0]), clf


def _number_cells(line):
    return line[50:].split()


def test_wide_layers_are_summarized_and_the_arrays_kept(digits_trace):
    trace, clf = digits_trace
    text = str(trace)
    lines = text.splitlines()
    # 245 lines up to 825 characters wide before
    assert len(lines) < 100 and max(map(len, lines)) <= 150, (len(lines), max(map(len, lines)))
    assert "trace.to_string(max_columns=None, max_rows=None)" in text
    # W^2 is 32 × 64: its first 3 and last 3 rows, each with its first 3 and last
    # 3 entries around the ellipsis.
    W2 = trace.layers[2].W
    start = next(i for i, line in enumerate(lines) if line.startswith("    W^2 "))
    table = lines[start : start + 7]
    assert [_number_cells(line)[3] for line in table] == ["..."] * 7
    assert _number_cells(table[3]) == ["..."] * 7
    for line, i in zip(table[:3] + table[4:], [0, 1, 2, 29, 30, 31]):
        shown = [float(v) for k, v in enumerate(_number_cells(line)) if k != 3]
        np.testing.assert_allclose(shown, W2[i, [0, 1, 2, 61, 62, 63]], rtol=5e-6, atol=1e-12)
    # the trace object keeps every entry
    assert W2.shape == (32, 64) and trace.layers[1].grad_W.shape == (64, 64)
    np.testing.assert_array_equal(W2, clf.coefs_[1].T)


def test_numbers_are_always_separated(digits_trace):
    # Twelve-character numbers such as -0.000185751 used to touch their neighbours.
    trace, _ = digits_trace
    full = trace.to_string(max_columns=None, max_rows=None)
    numbers = re.compile(r"-?\d+(\.\d+)?(e[-+]\d+)?$")
    n_checked = 0
    for line in full.splitlines():
        if len(line) > 50 and line.startswith("    "):
            for cell in _number_cells(line):
                assert numbers.match(cell), (cell, line)
                n_checked += 1
    assert n_checked == sum(
        layer.W.size + layer.b.size + layer.a_prev.size + layer.z.size + layer.a.size
        + (0 if layer.sigma_prime is None else layer.sigma_prime.size)
        + layer.delta.size + layer.grad_b.size + layer.grad_W.size
        for layer in trace.layers.values()
    ) + trace.y.size
    # every row of every W^l and ∂C/∂W^l
    assert len(full.splitlines()) > 2 * sum(layer.W.shape[0] for layer in trace.layers.values())


def test_max_columns_and_max_rows(digits_trace):
    trace, _ = digits_trace
    lines = trace.to_string(max_columns=4, max_rows=2).splitlines()
    w1 = next(i for i, line in enumerate(lines) if line.startswith("    W^1 "))
    assert [len(_number_cells(line)) for line in lines[w1 : w1 + 3]] == [5, 5, 5]
    assert _number_cells(lines[w1 + 1]) == ["..."] * 5
    assert lines[w1 + 3].startswith("    b^1 ")
    # A small network is printed whole, without the note
    net, x, y = _documented_network()
    small = trace_backprop(net, x, y)
    assert str(small) == small.to_string(max_columns=None, max_rows=None)
    assert "to_string" not in str(small)
    for bad in (1, 0, -2, 2.5, True, "6"):
        with pytest.raises(ValueError, match="max_columns must be an int >= 2 or None"):
            trace.to_string(max_columns=bad)
        with pytest.raises(ValueError, match="max_rows must be an int >= 2 or None"):
            trace.to_string(max_rows=bad)
