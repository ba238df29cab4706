"""Smoke tests of the benchmarks and their shared harness (no timing assertions).

Each benchmark is run in-process with ``--quick`` (tiny data, one repetition);
the tests check that it completes and that the JSON it writes has the
expected structure with positive, finite measurements.
"""

import json
import math

import numpy as np
import pytest
from benchmark_scripts import load_benchmark

import skbp


@pytest.fixture(scope="module")
def bench():
    """bench_training.py as a module."""
    return load_benchmark("bench_training")


@pytest.fixture(scope="module")
def harness():
    """benchmarks/_harness.py as a module."""
    return load_benchmark("_harness")


def _positive_finite(value):
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > 0
    )


def _assert_positive_finite(mapping, keys, where):
    for key in keys:
        assert key in mapping, f"{where}: missing key {key!r}"
        assert _positive_finite(mapping[key]), f"{where}[{key!r}] = {mapping[key]!r}"


def _quick_run(name, tmp_path, *options):
    """(module, report) of ``benchmarks/<name>.py --quick``; its JSON is what main returns."""
    module = load_benchmark(name)
    out = tmp_path / f"{name}.json"
    returned = module.main(["--quick", "--out", str(out), *options])
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report == json.loads(json.dumps(returned))
    return module, report


@pytest.fixture(scope="module")
def quick_report(bench, tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "quick.json"
    returned = bench.main(["--quick", "--out", str(out)])
    return returned, json.loads(out.read_text(encoding="utf-8"))


def test_quick_run_writes_expected_json(quick_report):
    returned, report = quick_report
    assert report["schema_version"] == 2
    for key in ("settings", "machine", "results", "created", "argv", "load_average_at_end"):
        assert key in report
    # The returned dictionary and the file agree.
    assert len(returned["results"]) == len(report["results"])

    machine = report["machine"]
    for key in ("platform", "cpu_count", "numpy", "sklearn", "env", "threadpool_info"):
        assert key in machine
    assert machine["cpu_count"] >= 1
    assert isinstance(machine["threadpool_info"], list)
    # One summary per BLAS pool, with the kernel and the thread count.
    assert machine["blas"] and all(
        {"internal_api", "architecture", "num_threads"} <= set(pool) for pool in machine["blas"]
    )
    assert "OPENBLAS_CORETYPE" in machine["env"]
    assert "OPENBLAS_L2_SIZE" in machine["env"]

    settings = report["settings"]
    assert settings["quick"] is True
    assert settings["repeats"] == 1
    expected = {
        (solver, dtype)
        for solver in settings["solvers"]
        for dtype in settings["dtypes"]
    }
    got = {(r["config"]["solver"], r["config"]["dtype"]) for r in report["results"]}
    assert (
        got
        == expected
        == {
            ("adam", "float32"),
            ("adam", "float64"),
            ("sgd", "float32"),
            ("sgd", "float64"),
        }
    )


def test_quick_run_measurements_are_positive_and_finite(quick_report):
    _, report = quick_report
    estimators = ["sklearn", "skbp"]
    for res in report["results"]:
        cfg = res["config"]
        where = f"{cfg['solver']}/{cfg['dtype']}"
        for name in estimators:
            entry = res[name]
            _assert_positive_finite(
                entry,
                [
                    "seconds_per_epoch",
                    "min_seconds_per_epoch",
                    "cpu_seconds_per_epoch",
                    "predict_proba_rows_per_s",
                    "peak_memory_bytes",
                    "train_accuracy",
                ],
                f"{where} {name}",
            )
            assert 0 < entry["train_accuracy"] <= 1
            assert len(entry["fit_seconds"]) == cfg["repeats"]
            assert entry["epochs_run"] == cfg["epochs"]
            # float32 input is trained in float32 (and float64 in float64).
            assert entry["coef_dtype"] == cfg["dtype"]
        _assert_positive_finite(
            res["roofline"],
            ["seconds_per_epoch", "predict_proba_rows_per_s", "gflop_per_epoch"],
            f"{where} roofline",
        )
        ratio_keys = [
            "sklearn_over_roofline",
            "skbp_over_sklearn",
            "skbp_over_roofline",
            "predict_proba_throughput_skbp_over_sklearn",
            "peak_memory_skbp_over_sklearn",
        ]
        _assert_positive_finite(res["ratios"], ratio_keys, f"{where} ratios")
        if cfg["solver"] == "adam":
            _assert_positive_finite(
                res["dropout"],
                ["seconds_per_epoch", "overhead_ratio", "cpu_overhead_ratio"],
                where,
            )
            assert res["dropout"]["rate"] == pytest.approx(0.2)
            _assert_positive_finite(
                res["monitor_layers"],
                ["seconds_per_epoch", "overhead_ratio", "cpu_overhead_ratio"],
                where,
            )
            # The callback API exists in the test environment's scikit-learn.
            assert ("callback_noop" in res) == hasattr(
                skbp.BackpropMLPClassifier, "set_callbacks"
            )
            if "callback_noop" in res:
                _assert_positive_finite(
                    res["callback_noop"],
                    ["seconds_per_epoch", "overhead_ratio", "cpu_overhead_ratio"],
                    where,
                )


def test_roofline_products_match_numpy(bench):
    """The roofline computes the real products (so it is a fair floor)."""
    from _roofline import MatmulRoofline, epoch_flops

    rng = np.random.default_rng(0)
    X = rng.standard_normal((10, 6))
    rl = MatmulRoofline(X, (5, 4), 3, batch_size=4)
    # 10 rows in batches of 4: 4, 4 and a last batch of 2 with its own buffers.
    assert sorted(rl._buffers) == [2, 4]
    rl.epoch()
    # After the epoch the buffers hold the products of the last batch (rows 8:10).
    acts, deltas = rl._buffers[2]
    Xb = X[8:]
    W1, W2, W3 = rl.weights
    np.testing.assert_allclose(acts[0], Xb @ W1)
    np.testing.assert_allclose(acts[2], acts[1] @ W3)
    np.testing.assert_allclose(deltas[1], deltas[2] @ W3.T)
    np.testing.assert_allclose(deltas[0], deltas[1] @ W2.T)
    np.testing.assert_allclose(rl.weight_grads[0], Xb.T @ deltas[0])
    np.testing.assert_allclose(rl.forward(), X @ W1 @ W2 @ W3)
    # 3 forward, 3 weight gradients and 2 deltas (none for the input layer).
    per_row = 2 * (6 * 5 + 5 * 4 + 4 * 3) * 2 + 2 * (5 * 4 + 4 * 3)
    assert rl.flops_per_epoch() == epoch_flops(10, [6, 5, 4, 3], 4) == 10 * per_row


def test_quick_scaling_run(tmp_path):
    """benchmarks/bench_scaling.py --quick times every size, under the BLAS limit asked for."""
    _, report = _quick_run("bench_scaling", tmp_path, "--threads", "1")
    assert report["settings"]["threads"] == 1
    blas = report["machine"]["blas"]
    assert blas and all(pool["num_threads"] == 1 for pool in blas)
    (entry,) = report["results"]
    sizes = [s["n_samples"] for s in entry["sizes"]]
    assert sizes == sorted(sizes) and len(sizes) == 3
    for s in entry["sizes"]:
        _assert_positive_finite(
            s,
            ["seconds_per_epoch", "seconds_per_epoch_per_1k_samples"],
            f"scaling n={s['n_samples']}",
        )
        assert s["seconds_per_epoch_per_1k_samples"] == pytest.approx(
            s["seconds_per_epoch"] * 1000 / s["n_samples"]
        )


def test_invalid_widths_are_rejected(bench, tmp_path):
    with pytest.raises(SystemExit):
        bench.main(["--quick", "--widths", "16,x", "--out", str(tmp_path / "x.json")])


def test_step_breakdown_quick_run(tmp_path):
    """benchmarks/bench_step.py --quick runs and every part it reports was timed."""
    module, report = _quick_run("bench_step", tmp_path)
    table = report["microseconds_per_batch"]
    parts = (*module.PARTS, "roofline products", "fit epoch", "sum of the parts")
    assert set(table) == set(parts)
    _assert_positive_finite(table, parts, "microseconds_per_batch")
    assert table["sum of the parts"] == pytest.approx(sum(table[p] for p in module.PARTS))
    assert report["n_batches"] == -(-600 // 128)


def test_onnx_latency_quick_run(tmp_path):
    """benchmarks/bench_onnx_latency.py --quick times every contender at 1 and 1000 rows."""
    module, report = _quick_run("bench_onnx_latency", tmp_path)
    assert report["settings"]["quick"] is True
    assert "onnxruntime" in report["machine"] and "skl2onnx" in report["machine"]
    assert [res["n_rows"] for res in report["results"]] == [1, 1000]
    for res in report["results"]:
        where = f"{res['n_rows']} rows"
        times = res["microseconds_per_call"]
        _assert_positive_finite(times, module.CONTENDERS, where)
        for name, ratio in res["over_onnxruntime"].items():
            assert ratio == pytest.approx(times[name] / times["onnxruntime"])
        assert all(n >= 1 for n in res["calls_per_repeat"].values())
        # The contenders computed the same probabilities (float32).
        assert 0 <= res["max_abs_diff_onnxruntime_vs_skbp"] <= 1e-5


def test_schedules_quick_run(tmp_path):
    """benchmarks/bench_schedules.py --quick trains every row it reports."""
    module, report = _quick_run("bench_schedules", tmp_path)
    settings = report["settings"]
    rows = report["results"]
    assert len(rows) == 2 * len(module.SOLVERS) * len(module.LEARNING_RATES) * len(module.SCHEDULES)
    for row in rows:
        assert len(row["test_accuracy"]) == len(row["epochs"]) == settings["seeds"]
        assert all(0 < a <= 1 for a in row["test_accuracy"])
        assert all(1 <= e <= settings["max_iter"] for e in row["epochs"])
        assert row["accuracy_mean_std"][0] == pytest.approx(np.mean(row["test_accuracy"]))
        assert row["ran_max_iter"] == row["epochs"].count(settings["max_iter"])
    table = module.rst_table(rows, settings["seeds"])
    # A header, then one line per task, solver and rate with a cell per schedule.
    assert table.count("   * - ") == len(rows) // len(module.SCHEDULES) + 1
    assert table.count(" / ") == len(rows)


@pytest.mark.skipif(
    not hasattr(skbp.BackpropMLPClassifier, "set_callbacks"),
    reason="needs the module sklearn.callback (scikit-learn >= 1.9)",
)
def test_callback_benchmark_quick_run(tmp_path):
    """benchmarks/bench_callbacks.py --quick times every variant of every case."""
    module, report = _quick_run("bench_callbacks", tmp_path)
    assert len(report["results"]) == 3
    for res in report["results"]:
        assert set(res["median_fit_seconds"]) == set(module.VARIANTS)
        assert all(seconds > 0 for seconds in res["median_fit_seconds"].values())
        assert res["over_none"]["none"] == 1.0
        for variant in module.VARIANTS:
            assert res["over_none"][variant] == pytest.approx(
                res["median_fit_seconds"][variant] / res["median_fit_seconds"]["none"]
            )


def test_harness_interleaves_repetitions_and_summarizes_them(harness):
    calls = []
    seconds = harness.repeat_interleaved(
        {"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, 3, warm_up=True
    )
    assert calls == ["a", "b"] * 4  # one untimed warm-up round, then A B A B A B
    assert all(len(s["wall"]) == len(s["cpu"]) == 3 for s in seconds.values())
    summary = harness.spread([3.0, 1.0, 2.0, 6.0])
    assert summary["median"] == 2.5 and summary["min"] == 1.0 and summary["max"] == 6.0
    assert summary["mean"] == pytest.approx(3.0)
    assert summary["std"] == pytest.approx(np.std([3.0, 1.0, 2.0, 6.0], ddof=1))
    assert harness.spread([4.0])["std"] == 0.0


def test_harness_limits_every_blas_pool_inside_the_block(harness):
    import scipy.linalg  # noqa: F401  (SciPy's own BLAS is loaded, as in a benchmark)
    from threadpoolctl import threadpool_info, threadpool_limits

    def blas_threads():
        return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]

    with threadpool_limits(limits=2, user_api="blas"):  # the suite runs with 1
        before = blas_threads()
        assert before and set(before) == {2}
        with harness.blas_threads(1):
            inside = harness.machine_info()
        assert [pool["num_threads"] for pool in inside["blas"]] == [1] * len(before)
        assert blas_threads() == before
        with harness.blas_threads(None):  # no limit asked: the pools are left alone
            assert blas_threads() == before


def test_harness_writes_json_and_the_rst_table_beside_it(harness, tmp_path):
    report = harness.new_report(["--x"], {"out": tmp_path / "r.json", "n": 3}, {"cpu": "?"})
    report["value"] = np.float32(0.5)
    report["missing"] = float("nan")
    table = harness.rst_list_table(["a", "b"], [["1", "2"]])
    returned = harness.write_report(tmp_path / "r.json", report, table=table)
    written = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert written["argv"] == ["--x"] and written["settings"]["n"] == 3
    assert written["settings"]["out"] == str(tmp_path / "r.json")
    assert written["value"] == 0.5 and written["missing"] is None
    assert "load_average_at_end" in written and returned is report
    assert (tmp_path / "r.rst").read_text(encoding="utf-8") == (
        ".. list-table::\n   :header-rows: 1\n\n   * - a\n     - b\n   * - 1\n     - 2\n"
    )


def test_tabular_engine_benchmark_quick_run(tmp_path):
    """benchmarks/bench_tabular_engine.py --quick times every variant against the dense network."""
    module, report = _quick_run("bench_tabular_engine", tmp_path)
    results = report["results"]
    assert set(results) == set(module.VARIANTS)
    assert results["dense only"]["median_ratio_to_dense"] == 1.0
    assert all(res["min_ms_per_step"] > 0 for res in results.values())
    # Each ingredient adds parameters to the same flat vector (the factors add none).
    dense = results["dense only"]["n_parameters"]
    assert results["lr and decay factors"]["n_parameters"] == dense
    for name in ("parametric activations", "feature scaling", "periodic embedding"):
        assert results[name]["n_parameters"] > dense


def test_tabular_memory_quick_run(tmp_path):
    module, report = _quick_run("bench_tabular_memory", tmp_path)
    results = report["results"]
    assert [r["n_rows"] for r in results] == [300, 600]
    for record in results:
        _assert_positive_finite(
            record, ["fit_seconds", "fit_peak_mib", "predict_one_row_ms", "predict_rows_per_second"],
            "results",
        )
    assert "bytes_per_added_row" not in results[0]
    assert math.isfinite(results[1]["bytes_per_added_row"])
