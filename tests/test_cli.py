"""Tests for the command-line interface (python -m skbp / skbp)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import joblib
import numpy as np
import pytest

import skbp._tools.cli
from skbp._tools.cli import _build_parser, main

ROOT = Path(__file__).resolve().parents[1]


def _run_module(*args, cwd=None, timeout=120):
    """Run ``python -m skbp ARGS`` in a fresh interpreter."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, "-m", "skbp", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=env,
    )


def _write_mixed_csv(path, n=90, seed=0):
    """A CSV with numeric, string and partly missing columns; learnable labels."""
    rng = np.random.default_rng(seed)
    lines = ["size,weight,colour,shape,label"]
    for i in range(n):
        colour = rng.choice(["red", "green", "blue"])
        size = rng.normal()
        weight = rng.normal()
        shape = rng.choice(["round", "square"])
        label = "good" if size + (colour == "red") > 0.4 else "bad"
        weight_text = "" if i % 17 == 3 else f"{weight:.3f}"  # a few missing values
        colour_text = "" if i % 23 == 5 else colour
        lines.append(f"{size:.3f},{weight_text},{colour_text},{shape},{label}")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def mixed_csv(tmp_path):
    return _write_mixed_csv(tmp_path / "mixed.csv")


def _parse_demo_table(out):
    """Return {estimator label: (accuracy, seconds, epochs)} from the demo table."""
    rows = {}
    for line in out.splitlines():
        match = re.match(
            r"^(BackpropMLPClassifier \(skbp\)|MLPClassifier \(scikit-learn\))"
            r"\s+([0-9.]+)\s+([0-9.]+)\s+(\d+)\*?\s*$",
            line,
        )
        if match:
            rows[match[1]] = (float(match[2]), float(match[3]), int(match[4]))
    return rows


# ----------------------------------------------------------------- demonstration
def test_demo_in_process(capsys):
    status = main(["--max-iter", "4"])
    out, err = capsys.readouterr()
    assert status == 0
    assert "Traceback" not in err
    # verbose=1: one progress line per epoch from the skbp estimator
    assert len(re.findall(r"^Iteration \d+, loss = ", out, flags=re.M)) == 4
    rows = _parse_demo_table(out)
    assert set(rows) == {"BackpropMLPClassifier (skbp)", "MLPClassifier (scikit-learn)"}
    for accuracy, seconds, epochs in rows.values():
        assert 0.0 <= accuracy <= 1.0
        assert seconds >= 0.0
        assert epochs == 4
    # after 4 epochs both networks are much better than chance (10 classes)
    assert rows["BackpropMLPClassifier (skbp)"][0] > 0.3
    assert "stopped at --max-iter" in out


def test_demo_verbose_zero_and_outputs(tmp_path, capsys):
    plot, model = tmp_path / "curves.png", tmp_path / "model.joblib"
    status = main(
        ["--max-iter", "3", "--verbose", "0", "--plot", str(plot), "--save", str(model)]
    )
    out, _ = capsys.readouterr()
    assert status == 0
    assert "Iteration" not in out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    pipeline = joblib.load(model)
    assert pipeline[-1].n_iter_ == 3
    assert set(pipeline.predict(X[:20])) <= set(np.unique(y))


def test_demo_subprocess():
    result = _run_module("--max-iter", "2")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Iteration 2, loss" in result.stdout
    assert len(_parse_demo_table(result.stdout)) == 2


def test_help_documents_every_option():
    result = _run_module("--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: skbp")
    parser = _build_parser()
    options = [
        opt for action in parser._actions for opt in action.option_strings if opt
    ]
    for option in [
        "--csv",
        "--target",
        "--hidden",
        "--dropout",
        "--initializer",
        "--weight-decay",
        "--early-stopping",
        "--cv",
        "--max-iter",
        "--random-state",
        "--plot",
        "--save",
    ]:
        assert option in options
    for action in parser._actions:
        assert action.help, f"{action.option_strings} has no help text"
        for option in action.option_strings:
            assert option in result.stdout


def test_help_and_version_in_process(capsys):
    assert main(["--help"]) == 0
    assert "--early-stopping" in capsys.readouterr().out
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("skbp ")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("none", False),
        ("false", False),
        ("true", True),
        ("True", True),
        ("GL", "GL"),
        ("pq", "PQ"),
        ("Up", "UP"),
    ],
)
def test_early_stopping_values(text, expected):
    args = _build_parser().parse_args(["--early-stopping", text])
    assert args.early_stopping == expected


def test_options_reach_the_estimator():
    args = _build_parser().parse_args(
        [
            "--hidden",
            "128",
            "64",
            "--dropout",
            "0.2",
            "--initializer",
            "he_normal",
            "--weight-decay",
            "1e-4",
            "--early-stopping",
            "PQ",
            "--max-iter",
            "7",
            "--random-state",
            "3",
        ]
    )
    params = skbp._tools.cli._make_skbp(args, verbose=0).get_params()
    assert params["hidden_layer_sizes"] == (128, 64)
    assert params["dropout"] == 0.2
    assert params["initializer"] == "he_normal"
    assert params["weight_decay"] == 1e-4
    assert params["early_stopping"] == "PQ"
    assert params["max_iter"] == 7
    assert params["random_state"] == 3

    args = _build_parser().parse_args(["--hidden", "4", "--dropout", "0.1", "0.3"])
    assert skbp._tools.cli._make_skbp(args, verbose=0).dropout == (0.1, 0.3)


def test_console_script_declared():
    tomllib = pytest.importorskip("tomllib")
    with open(ROOT / "pyproject.toml", "rb") as f:
        pyproject = tomllib.load(f)
    assert pyproject["project"]["scripts"]["skbp"] == "skbp._tools.cli:main"


# ---------------------------------------------------------------------- CSV mode
def _check_csv_report(out):
    match = re.search(
        r"cross-validated accuracy \(3-fold\): ([0-9.]+) ± ([0-9.]+)", out
    )
    assert match, out
    mean, std = float(match[1]), float(match[2])
    assert 0.0 <= mean <= 1.0 and 0.0 <= std <= 0.5
    assert mean > 0.6  # far above the majority-class rate of the toy problem
    assert "precision" in out and "recall" in out
    assert re.search(r"^\s+good\s", out, flags=re.M)
    assert re.search(r"^\s+bad\s", out, flags=re.M)
    assert "3 numeric" not in out  # colour and shape are categorical
    assert "2 numeric feature column(s)" in out
    assert "2 categorical" in out


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_csv_in_process(mixed_csv, tmp_path, capsys):
    plot, model = tmp_path / "curves.png", tmp_path / "model.joblib"
    status = main(
        [
            "--csv",
            str(mixed_csv),
            "--target",
            "label",
            "--hidden",
            "16",
            "--learning-rate-init",
            "0.01",
            "--cv",
            "3",
            "--max-iter",
            "60",
            "--plot",
            str(plot),
            "--save",
            str(model),
        ]
    )
    out, err = capsys.readouterr()
    assert status == 0, err
    _check_csv_report(out)
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    pd = pytest.importorskip("pandas")
    pipeline = joblib.load(model)
    new = pd.DataFrame(
        {
            "size": [2.0, -2.0],
            "weight": [0.0, np.nan],
            "colour": ["purple", "red"],  # unseen category is ignored
            "shape": ["round", "square"],
        }
    )
    assert set(pipeline.predict(new)) <= {"good", "bad"}
    assert pipeline.predict(new)[0] == "good"


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_csv_without_pandas(mixed_csv, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(skbp._tools.cli, "_import_pandas", lambda: None)
    model = tmp_path / "model.joblib"
    args = ["--csv", str(mixed_csv), "--target", "label", "--hidden", "16"]
    args += ["--learning-rate-init", "0.01", "--cv", "3", "--max-iter", "60"]
    status = main([*args, "--save", str(model)])
    out, err = capsys.readouterr()
    assert status == 0, err
    _check_csv_report(out)
    pipeline = joblib.load(model)
    new = np.array([[2.0, 0.0, "purple", "round"], [-2.0, np.nan, "red", "square"]])
    new = new.astype(object)
    new[:, :2] = new[:, :2].astype(float)
    assert set(pipeline.predict(new)) <= {"good", "bad"}


def test_csv_subprocess_with_early_stopping(mixed_csv, tmp_path):
    result = _run_module(
        "--csv",
        mixed_csv,
        "--target",
        "label",
        "--hidden",
        "8",
        "4",
        "--dropout",
        "0.1",
        "--initializer",
        "he_normal",
        "--weight-decay",
        "1e-4",
        "--early-stopping",
        "GL",
        "--cv",
        "3",
        "--max-iter",
        "30",
        "--verbose",
        "1",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "cross-validated accuracy (3-fold)" in result.stdout
    assert "early_stopping='GL'" in result.stdout
    assert "Iteration 1, loss" in result.stdout  # --verbose 1 on the final fit


# -------------------------------------------------------------------- error cases
def _error_cases(tmp_path):
    mixed = _write_mixed_csv(tmp_path / "mixed.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    header_only = tmp_path / "header.csv"
    header_only.write_text("a,b,label\n")
    one_class = tmp_path / "one_class.csv"
    one_class.write_text("a,b,label\n" + "".join(f"{i},{i % 3},x\n" for i in range(12)))
    return {
        "missing file": (
            ["--csv", tmp_path / "nope.csv", "--target", "y"],
            "not found",
        ),
        "missing column": (["--csv", mixed, "--target", "nope"], "'nope' not found"),
        "one class": (["--csv", one_class, "--target", "label"], "single class"),
        "empty file": (["--csv", empty, "--target", "label"], "empty"),
        "no rows": (["--csv", header_only, "--target", "label"], "no data rows"),
        "no target": (["--csv", mixed], "--target"),
        "dropout range": (["--dropout", "1.5"], "--dropout"),
        "early stopping": (["--early-stopping", "sometimes"], "--early-stopping"),
        "initializer": (["--initializer", "zeros"], "--initializer"),
        "hidden size": (["--hidden", "0"], "--hidden"),
        "max iter": (["--max-iter", "many"], "--max-iter"),
        "weight decay": (["--weight-decay", "1"], "--weight-decay"),
        "cv": (["--csv", mixed, "--target", "label", "--cv", "1"], "--cv"),
        "unknown option": (["--frobnicate"], "unrecognized"),
        "plot format": (["--plot", tmp_path / "curves.xyz"], "--plot"),
        "save dir": (["--save", tmp_path / "no" / "model.joblib"], "--save"),
        "dropout lbfgs": (["--solver", "lbfgs", "--dropout", "0.2"], "lbfgs"),
        # raised by scikit-learn while splitting, after the report has started
        "test size": (
            ["--csv", mixed, "--target", "label", "--cv", "0", "--test-size", "0.01"],
            "test_size",
        ),
    }


ERROR_CASES = [
    "missing file",
    "missing column",
    "one class",
    "empty file",
    "no rows",
    "no target",
    "dropout range",
    "early stopping",
    "initializer",
    "hidden size",
    "max iter",
    "weight decay",
    "cv",
    "unknown option",
    "plot format",
    "save dir",
    "dropout lbfgs",
    "test size",
]


@pytest.mark.parametrize("case", ERROR_CASES)
def test_errors_in_process(case, tmp_path, capsys):
    argv, fragment = _error_cases(tmp_path)[case]
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert status == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("skbp: error: ")
    assert fragment in lines[0]
    assert "Traceback" not in err + out


@pytest.mark.parametrize("case", ["missing file", "one class", "dropout range"])
def test_errors_subprocess(case, tmp_path):
    argv, fragment = _error_cases(tmp_path)[case]
    result = _run_module(*argv, timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("skbp: error: ")
    assert fragment in lines[0]
