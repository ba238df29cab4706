"""BackpropMLPClassifier inside scikit-learn's ecosystem, and its MLPClassifier API."""

import pickle
import re
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import (
    load_iris,
    make_classification,
    make_multilabel_classification,
)
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skbp import BackpropMLPClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def test_public_methods_have_mlpclassifiers_signatures():
    import inspect

    for name, method in inspect.getmembers(MLPClassifier, callable):
        if name.startswith("_") or name in ("set_fit_request", "set_partial_fit_request",
                                            "set_score_request"):
            continue
        ours = inspect.signature(getattr(BackpropMLPClassifier, name))
        theirs = inspect.signature(method)
        assert list(ours.parameters) == list(theirs.parameters), name


def test_partial_fit_takes_sample_weight_third_as_scikit_learn():
    rng = np.random.RandomState(0)
    X, y, w = rng.randn(40, 3), np.arange(40) % 2, rng.uniform(0.5, 2, 40)
    positional = BackpropMLPClassifier(random_state=0).partial_fit(X, y, w, [0, 1])
    keywords = BackpropMLPClassifier(random_state=0).partial_fit(
        X, y, sample_weight=w, classes=[0, 1]
    )
    for a, b in zip(positional.coefs_, keywords.coefs_):
        np.testing.assert_array_equal(a, b)


def test_meta_estimators_pick_the_response_method_they_pick_for_mlpclassifier(iris):
    from sklearn.utils._response import _get_response_values

    X, y = iris
    for preference in (["decision_function", "predict_proba"], ["decision_function", "predict"]):
        picked = [
            _get_response_values(
                est.fit(X, y), X, preference, return_response_method_used=True
            )[-1]
            for est in (MLPClassifier(max_iter=5), BackpropMLPClassifier(max_iter=5))
        ]
        assert picked[0] == picked[1]


def test_sigmoid_calibration_helps_as_it_helps_mlpclassifier():
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.datasets import load_digits
    from sklearn.frozen import FrozenEstimator
    from sklearn.metrics import log_loss
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X_tr, X_rest, y_tr, y_rest = train_test_split(X, y, test_size=0.5, random_state=0, stratify=y)
    X_cal, X_te, y_cal, y_te = train_test_split(
        X_rest, y_rest, test_size=0.5, random_state=0, stratify=y_rest
    )
    model = make_pipeline(StandardScaler(), BackpropMLPClassifier(random_state=0)).fit(X_tr, y_tr)
    calibrated = CalibratedClassifierCV(FrozenEstimator(model), method="sigmoid").fit(X_cal, y_cal)
    # Calibrating raw logits (what decision_function gave) raised it from 0.202 to 0.285.
    assert log_loss(y_te, calibrated.predict_proba(X_te)) < log_loss(y_te, model.predict_proba(X_te))


def test_same_parameters_and_defaults_as_mlpclassifier():
    ours = BackpropMLPClassifier().get_params()
    theirs = MLPClassifier().get_params()
    for name, default in theirs.items():
        assert name in ours, name
        assert ours[name] == default, name


def test_fitted_attributes_match_mlpclassifier(iris):
    X, y = iris
    ours = BackpropMLPClassifier(max_iter=20, random_state=0).fit(X, y)
    theirs = MLPClassifier(max_iter=20, random_state=0).fit(X, y)
    for name in vars(theirs):
        if name.endswith("_") and not name.startswith("_"):
            assert hasattr(ours, name), name
    assert [c.shape for c in ours.coefs_] == [c.shape for c in theirs.coefs_]
    assert ours.n_layers_ == theirs.n_layers_ == 3
    assert ours.out_activation_ == theirs.out_activation_ == "softmax"
    assert ours.t_ == theirs.t_ == 20 * X.shape[0]


def test_pipeline_grid_search_and_cross_val_score(iris):
    X, y = iris
    pipe = make_pipeline(
        StandardScaler(),
        BackpropMLPClassifier(learning_rate_init=0.01, max_iter=100, random_state=0),
    )
    grid = GridSearchCV(
        pipe,
        {
            "backpropmlpclassifier__hidden_layer_sizes": [(8,), (16,)],
            "backpropmlpclassifier__initializer": ["auto", "orthogonal"],
        },
        cv=3,
        n_jobs=2,
    ).fit(X, y)
    assert grid.best_score_ > 0.8
    scores = cross_val_score(pipe, X, y, cv=3, n_jobs=2)
    assert scores.shape == (3,) and scores.mean() > 0.8


def test_same_random_state_gives_bit_identical_weights(iris):
    X, y = iris
    params = dict(dropout=0.2, early_stopping=True, max_iter=15, random_state=7)
    a = BackpropMLPClassifier(**params).fit(X, y)
    b = BackpropMLPClassifier(**params).fit(X, y)
    for ca, cb in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        assert np.array_equal(ca, cb)
    c = BackpropMLPClassifier(**{**params, "random_state": 8}).fit(X, y)
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])


def test_clone_and_pickle(iris):
    X, y = iris
    clf = BackpropMLPClassifier(max_iter=10, random_state=0).fit(X, y)
    with pytest.raises(NotFittedError):
        clone(clf).predict(X)
    restored = pickle.loads(pickle.dumps(clf))
    assert np.array_equal(restored.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_dtype_is_preserved(iris, dtype, solver):
    X, y = iris
    clf = BackpropMLPClassifier(solver=solver, max_iter=10, random_state=0).fit(X.astype(dtype), y)
    assert all(c.dtype == dtype for c in clf.coefs_ + clf.intercepts_)
    proba = clf.predict_proba(X.astype(dtype))
    assert proba.dtype == dtype
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5 if dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_input_matches_dense(iris, fmt):
    X, y = iris
    X[np.abs(X) < 0.5] = 0
    dense = BackpropMLPClassifier(max_iter=10, random_state=0).fit(X, y)
    sparse = BackpropMLPClassifier(max_iter=10, random_state=0).fit(sp.csr_matrix(X).asformat(fmt), y)
    np.testing.assert_allclose(sparse.coefs_[0], dense.coefs_[0], rtol=1e-10, atol=1e-12)


def test_dataframe_feature_names_and_string_labels(iris):
    pd = pytest.importorskip("pandas")
    X, y = iris
    df = pd.DataFrame(X, columns=["sepal_l", "sepal_w", "petal_l", "petal_w"])
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = BackpropMLPClassifier(max_iter=30, random_state=0).fit(df, labels)
    assert list(clf.feature_names_in_) == list(df.columns)
    assert set(clf.predict(df)) <= set(labels)
    assert list(clf.classes_) == ["setosa", "versicolor", "virginica"]


def test_binary_and_multilabel_outputs():
    X, y = make_classification(n_samples=120, random_state=0)
    binary = BackpropMLPClassifier(max_iter=30, random_state=0).fit(X, y * 2 - 1)
    assert binary.out_activation_ == "logistic" and binary.n_outputs_ == 1
    assert binary.predict_proba(X).shape == (120, 2)
    assert set(binary.predict(X)) <= {-1, 1}

    X, Y = make_multilabel_classification(n_samples=120, n_classes=4, random_state=0)
    multi = BackpropMLPClassifier(max_iter=50, random_state=0).fit(X, Y)
    assert multi.out_activation_ == "logistic" and multi.n_outputs_ == 4
    assert multi.predict(X).shape == Y.shape
    proba = multi.predict_proba(X)
    assert proba.shape == Y.shape and np.all((proba >= 0) & (proba <= 1))


def test_warm_start_continues_and_partial_fit_accumulates(iris):
    X, y = iris
    clf = BackpropMLPClassifier(max_iter=5, warm_start=True, random_state=0).fit(X, y)
    first = [c.copy() for c in clf.coefs_]
    clf.fit(X, y)
    assert len(clf.loss_curve_) == 10 and clf.n_iter_ == 5
    assert not np.array_equal(first[0], clf.coefs_[0])

    online = BackpropMLPClassifier(random_state=0)
    for _ in range(3):
        online.partial_fit(X, y, classes=np.unique(y))
    assert online.n_iter_ == 1 and len(online.history_) == 3
    assert online.t_ == 3 * X.shape[0]
    assert not hasattr(BackpropMLPClassifier(solver="lbfgs"), "partial_fit")


def test_convergence_warning_and_verbose_output(iris, capsys):
    X, y = iris
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        BackpropMLPClassifier(max_iter=3, verbose=1, random_state=0).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    epochs = [line for line in lines if line.startswith("Iteration")]
    assert len(epochs) == 3
    # scikit-learn's wording first, so existing log parsers keep working.
    assert all(re.match(r"Iteration \d+, loss = \d+\.\d{8}", line) for line in epochs)
    assert lines[0].startswith("Training BackpropMLPClassifier")


def test_nothing_printed_when_not_verbose(iris, capsys):
    X, y = iris
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        BackpropMLPClassifier(max_iter=3, random_state=0).fit(X, y)
    assert capsys.readouterr().out == ""


def test_predict_logits_is_the_output_net_input(iris):
    from scipy.special import expit, softmax

    X, y = iris
    multi = BackpropMLPClassifier(max_iter=20, random_state=0).fit(X, y)
    z = multi.predict_logits(X)
    assert z.shape == (X.shape[0], 3)
    np.testing.assert_allclose(softmax(z, axis=1), multi.predict_proba(X), rtol=1e-12)
    np.testing.assert_array_equal(multi.classes_[z.argmax(axis=1)], multi.predict(X))

    binary = BackpropMLPClassifier(max_iter=20, random_state=0).fit(X, y == 2)
    z = binary.predict_logits(X)
    assert z.shape == (X.shape[0],)
    np.testing.assert_allclose(expit(z), binary.predict_proba(X)[:, 1], rtol=1e-12)
    np.testing.assert_array_equal(binary.predict(X), z > 0)


def test_verbose_2_reports_progress_inside_epochs_on_stderr(iris, capsys):
    X, y = iris
    BackpropMLPClassifier(max_iter=3, batch_size=16, verbose=2, random_state=0).fit(X, y)
    captured = capsys.readouterr()
    assert sum(line.startswith("Iteration") for line in captured.out.splitlines()) == 3
    progress = [line for line in captured.err.splitlines() if line.strip().startswith("epoch")]
    # Throttled to about one line per second, but every epoch reports its end.
    for epoch in (1, 2, 3):
        assert f"epoch {epoch}: {X.shape[0]}/{X.shape[0]} samples (100%)" in "\n".join(progress)
    assert len(progress) < 3 * (X.shape[0] // 16 + 1)  # not one line per batch

    BackpropMLPClassifier(max_iter=2, verbose=1, random_state=0).fit(X, y)
    assert capsys.readouterr().err == ""


def test_html_repr_links_to_the_api_page():
    import pathlib

    from skbp._estimators.base import DOCUMENTATION_URL

    root = pathlib.Path(__file__).parents[1]
    assert f'Documentation = "{DOCUMENTATION_URL}"' in (root / "pyproject.toml").read_text()
    link = BackpropMLPClassifier()._get_doc_link()
    assert link == DOCUMENTATION_URL + "gen_modules/skbp.BackpropMLPClassifier.html"
    assert link in BackpropMLPClassifier()._repr_html_()
    # The page is the one docs/api.rst's autosummary writes into gen_modules/.
    api = (root / "docs" / "api.rst").read_text()
    assert ":toctree: gen_modules" in api and "   BackpropMLPClassifier\n" in api
