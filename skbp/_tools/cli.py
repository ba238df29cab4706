"""Command-line interface: ``python -m skbp`` / ``skbp``.

Without ``--csv`` the command runs a short demonstration: it trains
:class:`~skbp.BackpropMLPClassifier` on scikit-learn's bundled digits data set
(printing per-epoch progress) and compares it with
:class:`sklearn.neural_network.MLPClassifier` trained with the same parameters on
the same split.

With ``--csv PATH --target COLUMN`` it trains on your own CSV file: numeric
feature columns are imputed and standardised, the other columns are one-hot
encoded, and it reports cross-validated accuracy plus a classification report on
a held-out split. Optionally it saves a plot of the training curves and the
fitted pipeline.

Every user error (missing file or column, bad option value, ...) is reported as
one ``skbp: error: ...`` line on stderr with exit status 2.
"""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import argparse
import csv
import os
import sys
import textwrap
import time
import warnings
from collections.abc import Sequence
from typing import Any, NoReturn, TextIO

import numpy as np

from .._engine.initializers import INITIALIZERS

__all__ = ["main"]

PROG = "skbp"

_EARLY_STOPPING = {
    "none": False,
    "false": False,
    "no": False,
    "off": False,
    "true": True,
    "yes": True,
    "on": True,
    "gl": "GL",
    "pq": "PQ",
    "up": "UP",
}


class CLIError(Exception):
    """A user-facing error: printed as one line, exit status 2."""


class _UsageError(CLIError):
    """Raised by the argument parser instead of printing usage and exiting."""


class _ArgumentParser(argparse.ArgumentParser):
    """ArgumentParser whose errors are exceptions instead of usage + exit."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(f"{message} (see '{self.prog} --help')")


# --------------------------------------------------------------------------
# argument types: each raises ArgumentTypeError with a message naming the rule
# --------------------------------------------------------------------------
def _int_at_least(minimum: int, *, allow_zero: bool = False):
    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected an integer, got {text!r}"
            ) from None
        if value < minimum and not (allow_zero and value == 0):
            rule = f">= {minimum}" + (" (or 0 to skip)" if allow_zero else "")
            raise argparse.ArgumentTypeError(f"must be {rule}, got {value}")
        return value

    convert.__name__ = "integer"
    return convert


def _float_in(low: float, high: float, *, low_open: bool, high_open: bool):
    left, right = "(" if low_open else "[", ")" if high_open else "]"
    interval = f"{left}{low:g}, {high:g}{right}"

    def convert(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a number, got {text!r}"
            ) from None
        if (
            not np.isfinite(value)
            or value < low
            or value > high
            or (low_open and value == low)
            or (high_open and value == high)
        ):
            raise argparse.ArgumentTypeError(f"must be in {interval}, got {text}")
        return value

    convert.__name__ = "number"
    return convert


def _early_stopping(text: str) -> bool | str:
    try:
        return _EARLY_STOPPING[text.strip().lower()]
    except KeyError:
        raise argparse.ArgumentTypeError(
            f"expected one of none, true, GL, PQ, UP; got {text!r}"
        ) from None


def _batch_size(text: str) -> int | str:
    if text == "auto":
        return text
    return _int_at_least(1)(text)


def _output_path(text: str) -> str:
    if not text:
        raise argparse.ArgumentTypeError("expected a file name")
    return text


_early_stopping.__name__ = "early-stopping value"
_batch_size.__name__ = "batch size"


def _build_parser() -> argparse.ArgumentParser:
    parser = _ArgumentParser(
        prog=PROG,
        description=textwrap.fill(
            "Train skbp's BackpropMLPClassifier from the command line. Without "
            "--csv, run a demonstration on scikit-learn's digits data set and "
            "compare it with sklearn.neural_network.MLPClassifier. With --csv and "
            "--target, train on your own CSV file: numeric columns are "
            "standardised, other columns one-hot encoded; cross-validated "
            "accuracy and a held-out classification report are printed.",
            width=79,
        ),
        epilog=(
            "examples:\n"
            "  python -m skbp\n"
            "  skbp --csv iris.csv --target species --hidden 32 16 --dropout 0.1 \\\n"
            "       --early-stopping GL --plot curves.png --save model.joblib\n\n"
            "Errors are reported as one 'skbp: error: ...' line with exit status 2."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {_skbp_version()}"
    )

    data = parser.add_argument_group("data (CSV mode)")
    data.add_argument(
        "--csv",
        metavar="PATH",
        help="CSV file with a header row. Without it, run the digits demonstration.",
    )
    data.add_argument(
        "--target",
        metavar="COLUMN",
        help="name of the column holding the class labels (required with --csv)",
    )
    data.add_argument(
        "--cv",
        type=_int_at_least(2, allow_zero=True),
        default=None,
        metavar="K",
        help="number of stratified cross-validation folds; 0 skips cross-"
        "validation (CSV mode only; default: 5)",
    )
    data.add_argument(
        "--test-size",
        type=_float_in(0.0, 1.0, low_open=True, high_open=True),
        default=0.25,
        metavar="FRACTION",
        help="fraction of the rows held out for the final report "
        "(default: %(default)s)",
    )

    model = parser.add_argument_group("model")
    model.add_argument(
        "--hidden",
        type=_int_at_least(1),
        nargs="+",
        default=[64],
        metavar="N",
        help="sizes of the hidden layers, e.g. --hidden 128 64 (default: 64)",
    )
    model.add_argument(
        "--activation",
        choices=("relu", "tanh", "logistic", "identity"),
        default="relu",
        help="hidden-layer activation (default: %(default)s)",
    )
    model.add_argument(
        "--solver",
        choices=("adam", "sgd", "lbfgs"),
        default="adam",
        help="optimiser (default: %(default)s)",
    )
    model.add_argument(
        "--learning-rate-init",
        type=_float_in(0.0, np.inf, low_open=True, high_open=True),
        default=0.001,
        metavar="ETA",
        help="initial learning rate for sgd/adam (default: %(default)s)",
    )
    model.add_argument(
        "--batch-size",
        type=_batch_size,
        default="auto",
        metavar="N",
        help="mini-batch size, or 'auto' for min(200, n_samples) "
        "(default: %(default)s)",
    )
    model.add_argument(
        "--alpha",
        type=_float_in(0.0, np.inf, low_open=False, high_open=True),
        default=0.0001,
        metavar="ALPHA",
        help="strength of the L2 penalty (default: %(default)s)",
    )
    model.add_argument(
        "--dropout",
        type=_float_in(0.0, 1.0, low_open=False, high_open=True),
        nargs="+",
        default=[0.0],
        metavar="P",
        help="probability of dropping a unit during training, in [0, 1); sgd/adam "
        "only. One value applies to every hidden layer; or give one value per "
        "layer: input layer first, then each hidden layer (default: 0.0)",
    )
    model.add_argument(
        "--initializer",
        choices=INITIALIZERS,
        default="auto",
        metavar="NAME",
        help="weight initialisation scheme, one of "
        f"{', '.join(INITIALIZERS)} (default: %(default)s)",
    )
    model.add_argument(
        "--weight-decay",
        type=_float_in(0.0, 1.0, low_open=False, high_open=True),
        default=0.0,
        metavar="BETA",
        help="decoupled weight decay beta in [0, 1): W := (1 - beta) W - step; "
        "sgd/adam only (default: %(default)s)",
    )
    model.add_argument(
        "--early-stopping",
        type=_early_stopping,
        default=False,
        metavar="{none,true,GL,PQ,UP}",
        help="stop on a held-out validation split: 'true' = no improvement of "
        "the validation accuracy, GL/PQ/UP = Prechelt's generalisation-loss, "
        "progress-quotient and successive-increase criteria on the validation "
        "loss (default: none)",
    )
    model.add_argument(
        "--max-iter",
        type=_int_at_least(1),
        default=200,
        metavar="N",
        help="maximum number of epochs (default: %(default)s)",
    )
    model.add_argument(
        "--random-state",
        type=int,
        default=0,
        metavar="SEED",
        help="seed for the data split, weight initialisation and shuffling "
        "(default: %(default)s)",
    )

    output = parser.add_argument_group("output")
    output.add_argument(
        "--verbose",
        type=_int_at_least(0),
        default=None,
        metavar="LEVEL",
        help="verbosity of the final fit; 1 prints one line per epoch "
        "(default: 1 in the demonstration, 0 with --csv)",
    )
    output.add_argument(
        "--n-jobs",
        type=int,
        default=None,
        metavar="N",
        help="number of parallel jobs for cross-validation (default: 1)",
    )
    output.add_argument(
        "--plot",
        type=_output_path,
        metavar="FILE",
        help="save a plot of the training curves (TrainingCurveDisplay) to FILE, "
        "e.g. curves.png; needs matplotlib",
    )
    output.add_argument(
        "--save",
        type=_output_path,
        metavar="FILE",
        help="save the fitted pipeline (preprocessing + classifier, trained on "
        "the training part of the held-out split) with joblib to FILE, e.g. "
        "model.joblib",
    )
    return parser


def _skbp_version() -> str:
    try:
        from importlib.metadata import version

        return version("skbp")
    except Exception:  # not installed: running from a source checkout
        return "(unknown version)"


# --------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``skbp`` command.

    Parameters
    ----------
    argv : sequence of str, default=None
        Command-line arguments without the program name. ``None`` uses
        ``sys.argv[1:]``.

    Returns
    -------
    status : int
        Exit status: 0 on success, 2 on a user error (reported as one
        ``skbp: error: ...`` line on stderr).
    """
    parser = _build_parser()
    try:
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help / --version
            return int(exc.code or 0)
        _check_arguments(args)
        if args.csv is None:
            _run_demo(args, sys.stdout)
        else:
            _run_csv(args, sys.stdout)
    except CLIError as exc:
        return _report_error(str(exc))
    except ValueError as exc:
        # invalid parameter combinations detected by the estimator or sklearn
        return _report_error(str(exc))
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    return 0


def _report_error(message: str) -> int:
    sys.stdout.flush()
    message = " ".join(message.split()) or "unknown error"
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 2


def _check_arguments(args: argparse.Namespace) -> None:
    """Checks that involve several options or the file system."""
    if args.csv is None:
        if args.target is not None:
            raise CLIError("--target needs --csv PATH")
    else:
        if args.target is None:
            raise CLIError("--csv needs --target COLUMN (the column with the labels)")
        if not os.path.exists(args.csv):
            raise CLIError(f"CSV file not found: {args.csv}")
        if os.path.isdir(args.csv):
            raise CLIError(f"--csv expects a file, but {args.csv} is a directory")
    n_layers = 1 + len(args.hidden)
    if len(args.dropout) not in (1, n_layers):
        raise CLIError(
            f"--dropout takes 1 value or {n_layers} values (input layer, then "
            f"each of the {len(args.hidden)} hidden layers), got {len(args.dropout)}"
        )
    if args.solver == "lbfgs":
        if args.weight_decay > 0:
            raise CLIError("--weight-decay needs --solver sgd or adam, not lbfgs")
        if any(p > 0 for p in args.dropout):
            raise CLIError("--dropout needs --solver sgd or adam, not lbfgs")
    for option, path in (("--plot", args.plot), ("--save", args.save)):
        if path is None:
            continue
        parent = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(parent):
            raise CLIError(f"{option}: directory does not exist: {parent}")
        if os.path.isdir(path):
            raise CLIError(f"{option}: {path} is a directory, expected a file name")
    if args.plot is not None:
        _check_plot_path(args.plot)


def _check_plot_path(path: str) -> None:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise CLIError(
            "--plot needs matplotlib: pip install matplotlib "
            '(or pip install "skbp[examples]")'
        ) from None
    extension = os.path.splitext(path)[1].lstrip(".").lower()
    supported = Figure().canvas.get_supported_filetypes()
    if extension not in supported:
        raise CLIError(
            f"--plot: unsupported file extension {extension!r} for {path}; use "
            f"one of {', '.join(sorted(supported))}"
        )


# --------------------------------------------------------------------------
# estimators
# --------------------------------------------------------------------------
def _estimator_params(args: argparse.Namespace) -> dict[str, Any]:
    """Parameters shared by BackpropMLPClassifier and sklearn's MLPClassifier."""
    return {
        "hidden_layer_sizes": tuple(args.hidden),
        "activation": args.activation,
        "solver": args.solver,
        "alpha": args.alpha,
        "batch_size": args.batch_size,
        "learning_rate_init": args.learning_rate_init,
        "max_iter": args.max_iter,
        "random_state": args.random_state,
        "early_stopping": bool(args.early_stopping),
    }


def _skbp_only_params(args: argparse.Namespace) -> dict[str, Any]:
    dropout = args.dropout[0] if len(args.dropout) == 1 else tuple(args.dropout)
    return {
        "dropout": dropout,
        "initializer": args.initializer,
        "weight_decay": args.weight_decay,
        "early_stopping": args.early_stopping,
    }


def _make_skbp(args: argparse.Namespace, verbose: int):
    from skbp import BackpropMLPClassifier

    params = {**_estimator_params(args), **_skbp_only_params(args)}
    return BackpropMLPClassifier(verbose=verbose, **params)


def _describe_params(args: argparse.Namespace) -> str:
    params = {**_estimator_params(args), **_skbp_only_params(args)}
    return ", ".join(f"{name}={value!r}" for name, value in params.items())


def _timed_fit(estimator, X, y) -> tuple[float, bool]:
    """Fit, returning (seconds, converged); ConvergenceWarnings are recorded."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        start = time.perf_counter()
        estimator.fit(X, y)
        seconds = time.perf_counter() - start
    converged = True
    for warning in caught:
        if issubclass(warning.category, ConvergenceWarning):
            converged = False
        else:  # re-emit anything we did not mean to silence
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    return seconds, converged


def _final_step(estimator):
    return estimator[-1] if hasattr(estimator, "steps") else estimator


def _epochs_text(estimator, converged: bool) -> str:
    final = _final_step(estimator)
    n_iter = getattr(final, "n_iter_", None)
    if n_iter is None:
        return "-"
    return f"{n_iter}" + ("" if converged else "*")


def _save_outputs(args: argparse.Namespace, pipeline, out: TextIO) -> None:
    if args.plot is not None:
        from matplotlib.figure import Figure

        from skbp._tools.display import TrainingCurveDisplay

        figure = Figure(figsize=(7, 4.5), layout="constrained")
        ax = figure.subplots()
        try:
            TrainingCurveDisplay.from_estimator(pipeline, ax=ax)
        except (TypeError, ValueError) as exc:
            raise CLIError(f"--plot: cannot plot the training curves: {exc}") from None
        try:
            figure.savefig(args.plot)
        except OSError as exc:
            raise CLIError(
                f"--plot: cannot write {args.plot}: {exc.strerror or exc}"
            ) from None
        print(f"Training curves saved to {args.plot}", file=out)
    if args.save is not None:
        import joblib

        try:
            joblib.dump(pipeline, args.save)
        except OSError as exc:
            raise CLIError(
                f"--save: cannot write {args.save}: {exc.strerror or exc}"
            ) from None
        print(
            f"Fitted pipeline saved to {args.save} (load it with joblib.load)",
            file=out,
        )


# --------------------------------------------------------------------------
# demonstration on the digits data set
# --------------------------------------------------------------------------
def _run_demo(args: argparse.Namespace, out: TextIO) -> None:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if args.cv is not None:
        raise CLIError("--cv only applies with --csv")
    verbose = 1 if args.verbose is None else args.verbose

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=args.test_size, stratify=y, random_state=args.random_state
    )
    skbp_model = make_pipeline(StandardScaler(), _make_skbp(args, verbose))
    sklearn_model = make_pipeline(
        StandardScaler(), MLPClassifier(**_estimator_params(args))
    )

    print(
        "skbp demonstration: BackpropMLPClassifier vs scikit-learn's MLPClassifier",
        file=out,
    )
    print(
        f"data: load_digits, {X.shape[0]} images of 8x8 pixels, "
        f"{np.unique(y).size} classes; stratified split {len(y_train)} train / "
        f"{len(y_test)} test (random_state={args.random_state})",
        file=out,
    )
    print(
        f"model: StandardScaler, then the classifier with\n  {_describe_params(args)}",
        file=out,
    )
    print(file=out)
    print(f"[1/2] BackpropMLPClassifier (skbp), verbose={verbose}", file=out)
    out.flush()
    rows = []
    seconds, converged = _timed_fit(skbp_model, X_train, y_train)
    rows.append(("BackpropMLPClassifier (skbp)", skbp_model, seconds, converged))

    print("[2/2] MLPClassifier (scikit-learn)", file=out)
    out.flush()
    seconds, converged = _timed_fit(sklearn_model, X_train, y_train)
    rows.append(("MLPClassifier (scikit-learn)", sklearn_model, seconds, converged))

    print(file=out)
    print(f"Results on the {len(y_test)} held-out images:", file=out)
    header = (
        f"{'estimator':<30}  {'test accuracy':>13}  {'fit seconds':>11}  {'epochs':>7}"
    )
    print(header, file=out)
    print("-" * len(header), file=out)
    for label, model, seconds, converged in rows:
        accuracy = model.score(X_test, y_test)
        epochs = _epochs_text(model, converged)
        print(
            f"{label:<30}  {accuracy:>13.4f}  {seconds:>11.2f}  {epochs:>7}", file=out
        )
    if not all(row[3] for row in rows):
        print("* stopped at --max-iter before converging", file=out)
    skbp_only = [
        name
        for name, value, default in (
            ("--dropout", args.dropout, [0.0]),
            ("--initializer", args.initializer, "auto"),
            ("--weight-decay", args.weight_decay, 0.0),
        )
        if value != default
    ]
    if isinstance(args.early_stopping, str):
        skbp_only.append(
            f"--early-stopping {args.early_stopping} (MLPClassifier used "
            "early_stopping=True)"
        )
    if skbp_only:
        print(
            "note: skbp-only options not applied to MLPClassifier: "
            + ", ".join(skbp_only),
            file=out,
        )
    _save_outputs(args, skbp_model, out)


# --------------------------------------------------------------------------
# CSV mode
# --------------------------------------------------------------------------
class _Table:
    """Columns read from a CSV file, independent of pandas."""

    def __init__(
        self,
        X,
        y: np.ndarray,
        feature_names: list[str],
        numeric: list[str],
        categorical: list[str],
        *,
        frame: bool,
    ) -> None:
        self.X = X  # DataFrame (pandas) or 2-D object ndarray (fallback)
        self.y = y  # 1-D ndarray of labels
        self.feature_names = feature_names
        self.numeric = numeric
        self.categorical = categorical
        self.frame = frame  # True when X is a DataFrame

    def columns(self, names: list[str]) -> list[str] | list[int]:
        """Column selectors for a ColumnTransformer: names, or positions."""
        if self.frame:
            return names
        return [self.feature_names.index(name) for name in names]


def _import_pandas():
    """Return the pandas module, or None when it is not installed."""
    try:
        import pandas
    except ImportError:
        return None
    return pandas


def _read_csv(path: str, target: str) -> _Table:
    pd = _import_pandas()
    if pd is None:
        return _read_csv_without_pandas(path, target)

    try:
        frame = pd.read_csv(path, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise CLIError(f"CSV file {path} is empty") from None
    except pd.errors.ParserError as exc:
        raise CLIError(f"cannot parse CSV file {path}: {exc}") from None
    except UnicodeDecodeError:
        raise CLIError(f"CSV file {path} is not UTF-8 text") from None
    except OSError as exc:
        raise CLIError(f"cannot read CSV file {path}: {exc.strerror or exc}") from None
    frame.columns = [str(column).strip() for column in frame.columns]
    columns = list(frame.columns)
    _check_columns(path, columns, target, n_rows=len(frame))
    y_series = frame[target]
    n_missing = int(y_series.isna().sum())
    if n_missing:
        raise CLIError(
            f"target column {target!r} has {n_missing} empty value(s); remove or "
            "fill those rows"
        )
    X = frame.drop(columns=[target])
    numeric, categorical = [], []
    for column in X.columns:
        if pd.api.types.is_bool_dtype(X[column]):
            X[column] = X[column].astype(float)
            numeric.append(column)
        elif pd.api.types.is_numeric_dtype(X[column]):
            numeric.append(column)
        else:
            X[column] = X[column].astype(object)
            categorical.append(column)
    y = y_series.to_numpy()
    if y.dtype == object or not np.issubdtype(y.dtype, np.number):
        y = y.astype(str)
    return _Table(X, y, list(X.columns), numeric, categorical, frame=True)


def _read_csv_without_pandas(path: str, target: str) -> _Table:
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = [row for row in csv.reader(handle, skipinitialspace=True) if row]
    except UnicodeDecodeError:
        raise CLIError(f"CSV file {path} is not UTF-8 text") from None
    except csv.Error as exc:
        raise CLIError(f"cannot parse CSV file {path}: {exc}") from None
    except OSError as exc:
        raise CLIError(f"cannot read CSV file {path}: {exc.strerror or exc}") from None
    if not rows:
        raise CLIError(f"CSV file {path} is empty")
    header = [name.strip() for name in rows[0]]
    body = rows[1:]
    _check_columns(path, header, target, n_rows=len(body))
    for line, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise CLIError(
                f"cannot parse CSV file {path}: line {line} has {len(row)} fields, "
                f"the header has {len(header)}"
            )
    cells = np.array(body, dtype=object)
    t = header.index(target)
    y = np.array([value.strip() for value in cells[:, t]], dtype=object)
    n_missing = int(np.sum(y == ""))
    if n_missing:
        raise CLIError(
            f"target column {target!r} has {n_missing} empty value(s); remove or "
            "fill those rows"
        )
    feature_names = [name for i, name in enumerate(header) if i != t]
    X = np.empty((len(body), len(feature_names)), dtype=object)
    numeric, categorical = [], []
    for j, name in enumerate(feature_names):
        raw = [value.strip() for value in cells[:, header.index(name)]]
        try:
            X[:, j] = [float(value) if value else np.nan for value in raw]
            numeric.append(name)
        except ValueError:
            X[:, j] = [value if value else np.nan for value in raw]
            categorical.append(name)
    y = _maybe_numeric_labels(y)
    return _Table(X, y, feature_names, numeric, categorical, frame=False)


def _maybe_numeric_labels(y: np.ndarray) -> np.ndarray:
    try:
        values = y.astype(float)
    except ValueError:
        return y.astype(str)
    if np.all(values == np.round(values)):
        return values.astype(int)
    return values


def _check_columns(path: str, columns: list[str], target: str, *, n_rows: int) -> None:
    if target not in columns:
        shown = ", ".join(repr(c) for c in columns[:20])
        more = f" and {len(columns) - 20} more" if len(columns) > 20 else ""
        raise CLIError(
            f"column {target!r} not found in {path}; available columns: {shown}{more}"
        )
    if len(columns) < 2:
        raise CLIError(f"{path} has no feature columns besides the target {target!r}")
    if n_rows == 0:
        raise CLIError(f"CSV file {path} has a header but no data rows")


def _make_preprocessor(table: _Table):
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

    transformers = []
    if table.numeric:
        steps = [SimpleImputer(strategy="median"), StandardScaler()]
        if not table.frame:  # object array from the csv module: make it float
            steps.insert(
                0, FunctionTransformer(_to_float, feature_names_out="one-to-one")
            )
        transformers.append(
            ("numeric", make_pipeline(*steps), table.columns(table.numeric))
        )
    if table.categorical:
        transformers.append(
            (
                "categorical",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value="missing"),
                    OneHotEncoder(handle_unknown="ignore"),
                ),
                table.columns(table.categorical),
            )
        )
    return ColumnTransformer(transformers, remainder="drop")


def _to_float(X):
    """Cast an object array of numbers to float64 (picklable, for joblib)."""
    return np.asarray(X, dtype=np.float64)


def _plain(value: Any) -> Any:
    """NumPy scalar -> Python scalar, so that repr() reads naturally."""
    return value.item() if isinstance(value, np.generic) else value


def _check_target(y: np.ndarray, target: str, args: argparse.Namespace) -> None:
    classes, counts = np.unique(y, return_counts=True)
    if classes.size < 2:
        raise CLIError(
            f"target column {target!r} has a single class ({_plain(classes[0])!r}); a "
            "classifier needs at least two"
        )
    needed = max(2, args.cv)
    if counts.min() < needed:
        smallest = classes[np.argmin(counts)]
        hint = ""
        if classes.size > len(y) / 2:
            hint = "; is the target continuous? skbp is a classifier"
        elif args.cv > 2:
            hint = "; try a smaller --cv"
        raise CLIError(
            f"class {_plain(smallest)!r} of target {target!r} has only {counts.min()} "
            f"row(s); every class needs at least {needed} (stratified split"
            f"{' and --cv ' + str(args.cv) if args.cv else ''}){hint}"
        )


def _run_csv(args: argparse.Namespace, out: TextIO) -> None:
    from sklearn.metrics import classification_report
    from sklearn.model_selection import (
        StratifiedKFold,
        cross_val_score,
        train_test_split,
    )
    from sklearn.pipeline import Pipeline

    table = _read_csv(args.csv, args.target)
    if args.cv is None:
        args.cv = 5
    _check_target(table.y, args.target, args)
    verbose = 0 if args.verbose is None else args.verbose
    classes = np.unique(table.y)

    def make_pipeline(verbose: int):
        return Pipeline(
            [
                ("preprocess", _make_preprocessor(table)),
                ("classifier", _make_skbp(args, verbose)),
            ]
        )

    print(f"data: {args.csv}", file=out)
    print(
        f"  {len(table.y)} rows; {len(table.numeric)} numeric feature column(s) "
        f"(standardised), {len(table.categorical)} categorical (one-hot encoded); "
        f"target {args.target!r} with {classes.size} classes",
        file=out,
    )
    print(f"model: BackpropMLPClassifier({_describe_params(args)})", file=out)

    if args.cv:
        cv = StratifiedKFold(args.cv, shuffle=True, random_state=args.random_state)
        with warnings.catch_warnings():
            from sklearn.exceptions import ConvergenceWarning

            warnings.simplefilter("ignore", ConvergenceWarning)
            scores = cross_val_score(
                make_pipeline(0),
                table.X,
                table.y,
                cv=cv,
                scoring="accuracy",
                n_jobs=args.n_jobs,
                error_score="raise",
            )
        print(
            f"cross-validated accuracy ({args.cv}-fold): "
            f"{scores.mean():.4f} ± {scores.std():.4f}",
            file=out,
        )

    X_train, X_test, y_train, y_test = train_test_split(
        table.X,
        table.y,
        test_size=args.test_size,
        stratify=table.y,
        random_state=args.random_state,
    )
    pipeline = make_pipeline(verbose)
    print(
        f"held-out split: {len(y_train)} training rows, {len(y_test)} test rows "
        f"(stratified, test_size={args.test_size})",
        file=out,
    )
    out.flush()
    seconds, converged = _timed_fit(pipeline, X_train, y_train)
    final = pipeline[-1]
    stop = getattr(final, "n_iter_", None)
    best = getattr(final, "best_epoch_", None)
    epochs = f"{stop} epoch(s)" if stop is not None else "fit"
    detail = "" if best is None else f", weights of epoch {best} kept"
    status = "" if converged else "; stopped at --max-iter before converging"
    print(f"trained in {seconds:.2f} s: {epochs}{detail}{status}", file=out)
    y_pred = pipeline.predict(X_test)
    print(file=out)
    print("classification report on the held-out rows:", file=out)
    print(classification_report(y_test, y_pred, zero_division=0), file=out)
    _save_outputs(args, pipeline, out)
