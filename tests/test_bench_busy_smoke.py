"""Smoke test of benchmarks/bench_busy.py (no timing assertions).

The benchmark runs in-process with ``--quick`` (tiny fits, one repetition, one
busy process for a moment): it must finish, stop its busy processes and write
the JSON it returns, with a positive, finite time for every fit.
"""

import json
import math

import pytest
from benchmark_scripts import load_benchmark


@pytest.fixture(scope="module")
def bench():
    return load_benchmark("bench_busy")


def _run(bench, tmp_path, *extra):
    out = tmp_path / "bench_busy.json"
    returned = bench.main(["--quick", "--out", str(out), *extra])
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report == json.loads(json.dumps(returned))
    return report


def test_quick_run_times_every_fit_quiet_and_busy(bench, tmp_path, monkeypatch, capsys):
    started = []
    real_popen = bench.subprocess.Popen

    def popen(*args, **kwargs):
        process = real_popen(*args, **kwargs)
        if bench._BUSY_LOOP in args[0]:  # not the machine description's subprocesses
            started.append(process)
        return process

    monkeypatch.setattr(bench.subprocess, "Popen", popen)
    report = _run(bench, tmp_path, "--rst")
    assert ".. list-table::" in capsys.readouterr().out
    assert len(started) == report["settings"]["busy"] == 1
    assert all(process.poll() is not None for process in started)  # stopped
    for phase in ("quiet", "busy"):
        assert set(report[phase]) == {"digits", "784"}
        for fits in report[phase].values():
            assert {"skbp/default", "skbp/one thread", "skbp/all threads"} <= set(fits)
            for seconds in fits.values():
                assert len(seconds) == 1 and math.isfinite(seconds[0]) and seconds[0] > 0
    ratios = report["summary"]["digits"]["ratios"]
    assert "skbp default busy / sklearn default busy" in ratios
    assert all(math.isfinite(value) and value > 0 for value in ratios.values())


def test_busy_processes_are_stopped_when_the_block_raises(bench):
    with pytest.raises(RuntimeError):
        with bench.busy_processes(2, 60) as processes:
            raise RuntimeError
    assert all(process.poll() is not None for process in processes)


def test_quick_crossover_times_one_and_two_threads(bench, tmp_path):
    report = _run(bench, tmp_path, "--crossover")
    rows = report["crossover"]
    assert {row["dtype"] for row in rows} == {"float32", "float64"}
    for row in rows:
        assert row["macs"] == math.prod(row["shape"])
        assert row["one_thread_us"] > 0 and row["two_threads_us"] > 0
