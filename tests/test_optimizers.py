"""skbp's fused optimizers and its learning-rate schedules against scikit-learn's."""

import math

import numpy as np
import pytest
from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer

from skbp._engine.optimizers import OPTIMIZERS, SGD, Adam, make_optimizer
from skbp._engine.schedules import SCHEDULES, make_schedule


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
    ours = Adam(np.zeros(50), 50, 0.01, beta_1, beta_2, 1e-8)
    theirs = AdamOptimizer([np.zeros(50)], 0.01, beta_1, beta_2, 1e-8)
    a, b = _run(ours, theirs)
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("momentum,nesterov", [(0.0, False), (0.9, False), (0.9, True)])
def test_sgd_matches_scikit_learn(momentum, nesterov):
    ours = SGD(np.zeros(50), 50, 0.05, momentum, nesterov)
    theirs = SGDOptimizer([np.zeros(50)], 0.05, "constant", momentum, nesterov)
    a, b = _run(ours, theirs)
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_weight_decay_touches_weights_not_biases():
    params = np.ones(10)
    opt = SGD(params, n_weights=6, learning_rate_init=0.1, momentum=0.0, weight_decay=0.25)
    opt.step(params, np.zeros(10))
    np.testing.assert_array_equal(params[:6], 0.75)
    np.testing.assert_array_equal(params[6:], 1.0)


@pytest.mark.parametrize("solver", list(OPTIMIZERS))
def test_state_round_trip_continues_identically(solver):
    class Net:
        params = np.zeros(20)
        n_weights = 15

    settings = dict(
        learning_rate_init=0.01, weight_decay=0.0, momentum=0.9, nesterovs_momentum=True,
        beta_1=0.9, beta_2=0.999, epsilon=1e-8,
    )
    rng = np.random.RandomState(0)
    grads = rng.randn(6, 20)
    one, p_one = make_optimizer(solver, network=Net, **settings), np.zeros(20)
    for g in grads:
        one.step(p_one, g.copy())
    two, p_two = make_optimizer(solver, network=Net, **settings), np.zeros(20)
    for g in grads[:3]:
        two.step(p_two, g.copy())
    state = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in two.state().items()}
    assert all(isinstance(v, (int, float, np.ndarray)) for v in state.values())
    resumed = make_optimizer(solver, network=Net, **settings).load_state(state)
    for g in grads[3:]:
        resumed.step(p_two, g.copy())
    np.testing.assert_array_equal(p_one, p_two)


def test_an_unknown_solver_raises():
    with pytest.raises(ValueError, match="solver='newton'"):
        make_optimizer("newton", network=None)


def test_invscaling_follows_scikit_learn():
    ours = make_schedule("invscaling", solver="sgd", learning_rate_init=0.1, power_t=0.5)
    theirs = SGDOptimizer([np.zeros(3)], 0.1, "invscaling", power_t=0.5)
    assert ours.rate(0, 0) == 0.1 == theirs.learning_rate
    for epoch, t in ((1, 10), (2, 1000)):
        theirs.iteration_ends(t)
        assert ours.rate(epoch, t) == pytest.approx(theirs.learning_rate, rel=1e-15)


def test_adaptive_follows_scikit_learn():
    ours = make_schedule("adaptive", solver="sgd", learning_rate_init=0.1)
    theirs = SGDOptimizer([np.zeros(3)], 0.1, "adaptive")
    while True:
        lowered = ours.on_plateau()
        assert lowered == (not theirs.trigger_stopping("plateau.", verbose=False))
        assert ours.rate(0, 0) == pytest.approx(theirs.learning_rate, rel=1e-15)
        if not lowered:
            break
    assert ours.rate(0, 0) <= 1e-6


@pytest.mark.parametrize("name", ["invscaling", "adaptive"])
def test_adam_keeps_a_constant_rate_with_sgds_schedules(name):
    # scikit-learn: "learning_rate ... Only used when solver='sgd'".
    schedule = make_schedule(name, solver="adam", learning_rate_init=0.01, power_t=0.5)
    assert schedule.rate(5, 1000) == 0.01
    assert schedule.on_plateau() is False


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_cosine_anneals_to_zero_after_a_linear_warmup(solver):
    schedule = make_schedule(
        "cosine", solver=solver, learning_rate_init=0.1, max_iter=12, warmup_iter=2
    )
    rates = [schedule.rate(e, 0) for e in range(12)]
    assert rates[:3] == pytest.approx([0.05, 0.1, 0.1])
    # After the warm-up: 0.1 · ½ (1 + cos(π k / 10)) for k = 0..9, decreasing.
    expected = [0.1 * 0.5 * (1 + math.cos(math.pi * k / 10)) for k in range(10)]
    assert rates[2:] == pytest.approx(expected)
    assert all(a > b for a, b in zip(rates[2:], rates[3:]))
    assert 0 < rates[-1] < 0.003


def test_cosine_counts_epochs_from_its_origin_and_restarts_after_max_iter():
    schedule = make_schedule(
        "cosine", solver="sgd", learning_rate_init=0.1, max_iter=12, warmup_iter=2, origin=30
    )
    fresh = make_schedule("cosine", solver="sgd", learning_rate_init=0.1, max_iter=12, warmup_iter=2)
    # A fit that starts at epoch 30 of the model's life anneals as a fresh one ...
    assert [schedule.rate(30 + e, 0) for e in range(12)] == [fresh.rate(e, 0) for e in range(12)]
    # ... and past max_iter the cycle restarts, warm-up included: never a rate of 0.
    assert [schedule.rate(42 + e, 0) for e in range(12)] == [fresh.rate(e, 0) for e in range(12)]
    assert min(schedule.rate(e, 0) for e in range(30, 100)) > 0
    assert make_schedule("cosine", solver="sgd", learning_rate_init=0.1).load_state(
        schedule.state()
    ).origin == 30


def test_every_schedule_name_is_known_and_no_other():
    assert set(SCHEDULES) == {
        "constant", "invscaling", "adaptive", "cosine", "coslog4", "flat_cos"
    }
    with pytest.raises(ValueError, match="Unknown learning_rate 'step'"):
        make_schedule("step", solver="sgd", learning_rate_init=0.1)
