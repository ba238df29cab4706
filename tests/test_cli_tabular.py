"""``skbp train --model tabular``: the Tabular estimators from the command line.

The estimator reads the CSV's columns itself (no ColumnTransformer), keeps its
own tuned defaults for every option not given, and ``skbp predict`` reads a
new file's columns with the types the model was trained on.
"""

import joblib
import numpy as np
import pandas as pd
import pytest
from test_cli import TARGETS, _mixed_frame, _one_error_line, _regression_frame

from skbp import TabularMLPClassifier, TabularMLPRegressor
from skbp._tools.cli import build_parser, main
from skbp._tools.cli.predict import _encoded_columns

#: A tiny, short run: these tests check the plumbing, not what is learnt.
QUICK = ["--model", "tabular", "--hidden", "8", "--max-iter", "3", "--cv", "0"]


def _coded_frame(n=90, seed=0):
    """The mixed frame, with a boolean column and codes written as numbers ("01")."""
    frame = _mixed_frame(n, seed)
    frame["flag"] = np.arange(n) % 3 == 0
    frame["code"] = np.array(["01", "02", "10"])[np.arange(n) % 3]
    return frame


def test_tabular_is_the_default_for_csv_training(tmp_path, capsys):
    args = build_parser().parse_args(["train", "data.csv", "--target", "y"])
    assert args.model == "tabular"
    csv = tmp_path / "train.csv"
    _coded_frame().to_csv(csv, index=False)
    saved = tmp_path / "model.joblib"
    assert main(["train", str(csv), "--target", "label", "--hidden", "8", "--max-iter", "3",
                 "--cv", "0", "--save", str(saved)]) == 0
    out = capsys.readouterr().out
    assert "model: TabularMLPClassifier(" in out
    assert f"Fitted model saved to {saved}" in out  # the estimator alone, no pipeline


def test_options_of_the_mlp_name_the_model_that_has_them(tmp_path, capsys):
    csv = tmp_path / "train.csv"
    _coded_frame().to_csv(csv, index=False)
    status = main(["train", str(csv), "--target", "label", "--solver", "sgd", "--cv", "0"])
    err = capsys.readouterr().err
    assert status != 0 and "--solver: option(s) of --model mlp" in err


def test_train_save_predict_round_trip(tmp_path, capsys):
    csv, model_file = tmp_path / "train.csv", tmp_path / "model.joblib"
    _coded_frame().to_csv(csv, index=False)
    assert main(["train", str(csv), "--target", "label", *QUICK, "--categorical", "code",
                 "--save", str(model_file)]) == 0
    out = capsys.readouterr().out
    assert "model: TabularMLPClassifier(hidden_layer_sizes=(8,), max_iter=3, random_state=0)" in out
    assert (
        "numeric (mapped to normal scores by its quantiles, robust-scaled and smoothly "
        "clipped, missing values flagged): size, weight"
    ) in out
    assert "flag (2 levels)" in out and "code (3 levels)" in out

    model = joblib.load(model_file)
    # the estimator alone reads the table, with its own defaults where no option was given
    assert type(model) is TabularMLPClassifier
    defaults = TabularMLPClassifier().get_params()
    for name in ("learning_rate_init", "dropout", "batch_size", "weight_decay", "activation"):
        assert model.get_params()[name] == defaults[name]
    assert list(model.feature_names_in_) == ["size", "weight", "colour", "shape", "flag", "code"]
    # codes stay text ("01"), booleans stay booleans, at predict time as in training
    assert _encoded_columns(model) == {
        "numeric": ["size", "weight"], "categorical": ["colour", "shape", "code"],
    }
    assert list(model.encoder_.categories_[5]) == ["01", "02", "10"]

    new = _coded_frame(n=12, seed=1).drop(columns="label")
    new.insert(0, "name", [f"row{i}" for i in range(12)])
    new_csv, output = tmp_path / "new.csv", tmp_path / "predictions.csv"
    new.to_csv(new_csv, index=False)
    assert main(["predict", str(new_csv), "--model", str(model_file), "--id", "name",
                 "--proba", "--output", str(output)]) == 0
    written = pd.read_csv(output)
    features = new.drop(columns="name")
    assert list(written["prediction"]) == list(model.predict(features))
    np.testing.assert_allclose(written[["bad", "good"]], model.predict_proba(features), rtol=1e-6)


def test_regression_standardises_inside_the_estimator(tmp_path, capsys):
    csv, model_file = tmp_path / "regression.csv", tmp_path / "model.joblib"
    _regression_frame().to_csv(csv, index=False)
    others = [column for column in TARGETS if column != "price"]
    assert main(["train", str(csv), "--target", "price", "--id", *others, *QUICK,
                 "--save", str(model_file)]) == 0
    out = capsys.readouterr().out
    assert "model: TabularMLPRegressor(" in out
    assert "on the target standardised inside the estimator" in out
    model = joblib.load(model_file)
    assert type(model) is TabularMLPRegressor  # no TransformedTargetRegressor around it
    assert model.target_mean_[0] > 10000


@pytest.mark.parametrize(
    "options, fragment",
    [
        (["--solver", "sgd"], "--solver: option(s) of --model mlp"),
        (["--alpha", "0.1", "--initializer", "he_normal"], "--alpha, --initializer: option(s)"),
        (["--batch-size", "auto"], "batch_size"),  # the estimator's own message
        (["--model", "forest"], "argument --model: invalid choice: 'forest'"),
    ],
)
def test_errors(options, fragment, tmp_path, capsys):
    csv = tmp_path / "train.csv"
    _mixed_frame().to_csv(csv, index=False)
    status = main(["train", str(csv), "--target", "label", *QUICK, *options])
    line, _ = _one_error_line(capsys, status)
    assert fragment in line


def test_regression_options_are_refused(tmp_path, capsys):
    csv = tmp_path / "regression.csv"
    _regression_frame().to_csv(csv, index=False)
    status = main(["train", str(csv), "--target", "count", "--id", "price", "delay",
                   "--task", "regression", *QUICK, "--loss", "poisson"])
    line, _ = _one_error_line(capsys, status)
    assert "--loss: --model tabular fits the squared error" in line
