"""Test accuracy of skbp's initializers next to scikit-learn's MLPClassifier.

Two protocols (issue 10 §6), every fit run one after the other with one BLAS
thread and ConvergenceWarnings ignored:

* synthetic: ``make_classification(20000, 784, n_informative=60, n_redundant=0,
  n_classes=10, random_state=0)`` as float32; for seeds 1-3 a 75/25
  ``train_test_split(random_state=seed)`` and a ``(256, 128)`` ReLU network
  (adam, ``batch_size=128``, ``max_iter=10``, ``random_state=seed``); the mean
  test accuracy over the seeds;
* digits: shuffled stratified 5-fold cross-validation of
  ``make_pipeline(StandardScaler(), estimator)`` with default parameters, for
  seeds 0-3 (the seed of the folds and of the estimator); the mean accuracy
  over the 20 folds.

    python benchmarks/bench_initializers.py            # about 10 minutes on 2 cores
    python benchmarks/bench_initializers.py --quick    # smaller data, seconds
"""

import argparse
import time
import warnings

import numpy as np
from _harness import blas_threads, machine_info, print_machine
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbp import BackpropMLPClassifier

SYNTHETIC_MODELS = {
    'skbp "auto" (default)': (BackpropMLPClassifier, {"initializer": "auto"}),
    'skbp "lecture"': (BackpropMLPClassifier, {"initializer": "lecture"}),
    'skbp "glorot_uniform"': (BackpropMLPClassifier, {"initializer": "glorot_uniform"}),
    'skbp "lecun_uniform"': (BackpropMLPClassifier, {"initializer": "lecun_uniform"}),
    "MLPClassifier": (MLPClassifier, {}),
}
DIGITS_MODELS = {
    name: SYNTHETIC_MODELS[name]
    for name in ('skbp "auto" (default)', 'skbp "lecture"', "MLPClassifier")
}


def synthetic(quick):
    n_samples, epochs, seeds = (2000, 2, [1]) if quick else (20000, 10, [1, 2, 3])
    X, y = make_classification(
        n_samples, 784, n_informative=60, n_redundant=0, n_classes=10, random_state=0
    )
    X = X.astype(np.float32)
    scores = {name: [] for name in SYNTHETIC_MODELS}
    for seed in seeds:
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.25, random_state=seed
        )
        for name, (cls, params) in SYNTHETIC_MODELS.items():
            model = cls(
                hidden_layer_sizes=(256, 128),
                activation="relu",
                batch_size=128,
                max_iter=epochs,
                random_state=seed,
                **params,
            )
            scores[name].append(model.fit(X_train, y_train).score(X_test, y_test))
    title = (
        f"make_classification({n_samples}, 784), float32, (256, 128) relu, "
        f"{epochs} epochs: test accuracy"
    )
    return title, seeds, scores


def digits(quick):
    X, y = load_digits(return_X_y=True)
    seeds, max_iter = ([0], 5) if quick else ([0, 1, 2, 3], 200)
    scores = {name: [] for name in DIGITS_MODELS}
    for seed in seeds:
        cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
        for name, (cls, params) in DIGITS_MODELS.items():
            estimator = cls(max_iter=max_iter, random_state=seed, **params)
            model = make_pipeline(StandardScaler(), estimator)
            scores[name].append(cross_val_score(model, X, y, cv=cv).mean())
    title = (
        "digits, shuffled stratified 5-fold CV, default parameters "
        f"(max_iter={max_iter}): mean accuracy"
    )
    return title, seeds, scores


def print_table(title, seeds, scores):
    print(f"\n{title}")
    header = f"{'initializer':<24}  {'mean':>6}  " + "  ".join(
        f"{'seed ' + str(s):>7}" for s in seeds
    )
    print(header)
    print("-" * len(header))
    for name, values in scores.items():
        per_seed = "  ".join(f"{v:>7.4f}" for v in values)
        print(f"{name:<24}  {np.mean(values):>6.4f}  {per_seed}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller data, one seed")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with blas_threads(1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        print_machine(machine_info())
        print_table(*synthetic(args.quick))
        print_table(*digits(args.quick))
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
