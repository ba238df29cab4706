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

#: Multiply-adds of one product each BLAS thread must get for the thread to pay
#: for itself: above digits' 1.6M-multiply-add products, below the 25.7M of 784
#: inputs and 256 units at batch 128, which gained 1.8x from a second thread on
#: an idle 2-core host.  ``benchmarks/bench_busy.py --crossover`` measures the
#: crossover; it could not be measured on the loaded machine of this change.
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


def fit_threads(estimator, X):
    """The BLAS threads a fit of ``estimator`` on X will use (never above what is allowed)."""
    allowed = min(
        (library.num_threads for library in _blas_libraries() if library.num_threads),
        default=1,
    )
    return min(allowed, threads_for(*_fit_workload(estimator, X)))


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

    Starting from ``most`` threads (the rule's ceiling for this fit), after
    ``first`` steps and then every ``interval`` steps, a probe times ``steps``
    steps with each candidate count — half the current one, the current one,
    and double it up to ``most`` — and keeps the count of the lowest median
    step time.  A candidate whose first two steps both take
    more than ``give_up`` times the best median so far is dropped at once:
    next to a busy process a two-thread step can take 10 to 20 times a
    one-thread step, and probing it in full would cost more than the probe
    saves.  The interval doubles, up to ``max_interval``, each time the answer
    stays the same, and falls back to ``interval`` when it changes.  The step
    after an epoch boundary is not timed: it includes the validation and the
    hooks.  On a steady machine a probe costs a few steps at a worse count,
    about 1 % of a long fit; when the load changes, the fit follows it within
    one interval.

    ``libraries`` (threadpoolctl controllers, default: the loaded BLAS
    libraries) and ``clock`` are parameters so that tests can replace them.
    """

    per_step = True

    def __init__(self, most, *, first=1, steps=5, give_up=1.5, interval=64,
                 max_interval=1024, libraries=None, clock=time.perf_counter):
        self.most = int(most)
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
        self.current = self.most
        self.chosen = []  # the count each probe kept, for inspection
        self._next_interval = self.interval
        # The probe starts at step ``first`` with the fewest threads: a fit next
        # to a busy process never starts with its slowest steps.  The first step
        # touches every buffer and is never timed.
        self._steps_to_probe = self.first
        self._candidates, self._times, self._last = [], {}, None

    def on_epoch_begin(self, run):
        self._last = None

    def on_step_begin(self, run, fraction):
        now = self.clock()
        if self._candidates:
            if self._last is not None:
                self._record(now - self._last)
        else:
            self._steps_to_probe -= 1
            if self._steps_to_probe <= 0:
                self._start_probe()
        self._last = now

    def on_train_end(self, run):
        for library, previous in self._restore:
            if previous is not None:
                library.set_num_threads(previous)

    def _start_probe(self):
        others = sorted({max(1, self.current // 2), min(self.most, 2 * self.current)} - {self.current})
        # The first probe starts with the fewest threads (the safe guess next to
        # a busy process); later ones with the current count, so that a worse
        # neighbour is given up after two steps.
        self._candidates = [self.current, *others] if self.chosen else sorted([self.current, *others])
        self._times = {count: [] for count in self._candidates}
        self._use(self._candidates[0])

    def _record(self, seconds):
        """Time the step that just ran with the candidate being measured."""
        count = self._candidates[0]
        times = self._times[count]
        times.append(seconds)
        done = [statistics.median(t) for c, t in self._times.items() if c != count and t]
        hopeless = len(times) >= 2 and done and min(times) > self.give_up * min(done)
        if len(times) < self.steps and not hopeless:
            return
        self._candidates.pop(0)
        if self._candidates:
            self._use(self._candidates[0])
        else:
            self._decide()

    def _decide(self):
        medians = {count: statistics.median(t) for count, t in self._times.items() if t}
        best = min(medians, key=medians.get)
        unchanged = best == self.current
        self.current = best
        self.chosen.append(best)
        self._use(best)
        self._next_interval = (
            min(2 * self._next_interval, self.max_interval) if unchanged else self.interval
        )
        self._steps_to_probe = self._next_interval

    def _use(self, count):
        for library, previous in self._restore:
            if previous is not None:
                library.set_num_threads(min(count, previous))


def thread_probe():
    """A :class:`ThreadProbe` for the mini-batch fit being set up, or None when
    there is nothing to choose.

    Called inside the fit, where the rule has already lowered the BLAS threads:
    the probe only ever chooses between that count and fewer.
    """
    most = min(
        (library.num_threads for library in _blas_libraries() if library.num_threads),
        default=1,
    )
    return ThreadProbe(most) if most > 1 else None
