"""The standard case shared by the training benchmarks: data, network, options.

``make_classification(n_samples, 784, n_informative=60, n_redundant=0,
n_classes=10, random_state=0)``, a ``(256, 128)`` ReLU network, batches of 128,
a fixed number of epochs that are all run (``tol=0``, no early stop), the same
settings for skbp and scikit-learn.  ``bench_training.py`` and
``bench_scaling.py`` take the same options to change it (``add_case_arguments``).
"""

import argparse

import numpy as np
from _harness import positive_int


def widths_type(text):
    """argparse type: ``"256,128"`` -> ``(256, 128)``."""
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


def add_case_arguments(parser, n_samples_help):
    """The options that describe the data and the network (shared with bench_scaling)."""
    parser.add_argument(
        "--n-samples", type=positive_int, nargs="+", default=None, help=n_samples_help
    )
    parser.add_argument("--n-features", type=positive_int, default=784)
    parser.add_argument("--n-informative", type=positive_int, default=60)
    parser.add_argument("--n-classes", type=positive_int, default=10)
    parser.add_argument(
        "--widths", type=widths_type, nargs="+", default=None, metavar="W1,W2,...",
        help="hidden_layer_sizes, one or more comma-separated lists (default 256,128)",
    )
    parser.add_argument("--solvers", nargs="+", choices=["adam", "sgd"], default=None)
    parser.add_argument("--dtypes", nargs="+", choices=["float32", "float64"], default=None)
    parser.add_argument("--repeats", type=positive_int, default=None, help="default 3")
    parser.add_argument("--epochs", type=positive_int, default=None, help="default 5")
    parser.add_argument("--batch-size", type=positive_int, default=128)
    parser.add_argument(
        "--threads", type=positive_int, default=None,
        help="limit the BLAS thread pools to this many threads with threadpoolctl "
        "(default: leave them as they are)",
    )
    parser.add_argument(
        "--quick", action="store_true",
        help="tiny sizes and 1 repeat (smoke test); explicit options still win",
    )


def resolve_case(args, *, n_samples, solvers, dtypes):
    """Fill in the defaults of the case options; ``--quick`` shrinks everything."""
    quick = args.quick
    if args.n_samples is None:
        args.n_samples = n_samples
    if quick and args.n_features == 784:
        args.n_features = 32
    if quick and args.n_informative == 60:
        args.n_informative = 8
    if args.n_informative > args.n_features:
        raise SystemExit(
            f"--n-informative ({args.n_informative}) must not exceed "
            f"--n-features ({args.n_features})"
        )
    args.widths = args.widths or ([(16, 8)] if quick else [(256, 128)])
    args.solvers = args.solvers or solvers
    args.dtypes = args.dtypes or dtypes
    args.repeats = args.repeats or (1 if quick else 3)
    args.epochs = args.epochs or (2 if quick else 5)
    return args


def case_settings(args):
    """The case options as the JSON report's ``settings``."""
    names = ("n_samples", "n_features", "n_informative", "n_classes", "solvers",
             "dtypes", "repeats", "epochs", "batch_size", "quick", "threads")
    return {
        **{name: getattr(args, name) for name in names},
        "hidden_layer_sizes": [list(w) for w in args.widths],
    }


def make_data(n_samples, n_features, n_informative, n_classes, dtype):
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=n_samples, n_features=n_features, n_informative=n_informative,
        n_redundant=0, n_classes=n_classes, random_state=0,
    )
    return np.ascontiguousarray(X, dtype=dtype), y


def common_params(widths, solver, epochs, batch_size):
    """Settings shared verbatim by skbp and scikit-learn: every epoch is run."""
    return dict(
        hidden_layer_sizes=tuple(widths), activation="relu", solver=solver,
        batch_size=batch_size, max_iter=epochs, tol=0.0, n_iter_no_change=10**9,
        shuffle=True, random_state=0,
    )


