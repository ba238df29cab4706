"""Command-line interface: ``skbp`` / ``python -m skbp``, with three subcommands.

``skbp train FILE --target COLUMN`` trains a classifier, or a regressor, on a CSV
file (:mod:`.train`); ``skbp predict FILE --model MODEL`` predicts a CSV file with
a saved model (:mod:`.predict`); ``skbp demo``, and ``skbp`` alone, compares
BackpropMLPClassifier with scikit-learn's MLPClassifier on digits (:mod:`.demo`).

The hyperparameter options go to the estimator untouched, and the estimator's
own validation judges them before any work starts. Every user error is one
``skbp: error: ...`` line on stderr with exit status 2.
"""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import sys
from collections.abc import Sequence

from ... import __version__
from . import demo, predict, train
from ._options import PROG, ArgumentParser, CLIError

__all__ = ["main"]

SUBCOMMANDS = {"train": train, "predict": predict, "demo": demo}
# skbp 0.1's options that chose the mode; kept for one release (0.2), removed in 0.3.
LEGACY_MODES = {"--csv": "train", "--predict": "predict"}


def build_parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog=PROG,
        description="Train skbp's MLPs from the command line: TabularMLPClassifier or "
        "TabularMLPRegressor on a CSV file, BackpropMLPClassifier or BackpropMLPRegressor "
        "with --model mlp. Without a subcommand, skbp runs the demo.",
        epilog=(
            "examples:\n"
            "  python -m skbp\n"
            "  skbp train adult.csv --target income --save model.joblib\n"
            "  skbp train iris.csv --target species --model mlp --hidden 32 16 --save m.joblib\n"
            "  skbp predict new.csv --model model.joblib --proba --output pred.csv\n"
            "  skbp train --help\n\n"
            "Errors are reported as one 'skbp: error: ...' line with exit status 2."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(title="subcommands", metavar="{train,predict,demo}",
                                       dest="subcommand", required=True)
    for module in SUBCOMMANDS.values():
        module.add_parser(subparsers)
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
        ``skbp: error: ...`` line on stderr), 130 when interrupted.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        try:
            args = build_parser().parse_args(subcommand_form(argv))
        except SystemExit as exc:  # --help / --version
            return int(exc.code or 0)
        args.run(args, sys.stdout)
    except (CLIError, ValueError) as exc:  # ValueError: the estimator's and sklearn's
        return _report_error(str(exc))
    except MemoryError as exc:  # where the memory of the machine is not known
        return _report_error(f"out of memory: {exc}")
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of the output went away, as `| head` does
        return _silence_stdout()
    return 0


def _silence_stdout() -> int:
    """Exit status 1 without a second broken pipe when Python flushes stdout at exit."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 1


def _report_error(message: str) -> int:
    sys.stdout.flush()
    print(f"{PROG}: error: {' '.join(message.split()) or 'unknown error'}", file=sys.stderr)
    return 2


def subcommand_form(argv: list[str]) -> list[str]:
    """``argv`` with its subcommand: ``demo`` when empty, and skbp 0.1's forms translated.

    ``skbp --csv FILE ...`` is ``skbp train FILE --model mlp ...`` (the model 0.1
    trained), ``skbp --predict FILE ...``
    is ``skbp predict FILE ...`` and options alone are the demo's; a one-line
    note on stderr names the new form.
    """
    if not argv:
        return ["demo"]
    if not argv[0].startswith("-") or argv[0] in ("-h", "--help", "--version"):
        return argv  # a subcommand (or a misspelt one, which argparse names)
    modes = [(i, arg.partition("=")) for i, arg in enumerate(argv)
             if arg.partition("=")[0] in LEGACY_MODES]
    if len(modes) > 1:
        raise CLIError("--csv and --predict cannot be used together: use 'skbp train FILE' "
                       "or 'skbp predict FILE'")
    rest = list(argv)
    if modes:
        [(i, (flag, equals, value))] = modes
        if not equals:
            if i + 1 == len(rest):
                raise CLIError(f"argument {flag}: expected one argument (see '{PROG} --help')")
            value = rest.pop(i + 1)
        del rest[i]
        new = [LEGACY_MODES[flag], value, *rest]
        if new[0] == "train" and not any(arg.partition("=")[0] == "--model" for arg in rest):
            new[2:2] = ["--model", "mlp"]  # 0.1 trained the MLP pipeline; tabular is 0.2's default
    else:
        new = ["demo", *rest]
    print(f"{PROG}: note: '{PROG} {shlex.join(argv)}' is skbp 0.1's form, which goes in 0.3: "
          f"use '{PROG} {shlex.join(new)}'", file=sys.stderr)
    return new
