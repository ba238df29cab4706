"""Fit memory and prediction latency of TabularMLPClassifier as the table grows.

Run from the repository root::

    python benchmarks/bench_tabular_memory.py            # n = 2,500 ... 40,000, a minute or two
    python benchmarks/bench_tabular_memory.py --quick    # smoke run, seconds

The table is ``make_classification`` (20 numeric columns, 5 % of the values
missing) plus a 5-level and a 40-level categorical column, as a pandas
DataFrame; the network is the default one (3 x 256 units, float32) trained
for ``--max-iter`` epochs (memory does not grow with the epochs: the history
adds one small record each).  For each number of rows n:

* the peak of NumPy's allocations during ``fit`` above the level before it
  (``tracemalloc``, which sees NumPy's arrays but not BLAS-internal buffers;
  the table itself is allocated before and not counted), in MiB, and what
  each row added since the previous n cost, in bytes;
* the wall time of ``predict_proba`` on one row (median of ``--repeats``
  calls) and on every row of the table, as rows per second.

The peak is a constant (the network, Adam's moments, the best epoch's copy)
plus a part that grows with n; it grows linearly when the bytes per added row
stay the same from one n to the next.
"""

import argparse
import statistics
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
from _harness import (
    RESULTS_DIR,
    blas_threads,
    machine_info,
    new_report,
    print_machine,
    rst_list_table,
    write_report,
)

DEFAULT_OUT = RESULTS_DIR / "bench_tabular_memory.json"


def make_table(n_rows, seed=0):
    """A raw table of ``n_rows`` rows: numeric columns with missing values, two categorical ones."""
    import pandas as pd
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=n_rows, n_features=20, n_informative=10, random_state=seed
    )
    rng = np.random.default_rng(seed)
    X[rng.random(X.shape) < 0.05] = np.nan
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    frame["small"] = pd.Categorical(rng.choice(list("abcde"), n_rows))
    frame["large"] = pd.Categorical(rng.integers(0, 40, n_rows).astype(str))
    return frame, y


def measure(n_rows, max_iter, repeats, seed=0):
    from skbp import TabularMLPClassifier

    X, y = make_table(n_rows, seed)
    model = TabularMLPClassifier(max_iter=max_iter, random_state=seed)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        started = time.perf_counter()
        model.fit(X, y)
        fit_seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    one_row = X.iloc[:1]
    model.predict_proba(one_row)  # warm-up
    latencies = []
    for _ in range(repeats):
        started = time.perf_counter()
        model.predict_proba(one_row)
        latencies.append(time.perf_counter() - started)
    started = time.perf_counter()
    model.predict_proba(X)
    all_rows = time.perf_counter() - started
    return {
        "n_rows": n_rows,
        "n_columns": X.shape[1],
        "fit_seconds": fit_seconds,
        "fit_peak_mib": peak / 2**20,
        "predict_one_row_ms": statistics.median(latencies) * 1e3,
        "predict_rows_per_second": n_rows / all_rows,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="2500,5000,10000,20000,40000",
                        help="comma-separated numbers of rows")
    parser.add_argument("--max-iter", type=int, default=2, help="epochs per fit (default 2)")
    parser.add_argument("--repeats", type=int, default=25, help="one-row predictions timed")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    parser.add_argument("--quick", action="store_true", help="tiny tables (smoke test)")
    parser.add_argument("--rst", action="store_true", help="also print the table as RST")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    rows = [int(n) for n in args.rows.split(",")]
    if args.quick:
        rows, args.max_iter, args.repeats = [300, 600], 1, 3
    with blas_threads(args.threads):
        machine = machine_info()
        print_machine(machine)
        results = []
        for n in rows:
            record = measure(n, args.max_iter, args.repeats)
            if results:
                previous = results[-1]
                record["bytes_per_added_row"] = (
                    (record["fit_peak_mib"] - previous["fit_peak_mib"]) * 2**20
                    / (n - previous["n_rows"])
                )
            results.append(record)
            per_row = record.get("bytes_per_added_row")
            print(
                f"  n={n:>6}  fit {record['fit_seconds']:7.2f} s  peak {record['fit_peak_mib']:8.1f} MiB"
                + ("" if per_row is None else f"  (+{per_row:,.0f} B per added row)")
                + f"  one row {record['predict_one_row_ms']:6.2f} ms"
                f"  {record['predict_rows_per_second']:>10,.0f} rows/s",
                flush=True,
            )
    report = new_report(argv, vars(args), machine)
    report["results"] = results
    header = ["rows", "fit peak MiB", "bytes per added row", "one-row predict_proba ms",
              "predict_proba rows/s"]
    table_rows = [
        [r["n_rows"], f"{r['fit_peak_mib']:.1f}",
         "-" if "bytes_per_added_row" not in r else f"{r['bytes_per_added_row']:,.0f}",
         f"{r['predict_one_row_ms']:.2f}", f"{r['predict_rows_per_second']:,.0f}"]
        for r in results
    ]
    table = rst_list_table(header, table_rows)
    if args.rst:
        print(table)
    return write_report(args.out, report, table=table)


if __name__ == "__main__":
    main()
