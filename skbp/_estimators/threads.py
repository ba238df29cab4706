"""How many BLAS threads a fit or a prediction uses: as many as its products can use.

OpenBLAS splits every matrix product above a small size over all the threads it
is allowed, and then waits for the slowest.  On a machine whose other cores are
busy (a browser, a second notebook, a grid search worker) a thread that has to
wait for a core turns a 40 µs product into milliseconds: fitting digits with
``(128, 64)`` hidden units took 45 times longer with two threads than with one
next to a single busy process.  A second thread only pays for products large
enough to hide that risk and the cost of handing work over, so each fit,
partial_fit and prediction runs with

    threads = min(allowed, max(1, largest product // MACS_PER_THREAD))

where "largest product" is the largest per-batch matrix product of the
network in multiply-adds (rows × fan_in × fan_out), and "allowed" is what the
BLAS libraries are already limited to: an outer ``threadpool_limits``, the
OMP/OPENBLAS environment variables, joblib's inner limits in a grid search.
The rule only ever lowers the limit, once per call (never per batch), and
restores it on return.

The rule is only a ceiling.  Whether a second thread pays also depends on what
else the machine is doing, which no product size tells: next to one busy process
on two cores, the 784-feature case's two-thread steps take 3 to 5 times longer
than its one-thread steps, while on the idle machine they take 0.6 to 0.8 times
as long.  So a mini-batch fit that may use more than one thread also measures:
:class:`ThreadProbe` times a few steps with its current count and with half
(and double, up to the ceiling) and keeps the fastest, and asks again later,
less often while the answer stays the same.

The limit is process-wide (it is OpenBLAS's): two fits running concurrently in
threads of one process can see each other's limit.
"""

import functools
import statistics
import time
from contextlib import contextmanager

from sklearn.utils.validation import _num_features, _num_samples

from .._engine.hooks import EpochHook
from .._engine.network import _PREDICT_CHUNK_ROWS
from .params import hidden_layer_sizes_tuple

#: Multiply-adds of one product each BLAS thread must get before a second thread
#: is even tried (the ThreadProbe then decides).  ``benchmarks/bench_busy.py
#: --crossover`` on the idle 2-core host (2026-12-03, SkylakeX kernel): in
#: float32 no product up to 6.6M multiply-adds gained from a second thread
#: (two-thread / one-thread time 1.01 to 1.30), 12.8M broke even (1.04) and
#: 25.7M gained (0.72), down to 0.57 at 411M; float64 scattered around 1 up to
#: 12.8M (0.62 to 1.18) and gained from 25.7M on (0.81 to 0.54).
MACS_PER_THREAD = 1 << 22

_blas = None


def _blas_libraries():
    """threadpoolctl's controllers of the loaded BLAS libraries (looked up once).

    Creating a ThreadpoolController scans the loaded libraries (about 1.4 ms,
    ``threadpool_limits`` does it on every call); reading and setting a
    library's thread count afterwards costs about a microsecond.  numpy's and
    scipy's BLAS are loaded when skbp is imported, before the first lookup.
    """
    global _blas
    if _blas is None:
        from threadpoolctl import ThreadpoolController

        _blas = ThreadpoolController().select(user_api="blas").lib_controllers
    return _blas


def threads_for(layer_sizes, rows):
    """The BLAS threads worth using for a network of ``layer_sizes`` on batches of ``rows``."""
    largest = max(
        (rows * fan_in * fan_out for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:])),
        default=0,
    )
    return max(1, largest // MACS_PER_THREAD)


@contextmanager
def at_most_blas_threads(n_threads):
    """Lower every BLAS library's thread count to ``n_threads`` (never raise it) for the block."""
    lowered = []
    try:
        for library in _blas_libraries():
            current = library.num_threads
            if current is not None and n_threads < current:
                library.set_num_threads(n_threads)
                lowered.append((library, current))
        yield
    finally:
        for library, previous in lowered:
            library.set_num_threads(previous)


def _limited(workload):
    """Decorator: run the method with ``threads_for(*workload(self, X, ...))`` threads at most.

    A workload that cannot be read (invalid input or hyperparameters, which the
    method itself then reports) leaves the limit as it is.
    """

    def decorate(method):
        if getattr(method, "limits_blas_threads", False):
            return method

        @functools.wraps(method)
        def wrapper(self, X, *args, **kwargs):
            try:
                n_threads = threads_for(*workload(self, X, *args, **kwargs))
            except (TypeError, ValueError, AttributeError, IndexError):
                n_threads = None  # outside the handler: the method's own error is not chained
            if n_threads is None:
                return method(self, X, *args, **kwargs)
            with at_most_blas_threads(n_threads):
                return method(self, X, *args, **kwargs)

        wrapper.limits_blas_threads = True
        return wrapper

    return decorate


def _fit_workload(estimator, X, *args, **kwargs):
    """(layer sizes, batch rows) of a fit on X, read before X is validated."""
    n_samples, n_features = _num_samples(X), _num_features(X)
    hidden = hidden_layer_sizes_tuple(estimator.hidden_layer_sizes)
    # Estimators without these parameters (the tabular ones have no solver) train
    # by mini-batches.
    batch_size = getattr(estimator, "batch_size", "auto")
    if getattr(estimator, "solver", None) == "lbfgs":
        rows = n_samples  # full batch
    elif batch_size == "auto":
        rows = min(200, n_samples)
    else:
        rows = min(max(int(batch_size), 1), n_samples)
    n_outputs = getattr(estimator, "n_outputs_", 1)
    return (n_features, *hidden, n_outputs), rows


def _allowed_threads():
    """The thread count every loaded BLAS library allows now (the lowest of them)."""
    return min(
        (library.num_threads for library in _blas_libraries() if library.num_threads),
        default=1,
    )


def fit_threads(estimator, X):
    """The BLAS threads a fit of ``estimator`` on X will use (never above what is allowed)."""
    return min(_allowed_threads(), threads_for(*_fit_workload(estimator, X)))


def _predict_workload(estimator, X):
    """(layer sizes, chunk rows) of a forward pass of the fitted network over X."""
    coefs = estimator.coefs_
    sizes = (*(coef.shape[0] for coef in coefs), coefs[-1].shape[1])
    return sizes, min(X.shape[0], _PREDICT_CHUNK_ROWS)


#: Decorates the fit entry point that fit and partial_fit share.
limit_fit_threads = _limited(_fit_workload)

#: Decorates the forward pass that every prediction method shares.
limit_predict_threads = _limited(_predict_workload)


def limit_entry_points(cls):
    """Decorate the ``_fit`` and ``_logits`` that ``cls`` resolves to, if not decorated yet.

    Called for every subclass of the estimators' base class, so that an
    estimator which overrides the fit or the forward pass of the base, itself
    or through a mixin placed before the base, still limits its threads.
    """
    for name, decorate in (("_fit", limit_fit_threads), ("_logits", limit_predict_threads)):
        method = getattr(cls, name, None)
        if method is not None and not getattr(method, "limits_blas_threads", False):
            setattr(cls, name, decorate(method))


class ThreadProbe(EpochHook):
    """A per-step hook that keeps the BLAS thread count whose steps are fastest now.

    The rule gives the fit a ceiling of ``most`` threads.  A probe compares the
    current count with its neighbours (half of it, and double it up to
    ``most``), taking turns step by step so that a change of load during the
    probe hits every candidate alike, and keeps the count of the lowest median
    step time.  It stops as soon as every candidate has two timed steps and the
    best is faster than each other by more than ``give_up`` times, and after
    ``steps`` timed steps per candidate otherwise.  Next to one busy process on
    two cores a two-thread step can take 10 to 20 times a one-thread step, and
    on an idle machine a one-thread step of a large product about 1.6 times a
    two-thread one: either way the answer is clear after two steps each.

    The fit starts with half the ceiling (one thread on two cores: the safe
    guess next to a busy process), its first step is not timed (it touches
    every buffer), the first probe starts at step ``first`` — a partial_fit
    call continues from the previous call's ``state()`` (``saved``), so that a
    stream of short calls is probed as one fit — and the next probe comes
    ``interval`` steps after a probe; the interval doubles, up to
    ``max_interval``, each time the answer stays the same, and falls back to
    ``interval`` when it changes, so the fit follows a change of load within
    one interval.  The step after an epoch boundary is not timed: it includes
    the validation and the hooks.

    ``libraries`` (threadpoolctl controllers, default: the loaded BLAS
    libraries) and ``clock`` are parameters so that tests can replace them.
    """

    per_step = True

    def __init__(self, most, *, first=2, steps=5, give_up=1.3, interval=64,
                 max_interval=1024, libraries=None, clock=time.perf_counter, saved=None):
        self.most = int(most)
        self.saved = saved
        self.first = first
        self.steps = steps
        self.give_up = give_up
        self.interval = interval
        self.max_interval = max_interval
        self.libraries = libraries
        self.clock = clock

    def on_train_begin(self, run):
        if self.libraries is None:
            self.libraries = _blas_libraries()
        self._restore = [(library, library.num_threads) for library in self.libraries]
        self._set = {}  # id(library) -> the count this probe set last
        self.chosen = []  # the count each probe kept, for inspection
        self.current = max(1, self.most // 2)
        self._next_interval = self.interval
        self._steps_to_probe = self.first - 1
        self._times, self._running, self._last = {}, None, None
        if self.saved:  # a partial_fit call goes on where the previous one stopped
            self.current = min(self.saved["current"], self.most)
            self._next_interval = self.saved["interval"]
            self._steps_to_probe = self.saved["steps_to_probe"]
            probing = {count: list(times) for count, *times in self.saved["probing"]}
            if probing and max(probing) <= self.most:
                self._times, self._probe_steps = probing, self.saved["probe_steps"]
                self._take_turn()
                return
        self._use(self.current)

    def state(self):
        """What a partial_fit stream carries to its next call: plain numbers and lists,
        the probe in progress included (``probing``: [count, step seconds...] rows)."""
        if not hasattr(self, "current"):  # training never began (invalid input)
            return self.saved
        probing = [] if self._running is None else [
            [int(count), *map(float, times)] for count, times in self._times.items()
        ]
        return {
            "current": int(self.current),
            "interval": int(self._next_interval),
            "steps_to_probe": int(self._steps_to_probe),
            "probing": probing,
            "probe_steps": int(getattr(self, "_probe_steps", 0)),
        }

    def on_epoch_begin(self, run):
        self._last = None

    def on_epoch_end(self, run, record):
        # The epoch's last step ends here.  Timed only without a validation pass
        # in between: a stream of one-step partial_fit calls is timed this way.
        if self._running is not None and getattr(run, "validation", None) is None:
            self._probe_step(self.clock())
        self._last = None
        return False

    def on_step_begin(self, run, fraction):
        now = self.clock()
        if self._running is not None:  # probing: time the step that just ran
            self._probe_step(now)
        elif self._steps_to_probe > 0:
            self._steps_to_probe -= 1
        else:
            candidates = {self.current, max(1, self.current // 2), min(self.most, 2 * self.current)}
            self._times = {count: [] for count in sorted(candidates)}
            self._probe_steps = 0
            self._take_turn()
        self._last = now

    def on_train_end(self, run):
        # Only where the count is still the one this probe set: a fit running
        # concurrently in another thread of the process (the limit is
        # process-wide) may have set it since, and this probe's "previous" may
        # be that fit's passing choice; the fit's own limit (at_most_blas_threads)
        # restores what was there before it.
        for library, previous in self._restore:
            if previous is not None and library.num_threads == self._set.get(id(library)):
                library.set_num_threads(previous)

    def _probe_step(self, now):
        self._probe_steps += 1
        if self._last is not None:
            self._times[self._running].append(now - self._last)
        if self._settled():
            self._decide()
        else:
            self._take_turn()

    def _take_turn(self):
        """Run the next step with the candidate that has the fewest timed steps."""
        self._running = min(self._times, key=lambda count: len(self._times[count]))
        self._use(self._running)

    def _settled(self):
        counts = [len(t) for t in self._times.values()]
        # Epochs of one step with a validation pass leave nothing to time: such a
        # probe ends after a bounded number of steps with what it has.
        if min(counts) >= self.steps or self._probe_steps >= 4 * self.steps * len(counts):
            return True
        if min(counts) < 2:
            return False
        medians = sorted(statistics.median(t) for t in self._times.values())
        return medians[1] > self.give_up * medians[0]

    def _decide(self):
        medians = {count: statistics.median(t) for count, t in self._times.items() if t}
        best = min(medians, key=medians.get) if medians else self.current
        unchanged = best == self.current
        self.current = best
        self.chosen.append(best)
        self._use(best)
        self._running = None
        self._next_interval = (
            min(2 * self._next_interval, self.max_interval) if unchanged else self.interval
        )
        self._steps_to_probe = self._next_interval

    def _use(self, count):
        for library, previous in self._restore:
            if previous is not None:
                self._set[id(library)] = min(count, previous)
                library.set_num_threads(self._set[id(library)])


def thread_probe(saved=None):
    """A :class:`ThreadProbe` for the mini-batch fit being set up, or None when
    there is nothing to choose; ``saved``: the previous partial_fit call's state.

    Called inside the fit, where the rule has already lowered the BLAS threads:
    the probe only ever chooses between that count and fewer.
    """
    most = _allowed_threads()
    return ThreadProbe(most, saved=saved) if most > 1 else None
