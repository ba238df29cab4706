"""Tests for the command-line interface (python -m skbp / skbp)."""

import io
import os
import re
import subprocess
import sys
from importlib.metadata import entry_points, metadata

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits

import skbp._tools.cli as cli
from skbp import BackpropMLPClassifier
from skbp._engine.activations import ACTIVATIONS
from skbp._engine.initializers import INITIALIZERS
from skbp._tools.cli import _build_parser, _parse, main

# The base install has numpy, scipy and scikit-learn only: the demonstration must
# run without the optional packages.
WITHOUT_OPTIONAL_PACKAGES = """
import sys

class NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("pandas", "matplotlib"):
            raise ModuleNotFoundError(f"No module named {name!r}")

sys.meta_path.insert(0, NotInstalled())
from skbp._tools.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def _run_module(*args, code=None, cwd=None, timeout=120):
    """Run ``python -m skbp ARGS`` (or ``python -c CODE ARGS``) in a fresh interpreter."""
    command = ["-m", "skbp"] if code is None else ["-c", code]
    return subprocess.run(
        [sys.executable, *command, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )


def _mixed_frame(n=90, seed=0):
    """Numeric, text and partly missing columns; the label depends on size and colour."""
    rng = np.random.default_rng(seed)
    size = rng.normal(size=n).round(3)
    colour = rng.choice(["red", "green", "blue"], size=n)
    frame = pd.DataFrame(
        {
            "size": size,
            "weight": np.where(np.arange(n) % 17 == 3, np.nan, rng.normal(size=n).round(3)),
            "colour": np.where(np.arange(n) % 23 == 5, None, colour),
            "shape": rng.choice(["round", "square"], size=n),
            "label": np.where(size + (colour == "red") > 0.4, "good", "bad"),
        }
    )
    return frame


@pytest.fixture
def mixed_csv(tmp_path):
    path = tmp_path / "mixed.csv"
    _mixed_frame().to_csv(path, index=False)
    return path


def _one_error_line(capsys, status):
    """The single ``skbp: error:`` line of a failed run; nothing else was printed."""
    out, err = capsys.readouterr()
    assert status == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("skbp: error: ")
    assert "Traceback" not in err + out
    return lines[0], out


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


def _cv_score(out):
    match = re.search(r"cross-validated accuracy \((\d+)-fold\): ([0-9.]+) ± ([0-9.]+)", out)
    assert match, out
    return float(match[2])


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
    for accuracy, _, epochs in rows.values():
        assert 0.0 <= accuracy <= 1.0
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
    X, y = load_digits(return_X_y=True)
    pipeline = joblib.load(model)
    assert pipeline[-1].n_iter_ == 3
    assert set(pipeline.predict(X[:20])) <= set(np.unique(y))


def test_demo_runs_without_pandas_and_matplotlib():
    result = _run_module("--max-iter", "2", code=WITHOUT_OPTIONAL_PACKAGES)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Iteration 2, loss" in result.stdout
    assert len(_parse_demo_table(result.stdout)) == 2


def test_demo_notes_skbp_only_parameters(capsys):
    assert main(["--max-iter", "2", "--verbose", "0", "--dropout", "0.1"]) == 0
    out = capsys.readouterr().out
    assert "not applied to MLPClassifier (skbp only): dropout=0.1" in out


# ------------------------------------------------------------------------ options
def test_help_documents_every_option(capsys):
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: skbp")
    parser = _build_parser()
    options = {opt for action in parser._actions for opt in action.option_strings}
    for option in ["--csv", "--predict", "--model", "--output", "--proba", "--sep", "--id",
                   "--target", "--hidden", "--dropout", "--initializer", "--weight-decay",
                   "--early-stopping", "--cv", "--n-jobs", "--max-iter", "--plot", "--save"]:
        assert option in options
    for action in parser._actions:
        assert action.help, f"{action.option_strings} has no help text"
        for option in action.option_strings:
            assert option in text
    # the choices are the engine's and the estimator's tables
    for name in [*ACTIVATIONS, *INITIALIZERS, "lbfgs", "sgd", "adam", "GL", "PQ", "UP"]:
        assert name in text


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("skbp 0.")


@pytest.mark.parametrize(
    "text, expected",
    [("none", False), ("false", False), ("true", True), ("True", True), ("GL", "GL"),
     ("pq", "PQ"), ("Up", "UP")],
)
def test_early_stopping_values(text, expected):
    _, params = _parse(["--early-stopping", text])
    assert params["early_stopping"] == expected


def test_options_reach_the_estimator():
    _, params = _parse(
        ["--hidden", "128", "64", "--dropout", "0.2", "--initializer", "he_normal",
         "--weight-decay", "1e-4", "--early-stopping", "PQ", "--max-iter", "7",
         "--random-state", "3", "--batch-size", "32", "--activation", "tanh"]
    )
    estimator = BackpropMLPClassifier(**params)
    assert estimator.get_params() == {
        **BackpropMLPClassifier().get_params(),
        "hidden_layer_sizes": (128, 64), "dropout": 0.2, "initializer": "he_normal",
        "weight_decay": 1e-4, "early_stopping": "PQ", "max_iter": 7, "random_state": 3,
        "batch_size": 32, "activation": "tanh", "verbose": 1,
    }
    _, params = _parse(["--hidden", "4", "--dropout", "0.1", "0.3"])
    assert params["dropout"] == (0.1, 0.3)


def test_negative_n_jobs_count_from_the_cpus():
    args, _ = _parse(["--csv", "data.csv", "--target", "y", "--n-jobs", "-2"])
    assert args.n_jobs == -2


def test_console_script_declared():
    (script,) = entry_points(group="console_scripts", name="skbp")
    assert script.value == "skbp._tools.cli:main"


# ---------------------------------------------------------------------- CSV mode
TRAIN = ["--hidden", "16", "--learning-rate-init", "0.01", "--max-iter", "60"]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_csv_in_process(mixed_csv, tmp_path, capsys):
    plot, model = tmp_path / "curves.png", tmp_path / "model.joblib"
    status = main(["--csv", str(mixed_csv), "--target", "label", *TRAIN, "--cv", "3",
                   "--plot", str(plot), "--save", str(model)])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert 0.6 < _cv_score(out) <= 1.0  # far above the majority-class rate
    assert "precision" in out and "recall" in out
    assert re.search(r"^\s+good\s", out, flags=re.M)
    assert re.search(r"^\s+bad\s", out, flags=re.M)
    assert "2 numeric feature column(s)" in out and "2 categorical" in out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    pipeline = joblib.load(model)
    new = pd.DataFrame(
        {
            "size": [2.0, -2.0],
            "weight": [0.0, np.nan],
            "colour": ["purple", "red"],  # unseen category is ignored
            "shape": ["round", "square"],
        }
    )
    assert list(pipeline.predict(new)) == ["good", "bad"]


def test_csv_with_early_stopping_and_verbose(mixed_csv, capsys):
    status = main(
        ["--csv", str(mixed_csv), "--target", "label", "--hidden", "8", "4", "--dropout", "0.1",
         "--initializer", "he_normal", "--weight-decay", "1e-4", "--early-stopping", "GL",
         "--cv", "3", "--max-iter", "30", "--verbose", "1"]
    )
    out, err = capsys.readouterr()
    assert status == 0, err
    assert "cross-validated accuracy (3-fold)" in out
    assert "early_stopping='GL'" in out
    # --verbose 1 applies to the final fit only, not to the 3 cross-validation fits
    assert len(re.findall(r"^Training BackpropMLPClassifier on ", out, flags=re.M)) == 1
    assert "Iteration 1, loss" in out


def test_csv_needs_pandas(mixed_csv, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas raises ImportError
    line, out = _one_error_line(capsys, main(["--csv", str(mixed_csv), "--target", "label"]))
    assert line == 'skbp: error: --csv needs pandas to read CSV files: pip install "skbp[cli]"'
    assert out == ""
    # the extra that the message names installs pandas
    assert 'pandas>=1.5; extra == "cli"' in metadata("skbp").get_all("Requires-Dist")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_na_cells_are_missing_numbers(tmp_path, capsys):
    """'NA' cells in a numeric column are missing numbers, as pandas reads them."""
    frame = _mixed_frame()
    frame.to_csv(tmp_path / "empty_cells.csv", index=False)
    frame.to_csv(tmp_path / "na_cells.csv", index=False, na_rep="NA")
    assert "NA" in (tmp_path / "na_cells.csv").read_text()
    outputs = []
    for name in ["empty_cells.csv", "na_cells.csv"]:
        assert main(["--csv", str(tmp_path / name), "--target", "label", *TRAIN,
                     "--cv", "3", "--max-iter", "20"]) == 0
        out = capsys.readouterr().out
        # all but the file name and the fit time
        outputs.append([line for line in out.splitlines()[1:] if not line.startswith("trained in")])
    assert "2 numeric feature column(s)" in outputs[1][0]
    assert outputs[0] == outputs[1]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_byte_order_mark(tmp_path, capsys):
    """The first column of a UTF-8 file with a byte-order mark keeps its name."""
    path = tmp_path / "bom.csv"
    frame = _mixed_frame()[["label", "size", "colour"]]
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    assert path.read_bytes()[:3] == b"\xef\xbb\xbf"
    model = tmp_path / "model.joblib"
    assert main(["--csv", str(path), "--target", "label", *TRAIN, "--cv", "0",
                 "--save", str(model)]) == 0
    capsys.readouterr()
    path.write_text("\ufeffsize,colour\n1.5,red\n", encoding="utf-8")
    assert main(["--predict", str(path), "--model", str(model)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "prediction"


@pytest.mark.parametrize("flag, sep", [(";", ";"), (r"\t", "\t")])
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_separator(tmp_path, capsys, flag, sep):
    train, new = tmp_path / "train.csv", tmp_path / "new.csv"
    frame = _mixed_frame()
    frame.to_csv(train, sep=sep, index=False)
    model = tmp_path / "model.joblib"
    assert main(["--csv", str(train), "--sep", flag, "--target", "label", *TRAIN,
                 "--cv", "0", "--save", str(model)]) == 0
    assert "2 numeric feature column(s)" in capsys.readouterr().out
    frame.assign(id=range(90)).to_csv(new, sep=sep, index=False)
    assert main(["--predict", str(new), "--sep", flag, "--model", str(model), "--id", "id"]) == 0
    written = pd.read_csv(io.StringIO(capsys.readouterr().out), sep=sep)
    assert list(written.columns) == ["id", "prediction"]
    assert list(written["id"]) == list(range(90))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_id_columns_are_not_features(mixed_csv, tmp_path, capsys):
    model = tmp_path / "model.joblib"
    assert main(["--csv", str(mixed_csv), "--target", "label", "--id", "shape", *TRAIN,
                 "--cv", "0", "--save", str(model)]) == 0
    assert "2 numeric feature column(s) (standardised), 1 categorical" in capsys.readouterr().out
    assert list(joblib.load(model).feature_names_in_) == ["size", "weight", "colour"]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_boolean_columns(tmp_path, capsys):
    """Boolean features are numbers; a boolean target keeps its labels."""
    frame = _mixed_frame()
    frame = frame.assign(red=frame["colour"] == "red", label=frame["label"] == "good")
    train, model = tmp_path / "train.csv", tmp_path / "model.joblib"
    frame[["size", "red", "label"]].to_csv(train, index=False)
    assert main(["--csv", str(train), "--target", "label", *TRAIN, "--cv", "0",
                 "--save", str(model)]) == 0
    assert "2 numeric feature column(s)" in capsys.readouterr().out
    assert main(["--predict", str(train), "--model", str(model), "--proba"]) == 0
    written = capsys.readouterr().out.splitlines()
    assert written[0] == "prediction,False,True"
    assert {line.split(",")[0] for line in written[1:]} == {"False", "True"}


# ------------------------------------------------------------- what the fit kept
def _train_and_load(mixed_csv, tmp_path, capsys, *options):
    model = tmp_path / "model.joblib"
    status = main(["--csv", str(mixed_csv), "--target", "label", "--cv", "0",
                   "--save", str(model), *options])
    out, err = capsys.readouterr()
    assert status == 0, err
    (line,) = [line for line in out.splitlines() if line.startswith("trained in")]
    return line, joblib.load(model)[-1]


def test_without_validation_the_last_weights_are_kept(mixed_csv, tmp_path, capsys):
    line, mlp = _train_and_load(mixed_csv, tmp_path, capsys, "--max-iter", "500",
                                "--learning-rate-init", "0.05")
    assert mlp.n_iter_ < 500 and mlp.validation_scores_ is None  # stopped on the training loss
    assert f": {mlp.n_iter_} epoch(s), weights of the last epoch kept" in line
    assert "weights of epoch" not in line


def test_early_stopping_reports_the_restored_epoch(mixed_csv, tmp_path, capsys):
    line, mlp = _train_and_load(mixed_csv, tmp_path, capsys, "--max-iter", "300",
                                "--learning-rate-init", "0.05", "--early-stopping", "true")
    assert mlp.validation_scores_ is not None and 1 <= mlp.best_epoch_ <= mlp.n_iter_
    assert (
        f": {mlp.n_iter_} epoch(s), weights of epoch {mlp.best_epoch_} restored "
        "(the best on the validation split)"
    ) in line


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_lbfgs_counts_iterations(mixed_csv, tmp_path, capsys):
    line, mlp = _train_and_load(mixed_csv, tmp_path, capsys, "--solver", "lbfgs",
                                "--max-iter", "5")
    assert f": {mlp.n_iter_} L-BFGS iteration(s), weights of the last L-BFGS iteration kept" in line


# -------------------------------------------------------------------- prediction
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_train_save_predict_round_trip(mixed_csv, tmp_path, capsys):
    model = tmp_path / "model.joblib"
    assert main(["--csv", str(mixed_csv), "--target", "label", *TRAIN, "--cv", "0",
                 "--save", str(model)]) == 0
    assert f"skbp --predict FILE --model {model}" in capsys.readouterr().out

    # new rows: an ID column, no label, the columns in another order
    new = _mixed_frame(n=12, seed=1).drop(columns="label")
    new.insert(0, "name", [f"row{i}" for i in range(12)])
    new = new[["name", "shape", "colour", "weight", "size"]]
    new_csv, output = tmp_path / "new.csv", tmp_path / "predictions.csv"
    new.to_csv(new_csv, index=False)
    assert main(["--predict", str(new_csv), "--model", str(model), "--id", "name",
                 "--proba", "--output", str(output)]) == 0
    assert capsys.readouterr().out == f"12 prediction(s) written to {output}\n"

    pipeline = joblib.load(model)
    written = pd.read_csv(output)
    assert list(written.columns) == ["name", "prediction", "bad", "good"]
    assert list(written["name"]) == list(new["name"])
    features = pd.read_csv(new_csv).drop(columns="name")
    assert list(written["prediction"]) == list(pipeline.predict(features))
    np.testing.assert_allclose(written[["bad", "good"]], pipeline.predict_proba(features))

    # without --output the CSV goes to standard output, and nothing else does
    assert main(["--predict", str(new_csv), "--model", str(model)]) == 0
    to_stdout = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert list(to_stdout.columns) == ["prediction"]
    assert list(to_stdout["prediction"]) == list(written["prediction"])


def _model_files(tmp_path, mixed_csv):
    """A skbp model trained on the mixed CSV, and files that are no such model."""
    frame = pd.read_csv(mixed_csv)
    X = frame[["size"]]
    from sklearn.linear_model import LogisticRegression

    files = {
        "model": BackpropMLPClassifier(hidden_layer_sizes=(3,), max_iter=2).fit(X, frame["label"]),
        "array model": BackpropMLPClassifier(hidden_layer_sizes=(3,), max_iter=2).fit(
            X.to_numpy(), frame["label"]
        ),
        "other estimator": LogisticRegression().fit(X, frame["label"]),
        "unfitted": BackpropMLPClassifier(),
    }
    paths = {}
    for name, estimator in files.items():
        paths[name] = tmp_path / f"{name.replace(' ', '_')}.joblib"
        joblib.dump(estimator, paths[name])
    paths["text"] = tmp_path / "notes.joblib"
    paths["text"].write_text("not a pickle\n")
    return paths


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "case, fragment",
    [
        ("missing model", "model file not found: "),
        ("text", "is not a skbp model: joblib cannot load it"),
        ("other estimator", "holds a LogisticRegression, not a skbp model"),
        ("unfitted", "is not fitted yet"),
        ("array model", "was trained without column names"),
        ("missing column", "has no column 'size' (a feature of the model"),
        ("missing id", "has no column 'name' (--id)"),
        ("class clash", "--proba: class 'good' has the name of an --id column"),
    ],
)
def test_predict_errors(case, fragment, mixed_csv, tmp_path, capsys):
    paths = _model_files(tmp_path, mixed_csv)
    data = tmp_path / "new.csv"
    pd.DataFrame({"size": [0.5], "good": ["yes"]}).to_csv(data, index=False)
    argv = ["--predict", str(data), "--model", str(paths.get(case, paths["model"]))]
    if case == "missing model":
        argv[3] = str(tmp_path / "nope.joblib")
    elif case == "missing column":
        pd.DataFrame({"length": [0.5]}).to_csv(data, index=False)
    elif case == "missing id":
        argv += ["--id", "name"]
    elif case == "class clash":
        argv += ["--id", "good", "--proba"]
    line, out = _one_error_line(capsys, main(argv))
    assert fragment in line
    assert out == ""


# -------------------------------------------------------------------- error cases
def _error_cases(tmp_path):
    mixed = tmp_path / "mixed.csv"
    _mixed_frame().to_csv(mixed, index=False)
    files = {
        "empty.csv": "",
        "header.csv": "a,b,label\n",
        "one_class.csv": "a,b,label\n" + "".join(f"{i},{i % 3},x\n" for i in range(12)),
        "rare.csv": "a,label\n" + "".join(f"{i},{'x' if i < 3 else 'y'}\n" for i in range(30)),
        # repeated float values: a regression target, not class labels
        "float.csv": "a,price\n" + "".join(f"{i},{1.5 + (i % 7) / 4}\n" for i in range(40)),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    csv = {name: ["--csv", tmp_path / name] for name in [*files, "mixed.csv"]}
    return {
        "missing file": (["--csv", tmp_path / "nope.csv", "--target", "y"],
                         "No such file or directory"),
        "missing column": ([*csv["mixed.csv"], "--target", "nope"], "no column 'nope'"),
        "one class": ([*csv["one_class.csv"], "--target", "label"], "single class"),
        "empty file": ([*csv["empty.csv"], "--target", "label"], "empty"),
        "no rows": ([*csv["header.csv"], "--target", "label"], "no data rows"),
        "no target": (csv["mixed.csv"], "--target"),
        "continuous target": ([*csv["float.csv"], "--target", "price"],
                              "target column 'price' holds continuous values"),
        "rare class": ([*csv["rare.csv"], "--target", "label"],
                       "class 'x' of target 'label' has 3 row(s); stratified 5-fold "
                       "cross-validation needs 5: use --cv 3 or fewer"),
        "dropout range": (["--dropout", "1.5"], "The 'dropout' parameter of BackpropMLPClassifier"),
        "dropout count": (["--hidden", "4", "--dropout", "0.1", "0.2", "0.3"],
                          "len(hidden_layer_sizes) + 1 = 2 entries"),
        "early stopping": (["--early-stopping", "sometimes"], "'early_stopping' parameter"),
        "initializer": (["--initializer", "zeros"], "--initializer"),
        "hidden size": (["--hidden", "0"], "hidden_layer_sizes must contain positive integers"),
        "max iter": (["--max-iter", "many"], "--max-iter"),
        "weight decay": (["--weight-decay", "1"], "'weight_decay' parameter"),
        "random state": (["--random-state", "-1"],
                         "'random_state' parameter of BackpropMLPClassifier"),
        "batch size": (["--batch-size", "big"], "'batch_size' parameter"),
        "cv": ([*csv["mixed.csv"], "--target", "label", "--cv", "1"], "--cv 1: "),
        "n jobs": ([*csv["mixed.csv"], "--target", "label", "--n-jobs", "0"], "--n-jobs 0: "),
        "memory": (["--hidden", "1000000", "1000000"], "GiB of memory of this machine"),
        "unknown option": (["--frobnicate"], "unrecognized"),
        "plot format": (["--plot", tmp_path / "curves.xyz"], "--plot"),
        "save dir": (["--save", tmp_path / "no" / "model.joblib"], "--save"),
        "dropout lbfgs": (["--solver", "lbfgs", "--dropout", "0.2"], "lbfgs"),
        "test size": ([*csv["mixed.csv"], "--target", "label", "--cv", "0",
                       "--test-size", "0.01"], "test_size"),
        "sep": ([*csv["mixed.csv"], "--target", "label", "--sep", ";;"], "--sep takes one"),
        "cv in demo": (["--cv", "3"], "--cv does not apply to the demonstration"),
        "model option in predict": (["--predict", mixed, "--model", "m.joblib", "--hidden", "4"],
                                    "--hidden does not apply to --predict"),
        "no model": (["--predict", mixed], "--predict needs --model"),
        "csv and predict": ([*csv["mixed.csv"], "--predict", mixed], "not allowed with"),
    }


ERROR_CASES = [
    "missing file", "missing column", "one class", "empty file", "no rows", "no target",
    "continuous target", "rare class", "dropout range", "dropout count", "early stopping",
    "initializer", "hidden size", "max iter", "weight decay", "random state", "batch size",
    "cv", "n jobs", "memory", "unknown option", "plot format", "save dir", "dropout lbfgs",
    "test size", "sep", "cv in demo", "model option in predict", "no model", "csv and predict",
]


@pytest.mark.parametrize("case", ERROR_CASES)
def test_errors_in_process(case, tmp_path, capsys):
    argv, fragment = _error_cases(tmp_path)[case]
    line, out = _one_error_line(capsys, main([str(a) for a in argv]))
    assert fragment in line
    assert out == ""  # refused before any work


def test_error_cases_all_tested(tmp_path):
    assert set(ERROR_CASES) == set(_error_cases(tmp_path))


def test_memory_estimate(capsys, monkeypatch):
    monkeypatch.setattr(cli, "_physical_memory", lambda: 2**30)
    line, out = _one_error_line(capsys, main(["--hidden", "10000", "10000"]))
    n_params = (64 + 1) * 10_000 + (10_000 + 1) * 10_000 + (10_000 + 1) * 10
    assert f"the network 64 -> 10000 -> 10000 -> 10 has {n_params:,} weights and biases" in line
    assert "more than the 1.0 GiB of memory of this machine: use smaller --hidden layers" in line


def test_out_of_memory_during_fit(capsys, monkeypatch):
    """Where the machine's memory is unknown, a MemoryError is still one line."""

    def fit(self, X, y):
        raise MemoryError("Unable to allocate 74.6 GiB for an array")

    monkeypatch.setattr(cli, "_physical_memory", lambda: None)
    monkeypatch.setattr(BackpropMLPClassifier, "fit", fit)
    line, _ = _one_error_line(capsys, main(["--max-iter", "1"]))
    assert line == "skbp: error: out of memory: Unable to allocate 74.6 GiB for an array"


def test_errors_subprocess(tmp_path):
    argv, fragment = _error_cases(tmp_path)["one class"]
    result = _run_module(*argv, timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("skbp: error: ")
    assert fragment in lines[0]
