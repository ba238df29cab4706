"""Training benchmark: skbp's BackpropMLPClassifier vs scikit-learn's MLPClassifier.

Run from the repository root::

    python benchmarks/bench_training.py                 # the standard case
    python benchmarks/bench_training.py --quick         # tiny smoke run

(``bench_scaling.py`` times skbp alone at 5k/20k/80k rows.)  Three contenders
are timed in one process, interleaved (A B C A B C ...), and the median over
the repetitions is reported:

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
(``_harness.machine_info``).

``OPENBLAS_CORETYPE`` / ``OPENBLAS_L2_SIZE`` are printed but never changed:
see ``benchmarks/README.md`` for running with both unset.
"""

import argparse
import gc
import statistics
import tracemalloc
from pathlib import Path

import numpy as np
from _harness import (
    RESULTS_DIR,
    blas_threads,
    machine_info,
    new_report,
    print_machine,
    rst_list_table,
    time_call,
    timed_fit,
    write_report,
)
from _roofline import MatmulRoofline
from _standard_case import (
    add_case_arguments,
    case_settings,
    common_params,
    make_data,
    resolve_case,
)
from bench_callbacks import NoOp

DEFAULT_OUT = RESULTS_DIR / "bench_training.json"
SCHEMA_VERSION = 2  # 2: the scaling run moved to bench_scaling.py
#: Settings whose cost is measured against plain skbp, in the adam configurations.
KNOBS = ("dropout", "monitor_layers", "callback_noop")


def build_parser():
    """Command-line interface of the benchmark."""
    parser = argparse.ArgumentParser(
        prog="bench_training.py",
        description="Time skbp's BackpropMLPClassifier against scikit-learn's "
        "MLPClassifier and a pure-matmul roofline (interleaved, median).",
    )
    add_case_arguments(parser, "training set sizes (default 20000)")
    parser.add_argument(
        "--dropout", type=float, default=0.2,
        help="dropout rate whose overhead is measured against dropout=0 "
        "(adam only; 0 disables; default 0.2)",
    )
    parser.add_argument(
        "--no-memory", action="store_true",
        help="skip the extra tracemalloc fits (peak memory is then not reported)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON output file")
    parser.add_argument("--rst", action="store_true", help="also print the summary as RST")
    return parser


def resolve_settings(args):
    resolve_case(
        args, n_samples=[600] if args.quick else [20000],
        solvers=["adam", "sgd"], dtypes=["float32", "float64"],
    )
    if not 0.0 <= args.dropout < 1.0:
        raise SystemExit(f"--dropout must be in [0, 1), got {args.dropout}")
    return args


def _peak_fit_memory(make_estimator, X, y):
    """tracemalloc peak (bytes above the level before ``fit``) of one fit.

    NumPy reports its array allocations to tracemalloc, so this includes the
    arrays a fit creates (copies of X, batches, activations, gradients,
    optimizer state); memory that BLAS allocates internally is not seen.
    """
    est = make_estimator()
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        timed_fit(est, X, y)
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
        self.fit_times, self.cpu_times, self.predict_times = [], [], []
        self.accuracies, self.history_seconds = [], []
        self.n_iter = self.coef_dtype = None

    def run_once(self, X, y, epochs):
        if self.roofline is not None:
            rl = self.roofline
            wall, cpu = time_call(lambda: [rl.epoch() for _ in range(epochs)])
            self.fit_times.append(wall)
            self.cpu_times.append(cpu)
            self.predict_times.append(time_call(rl.forward)[0])
            return
        est, wall, cpu = timed_fit(self.make_estimator(), X, y)
        self.fit_times.append(wall)
        self.cpu_times.append(cpu)
        self.n_iter = int(est.n_iter_)
        self.coef_dtype = str(est.coefs_[0].dtype)
        history = getattr(est, "history_", None)
        if history:
            self.history_seconds.append(float(sum(h["duration_s"] for h in history)))
        self.predict_times.append(time_call(lambda: est.predict_proba(X))[0])
        self.accuracies.append(float(est.score(X, y)))

    def summary(self, epochs, measure_memory, X, y):
        epochs_run = self.n_iter or epochs
        out = {
            "seconds_per_epoch": _median(self.fit_times) / epochs_run,
            "min_seconds_per_epoch": float(min(self.fit_times)) / epochs_run,
            "cpu_seconds_per_epoch": _median(self.cpu_times) / epochs_run,
            "fit_seconds": [float(t) for t in self.fit_times],
            "epochs_run": int(epochs_run),
            "predict_proba_rows_per_s": len(X) / _median(self.predict_times),
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
            out["history_seconds_per_epoch"] = _median(self.history_seconds) / epochs_run
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
        timed_fit(cls(**params), X[:n], y[:n])


def _knobs(args, skbp_cls, solver):
    """Settings whose cost is measured against plain skbp: name -> (as printed, factory)."""
    knobs = {}
    if skbp_cls is None or solver != "adam":
        return knobs
    if args.dropout > 0:
        knobs["dropout"] = ({"dropout": args.dropout}, {"dropout": args.dropout})
    knobs["monitor_layers"] = ({"monitor_layers": True}, {"monitor_layers": True})
    if hasattr(skbp_cls, "set_callbacks"):  # scikit-learn >= 1.9
        knobs["callback_noop"] = ({"set_callbacks": "NoOp()"}, None)
    return knobs


def bench_config(args, skbp_cls, X, y, n_classes, widths, solver, dtype, n_samples):
    """Time all contenders on one configuration, interleaved; return the results."""
    from sklearn.neural_network import MLPClassifier

    params = common_params(widths, solver, args.epochs, args.batch_size)
    contenders = []
    if skbp_cls is not None:
        contenders.append(Contender("skbp", lambda: skbp_cls(**params)))
    contenders.append(Contender("sklearn", lambda: MLPClassifier(**params)))
    contenders.append(Contender(
        "roofline",
        roofline=MatmulRoofline(X, widths, n_classes, args.batch_size, random_state=0),
    ))
    knobs = _knobs(args, skbp_cls, solver)
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

    result = {"config": {
        "n_samples": n_samples, "n_features": int(X.shape[1]), "n_classes": n_classes,
        "hidden_layer_sizes": list(widths), "solver": solver, "dtype": dtype,
        "epochs": args.epochs, "batch_size": args.batch_size, "repeats": args.repeats,
    }}
    measure = not args.no_memory
    for c in contenders:
        is_knob = c.name.removeprefix("skbp_") in knobs
        result[c.name] = c.summary(args.epochs, measure and not is_knob, X, y)

    sk, rl = result["sklearn"], result["roofline"]
    ratios = {"sklearn_over_roofline": _ratio(sk["seconds_per_epoch"], rl["seconds_per_epoch"])}
    if "skbp" in result:
        sb = result["skbp"]
        for key, other in (("sklearn", sk), ("roofline", rl)):
            ratios[f"skbp_over_{key}"] = _ratio(sb["seconds_per_epoch"], other["seconds_per_epoch"])
            ratios[f"skbp_over_{key}_cpu"] = _ratio(
                sb["cpu_seconds_per_epoch"], other["cpu_seconds_per_epoch"]
            )
        ratios["predict_proba_throughput_skbp_over_sklearn"] = _ratio(
            sb["predict_proba_rows_per_s"], sk["predict_proba_rows_per_s"]
        )
        if measure:
            ratios["peak_memory_skbp_over_sklearn"] = _ratio(
                sb["peak_memory_bytes"], sk["peak_memory_bytes"]
            )
    for knob, (setting, _) in knobs.items():
        timed = result.pop(f"skbp_{knob}")
        result[knob] = {
            "params": setting,
            **{key: timed[key] for key in ("seconds_per_epoch", "cpu_seconds_per_epoch",
                                           "fit_seconds", "train_accuracy")},
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


# --------------------------------------------------------------------------- #
# Output
# --------------------------------------------------------------------------- #
def _mib(nbytes):
    return nbytes / 2**20


def print_config_result(res):
    cfg = res["config"]
    print(
        f"  -> n={cfg['n_samples']} widths={tuple(cfg['hidden_layer_sizes'])} "
        f"solver={cfg['solver']} dtype={cfg['dtype']} "
        f"(median of {cfg['repeats']}, {cfg['epochs']} epochs)"
    )
    print(f"     {'':9}{'s/epoch':>9}{'cpu s/ep':>10}{'train acc':>11}"
          f"{'proba rows/s':>14}{'peak MiB':>10}")
    for name in ("skbp", "sklearn", "roofline"):
        if name not in res:
            continue
        r = res[name]
        acc = f"{r['train_accuracy']:.4f}" if "train_accuracy" in r else "-"
        if "peak_memory_bytes" in r:
            mem = f"{_mib(r['peak_memory_bytes']):.1f}"
        else:
            mem = f"({_mib(r['buffer_bytes']):.1f})" if "buffer_bytes" in r else "-"
        print(f"     {name:9}{r['seconds_per_epoch']:>9.4f}"
              f"{r['cpu_seconds_per_epoch']:>10.4f}{acc:>11}"
              f"{r['predict_proba_rows_per_s']:>14,.0f}{mem:>10}")
    rl = res["roofline"]
    print(f"     roofline: {rl['gflop_per_epoch']:.2f} GFLOP/epoch at "
          f"{rl['gflops_per_s']:.1f} GFLOP/s")
    print("     ratios: " + ", ".join(f"{k} {v:.2f}" for k, v in res["ratios"].items()))
    for knob in KNOBS:
        if knob in res:
            d = res[knob]
            setting = ", ".join(f"{k}={v}" for k, v in d["params"].items())
            print(f"     {setting}: {d['seconds_per_epoch']:.4f} s/epoch, "
                  f"overhead x{d['overhead_ratio']:.2f} (CPU x{d['cpu_overhead_ratio']:.2f}) "
                  f"vs plain skbp, train acc {d['train_accuracy']:.4f}")
    print(flush=True)


def _cell(fmt, *keys):
    """A summary column: ``fmt`` of ``result[keys[0]][keys[1]]...``, or "-" if absent."""
    def cell(result):
        value = result
        for key in keys:
            if not isinstance(value, dict) or key not in value:
                return "-"
            value = value[key]
        return format(value, fmt)
    return cell


SUMMARY_COLUMNS = (
    ("n", _cell("d", "config", "n_samples")),
    ("solver", _cell("s", "config", "solver")),
    ("dtype", _cell("s", "config", "dtype")),
    *(
        (f"{name} s/ep", _cell(".4f", name, "seconds_per_epoch"))
        for name in ("skbp", "sklearn", "roofline")
    ),
    *(
        (f"{name} cpu s/ep", _cell(".4f", name, "cpu_seconds_per_epoch"))
        for name in ("skbp", "sklearn", "roofline")
    ),
    ("skbp/sklearn", _cell(".2f", "ratios", "skbp_over_sklearn")),
    ("skbp/roofline", _cell(".2f", "ratios", "skbp_over_roofline")),
    ("acc skbp", _cell(".3f", "skbp", "train_accuracy")),
    ("acc sklearn", _cell(".3f", "sklearn", "train_accuracy")),
    ("proba skbp/sklearn", _cell(".2f", "ratios", "predict_proba_throughput_skbp_over_sklearn")),
    *(
        (f"peak MiB {name}", lambda r, name=name: (
            f"{_mib(r[name]['peak_memory_bytes']):.1f}"
            if "peak_memory_bytes" in r.get(name, {}) else "-"
        ))
        for name in ("skbp", "sklearn")
    ),
    *((f"{knob} overhead", _cell(".2f", knob, "overhead_ratio")) for knob in KNOBS),
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
    return rst_list_table(*_table_rows(results))


# --------------------------------------------------------------------------- #
# Entry point
# --------------------------------------------------------------------------- #
def import_skbp_classifier():
    """skbp's classifier, or None (then only scikit-learn and the roofline are timed)."""
    try:
        from skbp import BackpropMLPClassifier
    except ImportError as exc:
        print(f"WARNING: skbp is not importable ({exc}); timing sklearn and roofline only.\n")
        return None
    return BackpropMLPClassifier


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
    skbp_cls = import_skbp_classifier()
    with blas_threads(args.threads):
        info = machine_info()
        print_machine(info)
        results = []
        warmed = False
        for n_samples in args.n_samples:
            for dtype in args.dtypes:
                X, y = make_data(
                    n_samples, args.n_features, args.n_informative, args.n_classes, dtype
                )
                if not warmed:
                    warm_up(skbp_cls, X, y, args.batch_size)
                    warmed = True
                for widths in args.widths:
                    for solver in args.solvers:
                        print(f"  n={n_samples} widths={widths} solver={solver} "
                              f"dtype={dtype}", flush=True)
                        res = bench_config(args, skbp_cls, X, y, len(np.unique(y)),
                                           widths, solver, dtype, n_samples)
                        print_config_result(res)
                        results.append(res)
    print_summary(results)
    table = rst_table(results)
    if args.rst:
        print(table + "\n")
    settings = {**case_settings(args), "dropout": args.dropout, "memory": not args.no_memory}
    report = {"schema_version": SCHEMA_VERSION, **new_report(argv, settings, info),
              "results": results}
    return write_report(args.out, report, table=table if args.rst else None)


if __name__ == "__main__":
    main()
