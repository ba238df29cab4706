"""Early stopping (lecture §7): scikit-learn's rule and Prechelt's GL, PQ, UP.

The rules are checked against re-implementations written here from Prechelt
(1998), "Early stopping — but when?", with strips of k = 5 epochs:

* GL(t) = 100 (E_va(t) / E_opt(t) - 1), E_opt(t) = min_{t' <= t} E_va(t');
  GL_alpha stops as soon as GL(t) > alpha;
* P_k(t) = 1000 (mean of E_tr over the strip ending at t / min over it - 1);
  PQ_alpha stops at a strip end t when GL(t) / P_k(t) > alpha;
* UP_s stops at a strip end t when E_va grew at the end of s successive
  strips: E_va(t - jk) > E_va(t - (j + 1)k) for j = 0 .. s - 1.

``True`` is scikit-learn's rule: the validation score did not improve by
``tol`` for more than ``n_iter_no_change`` epochs.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from skbp import BackpropMLPClassifier, BackpropMLPRegressor
from skbp._engine.sample_keys import row_keys
from skbp._engine.stopping import (
    GeneralizationLoss,
    ProgressQuotient,
    UpStrips,
    ValidationScorePlateau,
    make_stopping_rule,
)
from skbp._estimators.validation_split import duplicate_aware_split


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    """Small matrices on a shared 2-core machine: multi-threaded BLAS only spins."""
    with threadpool_limits(1):
        yield


K = 5  # strip length


# ------------------------------------------------------- hand-made criteria
def gl_by_hand(val, t):
    """GL(t) for the 1-based epoch t."""
    e_opt = min(val[:t])
    return 100.0 * (val[t - 1] / e_opt - 1.0)


def gl_fires(train, val, alpha):
    return [gl_by_hand(val, t) > alpha for t in range(1, len(val) + 1)]


def pq_fires(train, val, alpha):
    fired = []
    for t in range(1, len(val) + 1):
        if t % K:
            fired.append(False)
            continue
        strip = train[t - K : t]
        progress = 1000.0 * (np.mean(strip) / np.min(strip) - 1.0)
        fired.append(gl_by_hand(val, t) / progress > alpha)
    return fired


def up_fires(train, val, s):
    fired = []
    for t in range(1, len(val) + 1):
        ok = t % K == 0
        for j in range(int(s)):
            end, before = t - j * K, t - (j + 1) * K
            if not ok or before < K:  # needs a complete earlier strip
                ok = False
                break
            ok = val[end - 1] > val[before - 1]
        fired.append(ok)
    return fired


def sklearn_rule_fires(scores, tol, n_iter_no_change):
    best, count, fired = -np.inf, 0, []
    for score in scores:
        count = count + 1 if score < best + tol else 0
        best = max(best, score)
        fired.append(count > n_iter_no_change)
    return fired


def run_rule(rule, train, val, scores=None):
    improved, fired = [], []
    for i in range(len(val)):
        imp, fire = rule.update(train[i], val[i], None if scores is None else scores[i])
        improved.append(bool(imp))
        fired.append(bool(fire))
    return improved, fired


def strictly_new_minimum(val):
    return [bool(v < min(val[:i], default=np.inf)) for i, v in enumerate(val)]


def synthetic_curves(seed, n=80):
    """Training loss decreasing with noise, validation loss U-shaped with noise."""
    rng = np.random.RandomState(seed)
    t = np.arange(1, n + 1)
    train = 1.0 / np.sqrt(t) + 0.02 * rng.rand(n) + 0.05
    turn = rng.randint(10, 50)
    val = 0.6 + 0.002 * (t - turn) ** 2 / (1 + 0.05 * t) + 0.03 * rng.randn(n)
    return list(train), list(val)


HAND = {"GL": gl_fires, "PQ": pq_fires, "UP": up_fires}
RULES = {"GL": GeneralizationLoss, "PQ": ProgressQuotient, "UP": UpStrips}


def test_gl_on_a_sequence_computed_by_hand():
    val = [1.0, 0.8, 0.7, 0.71, 0.712, 0.6, 0.61, 0.62, 0.65]
    # GL: 0, 0, 0, 1.43, 1.71, 0, 1.67, 3.33, 8.33 -> with alpha 2 fires at 8 and 9.
    rule = GeneralizationLoss(2.0)
    improved, fired = run_rule(rule, [1.0] * len(val), val)
    assert fired == [False] * 7 + [True, True]
    assert improved == [True, True, True, False, False, True, False, False, False]


def test_pq_on_a_sequence_computed_by_hand():
    # Training still progresses fast in strip 1, slowly in strip 2.
    train = [1.0, 0.8, 0.6, 0.5, 0.45, 0.449, 0.448, 0.447, 0.446, 0.445]
    val = [1.0, 0.9, 0.8, 0.82, 0.83, 0.84, 0.84, 0.85, 0.85, 0.84]
    # t = 5: GL = 3.75, P = 1000 * (0.67/0.45 - 1) = 488.9, PQ = 0.0077 -> no.
    # t = 10: GL = 5, P = 1000 * (0.447/0.445 - 1) = 4.49, PQ = 1.11 -> fires at 0.75.
    rule = ProgressQuotient(0.75)
    _, fired = run_rule(rule, train, val)
    assert fired == [False] * 9 + [True]
    rule = ProgressQuotient(1.2)
    _, fired = run_rule(rule, train, val)
    assert fired == [False] * 10


def test_up_on_a_sequence_computed_by_hand():
    # Strip-end validation losses at t = 5, 10, 15, 20, 25, 30: 1.0, 1.1, 1.2, 1.3, 1.25, 1.3
    ends = [1.0, 1.1, 1.2, 1.3, 1.25, 1.3]
    val = []
    for e in ends:
        val += [e - 0.5] * (K - 1) + [e]  # low values inside strips do not matter
    train = [1.0] * len(val)
    expected = {
        1: [10, 15, 20, 30],
        2: [15, 20],
        3: [20],
        4: [],
    }
    for s, epochs in expected.items():
        _, fired = run_rule(UpStrips(s), train, val)
        assert [t for t, f in enumerate(fired, 1) if f] == epochs, s


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize(
    "name,alpha",
    [
        ("GL", 0.5),
        ("GL", 2.0),
        ("GL", 5.0),
        ("PQ", 0.5),
        ("PQ", 0.75),
        ("PQ", 2.0),
        ("UP", 1),
        ("UP", 2),
        ("UP", 3),
    ],
)
def test_prechelt_rules_match_the_definitions(name, alpha, seed):
    train, val = synthetic_curves(seed)
    improved, fired = run_rule(RULES[name](alpha), train, val)
    assert fired == HAND[name](train, val, alpha)
    assert any(fired)  # the curves are informative: every rule fires at some point
    # Best epoch = lowest validation loss so far.
    assert improved == strictly_new_minimum(val)


@pytest.mark.parametrize("name,default", [("GL", 2.0), ("PQ", 0.75), ("UP", 3)])
def test_default_thresholds(name, default):
    for seed in range(12):
        train, val = synthetic_curves(seed)
        rule = make_stopping_rule(name, tol=1e-4, n_iter_no_change=10)
        _, fired = run_rule(rule, train, val)
        assert fired == HAND[name](train, val, default), seed
    # The defaults matter: some sequence tells them apart from a neighbour.
    differs = False
    for seed in range(12):
        train, val = synthetic_curves(seed)
        other = default * 2
        differs |= HAND[name](train, val, default) != HAND[name](train, val, other)
    assert differs


@pytest.mark.parametrize("name", ["GL", "PQ", "UP"])
def test_explicit_threshold_is_used(name):
    alpha = {"GL": 7.0, "PQ": 3.0, "UP": 2}[name]
    for seed in range(6):
        train, val = synthetic_curves(seed)
        rule = make_stopping_rule(name, tol=1e-4, n_iter_no_change=10, threshold=alpha)
        _, fired = run_rule(rule, train, val)
        assert fired == HAND[name](train, val, alpha)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("tol,patience", [(1e-4, 3), (0.02, 5)])
def test_validation_score_rule_is_scikit_learns(seed, tol, patience):
    rng = np.random.RandomState(seed)
    scores = list(
        np.round(np.minimum(0.5 + 0.02 * np.arange(60), 0.85) + 0.03 * rng.randn(60), 2)
    )
    losses = list(1.0 - np.array(scores) + 0.01 * rng.rand(60))
    rule = make_stopping_rule(True, tol=tol, n_iter_no_change=patience)
    assert isinstance(rule, ValidationScorePlateau)
    improved, fired = run_rule(rule, [1.0] * 60, losses, scores)
    assert fired == sklearn_rule_fires(scores, tol, patience)
    # The best epoch is the best score, ties broken by the lower validation loss.
    best_so_far = []
    best = (-np.inf, np.inf)
    for s, v in zip(scores, losses):
        better = s > best[0] or (s == best[0] and v < best[1])
        best_so_far.append(better)
        if better:
            best = (s, v)
    assert improved == best_so_far


# ------------------------------------------------------- estimator level
def _overfit_data():
    return make_classification(
        n_samples=200,
        n_features=40,
        n_informative=4,
        n_redundant=0,
        n_classes=3,
        n_clusters_per_class=1,
        flip_y=0.1,
        random_state=0,
    )


def _es_estimator(early_stopping, **kw):
    params = dict(
        hidden_layer_sizes=(128,),
        early_stopping=early_stopping,
        validation_fraction=0.25,
        learning_rate_init=0.01,
        max_iter=300,
        random_state=0,
    )
    params.update(kw)
    return BackpropMLPClassifier(**params)


def _quiet_fit(est, X, y, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, **kw)


@pytest.mark.parametrize("criterion", [True, "GL", "PQ", "UP"])
def test_estimator_stops_early_and_restores_the_best_weights(criterion):
    X, y = _overfit_data()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # it stopped: no warning
        est = _es_estimator(criterion).fit(X, y)
    n = est.n_iter_
    assert n < est.max_iter
    assert len(est.history_) == n
    assert len(est.validation_scores_) == n and len(est.validation_losses_) == n
    assert est.validation_losses_ == [r["val_loss"] for r in est.history_]
    assert est.validation_scores_ == [r["val_score"] for r in est.history_]
    assert all(v is not None and np.isfinite(v) for v in est.validation_losses_)
    best = est.best_epoch_
    assert 1 <= best < n  # the restored epoch is not the last one

    vl, vs = np.array(est.validation_losses_), np.array(est.validation_scores_)
    if criterion is True:
        assert vs[best - 1] == vs.max()
        assert vl[best - 1] == vl[vs == vs.max()].min()
        fired = sklearn_rule_fires(list(vs), est.tol, est.n_iter_no_change)
    else:
        assert best == int(np.argmin(vl)) + 1
        default = {"GL": 2.0, "PQ": 0.75, "UP": 3}[criterion]
        fired = HAND[criterion](est.loss_curve_, list(vl), default)
    # Training stopped at the first epoch where the criterion (by hand) fires.
    assert fired.index(True) + 1 == n
    assert est.best_validation_score_ == vs[best - 1]

    # The kept weights are those of epoch best_epoch_: the same configuration
    # trained for exactly best_epoch_ epochs follows the same trajectory.
    ref = _quiet_fit(_es_estimator(criterion, max_iter=best), X, y)
    for a, b in zip(est.coefs_ + est.intercepts_, ref.coefs_ + ref.intercepts_):
        assert_array_equal(a, b)
    # The last epoch's weights were different ones (another validation loss).
    assert vl[best - 1] != vl[n - 1]


def test_larger_gl_threshold_trains_longer():
    X, y = _overfit_data()
    runs = [
        _es_estimator("GL", stopping_threshold=a).fit(X, y) for a in (1.0, 5.0, 20.0)
    ]
    iters = [r.n_iter_ for r in runs]
    assert iters == sorted(iters) and iters[0] < iters[-1]
    for est, alpha in zip(runs, (1.0, 5.0, 20.0)):
        fired = gl_fires(est.loss_curve_, est.validation_losses_, alpha)
        assert fired.index(True) + 1 == est.n_iter_


def test_without_validation_the_lists_are_none():
    X, y = _overfit_data()
    est = _quiet_fit(_es_estimator(False, max_iter=5), X, y)
    assert est.validation_scores_ is None
    assert est.validation_losses_ is None
    assert est.best_validation_score_ is None


@pytest.mark.parametrize("bad", ["gl", "XX", 2])
def test_unknown_early_stopping_raises(bad):
    X, y = _overfit_data()
    with pytest.raises(ValueError, match="early_stopping"):
        BackpropMLPClassifier(early_stopping=bad, max_iter=2).fit(X, y)


def test_up_threshold_must_be_an_integer():
    X, y = _overfit_data()
    with pytest.raises(ValueError, match="stopping_threshold"):
        BackpropMLPClassifier(
            early_stopping="UP", stopping_threshold=2.5, max_iter=2
        ).fit(X, y)


# ------------------------------------------------------- validation split
def _split(X, y, sample_weight=None, fraction=0.2, seed=0):
    classes, codes = np.unique(y, return_inverse=True)
    return duplicate_aware_split(
        row_keys(X),
        codes.astype(np.uint64),
        codes,
        sample_weight,
        fraction,
        np.random.RandomState(seed),
    )


@pytest.mark.parametrize("fraction", [0.2, 0.5, 0.8, 0.9])
def test_split_is_stratified_and_keeps_every_class_in_training(fraction):
    rng = np.random.RandomState(0)
    counts = [60, 30, 8, 2, 2]
    y = np.repeat(np.arange(len(counts)), counts)
    X = rng.randn(len(y), 4)
    for seed in range(10):
        is_val = _split(X, y, fraction=fraction, seed=seed)
        for c, count in enumerate(counts):
            in_class = y == c
            assert (~is_val[in_class]).any()  # every class trains
            # Each class holds out its share (up to rounding to whole samples).
            assert abs(is_val[in_class].sum() - fraction * count) <= 1


def test_split_keeps_duplicates_on_one_side():
    rng = np.random.RandomState(1)
    base = rng.randn(50, 3)
    base_y = rng.randint(0, 2, 50)
    copies = rng.randint(1, 5, 50)
    X, y = np.repeat(base, copies, axis=0), np.repeat(base_y, copies)
    order = rng.permutation(len(y))
    X, y = X[order], y[order]
    group = np.repeat(np.arange(50), copies)[order]
    for seed in range(10):
        is_val = _split(X, y, fraction=0.3, seed=seed)
        assert 0 < is_val.sum() < len(y)
        for g in range(50):
            side = is_val[group == g]
            assert side.all() or not side.any(), g


def test_split_sample_weight_two_equals_duplicating_rows():
    rng = np.random.RandomState(2)
    X = rng.randn(80, 3)
    y = rng.randint(0, 3, 80)
    doubled = rng.rand(80) < 0.4
    sw = np.where(doubled, 2.0, 1.0)
    X_dup = np.vstack([X, X[doubled]])
    y_dup = np.concatenate([y, y[doubled]])
    for seed in range(10):
        weighted = _split(X, y, sample_weight=sw, fraction=0.25, seed=seed)
        duplicated = _split(X_dup, y_dup, fraction=0.25, seed=seed)
        assert_array_equal(duplicated[:80], weighted)
        assert_array_equal(duplicated[80:], weighted[doubled])
    # The fraction is of sample weight.
    assert abs(sw[weighted].sum() / sw.sum() - 0.25) < 0.05


def test_split_zero_weight_samples_always_train():
    rng = np.random.RandomState(3)
    X, y = rng.randn(100, 3), rng.randint(0, 2, 100)
    sw = np.where(np.arange(100) % 4 == 0, 0.0, 1.0)
    for seed in range(5):
        is_val = _split(X, y, sample_weight=sw, fraction=0.3, seed=seed)
        assert not is_val[sw == 0].any()
        assert is_val.any()


def test_estimator_uses_a_stratified_duplicate_aware_split(recorded_split):
    """The split the estimator uses (recorded) has the properties tested above,
    and the epochs train on exactly the non-validation rows."""
    recorded = recorded_split
    rng = np.random.RandomState(4)
    base = rng.randn(60, 5)
    base_y = np.repeat([0, 1, 2], [40, 17, 3])
    copies = rng.randint(1, 4, 60)
    X, y = np.repeat(base, copies, axis=0), np.repeat(base_y, copies)
    est = _quiet_fit(
        BackpropMLPClassifier(
            (8,),
            early_stopping="GL",
            validation_fraction=0.3,
            max_iter=5,
            random_state=0,
        ),
        X,
        y,
    )
    is_val = recorded["is_val"]
    assert_array_equal(recorded["keys"], row_keys(X))
    for c in range(3):
        assert (~is_val[y == c]).any()
        assert is_val[y == c].sum() > 0
    group = np.repeat(np.arange(60), copies)
    for g in range(60):
        assert len(set(is_val[group == g])) == 1
    n_train = int((~is_val).sum())
    seen = [r["n_samples_seen"] for r in est.history_]
    assert_array_equal(np.diff([0] + seen), n_train)


@pytest.mark.parametrize("criterion", [True, "GL"])
def test_estimator_sample_weight_two_equals_duplicated_rows(criterion):
    X, y = make_classification(
        n_samples=90,
        n_features=8,
        n_informative=4,
        n_classes=3,
        n_clusters_per_class=1,
        random_state=1,
    )
    doubled = np.arange(90) % 3 == 0
    sw = np.where(doubled, 2.0, 1.0)
    X_dup, y_dup = np.vstack([X, X[doubled]]), np.concatenate([y, y[doubled]])
    # Full-batch epochs (batch_size "auto" >= training rows): the order of the rows
    # only changes rounding.
    params = dict(hidden_layer_sizes=(10,), validation_fraction=0.2, max_iter=40)
    weighted = _quiet_fit(_es_estimator(criterion, **params), X, y, sample_weight=sw)
    duplicated = _quiet_fit(_es_estimator(criterion, **params), X_dup, y_dup)
    assert weighted.n_iter_ == duplicated.n_iter_
    assert weighted.best_epoch_ == duplicated.best_epoch_
    assert_allclose(
        weighted.validation_losses_, duplicated.validation_losses_, rtol=1e-9
    )
    assert_allclose(
        weighted.validation_scores_, duplicated.validation_scores_, rtol=1e-12
    )
    for a, b in zip(weighted.coefs_, duplicated.coefs_):
        assert_allclose(a, b, rtol=1e-7, atol=1e-10)


# --- where scikit-learn refuses, skbp refuses too -----------------------------


@pytest.mark.parametrize("criterion", [True, "GL", "PQ", "UP"])
def test_partial_fit_is_not_offered_with_early_stopping(criterion):
    est = BackpropMLPClassifier(early_stopping=criterion)
    assert not hasattr(est, "partial_fit")
    X, y = np.random.RandomState(0).randn(20, 3), np.arange(20) % 2
    with pytest.raises(AttributeError) as raised:
        est.partial_fit(X, y, classes=[0, 1])
    # scikit-learn's available_if names the reason in the chained exception.
    assert "partial_fit does not support early_stopping" in str(raised.value.__cause__)
    assert hasattr(est.set_params(early_stopping=False), "partial_fit")


@pytest.mark.parametrize("fraction", [0.01, 0.1])
def test_a_one_sample_validation_set_is_refused(fraction):
    rng = np.random.RandomState(0)
    X, y = rng.randn(10, 4), np.arange(10) % 3
    est = BackpropMLPClassifier(early_stopping=True, validation_fraction=fraction)
    with pytest.raises(ValueError, match="validation_fraction=.* gives 1 for validation"):
        est.fit(X, y)


def test_a_class_with_a_single_member_is_refused():
    rng = np.random.RandomState(0)
    X, y = rng.randn(30, 4), np.r_[np.zeros(15, int), np.ones(14, int), 2]
    est = BackpropMLPClassifier(early_stopping="GL", validation_fraction=0.2)
    with pytest.raises(ValueError) as raised:
        est.fit(X, y)
    message = str(raised.value)
    # scikit-learn's wording (as train_test_split(stratify=y) words it) ...
    assert "The least populated classes in y have only 1 member, which is too few." in message
    assert "Classes with too few members are: [2]" in message
    # ... and skbp's advice.
    assert "validation_fraction=0.2" in message and "early_stopping=False" in message


def test_single_member_classes_are_named_as_plain_labels():
    rng = np.random.RandomState(0)
    X = rng.randn(31, 4)
    y = np.array(["yes"] * 15 + ["no"] * 14 + ["maybe", "never"])
    est = BackpropMLPClassifier(early_stopping=True, validation_fraction=0.2)
    with pytest.raises(ValueError, match=r"too few members are: \['maybe', 'never'\]\."):
        est.fit(X, y)


def test_a_single_row_weighted_as_copies_is_a_class_that_trains(recorded_split):
    # sample_weight=3 stands for three copies: the class has 3 members, all of
    # one row, so it cannot be split and stays in training (no error).
    rng = np.random.RandomState(0)
    X, y = rng.randn(30, 4), np.r_[np.zeros(15, int), np.ones(14, int), 2]
    weights = np.r_[np.ones(29), 3.0]
    BackpropMLPClassifier(
        early_stopping=True, validation_fraction=0.2, max_iter=3
    ).fit(X, y, sample_weight=weights)
    assert not recorded_split["is_val"][-1]


def test_validation_size_is_at_least_scikit_learns():
    # train_test_split rounds the held-out size up: 15 rows of 3 classes at
    # validation_fraction=0.1 hold out ceil(1.5) = 2 rows, as MLPClassifier does.
    rng = np.random.RandomState(0)
    X, y = rng.randn(15, 4), np.repeat(np.arange(3), 5)
    for seed in range(5):
        assert _split(X, y, fraction=0.1, seed=seed).sum() == 2


@pytest.mark.parametrize("estimator", [BackpropMLPClassifier, BackpropMLPRegressor])
def test_the_docstring_says_where_partial_fit_differs_from_scikit_learn(estimator):
    notes = estimator.__doc__.split("Notes\n    -----")[1].split("Examples\n")[0]
    assert "raises :class:`AttributeError`" in notes
    assert 'ValueError("partial_fit does not support early_stopping=True")' in notes
