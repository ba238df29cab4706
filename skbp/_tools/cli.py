"""Command-line interface: ``python -m skbp`` / ``skbp``.

Three modes: without ``--csv`` or ``--predict`` a demonstration on scikit-learn's
digits data next to :class:`sklearn.neural_network.MLPClassifier`;
``--csv FILE --target COLUMN`` trains a classifier, or a regressor for a
continuous target, on a CSV file; ``--predict FILE --model MODEL`` predicts a
CSV file with a pipeline saved by ``--csv ... --save``.

The hyperparameter options go to the estimator untouched, and the estimator's
own validation judges them before any work starts.  Every user error is one
``skbp: error: ...`` line on stderr with exit status 2.
"""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, NoReturn, TextIO

import joblib
import numpy as np
from sklearn.base import clone, is_regressor
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.metrics import (
    classification_report,
    mean_absolute_error,
    mean_gamma_deviance,
    mean_poisson_deviance,
    r2_score,
)
from sklearn.model_selection import (
    KFold,
    StratifiedKFold,
    cross_validate,
    train_test_split,
)
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted

from .. import __version__
from .._engine.activations import ACTIVATIONS
from .._engine.initializers import INITIALIZERS
from .._engine.losses import LOSSES, REGRESSION_LOSSES
from .._estimators.base import BaseBackpropMLP
from .._estimators.classifier import BackpropMLPClassifier
from .._estimators.params import (
    PARAMETER_CONSTRAINTS,
    check_hyperparameters,
    hidden_layer_sizes_tuple,
)
from .._estimators.regressor import BackpropMLPRegressor

__all__ = ["main"]

PROG = "skbp"
DEMO, TRAIN, PREDICT = "the demonstration", "--csv", "--predict"


def _string_options(parameter: str) -> list[str]:
    """The strings that ``PARAMETER_CONSTRAINTS`` allows for ``parameter``."""
    (options,) = [c.options for c in PARAMETER_CONSTRAINTS[parameter] if isinstance(c, StrOptions)]
    return sorted(options)


PRECHELT_RULES = _string_options("early_stopping")
EARLY_STOPPING = {
    "none": False,
    "false": False,
    "true": True,
    **{rule.lower(): rule for rule in PRECHELT_RULES},
}
# The command line trains a smaller network than the estimator's default, reproducibly.
DEFAULT_PARAMS = {
    **BackpropMLPClassifier().get_params(),
    "hidden_layer_sizes": (64,),
    "random_state": 0,
}
# The regressor's own parameters: options of --csv for a regression target only.
REGRESSION_PARAMS = {
    name: value
    for name, value in BackpropMLPRegressor().get_params().items()
    if name not in DEFAULT_PARAMS
}
TASKS = ["auto", "classification", "regression"]
# Column types standardised as numbers (booleans as 0 and 1); the others are one-hot encoded.
NUMERIC = ["number", "bool"]
# Every solver keeps at least three copies of the parameter vector: the weights,
# their gradient, and the best (or the starting) weights.
PARAMETER_COPIES = 3


class CLIError(Exception):
    """A user-facing error: printed as one line, exit status 2."""


class _ArgumentParser(argparse.ArgumentParser):
    """A parser that raises instead of exiting and knows the modes of each option.

    An option is absent from the parsed namespace unless it was given
    (``argument_default=SUPPRESS``): given in a mode it does not apply to, it is
    an error rather than silently ignored.  ``option_defaults`` fills in the rest.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(argument_default=argparse.SUPPRESS, **kwargs)
        self.option_modes: dict[str, tuple[str, set[str]]] = {}
        self.option_defaults: dict[str, Any] = {}

    def error(self, message: str) -> NoReturn:
        raise CLIError(f"{message} (see '{self.prog} --help')")

    def option(self, group, modes, *flags, default=None, shown=None, **kwargs):
        if shown is not None:
            kwargs["help"] += f" (default: {shown})"
        action = group.add_argument(*flags, **kwargs)
        self.option_modes[action.dest] = (flags[0], modes)
        self.option_defaults[action.dest] = default


def _int_or_text(text: str) -> int | str:
    """An int if ``text`` spells one, else the text (for the estimator to judge)."""
    try:
        return int(text)
    except ValueError:
        return text


def _build_parser() -> _ArgumentParser:
    parser = _ArgumentParser(
        prog=PROG,
        description=(
            "Train skbp's BackpropMLPClassifier or BackpropMLPRegressor from the\n"
            "command line:\n"
            "  skbp                               a demonstration next to MLPClassifier\n"
            "  skbp --csv FILE --target COLUMN    train on a CSV file\n"
            "  skbp --predict FILE --model MODEL  predict a CSV file with a saved model"
        ),
        epilog=(
            "examples:\n"
            "  python -m skbp\n"
            "  skbp --csv iris.csv --target species --hidden 32 16 --dropout 0.1 \\\n"
            "       --early-stopping GL --plot curves.png --save model.joblib\n"
            "  skbp --csv visits.csv --target visits --task regression --loss poisson\n"
            "  skbp --predict new.csv --model model.joblib --proba --output pred.csv\n\n"
            "Errors are reported as one 'skbp: error: ...' line with exit status 2."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    option = parser.option

    data = parser.add_argument_group("data")
    source = data.add_mutually_exclusive_group()
    option(source, {TRAIN}, "--csv", metavar="FILE",
           help="train on this CSV file (with a header row); needs pandas")
    option(source, {PREDICT}, "--predict", metavar="FILE",
           help="predict the rows of this CSV file with --model; needs pandas")
    option(data, {TRAIN, PREDICT}, "--sep", default=",", shown="','", metavar="CHAR",
           help=r"field separator of the CSV files; '\t' is a tab")
    option(data, {TRAIN, PREDICT}, "--id", nargs="+", default=[], metavar="COLUMN",
           help="identifier columns: not features for --csv, copied to the output "
           "of --predict")

    evaluation = parser.add_argument_group("evaluation")
    option(evaluation, {TRAIN}, "--target", metavar="COLUMN",
           help="the column to predict: class labels, or numbers (required with --csv)")
    option(evaluation, {TRAIN}, "--task", choices=TASKS, default="auto", shown="auto",
           help="what to learn: 'auto' trains a regressor for a continuous target "
           "(real numbers) and a classifier otherwise; 'regression' also fits whole "
           "numbers, such as counts, as numbers, and 'classification' takes real "
           "numbers for class labels")
    option(evaluation, {TRAIN}, "--cv", type=int, default=5, shown=5, metavar="K",
           help="number of cross-validation folds (stratified for classification); "
           "0 skips it")
    option(evaluation, {DEMO, TRAIN}, "--test-size", type=float, default=0.25, shown=0.25,
           metavar="FRACTION", help="fraction of the rows held out for the final report")
    option(evaluation, {TRAIN}, "--n-jobs", type=int, shown=1, metavar="N",
           help="parallel jobs for cross-validation; -1 uses every CPU")

    model = parser.add_argument_group(
        "model", "each option sets the estimator parameter of its name"
    )

    def param(flag, help, shown=None, **kwargs):
        default = DEFAULT_PARAMS[kwargs.setdefault("dest", flag[2:].replace("-", "_"))]
        option(model, {DEMO, TRAIN}, flag, default=default, help=help,
               shown=default if shown is None else shown, **kwargs)

    param("--hidden", dest="hidden_layer_sizes", type=int, nargs="+", metavar="N",
          shown="64", help="hidden_layer_sizes, e.g. --hidden 128 64")
    param("--activation", choices=list(ACTIVATIONS), help="hidden-layer activation")
    param("--solver", choices=_string_options("solver"), help="optimiser")
    param("--learning-rate-init", type=float, metavar="ETA",
          help="initial learning rate of sgd and adam")
    param("--batch-size", type=_int_or_text, metavar="N",
          help="mini-batch size, or 'auto' for min(200, n_samples)")
    param("--alpha", type=float, help="strength of the L2 penalty")
    param("--dropout", type=float, nargs="+", metavar="P",
          help="probability of dropping a unit in training (sgd and adam): one value "
          "for every hidden layer, or one per layer, input layer first")
    param("--initializer", choices=INITIALIZERS, metavar="NAME",
          help=f"weight initialisation: one of {', '.join(INITIALIZERS)}")
    param("--weight-decay", type=float, metavar="BETA",
          help="decoupled weight decay: W := (1 - BETA) W - step (sgd and adam)")
    param("--early-stopping", type=lambda text: EARLY_STOPPING.get(text.lower(), text),
          metavar="{" + ",".join(["none", "true", *PRECHELT_RULES]) + "}", shown="none",
          help="stop on a validation split: 'true' when its score (accuracy, R² for "
          "regression) stops improving, GL, PQ or UP by Prechelt's criteria on its loss")
    param("--max-iter", type=int, metavar="N", help="maximum number of epochs")
    param("--random-state", type=int, metavar="SEED",
          help="seed of the data split, the weights and the shuffling")
    option(model, {TRAIN}, "--loss", choices=REGRESSION_LOSSES,
           shown=REGRESSION_PARAMS["loss"],
           help="regression only: the cost minimised (poisson and gamma with a log link)")
    option(model, {TRAIN}, "--quantile", type=float, metavar="Q",
           shown=REGRESSION_PARAMS["quantile"],
           help="the quantile in (0, 1) that --loss quantile estimates")

    output = parser.add_argument_group("output")
    option(output, {DEMO, TRAIN}, "--verbose", type=int, metavar="LEVEL",
           shown="1 in the demonstration, 0 with --csv",
           help="verbosity of the final fit; 1 prints one line per epoch")
    option(output, {DEMO, TRAIN}, "--plot", metavar="FILE",
           help="save a plot of the training curves, e.g. curves.png; needs matplotlib")
    option(output, {DEMO, TRAIN}, "--save", metavar="FILE",
           help="save the fitted pipeline (preprocessing + estimator) with joblib, "
           "e.g. model.joblib")

    prediction = parser.add_argument_group("prediction")
    option(prediction, {PREDICT}, "--model", metavar="FILE",
           help="a pipeline saved by --csv ... --save (required with --predict; it "
           "is unpickled: load only files you trust)")
    option(prediction, {PREDICT}, "--output", metavar="FILE",
           help="write the predictions to FILE instead of standard output")
    option(prediction, {PREDICT}, "--proba", action="store_true", default=False,
           help="add the probability of each class, in a column named after it "
           "(classifiers only)")
    return parser


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
    try:
        try:
            args, params = _parse(argv)
        except SystemExit as exc:  # --help / --version
            return int(exc.code or 0)
        if args.mode == PREDICT:
            _run_predict(args, sys.stdout)
        elif args.mode == TRAIN:
            _run_train(args, params, sys.stdout)
        else:
            _run_demo(args, params, sys.stdout)
    except (CLIError, ValueError) as exc:  # ValueError: the estimator's and sklearn's
        return _report_error(str(exc))
    except MemoryError as exc:  # where the memory of the machine is not known
        return _report_error(f"out of memory: {exc}")
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    return 0


def _report_error(message: str) -> int:
    sys.stdout.flush()
    print(f"{PROG}: error: {' '.join(message.split()) or 'unknown error'}", file=sys.stderr)
    return 2


def _parse(argv: Sequence[str] | None) -> tuple[argparse.Namespace, dict[str, Any]]:
    """The settings of the command (with its mode) and the estimator's parameters."""
    parser = _build_parser()
    given = vars(parser.parse_args(argv))
    mode = PREDICT if "predict" in given else TRAIN if "csv" in given else DEMO
    for dest in given:
        flag, modes = parser.option_modes[dest]
        if mode not in modes:
            raise CLIError(
                f"{flag} does not apply to {mode}; it is an option of "
                f"{' and '.join(sorted(modes))}"
            )
    if mode == TRAIN and "target" not in given:
        raise CLIError("--csv needs --target COLUMN (the column with the labels)")
    if mode == PREDICT and "model" not in given:
        raise CLIError("--predict needs --model FILE (a pipeline saved with --save)")

    settings = {**parser.option_defaults, **given}
    params = {name: settings.pop(name) for name in list(settings) if name in DEFAULT_PARAMS}
    params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
    if isinstance(params["dropout"], list):
        dropout = params["dropout"]
        params["dropout"] = dropout[0] if len(dropout) == 1 else tuple(dropout)
    if params["verbose"] is None:
        params["verbose"] = int(mode == DEMO)
    args = argparse.Namespace(mode=mode, **settings)

    args.sep = "\t" if args.sep == r"\t" else args.sep
    if len(args.sep) != 1:
        raise CLIError(rf"--sep takes one character ('\t' for a tab), got {args.sep!r}")
    try:
        joblib.effective_n_jobs(args.n_jobs)
    except ValueError as exc:
        raise CLIError(
            f"--n-jobs {args.n_jobs}: {exc}; give a positive number of jobs, or -1 for "
            "every CPU (-2 for all but one, ...)"
        ) from None
    for flag in ("--plot", "--save", "--output"):
        path = getattr(args, flag[2:])
        if path is not None and not os.path.isdir(os.path.dirname(os.path.abspath(path))):
            raise CLIError(f"{flag}: the directory of {path} does not exist")
        if path is not None and os.path.isdir(path):
            raise CLIError(f"{flag}: {path} is a directory, expected a file name")
    if args.plot is not None:
        _check_plot_format(args.plot)
    return args, params


def _check_plot_format(path: str) -> None:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise CLIError(
            '--plot needs matplotlib: pip install matplotlib (or pip install "skbp[examples]")'
        ) from None
    extension = os.path.splitext(path)[1].lstrip(".").lower()
    supported = Figure().canvas.get_supported_filetypes()
    if extension not in supported:
        raise CLIError(
            f"--plot: unsupported file extension {extension!r} for {path}; use one of "
            f"{', '.join(sorted(supported))}"
        )


# --------------------------------------------------------------------------
# tasks and estimators
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class _Task:
    """How one kind of target is learned, split, scored and reported."""

    estimator: type
    folds: Callable  # (n_splits, random_state=) -> cross-validation splitter
    stratify: bool
    # printed name -> (scikit-learn scorer, number format); the values of a "neg_"
    # scorer are negated back: errors are in the units of the target
    scoring: dict[str, tuple[str, str]]
    report: Callable[[np.ndarray, np.ndarray, Any], str]  # (y_true, y_pred, fitted estimator)


def _classification_report(y_true: np.ndarray, y_pred: np.ndarray, mlp) -> str:
    return classification_report(y_true, y_pred, zero_division=0)


def _regression_report(y_true: np.ndarray, y_pred: np.ndarray, mlp) -> str:
    """R², MAE, and what tells whether the loss reached its own goal."""
    rows = [
        ("R²", f"{r2_score(y_true, y_pred):.4f}"),
        ("MAE", f"{mean_absolute_error(y_true, y_pred):.5g}"),
    ]
    if mlp.loss == "poisson":
        rows.append(("mean Poisson deviance", f"{mean_poisson_deviance(y_true, y_pred):.5g}"))
    elif mlp.loss == "gamma":
        rows.append(("mean gamma deviance", f"{mean_gamma_deviance(y_true, y_pred):.5g}"))
    elif mlp.loss == "quantile":
        rows.append((
            f"fraction of rows with y <= prediction (quantile {mlp.quantile:g})",
            f"{np.mean(y_true <= y_pred):.4f}",
        ))
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"  {name:<{width}}  {value}" for name, value in rows)


_CLASSIFICATION = _Task(
    estimator=BackpropMLPClassifier,
    folds=partial(StratifiedKFold, shuffle=True),
    stratify=True,
    scoring={"accuracy": ("accuracy", ".4f")},
    report=_classification_report,
)
_REGRESSION = _Task(
    estimator=BackpropMLPRegressor,
    folds=partial(KFold, shuffle=True),
    stratify=False,
    scoring={"R²": ("r2", ".4f"), "MAE": ("neg_mean_absolute_error", ".5g")},
    report=_regression_report,
)


def _detect_task(y: np.ndarray, target: str, n_folds: int, task: str = "auto") -> _Task:
    """The task that the target column (or ``--task``) asks for, or why it cannot be learned."""
    if task == "regression" or (task == "auto" and type_of_target(y) == "continuous"):
        if not _is_numeric(y):
            raise CLIError(
                f"target column {target!r} holds text (such as {_plain(y[0])!r}); a "
                "regression needs numbers"
            )
        return _REGRESSION
    # whole numbers are class labels unless told otherwise
    auto_numbers = task == "auto" and _is_numeric(y)
    hint = "; to fit its values as numbers, use --task regression" if auto_numbers else ""
    classes, counts = np.unique(y, return_counts=True)
    if classes.size < 2:
        raise CLIError(
            f"target column {target!r} has a single class ({_plain(classes[0])!r}); a "
            f"classifier needs at least two{hint}"
        )
    smallest = counts.min()
    if smallest < max(2, n_folds):
        if smallest < 2:
            need = "the stratified held-out split needs at least 2 per class"
        else:
            need = (
                f"stratified {n_folds}-fold cross-validation needs {n_folds}: use "
                f"--cv {smallest} or fewer, or --cv 0 to skip it"
            )
        label = _plain(classes[counts.argmin()])
        raise CLIError(
            f"class {label!r} of target {target!r} has {smallest} row(s); {need}{hint}"
        )
    return _CLASSIFICATION


def _task_params(task: _Task, args: argparse.Namespace, y: np.ndarray) -> dict[str, Any]:
    """The regressor's own options that were given (--loss, --quantile), checked."""
    given = {name: getattr(args, name) for name in REGRESSION_PARAMS}
    given = {name: value for name, value in given.items() if value is not None}
    if given and task is not _REGRESSION:
        flags = " and ".join(f"--{name}" for name in given)
        if _is_numeric(y):
            labels = ("whole numbers, which are taken for class labels: add --task "
                      "regression to fit them as numbers")
        else:
            labels = "class labels (text): a regression needs a numeric target"
        raise CLIError(
            f"{flags} {'applies' if len(given) == 1 else 'apply'} to regression, but "
            f"target {args.target!r} holds {labels}"
        )
    if "quantile" in given and given.get("loss") != "quantile":
        raise CLIError(
            f"--quantile {args.quantile} is the quantile that --loss quantile estimates: "
            "add --loss quantile"
        )
    return given


def _estimator_step(mlp):
    """The last step of the pipeline: a regressor learns a standardised target.

    Standardising makes the default learning rate fit whatever the units of y.
    The log-link losses need y >= 0 (poisson) or y > 0 (gamma), so there y is
    only divided by its standard deviation: their minimisers scale along.
    """
    if not is_regressor(mlp):
        return mlp
    identity_link = LOSSES[mlp.loss].out_activation == "identity"
    return TransformedTargetRegressor(
        regressor=mlp, transformer=StandardScaler(with_mean=identity_link)
    )


def _skbp_estimator(model):
    """The skbp estimator in a pipeline built here (or saved by --save); fitted if it is."""
    step = model[-1] if isinstance(model, Pipeline) else model
    if isinstance(step, TransformedTargetRegressor):
        return getattr(step, "regressor_", step.regressor)
    return step


def _is_numeric(y: np.ndarray) -> bool:
    """Whether the values are numbers (booleans, integers or reals), not text."""
    return y.dtype.kind in "biuf"


def _plain(value: Any) -> Any:
    """NumPy scalar -> Python scalar, so that repr() reads naturally."""
    return value.item() if isinstance(value, np.generic) else value


def _checked_estimator(task: _Task, params: dict[str, Any], y: np.ndarray | None = None):
    """The task's estimator, with the checks its fit makes done now (of ``y`` if given)."""
    estimator = task.estimator(**params)
    estimator._validate_params()
    check_hyperparameters(estimator, len(hidden_layer_sizes_tuple(estimator.hidden_layer_sizes)))
    if y is not None and is_regressor(estimator):
        estimator._output_layer().check_targets(y)  # the loss's domain: y >= 0, y > 0
    return estimator


def _check_memory(estimator, n_features: int, n_outputs: int, n_rows: int) -> None:
    """Refuse a network that does not fit into the memory of this machine."""
    sizes = (n_features, *estimator.hidden_layer_sizes, n_outputs)
    n_params = sum((fan_in + 1) * fan_out for fan_in, fan_out in zip(sizes, sizes[1:]))
    batch = 200 if estimator.batch_size == "auto" else estimator.batch_size
    batch = n_rows if estimator.solver == "lbfgs" else min(batch, n_rows)
    n_activations = 3 * batch * sum(sizes[1:])  # z, a and delta of one batch
    needed = np.dtype(np.float64).itemsize * (PARAMETER_COPIES * n_params + n_activations)
    memory = _physical_memory()
    if memory is not None and needed > memory:
        raise CLIError(
            f"the network {' -> '.join(map(str, sizes))} has {n_params:,} weights and "
            f"biases; training it needs about {needed / 2**30:,.1f} GiB, more than the "
            f"{memory / 2**30:,.1f} GiB of memory of this machine: use smaller --hidden layers"
        )


def _physical_memory() -> int | None:
    """Bytes of physical memory, or None where the system does not tell (Windows)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, OSError, ValueError):
        return None


def _describe(estimator) -> str:
    """The estimator with the parameters that differ from its defaults."""
    defaults = type(estimator)().get_params()
    changed = [
        f"{name}={value!r}"
        for name, value in estimator.get_params().items()
        if name != "verbose" and value != defaults[name]
    ]
    return f"{type(estimator).__name__}({', '.join(changed)})"


def _timed_fit(estimator, X, y) -> tuple[float, bool]:
    """Fit, returning (seconds, converged); ConvergenceWarnings are recorded."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        start = time.perf_counter()
        estimator.fit(X, y)
        seconds = time.perf_counter() - start
    converged = True
    for warning in caught:
        if issubclass(warning.category, ConvergenceWarning):
            converged = False
        else:  # re-emit what was not meant to be silenced
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    return seconds, converged


def _fit_summary(mlp, seconds: float, converged: bool) -> str:
    """What the fit ran, and whose weights the model kept."""
    step = "L-BFGS iteration" if mlp.solver == "lbfgs" else "epoch"
    if mlp.validation_scores_ is not None:  # only then are the best weights restored
        kept = f"weights of epoch {mlp.best_epoch_} restored (the best on the validation split)"
    else:
        kept = f"weights of the last {step} kept"
    status = "" if converged else "; stopped at --max-iter before converging"
    return f"trained in {seconds:.2f} s: {mlp.n_iter_} {step}(s), {kept}{status}"


def _save_outputs(args: argparse.Namespace, pipeline, out: TextIO) -> None:
    if args.plot is not None:
        from matplotlib.figure import Figure

        from .display import TrainingCurveDisplay

        figure = Figure(figsize=(7, 4.5), layout="constrained")
        TrainingCurveDisplay.from_estimator(_skbp_estimator(pipeline), ax=figure.subplots())
        try:
            figure.savefig(args.plot)
        except OSError as exc:
            raise CLIError(f"--plot: cannot write {args.plot}: {exc.strerror or exc}") from None
        print(f"Training curves saved to {args.plot}", file=out)
    if args.save is not None:
        try:
            joblib.dump(pipeline, args.save)
        except OSError as exc:
            raise CLIError(f"--save: cannot write {args.save}: {exc.strerror or exc}") from None
        use = f"skbp --predict FILE --model {args.save}" if args.mode == TRAIN else "joblib.load"
        print(f"Fitted pipeline saved to {args.save} (use it with {use})", file=out)


# --------------------------------------------------------------------------
# the demonstration on the digits data set
# --------------------------------------------------------------------------
def _run_demo(args: argparse.Namespace, params: dict[str, Any], out: TextIO) -> None:
    from sklearn.datasets import load_digits
    from sklearn.neural_network import MLPClassifier

    X, y = load_digits(return_X_y=True)
    skbp_mlp = _checked_estimator(_CLASSIFICATION, params)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=args.test_size, stratify=y, random_state=params["random_state"]
    )
    _check_memory(skbp_mlp, X.shape[1], np.unique(y).size, len(y_train))
    sklearn_params = MLPClassifier().get_params()
    shared = {name: value for name, value in params.items() if name in sklearn_params}
    shared.update(early_stopping=bool(params["early_stopping"]), verbose=False)
    models = {
        "BackpropMLPClassifier (skbp)": make_pipeline(StandardScaler(), skbp_mlp),
        "MLPClassifier (scikit-learn)": make_pipeline(StandardScaler(), MLPClassifier(**shared)),
    }

    print("skbp demonstration: BackpropMLPClassifier vs scikit-learn's MLPClassifier", file=out)
    print(
        f"data: load_digits, {X.shape[0]} images of 8x8 pixels, {np.unique(y).size} classes; "
        f"stratified split {len(y_train)} train / {len(y_test)} test",
        file=out,
    )
    print(f"model: StandardScaler, then {_describe(skbp_mlp)}", file=out)
    results = []
    for step, (label, model) in enumerate(models.items(), start=1):
        print(f"\n[{step}/2] {label}", file=out, flush=True)
        seconds, converged = _timed_fit(model, X_train, y_train)
        epochs = f"{model[-1].n_iter_}" + ("" if converged else "*")
        results.append((label, model.score(X_test, y_test), seconds, epochs))

    print(f"\nResults on the {len(y_test)} held-out images:", file=out)
    header = f"{'estimator':<30}  {'test accuracy':>13}  {'fit seconds':>11}  {'epochs':>7}"
    print(header, "-" * len(header), sep="\n", file=out)
    for label, accuracy, seconds, epochs in results:
        print(f"{label:<30}  {accuracy:>13.4f}  {seconds:>11.2f}  {epochs:>7}", file=out)
    if any(epochs.endswith("*") for *_, epochs in results):
        print("* stopped at --max-iter before converging", file=out)
    skbp_only = [
        f"{name}={value!r}"
        for name, value in params.items()
        if name not in sklearn_params and value != DEFAULT_PARAMS[name]
    ]
    if isinstance(params["early_stopping"], str):
        skbp_only.append(f"early_stopping={params['early_stopping']!r} (MLPClassifier: True)")
    if skbp_only:
        print(f"note: not applied to MLPClassifier (skbp only): {', '.join(skbp_only)}", file=out)
    _save_outputs(args, models["BackpropMLPClassifier (skbp)"], out)


# --------------------------------------------------------------------------
# CSV files: training and prediction
# --------------------------------------------------------------------------
def _read_csv(path: str, sep: str, flag: str):
    """The CSV file as a DataFrame of numeric, boolean and object columns."""
    try:
        import pandas as pd
    except ImportError:
        raise CLIError(f'{flag} needs pandas to read CSV files: pip install "skbp[cli]"') from None
    try:
        frame = pd.read_csv(path, sep=sep, encoding="utf-8-sig", skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise CLIError(f"CSV file {path} is empty") from None
    except pd.errors.ParserError as exc:
        raise CLIError(f"cannot parse CSV file {path}: {exc}") from None
    except UnicodeDecodeError:
        raise CLIError(f"CSV file {path} is not UTF-8 text") from None
    except OSError as exc:
        raise CLIError(f"cannot read CSV file {path}: {exc.strerror or exc}") from None
    if frame.empty:
        raise CLIError(f"CSV file {path} has a header but no data rows")
    frame.columns = frame.columns.str.strip()
    # text as Python objects, what the imputer and the encoder expect
    text = frame.columns.difference(frame.select_dtypes(NUMERIC).columns)
    return frame.astype(dict.fromkeys(text, object))


def _require_columns(frame, path: str, columns: list[str], role: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        shown = ", ".join(map(repr, frame.columns[:20]))
        more = f" and {len(frame.columns) - 20} more" if len(frame.columns) > 20 else ""
        raise CLIError(
            f"{path} has no column {', '.join(map(repr, missing))} ({role}); its columns "
            f"are {shown}{more}"
        )


def _run_train(args: argparse.Namespace, params: dict[str, Any], out: TextIO) -> None:
    frame = _read_csv(args.csv, args.sep, "--csv")
    _require_columns(frame, args.csv, [args.target], "--target")
    _require_columns(frame, args.csv, args.id, "--id")
    X = frame.drop(columns=[args.target, *args.id])
    if X.shape[1] == 0:
        raise CLIError(f"{args.csv} has no feature columns besides the target and --id")
    n_missing = int(frame[args.target].isna().sum())
    if n_missing:
        raise CLIError(
            f"target column {args.target!r} has {n_missing} empty value(s); remove or fill "
            "those rows"
        )
    y = frame[args.target].to_numpy()
    y = y.astype(str) if y.dtype == object else y
    task = _detect_task(y, args.target, args.cv, args.task)
    if task is _REGRESSION:
        y = y.astype(np.float64)
    elif type_of_target(y) == "continuous":  # --task classification: labelled by their text
        y = y.astype(str)
    mlp = _checked_estimator(task, {**params, **_task_params(task, args, y)}, y)
    folds = None
    if args.cv:
        try:
            folds = task.folds(args.cv, random_state=params["random_state"])
        except ValueError as exc:
            raise CLIError(f"--cv {args.cv}: {exc} (0 skips cross-validation)") from None
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=args.test_size, stratify=y if task.stratify else None,
        random_state=params["random_state"],
    )
    numeric = list(X.select_dtypes(NUMERIC).columns)
    categorical = [column for column in X.columns if column not in numeric]
    n_inputs = len(numeric) + sum(X[column].nunique(dropna=False) for column in categorical)
    n_outputs = 1 if task is _REGRESSION else np.unique(y).size
    _check_memory(mlp, n_inputs, n_outputs, len(y_train))

    encode = make_pipeline(
        SimpleImputer(strategy="constant", fill_value="missing"),
        OneHotEncoder(handle_unknown="ignore"),
    )
    preprocess = ColumnTransformer([
        ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
        ("categorical", encode, categorical),
    ])
    pipeline = Pipeline([("preprocess", preprocess), ("mlp", _estimator_step(mlp))])
    if task is _REGRESSION:
        target = f"numbers from {y.min():.5g} to {y.max():.5g} (regression)"
    else:
        target = f"{np.unique(y).size} classes"
    print(f"data: {args.csv}", file=out)
    print(
        f"  {len(y)} rows; {len(numeric)} numeric feature column(s) (standardised), "
        f"{len(categorical)} categorical (one-hot encoded); target {args.target!r} with "
        f"{target}",
        file=out,
    )
    model = _describe(mlp)
    if task is _REGRESSION:
        centred = pipeline[-1].transformer.with_mean
        model += ", on the target " + (
            "standardised" if centred else "divided by its standard deviation"
        )
    print(f"model: {model}", file=out, flush=True)
    if folds is not None:
        quiet = Pipeline([("preprocess", preprocess),
                          ("mlp", _estimator_step(clone(mlp).set_params(verbose=0)))])
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
    print(
        f"held-out split: {len(y_train)} training rows, {len(y_test)} test rows "
        f"(test_size={args.test_size})",
        file=out,
        flush=True,
    )
    seconds, converged = _timed_fit(pipeline, X_train, y_train)
    fitted = _skbp_estimator(pipeline)
    print(_fit_summary(fitted, seconds, converged), file=out)
    print("\nreport on the held-out rows:", file=out)
    print(task.report(y_test, pipeline.predict(X_test), fitted), file=out)
    _save_outputs(args, pipeline, out)


def _load_model(path: str):
    """The fitted pipeline (or estimator) saved in ``path``, checked."""
    if not os.path.isfile(path):
        raise CLIError(f"model file not found: {path}")
    try:
        model = joblib.load(path)
    except Exception as exc:  # unpickling arbitrary bytes fails in arbitrary ways
        raise CLIError(
            f"{path} is not a skbp model: joblib cannot load it ({type(exc).__name__}: {exc})"
        ) from None
    mlp = _skbp_estimator(model)
    if not isinstance(mlp, BaseBackpropMLP):
        raise CLIError(
            f"{path} holds a {type(model).__name__}, not a skbp model (a pipeline ending in "
            "BackpropMLPClassifier or BackpropMLPRegressor, as saved by --save)"
        )
    check_is_fitted(mlp)
    if not hasattr(model, "feature_names_in_"):
        raise CLIError(
            f"the model in {path} was trained without column names, but --predict finds "
            "the features by name: use a model saved by skbp --csv ... --save"
        )
    return model


def _run_predict(args: argparse.Namespace, out: TextIO) -> None:
    model = _load_model(args.model)
    if args.proba and is_regressor(model):
        raise CLIError(
            f"--proba: the model in {args.model} is a "
            f"{type(_skbp_estimator(model)).__name__}; it predicts numbers, not class "
            "probabilities"
        )
    frame = _read_csv(args.predict, args.sep, "--predict")
    _require_columns(frame, args.predict, args.id, "--id")
    features = list(model.feature_names_in_)
    _require_columns(frame, args.predict, features, f"a feature of the model {args.model}")
    X = frame[features]
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
    try:
        predictions.to_csv(out if args.output is None else args.output, sep=args.sep, index=False)
    except OSError as exc:
        raise CLIError(f"--output: cannot write {args.output}: {exc.strerror or exc}") from None
    if args.output is not None:
        print(f"{len(predictions)} prediction(s) written to {args.output}", file=out)
