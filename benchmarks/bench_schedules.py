"""What the cosine learning-rate schedule buys: test accuracy and epochs to stop.

Run from the repository root::

    python benchmarks/bench_schedules.py            # 2 tasks, 5 seeds: about 10 minutes
    python benchmarks/bench_schedules.py --quick    # tiny smoke run, seconds

For every task, solver (``sgd``, ``adam``) and initial learning rate
(scikit-learn's default 1e-3, and 1e-2), three schedules are trained with the
same seeds (``random_state`` = 0, 1, ...: initial weights and batch order):

* ``constant``: ``learning_rate="constant"``;
* ``cosine``: ``learning_rate="cosine"`` (annealed to 0 over ``max_iter``);
* ``cosine+warmup``: the same after ``--warmup`` epochs of linear warm-up.

Everything else is the estimator's default: ``hidden_layer_sizes=(100,)``,
``max_iter=200``, ``batch_size="auto"`` and scikit-learn's stopping rule (the
training loss has not improved by ``tol=1e-4`` for ``n_iter_no_change=10``
epochs).  Reported per row: the mean and standard deviation over the seeds of
the accuracy on a held-out test set (25%, stratified, the same split for all)
and of the number of epochs run, and how many fits ran all ``max_iter``
epochs.  The tasks are digits and a ``make_classification`` problem, both
standardized on the training part.  Results are printed and written as JSON
(``--out``, default ``benchmarks/results/bench_schedules.json``); ``--rst``
also prints the table as RST (the format of the user guide's table).
"""

import argparse
import warnings
from pathlib import Path

from _harness import (
    RESULTS_DIR,
    blas_threads,
    machine_info,
    new_report,
    print_machine,
    spread,
    write_report,
)

DEFAULT_OUT = RESULTS_DIR / "bench_schedules.json"
SCHEDULES = ("constant", "cosine", "cosine+warmup")
SOLVERS = ("sgd", "adam")
LEARNING_RATES = (1e-3, 1e-2)


def _tasks(quick):
    """(name, X_train, X_test, y_train, y_test) of each task, standardized."""
    from sklearn.datasets import load_digits, make_classification
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    digits = load_digits(return_X_y=True)
    synthetic = make_classification(
        n_samples=600 if quick else 4000, n_features=40, n_informative=15,
        n_redundant=5, n_classes=4, class_sep=0.8, flip_y=0.02, random_state=0,
    )
    for name, (X, y) in (
        ("digits", digits),
        ("make_classification", synthetic),
    ):
        if quick:
            X, y = X[:400], y[:400]
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.25, stratify=y, random_state=0
        )
        scaler = StandardScaler().fit(X_train)
        yield name, scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def _schedule_params(schedule, warmup):
    return {
        "constant": dict(learning_rate="constant"),
        "cosine": dict(learning_rate="cosine"),
        "cosine+warmup": dict(learning_rate="cosine", warmup_iter=warmup),
    }[schedule]


def _mean_std(values):
    summary = spread(values)
    return summary["mean"], summary["std"]


def bench(args):
    from skbp import BackpropMLPClassifier

    rows = []
    for task, X_train, X_test, y_train, y_test in _tasks(args.quick):
        for solver in SOLVERS:
            for learning_rate_init in LEARNING_RATES:
                for schedule in SCHEDULES:
                    accuracies, epochs = [], []
                    for seed in range(args.seeds):
                        model = BackpropMLPClassifier(
                            solver=solver,
                            learning_rate_init=learning_rate_init,
                            max_iter=args.max_iter,
                            random_state=seed,
                            **_schedule_params(schedule, args.warmup),
                        )
                        with warnings.catch_warnings():
                            # Running all max_iter epochs is counted, not warned about.
                            warnings.simplefilter("ignore")
                            model.fit(X_train, y_train)
                        accuracies.append(model.score(X_test, y_test))
                        epochs.append(model.n_iter_)
                    row = {
                        "task": task,
                        "solver": solver,
                        "learning_rate_init": learning_rate_init,
                        "schedule": schedule,
                        "test_accuracy": accuracies,
                        "epochs": epochs,
                        "accuracy_mean_std": _mean_std(accuracies),
                        "epochs_mean_std": _mean_std(epochs),
                        "ran_max_iter": sum(e == args.max_iter for e in epochs),
                    }
                    print_row(row, args.seeds)
                    rows.append(row)
    return rows


def print_row(row, seeds):
    acc, acc_std = row["accuracy_mean_std"]
    ep, ep_std = row["epochs_mean_std"]
    print(
        f"{row['task']:<20} {row['solver']:<5} lr={row['learning_rate_init']:<6g} "
        f"{row['schedule']:<14} accuracy {acc:.4f} ± {acc_std:.4f}   "
        f"epochs {ep:6.1f} ± {ep_std:5.1f}   all epochs run: {row['ran_max_iter']}/{seeds}",
        flush=True,
    )


def rst_table(rows, seeds):
    """One line per task, solver and rate; per schedule "accuracy / epochs" (mean ± std)."""
    lines = [
        ".. list-table::",
        "   :header-rows: 1",
        "",
        "   * - task",
        "     - solver",
        "     - ``learning_rate_init``",
        *(f"     - {schedule}" for schedule in SCHEDULES),
    ]
    groups = {}
    for row in rows:
        groups.setdefault((row["task"], row["solver"], row["learning_rate_init"]), {})[
            row["schedule"]
        ] = row
    for (task, solver, learning_rate_init), by_schedule in groups.items():
        lines += [f"   * - {task}", f"     - {solver}", f"     - {learning_rate_init:g}"]
        for schedule in SCHEDULES:
            acc, acc_std = by_schedule[schedule]["accuracy_mean_std"]
            ep, ep_std = by_schedule[schedule]["epochs_mean_std"]
            lines.append(f"     - {acc:.3f} ± {acc_std:.3f} / {ep:.0f} ± {ep_std:.0f}")
    return "\n".join(lines)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="bench_schedules.py",
        description="Constant vs cosine learning rate (with and without warm-up) "
        "for sgd and adam: test accuracy and epochs to stop over several seeds.",
    )
    parser.add_argument("--seeds", type=int, default=None, help="default 5 (--quick: 2)")
    parser.add_argument("--max-iter", type=int, default=None, help="default 200 (--quick: 10)")
    parser.add_argument("--warmup", type=int, default=None, help="warm-up epochs (default 10, --quick: 2)")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    parser.add_argument("--quick", action="store_true", help="tiny data: the smoke test")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--rst", action="store_true", help="also print an RST table")
    return parser


def main(argv=None):
    """Run the benchmark; return the report (also written as JSON to ``--out``)."""
    args = build_parser().parse_args(argv)
    args.seeds = args.seeds or (2 if args.quick else 5)
    args.max_iter = args.max_iter or (10 if args.quick else 200)
    args.warmup = args.warmup or (2 if args.quick else 10)
    with blas_threads(args.threads):
        info = machine_info()
        print_machine(info)
        rows = bench(args)
    table = rst_table(rows, args.seeds)
    if args.rst:
        print(table)
    settings = {
        "seeds": args.seeds,
        "max_iter": args.max_iter,
        "warmup_iter": args.warmup,
        "threads": args.threads,
        "quick": args.quick,
    }
    report = {**new_report(argv, settings, info), "results": rows}
    return write_report(args.out, report, table=table if args.rst else None)


if __name__ == "__main__":
    main()
