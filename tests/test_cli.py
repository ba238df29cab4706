"""Tests for the command-line interface (python -m skbp / skbp)."""

import argparse
import errno
import io
import os
import re
import shlex
import subprocess
import sys
import warnings
from importlib.metadata import entry_points, metadata

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import (
    mean_absolute_error,
    mean_gamma_deviance,
    mean_poisson_deviance,
    r2_score,
)
from sklearn.model_selection import train_test_split

from skbp import BackpropMLPClassifier, BackpropMLPRegressor
from skbp._engine.activations import ACTIVATIONS
from skbp._engine.initializers import INITIALIZERS
from skbp._engine.losses import LOSSES, REGRESSION_LOSSES
from skbp._tools.cli import _fitting, build_parser, demo, main, subcommand_form
from skbp._tools.cli._options import estimator_params
from skbp._tools.cli._tasks import (
    CLASSIFICATION,
    MAX_INTEGER_CLASSES,
    REGRESSION,
    target_and_task,
)

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


def _regression_frame(n=120, seed=0):
    """A price in large units, a count and a positive delay, from size and colour."""
    rng = np.random.default_rng(seed)
    size = rng.normal(size=n).round(3)
    colour = rng.choice(["red", "green", "blue"], size=n)
    red = colour == "red"
    rate = np.exp(0.8 * size + 0.5 * red)
    return pd.DataFrame(
        {
            "size": size,
            "colour": colour,
            "price": (20000 + 3000 * size + 2000 * red + rng.normal(scale=500, size=n)).round(2),
            "count": rng.poisson(rate),
            "delay": rng.gamma(2.0, rate / 2).round(4),
        }
    )


# the targets of the regression frame; training on one, the others are --id columns
TARGETS = ["price", "count", "delay"]


@pytest.fixture
def regression_csv(tmp_path):
    path = tmp_path / "regression.csv"
    _regression_frame().to_csv(path, index=False)
    return path


def _train_regression(path, target, *options):
    """Train on ``target`` without cross-validation unless ``options`` ask for it."""
    others = [column for column in TARGETS if column != target]
    return main(["train", str(path), "--target", target, "--id", *others, "--model", "mlp",
                 "--hidden", "16", "--learning-rate-init", "0.01", "--max-iter", "60", "--cv", "0",
                 *options])


def _report_values(out):
    """{name: value} of the lines after 'report on the held-out rows:'."""
    report = out.split("report on the held-out rows:\n", 1)[1]
    rows = [re.match(r"^  (\S.*?)\s{2,}(\S+)$", line) for line in report.splitlines()]
    return {row[1]: float(row[2]) for row in rows if row}


# ----------------------------------------------------------------- demonstration
def test_demo_in_process(capsys):
    status = main(["demo", "--max-iter", "4"])
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
        ["demo", "--max-iter", "3", "--verbose", "0", "--plot", str(plot), "--save", str(model)]
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
    result = _run_module("demo", "--max-iter", "2", code=WITHOUT_OPTIONAL_PACKAGES)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Iteration 2, loss" in result.stdout
    assert len(_parse_demo_table(result.stdout)) == 2


def test_demo_notes_skbp_only_parameters(capsys):
    assert main(["demo", "--max-iter", "2", "--verbose", "0", "--dropout", "0.1"]) == 0
    out = capsys.readouterr().out
    assert "not applied to MLPClassifier (skbp only): dropout=0.1" in out


# ------------------------------------------------------------------------ options
# The options of each subcommand, and those it must not show.
MODEL_OPTIONS = ["--hidden", "--activation", "--solver", "--learning-rate-init", "--batch-size",
                 "--alpha", "--dropout", "--initializer", "--weight-decay", "--early-stopping",
                 "--max-iter", "--random-state", "--test-size", "--verbose", "--plot", "--save"]
OPTIONS = {
    "train": ["--sep", "--id", "--target", "--categorical", "--task", "--cv", "--n-jobs", "--model",
              "--loss", "--quantile", *MODEL_OPTIONS],
    "predict": ["--sep", "--id", "--model", "--output", "--proba"],
    "demo": MODEL_OPTIONS,
}


def _subparsers():
    (action,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return action.choices


@pytest.mark.parametrize("name", OPTIONS)
def test_help_of_a_subcommand_shows_its_options_and_an_example(name, capsys):
    assert main([name, "--help"]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"usage: skbp {name}")
    assert re.search(rf"^examples:\n  skbp {name}\b", text, flags=re.M)
    parser = _subparsers()[name]
    options = {opt for action in parser._actions for opt in action.option_strings}
    assert options - {"-h", "--help"} == set(OPTIONS[name])
    for action in parser._actions:
        assert action.help, f"{action.option_strings} has no help text"
        for option in action.option_strings:
            assert option in text
    others = {option for options in OPTIONS.values() for option in options}
    usage = text.split("\n\n")[0]
    for option in others - set(OPTIONS[name]):
        assert option not in usage
        assert not re.search(rf"^\s+{option}\b", text, flags=re.M)


def test_help_lists_the_subcommands(capsys):
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: skbp")
    for name in OPTIONS:
        assert re.search(rf"^    {name}\s+\S", text, flags=re.M), name


def test_train_help_names_the_tables_choices(capsys):
    assert main(["train", "--help"]) == 0
    text = capsys.readouterr().out
    # the choices are the engine's and the estimator's tables
    for name in [*ACTIVATIONS, *INITIALIZERS, *REGRESSION_LOSSES, "lbfgs", "sgd", "adam",
                 "GL", "PQ", "UP", "auto", "classification", "regression"]:
        assert name in text


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("skbp 0.")


def _params(*argv):
    return estimator_params(build_parser().parse_args(["demo", *argv]))


@pytest.mark.parametrize(
    "text, expected",
    [("none", False), ("false", False), ("true", True), ("True", True), ("GL", "GL"),
     ("pq", "PQ"), ("Up", "UP")],
)
def test_early_stopping_values(text, expected):
    assert _params("--early-stopping", text)["early_stopping"] == expected


def test_options_reach_the_estimator():
    params = _params(
        "--hidden", "128", "64", "--dropout", "0.2", "--initializer", "he_normal",
        "--weight-decay", "1e-4", "--early-stopping", "PQ", "--max-iter", "7",
        "--random-state", "3", "--batch-size", "32", "--activation", "tanh"
    )
    estimator = BackpropMLPClassifier(**params)
    assert estimator.get_params() == {
        **BackpropMLPClassifier().get_params(),
        "hidden_layer_sizes": (128, 64), "dropout": 0.2, "initializer": "he_normal",
        "weight_decay": 1e-4, "early_stopping": "PQ", "max_iter": 7, "random_state": 3,
        "batch_size": 32, "activation": "tanh", "verbose": 1,
    }
    assert _params("--hidden", "4", "--dropout", "0.1", "0.3")["dropout"] == (0.1, 0.3)


def test_negative_n_jobs_count_from_the_cpus():
    args = build_parser().parse_args(["train", "data.csv", "--target", "y", "--n-jobs", "-2"])
    assert args.n_jobs == -2


def test_no_arguments_run_the_demo_with_its_defaults(monkeypatch, capsys):
    """The README's quick start, ``python -m skbp``, runs the demo; no note."""
    runs = []
    monkeypatch.setattr(demo, "run", lambda args, out: runs.append(args))
    assert main([]) == 0
    assert main(["demo"]) == 0
    (without, with_demo) = runs
    assert without.subcommand == "demo"
    assert vars(without) == vars(with_demo)
    assert capsys.readouterr().err == ""


def test_console_script_declared():
    (script,) = entry_points(group="console_scripts", name="skbp")
    assert script.value == "skbp._tools.cli:main"


# ---------------------------------------------------------------------- CSV mode
TRAIN = ["--model", "mlp", "--hidden", "16", "--learning-rate-init", "0.01", "--max-iter", "60"]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_csv_in_process(mixed_csv, tmp_path, capsys):
    plot, model = tmp_path / "curves.png", tmp_path / "model.joblib"
    status = main(["train", str(mixed_csv), "--target", "label", *TRAIN, "--cv", "3",
                   "--plot", str(plot), "--save", str(model)])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert 0.6 < _cv_score(out) <= 1.0  # far above the majority-class rate
    assert "precision" in out and "recall" in out
    assert re.search(r"^\s+good\s", out, flags=re.M)
    assert re.search(r"^\s+bad\s", out, flags=re.M)
    assert "\n  numeric (standardised): size, weight\n" in out
    assert "\n  categorical (one-hot encoded): colour (4 levels), shape (2 levels)\n" in out
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
        ["train", str(mixed_csv), "--target", "label", "--model", "mlp", "--hidden", "8", "4",
         "--dropout", "0.1",
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
    line, out = _one_error_line(capsys, main(["train", str(mixed_csv), "--target", "label"]))
    assert line == 'skbp: error: reading CSV files needs pandas: pip install "skbp[cli]"'
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
        assert main(["train", str(tmp_path / name), "--target", "label", *TRAIN,
                     "--cv", "3", "--max-iter", "20"]) == 0
        out = capsys.readouterr().out
        # all but the file name and the fit time
        outputs.append([line for line in out.splitlines()[1:] if not line.startswith("trained in")])
    assert "  numeric (standardised): size, weight" in outputs[1]
    assert outputs[0] == outputs[1]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_byte_order_mark(tmp_path, capsys):
    """The first column of a UTF-8 file with a byte-order mark keeps its name."""
    path = tmp_path / "bom.csv"
    frame = _mixed_frame()[["label", "size", "colour"]]
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    assert path.read_bytes()[:3] == b"\xef\xbb\xbf"
    model = tmp_path / "model.joblib"
    assert main(["train", str(path), "--target", "label", *TRAIN, "--cv", "0",
                 "--save", str(model)]) == 0
    capsys.readouterr()
    path.write_text("\ufeffsize,colour\n1.5,red\n", encoding="utf-8")
    assert main(["predict", str(path), "--model", str(model)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "prediction"


@pytest.mark.parametrize("flag, sep", [(";", ";"), (r"\t", "\t")])
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_separator(tmp_path, capsys, flag, sep):
    train, new = tmp_path / "train.csv", tmp_path / "new.csv"
    frame = _mixed_frame()
    frame.to_csv(train, sep=sep, index=False)
    model = tmp_path / "model.joblib"
    assert main(["train", str(train), "--sep", flag, "--target", "label", *TRAIN,
                 "--cv", "0", "--save", str(model)]) == 0
    assert "numeric (standardised): size, weight\n" in capsys.readouterr().out
    frame.assign(id=range(90)).to_csv(new, sep=sep, index=False)
    assert main(["predict", str(new), "--sep", flag, "--model", str(model), "--id", "id"]) == 0
    written = pd.read_csv(io.StringIO(capsys.readouterr().out), sep=sep)
    assert list(written.columns) == ["id", "prediction"]
    assert list(written["id"]) == list(range(90))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_id_columns_are_not_features(mixed_csv, tmp_path, capsys):
    model = tmp_path / "model.joblib"
    assert main(["train", str(mixed_csv), "--target", "label", "--id", "shape", *TRAIN,
                 "--cv", "0", "--save", str(model)]) == 0
    out = capsys.readouterr().out
    assert "numeric (standardised): size, weight\n" in out
    assert "categorical (one-hot encoded): colour (4 levels)\n" in out
    assert "identifiers (not features): shape\n" in out
    assert list(joblib.load(model).feature_names_in_) == ["size", "weight", "colour"]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_boolean_columns(tmp_path, capsys):
    """Boolean features are numbers; a boolean target keeps its labels."""
    frame = _mixed_frame()
    frame = frame.assign(red=frame["colour"] == "red", label=frame["label"] == "good")
    train, model = tmp_path / "train.csv", tmp_path / "model.joblib"
    frame[["size", "red", "label"]].to_csv(train, index=False)
    assert main(["train", str(train), "--target", "label", *TRAIN, "--cv", "0",
                 "--save", str(model)]) == 0
    assert "numeric (standardised): size, red\n" in capsys.readouterr().out
    assert main(["predict", str(train), "--model", str(model), "--proba"]) == 0
    written = capsys.readouterr().out.splitlines()
    assert written[0] == "prediction,False,True"
    assert {line.split(",")[0] for line in written[1:]} == {"False", "True"}


# ------------------------------------------------------------- what the fit kept
def _train_and_load(mixed_csv, tmp_path, capsys, *options):
    model = tmp_path / "model.joblib"
    status = main(["train", str(mixed_csv), "--target", "label", "--model", "mlp", "--cv", "0",
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
    assert main(["train", str(mixed_csv), "--target", "label", *TRAIN, "--cv", "0",
                 "--save", str(model)]) == 0
    out = capsys.readouterr().out
    assert f"Fitted pipeline saved to {model}" in out and f"skbp predict FILE --model {model}" in out

    # new rows: an ID column, no label, the columns in another order
    new = _mixed_frame(n=12, seed=1).drop(columns="label")
    new.insert(0, "name", [f"row{i}" for i in range(12)])
    new = new[["name", "shape", "colour", "weight", "size"]]
    new_csv, output = tmp_path / "new.csv", tmp_path / "predictions.csv"
    new.to_csv(new_csv, index=False)
    assert main(["predict", str(new_csv), "--model", str(model), "--id", "name",
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
    assert main(["predict", str(new_csv), "--model", str(model)]) == 0
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
    argv = ["predict", str(data), "--model", str(paths.get(case, paths["model"]))]
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


# -------------------------------------------------------------------- regression
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_continuous_target_trains_a_regressor(regression_csv, tmp_path, capsys):
    plot, model = tmp_path / "curves.png", tmp_path / "model.joblib"
    assert _train_regression(regression_csv, "price", "--cv", "3", "--plot", str(plot),
                             "--save", str(model)) == 0
    out = capsys.readouterr().out
    assert "target 'price': numbers from 13226 to 27054 (regression)" in out
    assert "model: BackpropMLPRegressor(" in out
    r2 = re.search(r"^cross-validated R² \(3-fold\): ([0-9.]+) ± ([0-9.]+)$", out, flags=re.M)
    mae = re.search(r"^cross-validated MAE \(3-fold\): ([0-9.]+) ± ([0-9.]+)$", out, flags=re.M)
    assert r2 and mae, out
    # the noise has a standard deviation of 500 in a price spread by 3000
    assert float(r2[1]) > 0.9
    assert 300 < float(mae[1]) < 1000
    assert "precision" not in out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # the held-out report is the saved model's on the held-out split
    pipeline = joblib.load(model)
    frame = pd.read_csv(regression_csv)
    X_train, X_test, y_train, y_test = train_test_split(
        frame[["size", "colour"]], frame["price"], test_size=0.25, random_state=0
    )
    prediction = pipeline.predict(X_test)
    report = _report_values(out)
    assert set(report) == {"R²", "MAE"}
    assert report["R²"] == pytest.approx(r2_score(y_test, prediction), abs=5e-5)
    assert report["MAE"] == pytest.approx(mean_absolute_error(y_test, prediction), rel=1e-4)
    # the network learnt the standardised price
    step = pipeline[-1]
    assert isinstance(step, TransformedTargetRegressor)
    assert isinstance(step.regressor_, BackpropMLPRegressor)
    assert step.transformer_.mean_[0] == pytest.approx(y_train.mean())


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_cross_validation_shuffles_the_rows(tmp_path, capsys):
    """Rows sorted by the target: unshuffled folds would each test an unseen range."""
    path = tmp_path / "sorted.csv"
    _regression_frame().sort_values("price").to_csv(path, index=False)
    scores = []
    for seed in ["0", "0", "1"]:
        assert _train_regression(path, "price", "--random-state", seed, "--cv", "3") == 0
        out = capsys.readouterr().out
        scores.append(re.search(r"cross-validated R² \(3-fold\): ([0-9.]+ ± [0-9.]+)", out)[1])
        assert float(scores[-1].split()[0]) > 0.9
    assert scores[0] == scores[1] != scores[2]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("loss", REGRESSION_LOSSES)
def test_loss_choice(loss, regression_csv, tmp_path, capsys):
    model = tmp_path / "model.joblib"
    target = {"poisson": "count", "gamma": "delay"}.get(loss, "price")
    options = ["--quantile", "0.8"] if loss == "quantile" else []
    assert _train_regression(regression_csv, target, "--task", "regression", "--loss", loss,
                             *options, "--save", str(model)) == 0
    out = capsys.readouterr().out
    pipeline = joblib.load(model)
    mlp = pipeline[-1].regressor_
    assert mlp.loss == loss and mlp.out_activation_ == LOSSES[loss].output_activation.name
    assert (f"loss={loss!r}" in out) == (loss != "squared_error")  # the default is not shown
    # the log-link losses keep the target's sign: it is scaled, not centred
    log_link = loss in ("poisson", "gamma")
    assert pipeline[-1].transformer_.with_mean == (not log_link)
    scaling = "divided by its standard deviation" if log_link else "standardised"
    assert re.search(rf"^model: BackpropMLPRegressor\(.*\), on the target {scaling}$", out, re.M)

    frame = pd.read_csv(regression_csv)
    X_train, X_test, y_train, y_test = train_test_split(
        frame[["size", "colour"]], frame[target], test_size=0.25, random_state=0
    )
    prediction = pipeline.predict(X_test)
    report = _report_values(out)
    own = {
        "poisson": ("mean Poisson deviance", mean_poisson_deviance),
        "gamma": ("mean gamma deviance", mean_gamma_deviance),
        "quantile": ("fraction of rows with y <= prediction (quantile 0.8)",
                     lambda y, p: np.mean(y <= p)),
    }
    assert set(report) == {"R²", "MAE"} | ({own[loss][0]} if loss in own else set())
    if loss in own:
        name, measure = own[loss]
        assert report[name] == pytest.approx(measure(y_test, prediction), rel=1e-4)
    if loss in ("poisson", "gamma"):
        assert np.all(prediction > 0)
    assert mlp.quantile == (0.8 if loss == "quantile" else 0.5)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_whole_numbers_are_classes_unless_the_task_says_otherwise(tmp_path, capsys):
    frame = _regression_frame().assign(count=lambda f: f["count"].clip(upper=3))
    path = tmp_path / "counts.csv"
    frame.to_csv(path, index=False)
    assert _train_regression(path, "count") == 0
    out = capsys.readouterr().out
    assert "target 'count': 4 classes (whole numbers taken for class labels; --task regression fits them as numbers)" in out and "BackpropMLPClassifier(" in out
    assert "precision" in out
    assert _train_regression(path, "count", "--task", "regression") == 0
    out = capsys.readouterr().out
    assert "target 'count': numbers from 0 to 3 (regression)" in out
    assert "BackpropMLPRegressor(" in out and set(_report_values(out)) == {"R²", "MAE"}
    # and real numbers that repeat are class labels if the task says so
    frame.assign(price=np.where(frame["size"] > 0, 2.5, 1.5)).to_csv(path, index=False)
    assert _train_regression(path, "price", "--task", "classification") == 0
    out = capsys.readouterr().out
    assert "target 'price': 2 classes (classification)" in out and re.search(r"^\s+2\.5\s", out, flags=re.M)


def test_early_stopping_regressor_restores_the_best_r2_epoch(regression_csv, tmp_path, capsys):
    model = tmp_path / "model.joblib"
    assert _train_regression(regression_csv, "price", "--early-stopping", "true",
                             "--max-iter", "300", "--save", str(model)) == 0
    mlp = joblib.load(model)[-1].regressor_
    assert mlp.validation_scores_ is not None and 0.5 < mlp.best_validation_score_ <= 1
    assert f"weights of epoch {mlp.best_epoch_} restored" in capsys.readouterr().out


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_regressor_predict_round_trip(regression_csv, tmp_path, capsys):
    model, output = tmp_path / "model.joblib", tmp_path / "predictions.csv"
    assert _train_regression(regression_csv, "price", "--save", str(model)) == 0
    capsys.readouterr()
    new_csv = tmp_path / "new.csv"
    new = _regression_frame(n=15, seed=1)[["colour", "size"]].assign(name=[f"r{i}" for i in range(15)])
    new.to_csv(new_csv, index=False)
    assert main(["predict", str(new_csv), "--model", str(model), "--id", "name",
                 "--output", str(output)]) == 0
    assert capsys.readouterr().out == f"15 prediction(s) written to {output}\n"
    written = pd.read_csv(output)
    assert list(written.columns) == ["name", "prediction"]
    expected = joblib.load(model).predict(new[["size", "colour"]])
    np.testing.assert_allclose(written["prediction"], expected, rtol=1e-12)
    # prices, in the units of the target column, not standardised
    assert 12000 < written["prediction"].min() and written["prediction"].max() < 30000

    line, out = _one_error_line(
        capsys, main(["predict", str(new_csv), "--model", str(model), "--proba"])
    )
    assert line == (
        f"skbp: error: --proba: the model in {model} is a BackpropMLPRegressor; it "
        "predicts numbers, not class probabilities"
    )
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
        "signed.csv": "a,change\n" + "".join(f"{i},{(i % 7) / 4 - 0.6}\n" for i in range(40)),
        "counts.csv": "a,count\n" + "".join(f"{i},{i % 4}\n" for i in range(40)),
        "rare_count.csv": "a,count\n" + "".join(f"{i},{min(i, 3)}\n" for i in range(40)),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    csv = {name: ["train", tmp_path / name] for name in [*files, "mixed.csv"]}
    return {
        "missing file": (["train", tmp_path / "nope.csv", "--target", "y"],
                         "No such file or directory"),
        "missing column": ([*csv["mixed.csv"], "--target", "nope"], "no column 'nope'"),
        "one class": ([*csv["one_class.csv"], "--target", "label"], "single class"),
        "empty file": ([*csv["empty.csv"], "--target", "label"], "empty"),
        "no rows": ([*csv["header.csv"], "--target", "label"], "no data rows"),
        "no target": (csv["mixed.csv"], "--target"),
        "poisson negative": ([*csv["signed.csv"], "--target", "change", "--model", "mlp",
                              "--loss", "poisson"],
                             "loss='poisson' requires non-negative y"),
        "gamma zero": ([*csv["counts.csv"], "--target", "count", "--task", "regression",
                        "--model", "mlp", "--loss", "gamma"], "loss='gamma' requires strictly positive y"),
        "quantile range": ([*csv["signed.csv"], "--target", "change", "--model", "mlp",
                            "--loss", "quantile", "--quantile", "1"],
                           "The 'quantile' parameter of BackpropMLPRegressor"),
        "quantile without loss": ([*csv["signed.csv"], "--target", "change", "--quantile",
                                   "0.9"], "--quantile 0.9 is the quantile that --loss "
                                  "quantile estimates: add --loss quantile"),
        "loss for whole numbers": ([*csv["counts.csv"], "--target", "count", "--loss",
                                    "poisson"], "--loss applies to regression, but target "
                                   "'count' holds whole numbers, which are taken for class "
                                   "labels: add --task regression"),
        "loss for labels": ([*csv["mixed.csv"], "--target", "label", "--loss", "quantile",
                             "--quantile", "0.2"], "--loss and --quantile apply to "
                            "regression, but target 'label' holds class labels (text)"),
        "regression of text": ([*csv["mixed.csv"], "--target", "label", "--task",
                                "regression"], "target column 'label' holds text (such as "
                               "'bad'); a regression needs numbers"),
        "rare count": ([*csv["rare_count.csv"], "--target", "count"],
                       "class 0 of target 'count' has 1 row(s); the stratified held-out "
                       "split needs at least 2 per class; to fit its values as numbers, use "
                       "--task regression"),
        "unknown loss": ([*csv["signed.csv"], "--target", "change", "--loss", "huber"],
                         "argument --loss: invalid choice: 'huber'"),
        "unknown task": ([*csv["signed.csv"], "--target", "change", "--task", "ranking"],
                         "argument --task: invalid choice: 'ranking'"),
        "loss in demo": (["demo", "--loss", "poisson"], "unrecognized arguments: --loss poisson"),
        "rare class": ([*csv["rare.csv"], "--target", "label"],
                       "class 'x' of target 'label' has 3 row(s); stratified 5-fold "
                       "cross-validation needs 5: use --cv 3 or fewer"),
        "dropout range": (["demo", "--dropout", "1.5"], "The 'dropout' parameter of BackpropMLPClassifier"),
        "dropout count": (["demo", "--hidden", "4", "--dropout", "0.1", "0.2", "0.3"],
                          "len(hidden_layer_sizes) + 1 = 2 entries"),
        "early stopping": (["demo", "--early-stopping", "sometimes"], "'early_stopping' parameter"),
        "initializer": (["demo", "--initializer", "zeros"], "--initializer"),
        "hidden size": (["demo", "--hidden", "0"], "hidden_layer_sizes must contain positive integers"),
        "max iter": (["demo", "--max-iter", "many"], "--max-iter"),
        "weight decay": (["demo", "--weight-decay", "1"], "'weight_decay' parameter"),
        "random state": (["demo", "--random-state", "-1"],
                         "'random_state' parameter of BackpropMLPClassifier"),
        "batch size": (["demo", "--batch-size", "big"], "'batch_size' parameter"),
        "cv": ([*csv["mixed.csv"], "--target", "label", "--cv", "1"], "argument --cv: 1 folds: give 2 or more"),
        "cv text": ([*csv["mixed.csv"], "--target", "label", "--cv", "five"],
                    "argument --cv: invalid int value: 'five'"),
        "n jobs": ([*csv["mixed.csv"], "--target", "label", "--n-jobs", "0"], "argument --n-jobs: n_jobs == 0"),
        "memory": (["demo", "--hidden", "1000000", "1000000"], "GiB of memory of this machine"),
        "unknown option": (["demo", "--frobnicate"], "unrecognized arguments: --frobnicate"),
        "unknown subcommand": (["fit"], "invalid choice: 'fit'"),
        "plot format": (["demo", "--plot", tmp_path / "curves.xyz"], "--plot"),
        "save dir": (["demo", "--save", tmp_path / "no" / "model.joblib"], "--save"),
        "dropout lbfgs": (["demo", "--solver", "lbfgs", "--dropout", "0.2"], "lbfgs"),
        "test size": ([*csv["mixed.csv"], "--target", "label", "--cv", "0",
                       "--test-size", "0.01"], "test_size"),
        "sep": ([*csv["mixed.csv"], "--target", "label", "--sep", ";;"], "argument --sep: takes one character"),
        "cv in demo": (["demo", "--cv", "3"], "unrecognized arguments: --cv 3"),
        "model option in predict": (["predict", mixed, "--model", "m.joblib", "--hidden", "4"],
                                    "unrecognized arguments: --hidden 4"),
        "no model": (["predict", mixed], "the following arguments are required: --model"),
        "csv and predict": (["--csv", mixed, "--predict", mixed], "--csv and --predict cannot be "
                            "used together"),
        "save over the data": ([*csv["mixed.csv"], "--target", "label", "--save", mixed],
                               f"--save {mixed} is also the training file {mixed}"),
        "plot over the model": (["demo", "--plot", tmp_path / "m.png", "--save",
                                 tmp_path / "m.png"], "--save"),
        "output over the model": (["predict", mixed, "--model", tmp_path / "m.joblib",
                                   "--output", tmp_path / "m.joblib"],
                                  f"--output {tmp_path / 'm.joblib'} is also --model"),
    }


ERROR_CASES = [
    "missing file", "missing column", "one class", "empty file", "no rows", "no target",
    "poisson negative", "gamma zero", "quantile range", "quantile without loss",
    "loss for whole numbers", "loss for labels", "regression of text", "rare count",
    "unknown loss", "unknown task", "loss in demo", "rare class", "dropout range", "dropout count", "early stopping",
    "initializer", "hidden size", "max iter", "weight decay", "random state", "batch size",
    "cv", "n jobs", "memory", "unknown option", "plot format", "save dir", "dropout lbfgs",
    "test size", "sep", "cv in demo", "model option in predict", "no model", "csv and predict",
    "unknown subcommand", "cv text", "save over the data", "plot over the model", "output over the model",
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
    monkeypatch.setattr(_fitting, "physical_memory", lambda: 2**30)
    line, out = _one_error_line(capsys, main(["demo", "--hidden", "10000", "10000"]))
    n_params = (64 + 1) * 10_000 + (10_000 + 1) * 10_000 + (10_000 + 1) * 10
    assert f"the network 64 -> 10000 -> 10000 -> 10 has {n_params:,} weights and biases" in line
    assert "more than the 1.0 GiB of memory of this machine: use smaller --hidden layers" in line


def test_out_of_memory_during_fit(capsys, monkeypatch):
    """Where the machine's memory is unknown, a MemoryError is still one line."""

    def fit(self, X, y):
        raise MemoryError("Unable to allocate 74.6 GiB for an array")

    monkeypatch.setattr(_fitting, "physical_memory", lambda: None)
    monkeypatch.setattr(BackpropMLPClassifier, "fit", fit)
    line, _ = _one_error_line(capsys, main(["demo", "--max-iter", "1"]))
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


# ------------------------------------------------------ skbp 0.1's forms, for one release
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_old_forms_run_the_subcommands_with_a_note(mixed_csv, tmp_path, capsys):
    options = ["--target", "label", *TRAIN, "--cv", "0", "--max-iter", "5"]
    assert main(["train", str(mixed_csv), *options]) == 0
    new = capsys.readouterr()
    assert new.err == ""
    assert main(["--csv", str(mixed_csv), *options]) == 0
    old = capsys.readouterr()
    assert old.err == (
        f"skbp: note: 'skbp --csv {mixed_csv} {' '.join(options)}' is skbp 0.1's form, which "
        f"goes in 0.3: use 'skbp train {mixed_csv} {' '.join(options)}'\n"
    )
    timeless = [line for line in new.out.splitlines() if not line.startswith("trained in")]
    assert timeless == [line for line in old.out.splitlines() if not line.startswith("trained in")]


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["--predict", "new.csv", "--model", "m.joblib"],
         ["predict", "new.csv", "--model", "m.joblib"]),
        (["--model", "m.joblib", "--predict=new.csv"],
         ["predict", "new.csv", "--model", "m.joblib"]),
        # 0.1 trained the MLP pipeline: the old form keeps it (tabular is 0.2's default)
        (["--target", "y", "--csv", "a b.csv"], ["train", "a b.csv", "--model", "mlp", "--target", "y"]),
        (["--csv", "a.csv", "--model", "tabular"], ["train", "a.csv", "--model", "tabular"]),
        (["--max-iter", "3"], ["demo", "--max-iter", "3"]),
    ],
)
def test_old_forms_translate(argv, expected, capsys):
    assert subcommand_form(argv) == expected
    (note,) = capsys.readouterr().err.splitlines()
    assert note.endswith(f"use 'skbp {shlex.join(expected)}'")
    # and the new form is left alone
    assert subcommand_form(expected) == expected
    assert capsys.readouterr().err == ""


# --------------------------------------------------------- what the columns are taken for
def _write(tmp_path, frame, name="data.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def _with_stray_text(n=60):
    """A numeric column 'income' with three cells that are not numbers."""
    frame = _mixed_frame(n)
    income = frame["size"].abs().round(2).astype(object)
    income[[3, 9, 20]] = ["12,5k", "?", "12,5k"]
    return frame.assign(income=income)


def test_mostly_numeric_text_column_is_refused(tmp_path, capsys):
    path = _write(tmp_path, _with_stray_text())
    line, out = _one_error_line(
        capsys, main(["train", str(path), "--target", "label", "--cv", "0"])
    )
    assert line == (
        f"skbp: error: column 'income' of {path} is mostly numbers, but 3 of its 60 values "
        "are not: '12,5k' (lines 5, 22), '?' (line 11); fix those cells (an empty cell is a "
        "missing value), or list it in --categorical to encode its values as categories"
    )
    assert out == ""


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_categorical_option_encodes_any_column_as_categories(tmp_path, capsys):
    frame = _with_stray_text()
    path = _write(tmp_path, frame)
    model = tmp_path / "model.joblib"
    assert main(["train", str(path), "--target", "label", "--model", "mlp", "--cv", "0",
                 "--max-iter", "3", "--categorical", "income", "shape", "--save", str(model)]) == 0
    levels = frame["income"].astype(str).nunique()
    assert (f"categorical (one-hot encoded): colour (4 levels), shape (2 levels), income "
            f"({levels} levels)\n") in capsys.readouterr().out
    # new rows whose income cells are all numbers are read as text, as in training
    pipeline = joblib.load(model)
    new = frame.drop(columns="label").iloc[10:18]
    assert pd.to_numeric(new["income"]).notna().all()
    _write(tmp_path, new, "new.csv")
    assert main(["predict", str(tmp_path / "new.csv"), "--model", str(model)]) == 0
    written = pd.read_csv(io.StringIO(capsys.readouterr().out))
    X = new.astype({"income": str})
    assert list(written["prediction"]) == list(pipeline.predict(X))


def test_column_unique_per_row_is_refused(tmp_path, capsys):
    frame = _mixed_frame(40).assign(customer=[f"C-{i:04d}" for i in range(40)])
    path = _write(tmp_path, frame)
    line, out = _one_error_line(capsys, main(["train", str(path), "--target", "label"]))
    assert line == (
        f"skbp: error: column 'customer' of {path} has a different value in each of its 40 "
        "rows, such as 'C-0000': one-hot encoded, it would add 40 features that nothing can "
        "be learnt from; if it identifies the rows, pass --id customer, or list it in "
        "--categorical to encode its values as categories"
    )
    assert out == ""


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_identifier_columns_are_named_and_row_numbers_warned(tmp_path, capsys):
    frame = _mixed_frame(40).assign(customer=[f"C-{i:04d}" for i in range(40)],
                                    row=np.random.default_rng(0).permutation(40) + 1)
    path = _write(tmp_path, frame)
    assert main(["train", str(path), "--target", "label", "--id", "customer", "--model", "mlp",
                 "--cv", "0", "--max-iter", "3"]) == 0
    out = capsys.readouterr().out
    assert "\n  numeric (standardised): size, weight, row\n" in out
    assert "\n  identifiers (not features): customer\n" in out
    assert ("\n  warning: column 'row' numbers the rows (a different whole number in each): "
            "if it identifies them, pass --id row\n") in out


def test_overflowing_column_is_named(tmp_path, capsys):
    frame = _mixed_frame().assign(huge=lambda f: f["size"] * 1e300)
    path = _write(tmp_path, frame)
    line, out = _one_error_line(capsys, main(["train", str(path), "--target", "label"]))
    largest = np.abs(frame["huge"]).max()
    assert line == (
        f"skbp: error: column 'huge' of {path} holds numbers too large to standardise (up to "
        f"{largest:.3g}; their variance overflows float64): rescale the column, such as its "
        "logarithm or the numbers in other units"
    )
    assert out == ""
    # a column that is only large, whose variance is finite, trains
    frame["huge"] = frame["size"] * 1e150
    _write(tmp_path, frame)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert main(["train", str(path), "--target", "label", "--cv", "0", "--max-iter", "3"]) == 0


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_infinite_and_text_cells_of_numeric_columns_are_named(mixed_csv, tmp_path, capsys):
    frame = _mixed_frame()
    infinite = frame.assign(size=frame["size"].where(frame.index != 6, np.inf))
    path = _write(tmp_path, infinite)
    line, _ = _one_error_line(capsys, main(["train", str(path), "--target", "label"]))
    assert line == (
        f"skbp: error: column 'size' of {path} holds an infinite number: 'inf' (line 8); give "
        "a finite number, or leave the cell empty for a missing value"
    )
    model = tmp_path / "model.joblib"
    assert main(["train", str(mixed_csv), "--target", "label", "--cv", "0", "--max-iter", "3",
                 "--save", str(model)]) == 0
    capsys.readouterr()
    line, out = _one_error_line(
        capsys, main(["predict", str(path), "--model", str(model)])
    )
    assert "column 'size'" in line and "'inf' (line 8)" in line and out == ""
    text = frame.drop(columns="label").head(4).astype({"weight": object})
    text.loc[2, "weight"] = "n.a."
    path = _write(tmp_path, text, "new.csv")
    line, out = _one_error_line(capsys, main(["predict", str(path), "--model", str(model)]))
    assert line == (
        f"skbp: error: column 'weight' of {path} holds text where the model was trained on "
        "numbers: 'n.a.' (line 4); fix those cells (an empty cell is a missing value)"
    )
    assert out == ""


# --------------------------------------------------------- classification or regression
def test_many_whole_numbers_are_a_regression_target(tmp_path, capsys):
    """scikit-learn's diabetes target: 214 distinct whole numbers in 442 rows."""
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True, as_frame=True)
    assert np.all(y == y.round()) and y.nunique() == 214
    path = _write(tmp_path, X.assign(progression=y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert main(["train", str(path), "--target", "progression", "--model", "mlp",
                     "--cv", "0", "--max-iter", "5"]) == 0
    out = capsys.readouterr().out
    assert ("target 'progression': numbers from 25 to 346 (214 distinct whole numbers, more "
            "than 20, fitted as numbers; --task classification takes them for class labels)"
            ) in out
    assert "model: BackpropMLPRegressor(" in out and set(_report_values(out)) == {"R²", "MAE"}


@pytest.mark.parametrize("n_values", [2, MAX_INTEGER_CLASSES, MAX_INTEGER_CLASSES + 1])
@pytest.mark.parametrize("dtype", [np.int64, np.float64])
def test_the_cardinality_rule_for_whole_numbers(n_values, dtype):
    y = pd.Series(np.repeat(np.arange(n_values), 5).astype(dtype), name="y")
    values, task, _ = target_and_task(y, "data.csv", n_folds=5, task="auto")
    assert task is (REGRESSION if n_values > MAX_INTEGER_CLASSES else CLASSIFICATION)
    # real numbers are a regression target whatever their number
    values, task, _ = target_and_task(y + 0.5, "data.csv", n_folds=5, task="auto")
    assert task is REGRESSION


def test_mostly_numeric_target_is_refused(tmp_path, capsys):
    frame = _regression_frame().astype({"price": object})
    frame.loc[4, "price"] = "unknown"
    path = _write(tmp_path, frame)
    line, out = _one_error_line(capsys, _train_regression(path, "price"))
    assert line == (
        f"skbp: error: target column 'price' of {path} is mostly numbers, but not in "
        "'unknown' (line 6): fix those cells, or pass --task classification to take every "
        "value for a class label"
    )


# ------------------------------------------------------------------ files kept whole
@pytest.mark.parametrize("interruption", [OSError(errno.ENOSPC, "No space left on device"),
                                          KeyboardInterrupt()])
def test_a_failed_save_keeps_the_previous_model(interruption, tmp_path, capsys, monkeypatch):
    model = tmp_path / "model.joblib"
    model.write_bytes(b"the previous model")

    def dump(value, filename):  # writes half a file, then fails
        with open(filename, "wb") as file:
            file.write(b"half a pickle")
        raise interruption

    monkeypatch.setattr(joblib, "dump", dump)
    status = main(["demo", "--max-iter", "1", "--verbose", "0", "--save", str(model)])
    out, err = capsys.readouterr()
    if isinstance(interruption, OSError):
        assert err == f"skbp: error: --save: cannot write {model}: No space left on device\n"
    else:
        assert (status, err) == (130, "skbp: interrupted\n")
    assert model.read_bytes() == b"the previous model"
    assert os.listdir(tmp_path) == ["model.joblib"]


def test_save_replaces_the_model_with_the_permissions_of_a_new_file(tmp_path, capsys):
    model = tmp_path / "model.joblib"
    model.write_bytes(b"the previous model")
    os.chmod(model, 0o640)
    assert main(["demo", "--max-iter", "1", "--verbose", "0", "--save", str(model)]) == 0
    assert joblib.load(model)[-1].n_iter_ == 1
    assert os.stat(model).st_mode & 0o777 == 0o640  # kept, not mkstemp's 0o600
    assert os.listdir(tmp_path) == ["model.joblib"]
    umask = os.umask(0)
    os.umask(umask)
    assert main(["demo", "--max-iter", "1", "--verbose", "0", "--save",
                 str(tmp_path / "new.joblib")]) == 0
    assert os.stat(tmp_path / "new.joblib").st_mode & 0o777 == 0o666 & ~umask


def test_an_output_that_is_an_input_is_refused_however_named(mixed_csv, tmp_path, capsys,
                                                               monkeypatch):
    monkeypatch.chdir(tmp_path)
    link = tmp_path / "link.csv"
    link.symlink_to(mixed_csv)
    before = mixed_csv.read_bytes()
    for save in ["mixed.csv", "./sub/../mixed.csv", str(link)]:
        (tmp_path / "sub").mkdir(exist_ok=True)
        line, out = _one_error_line(
            capsys, main(["train", "mixed.csv", "--target", "label", "--save", save])
        )
        assert line.startswith(f"skbp: error: --save {save} is also the training file mixed.csv")
    line, _ = _one_error_line(
        capsys, main(["predict", "mixed.csv", "--model", "m.joblib", "--output", str(link)])
    )
    assert line.startswith(f"skbp: error: --output {link} is also the input file mixed.csv")
    assert mixed_csv.read_bytes() == before
