"""Training benchmark: skbp's BackpropMLPClassifier vs scikit-learn's MLPClassifier.

Run from the repository root::

    python benchmarks/bench_training.py                 # the standard case
    python benchmarks/bench_training.py --quick         # tiny smoke run
    python benchmarks/bench_training.py --scaling       # skbp at 5k/20k/80k rows

Three contenders are timed in one process, interleaved (A B C A B C ...),
and the median over the repetitions is reported:

* ``skbp``: :class:`skbp.BackpropMLPClassifier`;
* ``sklearn``: :class:`sklearn.neural_network.MLPClassifier` with identical
  settings;
* ``roofline``: exactly the matrix products one epoch needs, computed into
  preallocated buffers with ``np.matmul(..., out=...)`` (see
  ``benchmarks/_roofline.py``): the floor for a NumPy implementation.

Besides seconds per epoch it reports the training accuracy, ``predict_proba``
throughput, the tracemalloc peak of each fit and, in the standard case, the
overhead of ``dropout=0.2``, of ``monitor_layers=True`` and of a scikit-learn
callback that does nothing (``set_callbacks(NoOp())``, scikit-learn >= 1.9;
without any callback nothing of the callback API runs).  Everything is also
written as JSON together with a description of the machine and its BLAS
(threadpoolctl).

``OPENBLAS_CORETYPE`` / ``OPENBLAS_L2_SIZE`` are printed but never changed:
see ``benchmarks/README.md`` for running with both unset.
"""

import argparse
import datetime
import gc
import json
import math
import os
import platform
import statistics
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    # Executed as a script (or loaded by path): make the sibling helper importable.
    _here = str(Path(__file__).resolve().parent)
    if _here not in sys.path:
        sys.path.insert(0, _here)

from _roofline import MatmulRoofline  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "bench_training.json"
ENV_VARS = (
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
)
SCHEMA_VERSION = 1
#: Settings whose cost is measured against plain skbp, in the adam configurations.
KNOBS = ("dropout", "monitor_layers", "callback_noop")


class NoOp:
    """A scikit-learn FitCallback that does nothing: the callback machinery's cost."""

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context):
        pass


# --------------------------------------------------------------------------- #
# Settings
# --------------------------------------------------------------------------- #
def _widths(text):
    """Parse ``"256,128"`` into ``(256, 128)``."""
    try:
        sizes = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(
            f"invalid --widths value {text!r}: expected comma-separated positive "
            "integers such as 256,128"
        )
    return sizes


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def build_parser():
    """Command-line interface of the benchmark."""
    parser = argparse.ArgumentParser(
        prog="bench_training.py",
        description=(
            "Time skbp's BackpropMLPClassifier against scikit-learn's "
            "MLPClassifier and a pure-matmul roofline (interleaved, median)."
        ),
    )
    parser.add_argument(
        "--n-samples",
        type=_positive_int,
        nargs="+",
        default=None,
        help="training set sizes (default 20000; --scaling: 5000 20000 80000)",
    )
    parser.add_argument("--n-features", type=_positive_int, default=784)
    parser.add_argument("--n-informative", type=_positive_int, default=60)
    parser.add_argument("--n-classes", type=_positive_int, default=10)
    parser.add_argument(
        "--widths",
        type=_widths,
        nargs="+",
        default=None,
        metavar="W1,W2,...",
        help="hidden_layer_sizes, one or more comma-separated lists (default 256,128)",
    )
    parser.add_argument(
        "--solvers",
        nargs="+",
        choices=["adam", "sgd"],
        default=None,
        help="default: adam sgd (--scaling: adam)",
    )
    parser.add_argument(
        "--dtypes",
        nargs="+",
        choices=["float32", "float64"],
        default=None,
        help="default: float32 float64 (--scaling: float32)",
    )
    parser.add_argument("--repeats", type=_positive_int, default=None, help="default 3")
    parser.add_argument("--epochs", type=_positive_int, default=None, help="default 5")
    parser.add_argument("--batch-size", type=_positive_int, default=128)
    parser.add_argument(
        "--dropout",
        type=float,
        default=0.2,
        help="dropout rate whose overhead is measured against dropout=0 "
        "(adam only; 0 disables; default 0.2)",
    )
    parser.add_argument(
        "--no-memory",
        action="store_true",
        help="skip the extra tracemalloc fits (peak memory is then not reported)",
    )
    parser.add_argument(
        "--scaling",
        action="store_true",
        help="time skbp only, at 5000/20000/80000 rows (or --n-samples), and "
        "report seconds per epoch per 1000 samples",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes and 1 repeat (smoke test); explicit options still win",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="JSON output file (default benchmarks/results/bench_training.json)",
    )
    parser.add_argument(
        "--threads",
        type=_positive_int,
        default=None,
        help="limit the BLAS thread pools to this many threads with threadpoolctl "
        "(default: leave them as they are)",
    )
    parser.add_argument(
        "--rst", action="store_true", help="also print the summary as an RST table"
    )
    return parser


def resolve_settings(args):
    """Fill in the defaults that depend on --quick / --scaling."""
    quick, scaling = args.quick, args.scaling
    if args.n_samples is None:
        if scaling:
            args.n_samples = [300, 600, 1200] if quick else [5000, 20000, 80000]
        else:
            args.n_samples = [600] if quick else [20000]
    if quick and args.n_features == 784:
        args.n_features = 32
    if quick and args.n_informative == 60:
        args.n_informative = 8
    if args.n_informative > args.n_features:
        raise SystemExit(
            f"--n-informative ({args.n_informative}) must not exceed "
            f"--n-features ({args.n_features})"
        )
    if args.widths is None:
        args.widths = [(16, 8)] if quick else [(256, 128)]
    if args.solvers is None:
        args.solvers = ["adam"] if scaling else ["adam", "sgd"]
    if args.dtypes is None:
        args.dtypes = ["float32"] if scaling else ["float32", "float64"]
    if args.repeats is None:
        args.repeats = 1 if quick else 3
    if args.epochs is None:
        args.epochs = 2 if quick else 5
    if not 0.0 <= args.dropout < 1.0:
        raise SystemExit(f"--dropout must be in [0, 1), got {args.dropout}")
    return args


# --------------------------------------------------------------------------- #
# Machine description
# --------------------------------------------------------------------------- #
def _cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _loadavg():
    """1/5/15-minute load averages, or None where the OS does not provide them."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def machine_info(skbp_version):
    """Platform, cores, library versions, BLAS and its environment variables."""
    import scipy
    import sklearn
    from threadpoolctl import threadpool_info

    try:
        usable_cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable_cores = os.cpu_count()
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "usable_cores": usable_cores,
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "sklearn": sklearn.__version__,
        "skbp": skbp_version,
        "env": {name: os.environ.get(name) for name in ENV_VARS},
        "load_average": _loadavg(),
        "threadpool_info": threadpool_info(),
    }


def print_machine(info):
    print("Machine")
    print(f"  platform      : {info['platform']}")
    print(f"  cpu           : {info['cpu_model']}")
    print(
        f"  cores         : {info['cpu_count']} (usable by this process: {info['usable_cores']})"
    )
    print(
        f"  python {info['python']}, numpy {info['numpy']}, scipy {info['scipy']}, "
        f"scikit-learn {info['sklearn']}, skbp {info['skbp']}"
    )
    for name, value in info["env"].items():
        print(f"  {name:<21}= {value if value is not None else '(unset)'}")
    for pool in info["threadpool_info"]:
        print(
            f"  threadpool    : {pool.get('user_api')}/{pool.get('internal_api')} "
            f"{pool.get('version')} architecture={pool.get('architecture')} "
            f"num_threads={pool.get('num_threads')} "
            f"threading_layer={pool.get('threading_layer')}"
        )
    load = info["load_average"]
    if load is not None:
        print(
            f"  load average  : {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1/5/15 min)"
        )
        if load[0] > 0.5:
            print(
                "  NOTE: the machine is not idle; other processes compete with the "
                "BLAS threads and inflate (and scatter) the timings."
            )
    if any(info["env"][name] for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")):
        print(
            "  NOTE: OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE are set and may select a "
            "slower kernel; see benchmarks/README.md to run with both unset."
        )
    print()


# --------------------------------------------------------------------------- #
# Measurements
# --------------------------------------------------------------------------- #
def make_data(n_samples, n_features, n_informative, n_classes, dtype):
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=n_informative,
        n_redundant=0,
        n_classes=n_classes,
        random_state=0,
    )
    return np.ascontiguousarray(X, dtype=dtype), y


def common_params(widths, solver, epochs, batch_size):
    """Settings shared verbatim by skbp and scikit-learn."""
    return dict(
        hidden_layer_sizes=tuple(widths),
        activation="relu",
        solver=solver,
        batch_size=batch_size,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=10**9,
        shuffle=True,
        random_state=0,
    )


def _fit(make_estimator, X, y):
    """Fit a fresh estimator; return it, the wall time and the CPU time of ``fit``."""
    from sklearn.exceptions import ConvergenceWarning

    est = make_estimator()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        wall, cpu = _time_call(lambda: est.fit(X, y))
    return est, wall, cpu


def _time_call(func):
    """Wall-clock and process CPU seconds of ``func()``.

    CPU time sums over all threads of the process: with one BLAS thread it is
    close to the wall time an idle machine would show, which makes runs on a
    busy machine interpretable; with several threads it also counts their
    spinning.
    """
    gc.collect()
    c0, t0 = time.process_time(), time.perf_counter()
    func()
    return time.perf_counter() - t0, time.process_time() - c0


def _peak_fit_memory(make_estimator, X, y):
    """tracemalloc peak (bytes above the level before ``fit``) of one fit.

    NumPy reports its array allocations to tracemalloc, so this includes the
    arrays a fit creates (copies of X, batches, activations, gradients,
    optimizer state); memory that BLAS allocates internally is not seen.
    """
    from sklearn.exceptions import ConvergenceWarning

    est = make_estimator()
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, y)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return int(peak)


def _median(values):
    return float(statistics.median(values))


class Contender:
    """One thing to time: builds, fits and (optionally) predicts."""

    def __init__(self, name, make_estimator=None, roofline=None):
        self.name = name
        self.make_estimator = make_estimator
        self.roofline = roofline
        self.fit_times = []
        self.cpu_times = []
        self.predict_times = []
        self.accuracies = []
        self.n_iter = None
        self.coef_dtype = None
        self.history_seconds = []

    def run_once(self, X, y, epochs):
        if self.roofline is not None:
            rl = self.roofline
            wall, cpu = _time_call(lambda: [rl.epoch() for _ in range(epochs)])
            self.fit_times.append(wall)
            self.cpu_times.append(cpu)
            self.predict_times.append(_time_call(rl.forward)[0])
            return
        est, wall, cpu = _fit(self.make_estimator, X, y)
        self.fit_times.append(wall)
        self.cpu_times.append(cpu)
        self.n_iter = int(est.n_iter_)
        self.coef_dtype = str(est.coefs_[0].dtype)
        history = getattr(est, "history_", None)
        if history:
            self.history_seconds.append(float(sum(h["duration_s"] for h in history)))
        self.predict_times.append(_time_call(lambda: est.predict_proba(X))[0])
        self.accuracies.append(float(est.score(X, y)))

    def summary(self, n_rows, epochs, measure_memory, X, y):
        epochs_run = self.n_iter if self.n_iter else epochs
        out = {
            "seconds_per_epoch": _median(self.fit_times) / epochs_run,
            "min_seconds_per_epoch": float(min(self.fit_times)) / epochs_run,
            "cpu_seconds_per_epoch": _median(self.cpu_times) / epochs_run,
            "fit_seconds": [float(t) for t in self.fit_times],
            "epochs_run": int(epochs_run),
            "predict_proba_rows_per_s": n_rows / _median(self.predict_times),
            "predict_proba_seconds": [float(t) for t in self.predict_times],
        }
        if self.roofline is not None:
            flops = self.roofline.flops_per_epoch()
            out["gflop_per_epoch"] = flops / 1e9
            out["gflops_per_s"] = flops / 1e9 / out["seconds_per_epoch"]
            out["buffer_bytes"] = int(self.roofline.nbytes)
            return out
        out["train_accuracy"] = self.accuracies[-1]
        out["train_accuracies"] = self.accuracies
        out["coef_dtype"] = self.coef_dtype
        if self.history_seconds:
            out["history_seconds_per_epoch"] = (
                _median(self.history_seconds) / epochs_run
            )
        if measure_memory:
            out["peak_memory_bytes"] = _peak_fit_memory(self.make_estimator, X, y)
        return out


def _ratio(a, b):
    return float(a / b) if b else float("nan")


def warm_up(skbp_cls, X, y, batch_size):
    """One short untimed fit of each library (imports, BLAS thread start-up)."""
    from sklearn.neural_network import MLPClassifier

    n = min(len(X), 4 * batch_size)
    params = common_params((8,), "adam", 1, batch_size)
    for cls in (c for c in (skbp_cls, MLPClassifier) if c is not None):
        _fit(lambda cls=cls: cls(**params), X[:n], y[:n])


def bench_config(args, skbp_cls, X, y, n_classes, widths, solver, dtype, n_samples):
    """Time all contenders on one configuration, interleaved; return the results."""
    from sklearn.neural_network import MLPClassifier

    params = common_params(widths, solver, args.epochs, args.batch_size)
    contenders = []
    if skbp_cls is not None:
        contenders.append(Contender("skbp", lambda: skbp_cls(**params)))
    contenders.append(Contender("sklearn", lambda: MLPClassifier(**params)))
    contenders.append(
        Contender(
            "roofline",
            roofline=MatmulRoofline(
                X, widths, n_classes, args.batch_size, random_state=0
            ),
        )
    )
    # Knobs whose cost is measured against plain skbp (adam configurations only):
    # the setting as printed, and how to build the model with it.
    knobs = {}
    if skbp_cls is not None and solver == "adam":
        if args.dropout > 0:
            knobs["dropout"] = ({"dropout": args.dropout}, {"dropout": args.dropout})
        knobs["monitor_layers"] = ({"monitor_layers": True}, {"monitor_layers": True})
        if hasattr(skbp_cls, "set_callbacks"):  # scikit-learn >= 1.9
            knobs["callback_noop"] = ({"set_callbacks": "NoOp()"}, None)
    for knob, (_, extra) in knobs.items():
        if extra is None:
            def factory():
                return skbp_cls(**params).set_callbacks(NoOp())
        else:
            def factory(extra=extra):
                return skbp_cls(**params, **extra)
        contenders.append(Contender(f"skbp_{knob}", factory))

    for rep in range(args.repeats):
        for contender in contenders:
            contender.run_once(X, y, args.epochs)
        print(
            f"    rep {rep + 1}/{args.repeats}: "
            + ", ".join(f"{c.name} {c.fit_times[-1]:.3f}s" for c in contenders),
            flush=True,
        )

    result = {
        "config": {
            "n_samples": n_samples,
            "n_features": int(X.shape[1]),
            "n_classes": n_classes,
            "hidden_layer_sizes": list(widths),
            "solver": solver,
            "dtype": dtype,
            "epochs": args.epochs,
            "batch_size": args.batch_size,
            "repeats": args.repeats,
        }
    }
    measure = not args.no_memory
    for c in contenders:
        result[c.name] = c.summary(
            len(X), args.epochs, measure and c.name.removeprefix("skbp_") not in knobs, X, y
        )

    sk, rl = result["sklearn"], result["roofline"]
    ratios = {
        "sklearn_over_roofline": _ratio(
            sk["seconds_per_epoch"], rl["seconds_per_epoch"]
        ),
    }
    if "skbp" in result:
        sb = result["skbp"]
        ratios.update(
            skbp_over_sklearn=_ratio(sb["seconds_per_epoch"], sk["seconds_per_epoch"]),
            skbp_over_roofline=_ratio(sb["seconds_per_epoch"], rl["seconds_per_epoch"]),
            skbp_over_sklearn_cpu=_ratio(
                sb["cpu_seconds_per_epoch"], sk["cpu_seconds_per_epoch"]
            ),
            skbp_over_roofline_cpu=_ratio(
                sb["cpu_seconds_per_epoch"], rl["cpu_seconds_per_epoch"]
            ),
            predict_proba_throughput_skbp_over_sklearn=_ratio(
                sb["predict_proba_rows_per_s"], sk["predict_proba_rows_per_s"]
            ),
        )
        if measure:
            ratios["peak_memory_skbp_over_sklearn"] = _ratio(
                sb["peak_memory_bytes"], sk["peak_memory_bytes"]
            )
    for knob, (setting, _) in knobs.items():
        timed = result.pop(f"skbp_{knob}")
        result[knob] = {
            "params": setting,
            "seconds_per_epoch": timed["seconds_per_epoch"],
            "cpu_seconds_per_epoch": timed["cpu_seconds_per_epoch"],
            "fit_seconds": timed["fit_seconds"],
            "train_accuracy": timed["train_accuracy"],
            "overhead_ratio": _ratio(
                timed["seconds_per_epoch"], result["skbp"]["seconds_per_epoch"]
            ),
            "cpu_overhead_ratio": _ratio(
                timed["cpu_seconds_per_epoch"], result["skbp"]["cpu_seconds_per_epoch"]
            ),
        }
        if knob == "dropout":
            result[knob]["rate"] = args.dropout
    result["ratios"] = ratios
    return result


def _mib(nbytes):
    return nbytes / 2**20


def print_config_result(res):
    cfg = res["config"]
    print(
        f"  -> n={cfg['n_samples']} widths={tuple(cfg['hidden_layer_sizes'])} "
        f"solver={cfg['solver']} dtype={cfg['dtype']} "
        f"(median of {cfg['repeats']}, {cfg['epochs']} epochs)"
    )
    header = (
        f"     {'':9}{'s/epoch':>9}{'cpu s/ep':>10}{'train acc':>11}"
        f"{'proba rows/s':>14}{'peak MiB':>10}"
    )
    print(header)
    for name in ("skbp", "sklearn", "roofline"):
        if name not in res:
            continue
        r = res[name]
        acc = f"{r['train_accuracy']:.4f}" if "train_accuracy" in r else "-"
        mem = (
            f"{_mib(r['peak_memory_bytes']):.1f}"
            if "peak_memory_bytes" in r
            else (f"({_mib(r['buffer_bytes']):.1f})" if "buffer_bytes" in r else "-")
        )
        print(
            f"     {name:9}{r['seconds_per_epoch']:>9.4f}"
            f"{r['cpu_seconds_per_epoch']:>10.4f}{acc:>11}"
            f"{r['predict_proba_rows_per_s']:>14,.0f}{mem:>10}"
        )
    rl = res["roofline"]
    print(
        f"     roofline: {rl['gflop_per_epoch']:.2f} GFLOP/epoch at {rl['gflops_per_s']:.1f} GFLOP/s"
    )
    ratios = res["ratios"]
    parts = [f"{key} {value:.2f}" for key, value in ratios.items()]
    print("     ratios: " + ", ".join(parts))
    for knob in KNOBS:
        if knob in res:
            d = res[knob]
            setting = ", ".join(f"{k}={v}" for k, v in d["params"].items())
            print(
                f"     {setting}: {d['seconds_per_epoch']:.4f} s/epoch, "
                f"overhead x{d['overhead_ratio']:.2f} (CPU x{d['cpu_overhead_ratio']:.2f}) "
                f"vs plain skbp, train acc {d['train_accuracy']:.4f}"
            )
    print(flush=True)


SUMMARY_COLUMNS = (
    ("n", lambda r: f"{r['config']['n_samples']}"),
    ("solver", lambda r: r["config"]["solver"]),
    ("dtype", lambda r: r["config"]["dtype"]),
    (
        "skbp s/ep",
        lambda r: f"{r['skbp']['seconds_per_epoch']:.4f}" if "skbp" in r else "-",
    ),
    ("sklearn s/ep", lambda r: f"{r['sklearn']['seconds_per_epoch']:.4f}"),
    ("roofline s/ep", lambda r: f"{r['roofline']['seconds_per_epoch']:.4f}"),
    (
        "skbp cpu s/ep",
        lambda r: f"{r['skbp']['cpu_seconds_per_epoch']:.4f}" if "skbp" in r else "-",
    ),
    ("sklearn cpu s/ep", lambda r: f"{r['sklearn']['cpu_seconds_per_epoch']:.4f}"),
    ("roofline cpu s/ep", lambda r: f"{r['roofline']['cpu_seconds_per_epoch']:.4f}"),
    (
        "skbp/sklearn",
        lambda r: f"{r['ratios']['skbp_over_sklearn']:.2f}" if "skbp" in r else "-",
    ),
    (
        "skbp/roofline",
        lambda r: f"{r['ratios']['skbp_over_roofline']:.2f}" if "skbp" in r else "-",
    ),
    (
        "acc skbp",
        lambda r: f"{r['skbp']['train_accuracy']:.3f}" if "skbp" in r else "-",
    ),
    ("acc sklearn", lambda r: f"{r['sklearn']['train_accuracy']:.3f}"),
    (
        "proba skbp/sklearn",
        lambda r: (
            f"{r['ratios']['predict_proba_throughput_skbp_over_sklearn']:.2f}"
            if "skbp" in r
            else "-"
        ),
    ),
    (
        "peak MiB skbp",
        lambda r: (
            f"{_mib(r['skbp']['peak_memory_bytes']):.1f}"
            if "peak_memory_bytes" in r.get("skbp", {})
            else "-"
        ),
    ),
    (
        "peak MiB sklearn",
        lambda r: (
            f"{_mib(r['sklearn']['peak_memory_bytes']):.1f}"
            if "peak_memory_bytes" in r["sklearn"]
            else "-"
        ),
    ),
    *(
        (
            f"{knob} overhead",
            lambda r, knob=knob: (
                f"{r[knob]['overhead_ratio']:.2f}" if knob in r else "-"
            ),
        )
        for knob in KNOBS
    ),
)


def _table_rows(results):
    header = [name for name, _ in SUMMARY_COLUMNS]
    rows = [[fmt(r) for _, fmt in SUMMARY_COLUMNS] for r in results]
    return header, rows


def print_summary(results):
    header, rows = _table_rows(results)
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    line = "  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True))
    print("Summary (seconds per epoch are medians; ratios < 1 mean skbp is faster)")
    print(line)
    print("-" * len(line))
    for row in rows:
        print("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
    print(flush=True)


def rst_table(results):
    """The summary as an RST ``list-table`` (for docs/performance.rst)."""
    header, rows = _table_rows(results)
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for row in [header, *rows]:
        lines.append(f"   * - {row[0]}")
        lines.extend(f"     - {cell}" for cell in row[1:])
    return "\n".join(lines)


# --------------------------------------------------------------------------- #
# Scaling mode
# --------------------------------------------------------------------------- #
def bench_scaling(args, skbp_cls):
    if skbp_cls is None:
        raise SystemExit("--scaling times skbp only, but skbp is not importable.")
    results = []
    for dtype in args.dtypes:
        for widths in args.widths:
            for solver in args.solvers:
                per_size = []
                datasets = {
                    n: make_data(
                        n, args.n_features, args.n_informative, args.n_classes, dtype
                    )
                    for n in args.n_samples
                }
                params = common_params(widths, solver, args.epochs, args.batch_size)
                times = {n: [] for n in args.n_samples}
                cpu_times = {n: [] for n in args.n_samples}
                epochs_run = {}
                for rep in range(args.repeats):
                    for n in args.n_samples:  # interleaved over the sizes
                        est, wall, cpu = _fit(
                            lambda p=params: skbp_cls(**p), *datasets[n]
                        )
                        times[n].append(wall)
                        cpu_times[n].append(cpu)
                        epochs_run[n] = int(est.n_iter_)
                    print(
                        f"    rep {rep + 1}/{args.repeats}: "
                        + ", ".join(
                            f"n={n} {times[n][-1]:.3f}s" for n in args.n_samples
                        ),
                        flush=True,
                    )
                for n in args.n_samples:
                    spe = _median(times[n]) / epochs_run[n]
                    per_size.append(
                        {
                            "n_samples": n,
                            "seconds_per_epoch": spe,
                            "seconds_per_epoch_per_1k_samples": spe / (n / 1000),
                            "cpu_seconds_per_epoch": _median(cpu_times[n])
                            / epochs_run[n],
                            "fit_seconds": times[n],
                            "epochs_run": epochs_run[n],
                        }
                    )
                entry = {
                    "config": {
                        "n_features": args.n_features,
                        "n_classes": args.n_classes,
                        "hidden_layer_sizes": list(widths),
                        "solver": solver,
                        "dtype": dtype,
                        "epochs": args.epochs,
                        "batch_size": args.batch_size,
                        "repeats": args.repeats,
                    },
                    "sizes": per_size,
                }
                print(
                    f"  -> skbp scaling, widths={tuple(widths)} solver={solver} dtype={dtype}"
                )
                print(f"     {'n_samples':>10}{'s/epoch':>10}{'s/epoch per 1k':>16}")
                for s in per_size:
                    print(
                        f"     {s['n_samples']:>10}{s['seconds_per_epoch']:>10.4f}"
                        f"{s['seconds_per_epoch_per_1k_samples']:>16.5f}"
                    )
                print(flush=True)
                results.append(entry)
    return results


# --------------------------------------------------------------------------- #
# Entry point
# --------------------------------------------------------------------------- #
def _import_skbp():
    try:
        import skbp
        from skbp import BackpropMLPClassifier
    except ImportError as exc:
        print(
            f"WARNING: skbp is not importable ({exc}); timing sklearn and roofline only.\n"
        )
        return None, None
    return BackpropMLPClassifier, getattr(skbp, "__version__", "unknown")


def _jsonable(obj):
    """Make numpy scalars and non-finite floats JSON friendly."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def main(argv=None):
    """Run the benchmark; return the results dictionary (also written as JSON).

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments; ``None`` reads ``sys.argv``.

    Returns
    -------
    report : dict
        Everything that is written to the JSON file.
    """
    args = resolve_settings(build_parser().parse_args(argv))
    args.argv = list(sys.argv[1:] if argv is None else argv)
    if args.threads is None:
        return _run(args)
    # Load every BLAS first (SciPy brings its own OpenBLAS), so that the limit
    # applies to all of them.
    import sklearn.neural_network  # noqa: F401
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=args.threads, user_api="blas"):
        return _run(args)


def _run(args):
    skbp_cls, skbp_version = _import_skbp()
    info = machine_info(skbp_version)
    print_machine(info)

    report = {
        "schema_version": SCHEMA_VERSION,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"
        ),
        "argv": list(args.argv),
        "mode": "scaling" if args.scaling else "standard",
        "settings": {
            "n_samples": args.n_samples,
            "n_features": args.n_features,
            "n_informative": args.n_informative,
            "n_classes": args.n_classes,
            "hidden_layer_sizes": [list(w) for w in args.widths],
            "solvers": args.solvers,
            "dtypes": args.dtypes,
            "repeats": args.repeats,
            "epochs": args.epochs,
            "batch_size": args.batch_size,
            "dropout": args.dropout,
            "quick": args.quick,
            "memory": not args.no_memory,
            "threads": args.threads,
        },
        "machine": info,
        "results": [],
        "scaling": [],
    }

    if args.scaling:
        report["scaling"] = bench_scaling(args, skbp_cls)
    else:
        warmed = False
        for n_samples in args.n_samples:
            for dtype in args.dtypes:
                X, y = make_data(
                    n_samples,
                    args.n_features,
                    args.n_informative,
                    args.n_classes,
                    dtype,
                )
                n_classes = len(np.unique(y))
                if not warmed:
                    warm_up(skbp_cls, X, y, args.batch_size)
                    warmed = True
                for widths in args.widths:
                    for solver in args.solvers:
                        print(
                            f"  n={n_samples} widths={widths} solver={solver} dtype={dtype}",
                            flush=True,
                        )
                        res = bench_config(
                            args,
                            skbp_cls,
                            X,
                            y,
                            n_classes,
                            widths,
                            solver,
                            dtype,
                            n_samples,
                        )
                        print_config_result(res)
                        report["results"].append(res)
        print_summary(report["results"])
        if args.rst:
            print(rst_table(report["results"]))
            print()

    return write_report(Path(args.out), report)


def write_report(out, report):
    """Add the load average at the end, write ``report`` as JSON to ``out``, return it."""
    report["load_average_at_end"] = _loadavg()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(_jsonable(report), indent=2) + "\n", encoding="utf-8")
    print(f"Results written to {out}")
    return report


if __name__ == "__main__":
    main()
