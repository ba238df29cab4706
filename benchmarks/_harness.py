"""What every benchmark shares: the machine, its BLAS threads, the clock and the report.

A benchmark script (run as ``python benchmarks/bench_x.py``; this directory is
then on ``sys.path``) uses it in four steps::

    from _harness import (
        blas_threads, machine_info, new_report, print_machine, repeat_interleaved,
        rst_list_table, spread, write_report,
    )

    with blas_threads(args.threads):              # None: leave the pools as they are
        machine = machine_info()                  # cores, versions, BLAS kernel, threads
        print_machine(machine)
        seconds = repeat_interleaved({"a": run_a, "b": run_b}, repeats=5)
    report = new_report(argv, settings, machine)  # created, argv, settings, machine
    report["results"] = {name: spread(s["wall"]) for name, s in seconds.items()}
    write_report(out, report, table=rst_list_table(header, rows))

* :func:`machine_info` describes what a timing depends on: platform, CPU model,
  cores (all, and usable by this process), Python, NumPy, SciPy, scikit-learn
  and skbp versions, the BLAS/OpenMP environment variables (``ENV_VARS``), the
  load average, and every thread pool threadpoolctl sees (``threadpool_info``:
  library, ``internal_api``, ``architecture`` — the BLAS kernel — and
  ``num_threads``).  ``blas`` summarizes the BLAS pools in one line each.
* :func:`blas_threads` limits the BLAS pools (of NumPy *and* SciPy: both are
  loaded before the limit is set) for the duration of a ``with`` block.
* :func:`time_call` returns the wall-clock and process-CPU seconds of one call;
  :func:`timed_fit` fits an estimator with the ``ConvergenceWarning`` silenced
  (benchmarks run a fixed number of epochs on purpose);
  :func:`repeat_interleaved` times several calls in turn (A B C A B C ...), so
  that a change of the machine's load hits all of them alike;
  :func:`spread` summarizes repeated timings (median, min, max, mean, std).
* :func:`new_report` starts the JSON report, :func:`write_report` adds the
  load average at the end and writes it (and an RST table beside it, if given).
"""

import contextlib
import datetime
import gc
import json
import math
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"
#: Environment variables that select the BLAS kernel or its thread count.
ENV_VARS = (
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
)
#: A 1-minute load average above this is printed as a warning.
BUSY_LOAD = 0.5


# --------------------------------------------------------------------------- #
# The machine
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


def load_average():
    """1/5/15-minute load averages, or None where the OS does not provide them."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def usable_cores():
    """Cores this process may run on (its affinity mask), or all of them."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count()


def _skbp_version():
    try:
        import skbp
    except ImportError:
        return None
    return getattr(skbp, "__version__", "unknown")


def blas_pools(pools=None):
    """The BLAS pools of ``pools`` (default: threadpoolctl's now), one summary each."""
    if pools is None:
        from threadpoolctl import threadpool_info

        pools = threadpool_info()
    keys = ("internal_api", "version", "architecture", "num_threads", "threading_layer")
    return [
        {key: pool.get(key) for key in keys}
        for pool in pools
        if pool.get("user_api") == "blas"
    ]


def machine_info(**extra):
    """Platform, cores, library versions, BLAS kernel and thread counts.

    Keyword arguments are added as they are (for example the version of a
    library one benchmark needs).  Call it inside :func:`blas_threads` so that
    the thread counts reported are the ones the timings ran with.
    """
    import numpy as np
    import scipy
    import sklearn
    from threadpoolctl import threadpool_info

    pools = threadpool_info()
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "usable_cores": usable_cores(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "sklearn": sklearn.__version__,
        "skbp": _skbp_version(),
        "env": {name: os.environ.get(name) for name in ENV_VARS},
        "load_average": load_average(),
        "blas": blas_pools(pools),
        "threadpool_info": pools,
        **extra,
    }


def print_machine(info):
    """Print :func:`machine_info`'s description, with a note when it may mislead."""
    print("Machine")
    print(f"  platform      : {info['platform']}")
    print(f"  cpu           : {info['cpu_model']}")
    print(f"  cores         : {info['cpu_count']} (usable by this process: {info['usable_cores']})")
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
        print(f"  load average  : {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1/5/15 min)")
        if load[0] > BUSY_LOAD:
            print(
                "  NOTE: the machine is not idle; other processes compete with the "
                "BLAS threads and inflate (and scatter) the timings."
            )
    if any(info["env"][name] for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")):
        print(
            "  NOTE: OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE are set and may select a "
            "slower kernel; see benchmarks/README.md to run with both unset."
        )
    print(flush=True)


@contextlib.contextmanager
def blas_threads(threads):
    """Limit every BLAS pool to ``threads`` threads inside the block (None: no limit).

    SciPy ships its own OpenBLAS, loaded on first use: importing scikit-learn's
    neural networks first puts it under the limit too.
    """
    if threads is None:
        yield
        return
    import sklearn.neural_network  # noqa: F401
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=threads, user_api="blas"):
        yield


# --------------------------------------------------------------------------- #
# The clock
# --------------------------------------------------------------------------- #
def time_call(func):
    """Wall-clock and process-CPU seconds of ``func()``.

    CPU time sums over all threads of the process: with one BLAS thread it is
    close to the wall time an idle machine would show, which makes runs on a
    busy machine interpretable; with several threads it also counts their
    spinning.
    """
    gc.collect()
    c0, t0 = time.process_time(), time.perf_counter()
    func()
    return time.perf_counter() - t0, time.process_time() - c0


def timed_fit(estimator, X, y):
    """Fit ``estimator``; return it, the wall and the CPU seconds of ``fit``.

    The ``ConvergenceWarning`` is silenced: benchmarks stop after a fixed
    number of epochs on purpose.
    """
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        wall, cpu = time_call(lambda: estimator.fit(X, y))
    return estimator, wall, cpu


def repeat_interleaved(calls, repeats, *, warm_up=False, on_repeat=None):
    """Time every call of ``calls`` (name -> function) once per repetition, in turn.

    Interleaving (A B C A B C ...) spreads a change of the machine's load over
    all contenders.  ``warm_up=True`` runs each call once, untimed, first.
    ``on_repeat(index, seconds)`` is called after each repetition (progress).
    Returns ``{name: {"wall": [...], "cpu": [...]}}`` in seconds.
    """
    if warm_up:
        for func in calls.values():
            func()
    seconds = {name: {"wall": [], "cpu": []} for name in calls}
    for index in range(repeats):
        for name, func in calls.items():
            wall, cpu = time_call(func)
            seconds[name]["wall"].append(wall)
            seconds[name]["cpu"].append(cpu)
        if on_repeat is not None:
            on_repeat(index, seconds)
    return seconds


def spread(values):
    """Median, min, max, mean and standard deviation (0 for one value) of ``values``."""
    values = [float(v) for v in values]
    return {
        "n": len(values),
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "mean": statistics.fmean(values),
        "std": statistics.stdev(values) if len(values) > 1 else 0.0,
    }


# --------------------------------------------------------------------------- #
# The report
# --------------------------------------------------------------------------- #
def new_report(argv, settings, machine):
    """The fields every JSON report starts with."""
    return {
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "argv": list(sys.argv[1:] if argv is None else argv),
        "settings": {k: str(v) if isinstance(v, Path) else v for k, v in settings.items()},
        "machine": machine,
    }


def jsonable(obj):
    """``obj`` with NumPy scalars as Python numbers and non-finite floats as None."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if hasattr(obj, "item") and getattr(obj, "shape", None) == ():  # NumPy scalar
        obj = obj.item()
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def rst_list_table(header, rows):
    """An RST ``list-table`` (the format of the docs' result tables)."""
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for row in [header, *rows]:
        lines.append(f"   * - {row[0]}")
        lines.extend(f"     - {cell}" for cell in row[1:])
    return "\n".join(lines)


def write_report(out, report, table=None):
    """Add the load average at the end, write ``report`` as JSON to ``out``, return it.

    ``table`` (an RST table as text) is written beside it, as ``out`` with the
    suffix ``.rst``.
    """
    out = Path(out)
    report["load_average_at_end"] = load_average()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(jsonable(report), indent=2) + "\n", encoding="utf-8")
    print(f"Results written to {out}")
    if table is not None:
        rst = out.with_suffix(".rst")
        rst.write_text(table + "\n", encoding="utf-8")
        print(f"RST table written to {rst}")
    return report


def positive_int(text):
    """argparse type: an integer >= 1, with a message that names the value."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        import argparse

        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value
