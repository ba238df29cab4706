"""Learning quality against scikit-learn's MLPClassifier on the bundled digits data."""

import warnings

import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbp import BackpropMLPClassifier

# scikit-learn's defaults (hidden_layer_sizes=(100,), max_iter=200, ...), except a
# step size for SGD that converges within max_iter.
PARAMS = {
    "adam": dict(random_state=0),
    "sgd": dict(learning_rate_init=0.01, random_state=0),
    "lbfgs": dict(random_state=0),
}


def _cv_accuracy(estimator, X, y):
    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return cross_val_score(make_pipeline(StandardScaler(), estimator), X, y, cv=cv, n_jobs=2)


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_digits_cross_validation_matches_mlpclassifier(solver):
    X, y = load_digits(return_X_y=True)
    ours = _cv_accuracy(BackpropMLPClassifier(solver=solver, **PARAMS[solver]), X, y)
    theirs = _cv_accuracy(MLPClassifier(solver=solver, **PARAMS[solver]), X, y)
    print(f"{solver}: skbp {ours.mean():.4f} ± {ours.std():.4f}, sklearn {theirs.mean():.4f} ± {theirs.std():.4f}")
    assert ours.mean() >= theirs.mean() - 0.01
    assert ours.mean() > 0.9  # both learn digits; a broken backward pass gives ~0.1
