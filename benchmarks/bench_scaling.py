"""How skbp's training time grows with the number of samples.

Run from the repository root::

    python benchmarks/bench_scaling.py             # 5000, 20000, 80000 rows
    python benchmarks/bench_scaling.py --quick     # tiny smoke run

skbp's :class:`~skbp.BackpropMLPClassifier` is fitted on the standard case of
``bench_training.py`` (adam, float32 unless ``--solvers``/``--dtypes`` say
otherwise) at each size, the sizes interleaved (5k 20k 80k 5k 20k 80k ...),
``--repeats`` times.  Reported per size: the median seconds per epoch and the
same per 1000 samples, which is flat when the time per epoch grows linearly.
"""

import argparse
from pathlib import Path

import _harness as harness
import _standard_case as case

DEFAULT_OUT = harness.RESULTS_DIR / "bench_scaling.json"


def build_parser():
    parser = argparse.ArgumentParser(
        prog="bench_scaling.py",
        description="Seconds per epoch of skbp at several training set sizes.",
    )
    case.add_case_arguments(parser, "training set sizes (default 5000 20000 80000)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON output file")
    parser.add_argument("--rst", action="store_true", help="also print the table as RST")
    return parser


def bench_sizes(args, widths, solver, dtype):
    """Fit at every size of ``args.n_samples``, interleaved; one entry of the report."""
    from skbp import BackpropMLPClassifier

    datasets = {
        n: case.make_data(n, args.n_features, args.n_informative, args.n_classes, dtype)
        for n in args.n_samples
    }
    params = case.common_params(widths, solver, args.epochs, args.batch_size)
    wall = {n: [] for n in args.n_samples}
    cpu = {n: [] for n in args.n_samples}
    epochs_run = {}
    for rep in range(args.repeats):
        for n in args.n_samples:
            est, seconds, cpu_seconds = harness.timed_fit(BackpropMLPClassifier(**params), *datasets[n])
            wall[n].append(seconds)
            cpu[n].append(cpu_seconds)
            epochs_run[n] = int(est.n_iter_)
        print(f"    rep {rep + 1}/{args.repeats}: "
              + ", ".join(f"n={n} {wall[n][-1]:.3f}s" for n in args.n_samples), flush=True)
    sizes = []
    for n in args.n_samples:
        per_epoch = harness.spread(wall[n])["median"] / epochs_run[n]
        sizes.append({
            "n_samples": n,
            "seconds_per_epoch": per_epoch,
            "seconds_per_epoch_per_1k_samples": per_epoch / (n / 1000),
            "cpu_seconds_per_epoch": harness.spread(cpu[n])["median"] / epochs_run[n],
            "fit_seconds": wall[n],
            "epochs_run": epochs_run[n],
        })
    config = {
        "n_features": args.n_features, "n_classes": args.n_classes,
        "hidden_layer_sizes": list(widths), "solver": solver, "dtype": dtype,
        "epochs": args.epochs, "batch_size": args.batch_size, "repeats": args.repeats,
    }
    return {"config": config, "sizes": sizes}


def table(entry):
    header = ["n_samples", "seconds per epoch", "seconds per epoch per 1000 samples"]
    rows = [
        [f"{s['n_samples']:,}", f"{s['seconds_per_epoch']:.3f}",
         f"{s['seconds_per_epoch_per_1k_samples']:.4f}"]
        for s in entry["sizes"]
    ]
    return header, rows


def print_entry(entry):
    cfg = entry["config"]
    print(f"  -> skbp scaling, widths={tuple(cfg['hidden_layer_sizes'])} "
          f"solver={cfg['solver']} dtype={cfg['dtype']}")
    header, rows = table(entry)
    print("     " + "  ".join(f"{h:>12}" for h in header[:2]) + f"  {header[2]}")
    for row in rows:
        print("     " + "  ".join(f"{cell:>12}" for cell in row))
    print(flush=True)


def main(argv=None):
    """Run the scaling benchmark; return the report (also written as JSON to ``--out``)."""
    args = build_parser().parse_args(argv)
    case.resolve_case(
        args, n_samples=[300, 600, 1200] if args.quick else [5000, 20000, 80000],
        solvers=["adam"], dtypes=["float32"],
    )
    results = []
    with harness.blas_threads(args.threads):
        info = harness.machine_info()
        harness.print_machine(info)
        for dtype in args.dtypes:
            for widths in args.widths:
                for solver in args.solvers:
                    entry = bench_sizes(args, widths, solver, dtype)
                    print_entry(entry)
                    results.append(entry)
    rst = "\n\n".join(harness.rst_list_table(*table(entry)) for entry in results)
    if args.rst:
        print(rst + "\n")
    report = {**harness.new_report(argv, case.case_settings(args), info), "results": results}
    return harness.write_report(args.out, report, table=rst if args.rst else None)


if __name__ == "__main__":
    main()
