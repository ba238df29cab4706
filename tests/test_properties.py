"""Property-based tests (hypothesis) on random small problems and valid hyperparameters."""

import os
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from skbp import BackpropMLPClassifier
from skbp._engine.initializers import INITIALIZERS

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning",
    # batch_size larger than the (training part of the) data is clipped, with a warning
    "ignore:Got `batch_size` less than 1 or larger than sample size:UserWarning",
)

SETTINGS = settings(
    # SKBP_HYPOTHESIS_EXAMPLES=500 for a longer search than the suite's default.
    max_examples=int(os.environ.get("SKBP_HYPOTHESIS_EXAMPLES", 30)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,  # the same examples on every run: no flakiness, no database
    database=None,
    # No shrinking: a failure is reported as drawn, which keeps a failing run short.
    phases=[Phase.explicit, Phase.generate],
)


# ------------------------------------------------------------------ strategies
@st.composite
def datasets(draw, min_classes=2, max_classes=6, scales=(1e-2, 1.0, 1e2)):
    """A small classification problem: (X, y) with every class present."""
    n_classes = draw(st.integers(min_classes, max_classes))
    n_samples = draw(st.integers(max(10, n_classes), 60))
    n_features = draw(st.integers(1, 8))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    label_kind = draw(st.sampled_from(["int", "str", "negative_int"]))
    seed = draw(st.integers(0, 2**31 - 1))
    scale = draw(st.sampled_from(scales))
    rng = np.random.RandomState(seed)
    codes = rng.permutation(np.arange(n_samples) % n_classes)
    centers = rng.randn(n_classes, n_features) * 2
    X = ((centers[codes] + rng.randn(n_samples, n_features)) * scale).astype(dtype)
    if label_kind == "int":
        labels = np.arange(n_classes) * 3 + 1
    elif label_kind == "negative_int":
        labels = -np.arange(1, n_classes + 1) * 2
    else:
        labels = np.array([f"class_{k}" for k in range(n_classes)])
    return X, labels[codes]


@st.composite
def hyperparameters(draw, n_samples):
    solver = draw(st.sampled_from(["adam", "sgd", "lbfgs"]))
    params = dict(
        solver=solver,
        activation=draw(st.sampled_from(["identity", "logistic", "tanh", "relu"])),
        hidden_layer_sizes=tuple(
            draw(st.lists(st.integers(1, 8), min_size=1, max_size=2))
        ),
        alpha=draw(st.sampled_from([0.0, 1e-4, 1e-2, 1.0])),
        initializer=draw(
            st.sampled_from(
                list(INITIALIZERS)
            )
        ),
        penalty=draw(st.sampled_from(["l2", "l1", "elasticnet"])),
        max_iter=draw(st.integers(1, 8)),
        random_state=draw(st.integers(0, 1000)),
    )
    if solver != "lbfgs":
        params.update(
            dropout=draw(st.sampled_from([0.0, 0.1, 0.5])),
            batch_size=draw(st.sampled_from(["auto", 1, 7, 64])),
            learning_rate=draw(st.sampled_from(["constant", "invscaling", "adaptive"])),
            learning_rate_init=draw(st.sampled_from([1e-3, 1e-2, 1e-1])),
            weight_decay=draw(st.sampled_from([0.0, 0.01])),
        )
        if n_samples >= 20:
            params["early_stopping"] = draw(
                st.sampled_from([False, True, "GL", "PQ", "UP"])
            )
            params["validation_fraction"] = draw(st.sampled_from([0.1, 0.2, 0.5]))
    return params


@st.composite
def problems(draw):
    X, y = draw(datasets())
    return X, y, draw(hyperparameters(len(y)))


def _fit(params, X, y, **fit_params):
    est = BackpropMLPClassifier(**params)
    with warnings.catch_warnings():
        # Valid, moderately scaled data must not overflow anywhere.
        warnings.simplefilter("error", RuntimeWarning)
        return est.fit(X, y, **fit_params)


def _proba_atol(X):
    return 1e-5 if X.dtype == np.float32 else 1e-6


# -------------------------------------------------------------------- properties
@SETTINGS
@given(problems())
def test_fit_succeeds_and_outputs_are_valid(problem):
    X, y, params = problem
    est = BackpropMLPClassifier(**params)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        try:
            est.fit(X, y)
        except ValueError as exc:
            # The one documented failure on valid data: a step size too large for
            # the feature scale (sgd at 0.1 on features ~100). The model keeps its
            # last finite weights.
            assert "Solver produced non-finite parameter weights" in str(exc)
            assert params["solver"] == "sgd" and np.abs(X).max() > 10
            for array in est.coefs_ + est.intercepts_:
                assert np.all(np.isfinite(array))
            return
    # The same step sizes may instead end in a model that is returned with a
    # warning (scikit-learn #29504): the best validated epoch's weights, or, if
    # only the outputs overflowed, the lowest-loss epoch's. Its outputs are
    # checked below like any other's.
    overflowed = [
        str(w.message) for w in caught
        if "Training diverged in epoch" in str(w.message)
        or "outputs overflow on the training data" in str(w.message)
    ]
    if overflowed:
        assert params["solver"] == "sgd" and np.abs(X).max() > 10, overflowed
    else:
        # A successful fit on valid data overflows nowhere.
        runtime = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
        assert not runtime, runtime
    np.testing.assert_array_equal(est.classes_, np.unique(y))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        proba = est.predict_proba(X)
        pred = est.predict(X)
    n_classes = len(est.classes_)
    assert proba.shape == (len(X), n_classes)
    assert proba.dtype == X.dtype
    assert np.all(np.isfinite(proba))
    assert np.all(proba >= 0) and np.all(proba <= 1)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=_proba_atol(X))
    assert pred.shape == (len(X),)
    assert np.all(np.isin(pred, est.classes_))
    assert pred.dtype.kind == y.dtype.kind
    # predict agrees with predict_proba wherever the top probability is unique
    top = np.sort(proba, axis=1)
    clear = top[:, -1] > top[:, -2] + 1e-6
    np.testing.assert_array_equal(
        pred[clear], est.classes_[np.argmax(proba[clear], axis=1)]
    )
    for array in est.coefs_ + est.intercepts_:
        assert array.dtype == X.dtype
        assert np.all(np.isfinite(array))
    # L-BFGS may stop at its starting point (e.g. dead ReLUs: zero gradient).
    assert (
        (0 if params["solver"] == "lbfgs" else 1) <= est.n_iter_ <= params["max_iter"]
    )
    assert len(est.history_) == est.n_iter_


@SETTINGS
@given(problems())
def test_fixed_random_state_gives_identical_refits(problem):
    X, y, params = problem
    first = _fit(params, X, y)
    proba = first.predict_proba(X)
    coefs = [c.copy() for c in first.coefs_]
    second = _fit(params, X, y)  # a fresh estimator
    again = first.fit(X, y)  # the same estimator, refitted
    for est in (second, again):
        assert np.array_equal(est.predict_proba(X), proba)
        for a, b in zip(est.coefs_, coefs):
            assert np.array_equal(a, b)
        assert [r["train_loss"] for r in est.history_] == [
            r["train_loss"] for r in first.history_
        ]


# Tests comparing two L-BFGS optima use unit-scale features: on badly scaled data
# L-BFGS-B's relative-reduction stop (ftol, not settable through the estimator)
# ends far from the optimum in parameter space, and the two runs end apart.
WELL_CONDITIONED = datasets(max_classes=4, scales=(1.0,))


def _equivariant_initializer(n_outputs):
    """Random hidden layers and an all-zero output layer.

    Relabelling the classes permutes the output units (binary: flips the sign of
    the single one); a zero output layer is its own image under that map, so both
    fits start from corresponding points and L-BFGS (a deterministic,
    permutation-equivariant method) follows corresponding paths.
    """

    def initializer(fan_in, fan_out, rng, dtype):
        if fan_out == n_outputs:
            return np.zeros((fan_in, fan_out), dtype=dtype)
        return (rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)).astype(dtype)

    return initializer


@SETTINGS
@given(
    datasets(min_classes=2, max_classes=5, scales=(1.0,)),
    st.randoms(use_true_random=False),
    st.sampled_from(["convex_converged", "hidden_layer_early_iterations"]),
)
def test_relabelling_permutes_probability_columns(data, random, mode):
    X, y = data
    X = X.astype(np.float64)  # compare at float64 precision
    classes = np.unique(y)
    n_classes = len(classes)
    perm = list(range(n_classes))
    random.shuffle(perm)
    assume(perm != list(range(n_classes)))
    # Relabel: the k-th smallest label becomes the perm[k]-th smallest.
    relabel = dict(zip(classes, classes[perm]))
    y_new = np.array([relabel[label] for label in y])
    initializer = _equivariant_initializer(1 if n_classes == 2 else n_classes)
    if mode == "convex_converged":
        # No hidden layer: a strictly convex problem, fitted to convergence.
        params, atol = _lbfgs((), alpha=1e-2, initializer=initializer), 1e-6
    else:
        # A hidden layer: corresponding paths, followed for a few iterations.
        params, atol = _lbfgs((5,), max_iter=10, initializer=initializer), 1e-7
    proba = _fit(params, X, y).predict_proba(X)
    proba_new = _fit(params, X, y_new).predict_proba(X)
    # Column perm[k] of the relabelled model is column k of the original one.
    np.testing.assert_allclose(proba_new[:, perm], proba, atol=atol, rtol=0)


def _lbfgs(hidden, activation="tanh", **params):
    return dict(
        dict(
            solver="lbfgs",
            hidden_layer_sizes=hidden,
            activation=activation,
            alpha=1e-3,
            tol=1e-10,
            max_iter=300,
            random_state=0,
        ),
        **params,
    )


def _repeat_counts(y, seed):
    """Random repeat counts in 0..3 per row, at least 1 for one row of each class."""
    counts = np.random.RandomState(seed).randint(0, 4, size=len(y))
    first_of_class = np.unique(y, return_index=True)[1]
    counts[first_of_class] = np.maximum(counts[first_of_class], 1)
    return counts


@SETTINGS
@given(
    WELL_CONDITIONED,
    st.integers(0, 2**31 - 1),
    st.sampled_from(["twos", "random_counts"]),
)
def test_lbfgs_integer_weights_equal_repeated_rows_at_the_optimum(data, seed, weights):
    # sample_weight=k is k copies of the row. Without a hidden layer the penalized
    # problem is strictly convex, so two tight fits (tol=1e-10) reach one optimum.
    X, y = data
    X = X.astype(np.float64)
    counts = np.full(len(y), 2) if weights == "twos" else _repeat_counts(y, seed)
    params = _lbfgs((), alpha=1e-2)
    weighted = _fit(params, X, y, sample_weight=counts.astype(float))
    repeated = _fit(params, np.repeat(X, counts, axis=0), np.repeat(y, counts))
    np.testing.assert_allclose(
        weighted.predict_proba(X), repeated.predict_proba(X), atol=1e-6, rtol=0
    )


@SETTINGS
@given(
    WELL_CONDITIONED,
    st.integers(0, 2**31 - 1),
    st.sampled_from(["twos", "random_counts"]),
    st.sampled_from(["tanh", "relu", "logistic"]),
)
def test_lbfgs_integer_weights_give_the_objective_of_repeated_rows(
    data, seed, weights, activation
):
    # With hidden layers the objective has many minima, and rounding-level
    # differences may pick different ones at convergence; compare the paths: the
    # first L-BFGS iterations of both fits see the same function values.
    X, y = data
    X = X.astype(np.float64)
    counts = np.full(len(y), 2) if weights == "twos" else _repeat_counts(y, seed)
    params = _lbfgs((4,), activation, max_iter=5, random_state=seed % 1000)
    weighted = _fit(params, X, y, sample_weight=counts.astype(float))
    repeated = _fit(params, np.repeat(X, counts, axis=0), np.repeat(y, counts))
    assert len(weighted.loss_curve_) == len(repeated.loss_curve_) >= 1
    np.testing.assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=1e-9)
    np.testing.assert_allclose(
        weighted.predict_proba(X), repeated.predict_proba(X), atol=1e-8, rtol=0
    )
