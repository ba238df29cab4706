"""The engine's messages name no estimator parameter; the estimators add them.

Issue 20 §2: ``learning_rate_init``, ``max_iter`` and ``initializer`` are the
estimators' names.  The engine (skbp/_engine) warns and raises in neutral
words and takes the advice for the user from its caller.
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skbp import BackpropMLPClassifier
from skbp._engine.hooks import Hooks, TrainingRun
from skbp._engine.initializers import InitializerError, Layer, initialize_layer
from skbp._engine.losses import LOSSES, make_loss
from skbp._engine.network import Network
from skbp._engine.optimizers import make_optimizer
from skbp._engine.training import DataSet, ValidationSet, train_lbfgs, train_stochastic

ESTIMATOR_NAMES = ("learning_rate_init", "max_iter", "'initializer'")


def _problem(scale=1.0):
    rng = np.random.RandomState(0)
    y = np.arange(80) % 3
    X = (rng.randn(80, 5) + y[:, None]) * scale
    return X, np.eye(3, dtype=bool)[y]


def _network(activation="tanh"):
    return Network((5, 8, 3), activation, make_loss("log_loss")).initialize(np.random.RandomState(0))


def _messages(caught):
    return [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]


@pytest.mark.parametrize("hint", ["", "Raise the budget."])
def test_lbfgs_convergence_warning_ends_with_the_callers_hint(hint):
    X, Y = _problem()
    network = _network()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        train_lbfgs(
            network, DataSet(X, Y), run=TrainingRun(network), hooks=Hooks([]),
            max_iter=2, max_fun=15000, tol=1e-12, budget_hint=hint,
        )
    (message,) = [m for m in _messages(caught) if "lbfgs failed to converge" in m]
    assert message.endswith(hint or ".")
    assert not any(name in message for name in ESTIMATOR_NAMES)


def test_estimator_lbfgs_warning_names_max_iter():
    X, Y = _problem()
    with pytest.warns(ConvergenceWarning, match=r"Increase the number of iterations \(max_iter\)"):
        BackpropMLPClassifier(solver="lbfgs", max_iter=2).fit(X, Y.argmax(1))


@pytest.mark.parametrize("hint", ["", "Lower the step size."])
def test_divergence_warning_ends_with_the_callers_hint(hint):
    X, Y = _problem(scale=1e3)  # unscaled features and a huge step: diverges
    network = _network("relu")
    train = DataSet(X[:60], Y[:60])
    validation = ValidationSet(
        X[60:], Y[60:], score=lambda logits: float(np.mean(logits.argmax(1) == Y[60:].argmax(1)))
    )
    run = TrainingRun(network, validation=validation)
    run.optimizer = make_optimizer(
        "sgd", network=network, learning_rate_init=1e6, weight_decay=0.0,
        momentum=0.9, nesterovs_momentum=True,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        train_stochastic(
            network, train, run=run, hooks=Hooks([]), rng=np.random.RandomState(0),
            batch_size=20, shuffle=True, max_epochs=50, validation=validation,
            divergence_hint=hint,
        )
    (message,) = [m for m in _messages(caught) if "Training diverged" in m]
    assert message.endswith(hint or "restored.")
    assert not any(name in message for name in ESTIMATOR_NAMES)


def test_initializer_errors_are_neutral_and_the_estimator_names_its_parameter():
    def transposed(fan_in, fan_out, rng, dtype):
        return np.zeros((fan_out, fan_in))

    with pytest.raises(InitializerError, match="shape") as engine_error:
        initialize_layer(transposed, Layer(6, 5, "relu", 0.01), np.random.RandomState(0), float)
    assert not any(name in str(engine_error.value) for name in ESTIMATOR_NAMES)
    with pytest.raises(ValueError, match="Unknown initializer 'xavier'") as unknown:
        initialize_layer("xavier", Layer(6, 5, "relu", 0.01), np.random.RandomState(0), float)
    assert not any(name in str(unknown.value) for name in ESTIMATOR_NAMES)

    X, Y = _problem()
    est = BackpropMLPClassifier(hidden_layer_sizes=(5,), initializer=transposed, max_iter=1)
    with pytest.raises(ValueError, match=r"^The 'initializer' parameter: .*shape"):
        est.fit(X, Y.argmax(1))


@pytest.mark.parametrize("name", list(LOSSES))
def test_canonical_flag_says_whether_bp1_collapses_to_a_minus_y(name):
    # The general BP1, ∇_a C through σ^L's derivative, equals a − y exactly
    # for the pairs that say they are canonical, and only for them.
    loss = make_loss(name)
    rng = np.random.RandomState(0)
    z = rng.randn(10, 3)
    y = np.eye(3)[rng.randint(3, size=10)] if name == "log_loss" else rng.rand(10, 3) + 0.5
    a = loss.activation(z.copy())
    grad = loss.grad_a(a, y)
    if loss.output_activation.name == "softmax":
        with pytest.raises(NotImplementedError, match="Jacobian"):
            loss.output_activation.derivative(z, a)
        # The Jacobian diag(a) − a aᵀ applied to ∇_a C.
        general = a * (grad - (grad * a).sum(axis=1, keepdims=True))
    else:
        general = grad * loss.output_activation.derivative(z, a)
    assert np.allclose(general, a - y, rtol=1e-10, atol=1e-12) == loss.canonical
    np.testing.assert_allclose(loss.delta(z, a, y), general, rtol=1e-10, atol=1e-12)
