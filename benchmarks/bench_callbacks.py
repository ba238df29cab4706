"""What scikit-learn's callbacks cost a fit of skbp's BackpropMLPClassifier.

Run from the repository root (needs scikit-learn >= 1.9, which has
``sklearn.callback``)::

    python benchmarks/bench_callbacks.py            # three cases, about 2 minutes
    python benchmarks/bench_callbacks.py --quick    # tiny smoke run, seconds

Every case fits the same model four ways, interleaved (A B C D A B C D ...),
``--repeats`` times, and reports the median wall time of ``fit`` and its ratio
to the fit without callbacks:

* ``none``: no callback set — skbp then builds no callback context at all;
* ``noop``: a callback whose hooks do nothing: the contexts of the fit and of
  every epoch, and the calls into them;
* ``noop_fitted``: a callback that asks for ``fitted_estimator`` at the end of
  every epoch: also a copy of the weights and of the fitted attributes;
* ``scoring_monitor``: ``ScoringMonitor(scoring="accuracy")``: also a
  prediction on the whole training set after every epoch.

All four train exactly the same model (checked).  The BLAS runs on one thread
unless ``--threads`` says otherwise.  Results are printed and written as JSON
(``--out``, default ``benchmarks/results/bench_callbacks.json``); ``--rst``
also prints the table as RST.
"""

import argparse
import warnings
from pathlib import Path

import numpy as np
from _harness import (
    RESULTS_DIR,
    blas_threads,
    machine_info,
    new_report,
    print_machine,
    repeat_interleaved,
    spread,
    write_report,
)

DEFAULT_OUT = RESULTS_DIR / "bench_callbacks.json"
VARIANTS = ("none", "noop", "noop_fitted", "scoring_monitor")


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


class NoOpFitted(NoOp):
    """Asks for the fitted estimator at every task end, and drops it."""

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        pass


def _cases(quick):
    """(name, X, y, estimator parameters, epochs) of each case."""
    from sklearn.datasets import load_digits, make_classification
    from sklearn.preprocessing import StandardScaler

    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    epochs = 5 if quick else 100
    if quick:
        X, y = X[:300], y[:300]
    yield (
        "digits, (64,), adam, batch 200",
        X, y, dict(hidden_layer_sizes=(64,), solver="adam"), epochs,
    )
    yield (
        "digits, (64,), lbfgs",
        X, y, dict(hidden_layer_sizes=(64,), solver="lbfgs"), epochs,
    )
    n, d, widths = (600, 32, (16, 8)) if quick else (10000, 784, (256, 128))
    X, y = make_classification(
        n, d, n_informative=min(60, d // 2), n_classes=10, random_state=0
    )
    yield (
        f"make_classification {n}x{d}, {widths}, adam, batch 128, float32",
        X.astype(np.float32), y,
        dict(hidden_layer_sizes=widths, solver="adam", batch_size=128),
        2 if quick else 5,
    )


def _callbacks(variant):
    from sklearn.callback import ScoringMonitor

    return {
        "none": (),
        "noop": (NoOp(),),
        "noop_fitted": (NoOpFitted(),),
        "scoring_monitor": (ScoringMonitor(scoring="accuracy"),),
    }[variant]


def _model(params, epochs, variant):
    from skbp import BackpropMLPClassifier

    model = BackpropMLPClassifier(
        max_iter=epochs, tol=0, n_iter_no_change=10**9, random_state=0, **params
    )
    callbacks = _callbacks(variant)
    return model.set_callbacks(*callbacks) if callbacks else model


def bench_case(name, X, y, params, epochs, repeats):
    models = {}

    def fit(variant):
        models[variant] = _model(params, epochs, variant).fit(X, y)

    with warnings.catch_warnings():
        # Every epoch is run on purpose (lbfgs may stop earlier: n_iter_ says).
        warnings.simplefilter("ignore")
        fit("none")  # warm-up
        seconds = repeat_interleaved(
            {variant: lambda v=variant: fit(v) for variant in VARIANTS}, repeats
        )
    reference = models["none"]
    for variant, model in models.items():
        same = all(
            np.array_equal(a, b)
            for a, b in zip(model.coefs_ + model.intercepts_, reference.coefs_ + reference.intercepts_)
        )
        if not same:
            raise AssertionError(f"{name}: the fit with {variant} trained another model")
    times = {variant: s["wall"] for variant, s in seconds.items()}
    median = {variant: spread(values)["median"] for variant, values in times.items()}
    n_epochs = reference.n_iter_
    return {
        "case": name,
        "epochs": n_epochs,
        "repeats": repeats,
        "fit_seconds": times,
        "median_fit_seconds": median,
        "over_none": {variant: median[variant] / median["none"] for variant in VARIANTS},
        "extra_ms_per_epoch": {
            variant: 1e3 * (median[variant] - median["none"]) / n_epochs for variant in VARIANTS
        },
    }


def print_result(res):
    print(f"{res['case']} ({res['epochs']} epochs, median of {res['repeats']})")
    for variant in VARIANTS:
        print(
            f"  {variant:<16} {res['median_fit_seconds'][variant]:8.3f} s   "
            f"x{res['over_none'][variant]:.3f}   "
            f"{res['extra_ms_per_epoch'][variant]:+.3f} ms/epoch"
        )


def rst_table(results):
    lines = [
        ".. list-table::",
        "   :header-rows: 1",
        "",
        "   * - case",
        "     - epochs",
        "     - no callback (s)",
        *(f"     - {variant}" for variant in VARIANTS[1:]),
    ]
    for res in results:
        lines += [
            f"   * - {res['case']}",
            f"     - {res['epochs']}",
            f"     - {res['median_fit_seconds']['none']:.3f}",
        ]
        lines += [
            f"     - ×{res['over_none'][v]:.3f} ({res['extra_ms_per_epoch'][v]:+.2f} ms/epoch)"
            for v in VARIANTS[1:]
        ]
    return "\n".join(lines)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="bench_callbacks.py",
        description="Time fit without callbacks, with a no-op callback and with "
        "ScoringMonitor (interleaved, median).",
    )
    parser.add_argument("--repeats", type=int, default=None, help="default 5 (--quick: 1)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    parser.add_argument("--quick", action="store_true", help="tiny data: the smoke test")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--rst", action="store_true", help="also print an RST table")
    return parser


def main(argv=None):
    """Run the benchmark; return the report (also written as JSON to ``--out``)."""
    args = build_parser().parse_args(argv)
    repeats = args.repeats or (1 if args.quick else 5)
    with blas_threads(args.threads):
        info = machine_info()
        print_machine(info)
        results = []
        for name, X, y, params, epochs in _cases(args.quick):
            res = bench_case(name, X, y, params, epochs, repeats)
            print_result(res)
            results.append(res)
    table = rst_table(results)
    if args.rst:
        print(table)
    settings = {"repeats": repeats, "threads": args.threads, "quick": args.quick}
    report = {**new_report(argv, settings, info), "results": results}
    return write_report(args.out, report, table=table if args.rst else None)


if __name__ == "__main__":
    main()
