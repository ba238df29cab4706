"""TabularMLPClassifier / TabularMLPRegressor and the engine pieces they brought.

Engine: label smoothing (gradient-checked), the schedule shapes (coslog4,
flat_cos), the per-epoch factor hook, model selection without stopping.
Estimators: scikit-learn's checks over cheap configurations (split into lists
as in test_common), raw tables (pandas and polars, categories, strings, NaN,
unseen categories), the
regression target's standardization and clipping, every ingredient's switch,
warm start, callbacks, persistence, and learning against BackpropMLP's defaults.
"""

import pickle
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes, load_digits, make_classification
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import check_sample_weight_equivalence_on_dense_data
from sklearn_checks import (
    ALL,
    TRAINING,
    TRAINING_AND_INPUT,
    changes_from_defaults,
    checks_in_no_list,
    param_id,
    run_check,
    selected_checks,
)

from skbp import (
    BackpropMLPClassifier,
    BackpropMLPRegressor,
    TabularMLPClassifier,
    TabularMLPRegressor,
    check_gradients,
    trace_backprop,
)
from skbp._engine.hooks import (
    EpochHook,
    Hooks,
    ScheduledFactor,
    StoppingRule,
    TrainingRun,
)
from skbp._engine.losses import LogisticCrossEntropy, SoftmaxCrossEntropy
from skbp._engine.network import Network
from skbp._engine.optimizers import make_optimizer
from skbp._engine.schedules import SHAPES, Shaped, progress
from skbp._engine.stopping import BestValidationEpoch
from skbp._engine.training import DataSet, ValidationSet, train_stochastic

# ----------------------------------------------------------- label smoothing


@pytest.mark.parametrize("loss, n_outputs", [(SoftmaxCrossEntropy, 4), (LogisticCrossEntropy, 3)])
@pytest.mark.parametrize("epsilon", [0.0, 0.1, 0.3])
def test_label_smoothing_gradient_matches_finite_differences(loss, n_outputs, epsilon):
    rng = np.random.RandomState(0)
    network = Network((5, 7, n_outputs), "tanh", loss(label_smoothing=epsilon))
    network.initialize(rng, bias_init=0.1)
    X = rng.randn(20, 5)
    if loss is SoftmaxCrossEntropy:
        Y = np.eye(n_outputs, dtype=bool)[rng.randint(0, n_outputs, 20)]
    else:
        Y = rng.rand(20, n_outputs) < 0.5
    assert check_gradients(network, X, Y, sample_weight=rng.rand(20) + 0.5) < 1e-6


def test_bp1_with_label_smoothing_is_a_minus_the_smoothed_target():
    rng = np.random.RandomState(1)
    z = rng.randn(6, 4)
    Y = np.eye(4, dtype=bool)[[0, 1, 2, 3, 0, 1]]
    loss = SoftmaxCrossEntropy(label_smoothing=0.2)
    a = loss.activation(z)
    smoothed = 0.8 * Y + 0.05  # (1 − ε) y + ε/K with K = 4
    np.testing.assert_allclose(loss.delta(z, a, Y), a - smoothed)
    # The cost is minimal where the output equals ỹ: there δ vanishes.
    z_star = np.log(smoothed)
    np.testing.assert_allclose(loss.delta(z_star, loss.activation(z_star), Y), 0, atol=1e-12)
    assert loss.fn(z_star, Y) < loss.fn(z_star + 0.1 * rng.randn(6, 4), Y)


def test_label_smoothing_keeps_float32():
    loss = LogisticCrossEntropy(label_smoothing=0.1)
    z = np.zeros((3, 2), np.float32)
    Y = np.ones((3, 2), bool)
    assert loss.delta(z, loss.activation(z.copy()), Y).dtype == np.float32


# ------------------------------------------------------------------ schedules


def test_coslog4_has_four_cycles_whose_lengths_double():
    coslog4 = SHAPES["coslog4"]
    restarts = [0.0, 1 / 15, 3 / 15, 7 / 15, 1.0]
    for t in restarts:
        assert coslog4(t) == pytest.approx(0.0, abs=1e-12)
    # Each cycle peaks at 1 halfway through it in log time: 1 + 15 t = 2^(c + ½).
    for c in range(4):
        assert coslog4((2 ** (c + 0.5) - 1) / 15) == pytest.approx(1.0)
    assert [b - a for a, b in zip(restarts[1:], restarts[2:])] == pytest.approx(
        [2 / 15, 4 / 15, 8 / 15]
    )


def test_flat_cos_is_flat_then_anneals_to_zero():
    flat_cos = SHAPES["flat_cos"]
    assert [flat_cos(t) for t in (0.0, 0.25, 0.49)] == [1.0, 1.0, 1.0]
    values = [flat_cos(0.5 + k / 20) for k in range(11)]
    assert values[0] == pytest.approx(1.0) and values[-1] == pytest.approx(0.0, abs=1e-12)
    assert all(a > b for a, b in zip(values, values[1:]))


def test_the_tabular_guide_tabulates_exactly_the_shapes():
    text = (Path(__file__).resolve().parents[1] / "docs/user_guide/tabular.rst").read_text()
    section = text[text.index("Schedules\n=========") : text.index("coslog4 is cosine")]
    assert re.findall(r'\* - ``"(\w+)"``', section) == list(SHAPES)


def test_shaped_rate_is_evaluated_at_the_middle_of_each_epoch_from_its_start():
    schedule = Shaped(0.1, max_iter=10, origin=5, shape="coslog4")
    assert schedule.rate(5, 0) == pytest.approx(0.1 * SHAPES["coslog4"](0.05))
    assert schedule.rate(14, 0) == pytest.approx(0.1 * SHAPES["coslog4"](0.95))
    assert all(schedule.rate(e, 0) > 0 for e in range(5, 15))
    assert schedule.rate(15, 0) == schedule.rate(5, 0)  # a stream starts over
    assert progress(9, 10) == 0.95


@pytest.mark.parametrize("shape", ["coslog4", "flat_cos"])
def test_backprop_estimators_take_the_shapes_as_learning_rate(shape):
    X, y = make_classification(100, 5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = BackpropMLPClassifier(
            hidden_layer_sizes=(8,), learning_rate=shape, learning_rate_init=0.01,
            max_iter=8, random_state=0,
        ).fit(X, y)
    rates = [record["learning_rate"] for record in clf.history_]
    assert rates == pytest.approx([0.01 * SHAPES[shape]((e + 0.5) / 8) for e in range(8)])


def test_scheduled_factor_sets_the_value_of_each_epoch():
    seen = []
    hook = ScheduledFactor("flat_cos", 4, lambda run, factor: seen.append(factor))
    run = TrainingRun(network=None, history=[{"epoch": 1}])  # one epoch of an earlier fit
    for _ in range(4):
        hook.on_epoch_begin(run)
        run.history.append({})
    assert seen == pytest.approx([SHAPES["flat_cos"](t) for t in (0.125, 0.375, 0.625, 0.875)])


def _coslog4(t):  # pytabkit's formula, written out independently of SHAPES
    return 0.5 * (1.0 - np.cos(2.0 * np.pi * np.log2(1.0 + 15.0 * t)))


def _flat_cos(t):
    return 1.0 if t < 0.5 else 0.5 * (1.0 + np.cos(np.pi * (2.0 * t - 1.0)))


def test_tabular_schedules_are_evaluated_before_every_step(monkeypatch):
    """Step r of epoch e runs at t = (e + r b / m) / E, as pytabkit: batch b, and
    m = b ⌊n / b⌋ rows an epoch (the last, smaller batch is skipped)."""
    from skbp._engine.optimizers import Adam
    from skbp._engine.regularization import Dropout

    seen = []
    step, mask = Adam.step, Dropout.mask

    def recording_step(self, params, grad):
        seen.append((self.learning_rate, self.weight_decay))
        return step(self, params, grad)

    rates = []

    def recording_mask(self, layer, *args, **kwargs):
        if layer == 1:
            rates.append(self.rates[1])
        return mask(self, layer, *args, **kwargs)

    monkeypatch.setattr(Adam, "step", recording_step)
    monkeypatch.setattr(Dropout, "mask", recording_mask)
    n, batch, epochs = 70, 16, 3  # 4 steps per epoch; the last 6 rows (other ones each epoch) wait
    m = 64
    X = np.random.RandomState(0).randn(n, 3)
    y = X[:, 0]
    model = TabularMLPRegressor(
        hidden_layer_sizes=(4,), batch_size=batch, max_iter=epochs, validation_fraction=0.0,
        learning_rate_init=0.2, weight_decay=0.02, dropout=0.15, random_state=0,
    ).fit(X, y)
    assert model.t_ == epochs * m
    t = np.array([(e + start / m) / epochs for e in range(epochs) for start in range(0, m, batch)])
    learning_rates = 0.2 * _coslog4(t)
    assert len(seen) == len(t)
    assert seen[0][0] == 0.0  # the first step: coslog4's start
    np.testing.assert_allclose([lr for lr, _ in seen], learning_rates, rtol=1e-12, atol=1e-15)
    decays = learning_rates * 0.02 * np.array([_flat_cos(u) for u in t])
    np.testing.assert_allclose([wd for _, wd in seen], decays, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(rates, [0.15 * _flat_cos(u) for u in t], rtol=1e-12)


def test_without_shuffling_every_row_trains():
    """drop_last skips the same rows every epoch when the order is fixed: not then."""
    X = np.random.RandomState(0).randn(70, 3)
    model = TabularMLPRegressor(
        hidden_layer_sizes=(4,), batch_size=16, max_iter=2, validation_fraction=0.0,
        shuffle=False, random_state=0,
    ).fit(X, X[:, 0])
    assert model.t_ == 2 * 70


def test_backprop_estimators_have_no_per_step_hooks():
    hooks = Hooks([ScheduledFactor("flat_cos", 4, lambda run, factor: None), _History()])
    assert hooks.step_hooks == []
    assert Hooks([ScheduledFactor("flat_cos", 4, None, per_step=True)]).step_hooks


# ------------------------------------------------------- model selection


class _Snapshots(EpochHook):
    def __init__(self):
        self.params = []

    def on_epoch_end(self, run, record):
        self.params.append(run.network.params.copy())


def test_best_validation_epoch_trains_every_epoch_and_restores_the_best():
    X, y = make_classification(120, 6, n_informative=4, flip_y=0.3, random_state=0)
    Y = np.eye(2, dtype=bool)[y]
    network = Network((6, 32, 2), "relu", SoftmaxCrossEntropy()).initialize(
        np.random.RandomState(0)
    )
    train = DataSet(X[:80], Y[:80])

    def accuracy(logits):
        return float(np.mean(logits.argmax(1) == y[80:]))

    validation = ValidationSet(X[80:], Y[80:], score=accuracy)
    run = TrainingRun(network, validation=validation)
    run.optimizer = make_optimizer(
        "adam", network=network, learning_rate_init=0.05, weight_decay=0.0,
        beta_1=0.9, beta_2=0.999, epsilon=1e-8,
    )
    rule = BestValidationEpoch()
    snapshots = _Snapshots()
    hooks = Hooks([snapshots, StoppingRule(rule, Shaped(0.05), restore_best=True), _History()])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        train_stochastic(
            network, train, run=run, hooks=hooks, rng=np.random.RandomState(0), batch_size=16,
            shuffle=True, max_epochs=40, validation=validation,
        )
    assert len(run.history) == 40  # never stopped
    scores = [record["val_score"] for record in run.history]
    assert scores[run.best_epoch - 1] == max(scores)
    assert run.best_epoch < 40  # the case that matters: not the last epoch
    np.testing.assert_array_equal(network.params, snapshots.params[run.best_epoch - 1])


class _History(EpochHook):
    def on_epoch_end(self, run, record):
        run.history.append(record)


# ------------------------------------------------------ scikit-learn checks

#: Every ingredient off: the plain network under the tabular training plan.
OFF = dict(
    numerical_embedding=None, feature_scaling=False, parametric_activation=False,
    data_driven_init=False, lr_factors=False, parametrization="standard",
    activation="relu", learning_rate_init=0.01,
)
#: Small but complete: every ingredient on.
SMALL = dict(hidden_layer_sizes=(16, 16), max_iter=40, batch_size=32)

#: (configuration, which checks it runs, what it is here to cover). The lists
#: and what each runs are test_common's (sklearn_checks.py): the whole list on
#: each estimator's small default, the training checks where a path differs.
CONFIGURATIONS = [
    (
        TabularMLPClassifier(**SMALL), ALL,
        "the defaults, smaller: every ingredient on, model selection on a held-out split",
    ),
    (
        TabularMLPClassifier(
            **{**SMALL, "batch_size": 256}, **OFF, validation_fraction=0.0, label_smoothing=0.0
        ),
        TRAINING, "every ingredient off, full batches, no validation split, hard targets",
    ),
    (
        TabularMLPClassifier(
            **SMALL, dtype="float64", early_stopping=True, validation_fraction=0.3
        ),
        TRAINING_AND_INPUT, "float64 throughout; early stopping on the held-out split",
    ),
    (
        TabularMLPRegressor(**SMALL), ALL,
        "the defaults, smaller: standardized, clipped target; every ingredient on",
    ),
    (
        TabularMLPRegressor(
            **{**SMALL, "batch_size": 256}, **OFF, clip_predictions=False, validation_fraction=0.0
        ),
        TRAINING, "every ingredient off, unclipped predictions, no validation split",
    ),
    # The checks' numeric column 0 read as a category: nearly every value is a
    # level of its own, so it is high-cardinality and goes through the embedding.
    (
        TabularMLPClassifier(**SMALL, categorical_features=[0], high_cardinality="embedding"),
        TRAINING, "a categorical embedding in front (codes, unseen levels at predict)",
    ),
    (
        TabularMLPRegressor(**SMALL, categorical_features=[0], high_cardinality="embedding"),
        TRAINING, "a categorical embedding in front (codes, unseen levels at predict)",
    ),
]


def _expected_failures(estimator):
    failures = {}
    if estimator.categorical_features == [0] and isinstance(estimator, TabularMLPClassifier):
        failures["check_classifiers_train"] = (
            "the check's column 0 read as a category of (nearly) all distinct values "
            "loses what its 0.83 training accuracy needs; target encoding fails it too",
            False,
        )
        # Every test row's level is unseen, so all of them read the vector of
        # code 0, which no training row trains (RealMLP's rule: it starts N(0, 1)
        # and only weight decay moves it); whether the model then says class 0
        # for 87 % of them depends on that random vector. Target encoding maps
        # unseen levels to the mean target and passes.
        failures["check_class_weight_classifiers"] = (
            "unseen levels all read the untrained vector of code 0",
            False,
        )
    elif isinstance(estimator, TabularMLPClassifier) and estimator.validation_fraction > 0:
        # 10 validation rows weighted 1000 : 0.0001 pick the best epoch; on 50 rows
        # of blobs with std 20 an early epoch (6 or 7) wins for some seeds, and its
        # model says class 0 for 72-76 % of the test rows. Measured with
        # random_state 0, 1, 2: the quantile map fails seed 0, robust scaling seed 1.
        failures["check_class_weight_classifiers"] = (
            "the best epoch on 10 weighted validation rows is an early one for some "
            "seeds (either numeric transform)",
            False,
        )
    return {**failures, **_dtype_failures(estimator)}


def _dtype_failures(estimator):
    if estimator.dtype == "float64":
        if estimator.early_stopping:
            # Stopped after ~30 epochs on 35 noisy rows, the model predicts class 0
            # for 87% of the test rows or not depending on the seed: on main as on
            # this branch, random_state 1 to 3 fail (0 passed on main, its draws
            # differ since the initialization draws rows by weight).
            return {
                "check_class_weight_classifiers": (
                    "early stopping on 35 noisy rows: > 87% of class 0 only for some "
                    "seeds and BLAS kernels",
                    False,
                )
            }
        return {}
    # Integer weights and repeated rows give the same float64 model (see
    # test_integer_weights_are_repeated_rows_in_float64), but in float32 a row
    # of weight k and k copies of it round differently; training carries that
    # to relative differences of about 1e-6 in the predictions, above the check's
    # 1e-7 on some BLAS kernels and just below it on others.
    return {
        "check_sample_weight_equivalence_on_dense_data": (
            "float32 rounding: weights and repeated rows agree to about 1e-6, the "
            "check asks 1e-7 (which holds on some BLAS kernels only)",
            False,
        )
    }


@pytest.mark.parametrize(
    "estimator, check", list(selected_checks(CONFIGURATIONS, _expected_failures)), ids=param_id
)
def test_sklearn_compatible_estimator(estimator, check, monkeypatch):
    with warnings.catch_warnings():
        # Tiny check data sets cannot always be split for the model selection.
        warnings.filterwarnings("ignore", "No validation split for the model selection")
        run_check(estimator, check, monkeypatch)


@pytest.mark.parametrize(
    "estimator", [TabularMLPClassifier(), TabularMLPRegressor()], ids=param_id
)
def test_every_check_has_a_list(estimator):
    # A check scikit-learn adds must be placed in a list on purpose, not left out.
    assert checks_in_no_list(estimator) == []


def test_each_estimator_runs_every_check_on_its_small_defaults():
    for cls in (TabularMLPClassifier, TabularMLPRegressor):
        assert changes_from_defaults(CONFIGURATIONS, cls) <= set(SMALL)


@pytest.mark.parametrize(
    "estimator",
    [
        TabularMLPRegressor(**SMALL, dtype="float64"),
        TabularMLPClassifier(**SMALL, dtype="float64", validation_fraction=0.0),
        TabularMLPRegressor(**SMALL, **OFF, dtype="float64"),
        TabularMLPRegressor(
            **SMALL, dtype="float64", categorical_features=[0], high_cardinality="embedding"
        ),
    ],
    ids=param_id,
)
def test_integer_weights_are_repeated_rows_in_float64(estimator):
    # The weighted encoder, the data-driven initialization drawing rows by weight in
    # the order of their contents, and the split of distinct rows together make a
    # row of weight k the same as k copies of it, zero-weight rows as absent ones.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "No validation split for the model selection")
        check_sample_weight_equivalence_on_dense_data(type(estimator).__name__, estimator)


# ------------------------------------------------------------ raw tables


def _raw_table(n=240, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.randn(n)
    colour = rng.choice(["red", "green", "blue"], n)
    frame = pd.DataFrame(
        {
            "x": x,
            "count": rng.poisson(3, n).astype(float),
            "colour": pd.Categorical(colour),
            "city": rng.choice(["Oslo", "Lima", "Pune", "Kyiv"], n).astype(object),
            "flag": rng.rand(n) < 0.5,
        }
    )
    frame.loc[rng.rand(n) < 0.1, "x"] = np.nan
    frame.loc[rng.rand(n) < 0.1, "city"] = None
    y = np.where((colour == "red") ^ (np.nan_to_num(x) > 0), "yes", "no")
    return frame, y


def _fitted(estimator_class, X, y, **params):
    return estimator_class(**{**SMALL, "random_state": 0, **params}).fit(X, y)


def test_classifier_learns_from_a_raw_pandas_table_with_categories_and_nan():
    X, y = _raw_table()
    clf = _fitted(TabularMLPClassifier, X[:180], y[:180], max_iter=60)
    assert clf.encoder_.is_categorical_.tolist() == [False, False, True, True, True]
    assert clf.score(X[180:], y[180:]) > 0.8  # the target needs both colour and x
    proba = clf.predict_proba(X[180:])
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)


def test_polars_gives_the_model_pandas_gives():
    pl = pytest.importorskip("polars")
    X, y = _raw_table()
    X_pandas = X.astype({"colour": object})
    X_polars = pl.DataFrame(
        {name: [None if pd.isna(v) else v for v in X_pandas[name]] for name in X_pandas.columns}
    )
    from_pandas = _fitted(TabularMLPClassifier, X_pandas, y, max_iter=5)
    from_polars = _fitted(TabularMLPClassifier, X_polars, y, max_iter=5)
    np.testing.assert_allclose(
        from_polars.predict_proba(X_polars), from_pandas.predict_proba(X_pandas), rtol=1e-5
    )


def test_unseen_categories_and_missing_values_at_predict_time():
    X, y = _raw_table()
    clf = _fitted(TabularMLPClassifier, X, y, max_iter=5)
    new = X[:4].copy()
    new["city"] = ["Bern", None, "Oslo", "Quito"]  # unseen, missing, known, unseen
    new["colour"] = pd.Categorical(["purple", "red", None, "blue"])
    new.loc[:, "count"] = np.nan
    proba = clf.predict_proba(new)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)


def test_a_high_cardinality_column_is_target_encoded_from_the_target():
    rng = np.random.RandomState(0)
    shop = rng.randint(0, 40, 400)
    X = pd.DataFrame({"shop": pd.Categorical(shop), "x": rng.randn(400)})
    y = np.round(10 * np.sin(shop)) + 0.1 * rng.randn(400)  # a mean per shop
    reg = _fitted(TabularMLPRegressor, X[:300], y[:300], max_iter=60)
    assert reg.encoder_.encodings_[0] == "target"
    assert reg.score(X[300:], y[300:]) > 0.9


def test_a_high_cardinality_column_is_learned_by_the_embedding():
    rng = np.random.RandomState(0)
    shop = rng.randint(0, 40, 400)
    X = pd.DataFrame({"shop": pd.Categorical(shop), "x": rng.randn(400)})
    y = np.round(10 * np.sin(shop)) + 0.1 * rng.randn(400)  # a mean per shop
    reg = _fitted(
        TabularMLPRegressor, X[:300], y[:300], max_iter=60, high_cardinality="embedding"
    )
    assert reg.encoder_.encodings_[0] == "ordinal"
    network = reg._fitted_network()
    # 8 values per level, one more row for a missing or unseen shop.
    assert network.front[0].params[0].shape == (len(reg.encoder_.categories_[0]) + 1, 8)
    assert network.layer_sizes[0] == 1 * 4 + 8  # x with its PBLD values, the shop's 8
    assert reg.score(X[300:], y[300:]) > 0.9


def test_unseen_and_missing_levels_share_the_embedding_of_code_zero():
    rng = np.random.RandomState(1)
    shop = rng.choice([f"s{i}" for i in range(20)], 300).astype(object)
    X = pd.DataFrame({"shop": shop, "x": rng.randn(300)})
    X.loc[::10, "shop"] = None
    y = X["x"].to_numpy() + (X["shop"].fillna("s0").str[1:].astype(int) % 3)
    reg = _fitted(TabularMLPRegressor, X, y, max_iter=10, high_cardinality="embedding")
    new = pd.DataFrame({"shop": ["never seen", None, "s3"], "x": [0.5, 0.5, 0.5]})
    prediction = reg.predict(new)
    assert np.isfinite(prediction).all()
    assert prediction[0] == prediction[1] != prediction[2]


@pytest.mark.parametrize("threshold, encoding", [(16, "onehot"), (12, "onehot"), (11, "target")])
def test_max_onehot_categories_reaches_the_encoder(threshold, encoding):
    rng = np.random.RandomState(0)
    shop = rng.randint(0, 12, 300)  # 12 levels
    X = pd.DataFrame({"shop": pd.Categorical(shop), "x": rng.randn(300)})
    y = (shop % 3 == 0).astype(int)
    clf = _fitted(TabularMLPClassifier, X, y, max_iter=2, max_onehot_categories=threshold)
    assert clf.encoder_.max_onehot_categories == threshold
    assert clf.encoder_.encodings_[0] == encoding


@pytest.mark.parametrize(
    "params", [dict(max_onehot_categories=0), dict(high_cardinality="ordinal")]
)
def test_encoding_parameters_are_validated(params):
    X, y = _raw_table()
    with pytest.raises(ValueError, match=next(iter(params))):
        TabularMLPClassifier(**params).fit(X, y)


def test_explicit_categorical_features_on_a_numeric_array():
    rng = np.random.RandomState(0)
    codes = rng.randint(0, 4, 200)
    X = np.column_stack([rng.randn(200), codes])
    y = codes % 2  # learnable only as a category, not as a monotone number
    as_category = _fitted(TabularMLPClassifier, X, y, categorical_features=[1], max_iter=60)
    assert as_category.encoder_.is_categorical_.tolist() == [False, True]
    assert as_category.score(X, y) == 1.0


# ------------------------------------------------------------ regression


def test_regressor_learns_the_target_in_its_units():
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    y = y * 1000.0 + 1e6  # far from standardized
    reg = _fitted(TabularMLPRegressor, X[:350], y[:350], max_iter=60)
    assert reg.target_mean_ == pytest.approx(y[:350].mean())
    assert reg.score(X[350:], y[350:]) > 0.3


def test_predictions_are_clipped_to_the_training_targets_range():
    rng = np.random.RandomState(0)
    X = 0.5 * rng.rand(300, 1)
    y = 10.0 * X[:, 0]
    far = np.array([[-1.0], [0.25], [1.0]])  # the model extrapolates beyond 0 and 5
    # Without the periodic embedding, whose cosines make a short fit's values
    # outside the training range arbitrary, the extrapolation follows the trend;
    # so does it without the map to normal scores, which is flat beyond the data.
    plain = dict(max_iter=40, numerical_embedding=None, numeric_transform="robust")
    unclipped = _fitted(TabularMLPRegressor, X, y, **plain, clip_predictions=False)
    clipped = _fitted(TabularMLPRegressor, X, y, **plain)
    raw = unclipped.predict(far)
    low, high = clipped.target_range_[:, 0]
    assert low == pytest.approx(y.min()) and high == pytest.approx(y.max())
    assert raw[0] < low - 0.5 and raw[2] > high + 0.5 and low < raw[1] < high
    np.testing.assert_array_equal(clipped.predict(far), np.clip(raw, low, high))


def test_the_standardized_target_makes_the_model_equivariant_to_its_units():
    # Trained on (y − mean) / std, a model of a·y + b is the model of y in other
    # units: its predictions are a·prediction + b (to rounding).
    # (No validation split: its duplicate groups hash the target's bits.)
    X, y = load_diabetes(return_X_y=True)
    params = dict(max_iter=5, dtype="float64", validation_fraction=0.0)
    reg = _fitted(TabularMLPRegressor, X, y, **params)
    shifted = _fitted(TabularMLPRegressor, X, 1000.0 * y + 1e6, **params)
    np.testing.assert_allclose(shifted.predict(X), 1000.0 * reg.predict(X) + 1e6, rtol=1e-9)
    raw = _fitted(
        TabularMLPRegressor, X, 1000.0 * y + 1e6, **params, standardize_target=False
    )
    assert not np.allclose(raw.predict(X), shifted.predict(X), rtol=1e-3)


# ------------------------------------------------------------ ingredients

INGREDIENT_SWITCHES = {
    "numerical_embedding": None,
    "feature_scaling": False,
    "parametric_activation": False,
    "data_driven_init": False,
    "lr_factors": False,
    "parametrization": "standard",
    "label_smoothing": 0.0,
    "dropout": 0.0,
    "weight_decay": 0.0,
    "learning_rate": "constant",
    "validation_fraction": 0.0,
}


@pytest.mark.parametrize("name, off", list(INGREDIENT_SWITCHES.items()))
def test_every_ingredient_can_be_switched_off_and_changes_the_model(name, off):
    X, y = _raw_table()
    on = _fitted(TabularMLPClassifier, X, y, max_iter=4)
    without = _fitted(TabularMLPClassifier, X, y, max_iter=4, **{name: off})
    assert np.isfinite(without.predict_proba(X)).all()
    assert not np.allclose(without.predict_proba(X), on.predict_proba(X))


def test_the_front_layers_and_alphas_are_fitted_parameters():
    X, y = _raw_table()
    clf = _fitted(TabularMLPClassifier, X, y, max_iter=3)
    plain = _fitted(TabularMLPClassifier, X, y, max_iter=3, **OFF)
    assert clf.layer_params_.size > 0 and plain.layer_params_.size == 0
    assert clf.coefs_[0].shape[0] > clf.encoder_.transform(X).shape[1]  # the embedding widens


def test_float32_by_default_float64_on_request():
    X, y = _raw_table()
    assert _fitted(TabularMLPClassifier, X, y, max_iter=2).coefs_[0].dtype == np.float32
    wide = _fitted(TabularMLPClassifier, X, y, max_iter=2, dtype="float64")
    assert wide.coefs_[0].dtype == np.float64 and wide.layer_params_.dtype == np.float64


def test_label_smoothing_makes_the_model_less_confident():
    X, y = make_classification(
        300, 5, n_informative=4, n_redundant=0, class_sep=3.0, random_state=0
    )
    sharp = _fitted(TabularMLPClassifier, X, y, max_iter=40, label_smoothing=0.0)
    smooth = _fitted(TabularMLPClassifier, X, y, max_iter=40, label_smoothing=0.2)
    assert smooth.predict_proba(X).max() < sharp.predict_proba(X).max()
    # (1 − ε) + ε/K = 0.9 is the target of a sure row: the model does not go far past it
    # (over random_state 0-15 the largest probability is 0.933-0.976; 1.0 without smoothing).
    assert smooth.predict_proba(X).max() < 0.98


@pytest.mark.parametrize("estimator_class", [TabularMLPClassifier, TabularMLPRegressor])
def test_check_gradients_and_the_trace_work_on_a_fitted_estimator_and_a_raw_table(
    estimator_class,
):
    X, labels = _raw_table(60)
    y = labels if estimator_class is TabularMLPClassifier else np.nan_to_num(X["x"].to_numpy())
    model = _fitted(estimator_class, X, y, max_iter=2, dtype="float64", hidden_layer_sizes=(6,))
    assert check_gradients(model, X, y) < 1e-6
    trace = trace_backprop(model, X[:2], y[:2])
    assert len(trace.layers) == len(model.coefs_)


# ----------------------------------------------- the estimator machinery


def test_model_selection_trains_the_whole_budget_and_reports_the_best_epoch():
    X, y = make_classification(200, 8, flip_y=0.3, random_state=0)
    clf = _fitted(TabularMLPClassifier, X, y, max_iter=30)
    assert clf.n_iter_ == 30 and len(clf.history_) == 30
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.validation_scores_[clf.best_epoch_ - 1] == clf.best_validation_score_


def test_early_stopping_stays_available():
    X, y = make_classification(200, 8, flip_y=0.3, random_state=0)
    clf = _fitted(
        TabularMLPClassifier, X, y, max_iter=200, early_stopping=True, n_iter_no_change=3
    )
    assert clf.n_iter_ < 200


def test_no_convergence_warning_for_running_the_budget():
    X, y = make_classification(100, 5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _fitted(TabularMLPClassifier, X, y, max_iter=3)


def test_a_data_set_too_small_to_split_trains_on_every_row_with_a_warning():
    X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0]])
    y = np.array([0, 0, 0, 1, 1])
    with pytest.warns(UserWarning, match="No validation split for the model selection"):
        clf = _fitted(TabularMLPClassifier, X, y, max_iter=3, validation_fraction=0.2)
    assert clf.validation_scores_ is None


def test_warm_start_continues_from_the_weights_and_restarts_the_schedules():
    X, y = _raw_table()
    clf = _fitted(TabularMLPClassifier, X, y, max_iter=6, warm_start=True)
    first = [record["learning_rate"] for record in clf.history_]
    weights = clf.coefs_[0].copy()
    clf.fit(X, y)
    assert len(clf.history_) == 12
    assert [record["learning_rate"] for record in clf.history_[6:]] == first
    assert not np.array_equal(clf.coefs_[0], weights)
    assert clf.history_[6]["train_loss"] < clf.history_[0]["train_loss"]


def test_class_weight_and_sample_weight_shift_the_decisions():
    X, y = make_classification(300, 5, weights=[0.9], flip_y=0.05, random_state=0)
    plain = _fitted(TabularMLPClassifier, X, y, max_iter=20)
    balanced = _fitted(TabularMLPClassifier, X, y, max_iter=20, class_weight="balanced")
    assert (balanced.predict(X) == 1).sum() > (plain.predict(X) == 1).sum()
    weighted = TabularMLPClassifier(**{**SMALL, "max_iter": 20}, random_state=0).fit(
        X, y, sample_weight=np.where(y == 1, 9.0, 1.0)
    )
    assert (weighted.predict(X) == 1).sum() > (plain.predict(X) == 1).sum()


def test_pipeline_grid_search_and_cross_validation_on_a_raw_table():
    X, y = _raw_table()
    search = GridSearchCV(
        TabularMLPClassifier(hidden_layer_sizes=(8,), max_iter=3, random_state=0),
        {"dropout": [0.0, 0.15]}, cv=2,
    ).fit(X, y)
    assert search.best_params_["dropout"] in (0.0, 0.15)
    scores = cross_val_score(
        TabularMLPClassifier(hidden_layer_sizes=(8,), max_iter=3, random_state=0), X, y, cv=2
    )
    assert np.isfinite(scores).all()


def test_a_pickled_model_predicts_as_the_original():
    X, y = _raw_table()
    clf = _fitted(TabularMLPClassifier, X, y, max_iter=3)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))


def test_skops_loads_a_model_trusting_only_public_classes(tmp_path):
    sio = pytest.importorskip("skops.io")
    X, y = _raw_table()
    clf = _fitted(TabularMLPClassifier, X, y, max_iter=3)
    path = tmp_path / "model.skops"
    sio.dump(clf, path)
    public = {"skbp.TabularMLPClassifier", "skbp.TabularEncoder", "skbp.SmoothClipScaler"}
    untrusted = sio.get_untrusted_types(file=path)
    assert set(untrusted) <= public
    loaded = sio.load(path, trusted=untrusted)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_random_state_gives_identical_fits():
    X, y = _raw_table()
    a = _fitted(TabularMLPClassifier, X, y, max_iter=3)
    b = _fitted(TabularMLPClassifier, X, y, max_iter=3)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_verbose_names_the_encoded_width(capsys):
    X, y = _raw_table()
    _fitted(TabularMLPClassifier, X, y, max_iter=2, verbose=1)
    out = capsys.readouterr().out
    assert "240 samples x 5 columns" in out and "Iteration 2, loss =" in out


def test_no_partial_fit():
    assert not hasattr(TabularMLPClassifier(), "partial_fit")
    assert not hasattr(TabularMLPRegressor(), "partial_fit")


def test_callbacks_see_every_epoch_and_get_the_model_fit_returns():
    pytest.importorskip("sklearn.callback")
    from sklearn.callback import ScoringMonitor

    X, y = _raw_table()
    monitor = ScoringMonitor(scoring="accuracy")
    clf = TabularMLPClassifier(**{**SMALL, "max_iter": 8}, random_state=0)
    clf.set_callbacks(monitor)
    clf.fit(X, y)
    rows = monitor.get_logs().data
    assert [row["task_name"] for row in rows].count("epoch") == 8
    (final,) = [row for row in rows if row["task_name"] == "fit"]
    assert final["accuracy"] == clf.score(X, y)


# ----------------------------------------------------------------- learning

# Six splits: on digits the two models differ by a few test rows per split, and
# over three the order of the means hung on which random numbers the
# initialization used (main's draws won, equally distributed ones lost).
LEARNING_SEEDS = tuple(range(6))


def _mean_test_error(make_model, X, y, classification):
    """Mean test error over LEARNING_SEEDS splits: 1 − accuracy, or the RMSE."""
    errors = []
    for seed in LEARNING_SEEDS:
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.3, random_state=seed, stratify=y if classification else None
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = make_model(seed).fit(X_train, y_train)
        if classification:
            errors.append(1.0 - model.score(X_test, y_test))
        else:
            errors.append(np.sqrt(np.mean((model.predict(X_test) - y_test) ** 2)))
    return float(np.mean(errors))


# The tabular defaults with 64 epochs instead of 256, to keep the suite fast
# (at 32 the map to normal scores has not caught up on digits: 2.5 % test error
# against 1.9 % with robust scaling, 6 splits; at 64, 2.0 % against 1.5 %; and
# with full batches only, as RealMLP, 32 epochs lost with robust scaling too);
# BackpropMLP as a user runs it: its defaults behind a StandardScaler. (On
# breast_cancer and wine, 171 and 54 test rows, the two tie within one or two
# test rows over 5 splits: no claim is made there.)
LEARNING_CASES = {
    "digits": (load_digits, TabularMLPClassifier, BackpropMLPClassifier),
    "diabetes": (load_diabetes, TabularMLPRegressor, BackpropMLPRegressor),
}


@pytest.mark.parametrize("case", list(LEARNING_CASES))
def test_tabular_beats_backprop_defaults_on_bundled_data(case):
    load, tabular_class, backprop_class = LEARNING_CASES[case]
    X, y = load(return_X_y=True)
    classification = tabular_class is TabularMLPClassifier
    tabular = _mean_test_error(
        lambda seed: tabular_class(max_iter=64, random_state=seed), X, y, classification
    )
    backprop = _mean_test_error(
        lambda seed: make_pipeline(StandardScaler(), backprop_class(random_state=seed)),
        X, y, classification,
    )
    assert tabular < backprop
