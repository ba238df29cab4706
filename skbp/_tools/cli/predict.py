"""``skbp predict FILE --model MODEL``: predict the rows of a CSV file with a saved model."""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import argparse
import os
from typing import TextIO

import joblib
from sklearn.base import is_regressor
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from ..._estimators.base import BaseBackpropMLP
from ._columns import as_numbers, read_csv, require_columns
from ._fitting import skbp_estimator
from ._options import CLIError, add_csv_options, subcommand
from ._outputs import check_output_paths, write_atomically

EXAMPLES = """\
  skbp predict new.csv --model model.joblib --id name --proba --output predictions.csv"""


def add_parser(subparsers) -> None:
    parser = subcommand(
        subparsers, "predict",
        "predict the rows of a CSV file with a model that skbp train saved (needs pandas)",
        EXAMPLES,
    )
    add_csv_options(parser, "identifier columns, copied to the output")
    parser.add_argument("--model", required=True, metavar="FILE",
                        help="a pipeline saved by skbp train ... --save (it is unpickled: "
                        "load only files you trust)")
    parser.add_argument("--output", metavar="FILE",
                        help="write the predictions to FILE instead of standard output")
    parser.add_argument("--proba", action="store_true",
                        help="add the probability of each class, in a column named after it "
                        "(classifiers only)")
    parser.set_defaults(run=run)


def load_model(path: str):
    """The fitted pipeline (or estimator) saved in ``path``, checked."""
    if not os.path.isfile(path):
        raise CLIError(f"model file not found: {path}")
    try:
        model = joblib.load(path)
    except Exception as exc:  # unpickling arbitrary bytes fails in arbitrary ways
        raise CLIError(
            f"{path} is not a skbp model: joblib cannot load it ({type(exc).__name__}: {exc})"
        ) from None
    mlp = skbp_estimator(model)
    if not isinstance(mlp, BaseBackpropMLP):
        raise CLIError(
            f"{path} holds a {type(model).__name__}, not a skbp model (a pipeline ending in "
            "BackpropMLPClassifier or BackpropMLPRegressor, as saved by --save)"
        )
    check_is_fitted(mlp)
    if not hasattr(model, "feature_names_in_"):
        raise CLIError(
            f"the model in {path} was trained without column names, but predict finds "
            "the features by name: use a model saved by skbp train ... --save"
        )
    return model


def _encoded_columns(model) -> dict[str, list[str]]:
    """{"numeric": [...], "categorical": [...]}: the columns of a pipeline saved by train.

    For a Tabular estimator, its encoder's: "categorical" are the columns whose
    levels were text (read as text again, so "01" stays "01"; a boolean column
    is read as booleans).
    """
    encoder = getattr(model, "encoder_", None)
    if encoder is not None:
        names = list(encoder.feature_names_in_)
        text = [
            name for name, levels in zip(names, encoder.categories_)
            if levels is not None and any(isinstance(level, str) for level in levels)
        ]
        numeric = [name for name, cat in zip(names, encoder.is_categorical_) if not cat]
        return {"numeric": numeric, "categorical": text}
    first = model[0] if isinstance(model, Pipeline) else None
    if not isinstance(first, ColumnTransformer):
        return {}
    return {name: list(columns) for name, _, columns in first.transformers_
            if name in ("numeric", "categorical")}


def run(args: argparse.Namespace, out: TextIO) -> None:
    check_output_paths({"--output": args.output}, {"the input file": args.csv, "--model": args.model})
    model = load_model(args.model)
    if args.proba and is_regressor(model):
        raise CLIError(
            f"--proba: the model in {args.model} is a "
            f"{type(skbp_estimator(model)).__name__}; it predicts numbers, not class "
            "probabilities"
        )
    encoded = _encoded_columns(model)
    frame = read_csv(args.csv, args.sep, text=encoded.get("categorical", []))
    require_columns(frame, args.csv, args.id, "--id")
    features = list(model.feature_names_in_)
    require_columns(frame, args.csv, features, f"a feature of the model {args.model}")
    X = as_numbers(
        frame[features], encoded.get("numeric", []), args.csv,
        why="the model was trained on numbers",
    )
    predictions = frame[args.id].assign(prediction=model.predict(X))
    if args.proba:
        names = [str(label) for label in model.classes_]
        clash = set(names) & set(predictions.columns)
        if clash:
            raise CLIError(
                f"--proba: class {', '.join(map(repr, sorted(clash)))} has the name of an "
                "--id column or of the 'prediction' column"
            )
        predictions[names] = model.predict_proba(X)
    if args.output is None:
        predictions.to_csv(out, sep=args.sep, index=False)
        return
    write_atomically(
        args.output, lambda path: predictions.to_csv(path, sep=args.sep, index=False),
        "--output",
    )
    print(f"{len(predictions)} prediction(s) written to {args.output}", file=out)
