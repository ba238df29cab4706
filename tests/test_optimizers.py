"""skbp's fused optimizers against scikit-learn's reference implementations."""

import numpy as np
import pytest
from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer

from skbp._engine.optimizers import SGD, Adam


def _run(ours, theirs, n_params=50, n_steps=25, seed=0):
    rng = np.random.RandomState(seed)
    p_ours = rng.randn(n_params)
    p_theirs = [p_ours.copy()]
    for _ in range(n_steps):
        grad = rng.randn(n_params) * rng.choice([1e-6, 1.0, 1e3])
        ours.step(p_ours, grad.copy())  # step consumes its gradient
        theirs.update_params(p_theirs, [grad])
    return p_ours, p_theirs[0]


@pytest.mark.parametrize("beta_1,beta_2", [(0.9, 0.999), (0.5, 0.9), (0.0, 0.99)])
def test_adam_matches_scikit_learn(beta_1, beta_2):
    ours = Adam(50, 50, np.float64, 0.01, beta_1, beta_2, 1e-8)
    theirs = AdamOptimizer([np.zeros(50)], 0.01, beta_1, beta_2, 1e-8)
    a, b = _run(ours, theirs)
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("momentum,nesterov", [(0.0, False), (0.9, False), (0.9, True)])
def test_sgd_matches_scikit_learn(momentum, nesterov):
    ours = SGD(50, 50, np.float64, 0.05, "constant", momentum, nesterov)
    theirs = SGDOptimizer([np.zeros(50)], 0.05, "constant", momentum, nesterov)
    a, b = _run(ours, theirs)
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_weight_decay_touches_weights_not_biases():
    params = np.ones(10)
    opt = SGD(10, n_weights=6, dtype=np.float64, learning_rate_init=0.1, momentum=0.0, weight_decay=0.25)
    opt.step(params, np.zeros(10))
    np.testing.assert_array_equal(params[:6], 0.75)
    np.testing.assert_array_equal(params[6:], 1.0)


def test_invscaling_and_adaptive_schedules_follow_scikit_learn():
    ours = SGD(3, 3, np.float64, 0.1, "invscaling", power_t=0.5)
    theirs = SGDOptimizer([np.zeros(3)], 0.1, "invscaling", power_t=0.5)
    for t in (10, 1000):
        ours.iteration_ends(t)
        theirs.iteration_ends(t)
        assert ours.learning_rate == pytest.approx(theirs.learning_rate)
    adaptive = SGD(3, 3, np.float64, 0.1, "adaptive")
    assert adaptive.trigger_stopping("plateau.", verbose=False) is False
    assert adaptive.learning_rate == pytest.approx(0.02)
    adaptive.learning_rate = 1e-7
    assert adaptive.trigger_stopping("plateau.", verbose=False) is True
