"""Classification or regression: which the target asks for, and how each is split and scored.

``--task auto`` decides from the target column:

* text and booleans are class labels;
* real numbers (scikit-learn's :func:`~sklearn.utils.multiclass.type_of_target`
  says ``"continuous"``) are a regression target;
* whole numbers are class labels when there are at most
  :data:`MAX_INTEGER_CLASSES` distinct values (codes, ratings, small counts),
  and a regression target when there are more (scikit-learn's diabetes target
  has 214 distinct whole numbers in 442 rows: a quantity, not 214 classes).

The report says which rule decided, and ``--task`` overrides it.
"""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from sklearn.metrics import (
    classification_report,
    mean_absolute_error,
    mean_gamma_deviance,
    mean_poisson_deviance,
    r2_score,
)
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.utils.multiclass import type_of_target

from ..._estimators.classifier import BackpropMLPClassifier
from ..._estimators.regressor import BackpropMLPRegressor
from ._columns import describe_cells, not_numbers
from ._options import CLIError

TASKS = ["auto", "classification", "regression"]
# More distinct whole numbers than this make a quantity, not class codes (see above).
MAX_INTEGER_CLASSES = 20
# The regressor's own parameters: options of train for a regression target only.
REGRESSION_PARAMS = ["loss", "quantile"]


@dataclass(frozen=True)
class Task:
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


CLASSIFICATION = Task(
    estimator=BackpropMLPClassifier,
    folds=partial(StratifiedKFold, shuffle=True),
    stratify=True,
    scoring={"accuracy": ("accuracy", ".4f")},
    report=_classification_report,
)
REGRESSION = Task(
    estimator=BackpropMLPRegressor,
    folds=partial(KFold, shuffle=True),
    stratify=False,
    scoring={"R²": ("r2", ".4f"), "MAE": ("neg_mean_absolute_error", ".5g")},
    report=_regression_report,
)


def target_and_task(column, path: str, n_folds: int, task: str) -> tuple[np.ndarray, Task, str]:
    """The target's values, the task, and the report's line on how the task was chosen."""
    name = column.name
    n_missing = int(column.isna().sum())
    if n_missing:
        raise CLIError(
            f"target column {name!r} has {n_missing} empty value(s); remove or fill those rows"
        )
    y = column.to_numpy()
    if y.dtype == object:
        cells = not_numbers(column)
        if task != "classification" and 0 < len(cells) < len(y) / 2:
            raise CLIError(
                f"target column {name!r} of {path} is mostly numbers, but not in "
                f"{describe_cells(cells)}: fix those cells, or pass --task classification "
                "to take every value for a class label"
            )
        y = y.astype(str)
    numbers = y.dtype.kind in "iuf"  # booleans are labels
    kind = type_of_target(y)
    n_values = np.unique(y).size
    many = numbers and n_values > MAX_INTEGER_CLASSES
    if task == "regression" or (task == "auto" and (kind == "continuous" or many)):
        if y.dtype.kind not in "biuf":
            raise CLIError(
                f"target column {name!r} holds text (such as {_plain(y[0])!r}); a regression needs "
                "numbers"
            )
        y = y.astype(np.float64)
        values = f"numbers from {y.min():.5g} to {y.max():.5g}"
        if task == "auto" and kind != "continuous":
            why = (f"{n_values} distinct whole numbers, more than {MAX_INTEGER_CLASSES}, "
                   "fitted as numbers; --task classification takes them for class labels")
        else:
            why = "regression"
        return y, REGRESSION, f"target {name!r}: {values} ({why})"
    if kind == "continuous":  # --task classification: labelled by their text
        y = y.astype(str)
    hint = ("; to fit its values as numbers, use --task regression"
            if task == "auto" and numbers else "")
    _check_classes(y, name, n_folds, hint)
    why = ("whole numbers taken for class labels; --task regression fits them as numbers"
           if hint else "classification")
    return y, CLASSIFICATION, f"target {name!r}: {n_values} classes ({why})"


def _check_classes(y: np.ndarray, target: str, n_folds: int, hint: str) -> None:
    """Refuse a target with one class, or with a class too rare for the stratified splits."""
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


def task_params(task: Task, args: argparse.Namespace, y: np.ndarray) -> dict[str, Any]:
    """The regressor's own options that were given (--loss, --quantile), checked.

    ``--quantile`` without ``--loss quantile`` is refused here, in the words of
    the options, before the data is split. The estimator only warns about it,
    so that a grid search over ``loss`` with a fixed ``quantile`` runs; on a
    command line it can only be a mistake.
    """
    given = {name: getattr(args, name) for name in REGRESSION_PARAMS}
    given = {name: value for name, value in given.items() if value is not None}
    if given and task is not REGRESSION:
        flags = " and ".join(f"--{name}" for name in given)
        if y.dtype.kind in "biuf":
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


def _plain(value: Any) -> Any:
    """NumPy scalar -> Python scalar, so that repr() reads naturally."""
    return value.item() if isinstance(value, np.generic) else value
