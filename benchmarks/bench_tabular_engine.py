"""What each tabular ingredient of the engine costs one training step.

Run from the repository root::

    python benchmarks/bench_tabular_engine.py                 # selu, float32, 1 thread
    python benchmarks/bench_tabular_engine.py --activation mish --threads 2

A network with three hidden layers of 256 units on 30 input columns (20 of them
continuous), batches of 256 rows, is trained with Adam through skbp's own
engine (forward, BP1–BP4 through every layer, the optimizer's step), once
with the dense layers only and once with each ingredient added alone —
parametric activations, the periodic embedding of the continuous columns,
the feature scaling, the learning-rate and weight-decay factor vectors —
and with all of them.  The variants run interleaved, one epoch each per
round, so a busy machine slows them alike; reported are the minimum
milliseconds per step and the median over the rounds of each variant's
ratio to the dense network of the same round.  This is the source of the
table in the user guide's "The tabular engine" page.  It imports private
modules, which may change without notice.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    _here = str(Path(__file__).resolve().parent)
    if _here not in sys.path:
        sys.path.insert(0, _here)

from bench_training import machine_info, print_machine, write_report  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "bench_tabular_engine.json"

#: variant -> (front layers, parametric activations, group factors)
VARIANTS = {
    "dense only": ((), False, False),
    "parametric activations": ((), True, False),
    "feature scaling": (("scaling",), False, False),
    "periodic embedding": (("embedding",), False, False),
    "lr and decay factors": ((), False, True),
    "all": (("embedding", "scaling"), True, True),
}

#: RealMLP's group factors (see TABULAR defaults in the user guide).
LR_FACTORS = {"weights": 1.0, "biases": 0.1, "scaling": 6.0, "embedding": 0.1, "activation": 0.1}
DECAY_FACTORS = {"weights": 1.0, "biases": 0.0, "scaling": 6.0, "embedding": 0.1, "activation": 0.1}


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--activation", default="selu")
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    parser.add_argument("--n-samples", type=int, default=2560)
    parser.add_argument("--n-features", type=int, default=30)
    parser.add_argument("--n-continuous", type=int, default=20)
    parser.add_argument("--width", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, two rounds (smoke test)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    return parser


def _network(args, front_names, parametric, factors, X, rng):
    from skbp._engine.initializers import initialize_from_data
    from skbp._engine.layers import FeatureScaling, PeriodicEmbedding
    from skbp._engine.losses import SoftmaxCrossEntropy
    from skbp._engine.network import Network, Workspace
    from skbp._engine.optimizers import Adam

    layers = {
        "embedding": lambda: PeriodicEmbedding(np.arange(args.n_continuous)),
        "scaling": FeatureScaling,
    }
    network = Network(
        (args.n_features, *[args.width] * 3, 2), args.activation, SoftmaxCrossEntropy(),
        np.dtype(args.dtype), front=[layers[name]() for name in front_names],
        parametric_activation=parametric,
    ).initialize(rng, "normal", 1.0)
    initialize_from_data(network, X[: args.batch_size], rng)
    if factors:
        network.set_group_factors(lr=LR_FACTORS, weight_decay=DECAY_FACTORS, fan_in_power=0.5)
    optimizer = Adam(
        network.params, network.n_weights, 1e-3, 0.9, 0.95, 1e-8, 1e-4,
        network.lr_factors, network.decay_factors,
    )
    return network, optimizer, Workspace(network, args.batch_size)


def run(args):
    rng = np.random.RandomState(0)
    dtype = np.dtype(args.dtype)
    X = rng.randn(args.n_samples, args.n_features).astype(dtype)
    Y = np.eye(2, dtype=dtype)[rng.randint(0, 2, args.n_samples)]
    setups = {
        name: _network(args, *spec, X, np.random.RandomState(1)) for name, spec in VARIANTS.items()
    }
    bs = args.batch_size
    n_steps = -(-args.n_samples // bs)
    per_step = {name: [] for name in VARIANTS}
    for _ in range(args.rounds):
        for name, (network, optimizer, ws) in setups.items():
            started = time.perf_counter()
            for start in range(0, args.n_samples, bs):
                network.loss_and_gradient(X[start : start + bs], Y[start : start + bs], None, None, ws)
                optimizer.step(network.params, network.grad)
            per_step[name].append((time.perf_counter() - started) / n_steps * 1e3)
    dense = np.array(per_step["dense only"])
    results = {
        name: {
            "min_ms_per_step": float(min(times)),
            "median_ratio_to_dense": float(statistics.median(np.array(times) / dense)),
            "n_parameters": int(setups[name][0].params.size),
        }
        for name, times in per_step.items()
    }
    return {"settings": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
            "results": results}


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.quick:
        args.n_samples, args.n_features, args.n_continuous = 96, 6, 3
        args.width, args.batch_size, args.rounds = 16, 32, 2
    from threadpoolctl import threadpool_limits

    import skbp

    info = machine_info(skbp.__version__)
    print_machine(info)
    with threadpool_limits(limits=args.threads, user_api="blas"):
        report = run(args)
    report["machine"] = info
    print(f"{args.activation}, {args.dtype}, batch {args.batch_size}, {args.rounds} rounds")
    for name, res in report["results"].items():
        print(f"  {name:24s} {res['min_ms_per_step']:8.2f} ms/step   "
              f"x{res['median_ratio_to_dense']:.3f} of the dense network")
    return write_report(args.out, report)


if __name__ == "__main__":
    main()
