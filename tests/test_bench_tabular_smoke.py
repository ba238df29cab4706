"""Smoke test of benchmarks/bench_tabular.py (no timing assertions).

Two of scikit-learn's bundled data sets, one split, a few epochs, only the models
that need nothing beyond skbp and scikit-learn (BackpropMLP, HistGradientBoosting).
"""

import json
import math

import pytest
from benchmark_scripts import load_benchmark

pytest.importorskip("pandas")

@pytest.fixture(scope="module")
def bench():
    return load_benchmark("bench_tabular")


ARGS = ["--models", "backprop,hgb", "--data-sets", "breast_cancer,diabetes",
        "--splits", "1", "--max-iter", "3"]


@pytest.fixture(scope="module")
def run(bench, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bench_tabular")
    out, rst = tmp / "results.json", tmp / "tables.rst"
    report = bench.main([*ARGS, "--out", str(out), "--rst", str(rst)])
    return report, out, rst


def test_every_fit_is_recorded_with_valid_scores(run):
    report, out, _ = run
    records = json.loads(out.read_text())["records"]
    assert len(records) == len(report["records"]) == 4
    assert {(r["data_set"], r["model"]) for r in records} == {
        (d, m) for d in ("breast_cancer", "diabetes") for m in ("backprop", "hgb")
    }
    for record in records:
        assert record["fit_seconds"] > 0 and record["predict_seconds"] > 0
        assert record["fit_cpu_seconds"] > 0 and record["predict_cpu_seconds"] >= 0
        if record["task"] == "binary":
            assert 0.5 < record["accuracy"] <= 1.0
            assert 0.5 < record["roc_auc"] <= 1.0
        else:
            assert record["task"] == "regression"
            assert math.isfinite(record["rmse"]) and record["rmse"] > 0
            assert record["r2"] < 1.0


def test_aggregate_ranks_and_gaps(run):
    summary = run[0]["summary"]
    assert summary["data_sets_in_aggregate"] == ["breast_cancer", "diabetes"]
    aggregate = summary["aggregate"]
    # Two models, two data sets: the ranks on each data set are 1 and 2 (or 1.5 twice).
    assert aggregate["backprop"]["average_rank"] + aggregate["hgb"]["average_rank"] == 3.0
    assert aggregate["backprop"]["error_vs_backprop_pct"] == 0.0
    for model in ("backprop", "hgb"):
        assert aggregate[model]["classification_gap_points"] >= 0.0
        assert aggregate[model]["regression_gap_pct"] >= 0.0
        assert aggregate[model]["n_fits"] == 2
    best = min(aggregate, key=lambda m: aggregate[m]["average_rank"])
    if aggregate[best]["average_rank"] == 1.0:  # best on both data sets
        assert aggregate[best]["classification_gap_points"] == 0.0
        assert aggregate[best]["regression_gap_pct"] == 0.0


def test_data_sets_are_described_and_tables_written(run):
    report, _, rst = run
    described = {d["name"]: d for d in report["data_sets"]}
    assert described["breast_cancer"]["n_samples"] == 569
    assert described["diabetes"]["task"] == "regression"
    text = rst.read_text()
    assert text.count(".. list-table::") == 2
    assert "HistGradientBoosting" in text and "BackpropMLP" in text


def test_resume_skips_finished_fits(bench, run, monkeypatch, tmp_path):
    _, out, _ = run
    copy = tmp_path / "results.json"
    copy.write_text(out.read_text())

    def must_not_fit(*args, **kwargs):
        raise AssertionError("a finished fit ran again")

    monkeypatch.setattr(bench, "run_one", must_not_fit)
    report = bench.main([*ARGS, "--out", str(copy), "--resume"])
    assert len(report["records"]) == 4


def test_merge_combines_result_files(bench, run, tmp_path):
    _, out, _ = run
    content = json.loads(out.read_text())
    halves = []
    for model in ("backprop", "hgb"):
        path = tmp_path / f"{model}.json"
        path.write_text(json.dumps({
            "records": [r for r in content["records"] if r["model"] == model],
            "data_sets": content["data_sets"],
        }))
        halves.append(str(path))
    merged = bench.main(["--merge", *halves, "--out", str(tmp_path / "merged.json")])
    assert merged["summary"]["aggregate"] == content["summary"]["aggregate"]


def test_unknown_model_is_refused(bench, tmp_path):
    with pytest.raises(SystemExit, match="unknown model"):
        bench.main(["--models", "xgboost", "--out", str(tmp_path / "x.json")])


def test_ablation_fits_each_ingredient_off(bench, tmp_path):
    rst = tmp_path / "ablation.rst"
    report = bench.main(["--ablation", "--data-sets", "breast_cancer,diabetes", "--splits", "1",
                         "--max-iter", "2", "--out", str(tmp_path / "ablation.json"),
                         "--rst", str(rst)])
    fitted = {(r["data_set"], r["variant"]) for r in report["records"]}
    for variant, params in bench.ABLATIONS.items():
        for data_set, task in (("breast_cancer", "binary"), ("diabetes", "regression")):
            assert ((data_set, variant) in fitted) == bench._accepts(task, params), variant
    assert set(report["ablation"]) == {"defaults", *bench.ABLATIONS} - {
        variant for variant in bench.ABLATIONS
        if not any((d, variant) in fitted for d in ("breast_cancer", "diabetes"))
    }
    assert report["ablation"]["defaults"]["error_change_pct"] == 0.0
    # The RST table has a row per variant, and a variant the regressor skips
    # ("no label smoothing") shows no value for it.
    table = rst.read_text()
    for variant in report["ablation"]:
        assert f"   * - {variant}\n" in table
    smoothing = table.split("   * - no label smoothing\n")[1].split("   * - ")[0]
    assert smoothing.splitlines()[1] == "     - –"


def test_ablation_runs_only_the_variants_asked_for(bench, tmp_path):
    variant = "categorical embedding"
    report = bench.main(["--ablation", "--variants", variant, "--data-sets", "diabetes",
                         "--splits", "1", "--max-iter", "2", "--out", str(tmp_path / "v.json")])
    assert {r["variant"] for r in report["records"]} == {variant}
    with pytest.raises(SystemExit, match="unknown variant"):
        bench.main(["--ablation", "--variants", "no such thing", "--data-sets", "diabetes",
                    "--out", str(tmp_path / "w.json")])


def test_ensemble_averages_models_of_different_seeds(bench, tmp_path):
    report = bench.main(["--models", "tabular", "--ensemble", "2", "--data-sets",
                         "breast_cancer,diabetes", "--splits", "1", "--max-iter", "2",
                         "--out", str(tmp_path / "e.json")])
    variants = {(r["data_set"], r["variant"]) for r in report["records"]}
    assert variants == {(d, v) for d in ("breast_cancer", "diabetes")
                        for v in ("defaults", "ensemble of 2")}
    assert set(report["ablation"]) == {"defaults", "ensemble of 2"}
    assert math.isfinite(report["ablation"]["ensemble of 2"]["error_change_pct"])
    # the members differ in their seed only
    model = bench._tabular_ensemble("regression", 0, 1, 2, 2)
    assert [m.random_state for _, m in model.estimators] == [0, 1000]
    with pytest.raises(SystemExit, match="2 or more"):
        bench.main(["--models", "tabular", "--ensemble", "1", "--data-sets", "diabetes",
                    "--out", str(tmp_path / "f.json")])
