"""Where the time of one training step goes, part by part.

Run from the repository root::

    python benchmarks/bench_step.py                       # adam, float32
    python benchmarks/bench_step.py --solver sgd --dtype float64 --threads 1

One epoch of the standard case of ``bench_training.py`` (20,000 x 784,
``hidden_layer_sizes=(256, 128)``, 10 classes, ``batch_size=128``) is run
through skbp's own building blocks, in the order the training loop uses them,
with a clock around each part: gathering the shuffled batch, the forward
pass, the batch loss, backpropagation (BP1–BP4), the ℓ2 penalty and the
optimizer's update.  Each repetition also runs one epoch of the roofline's
bare matrix products (``_roofline.py``) and one epoch of the real training
loop, interleaved, so the parts can be compared with both in one run.

The median over the repetitions of each part's mean time per batch, in
microseconds, is printed and written as JSON.  This is a diagnostic of skbp's
internals: it imports private modules, which may change without notice.
"""

import argparse
import time
from pathlib import Path

import _harness as harness
import numpy as np
from _roofline import MatmulRoofline

DEFAULT_OUT = harness.RESULTS_DIR / "bench_step.json"
PARTS = ("gather", "forward", "loss", "backward", "penalty", "optimizer")


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--solver", choices=("adam", "sgd"), default="adam")
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    parser.add_argument("--n-samples", type=int, default=20000)
    parser.add_argument("--n-features", type=int, default=784)
    parser.add_argument("--widths", default="256,128", help="hidden layer sizes, e.g. 256,128")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--alpha", type=float, default=1e-4, help="ℓ2 penalty (0: none)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None, help="limit the BLAS thread pools")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repeat (smoke test)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    return parser


def _setup(args):
    from sklearn.datasets import make_classification

    from skbp._engine.losses import SoftmaxCrossEntropy
    from skbp._engine.network import Network, Workspace
    from skbp._engine.optimizers import SGD, Adam
    from skbp._engine.regularization import make_penalty
    from skbp._engine.training import DataSet, _BatchGatherer

    dtype = np.dtype(args.dtype)
    X, y = make_classification(
        n_samples=args.n_samples, n_features=args.n_features,
        n_informative=min(60, args.n_features), n_redundant=0, n_classes=10, random_state=0,
    )
    X = X.astype(dtype)
    Y = np.eye(10, dtype=bool)[y]
    widths = tuple(int(w) for w in args.widths.split(","))
    network = Network((X.shape[1], *widths, 10), "relu", SoftmaxCrossEntropy(), dtype)
    network.initialize(np.random.RandomState(0))
    optimizer_cls = Adam if args.solver == "adam" else SGD
    optimizer = optimizer_cls(
        network.params, network.n_weights,
        learning_rate_init=0.001 if args.solver == "adam" else 0.01,
    )
    return {
        "X": X, "y": y, "widths": widths, "network": network, "optimizer": optimizer,
        "ws": Workspace(network, args.batch_size),
        "gatherer": _BatchGatherer(DataSet(X, Y), args.batch_size),
        "penalty": make_penalty("l2", alpha=args.alpha),
        "roofline": MatmulRoofline(X, widths, 10, args.batch_size),
    }


def _timed_epoch(setup, order, batch_size):
    """One epoch through the building blocks; returns {part: seconds}."""
    network, ws, optimizer = setup["network"], setup["ws"], setup["optimizer"]
    gatherer, penalty = setup["gatherer"], setup["penalty"]
    spent = dict.fromkeys(PARTS, 0.0)
    clock = time.perf_counter
    for start in range(0, order.shape[0], batch_size):
        t0 = clock()
        X, Y, _, _ = gatherer.gather(np.sort(order[start : start + batch_size]))
        n = X.shape[0]
        t1 = clock()
        network.forward(X, ws)
        t2 = clock()
        network.output.fn(ws.z[network.n_layers - 1][:n], Y)
        t3 = clock()
        network.backward(Y, ws, network.dtype.type(1.0 / n))
        t4 = clock()
        if penalty is not None:
            penalty.value(network.weights)
            penalty.add_gradient(network.grad[: network.n_weights], network.weights, 1.0 / n)
        t5 = clock()
        optimizer.step(network.params, network.grad)
        t6 = clock()
        for part, seconds in zip(PARTS, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5)):
            spent[part] += seconds
    return spent


def _fit_epoch(setup, args):
    """Seconds of one epoch of the real training loop (BackpropMLPClassifier.fit)."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    from skbp import BackpropMLPClassifier

    model = BackpropMLPClassifier(
        hidden_layer_sizes=setup["widths"], solver=args.solver, batch_size=args.batch_size,
        alpha=args.alpha, max_iter=1, tol=0, n_iter_no_change=10**9, random_state=0,
        learning_rate_init=0.001 if args.solver == "adam" else 0.01,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(setup["X"], setup["y"])
    return model.history_[0]["duration_s"]


def run(args):
    setup = _setup(args)
    n, bs = setup["X"].shape[0], args.batch_size
    n_batches = -(-n // bs)
    rng = np.random.default_rng(0)
    samples = {key: [] for key in (*PARTS, "roofline products", "fit epoch")}
    _timed_epoch(setup, rng.permutation(n), bs)  # warm-up: first-touch of every buffer
    for _ in range(args.repeats):
        for part, seconds in _timed_epoch(setup, rng.permutation(n), bs).items():
            samples[part].append(seconds)
        started = time.perf_counter()
        setup["roofline"].epoch()
        samples["roofline products"].append(time.perf_counter() - started)
        samples["fit epoch"].append(_fit_epoch(setup, args))
    per_batch = {key: float(np.median(v)) / n_batches * 1e6 for key, v in samples.items()}
    per_batch["sum of the parts"] = sum(per_batch[p] for p in PARTS)
    return {"n_batches": n_batches, "microseconds_per_batch": per_batch}


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.quick:
        args.n_samples, args.n_features, args.widths, args.repeats = 600, 20, "16,8", 1
    with harness.blas_threads(args.threads):
        machine = harness.machine_info()
        harness.print_machine(machine)
        report = {**harness.new_report(argv, vars(args), machine), **run(args)}
    table = report["microseconds_per_batch"]
    roof = table["roofline products"]
    print(f"{args.solver}, {args.dtype}, batch {args.batch_size}, "
          f"{report['n_batches']} batches, median of {args.repeats}; µs per batch")
    for key, value in table.items():
        print(f"  {key:20s} {value:9.1f}   {value / roof:5.2f} x roofline")
    return harness.write_report(args.out, report)


if __name__ == "__main__":
    main()
