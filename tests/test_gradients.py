"""Backpropagation (BP1–BP4) against central finite differences, in float64."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbp import BackpropMLPClassifier, check_gradients
from skbp._engine.losses import LogisticCrossEntropy, SoftmaxCrossEntropy
from skbp._engine.network import Network, Workspace
from skbp._engine.regularization import make_penalty
from skbp._tools.gradcheck import _central_differences

ACTIVATIONS = ["identity", "logistic", "tanh", "relu"]


def _targets(kind, rng, n):
    if kind == "multiclass":
        return rng.randint(0, 4, n)
    if kind == "binary":
        return rng.choice(["no", "yes"], n)
    return rng.randint(0, 2, (n, 3))  # multilabel indicator


def _fitted(kind, activation, alpha, rng, sample_weight=None, **params):
    X = rng.randn(30, 5)
    y = _targets(kind, rng, 30)
    clf = BackpropMLPClassifier(
        hidden_layer_sizes=(6, 4),
        activation=activation,
        alpha=alpha,
        max_iter=3,
        random_state=0,
        **params,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y, sample_weight=sample_weight)
    return clf, X, y


@pytest.mark.parametrize("kind", ["multiclass", "binary", "multilabel"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("alpha", [0.0, 0.5])
@pytest.mark.parametrize("weighted", [False, True])
def test_backprop_matches_finite_differences(kind, activation, alpha, weighted):
    rng = np.random.RandomState(0)
    sample_weight = rng.uniform(0.1, 3.0, 30) if weighted else None
    clf, X, y = _fitted(kind, activation, alpha, rng, sample_weight)
    expected_out = "softmax" if kind == "multiclass" else "logistic"
    assert clf.out_activation_ == expected_out
    assert check_gradients(clf, X, y, sample_weight=sample_weight) < 1e-6


@pytest.mark.parametrize("penalty", ["l1", "elasticnet"])
def test_l1_and_elastic_net_gradients(penalty):
    rng = np.random.RandomState(1)
    clf, X, y = _fitted("multiclass", "tanh", 0.3, rng, penalty=penalty, l1_ratio=0.5)
    # Finite differences of |w| are exact away from w = 0; initial weights are not 0.
    assert min(np.abs(c).min() for c in clf.coefs_) > 1e-5
    assert check_gradients(clf, X, y) < 1e-6


def test_gradient_through_fixed_dropout_masks():
    rng = np.random.RandomState(2)
    # Non-zero biases keep every net input off ReLU's kink even for a sample whose
    # inputs are all dropped (finite differences are meaningless across a kink).
    network = Network((5, 7, 6, 3), "relu", SoftmaxCrossEntropy()).initialize(rng, bias_init=0.1)
    X = rng.randn(12, 5)
    Y = np.eye(3)[rng.randint(0, 3, 12)]
    keep = [0.8, 0.5, 0.7]
    masks = [(rng.rand(12, n) < k) / k for n, k in zip((5, 7, 6), keep)]
    assert check_gradients(network, X, Y, masks=masks) < 1e-6


def test_gradient_on_sparse_input():
    rng = np.random.RandomState(3)
    X = sp.random(25, 40, density=0.1, format="csr", random_state=rng)
    Y = rng.randint(0, 2, (25, 2)).astype(float)
    network = Network((40, 8, 2), "logistic", LogisticCrossEntropy()).initialize(rng, bias_init=0.1)
    assert check_gradients(network, X, Y, sample_weight=rng.rand(25) + 0.5) < 1e-6


def test_check_gradients_detects_a_wrong_backward_pass(monkeypatch):
    """The referee must be able to fail: break BP2's derivative and watch it."""
    rng = np.random.RandomState(4)
    clf, X, y = _fitted("multiclass", "tanh", 0.0, rng)
    from skbp._engine import activations as _activations

    # σ' ≡ 1 instead of 1 − tanh²: BP2 loses its derivative.
    monkeypatch.setattr(_activations.Tanh, "derivative", _activations.Identity.derivative)
    assert check_gradients(clf, X, y) > 1e-3


def test_subset_of_parameters_is_checked_when_asked():
    rng = np.random.RandomState(5)
    clf, X, y = _fitted("multiclass", "logistic", 0.1, rng)
    assert check_gradients(clf, X, y, max_params=10, random_state=1) < 1e-6


def _trained_digits_pipeline(**params):
    X, y = load_digits(return_X_y=True)
    X, y = X[:300], y[:300]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = make_pipeline(
            StandardScaler(), BackpropMLPClassifier((32,), random_state=0, **params)
        ).fit(X, y)
    return model, X, y


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_trained_pipeline_is_checked_and_passes(activation):
    # A trained model has many gradients far below the cost's round-off; a
    # per-parameter relative error used to report 1.0 for a correct backprop.
    model, X, y = _trained_digits_pipeline(activation=activation)
    assert check_gradients(model, X, y) < 1e-6


def test_trained_pipeline_with_a_broken_bp2_fails_clearly(monkeypatch):
    model, X, y = _trained_digits_pipeline()
    from skbp._engine import activations as _activations

    monkeypatch.setattr(_activations.ReLU, "derivative", _activations.Identity.derivative)
    assert check_gradients(model, X, y) > 0.1


def test_check_gradients_rejects_other_models():
    from sklearn.neural_network import MLPClassifier

    X, y = np.random.RandomState(0).randn(20, 3), np.arange(20) % 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPClassifier((3,), max_iter=5).fit(X, y)
    with pytest.raises(TypeError, match="skbp estimator"):
        check_gradients(mlp, X, y)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("with_masks", [False, True])
def test_restarted_forward_pass_equals_full_cost_differences(sparse, with_masks):
    """The shortcut (restart the forward pass at the perturbed unit) is exact."""
    rng = np.random.RandomState(6)
    network = Network((6, 5, 4, 3), "tanh", SoftmaxCrossEntropy()).initialize(rng, bias_init=0.1)
    X = rng.randn(15, 6)
    if sparse:
        X[rng.rand(15, 6) < 0.6] = 0.0
        X = sp.csr_matrix(X)
    Y = np.eye(3)[rng.randint(0, 3, 15)]
    sw = rng.rand(15) + 0.5
    masks = None
    if with_masks:
        masks = [(rng.rand(15, n) < 0.7) / 0.7 for n in (6, 5, 4)]
    penalty = make_penalty("elasticnet", alpha=0.3, l1_ratio=0.5)
    ws = Workspace(network, 15)
    network.loss_and_gradient(X, Y, sw, penalty, ws, masks)
    indices = np.arange(network.params.size)
    eps = 1e-5
    shortcut = _central_differences(network, ws, Y, sw, penalty, masks, indices, eps)
    full = np.empty_like(shortcut)
    for i in indices:
        saved = network.params[i]
        network.params[i] = saved + eps
        plus = network.loss(X, Y, sw, penalty, masks=masks)
        network.params[i] = saved - eps
        minus = network.loss(X, Y, sw, penalty, masks=masks)
        network.params[i] = saved
        full[i] = (plus - minus) / (2 * eps)
    np.testing.assert_allclose(shortcut, full, rtol=1e-7, atol=1e-9)


def test_labels_the_model_does_not_know_are_refused():
    # The fitted binarizer would encode them as all-zero rows: a silently wrong cost.
    rng = np.random.RandomState(7)
    clf, X, y = _fitted("multiclass", "tanh", 0.0, rng)
    with pytest.raises(ValueError, match=r"labels \[9\] that are not in classes_"):
        check_gradients(clf, X, np.where(np.arange(len(y)) == 0, 9, y))


# --------------------------------------------------- what check_gradients refuses
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_features_are_refused(bad):
    # A NaN feature made every error NaN, which max() dropped: 0.0, "correct".
    rng = np.random.RandomState(8)
    clf, X, y = _fitted("multiclass", "tanh", 0.0, rng)
    X[3, 1] = bad
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        check_gradients(clf, X, y)
    network = _network_of(clf)
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        check_gradients(network, X, np.eye(4)[y])


def _network_of(clf):
    from skbp._tools.gradcheck import _network_from_estimator

    return _network_from_estimator(clf)


def test_a_non_finite_gradient_fails_the_check(monkeypatch):
    # A backward pass that yields NaN in one layer: max() over the layers used
    # to drop it and report the other layers' small error.
    rng = np.random.RandomState(9)
    clf, X, y = _fitted("multiclass", "tanh", 0.0, rng)
    from skbp._engine import activations as _activations

    def nan_derivative(self, z, a, out=None):
        return np.full_like(z, np.nan)  # σ'(z) = NaN: BP2 multiplies δ by it

    monkeypatch.setattr(_activations.Tanh, "derivative", nan_derivative)
    # BP2 runs below the output layer: layers 1 and 2 get NaN, layer 3 does not.
    with pytest.warns(RuntimeWarning, match=r"layer\(s\) \[1, 2\] is not finite"):
        assert check_gradients(clf, X, y) == np.inf


def test_an_overflowing_cost_fails_the_check():
    # Weights of 1e300 in two layers overflow the net inputs to inf and the
    # softmax to NaN: the check used to return 0.0.
    rng = np.random.RandomState(10)
    clf, X, y = _fitted("multiclass", "identity", 0.0, rng)
    clf.coefs_[0][...] = 1e300
    clf.coefs_[1][...] = 1e300
    with pytest.warns(RuntimeWarning, match="not finite"):
        assert check_gradients(clf, X, y) == np.inf


def test_huge_finite_gradients_are_compared_without_overflow():
    # The norms of gradients near 1e300 overflowed to inf and their ratio to NaN;
    # the error does not depend on the gradients' scale.
    # Here an ℓ2 penalty of alpha = 1e300 makes every weight's gradient about 1e299.
    rng = np.random.RandomState(14)
    network = Network((3, 4, 2), "tanh", SoftmaxCrossEntropy()).initialize(rng)
    X, Y = rng.randn(5, 3), np.eye(2)[rng.randint(0, 2, 5)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert check_gradients(network, X, Y, alpha=1e300) < 1e-6


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda X, y, sw: (X[:, :3], y, sw), "X has 3 features, but BackpropMLPClassifier is expecting 5"),
        (lambda X, y, sw: (X, y[:20], sw), "y has 20 samples, but X has 30"),
        (lambda X, y, sw: (X, y, sw[:20]), r"sample_weight.shape == \(20,\), expected \(30,\)"),
        (lambda X, y, sw: (X, y, 0 * sw), "Sample weights must contain at least one non-zero"),
        (lambda X, y, sw: (X, y, -sw), "Negative values in data passed to `sample_weight`"),
        (lambda X, y, sw: (X, y, np.where(sw > 1, np.nan, sw)), "sample_weight contains NaN"),
    ],
    ids=["X_width", "y_length", "sample_weight_length", "zero_weights", "negative_weights", "nan_weights"],
)
def test_data_errors_name_the_argument(change, message):
    rng = np.random.RandomState(11)
    clf, X, y = _fitted("multiclass", "tanh", 0.0, rng)
    X, y, sample_weight = change(X, y, rng.uniform(0.5, 2.0, 30))
    with pytest.raises(ValueError, match=message):
        check_gradients(clf, X, y, sample_weight=sample_weight)


def test_network_data_errors_name_the_argument():
    rng = np.random.RandomState(12)
    network = Network((5, 4, 3), "tanh", SoftmaxCrossEntropy()).initialize(rng)
    X, Y = rng.randn(10, 5), np.eye(3)[rng.randint(0, 3, 10)]
    with pytest.raises(ValueError, match="X has 4 features, but the network has 5 inputs"):
        check_gradients(network, X[:, :4], Y)
    with pytest.raises(ValueError, match="y has 9 samples, but X has 10"):
        check_gradients(network, X, Y[:9])
    with pytest.raises(ValueError, match=r"shape \(n_samples, 3\).*got shape \(10, 2\)"):
        check_gradients(network, X, Y[:, :2])


@pytest.mark.parametrize(
    "params, name",
    [
        (dict(epsilon=0.0), "epsilon"),
        (dict(epsilon=-1e-5), "epsilon"),
        (dict(max_params=-3), "max_params"),
        (dict(max_params=0), "max_params"),
        (dict(max_params=2.5), "max_params"),
        (dict(alpha=-1.0), "alpha"),
        (dict(penalty="l3"), "penalty"),
        (dict(l1_ratio=2.0), "l1_ratio"),
    ],
)
def test_parameter_errors_name_the_parameter(params, name):
    rng = np.random.RandomState(13)
    clf, X, y = _fitted("multiclass", "tanh", 0.0, rng)
    with pytest.raises(ValueError, match=f"The '{name}' parameter of check_gradients must be"):
        check_gradients(clf, X, y, **params)


def test_the_subset_follows_random_state():
    rng = np.random.RandomState(15)
    clf, X, y = _fitted("multiclass", "logistic", 0.1, rng)
    seeded = check_gradients(clf, X, y, max_params=7, random_state=3)
    assert check_gradients(clf, X, y, max_params=7, random_state=np.random.RandomState(3)) == seeded
