"""The options that several subcommands share, and the parser that reports errors in one line.

Each hyperparameter option sets the estimator parameter of its name; its choices
come from the engine's and the estimator's tables, and its value is judged by the
estimator's own validation.
"""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import argparse
from typing import Any, NoReturn

from sklearn.utils._param_validation import StrOptions

from ..._engine.activations import ACTIVATIONS
from ..._engine.initializers import INITIALIZERS
from ..._estimators.classifier import BackpropMLPClassifier
from ..._estimators.params import PARAMETER_CONSTRAINTS

PROG = "skbp"


class CLIError(Exception):
    """A user-facing error: printed as one line, exit status 2."""


class ArgumentParser(argparse.ArgumentParser):
    """A parser that raises :class:`CLIError` instead of printing its usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise CLIError(f"{message} (see '{self.prog} --help')")


def subcommand(subparsers, name: str, summary: str, examples: str) -> ArgumentParser:
    """A subcommand's parser, whose ``--help`` ends with ``examples``."""
    return subparsers.add_parser(
        name,
        help=summary,
        description=summary,
        epilog=f"examples:\n{examples}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


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


def _int_or_text(text: str) -> int | str:
    """An int if ``text`` spells one, else the text (for the estimator to judge)."""
    try:
        return int(text)
    except ValueError:
        return text


class _Given(argparse.Action):
    """Store the option's value and add its name to ``args.given``: the options
    the user wrote, which ``--model tabular`` passes on (and no default)."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        namespace.given = (*getattr(namespace, "given", ()), self.dest)


def with_default(help: str, shown: Any) -> str:
    return f"{help} (default: {shown})"


def add_model_options(parser: argparse.ArgumentParser) -> None:
    """The hyperparameters shared by the demonstration and ``train``."""
    model = parser.add_argument_group(
        "model", "each option sets the estimator parameter of its name"
    )

    def param(flag, help, shown=None, **kwargs):
        default = DEFAULT_PARAMS[kwargs.setdefault("dest", flag[2:].replace("-", "_"))]
        kwargs.setdefault("action", _Given)
        model.add_argument(flag, default=default, **kwargs,
                           help=with_default(help, default if shown is None else shown))

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


def add_fit_output_options(parser: argparse.ArgumentParser, verbose: int) -> None:
    """--test-size, --verbose, --plot and --save: what a training run shows and keeps."""
    parser.add_argument("--test-size", type=float, default=0.25, metavar="FRACTION",
                        help=with_default("fraction of the rows held out for the report", 0.25))
    output = parser.add_argument_group("output")
    output.add_argument("--verbose", type=int, default=verbose, metavar="LEVEL",
                        help=with_default("verbosity of the final fit; 1 prints one line "
                                          "per epoch", verbose))
    output.add_argument("--plot", metavar="FILE",
                        help="save a plot of the training curves, e.g. curves.png; needs "
                        "matplotlib")
    output.add_argument("--save", metavar="FILE",
                        help="save the fitted pipeline (preprocessing + estimator) with "
                        "joblib, e.g. model.joblib")


def _separator(text: str) -> str:
    separator = "\t" if text == r"\t" else text
    if len(separator) != 1:
        raise argparse.ArgumentTypeError(rf"takes one character ('\t' for a tab), got {text!r}")
    return separator


def add_csv_options(parser: argparse.ArgumentParser, id_help: str) -> None:
    """The CSV file (positional), --sep and --id of ``train`` and ``predict``."""
    parser.add_argument("csv", metavar="FILE", help="a CSV file with a header row")
    parser.add_argument("--sep", type=_separator, default=",", metavar="CHAR",
                        help=with_default(r"field separator; '\t' is a tab", "','"))
    parser.add_argument("--id", nargs="+", default=[], metavar="COLUMN", help=id_help)


def estimator_params(args: argparse.Namespace) -> dict[str, Any]:
    """The estimator's parameters that the options of :func:`add_model_options` set."""
    given = vars(args)
    params = {name: given[name] for name in DEFAULT_PARAMS if name in given}
    params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
    if isinstance(params["dropout"], list):
        dropout = params["dropout"]
        params["dropout"] = dropout[0] if len(dropout) == 1 else tuple(dropout)
    return params
