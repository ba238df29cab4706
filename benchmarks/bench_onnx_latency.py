"""Prediction latency: onnxruntime on the exported model vs ``predict_proba``.

Run from the repository root (needs ``pip install -e ".[onnx]"``)::

    python benchmarks/bench_onnx_latency.py                # 1 thread
    python benchmarks/bench_onnx_latency.py --threads 2
    python benchmarks/bench_onnx_latency.py --quick        # tiny smoke run

A :class:`skbp.BackpropMLPClassifier` of the shape of ``bench_training.py``'s
standard case (784 features, ``hidden_layer_sizes=(256, 128)``, 10 classes,
float32) is fitted for two epochs (the weights' values do not change the
cost of a prediction), exported with :func:`skbp.onnx.to_onnx`
(``zipmap=False``) and run three ways on batches of 1 and 1,000 rows:

* ``onnxruntime``: ``InferenceSession.run`` of the exported model, both
  outputs (labels and probabilities), as a deployed model is called;
* ``skbp``: ``BackpropMLPClassifier.predict_proba`` (input validation
  included, as a user calls it);
* ``sklearn``: :class:`sklearn.neural_network.MLPClassifier` of the same shape,
  fitted on the same data, ``predict_proba``, for reference.

Each repetition times every contender once, interleaved, as the mean over a
loop of calls; the median over the repetitions is reported in microseconds
per call, with the ratio to onnxruntime. ``--threads`` sets both the BLAS
thread pools (threadpoolctl) and onnxruntime's intra-op threads.
"""

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
from _harness import (
    RESULTS_DIR,
    blas_threads,
    machine_info,
    new_report,
    print_machine,
    write_report,
)

DEFAULT_OUT = RESULTS_DIR / "bench_onnx_latency.json"
CONTENDERS = ("onnxruntime", "skbp", "sklearn")
ROWS = (1, 1000)


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-features", type=int, default=784)
    parser.add_argument("--widths", default="256,128", help="hidden layer sizes, e.g. 256,128")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument(
        "--seconds", type=float, default=0.2,
        help="approximate length of one timed loop of calls",
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, two repeats (smoke test)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    return parser


def _models(args):
    """The fitted skbp and sklearn models, the ONNX session and the test rows."""
    import onnxruntime as ort
    from sklearn.datasets import make_classification
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    from skbp import BackpropMLPClassifier
    from skbp.onnx import to_onnx

    widths = tuple(int(w) for w in args.widths.split(","))
    X, y = make_classification(
        n_samples=2000 + max(ROWS), n_features=args.n_features,
        n_informative=min(60, args.n_features), n_redundant=0, n_classes=10, random_state=0,
    )
    X = X.astype(np.float32)
    X_train, X_test = X[:2000], X[2000:]
    params = {"hidden_layer_sizes": widths, "max_iter": 2, "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        skbp_model = BackpropMLPClassifier(**params).fit(X_train, y[:2000])
        sklearn_model = MLPClassifier(**params).fit(X_train, y[:2000])
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    session = ort.InferenceSession(
        to_onnx(skbp_model, X_train, options={"zipmap": False}).SerializeToString(),
        options, providers=["CPUExecutionProvider"],
    )
    return skbp_model, sklearn_model, session, X_test


def _calls(models):
    """One call per contender: batch -> probabilities."""
    skbp_model, sklearn_model, session, _ = models
    input_name = session.get_inputs()[0].name
    return {
        "onnxruntime": lambda X: session.run(None, {input_name: X})[1],
        "skbp": skbp_model.predict_proba,
        "sklearn": sklearn_model.predict_proba,
    }


def _seconds_per_call(call, X, n_calls):
    started = time.perf_counter()
    for _ in range(n_calls):
        call(X)
    return (time.perf_counter() - started) / n_calls


def run(args):
    models = _models(args)
    calls = _calls(models)
    X_test = models[-1]
    results = []
    for n_rows in ROWS:
        X = np.ascontiguousarray(X_test[:n_rows])
        # Same answers first: the comparison is between equal computations.
        max_abs_diff = float(np.abs(calls["onnxruntime"](X) - calls["skbp"](X)).max())
        # Loop lengths from a warm-up call, so that each timed loop lasts ~args.seconds.
        n_calls = {
            name: max(1, int(args.seconds / _seconds_per_call(call, X, 3)))
            for name, call in calls.items()
        }
        samples = {name: [] for name in CONTENDERS}
        for _ in range(args.repeats):
            for name in CONTENDERS:
                samples[name].append(_seconds_per_call(calls[name], X, n_calls[name]))
        microseconds = {name: float(np.median(s)) * 1e6 for name, s in samples.items()}
        results.append({
            "n_rows": n_rows,
            "microseconds_per_call": microseconds,
            "calls_per_repeat": n_calls,
            "over_onnxruntime": {
                name: microseconds[name] / microseconds["onnxruntime"]
                for name in ("skbp", "sklearn")
            },
            "max_abs_diff_onnxruntime_vs_skbp": max_abs_diff,
        })
    return results


def print_table(results, args):
    print(f"Latency, {args.n_features} features, hidden {args.widths}, float32, "
          f"{args.threads} thread(s), median of {args.repeats}; µs per call")
    header = (f"{'rows':>6} {'onnxruntime':>12} {'skbp':>10} {'sklearn':>10} "
              f"{'skbp/ort':>9} {'sklearn/ort':>12} {'max|Δp|':>9}")
    print(header)
    for res in results:
        us, ratio = res["microseconds_per_call"], res["over_onnxruntime"]
        print(f"{res['n_rows']:>6} {us['onnxruntime']:>12.1f} {us['skbp']:>10.1f} "
              f"{us['sklearn']:>10.1f} {ratio['skbp']:>9.2f} {ratio['sklearn']:>12.2f} "
              f"{res['max_abs_diff_onnxruntime_vs_skbp']:>9.1e}")


def main(argv=None):
    import onnxruntime
    import skl2onnx

    args = build_parser().parse_args(argv)
    if args.quick:
        args.n_features, args.widths, args.repeats, args.seconds = 20, "16,8", 2, 0.002
    with blas_threads(args.threads):
        machine = machine_info(onnxruntime=onnxruntime.__version__, skl2onnx=skl2onnx.__version__)
        print_machine(machine)
        results = run(args)
    print_table(results, args)
    report = {**new_report(argv, vars(args), machine), "results": results}
    return write_report(args.out, report)


if __name__ == "__main__":
    main()
