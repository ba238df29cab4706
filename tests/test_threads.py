"""BLAS threads per fit and prediction (skbp/_estimators/threads.py), and the lean predict path."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import is_classifier
from sklearn.exceptions import NotFittedError
from threadpoolctl import threadpool_info, threadpool_limits

import skbp
import skbp._engine.network as network
import skbp._estimators.base as base
from skbp._estimators import predict_input, threads
from skbp._estimators.base import BaseBackpropMLP

ESTIMATORS = [
    getattr(skbp, name)
    for name in skbp.__all__
    if isinstance(getattr(skbp, name), type) and issubclass(getattr(skbp, name), BaseBackpropMLP)
]


def _blas_threads():
    """The thread counts of the loaded BLAS libraries, as threadpoolctl reads them afresh."""
    return sorted({info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"})


class ThreadRecorder:
    """Records the BLAS threads each time the network computes a gradient.

    It wraps ``Network.loss_and_gradient``, which every solver calls (mini-batch
    steps and L-BFGS evaluations alike), so it needs no callback API and runs
    at the minimum scikit-learn version too.
    """

    def __init__(self, monkeypatch):
        self.seen = []
        original = network.Network.loss_and_gradient

        def recording(net, *args, **kwargs):
            self.seen.append(_blas_threads())
            return original(net, *args, **kwargs)

        monkeypatch.setattr(network.Network, "loss_and_gradient", recording)


#: (estimator, solver) pairs; estimators without a ``solver`` parameter once, with None.
SOLVER_CASES = [
    (Estimator, solver)
    for Estimator in ESTIMATORS
    for solver in (("adam", "lbfgs") if "solver" in Estimator().get_params() else (None,))
]


@pytest.fixture
def predict_threads(monkeypatch):
    """Records the BLAS threads of every forward pass of a prediction.

    The base's forward pass and the network's (``Network.predict_logits``) are
    both watched, whichever an estimator uses.
    """
    seen = []

    def spying(real):
        def spy(*args, **kwargs):
            seen.append(_blas_threads())
            return real(*args, **kwargs)

        return spy

    monkeypatch.setattr(base, "forward_logits", spying(base.forward_logits))
    monkeypatch.setattr(network.Network, "predict_logits", spying(network.Network.predict_logits))
    return seen


def _data(estimator, n_features=6):
    rng = np.random.RandomState(0)
    X = rng.standard_normal((60, n_features))
    y = (X[:, 0] > 0).astype(int) if is_classifier(estimator) else X[:, 0].copy()
    return X, y


def _fit_recording(estimator, X, y, monkeypatch, method="fit"):
    recorder = ThreadRecorder(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning of the short fits
        if method == "partial_fit" and is_classifier(estimator):
            estimator.partial_fit(X, y, classes=np.unique(y))
        else:
            getattr(estimator, method)(X, y)
    return recorder.seen


def test_threads_grow_with_the_largest_product():
    per_thread = threads.MACS_PER_THREAD
    # digits with (128, 64) units, batch 200: 1.6M multiply-adds per product
    assert threads.threads_for((64, 128, 64, 10), 200) == 1
    assert threads.threads_for((1, 1), 1) == 1
    side = 1 << 11  # a side x side product per row: 2^22 multiply-adds per row
    for rows in (1, 2, 3):
        assert threads.threads_for((side, side), rows) == max(1, rows * side * side // per_thread)
    assert threads.threads_for((side, side), per_thread // (side * side)) == 1
    assert threads.threads_for((side, side), 2 * per_thread // (side * side)) == 2
    # 784 -> 1024 -> 1024, batch 512: far above the threshold
    assert threads.threads_for((784, 1024, 1024, 10), 512) == 512 * 1024 * 1024 // per_thread


def test_fit_workload_of_estimators_without_a_solver_parameter():
    from types import SimpleNamespace

    X = np.zeros((300, 5))
    tabular_like = SimpleNamespace(hidden_layer_sizes=(16, 8), batch_size=64)
    assert threads._fit_workload(tabular_like, X) == ((5, 16, 8, 1), 64)
    lbfgs = SimpleNamespace(hidden_layer_sizes=16, batch_size="auto", solver="lbfgs")
    assert threads._fit_workload(lbfgs, X) == ((5, 16, 1), 300)


@pytest.mark.parametrize(("Estimator", "solver"), SOLVER_CASES)
def test_small_fits_and_predictions_use_one_thread(Estimator, solver, predict_threads, monkeypatch):
    estimator = Estimator(hidden_layer_sizes=(8,), max_iter=3, random_state=0)
    if solver is not None:
        estimator.set_params(solver=solver)
    X, y = _data(estimator)
    with threadpool_limits(limits=2, user_api="blas"):
        seen = _fit_recording(estimator, X, y, monkeypatch)
        assert _blas_threads() == [2]  # restored after the fit
        estimator.predict(X)
        assert _blas_threads() == [2]
    assert seen and all(threads_seen == [1] for threads_seen in seen)
    assert predict_threads and all(threads_seen == [1] for threads_seen in predict_threads)


@pytest.mark.parametrize(
    "Estimator", [Estimator for Estimator in ESTIMATORS if hasattr(Estimator(), "partial_fit")]
)
def test_partial_fit_uses_one_thread_for_small_products(Estimator, monkeypatch):
    estimator = Estimator(hidden_layer_sizes=(8,), random_state=0)
    X, y = _data(estimator)
    with threadpool_limits(limits=2, user_api="blas"):
        seen = _fit_recording(estimator, X, y, monkeypatch, method="partial_fit")
    assert seen and all(threads_seen == [1] for threads_seen in seen)


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_large_products_use_the_allowed_threads_and_never_more(
    Estimator, monkeypatch, predict_threads
):
    # Every product counts as large: the rule asks for many threads.
    monkeypatch.setattr(threads, "MACS_PER_THREAD", 1)
    estimator = Estimator(hidden_layer_sizes=(8,), max_iter=8, batch_size=10, random_state=0)
    X, y = _data(estimator)
    for allowed in (2, 1):
        with threadpool_limits(limits=allowed, user_api="blas"):
            seen = _fit_recording(estimator, X, y, monkeypatch)
            estimator.predict(X)
        # Mini-batch steps may run with fewer threads (the ThreadProbe measures
        # one thread), never with more.
        assert seen and max(seen) == [allowed] and min(seen) >= [1]
        assert predict_threads[-1] == [allowed]


def _recording_fit(self, X, y, sample_weight=None, incremental=False):
    self.threads_in_fit = _blas_threads()
    return skbp.BackpropMLPClassifier._fit(
        self, X, y, sample_weight=sample_weight, incremental=incremental
    )


def _recording_logits(self, X):
    self.threads_in_predict = _blas_threads()
    return skbp.BackpropMLPClassifier._logits(self, X)


class OverridingClassifier(skbp.BackpropMLPClassifier):
    """A subclass overriding the base's fit and forward pass, as the tabular estimators do."""

    _fit = _recording_fit
    _logits = _recording_logits


class _OverridingMixin:
    """The same overrides in a mixin placed before the estimator class."""

    _fit = _recording_fit
    _logits = _recording_logits


class MixedInClassifier(_OverridingMixin, skbp.BackpropMLPClassifier):
    pass


@pytest.mark.parametrize("Estimator", [OverridingClassifier, MixedInClassifier])
def test_subclasses_overriding_fit_and_the_forward_pass_are_limited_too(Estimator):
    estimator = Estimator(hidden_layer_sizes=(8,), max_iter=2)
    X, y = _data(estimator)
    with threadpool_limits(limits=2, user_api="blas"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator.fit(X, y).predict(X)
        assert _blas_threads() == [2]
    assert estimator.threads_in_fit == estimator.threads_in_predict == [1]


def test_limit_is_restored_when_fit_raises():
    X, y = _data(skbp.BackpropMLPClassifier())
    X[3, 2] = np.nan
    with threadpool_limits(limits=2, user_api="blas"):
        with pytest.raises(ValueError, match="NaN"):
            skbp.BackpropMLPClassifier(hidden_layer_sizes=(8,)).fit(X, y)
        assert _blas_threads() == [2]


def test_invalid_hyperparameters_are_reported_by_fit_not_by_the_rule():
    X, y = _data(skbp.BackpropMLPClassifier())
    with pytest.raises(ValueError, match="hidden_layer_sizes") as raised:
        skbp.BackpropMLPClassifier(hidden_layer_sizes=(0,)).fit(X, y)
    # fit's own error, not one raised while the rule's failure was being handled
    assert raised.value.__context__ is None


# ------------------------------------------------------------- lean predict path
@pytest.fixture(scope="module")
def fitted():
    X, y = _data(skbp.BackpropMLPClassifier())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return skbp.BackpropMLPClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(
            X, y
        ), X


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_lean_path_refuses_non_finite_rows(fitted, bad):
    model, X = fitted
    row = X[:1].copy()
    row[0, 1] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        model.predict_proba(row)


def test_finite_values_whose_sum_overflows_are_accepted(fitted):
    model, X = fitted
    row = X[:1].copy()
    row[0, :2] = np.finfo(np.float64).max  # the sum is inf, every entry finite
    with np.errstate(over="ignore", invalid="ignore"):
        model.predict(row)


def test_lean_path_checks_the_number_of_features(fitted):
    model, X = fitted
    with pytest.raises(ValueError, match="features"):
        model.predict_proba(X[:1, :-1])


def test_lean_path_agrees_with_the_validated_path(fitted):
    model, X = fitted
    for rows in (X[:1], X[:7], np.asfortranarray(X[:7]), X[:7].astype(np.float32)):
        assert predict_input.is_plain_valid_input(model, rows)
        np.testing.assert_array_equal(
            model.predict_proba(rows), model.predict_proba(rows.tolist())
        )


def test_inputs_that_need_conversion_take_the_validated_path(fitted):
    model, X = fitted
    expected = model.predict_proba(X[:7])
    for rows in (X[:7].astype(">f8"), X[:7].tolist(), X[:7].astype(np.float16)):
        assert not predict_input.is_plain_valid_input(model, rows)
    np.testing.assert_array_equal(model.predict_proba(X[:7].astype(">f8")), expected)


def test_models_fitted_with_feature_names_still_warn_on_arrays():
    pd = pytest.importorskip("pandas")
    X, y = _data(skbp.BackpropMLPClassifier())
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = skbp.BackpropMLPClassifier(hidden_layer_sizes=(8,), max_iter=5).fit(frame, y)
    with pytest.warns(UserWarning, match="feature names"):
        model.predict_proba(X[:1])


def test_unfitted_model_raises_not_fitted(fitted):
    _, X = fitted
    with pytest.raises(NotFittedError):
        skbp.BackpropMLPClassifier().predict_proba(X[:1])


def test_fit_threads_reads_the_rule_and_never_exceeds_the_allowed_count():
    X = np.zeros((1000, 784))
    small = skbp.BackpropMLPClassifier(hidden_layer_sizes=(16,))
    large = skbp.BackpropMLPClassifier(hidden_layer_sizes=(1024, 1024), batch_size=512)
    assert threads.fit_threads(small, X) == 1
    with threadpool_limits(2, user_api="blas"):
        assert threads.fit_threads(large, X) == min(2, threads.threads_for((784, 1024, 1024, 1), 512))
    with threadpool_limits(1, user_api="blas"):
        assert threads.fit_threads(large, X) == 1


def test_demo_fits_both_models_with_the_threads_skbp_chose(monkeypatch, capsys):
    """The demo's MLPClassifier runs under skbp's thread count, and says so."""
    from skbp._tools.cli import demo, main

    seen = []
    original = demo.timed_fit

    def recording_fit(model, X, y):
        seen.append(_blas_threads())
        return original(model, X, y)

    monkeypatch.setattr(demo, "timed_fit", recording_fit)
    with threadpool_limits(2, user_api="blas"):
        assert main(["demo", "--max-iter", "3", "--verbose", "0"]) == 0
    assert "BLAS threads: 1 for both fits" in capsys.readouterr().out
    assert seen == [[1], [1]]


class FakeLibrary:
    """A BLAS library as threadpoolctl's controller shows it: a thread count to read and set."""

    def __init__(self, num_threads):
        self.num_threads = num_threads
        self.counts_set = []

    def set_num_threads(self, n):
        self.num_threads = n
        self.counts_set.append(n)


class SimulatedFit:
    """Steps whose duration depends on the library's thread count at the time they run."""

    def __init__(self, step_seconds, most=2, allowed=None, steps_per_epoch=100):
        self.library = FakeLibrary(most if allowed is None else allowed)
        self.now = 0.0
        self.step_seconds = step_seconds
        self.steps_per_epoch = steps_per_epoch
        self.probe = threads.ThreadProbe(most, libraries=[self.library], clock=lambda: self.now)
        self.probe.on_train_begin(None)
        self.threads_per_step = []

    def run(self, n_steps, epoch_gap=0.0):
        for step in range(n_steps):
            if step % self.steps_per_epoch == 0:
                self.now += epoch_gap  # validation and hooks between epochs
                self.probe.on_epoch_begin(None)
            self.probe.on_step_begin(None, 0.0)
            threads_now = self.library.num_threads
            self.threads_per_step.append(threads_now)
            self.now += self.step_seconds(threads_now, len(self.threads_per_step))
        return self


def test_probe_keeps_one_thread_when_its_steps_are_faster():
    # Two threads next to a busy process: each step 4x slower than with one.
    fit = SimulatedFit(lambda threads, step: 1.0 if threads == 1 else 4.0).run(2000)
    assert fit.probe.chosen[0] == 1 and set(fit.probe.chosen) == {1}
    # After the first probe, two-thread steps are only the probes' own.
    assert fit.threads_per_step[-200:].count(2) <= 12
    assert fit.threads_per_step.count(2) < 0.05 * 2000
    fit.probe.on_train_end(None)
    assert fit.library.num_threads == 2  # the count before the fit


def test_probe_keeps_the_ceiling_when_it_is_faster_and_probes_less_often():
    fit = SimulatedFit(lambda threads, step: 0.6 if threads == 2 else 1.0).run(4000)
    assert set(fit.probe.chosen) == {2}
    # Intervals double while the answer stays: few probes, few slow steps.
    assert len(fit.probe.chosen) <= 8
    assert fit.threads_per_step.count(1) < 0.02 * 4000


def test_probe_follows_a_change_of_load():
    # Quiet for 3000 steps (two threads win), then a busy process starts.
    fit = SimulatedFit(
        lambda threads, step: (0.6 if threads == 2 else 1.0) if step <= 3000
        else (4.0 if threads == 2 else 1.0)
    ).run(5000)
    assert fit.threads_per_step[2900] == 2
    # The busy phase is noticed within the longest interval (1024 steps) plus a
    # probe; afterwards two threads run only in the probes, two steps each.
    after = fit.threads_per_step[3000 + 1024 + 12 :]
    assert fit.probe.chosen[-1] == 1 and after.count(2) <= 0.02 * len(after)


def test_probe_never_sets_more_threads_than_the_library_had():
    # The ceiling is 4 but the library was limited to 2 from outside.
    fit = SimulatedFit(lambda threads, step: 1.0 / threads, most=4, allowed=2).run(1000)
    assert max(fit.library.counts_set) <= 2
    assert max(fit.threads_per_step) == 2


def test_probe_does_not_time_the_step_after_an_epoch_boundary():
    # Epochs of 10 steps separated by a long validation pass, two threads faster:
    # were the boundary intervals timed, they would make two threads look slow.
    fit = SimulatedFit(lambda threads, step: 0.6 if threads == 2 else 1.0, steps_per_epoch=10)
    fit.run(1000, epoch_gap=50.0)
    assert fit.probe.chosen and set(fit.probe.chosen) == {2}


def test_a_stream_of_short_calls_is_probed_as_one_fit():
    # partial_fit calls of one step each, two threads faster: each call's probe
    # continues from the previous call's state.
    saved, library, now, chosen = None, FakeLibrary(2), [0.0], []
    for _ in range(300):
        probe = threads.ThreadProbe(2, libraries=[library], clock=lambda: now[0], saved=saved)
        probe.on_train_begin(None)
        probe.on_epoch_begin(None)
        probe.on_step_begin(None, 0.0)
        now[0] += 0.6 if library.num_threads == 2 else 1.0
        probe.on_epoch_end(None, {})
        now[0] += 100.0  # the caller's own work between calls is never timed
        probe.on_train_end(None)
        saved = probe.state()
        chosen += probe.chosen
    assert chosen and set(chosen) == {2} and saved["current"] == 2


def test_partial_fit_streams_carry_the_probe_state(monkeypatch):
    monkeypatch.setattr(threads, "MACS_PER_THREAD", 1)
    estimator = skbp.BackpropMLPClassifier(hidden_layer_sizes=(8,), batch_size=5, random_state=0)
    X, y = _data(estimator)
    with threadpool_limits(limits=2, user_api="blas"):
        for _ in range(3):
            estimator.partial_fit(X, y, classes=np.unique(y))
    state = estimator._training_state["threads"]
    assert set(state) == {"current", "interval", "steps_to_probe", "probing", "probe_steps"}
    assert state["current"] in (1, 2)
    assert pickle.loads(pickle.dumps(estimator))._training_state["threads"] == state


@pytest.mark.parametrize("Estimator", ESTIMATORS)
def test_mini_batch_fits_with_large_products_probe_and_restore_the_limit(Estimator, monkeypatch):
    monkeypatch.setattr(threads, "MACS_PER_THREAD", 1)
    probes = []
    original = threads.ThreadProbe.on_train_end

    def recording_end(probe, run):
        probes.append(probe)
        original(probe, run)

    monkeypatch.setattr(threads.ThreadProbe, "on_train_end", recording_end)
    estimator = Estimator(hidden_layer_sizes=(8,), max_iter=8, batch_size=10, random_state=0)
    X, y = _data(estimator)
    with threadpool_limits(limits=2, user_api="blas"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator.fit(X, y)
        assert _blas_threads() == [2]
    assert len(probes) == 1 and probes[0].most == 2 and probes[0].chosen
    assert set(probes[0].chosen) <= {1, 2}


class _Validated:
    validation = object()  # a run with a validation pass between epochs


def test_probe_ends_when_one_step_epochs_leave_nothing_to_time():
    library, now = FakeLibrary(2), [0.0]
    probe = threads.ThreadProbe(2, libraries=[library], clock=lambda: now[0])
    probe.on_train_begin(_Validated())
    for _ in range(200):  # epochs of one step each, with a validation pass
        probe.on_epoch_begin(_Validated())
        probe.on_step_begin(_Validated(), 0.0)
        now[0] += 1.0
        probe.on_epoch_end(_Validated(), {})
    # Probes end (keeping the count) instead of switching counts forever.
    assert probe.chosen and set(probe.chosen) == {1}
    switches = sum(a != b for a, b in zip(library.counts_set, library.counts_set[1:]))
    assert switches < 40


def test_concurrent_probes_do_not_leave_the_process_at_a_passing_count():
    # Two fits in two threads of one process share the library's (process-wide)
    # count: B starts while A's probe holds one thread, so B's "previous" is A's
    # passing choice. When A ends, its limit restores 2; B must not undo that.
    library, now = FakeLibrary(2), [0.0]
    a = threads.ThreadProbe(2, libraries=[library], clock=lambda: now[0])
    b = threads.ThreadProbe(2, libraries=[library], clock=lambda: now[0])
    a.on_train_begin(None)
    b.on_train_begin(None)
    for _ in range(40):
        for probe in (a, b):
            probe.on_step_begin(None, 0.0)
            now[0] += 1.0 if library.num_threads == 1 else 0.6
    a.on_train_end(None)
    library.set_num_threads(2)  # A's at_most_blas_threads restores the count before A
    b.on_train_end(None)
    assert library.num_threads == 2
    # alone, a probe restores the count it found
    alone = threads.ThreadProbe(2, libraries=[library], clock=lambda: now[0])
    alone.on_train_begin(None)
    assert library.num_threads == 1
    alone.on_train_end(None)
    assert library.num_threads == 2
