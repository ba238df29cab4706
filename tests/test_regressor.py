"""BackpropMLPRegressor: MLPRegressor's API, the regression losses, learning, integration."""

import inspect
import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import mean_poisson_deviance, r2_score
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skbp import BackpropMLPRegressor, check_gradients
from skbp._engine.activations import ACTIVATIONS
from skbp._engine.losses import LOSSES, REGRESSION_LOSSES, make_loss

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _targets(loss, n, rng, n_outputs=1):
    """Targets in the loss's domain, far from the initial predictions (no kinks)."""
    shape = (n,) if n_outputs == 1 else (n, n_outputs)
    if loss == "poisson":
        return rng.poisson(3.0, shape).astype(float)
    if loss == "gamma":
        return rng.gamma(2.0, 1.5, shape)
    return 5.0 + rng.randn(*shape)


# ------------------------------------------------------------------ the API
def test_same_parameters_and_defaults_as_mlpregressor():
    ours = inspect.signature(BackpropMLPRegressor).parameters
    theirs = inspect.signature(MLPRegressor).parameters
    assert list(ours)[: len(theirs)] == list(theirs)
    for name, parameter in theirs.items():
        assert ours[name].default == parameter.default, name
        assert ours[name].kind == parameter.kind, name


def test_public_methods_have_mlpregressors_signatures():
    for name, method in inspect.getmembers(MLPRegressor, callable):
        if name.startswith("_") or name.startswith("set_") and name.endswith("_request"):
            continue
        ours = inspect.signature(getattr(BackpropMLPRegressor, name))
        assert list(ours.parameters) == list(inspect.signature(method).parameters), name


def test_fitted_attributes_include_mlpregressors():
    X, y = make_regression(n_samples=80, n_features=4, noise=1.0, random_state=0)
    for early_stopping in (False, True):
        theirs = MLPRegressor(max_iter=20, early_stopping=early_stopping, random_state=0).fit(X, y)
        ours = BackpropMLPRegressor(
            max_iter=20, early_stopping=early_stopping, random_state=0
        ).fit(X, y)
        for name in vars(theirs):
            if name.endswith("_") and not name.startswith("_"):
                assert hasattr(ours, name), name
        assert ours.n_layers_ == theirs.n_layers_ == 3
        assert ours.n_outputs_ == theirs.n_outputs_ == 1
        assert ours.out_activation_ == theirs.out_activation_ == "identity"
        assert ours.t_ == theirs.t_
        assert (ours.validation_scores_ is None) == (not early_stopping)
        for extra in ("history_", "best_epoch_", "validation_losses_"):
            assert hasattr(ours, extra)


@pytest.mark.parametrize("loss", REGRESSION_LOSSES)
def test_output_activation_follows_the_loss(loss):
    rng = np.random.RandomState(0)
    X = rng.randn(40, 3)
    reg = BackpropMLPRegressor(loss=loss, hidden_layer_sizes=(5,), max_iter=5).fit(
        X, _targets(loss, 40, rng)
    )
    assert reg.out_activation_ == ("exp" if loss in ("poisson", "gamma") else "identity")
    assert reg.out_activation_ == LOSSES[loss].output_activation.name
    if reg.out_activation_ == "exp":
        assert np.all(reg.predict(X) > 0)


def test_prediction_shapes_follow_the_target():
    rng = np.random.RandomState(0)
    X = rng.randn(30, 3)
    one = BackpropMLPRegressor(hidden_layer_sizes=(4,), max_iter=5).fit(X, rng.randn(30))
    assert one.predict(X).shape == (30,)
    many = BackpropMLPRegressor(hidden_layer_sizes=(4,), max_iter=5).fit(X, rng.randn(30, 3))
    assert many.predict(X).shape == (30, 3) and many.n_outputs_ == 3
    with pytest.warns(Warning, match="column-vector"):
        column = BackpropMLPRegressor(hidden_layer_sizes=(4,), max_iter=5).fit(X, rng.randn(30, 1))
    assert column.predict(X).shape == (30,)


def test_a_new_fit_may_change_the_number_of_outputs():
    rng = np.random.RandomState(0)
    X = rng.randn(30, 3)
    reg = BackpropMLPRegressor(hidden_layer_sizes=(4,), max_iter=3).fit(X, rng.randn(30, 2))
    assert reg.fit(X, rng.randn(30)).predict(X).shape == (30,)


def test_inputs_dense_sparse_dataframe_float32_and_weights():
    import pandas as pd
    rng = np.random.RandomState(0)
    X, y = rng.randn(60, 4), rng.randn(60)
    dense = BackpropMLPRegressor(hidden_layer_sizes=(5,), max_iter=10, random_state=0).fit(X, y)
    sparse = BackpropMLPRegressor(hidden_layer_sizes=(5,), max_iter=10, random_state=0).fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(dense.predict(X), sparse.predict(X), rtol=1e-10)
    frame = pd.DataFrame(X, columns=list("abcd"))
    named = BackpropMLPRegressor(hidden_layer_sizes=(5,), max_iter=10, random_state=0).fit(frame, y)
    assert list(named.feature_names_in_) == list("abcd")
    single = BackpropMLPRegressor(hidden_layer_sizes=(5,), max_iter=10).fit(X.astype(np.float32), y)
    assert single.coefs_[0].dtype == np.float32
    assert single.predict(X.astype(np.float32)).dtype == np.float32
    weights = rng.randint(0, 3, 60).astype(float)
    weighted = BackpropMLPRegressor(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=50, random_state=0)
    repeated = clone(weighted)
    weighted.fit(X, y, sample_weight=weights)
    repeated.fit(np.repeat(X, weights.astype(int), axis=0), np.repeat(y, weights.astype(int)))
    np.testing.assert_allclose(weighted.predict(X), repeated.predict(X), rtol=1e-6, atol=1e-8)


# --------------------------------------------------------- target checks
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_targets_are_refused(bad):
    X, y = np.random.RandomState(0).randn(20, 2), np.ones(20)
    y[3] = bad
    with pytest.raises(ValueError, match="Input y contains"):
        BackpropMLPRegressor(max_iter=2).fit(X, y)


def test_poisson_needs_non_negative_targets():
    X, y = np.random.RandomState(0).randn(20, 2), np.arange(20.0)
    y[0] = -1
    with pytest.raises(ValueError, match="loss='poisson' requires non-negative y"):
        BackpropMLPRegressor(loss="poisson", max_iter=2).fit(X, y)


def test_gamma_needs_positive_targets():
    X, y = np.random.RandomState(0).randn(20, 2), np.arange(20.0)  # y[0] == 0
    with pytest.raises(ValueError, match="loss='gamma' requires strictly positive y"):
        BackpropMLPRegressor(loss="gamma", max_iter=2).fit(X, y)


@pytest.mark.parametrize("quantile", [0.0, 1.0, -0.5, 2])
def test_quantile_outside_the_open_unit_interval_is_refused(quantile):
    X, y = np.random.RandomState(0).randn(20, 2), np.arange(20.0)
    with pytest.raises(InvalidParameterError, match="'quantile' parameter"):
        BackpropMLPRegressor(loss="quantile", quantile=quantile, max_iter=2).fit(X, y)


def test_unknown_loss_is_refused_with_the_list():
    X, y = np.random.RandomState(0).randn(20, 2), np.arange(20.0)
    with pytest.raises(InvalidParameterError, match="'loss' parameter .* Got 'huber'"):
        BackpropMLPRegressor(loss="huber", max_iter=2).fit(X, y)


@pytest.mark.parametrize("loss", sorted(set(REGRESSION_LOSSES) - {"quantile"}))
def test_a_quantile_without_the_quantile_loss_warns(loss):
    # Ignored silently before; the CLI refuses --quantile without --loss quantile.
    X = np.random.RandomState(0).randn(20, 2)
    y = np.abs(X[:, 0]) + 1
    reg = BackpropMLPRegressor(loss=loss, quantile=0.9, max_iter=2)
    with pytest.warns(UserWarning, match=r"quantile=0.9 is only used when loss='quantile'; "
                      rf"got loss='{loss}'"):
        reg.fit(X, y)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="quantile=")
        reg.set_params(quantile=0.5).fit(X, y)  # the default says nothing
        reg.set_params(loss="quantile", quantile=0.9).fit(X, y)


# --------------------------------------------------- the losses' BP1 and costs
@pytest.mark.parametrize("loss", REGRESSION_LOSSES)
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("alpha", [0.0, 0.3])
@pytest.mark.parametrize("weighted", [False, True])
def test_backprop_matches_finite_differences(loss, activation, alpha, weighted):
    rng = np.random.RandomState(0)
    X = rng.randn(25, 4)
    y = _targets(loss, 25, rng, n_outputs=2)
    sample_weight = rng.uniform(0.2, 3.0, 25) if weighted else None
    reg = BackpropMLPRegressor(
        loss=loss, hidden_layer_sizes=(6, 5), activation=activation, alpha=alpha,
        max_iter=3, bias_init=0.1, random_state=0, quantile=0.7 if loss == "quantile" else 0.5,
    ).fit(X, y, sample_weight=sample_weight)
    assert check_gradients(reg, X, y, sample_weight=sample_weight) < 1e-6


@pytest.mark.parametrize("name", list(LOSSES))
def test_costs_and_deltas_stay_finite_for_huge_net_inputs(name):
    loss = make_loss(name)
    for dtype in (np.float32, np.float64):
        z = np.array([[1e4, -1e4], [-1e4, 1e4]], dtype=dtype)
        y = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=dtype)
        if name == "gamma":
            y += 0.5
        a = loss.activation(z.copy())
        assert np.isfinite(loss.fn(z, y))
        assert np.all(np.isfinite(loss.delta(z, a, y)))


@pytest.mark.parametrize("name", ["binary_log_loss", "squared_error", "poisson"])
def test_canonical_pairs_collapse_the_general_bp1_to_a_minus_y(name):
    loss = make_loss(name)
    rng = np.random.RandomState(0)
    z = rng.randn(10, 3)
    y = rng.rand(10, 3) if name != "poisson" else rng.poisson(2.0, (10, 3)).astype(float)
    a = loss.activation(z.copy())
    general = loss.grad_a(a, y) * loss.output_activation.derivative(z, a)
    np.testing.assert_allclose(general, a - y, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(loss.delta(z, a, y), a - y, rtol=1e-12)


def test_gamma_bp1_is_the_general_product_not_a_minus_y():
    loss = make_loss("gamma")
    z, y = np.array([[0.3, -1.0]]), np.array([[2.0, 0.5]])
    a = np.exp(z)
    np.testing.assert_allclose(loss.delta(z, a, y), 1 - y / a, rtol=1e-14)
    assert not np.allclose(loss.delta(z, a, y), a - y)


# ------------------------------------------------------------------ learning
def _diabetes_cv(estimator):
    X, y = load_diabetes(return_X_y=True)
    model = TransformedTargetRegressor(
        regressor=make_pipeline(StandardScaler(), estimator), transformer=StandardScaler()
    )
    cv = KFold(5, shuffle=True, random_state=0)
    return cross_val_score(model, X, y, cv=cv, scoring="r2").mean()


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_diabetes_r2_matches_mlpregressor(solver):
    params = dict(solver=solver, hidden_layer_sizes=(32,), alpha=1.0, max_iter=300, random_state=0)
    ours = _diabetes_cv(BackpropMLPRegressor(**params))
    theirs = _diabetes_cv(MLPRegressor(**params))
    assert ours >= theirs - 0.01, (ours, theirs)


def _counts(n, seed):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 5)
    log_mean = 0.4 * X[:, 0] - 0.6 * X[:, 1] + 0.3 * X[:, 2] * X[:, 3] + 0.5
    return X, rng.poisson(np.exp(log_mean)).astype(float)


def test_poisson_loss_fits_counts_better_than_squared_error_and_mlpregressor():
    X, y = _counts(3000, 0)
    X_test, y_test = _counts(3000, 1)
    params = dict(hidden_layer_sizes=(32,), max_iter=100, random_state=0)
    deviance = {
        name: mean_poisson_deviance(y_test, np.clip(model.fit(X, y).predict(X_test), 1e-9, None))
        for name, model in {
            "ours_poisson": BackpropMLPRegressor(loss="poisson", **params),
            "theirs_poisson": MLPRegressor(loss="poisson", **params),
            "ours_squared": BackpropMLPRegressor(loss="squared_error", **params),
        }.items()
    }
    assert deviance["ours_poisson"] <= deviance["theirs_poisson"], deviance
    assert deviance["ours_poisson"] < deviance["ours_squared"], deviance


def test_a_0_9_quantile_model_covers_ninety_percent():
    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, (4000, 2))
    y = X[:, 0] + (0.5 + 0.4 * np.abs(X[:, 1])) * rng.randn(4000)  # heteroscedastic
    model = BackpropMLPRegressor(
        loss="quantile", quantile=0.9, hidden_layer_sizes=(32,), learning_rate_init=0.01,
        max_iter=100, random_state=0,
    ).fit(X[:2000], y[:2000])
    coverage = np.mean(y[2000:] <= model.predict(X[2000:]))
    assert abs(coverage - 0.9) <= 0.05, coverage


def test_early_stopping_scores_are_validation_r2(recorded_split):
    X, y = make_regression(n_samples=200, n_features=5, noise=10.0, random_state=0)
    reg = BackpropMLPRegressor(
        hidden_layer_sizes=(16,), early_stopping=True, learning_rate_init=0.01, random_state=0
    ).fit(X, y)
    val = recorded_split["is_val"]
    # The restored weights are those of the best epoch: their validation R² is it.
    assert reg.best_validation_score_ == pytest.approx(
        r2_score(y[val], reg.predict(X[val])), rel=1e-10
    )
    assert reg.best_validation_score_ == reg.validation_scores_[reg.best_epoch_ - 1]


# --------------------------------------------------------------- integration
def test_pipeline_grid_search_clone_pickle_and_gradients():
    X, y = make_regression(n_samples=120, n_features=5, noise=5.0, random_state=0)
    pipe = make_pipeline(StandardScaler(), BackpropMLPRegressor(hidden_layer_sizes=(8,), random_state=0))
    grid = GridSearchCV(
        pipe, {"backpropmlpregressor__alpha": [1e-4, 1e-1]}, cv=3
    ).fit(X, y)
    assert grid.best_estimator_[-1].n_iter_ > 0
    model = grid.best_estimator_
    copy = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(copy.predict(X), model.predict(X))
    assert clone(model[-1]).get_params() == model[-1].get_params()
    assert not hasattr(clone(model[-1]), "coefs_")
    assert check_gradients(model, X[:40], y[:40]) < 1e-6


def test_partial_fit_takes_sample_weight_and_is_absent_for_lbfgs():
    rng = np.random.RandomState(0)
    X, y, w = rng.randn(40, 3), rng.randn(40), rng.uniform(0.5, 2, 40)
    positional = BackpropMLPRegressor(random_state=0).partial_fit(X, y, w)
    keyword = BackpropMLPRegressor(random_state=0).partial_fit(X, y, sample_weight=w)
    np.testing.assert_array_equal(positional.coefs_[0], keyword.coefs_[0])
    assert positional.n_iter_ == 1
    assert not hasattr(BackpropMLPRegressor(solver="lbfgs"), "partial_fit")


def test_training_curve_display_labels_the_score_r2():
    import matplotlib

    matplotlib.use("Agg")
    from skbp import TrainingCurveDisplay

    X, y = make_regression(n_samples=100, n_features=3, noise=5.0, random_state=0)
    reg = BackpropMLPRegressor(hidden_layer_sizes=(8,), early_stopping=True, random_state=0).fit(X, y)
    display = TrainingCurveDisplay.from_estimator(reg)
    assert display.score_ax_.get_ylabel() == "Validation R²"
    assert display.lines_["val_score"].get_label() == "validation R²"


def test_warnings_free_fit_on_well_posed_data():
    X, y = make_regression(n_samples=200, n_features=4, noise=1.0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        BackpropMLPRegressor(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=2000, random_state=0).fit(X, y)


# ----------------------------------------- divergence, as scikit-learn judges it
@pytest.mark.parametrize("max_iter", [5, 7, 8, 20])
def test_check_regressor_multioutput_passes_where_mlpregressor_passes(max_iter):
    # On the check's unscaled 11 x 10 problem with 5 targets, SGD at 0.01 makes the
    # outputs overflow within 7 epochs while the weights stay finite (not divergence:
    # MLPRegressor passes); from epoch 8 the weights overflow too, and both fail
    # with "Solver produced non-finite parameter weights".
    from sklearn.utils.estimator_checks import check_regressor_multioutput

    outcomes = []
    for cls in (MLPRegressor, BackpropMLPRegressor):
        est = cls(solver="sgd", learning_rate_init=0.01, max_iter=max_iter, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            warnings.simplefilter("ignore", ConvergenceWarning)
            try:
                check_regressor_multioutput(cls.__name__, est)
                outcomes.append("passed")
            except ValueError as exc:
                assert "Solver produced non-finite parameter weights" in str(exc)
                outcomes.append("non-finite weights")
    assert outcomes[1] == outcomes[0]
    assert outcomes[0] == ("passed" if max_iter <= 7 else "non-finite weights")


def test_an_overflowing_cost_with_finite_weights_keeps_training_and_ends_finite():
    # Epoch 7 of the problem above: the cost explodes (4e246) and the outputs
    # overflow, the weights are finite.
    # fit returns (as MLPRegressor does), with the lowest-loss epoch's weights
    # restored and a warning, instead of MLPRegressor's infinite predictions.
    X, y = make_regression(random_state=42, n_targets=5, n_samples=11, n_features=10)
    reg = BackpropMLPRegressor(solver="sgd", learning_rate_init=0.01, max_iter=7, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.warns(ConvergenceWarning, match="outputs overflow on the training data"):
            reg.fit(X, y)
    assert len(reg.loss_curve_) == 7 and reg.loss_curve_[-1] > 1e200
    assert np.isfinite(reg.predict(X)).all()
    assert reg.loss_curve_[reg.best_epoch_ - 1] == min(reg.loss_curve_)
