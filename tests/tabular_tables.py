"""Small mixed tables for the Tabular estimators' tests (ONNX, persistence, tools)."""

import numpy as np
import pandas as pd

#: A network small and short enough for tests that check plumbing, not learning.
SMALL = dict(hidden_layer_sizes=(8, 8), max_iter=3, random_state=0)


def table(n=160, seed=0):
    rng = np.random.RandomState(seed)
    X = pd.DataFrame(
        {
            "size": rng.randn(n),
            "weight kg": rng.randn(n) * 3 + 1,  # a name that is no identifier
            "colour": pd.Categorical(rng.choice(["red", "green", "blue"], n)),
            "side": rng.choice(["left", "right"], n).astype(object),
            # 20 levels, above max_onehot_categories=16: target encoded
            "city": pd.Categorical(rng.choice(list("abcdefghijklmnopqrst"), n)),
            "flag": rng.rand(n) > 0.5,
            "constant": np.ones(n),
        }
    )
    X.loc[::7, "size"] = np.nan
    X.loc[::11, "colour"] = np.nan
    X.loc[::13, "city"] = np.nan
    return X


def new_rows(X):
    """Rows with an unseen level, a missing value never seen in training, extreme numbers."""
    X = X.copy()
    X["colour"] = X["colour"].cat.add_categories(["purple"])
    X.loc[:4, "colour"] = "purple"
    X.loc[5:8, "side"] = None
    X.loc[9:10, "weight kg"] = [1e6, -1e6]
    X.loc[11, "size"] = np.nan
    return X


def labels(X, n_classes):
    score = X["weight kg"].to_numpy() + 2 * (X["colour"] == "red").to_numpy()
    return np.digitize(
        score, np.quantile(score, np.linspace(0, 1, n_classes + 1)[1:-1])
    )
