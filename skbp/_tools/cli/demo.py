"""``skbp demo`` (and ``skbp`` alone): BackpropMLPClassifier next to MLPClassifier on digits.

It needs nothing beyond the base install (NumPy, SciPy, scikit-learn).
"""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import argparse
from typing import TextIO

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ..._estimators.classifier import BackpropMLPClassifier
from ._fitting import check_memory, checked_estimator, describe, timed_fit
from ._options import (
    DEFAULT_PARAMS,
    add_fit_output_options,
    add_model_options,
    estimator_params,
    subcommand,
)
from ._outputs import check_output_paths, check_plot_format, save_outputs

EXAMPLES = """\
  skbp demo
  skbp demo --hidden 128 64 --dropout 0.1 --max-iter 50 --plot curves.png"""


def add_parser(subparsers) -> None:
    parser = subcommand(
        subparsers, "demo",
        "train BackpropMLPClassifier on scikit-learn's digits next to MLPClassifier "
        "(what 'skbp' alone runs)",
        EXAMPLES,
    )
    add_model_options(parser)
    add_fit_output_options(parser, verbose=1)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> None:
    from sklearn.datasets import load_digits
    from sklearn.neural_network import MLPClassifier

    check_output_paths({"--plot": args.plot, "--save": args.save}, {})
    check_plot_format(args.plot)
    params = estimator_params(args)
    X, y = load_digits(return_X_y=True)
    skbp_mlp = checked_estimator(BackpropMLPClassifier, params)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=args.test_size, stratify=y, random_state=params["random_state"]
    )
    check_memory(skbp_mlp, X.shape[1], np.unique(y).size, len(y_train))
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
    print(f"model: StandardScaler, then {describe(skbp_mlp)}", file=out)
    results = []
    for step, (label, model) in enumerate(models.items(), start=1):
        print(f"\n[{step}/2] {label}", file=out, flush=True)
        seconds, converged = timed_fit(model, X_train, y_train)
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
    pipeline = models["BackpropMLPClassifier (skbp)"]
    save_outputs(args.plot, args.save, pipeline, pipeline[-1], "joblib.load", out)
