"""Parallel grid search: speed-up of n_jobs=2 over n_jobs=1, and BLAS threads per worker.

joblib's loky workers cap the BLAS thread pool of each worker at
cpu_count // n_jobs, so a search over 2 cores with n_jobs=2 runs one BLAS thread
per worker instead of 2 x 2 threads fighting over 2 cores. This script shows the
cap as the workers see it (threadpoolctl) and times the same GridSearchCV with
n_jobs=1 and n_jobs=2, interleaved.

    python benchmarks/bench_grid_search.py [--repeats 3]
"""

import argparse
import statistics
import time
import warnings
from pathlib import Path

from _harness import (
    RESULTS_DIR,
    blas_pools,
    machine_info,
    new_report,
    print_machine,
    write_report,
)
from joblib import Parallel, delayed
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbp import BackpropMLPClassifier


def blas_thread_counts():
    return [pool["num_threads"] for pool in blas_pools()]


def search(n_jobs):
    X, y = load_digits(return_X_y=True)
    grid = GridSearchCV(
        make_pipeline(StandardScaler(), BackpropMLPClassifier(max_iter=30, random_state=0)),
        {
            "backpropmlpclassifier__hidden_layer_sizes": [(128,), (256, 128)],
            "backpropmlpclassifier__initializer": ["auto", "glorot_normal"],
            "backpropmlpclassifier__dropout": [0.0, 0.2],
        },
        cv=3,
        n_jobs=n_jobs,
    )
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        grid.fit(X, y)
    return time.perf_counter() - started, grid.best_score_


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "bench_grid_search.json")
    args = parser.parse_args(argv)

    machine = machine_info()
    print_machine(machine)
    result = {
        "cpu_count": machine["cpu_count"],
        "blas_threads_main": blas_thread_counts(),
        "blas_threads_in_loky_workers_n_jobs_2": Parallel(n_jobs=2)(
            delayed(blas_thread_counts)() for _ in range(2)
        ),
        "seconds": {1: [], 2: []},
    }
    for _ in range(args.repeats):
        for n_jobs in (1, 2):
            seconds, best = search(n_jobs)
            result["seconds"][n_jobs].append(seconds)
            result["best_score"] = best
    medians = {k: statistics.median(v) for k, v in result["seconds"].items()}
    result["median_seconds"] = medians
    result["speedup_n_jobs_2"] = medians[1] / medians[2]
    print(f"cores: {result['cpu_count']}")
    print(f"BLAS threads, main process: {result['blas_threads_main']}")
    print(f"BLAS threads, loky workers (n_jobs=2): {result['blas_threads_in_loky_workers_n_jobs_2']}")
    print(f"GridSearchCV, 8 candidates x 3 folds: n_jobs=1 {medians[1]:.1f} s, "
          f"n_jobs=2 {medians[2]:.1f} s, speed-up x{result['speedup_n_jobs_2']:.2f}")
    return write_report(args.out, {**new_report(argv, vars(args), machine), **result})


if __name__ == "__main__":
    main()
