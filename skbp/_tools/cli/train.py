"""``skbp train FILE --target COLUMN``: cross-validate, fit and save a model of a CSV file."""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import argparse
import warnings
from typing import TextIO

import joblib
import numpy as np
from sklearn.base import clone, is_regressor
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.model_selection import cross_validate, train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from ..._engine.losses import LOSSES, REGRESSION_LOSSES
from ..._estimators.params import dropout_rates, hidden_layer_sizes_tuple
from ..._estimators.smooth_clip import NUMERIC_TRANSFORMS
from ..._estimators.tabular import TabularMLPClassifier, TabularMLPRegressor
from ._columns import Columns, feature_columns, read_csv, require_columns
from ._fitting import (
    check_memory,
    checked_estimator,
    describe,
    fit_summary,
    skbp_estimator,
    timed_fit,
)
from ._options import (
    CLIError,
    add_csv_options,
    add_fit_output_options,
    add_model_options,
    estimator_params,
    subcommand,
    with_default,
)
from ._outputs import check_output_paths, check_plot_format, save_outputs
from ._tasks import (
    MAX_INTEGER_CLASSES,
    REGRESSION,
    TASKS,
    Task,
    target_and_task,
    task_params,
)

EXAMPLES = """\
  skbp train adult.csv --target income --save model.joblib
  skbp train adult.csv --target income --cv 0 --max-iter 64 --save model.joblib
  skbp train iris.csv --target species --model mlp --hidden 32 16 --dropout 0.1 \\
       --early-stopping GL --plot curves.png --save model.joblib
  skbp train visits.csv --target visits --task regression --model mlp --loss poisson"""


def add_parser(subparsers) -> None:
    parser = subcommand(
        subparsers, "train",
        "train TabularMLPClassifier or TabularMLPRegressor (or with --model mlp, "
        "BackpropMLPClassifier or BackpropMLPRegressor) on a CSV file (needs pandas)",
        EXAMPLES,
    )
    add_csv_options(parser, "identifier columns, which are not features")
    parser.add_argument("--target", required=True, metavar="COLUMN",
                        help="the column to predict: class labels, or numbers")
    parser.add_argument("--categorical", nargs="+", default=[], metavar="COLUMN",
                        help="columns to one-hot encode as categories whatever they hold, "
                        "such as codes written as numbers")
    parser.add_argument("--task", choices=TASKS, default="auto", help=with_default(
        "what to learn: 'auto' fits real numbers, and whole numbers with more than "
        f"{MAX_INTEGER_CLASSES} distinct values, as numbers (regression) and takes "
        "anything else for class labels", "auto"))
    parser.add_argument("--cv", type=_folds, default=5, metavar="K", help=with_default(
        "number of cross-validation folds (stratified for classification); 0 skips it", 5))
    parser.add_argument("--n-jobs", type=_n_jobs, default=1, metavar="N", help=with_default(
        "parallel jobs for cross-validation; -1 uses every CPU", 1))
    parser.add_argument("--model", choices=MODELS, default="tabular", help=with_default(
        "tabular: TabularMLP, which reads the table itself (quantile map and robust "
        "scaling, missing indicators, one-hot or target encoding, periodic embeddings) with its tuned "
        "defaults, which only the model options you give change; mlp: BackpropMLP in a "
        "pipeline (median-imputed, standardised numbers, one-hot categories), much "
        "faster to fit", "tabular"))
    add_model_options(parser)
    regression = parser.add_argument_group("regression")
    regression.add_argument("--loss", choices=REGRESSION_LOSSES, help=with_default(
        "the cost minimised (poisson and gamma with a log link)", "squared_error"))
    regression.add_argument("--quantile", type=float, metavar="Q", help=with_default(
        "the quantile in (0, 1) that --loss quantile estimates", 0.5))
    add_fit_output_options(parser, verbose=0)
    parser.set_defaults(run=run)


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None


def _folds(text: str) -> int:
    folds = _integer(text)
    if folds == 1 or folds < 0:
        raise argparse.ArgumentTypeError(f"{text} folds: give 2 or more, or 0 to skip it")
    return folds


def _n_jobs(text: str) -> int:
    n_jobs = _integer(text)
    try:
        joblib.effective_n_jobs(n_jobs)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"{exc}; give a positive number of jobs, or -1 for every CPU (-2 for all but "
            "one, ...)"
        ) from None
    return n_jobs


#: ``--model``: "mlp", the task's BackpropMLP in a Pipeline, or "tabular".
MODELS = ("mlp", "tabular")
TABULAR = {"classification": TabularMLPClassifier, "regression": TabularMLPRegressor}


def make_model(
    task: Task, params: dict, columns: Columns, y: np.ndarray, model: str = "mlp"
) -> Pipeline | TabularMLPClassifier | TabularMLPRegressor:
    """The model that ``skbp train`` fits: the columns' encoding, then the estimator.

    The one place that chooses the model. ``model="tabular"`` is a Tabular
    estimator alone: it takes the DataFrame's columns as they are and encodes
    them itself (``params`` are then only the options given).
    """
    if model == "tabular":
        estimator = TABULAR["regression" if task is REGRESSION else "classification"]
        tabular = estimator(**params)
        tabular._validate_params()  # the estimator's messages, before any work
        dropout_rates(tabular.dropout, len(hidden_layer_sizes_tuple(tabular.hidden_layer_sizes)))
        return tabular
    mlp = checked_estimator(task.estimator, params, y)
    encode = make_pipeline(
        SimpleImputer(strategy="constant", fill_value="missing"),
        OneHotEncoder(handle_unknown="ignore"),
    )
    preprocess = ColumnTransformer([
        ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
         columns.numeric),
        ("categorical", encode, list(columns.levels)),
    ])
    return Pipeline([("preprocess", preprocess), ("mlp", _estimator_step(mlp))])


def _estimator_step(mlp):
    """The last step of the pipeline: a regressor learns a standardised target.

    Standardising makes the default learning rate fit whatever the units of y.
    The log-link losses need y >= 0 (poisson) or y > 0 (gamma), so there y is
    only divided by its standard deviation: their minimisers scale along.
    """
    if not is_regressor(mlp):
        return mlp
    identity_link = LOSSES[mlp.loss].output_activation.name == "identity"
    return TransformedTargetRegressor(
        regressor=mlp, transformer=StandardScaler(with_mean=identity_link)
    )


def run(args: argparse.Namespace, out: TextIO) -> None:
    check_output_paths({"--plot": args.plot, "--save": args.save}, {"the training file": args.csv})
    check_plot_format(args.plot)
    frame = read_csv(args.csv, args.sep, text=args.categorical)
    require_columns(frame, args.csv, [args.target], "--target")
    require_columns(frame, args.csv, args.id, "--id")
    require_columns(frame, args.csv, args.categorical, "--categorical")
    X = frame.drop(columns=[args.target, *args.id])
    if X.shape[1] == 0:
        raise CLIError(f"{args.csv} has no feature columns besides the target and --id")
    y, task, target_line = target_and_task(frame[args.target], args.csv, args.cv, args.task)
    if args.model == "tabular":
        params = tabular_params(args, task_params(task, args, y))
    else:
        params = {**estimator_params(args), **task_params(task, args, y)}
    columns = feature_columns(X, args.csv, args.categorical)
    pipeline = make_model(task, params, columns, y, args.model)
    mlp = skbp_estimator(pipeline)
    folds = None if not args.cv else task.folds(args.cv, random_state=mlp.random_state)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=args.test_size, stratify=y if task.stratify else None,
        random_state=mlp.random_state,
    )
    n_outputs = 1 if task is REGRESSION else np.unique(y).size
    tabular = args.model == "tabular"
    # the periodic embedding adds 3 inputs per numeric column
    n_inputs = columns.n_inputs + (3 * len(columns.numeric) if tabular else 0)
    check_memory(mlp, n_inputs, n_outputs, len(y_train))

    print(f"data: {args.csv}, {len(y)} rows", file=out)
    ids = [f"identifiers (not features): {', '.join(args.id)}"] if args.id else []
    report = _tabular_report(X, columns) if tabular else columns.report()
    for line in [target_line, *report, *ids]:
        print(f"  {line}", file=out)
    model = describe(mlp)
    if tabular and task is REGRESSION:
        model += ", on the target standardised inside the estimator"
    elif task is REGRESSION:
        centred = pipeline[-1].transformer.with_mean
        model += ", on the target " + (
            "standardised" if centred else "divided by its standard deviation"
        )
    print(f"model: {model}", file=out, flush=True)
    if folds is not None:
        _cross_validate(pipeline, task, folds, X, y, args, out)
    print(
        f"held-out split: {len(y_train)} training rows, {len(y_test)} test rows "
        f"(test_size={args.test_size})",
        file=out,
        flush=True,
    )
    seconds, converged = timed_fit(pipeline, X_train, y_train)
    fitted = skbp_estimator(pipeline)
    print(fit_summary(fitted, seconds, converged), file=out)
    print("\nreport on the held-out rows:", file=out)
    print(task.report(y_test, pipeline.predict(X_test), fitted), file=out)
    use = f"skbp predict FILE --model {args.save}"
    save_outputs(args.plot, args.save, pipeline, fitted, use, out)


def tabular_params(args: argparse.Namespace, regression_options: dict) -> dict:
    """The Tabular estimator's parameters: the model options given, nothing else.

    The command line's defaults are for BackpropMLP (a 64-unit layer, 200
    epochs, ...); the Tabular estimators keep their own tuned ones. Options
    that they do not have are refused, in the words of the options.
    """
    if regression_options:
        flags = ", ".join(f"--{name}" for name in regression_options)
        raise CLIError(f"{flags}: --model tabular fits the squared error; use --model mlp")
    params = estimator_params(args)
    given = dict.fromkeys(getattr(args, "given", ()))
    accepted = TabularMLPClassifier().get_params()
    refused = [name for name in given if name not in accepted]
    if refused:
        flags = ", ".join(f"--{name.replace('_', '-')}" for name in refused)
        raise CLIError(
            f"{flags}: option(s) of --model mlp; --model tabular trains with Adam under "
            "its own schedules (its options: --hidden, --activation, --learning-rate-init, "
            "--batch-size, --dropout, --weight-decay, --early-stopping, --max-iter, "
            "--random-state)"
        )
    keep = {"random_state", "verbose", *given}
    return {name: params[name] for name in params if name in keep}


def _tabular_report(X, columns: Columns) -> list[str]:
    """The columns as the Tabular estimators encode them (with their defaults)."""
    defaults = TabularMLPClassifier()
    numeric = [name for name in columns.numeric if X[name].dtype != bool]
    categorical = {
        **{name: X[name].nunique() for name in columns.numeric if X[name].dtype == bool},
        **columns.levels,
    }
    lines = []
    if numeric:
        lines.append(
            f"numeric ({NUMERIC_TRANSFORMS[defaults.numeric_transform]}, missing values "
            "flagged): " + ", ".join(numeric)
        )
    if categorical:
        levels = ", ".join(f"{name} ({k} levels)" for name, k in categorical.items())
        lines.append(
            f"categorical (one-hot up to {defaults.max_onehot_categories} levels, target "
            f"encoded above): {levels}"
        )
    return lines + [f"warning: {warning}" for warning in columns.warnings]


def _cross_validate(pipeline, task: Task, folds, X, y, args, out: TextIO) -> None:
    """Print the cross-validated scores of quiet copies of the pipeline."""
    quiet = clone(pipeline)
    skbp_estimator(quiet).set_params(verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_validate(
            quiet, X, y, cv=folds, n_jobs=args.n_jobs, error_score="raise",
            scoring={name: scorer for name, (scorer, _) in task.scoring.items()},
        )
    for name, (scorer, form) in task.scoring.items():
        values = scores[f"test_{name}"] * (-1 if scorer.startswith("neg_") else 1)
        print(
            f"cross-validated {name} ({args.cv}-fold): "
            f"{values.mean():{form}} ± {values.std():{form}}",
            file=out,
        )
