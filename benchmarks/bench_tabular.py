"""Tabular benchmark: skbp's TabularMLP next to BackpropMLP, HistGradientBoosting and RealMLP-TD.

Every model runs with its defaults, one configuration for all data sets (no
tuning per data set), on the real data sets of ``_tabular_data.py`` (they ship
inside package wheels: no network), ``--splits`` random train/test splits
(80/20, stratified for classification, seeds 0, 1, ...), at one thread count
for all models (``--threads``, default 1: threadpoolctl for BLAS and OpenMP,
``torch.set_num_threads`` and RealMLP's ``n_threads``).

Models (``--models``, a comma-separated subset; the default runs all four):

* ``tabular``: :class:`skbp.TabularMLPClassifier` / ``TabularMLPRegressor`` on the
  raw table;
* ``backprop``: :class:`skbp.BackpropMLPClassifier` / ``BackpropMLPRegressor`` in
  the standard pipeline — numeric columns median-imputed and standardized,
  categorical columns imputed with a constant and one-hot encoded; the
  regressor learns the standardized target (``TransformedTargetRegressor``,
  as the README advises);
* ``hgb``: scikit-learn's HistGradientBoosting on the raw table (categorical
  columns from their dtype);
* ``realmlp``: pytabkit's ``RealMLP_TD_Classifier`` / ``RealMLP_TD_Regressor``
  (the ``compare`` extra: pytabkit and torch; skbp itself never imports torch).
  pytabkit refuses missing numeric values, so they are median-imputed for it.

Reported per data set and aggregated: accuracy (and ROC AUC for binary tasks)
or RMSE and R², the average rank (by accuracy or RMSE), the mean gap to the
best model (accuracy points; RMSE per cent), the error relative to BackpropMLP
(1 − accuracy or RMSE), fit and predict time: wall-clock and the process's CPU
time (``time.process_time``), which a loaded machine disturbs less than the
wall clock when every model runs one thread. ``--ablation`` fits TabularMLP
with each of its ingredients switched off in turn (``ABLATIONS``) on a subset.

Each finished fit is appended to the JSON file at once (``--out``), and
``--resume`` skips the fits it already holds, so a long run can be split, or
continued after an interruption; ``--merge A.json B.json ...`` builds one report
from several result files (e.g. one run per model, side by side). ``--rst FILE``
writes the tables as reStructuredText for the docs.

Timings on a shared machine are noisy: compare the ratios of one run.
"""

import argparse
import json
import math
import os
import sys
import time
import warnings
from pathlib import Path

import _tabular_data
import numpy as np
from _harness import jsonable, load_average, machine_info

BENCH_DIR = Path(__file__).resolve().parent

DEFAULT_OUT = BENCH_DIR / "results" / "bench_tabular.json"

#: Ingredients of TabularMLP switched off one at a time by ``--ablation``:
#: variant name -> constructor parameters. A variant whose parameters an estimator
#: does not take is skipped for it (and said so in the report).
ABLATIONS = {
    "no numerical embedding": {"numerical_embedding": None},
    "no feature scaling": {"feature_scaling": False},
    "no parametric activation": {"parametric_activation": False},
    "relu": {"activation": "relu"},
    "no data-driven init": {"data_driven_init": False},
    "no lr factors": {"lr_factors": False},
    "standard parametrization": {"parametrization": "standard"},
    "no label smoothing": {"label_smoothing": 0.0},
    "constant learning rate": {"learning_rate": "constant"},
    "no dropout": {"dropout": 0.0},
    "no weight decay": {"weight_decay": 0.0},
    "beta_2 = 0.999": {"beta_2": 0.999},
    "no target standardization": {"standardize_target": False},
    "no prediction clipping": {"clip_predictions": False},
    "categorical embedding": {"high_cardinality": "embedding"},
    "robust scaling (no quantile map)": {"numeric_transform": "robust"},
}
ABLATION_DATA_SETS = ["credit", "churn", "hpc", "titanic", "wage", "concrete"]


# --------------------------------------------------------------------------- models


def _is_classification(task):
    return task != "regression"


def _tabular(task, seed, threads, max_iter, params=None):
    from skbp import TabularMLPClassifier, TabularMLPRegressor

    cls = TabularMLPClassifier if _is_classification(task) else TabularMLPRegressor
    kwargs = {"random_state": seed, **(params or {})}
    if max_iter is not None:
        kwargs["max_iter"] = max_iter
    return cls(**kwargs)


def _tabular_ensemble(task, seed, threads, max_iter, members):
    """``members`` TabularMLPs of seeds seed, seed + 1000, ..., their probabilities
    (classification) or predictions (regression) averaged: scikit-learn's
    soft-voting wrappers, not a feature of skbp. The first member is the
    defaults' model of the same split."""
    from sklearn.ensemble import VotingClassifier, VotingRegressor

    estimators = [
        (f"seed{i}", _tabular(task, seed + 1000 * i, threads, max_iter)) for i in range(members)
    ]
    if _is_classification(task):
        return VotingClassifier(estimators, voting="soft")
    return VotingRegressor(estimators)


def _column_split(X):
    categorical = [c for c in X.columns if str(X[c].dtype) == "category"]
    numeric = [c for c in X.columns if c not in categorical]
    return numeric, categorical


def _backprop(task, seed, threads, max_iter, X):
    from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from skbp import BackpropMLPClassifier, BackpropMLPRegressor

    numeric, categorical = _column_split(X)
    preprocess = ColumnTransformer(
        [
            ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
            (
                "categorical",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value="missing"),
                    OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                ),
                categorical,
            ),
        ]
    )
    kwargs = {"random_state": seed}
    if max_iter is not None:
        kwargs["max_iter"] = max_iter
    if _is_classification(task):
        return make_pipeline(preprocess, BackpropMLPClassifier(**kwargs))
    return TransformedTargetRegressor(
        make_pipeline(preprocess, BackpropMLPRegressor(**kwargs)), transformer=StandardScaler()
    )


def _hgb(task, seed, threads, max_iter, X):
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
    )

    cls = HistGradientBoostingClassifier if _is_classification(task) else HistGradientBoostingRegressor
    return cls(categorical_features="from_dtype", random_state=seed)


def _realmlp(task, seed, threads, max_iter, X):
    from pytabkit import RealMLP_TD_Classifier, RealMLP_TD_Regressor
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline

    cls = RealMLP_TD_Classifier if _is_classification(task) else RealMLP_TD_Regressor
    kwargs = {"random_state": seed, "n_threads": threads, "device": "cpu", "verbosity": 0}
    if max_iter is not None:
        kwargs["n_epochs"] = max_iter
    numeric, _ = _column_split(X)
    impute = ColumnTransformer(
        [("numeric", SimpleImputer(strategy="median", keep_empty_features=True), numeric)],
        remainder="passthrough",
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    return make_pipeline(impute, cls(**kwargs))


#: name -> (label, builder(task, seed, threads, max_iter, X)).
MODELS = {
    "tabular": ("TabularMLP", lambda task, seed, threads, max_iter, X: _tabular(task, seed, threads, max_iter)),
    "backprop": ("BackpropMLP", _backprop),
    "hgb": ("HistGradientBoosting", _hgb),
    "realmlp": ("RealMLP-TD", _realmlp),
}


# ------------------------------------------------------------------------ one fit


def _scores(task, model, X_test, y_test):
    """(metrics dict, predict seconds) of a fitted model on the test part."""
    from sklearn.metrics import (
        accuracy_score,
        mean_squared_error,
        r2_score,
        roc_auc_score,
    )

    start = time.perf_counter()
    prediction = model.predict(X_test)
    predict_seconds = time.perf_counter() - start
    if not _is_classification(task):
        return {
            "rmse": float(np.sqrt(mean_squared_error(y_test, prediction))),
            "r2": float(r2_score(y_test, prediction)),
        }, predict_seconds
    metrics = {"accuracy": float(accuracy_score(y_test, np.asarray(prediction).astype(str)))}
    if task == "binary":
        proba = model.predict_proba(X_test)
        classes = np.asarray(model.classes_).astype(str)
        metrics["roc_auc"] = float(roc_auc_score(y_test == classes[1], proba[:, 1]))
    return metrics, predict_seconds


def _best_epoch(model):
    final = model[-1] if hasattr(model, "steps") else model
    final = getattr(final, "regressor_", final)
    final = final[-1] if hasattr(final, "steps") else final
    value = getattr(final, "best_epoch_", None)
    return None if value is None else int(value)


def run_one(data_set, model_name, split, threads, max_iter, variant="defaults", params=None,
            members=1):
    """Fit one model on one split (TabularMLP: the vote of ``members`` seeds); return its record."""
    from sklearn.model_selection import train_test_split

    X, y, task = data_set.X, data_set.y, data_set.task
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, random_state=split,
        stratify=y if _is_classification(task) else None,
    )
    if model_name == "tabular" and members > 1:
        model = _tabular_ensemble(task, split, threads, max_iter, members)
    elif model_name == "tabular":
        model = _tabular(task, split, threads, max_iter, params)
    else:
        model = MODELS[model_name][1](task, split, threads, max_iter, X_train)
    record = {
        "data_set": data_set.name,
        "task": task,
        "model": model_name,
        "variant": variant,
        "split": split,
        "n_train": int(len(y_train)),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence warnings of the 200-epoch defaults
        start, start_cpu = time.perf_counter(), time.process_time()
        model.fit(X_train, y_train)
        record["fit_seconds"] = time.perf_counter() - start
        record["fit_cpu_seconds"] = time.process_time() - start_cpu
        start_cpu = time.process_time()
        metrics, record["predict_seconds"] = _scores(task, model, X_test, y_test)
        record["predict_cpu_seconds"] = time.process_time() - start_cpu
    record.update(metrics)
    record["best_epoch"] = _best_epoch(model)
    return record


# ------------------------------------------------------------------------ reports


def _key(record):
    return (record["data_set"], record["model"], record["variant"], record["split"])


def _primary(task):
    """(metric, higher_is_better) that ranks the models on a task."""
    return ("accuracy", True) if _is_classification(task) else ("rmse", False)


def summarize(records, variant="defaults"):
    """Per-data-set means and the aggregate table of the ``variant`` records."""
    records = [r for r in records if r["variant"] == variant]
    models = [m for m in MODELS if any(r["model"] == m for r in records)]
    data_sets = list(dict.fromkeys(r["data_set"] for r in records))
    per_data_set = {}
    for name in data_sets:
        rows = [r for r in records if r["data_set"] == name]
        task = rows[0]["task"]
        # Compare the models on the splits they all ran (a run may hold fewer splits).
        split_sets = [{r["split"] for r in rows if r["model"] == m} for m in models]
        common = set.intersection(*[s for s in split_sets if s]) if any(split_sets) else set()
        entry = {"task": task, "splits": sorted(common), "models": {}}
        for model in models:
            mine = [r for r in rows if r["model"] == model and r["split"] in common]
            if not mine:
                continue
            stats = {"n_splits": len(mine)}
            for metric in ("accuracy", "roc_auc", "rmse", "r2", "fit_seconds", "predict_seconds",
                           "fit_cpu_seconds", "predict_cpu_seconds"):
                values = [r[metric] for r in mine if r.get(metric) is not None]
                if values:
                    stats[metric] = float(np.mean(values))
                    stats[metric + "_std"] = float(np.std(values))
            entry["models"][model] = stats
        per_data_set[name] = entry

    # Only data sets on which every model ran enter the aggregate (on their common splits).
    complete = [name for name, entry in per_data_set.items() if set(entry["models"]) == set(models)]
    aggregate = {model: {"ranks": [], "gaps": [], "relative_errors": [], "fit": 0.0, "predict": 0.0,
                         "fit_cpu": 0.0, "predict_cpu": 0.0, "n_fits": 0} for model in models}
    for name in complete:
        entry = per_data_set[name]
        metric, higher = _primary(entry["task"])
        values = {m: entry["models"][m][metric] for m in models}
        ordered = sorted(values.values(), reverse=higher)
        best = ordered[0]
        for model, value in values.items():
            # average rank over ties
            positions = [i + 1 for i, v in enumerate(ordered) if v == value]
            aggregate[model]["ranks"].append(float(np.mean(positions)))
            if higher:
                aggregate[model]["gaps"].append(("classification", 100.0 * (best - value)))
            else:
                aggregate[model]["gaps"].append(("regression", 100.0 * (value / best - 1.0)))
            if "backprop" in values:
                error = (1.0 - value) if higher else value
                reference = (1.0 - values["backprop"]) if higher else values["backprop"]
                if reference > 0:
                    aggregate[model]["relative_errors"].append(error / reference - 1.0)
            stats = entry["models"][model]
            aggregate[model]["fit"] += stats["fit_seconds"] * stats["n_splits"]
            aggregate[model]["predict"] += stats["predict_seconds"] * stats["n_splits"]
            for key in ("fit_cpu", "predict_cpu"):  # absent from records of older runs
                aggregate[model][key] += stats.get(key + "_seconds", math.nan) * stats["n_splits"]
            aggregate[model]["n_fits"] += stats["n_splits"]
    summary = {}
    for model, agg in aggregate.items():
        class_gaps = [g for kind, g in agg["gaps"] if kind == "classification"]
        reg_gaps = [g for kind, g in agg["gaps"] if kind == "regression"]
        summary[model] = {
            "average_rank": float(np.mean(agg["ranks"])) if agg["ranks"] else None,
            "classification_gap_points": float(np.mean(class_gaps)) if class_gaps else None,
            "regression_gap_pct": float(np.mean(reg_gaps)) if reg_gaps else None,
            "error_vs_backprop_pct": (
                100.0 * float(np.mean(agg["relative_errors"])) if agg["relative_errors"] else None
            ),
            "fit_seconds_total": agg["fit"],
            "predict_seconds_total": agg["predict"],
            "fit_cpu_seconds_total": agg["fit_cpu"],
            "predict_cpu_seconds_total": agg["predict_cpu"],
            "n_fits": agg["n_fits"],
        }
    return {"models": models, "data_sets_in_aggregate": complete,
            "per_data_set": per_data_set, "aggregate": summary}


def _fmt(value, digits=3, suffix=""):
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{value:.{digits}f}{suffix}"


def text_report(summary):
    models = summary["models"]
    labels = [MODELS[m][0] for m in models]
    lines = ["", "Per data set (mean over splits): accuracy [AUC] or RMSE [R²]; fit seconds", ""]
    width = 24
    lines.append(f"{'data set':<16}" + "".join(f"{label:>{width}}" for label in labels))
    for name, entry in summary["per_data_set"].items():
        cells = []
        for model in models:
            stats = entry["models"].get(model)
            if stats is None:
                cells.append(f"{'–':>{width}}")
                continue
            if _is_classification(entry["task"]):
                text = _fmt(stats.get("accuracy"), 4)
                if "roc_auc" in stats:
                    text += f" [{_fmt(stats['roc_auc'], 3)}]"
            else:
                text = f"{stats['rmse']:.4g} [{_fmt(stats.get('r2'), 3)}]"
            text += f" {stats['fit_seconds']:.1f}s"
            cells.append(f"{text:>{width}}")
        lines.append(f"{name:<16}" + "".join(cells))
    lines += ["", f"Aggregate over {len(summary['data_sets_in_aggregate'])} data sets "
              "(rank 1 = best; gap: accuracy points / RMSE %; error vs BackpropMLP in %)", ""]
    lines.append(f"{'':<28}" + "".join(f"{label:>22}" for label in labels))
    rows = [
        ("average rank", "average_rank", 2, ""),
        ("classification gap (pts)", "classification_gap_points", 2, ""),
        ("regression gap (%)", "regression_gap_pct", 1, ""),
        ("error vs BackpropMLP (%)", "error_vs_backprop_pct", 1, ""),
        ("fit seconds (total)", "fit_seconds_total", 1, ""),
        ("fit CPU seconds (total)", "fit_cpu_seconds_total", 1, ""),
        ("predict seconds (total)", "predict_seconds_total", 2, ""),
        ("predict CPU seconds (total)", "predict_cpu_seconds_total", 2, ""),
    ]
    for title, key, digits, suffix in rows:
        lines.append(
            f"{title:<28}"
            + "".join(f"{_fmt(summary['aggregate'][m][key], digits, suffix):>22}" for m in models)
        )
    return "\n".join(lines)


def rst_report(summary, data_sets_info):
    """Two RST list-tables: per data set (primary metric) and the aggregate."""
    models = summary["models"]
    labels = [MODELS[m][0] for m in models]
    out = [
        ".. list-table:: Test accuracy (classification) or RMSE (regression), mean over splits",
        "   :header-rows: 1",
        "",
        "   * - data set",
        "     - n × d",
    ] + [f"     - {label}" for label in labels]
    for name, entry in summary["per_data_set"].items():
        info = data_sets_info.get(name, {})
        metric, higher = _primary(entry["task"])
        values = {m: entry["models"][m][metric] for m in models if m in entry["models"]}
        best = (max if higher else min)(values.values()) if values else None
        out.append(f"   * - {name} ({entry['task']})")
        out.append(f"     - {info.get('n_samples', '?')} × {info.get('n_features', '?')}")
        for model in models:
            value = values.get(model)
            text = "–" if value is None else (f"{value:.4f}" if higher else f"{value:.4g}")
            out.append(f"     - **{text}**" if value is not None and value == best else f"     - {text}")
    out += [
        "",
        ".. list-table:: Aggregate (rank 1 = best)",
        "   :header-rows: 1",
        "",
        "   * -",
    ] + [f"     - {label}" for label in labels]
    for title, key, digits in [
        ("average rank", "average_rank", 2),
        ("accuracy gap to the best (points)", "classification_gap_points", 2),
        ("RMSE gap to the best (%)", "regression_gap_pct", 1),
        ("error relative to BackpropMLP (%)", "error_vs_backprop_pct", 1),
        ("fit time, all fits (s)", "fit_seconds_total", 0),
        ("fit CPU time, all fits (s)", "fit_cpu_seconds_total", 0),
        ("predict time, all fits (s)", "predict_seconds_total", 1),
        ("predict CPU time, all fits (s)", "predict_cpu_seconds_total", 1),
    ]:
        out.append(f"   * - {title}")
        out += [f"     - {_fmt(summary['aggregate'][m][key], digits)}" for m in models]
    return "\n".join(out) + "\n"


def _mean_error(records):
    """Mean of 1 − accuracy (classification) or of the RMSE (regression)."""
    metric, higher = _primary(records[0]["task"])
    return float(np.mean([(1.0 - r[metric]) if higher else r[metric] for r in records]))


def ablation_report(records):
    """Mean error per ablation variant relative to TabularMLP's defaults, per data set."""
    rows = [r for r in records if r["model"] == "tabular"]
    variants = list(dict.fromkeys(r["variant"] for r in rows))
    data_sets = list(dict.fromkeys(r["data_set"] for r in rows))
    table = {}
    for variant in variants:
        changes, metrics = [], {}
        for name in data_sets:
            base = [r for r in rows if r["data_set"] == name and r["variant"] == "defaults"]
            mine = [r for r in rows if r["data_set"] == name and r["variant"] == variant]
            if not mine:
                continue
            metric, _ = _primary(mine[0]["task"])
            metrics[name] = float(np.mean([r[metric] for r in mine]))
            if not base:
                continue
            base_error, error = _mean_error(base), _mean_error(mine)
            if base_error > 0:
                changes.append(100.0 * (error / base_error - 1.0))
        table[variant] = {
            "metrics": metrics,  # the primary metric per data set, mean over splits
            "error_change_pct": float(np.mean(changes)) if changes else None,
            "n_data_sets": len(changes),
            "fit_seconds": float(np.mean([r["fit_seconds"] for r in rows if r["variant"] == variant])),
            "fit_cpu_seconds": float(
                np.mean([r.get("fit_cpu_seconds", math.nan) for r in rows if r["variant"] == variant])
            ),
        }
    return table


def ablation_rst(records, ablation):
    """An RST list-table: each variant's mean metric per data set and its mean error change."""
    rows = [r for r in records if r["model"] == "tabular"]
    tasks = {r["data_set"]: r["task"] for r in rows}
    n_splits = len({r["split"] for r in rows})
    out = [
        f".. list-table:: TabularMLP with one ingredient off: test accuracy or RMSE, mean over "
        f"{n_splits} splits, and the mean change of the error against the defaults",
        "   :header-rows: 1",
        "",
        "   * - variant",
    ] + [f"     - {name} ({_primary(task)[0]})" for name, task in tasks.items()]
    out.append("     - error change")
    for variant, summary in ablation.items():
        out.append(f"   * - {variant}")
        for name, task in tasks.items():
            value = summary["metrics"].get(name)
            out.append("     - –" if value is None
                       else f"     - {value:.4f}" if _primary(task)[1] else f"     - {value:.4g}")
        out.append(f"     - {_fmt(summary['error_change_pct'], 1, ' %')}")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- main


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=",".join(MODELS),
                        help=f"comma-separated subset of {', '.join(MODELS)} (default: all)")
    parser.add_argument("--data-sets", default=None,
                        help="comma-separated data set names (default: the benchmark's "
                        f"{len(_tabular_data.DEFAULT_DATA_SETS)}; known: {', '.join(_tabular_data.DATA_SETS)})")
    parser.add_argument("--splits", type=int, default=3, help="random 80/20 splits (seeds 0..)")
    parser.add_argument("--threads", type=int, default=1, help="threads of every model (default 1)")
    parser.add_argument("--max-iter", type=int, default=None,
                        help="override the MLPs' epoch budget (smoke runs); default: their defaults")
    parser.add_argument("--ablation", action="store_true",
                        help="fit TabularMLP with each ingredient off in turn (ABLATIONS)")
    parser.add_argument("--variants", default=None,
                        help="with --ablation: run only these ABLATIONS variants "
                        "(comma-separated; name 'defaults' to run the defaults too, or "
                        "--merge with a file that has them)")
    parser.add_argument("--ensemble", type=int, default=None, metavar="K",
                        help="also fit TabularMLP as the average of K models of different "
                        "seeds (variant 'ensemble of K'), to weigh quality against fit time")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file")
    parser.add_argument("--resume", action="store_true",
                        help="keep the records already in --out and skip those fits")
    parser.add_argument("--merge", nargs="+", type=Path, default=None,
                        help="only build the report from these result files")
    parser.add_argument("--rst", type=Path, default=None, help="also write the tables as RST")
    return parser


def _load_records(path):
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8")).get("records", [])
    return []


def _write(out, report):
    report["load_average_at_end"] = load_average()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(jsonable(report), indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, out)


def _finish(report, args):
    summary = summarize(report["records"])
    report["summary"] = summary
    if any(r["variant"] != "defaults" for r in report["records"]):
        report["ablation"] = ablation_report(report["records"])
    _write(args.out, report)
    print(text_report(summary))
    if "ablation" in report:
        print("\nAblation (TabularMLP): mean change of the error against its defaults")
        for variant, row in report["ablation"].items():
            print(f"  {variant:<28} {_fmt(row['error_change_pct'], 1):>7} %  "
                  f"({row['n_data_sets']} data sets, {row['fit_seconds']:.1f} s per fit)")
    if args.rst is not None:
        info = {d["name"]: d for d in report.get("data_sets", [])}
        args.rst.parent.mkdir(parents=True, exist_ok=True)
        tables = rst_report(summary, info)
        if "ablation" in report:
            tables += "\n" + ablation_rst(report["records"], report["ablation"])
        args.rst.write_text(tables, encoding="utf-8")
        print(f"RST tables written to {args.rst}")
    print(f"Results written to {args.out}")
    return report


def main(argv=None):
    """Run the benchmark; return the report dictionary (also written as JSON)."""
    args = build_parser().parse_args(argv)
    if args.merge:
        records, data_sets = {}, {}
        for path in args.merge:
            content = json.loads(path.read_text(encoding="utf-8"))
            for record in content.get("records", []):
                records[_key(record)] = record
            for info in content.get("data_sets", []):
                data_sets[info["name"]] = info
        report = {"merged_from": [str(p) for p in args.merge], "records": list(records.values()),
                  "data_sets": list(data_sets.values())}
        return _finish(report, args)

    models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        raise SystemExit(f"unknown model(s) {unknown}; known: {list(MODELS)}")
    missing = {m: reason for m in models if (reason := _unavailable(m))}
    if missing and args.models != build_parser().get_default("models"):
        raise SystemExit(f"cannot run {missing}")
    for model, reason in missing.items():  # the default list runs what is installed
        print(f"Skipping {MODELS[model][0]}: {reason}")
    models = [m for m in models if m not in missing]
    names = (args.data_sets.split(",") if args.data_sets
             else (ABLATION_DATA_SETS if args.ablation else _tabular_data.DEFAULT_DATA_SETS))

    from threadpoolctl import threadpool_limits

    import skbp

    if "realmlp" in models:
        import torch  # only for the reference model; skbp never imports it

        torch.set_num_threads(args.threads)
    report = {
        "argv": list(sys.argv[1:] if argv is None else argv),
        "threads": args.threads,
        "splits": args.splits,
        "max_iter": args.max_iter,
        "machine": machine_info(),
        "skbp_location": str(Path(skbp.__file__).parent),  # which checkout was measured
        "records": _load_records(args.out) if args.resume else [],
        "data_sets": [],
    }
    done = {_key(r) for r in report["records"]}
    jobs = []  # (model, variant, params, members)
    if args.ablation:
        chosen = ["defaults", *ABLATIONS] if args.variants is None else [
            v.strip() for v in args.variants.split(",") if v.strip()
        ]
        unknown = [v for v in chosen if v != "defaults" and v not in ABLATIONS]
        if unknown:
            raise SystemExit(f"unknown variant(s) {unknown}; known: {list(ABLATIONS)}")
        jobs += [("tabular", v, ABLATIONS.get(v), 1) for v in chosen]
    else:
        jobs += [(model, "defaults", None, 1) for model in models]
    if args.ensemble is not None:
        if args.ensemble < 2:
            raise SystemExit(f"--ensemble {args.ensemble}: give 2 or more members")
        jobs.append(("tabular", f"ensemble of {args.ensemble}", None, args.ensemble))
    skipped = set()
    with threadpool_limits(limits=args.threads):
        for name in names:
            data_set = _tabular_data.load(name)
            report["data_sets"].append(data_set.describe())
            for model, variant, params, members in jobs:
                if params is not None and not _accepts(data_set.task, params):
                    skipped.add((variant, data_set.task))
                    continue
                for split in range(args.splits):
                    if (name, model, variant, split) in done:
                        continue
                    record = run_one(data_set, model, split, args.threads, args.max_iter,
                                     variant, params, members)
                    report["records"].append(record)
                    _write(args.out, report)
                    metric, _ = _primary(data_set.task)
                    print(f"{name:<14} {MODELS[model][0]:<20} {variant:<26} split {split}: "
                          f"{metric} {record[metric]:.4f}  fit {record['fit_seconds']:.1f} s",
                          flush=True)
    report["ablation_skipped"] = sorted(f"{variant} ({task})" for variant, task in skipped)
    return _finish(report, args)


def _unavailable(model):
    """Why ``model`` cannot run here, or None."""
    if model == "tabular":
        import skbp

        if not hasattr(skbp, "TabularMLPClassifier"):
            return "this skbp has no TabularMLPClassifier"
    if model == "realmlp":
        try:
            import pytabkit  # noqa: F401
        except ImportError:
            return 'pytabkit is not installed (pip install "skbp[compare]")'
    return None


def _accepts(task, params):
    """Whether TabularMLP for ``task`` takes every parameter in ``params``."""
    estimator = _tabular(task, 0, 1, None)
    return set(params) <= set(estimator.get_params())


if __name__ == "__main__":
    main()
