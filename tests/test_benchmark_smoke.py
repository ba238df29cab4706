"""Smoke test of benchmarks/bench_training.py (no timing assertions).

The benchmark is run in-process with ``--quick`` (tiny data, one repetition);
the test checks that it completes and that the JSON it writes has the
expected structure with positive, finite measurements.
"""

import importlib.util
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

import skbp

BENCH_DIR = Path(__file__).resolve().parents[1] / "benchmarks"
SCRIPT = BENCH_DIR / "bench_training.py"

@pytest.fixture(scope="module")
def bench():
    """The benchmark script imported as a module (it is not a package)."""
    sys.path.insert(0, str(BENCH_DIR))
    try:
        spec = importlib.util.spec_from_file_location("bench_training", SCRIPT)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(BENCH_DIR))



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


def _quick_run(name, tmp_path):
    """(module, report) of ``benchmarks/<name>.py --quick``; its JSON is what main returns."""
    sys.path.insert(0, str(BENCH_DIR))
    try:
        spec = importlib.util.spec_from_file_location(name, BENCH_DIR / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(BENCH_DIR))
    out = tmp_path / f"{name}.json"
    returned = module.main(["--quick", "--out", str(out)])
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
    assert report["schema_version"] == 1
    assert report["mode"] == "standard"
    for key in ("settings", "machine", "results", "scaling", "created", "argv"):
        assert key in report
    # The returned dictionary and the file agree.
    assert len(returned["results"]) == len(report["results"])

    machine = report["machine"]
    for key in ("platform", "cpu_count", "numpy", "sklearn", "env", "threadpool_info"):
        assert key in machine
    assert machine["cpu_count"] >= 1
    assert isinstance(machine["threadpool_info"], list)
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


def test_quick_scaling_mode(bench, tmp_path):
    out = tmp_path / "scaling.json"
    bench.main(["--quick", "--scaling", "--threads", "1", "--out", str(out)])
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["mode"] == "scaling"
    assert report["settings"]["threads"] == 1
    blas = [
        pool
        for pool in report["machine"]["threadpool_info"]
        if pool.get("user_api") == "blas"
    ]
    assert blas and all(pool["num_threads"] == 1 for pool in blas)
    assert report["results"] == []
    (entry,) = report["scaling"]
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
