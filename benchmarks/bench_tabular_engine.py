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
from pathlib import Path

import numpy as np
from _harness import (
    RESULTS_DIR,
    blas_threads,
    machine_info,
    new_report,
    positive_int,
    print_machine,
    repeat_interleaved,
    rst_list_table,
    write_report,
)

DEFAULT_OUT = RESULTS_DIR / "bench_tabular_engine.json"

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
    parser.add_argument("--rounds", type=positive_int, default=12)
    parser.add_argument("--threads", type=positive_int, default=1, help="BLAS threads")
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
    """{variant: milliseconds per step of each round}, the variants interleaved."""
    rng = np.random.RandomState(0)
    dtype = np.dtype(args.dtype)
    X = rng.randn(args.n_samples, args.n_features).astype(dtype)
    Y = np.eye(2, dtype=dtype)[rng.randint(0, 2, args.n_samples)]
    bs = args.batch_size
    n_steps = -(-args.n_samples // bs)

    def epoch(network, optimizer, ws):
        for start in range(0, args.n_samples, bs):
            network.loss_and_gradient(X[start : start + bs], Y[start : start + bs], None, None, ws)
            optimizer.step(network.params, network.grad)

    setups = {
        name: _network(args, *spec, X, np.random.RandomState(1)) for name, spec in VARIANTS.items()
    }
    seconds = repeat_interleaved(
        {name: (lambda setup=setup: epoch(*setup)) for name, setup in setups.items()},
        args.rounds, warm_up=True,
    )
    sizes = {name: int(setup[0].params.size) for name, setup in setups.items()}
    return {name: [t / n_steps * 1e3 for t in s["wall"]] for name, s in seconds.items()}, sizes


def summarize(per_step, sizes):
    dense = np.array(per_step["dense only"])
    return {
        name: {
            "min_ms_per_step": float(min(times)),
            "median_ratio_to_dense": float(statistics.median(np.array(times) / dense)),
            "n_parameters": sizes[name],
        }
        for name, times in per_step.items()
    }


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.quick:
        args.n_samples, args.n_features, args.n_continuous = 96, 6, 3
        args.width, args.batch_size, args.rounds = 16, 32, 2
    with blas_threads(args.threads):
        machine = machine_info()
        print_machine(machine)
        per_step, sizes = run(args)
    report = new_report(argv, vars(args), machine)
    report["results"] = summarize(per_step, sizes)
    print(f"{args.activation}, {args.dtype}, batch {args.batch_size}, {args.rounds} rounds")
    rows = []
    for name, res in report["results"].items():
        print(f"  {name:24s} {res['min_ms_per_step']:8.2f} ms/step   "
              f"x{res['median_ratio_to_dense']:.3f} of the dense network")
        rows.append([name, f"{res['min_ms_per_step']:.2f}", f"{res['median_ratio_to_dense']:.3f}"])
    table = rst_list_table(["variant", "ms per step (min)", "ratio to the dense network"], rows)
    return write_report(args.out, report, table=table)


if __name__ == "__main__":
    main()
