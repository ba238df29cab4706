"""Fits on a busy machine: skbp's per-fit BLAS threads against one thread and MLPClassifier.

Run from the repository root::

    python benchmarks/bench_busy.py                  # one busy process, a few minutes
    python benchmarks/bench_busy.py --busy 2         # two busy processes
    python benchmarks/bench_busy.py --crossover      # 1 vs 2 threads per product size
    python benchmarks/bench_busy.py --quick          # smoke run, seconds

Every fit is timed twice: on the machine as it is ("quiet": run it when nothing
else runs), then while ``--busy`` CPU-bound background processes spin (pure
Python loops, started by the benchmark, bounded by ``--busy-seconds`` and
always stopped by it).  Cases:

* ``digits``: ``hidden_layer_sizes=(128, 64), max_iter=60`` on the
  standardized digits, skbp and MLPClassifier;
* ``784``: 10,000 x 784 float32, ``(256, 128)``, batch 128, adam, 2 epochs,
  skbp and MLPClassifier;
* ``large``: 4,096 x 784 float32, ``(1024, 1024)``, batch 512, 2 epochs, skbp.

Threading modes: ``default`` (no outer limit: skbp chooses its threads per
fit, MLPClassifier uses every BLAS thread), ``one thread`` (an outer
``threadpool_limits(1)``) and, for skbp, ``all threads``: the behaviour before
the per-fit rule (the rule's threshold set to one multiply-add, so every
product may use every allowed thread).  Medians of ``--repeats`` interleaved
repetitions, seconds per fit; the printed ratios and the issue's targets are
computed from these.

``--crossover`` times single matrix products of growing size with one and two
BLAS threads (no busy processes): the data behind
``skbp._estimators.threads.MACS_PER_THREAD``.
"""

import argparse
import contextlib
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from _harness import (
    machine_info,
    new_report,
    print_machine,
    rst_list_table,
    spread,
    timed_fit,
    write_report,
)

DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "bench_busy.json"
MODES = ("default", "rule only", "one thread", "all threads")

#: A CPU-bound process that ends by itself after argv[1] seconds at the latest.
_BUSY_LOOP = (
    "import sys, time\n"
    "end = time.monotonic() + float(sys.argv[1])\n"
    "while time.monotonic() < end:\n"
    "    pass\n"
)


@contextlib.contextmanager
def busy_processes(count, seconds):
    """Run ``count`` spinning processes for the block (each ends after ``seconds`` anyway)."""
    processes = []
    # A plain SIGTERM would end the benchmark without running the finally below.
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        for _ in range(count):
            processes.append(subprocess.Popen([sys.executable, "-c", _BUSY_LOOP, str(seconds)]))
        time.sleep(0.5)  # let them start spinning
        yield processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        signal.signal(signal.SIGTERM, previous)


def _exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


def _cases(quick):
    """(name, X, y, skbp parameters, whether MLPClassifier runs too)."""
    from sklearn.datasets import load_digits, make_classification
    from sklearn.preprocessing import StandardScaler

    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    if quick:
        yield "digits", X[:300], y[:300], dict(hidden_layer_sizes=(16,), max_iter=2), True
        X, y = make_classification(200, 50, n_informative=10, n_classes=3, random_state=0)
        yield "784", X.astype(np.float32), y, dict(hidden_layer_sizes=(8,), max_iter=1), True
        return
    yield "digits", X, y, dict(hidden_layer_sizes=(128, 64), max_iter=60), True
    X, y = make_classification(
        10_000, 784, n_informative=60, n_redundant=0, n_classes=10, random_state=0
    )
    yield (
        "784", X.astype(np.float32), y,
        dict(hidden_layer_sizes=(256, 128), batch_size=128, max_iter=2), True,
    )
    X, y = make_classification(
        4096, 784, n_informative=60, n_redundant=0, n_classes=10, random_state=0
    )
    yield (
        "large", X.astype(np.float32), y,
        dict(hidden_layer_sizes=(1024, 1024), batch_size=512, max_iter=2), False,
    )


@contextlib.contextmanager
def threading_mode(mode):
    """The BLAS threading of one mode (see the module docstring)."""
    from threadpoolctl import threadpool_limits

    from skbp._estimators import base, threads

    if mode == "one thread":
        with threadpool_limits(limits=1, user_api="blas"):
            yield
    elif mode in ("rule only", "all threads"):
        saved = threads.MACS_PER_THREAD, base.thread_probe
        base.thread_probe = lambda saved=None: None  # no ThreadProbe: the size rule alone
        if mode == "all threads":
            threads.MACS_PER_THREAD = 1
        try:
            yield
        finally:
            threads.MACS_PER_THREAD, base.thread_probe = saved
    else:
        yield


def _time_fit(estimator, X, y, mode):
    with threading_mode(mode):
        return timed_fit(estimator, X, y)[1]  # wall seconds


def time_phase(cases, repeats):
    """{case: {"library/mode": [seconds per repetition]}}, repetitions interleaved."""
    from sklearn.neural_network import MLPClassifier

    from skbp import BackpropMLPClassifier

    times = {}
    for name, X, y, params, with_sklearn in cases:
        runs = [("skbp", mode) for mode in MODES]
        if with_sklearn:
            runs += [("sklearn", "default"), ("sklearn", "one thread")]
        times[name] = {f"{library}/{mode}": [] for library, mode in runs}
        for _ in range(repeats):
            for library, mode in runs:
                cls = BackpropMLPClassifier if library == "skbp" else MLPClassifier
                seconds = _time_fit(cls(random_state=0, **params), X, y, mode)
                times[name][f"{library}/{mode}"].append(seconds)
                print(f"  {name:<8}{library}/{mode:<14}{seconds:9.3f} s", flush=True)
    return times


def summarize(quiet, busy):
    """Medians, spreads and the ratios the issue's targets are stated in."""
    summary = {}
    for name in quiet:
        rows = {}
        for key in quiet[name]:
            q, b = spread(quiet[name][key]), spread(busy[name][key])
            rows[key] = {
                "quiet_s": q["median"],
                "busy_s": b["median"],
                "busy_over_quiet": b["median"] / q["median"],
                # Spread between repetitions, as a share of the median.
                "quiet_spread": (q["max"] - q["min"]) / q["median"],
            }
        skbp_default, skbp_one = rows["skbp/default"], rows["skbp/one thread"]
        checks = {
            "skbp default busy / skbp one thread quiet": skbp_default["busy_s"] / skbp_one["quiet_s"],
            "skbp default quiet / skbp all threads quiet (before the rule)":
                skbp_default["quiet_s"] / rows["skbp/all threads"]["quiet_s"],
            "skbp default quiet / skbp one thread quiet": skbp_default["quiet_s"] / skbp_one["quiet_s"],
            "skbp all threads quiet / skbp one thread quiet":
                rows["skbp/all threads"]["quiet_s"] / skbp_one["quiet_s"],
        }
        if "sklearn/default" in rows:
            checks["skbp default busy / sklearn default busy"] = (
                skbp_default["busy_s"] / rows["sklearn/default"]["busy_s"]
            )
            checks["skbp default quiet / sklearn default quiet"] = (
                skbp_default["quiet_s"] / rows["sklearn/default"]["quiet_s"]
            )
        summary[name] = {"fits": rows, "ratios": checks}
    return summary


def print_summary(summary, busy):
    for name, result in summary.items():
        print(f"\n{name}: seconds per fit (median), quiet and with {busy} busy process(es)")
        print(f"  {'library/mode':<22}{'quiet':>9}{'spread':>8}{'busy':>9}{'busy/quiet':>12}")
        for key, row in result["fits"].items():
            print(
                f"  {key:<22}{row['quiet_s']:9.3f}{row['quiet_spread']:8.0%}"
                f"{row['busy_s']:9.3f}{row['busy_over_quiet']:12.2f}"
            )
        for label, value in result["ratios"].items():
            print(f"  {label}: {value:.2f}")


def rst_table(summary):
    """The fits of ``summary`` as an RST list-table (the format of docs/performance.rst)."""
    rows = [
        (name, key.replace("/", ", "), f"{row['quiet_s']:.3f}", f"{row['busy_s']:.3f}",
         f"{row['busy_over_quiet']:.2f}")
        for name, result in summary.items()
        for key, row in result["fits"].items()
    ]
    return rst_list_table(("case", "library, threads", "quiet", "busy", "busy / quiet"), rows)


def crossover(repeats, quick):
    """1-thread and 2-thread times of single products, growing from 2^17 to 2^29 multiply-adds."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    shapes = [(200, 64, 128), (128, 784, 256), (512, 784, 1024)] if quick else [
        (64, 64, 32), (200, 64, 64), (200, 64, 128), (128, 256, 128), (200, 128, 256),
        (128, 784, 128), (128, 784, 256), (256, 784, 256), (200, 512, 512),
        (512, 784, 512), (512, 784, 1024), (512, 1024, 1024),
    ]
    rows = []
    for dtype in (np.float32, np.float64):
        for m, k, n in shapes:
            a = rng.standard_normal((m, k)).astype(dtype)
            b = rng.standard_normal((k, n)).astype(dtype)
            out = np.empty((m, n), dtype)
            calls = max(3, int(3e8 / (m * k * n)))
            samples = {1: [], 2: []}
            for _ in range(repeats):
                for threads in (1, 2):
                    with threadpool_limits(limits=threads, user_api="blas"):
                        np.matmul(a, b, out=out)  # wake the pool
                        started = time.perf_counter()
                        for _ in range(calls):
                            np.matmul(a, b, out=out)
                        samples[threads].append((time.perf_counter() - started) / calls)
            one, two = statistics.median(samples[1]), statistics.median(samples[2])
            rows.append({
                "dtype": np.dtype(dtype).name, "shape": [m, k, n], "macs": m * k * n,
                "one_thread_us": one * 1e6, "two_threads_us": two * 1e6, "two_over_one": two / one,
            })
            print(
                f"  {np.dtype(dtype).name:<8}{m:>5} x{k:>5} x{n:>5} {m * k * n / 1e6:8.1f}M MACs"
                f"  1 thread {one * 1e6:9.1f} µs  2 threads {two * 1e6:9.1f} µs  ratio {two / one:5.2f}"
            )
    return rows


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--busy", type=int, default=1, help="busy background processes")
    parser.add_argument(
        "--busy-seconds", type=float, default=1800.0,
        help="upper bound of each busy process's life, should the benchmark be killed",
    )
    parser.add_argument("--repeats", type=int, default=None, help="default 3 (quick: 1)")
    parser.add_argument("--crossover", action="store_true", help="only time single products")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repeat (smoke test)")
    parser.add_argument("--rst", action="store_true", help="also print the fits as an RST table")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    return parser


def main(argv=None):
    """Run the benchmark; return the report (also written as JSON to ``--out``)."""
    args = build_parser().parse_args(argv)
    repeats = args.repeats or (1 if args.quick else 3)
    import sklearn.neural_network  # noqa: F401  (load every BLAS before limiting it)

    from skbp._estimators.threads import MACS_PER_THREAD

    info = machine_info()
    print_machine(info)
    settings = {
        "busy": args.busy, "repeats": repeats, "quick": args.quick,
        "crossover": args.crossover, "macs_per_thread": MACS_PER_THREAD,
    }
    report = new_report(argv, settings, info)
    if args.crossover:
        report["crossover"] = crossover(repeats, args.quick)
        return write_report(args.out, report)
    cases = list(_cases(args.quick))
    print("quiet phase ...")
    quiet = time_phase(cases, repeats)
    print(f"busy phase ({args.busy} busy process(es)) ...")
    with busy_processes(args.busy, args.busy_seconds):
        busy = time_phase(cases, repeats)
    report["quiet"], report["busy"] = quiet, busy
    report["summary"] = summarize(quiet, busy)
    print_summary(report["summary"], args.busy)
    table = rst_table(report["summary"]) if args.rst else None
    if table is not None:
        print(table)
    return write_report(args.out, report, table=table)


if __name__ == "__main__":
    main()
