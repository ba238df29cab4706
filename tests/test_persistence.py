"""Persistence and concurrency: pickle/joblib/skops round trips, clone, threaded predict."""

import copy
import io
import pickle
import pickletools
import warnings
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
import skops.io
from sklearn.base import clone
from sklearn.datasets import load_digits, load_iris
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.neural_network import MLPClassifier

from skbp import BackpropMLPClassifier, BackpropMLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _data(n_samples=60, n_features=5, n_classes=3, seed=0):
    rng = np.random.RandomState(seed)
    y = np.arange(n_samples) % n_classes
    X = rng.randn(n_samples, n_features) + y[:, None]
    return X, y


def _pickle_round_trip(est):
    return pickle.loads(pickle.dumps(est))


def _joblib_round_trip(est):
    buffer = io.BytesIO()
    joblib.dump(est, buffer)
    buffer.seek(0)
    return joblib.load(buffer)


def _joblib_file_round_trip(est, tmp_path):
    path = tmp_path / "model.joblib"
    joblib.dump(est, path, compress=3)
    return joblib.load(path)


def _assert_same_history(history, expected):
    # lbfgs records learning_rate as NaN, which == does not match: compare reprs.
    assert len(history) == len(expected)
    for record, expected_record in zip(history, expected):
        assert record.keys() == expected_record.keys()
        for key, value in record.items():
            assert repr(value) == repr(expected_record[key]), key


CONFIGS = {
    "adam_float64": (dict(solver="adam"), "float64"),
    "sgd_float64": (dict(solver="sgd", early_stopping=True), "float64"),
    "lbfgs_float64": (dict(solver="lbfgs"), "float64"),
    "adam_float32": (dict(solver="adam", dropout=0.2), "float32"),
    "lbfgs_float32": (dict(solver="lbfgs"), "float32"),
    "adam_sparse": (dict(solver="adam", early_stopping="GL"), "sparse"),
    "sgd_sparse_float32": (dict(solver="sgd"), "sparse32"),
    "binary": (dict(solver="adam"), "binary"),
    "string_labels": (dict(solver="adam", class_weight="balanced"), "strings"),
}


def _fitted(config):
    params, kind = CONFIGS[config]
    X, y = _data(n_classes=2 if kind == "binary" else 3)
    if kind == "strings":
        y = np.array(["a", "b", "c"])[y]
    if kind in ("float32", "sparse32"):
        X = X.astype(np.float32)
    if kind in ("sparse", "sparse32"):
        X = sp.csr_matrix(np.where(np.abs(X) > 0.5, X, 0))
    est = BackpropMLPClassifier(
        hidden_layer_sizes=(7, 4), max_iter=15, random_state=0, **params
    )
    return est.fit(X, y), X, y


@pytest.mark.parametrize("config", list(CONFIGS))
@pytest.mark.parametrize("method", ["pickle", "joblib", "joblib_file"])
def test_round_trip_gives_identical_predictions(config, method, tmp_path):
    est, X, y = _fitted(config)
    if method == "pickle":
        loaded = _pickle_round_trip(est)
    elif method == "joblib":
        loaded = _joblib_round_trip(est)
    else:
        loaded = _joblib_file_round_trip(est, tmp_path)
    assert loaded is not est
    proba, loaded_proba = est.predict_proba(X), loaded.predict_proba(X)
    assert loaded_proba.dtype == proba.dtype
    assert np.array_equal(proba, loaded_proba)
    assert np.array_equal(est.predict(X), loaded.predict(X))
    np.testing.assert_array_equal(est.classes_, loaded.classes_)
    for a, b in zip(est.coefs_ + est.intercepts_, loaded.coefs_ + loaded.intercepts_):
        assert a.dtype == b.dtype
        assert np.array_equal(a, b)
    _assert_same_history(loaded.history_, est.history_)
    assert loaded.get_params() == est.get_params()
    assert loaded.n_iter_ == est.n_iter_ and loaded.best_epoch_ == est.best_epoch_


def test_unfitted_estimator_round_trips():
    est = BackpropMLPClassifier(
        hidden_layer_sizes=(3,), dropout=[0.1, 0.2], initializer="he_normal"
    )
    loaded = _pickle_round_trip(est)
    assert loaded.get_params() == est.get_params()
    with pytest.raises(NotFittedError):
        loaded.predict(np.zeros((1, 2)))


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_training_continues_identically_after_round_trip(solver):
    # The optimizer state travels with the model: partial_fit on the original and
    # on the unpickled copy give bit-identical models.
    X, y = _data()
    est = BackpropMLPClassifier(hidden_layer_sizes=(6,), solver=solver, random_state=0)
    for _ in range(3):
        est.partial_fit(X, y, classes=np.unique(y))
    copy = _pickle_round_trip(est)
    for _ in range(3):
        est.partial_fit(X, y)
        copy.partial_fit(X, y)
    assert np.array_equal(est.predict_proba(X), copy.predict_proba(X))
    assert copy.t_ == est.t_ and len(copy.history_) == len(est.history_) == 6


def test_warm_start_continues_identically_after_round_trip():
    X, y = _data()
    est = BackpropMLPClassifier(
        hidden_layer_sizes=(6,), warm_start=True, max_iter=5, random_state=0
    ).fit(X, y)
    copy = _pickle_round_trip(est)
    est.fit(X, y)
    copy.fit(X, y)
    assert np.array_equal(est.predict_proba(X), copy.predict_proba(X))


@pytest.mark.parametrize("config", ["adam_float64", "lbfgs_float32", "adam_sparse"])
def test_clone_of_fitted_estimator_is_unfitted(config):
    est, X, y = _fitted(config)
    cloned = clone(est)
    assert cloned.get_params() == est.get_params()
    for attribute in ("coefs_", "intercepts_", "classes_", "history_", "n_iter_"):
        assert not hasattr(cloned, attribute)
    for method in ("predict", "predict_proba", "predict_log_proba"):
        with pytest.raises(NotFittedError):
            getattr(cloned, method)(X)
    # The original is untouched, and the clone fits to the same model.
    assert np.array_equal(cloned.fit(X, y).predict_proba(X), est.predict_proba(X))


def test_clone_does_not_share_mutable_parameters():
    dropout = [0.1, 0.2]
    est = BackpropMLPClassifier(
        hidden_layer_sizes=[4], dropout=dropout, class_weight={0: 2.0}
    )
    cloned = clone(est)
    assert cloned.dropout == dropout and cloned.dropout is not dropout
    assert cloned.class_weight is not est.class_weight


@pytest.mark.parametrize(
    "config", ["adam_float64", "lbfgs_float32", "adam_sparse", "binary"]
)
def test_concurrent_predict_proba_is_identical(config):
    est, _, _ = _fitted(config)
    rng = np.random.RandomState(1)
    X_big = rng.randn(3000, est.n_features_in_)
    if config == "lbfgs_float32":
        X_big = X_big.astype(np.float32)
    if config == "adam_sparse":
        X_big = sp.csr_matrix(np.where(np.abs(X_big) > 0.5, X_big, 0))
    expected_proba = est.predict_proba(X_big)
    expected_pred = est.predict(X_big)

    def work(i):
        # Alternate the methods so that different code paths overlap.
        if i % 2:
            return "proba", est.predict_proba(X_big)
        return "pred", est.predict(X_big)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(32)))
    for kind, result in results:
        expected = expected_proba if kind == "proba" else expected_pred
        assert np.array_equal(result, expected)


def test_concurrent_predict_proba_eight_threads_same_call():
    est, _, _ = _fitted("adam_float64")
    X_big = np.random.RandomState(2).randn(5000, est.n_features_in_)
    expected = est.predict_proba(X_big)
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(est.predict_proba, X_big) for _ in range(8)]
        results = [f.result(timeout=60) for f in futures]
    for result in results:
        assert np.array_equal(result, expected)
    # The input was not modified by any of the calls.
    assert np.array_equal(
        X_big, np.random.RandomState(2).randn(5000, est.n_features_in_)
    )


def test_copy_is_shallow_and_does_not_serialize():
    # copy.copy (one per epoch for scikit-learn's callbacks) must not pay for the
    # compression __getstate__ does for pickles.
    est, X, _ = _fitted("sgd_float64")
    copied = copy.copy(est)
    assert copied is not est
    assert copied.history_ is est.history_ and copied.coefs_ is est.coefs_
    assert copied._training_state is est._training_state
    assert np.array_equal(copied.predict_proba(X), est.predict_proba(X))


# ---------------------------------------------------------------- skops
# A skops file holds only plain data: skops lists the estimator class as the
# one type to trust, whatever the options the model was trained with.
SKOPS_CONFIGS = {
    "adam": dict(solver="adam"),
    "sgd_invscaling": dict(solver="sgd", learning_rate="invscaling"),
    "lbfgs": dict(solver="lbfgs"),
    "adam_dropout_GL": dict(solver="adam", dropout=0.2, early_stopping="GL"),
    "sgd_early_stopping_cosine": dict(
        solver="sgd", early_stopping=True, learning_rate="cosine", warmup_iter=3
    ),
    "adaptive": dict(solver="sgd", learning_rate="adaptive"),
    "class_weight": dict(solver="adam", class_weight="balanced"),
    "monitor_layers": dict(solver="adam", monitor_layers=True),
    "lbfgs_monitor_layers": dict(solver="lbfgs", monitor_layers=True),
    "penalties": dict(solver="adam", penalty="elasticnet", l1_ratio=0.5, weight_decay=1e-3),
}


def _skops_model(estimator_class, config, kind="float64"):
    params = dict(SKOPS_CONFIGS[config])
    if estimator_class is BackpropMLPRegressor:
        params.pop("class_weight", None)
    X, y = _data()
    if estimator_class is BackpropMLPRegressor:
        y = X[:, 0] - 2.0 * X[:, 1]
    if kind == "float32":
        X = X.astype(np.float32)
    if kind == "sparse":
        X = sp.csr_matrix(np.where(np.abs(X) > 0.5, X, 0))
    est = estimator_class(hidden_layer_sizes=(7, 4), max_iter=15, random_state=0, **params)
    return est.fit(X, y), X, y


def _skops_round_trip(est, tmp_path):
    path = tmp_path / "model.skops"
    skops.io.dump(est, path)
    untrusted = skops.io.get_untrusted_types(file=path)
    return skops.io.load(path, trusted=untrusted), untrusted


def _output(est, X):
    return est.predict_proba(X) if hasattr(est, "predict_proba") else est.predict(X)


@pytest.mark.parametrize("estimator_class", [BackpropMLPClassifier, BackpropMLPRegressor])
@pytest.mark.parametrize("config", list(SKOPS_CONFIGS))
def test_skops_trusts_only_the_estimator_class_and_round_trips(estimator_class, config, tmp_path):
    est, X, _ = _skops_model(estimator_class, config)
    loaded, untrusted = _skops_round_trip(est, tmp_path)
    cls = type(est)
    assert untrusted == [f"{cls.__module__}.{cls.__qualname__}"]
    assert type(loaded) is cls and loaded.get_params() == est.get_params()
    assert np.array_equal(_output(loaded, X), _output(est, X))
    for a, b in zip(est.coefs_ + est.intercepts_, loaded.coefs_ + loaded.intercepts_):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    _assert_same_history(loaded.history_, est.history_)
    for name in ("n_iter_", "t_", "best_epoch_", "best_loss_", "best_validation_score_"):
        assert getattr(loaded, name) == getattr(est, name), name
    assert repr(loaded.loss_curve_) == repr(est.loss_curve_)
    assert loaded.validation_scores_ == est.validation_scores_
    if config.startswith("monitor"):
        assert loaded.history_[-1]["layers"] == est.history_[-1]["layers"]


@pytest.mark.parametrize("kind", ["float32", "sparse"])
def test_skops_round_trip_keeps_float32_and_sparse_models_exact(kind, tmp_path):
    est, X, _ = _skops_model(BackpropMLPClassifier, "adam_dropout_GL", kind)
    loaded, untrusted = _skops_round_trip(est, tmp_path)
    assert len(untrusted) == 1
    assert loaded.coefs_[0].dtype == est.coefs_[0].dtype
    assert np.array_equal(loaded.predict_proba(X), est.predict_proba(X))


@pytest.mark.parametrize("estimator_class", [BackpropMLPClassifier, BackpropMLPRegressor])
@pytest.mark.parametrize("config", ["adam", "sgd_invscaling", "adam_dropout_GL"])
def test_training_continues_identically_after_skops_round_trip(estimator_class, config, tmp_path):
    # The optimizer, schedule, stopping-rule and dropout state travel as plain data.
    params = {k: v for k, v in SKOPS_CONFIGS[config].items() if k != "early_stopping"}
    X, y = _data()
    if estimator_class is BackpropMLPRegressor:
        y = X[:, 0] - 2.0 * X[:, 1]
    est = estimator_class(hidden_layer_sizes=(6,), random_state=0, **params)
    extra = {"classes": np.unique(y)} if estimator_class is BackpropMLPClassifier else {}
    for _ in range(3):
        est.partial_fit(X, y, **extra)
    loaded, _ = _skops_round_trip(est, tmp_path)
    for _ in range(3):
        est.partial_fit(X, y)
        loaded.partial_fit(X, y)
    assert np.array_equal(_output(loaded, X), _output(est, X))
    assert loaded.t_ == est.t_ and len(loaded.history_) == len(est.history_) == 6
    _assert_same_history(
        [{k: v for k, v in r.items() if k != "duration_s"} for r in loaded.history_],
        [{k: v for k, v in r.items() if k != "duration_s"} for r in est.history_],
    )


def test_warm_start_continues_identically_after_skops_round_trip(tmp_path):
    X, y = _data()
    est = BackpropMLPClassifier(
        hidden_layer_sizes=(6,), warm_start=True, early_stopping="GL", max_iter=5,
        random_state=0,
    ).fit(X, y)
    loaded, _ = _skops_round_trip(est, tmp_path)
    est.fit(X, y)
    loaded.fit(X, y)
    assert np.array_equal(est.predict_proba(X), loaded.predict_proba(X))


@pytest.mark.parametrize("load", [load_iris, load_digits], ids=["iris", "digits"])
def test_skops_file_is_at_most_one_and_a_half_times_mlpclassifiers(load, tmp_path):
    # Default parameters, 200 epochs each: the per-epoch lists are the part that
    # grows with training; MLPClassifier keeps only loss_curve_.
    X, y = load(return_X_y=True)
    sizes = {}
    for name, cls in (("skbp", BackpropMLPClassifier), ("sklearn", MLPClassifier)):
        est = cls(random_state=0, n_iter_no_change=200).fit(X, y)
        assert est.n_iter_ == 200
        path = tmp_path / f"{name}.skops"
        skops.io.dump(est, path)
        sizes[name] = path.stat().st_size
    assert sizes["skbp"] <= 1.5 * sizes["sklearn"], sizes


# ------------------------------------------------- loading the per-epoch lists
# They are stored as zlib-compressed JSON: loading must be bounded by what the
# model's epochs can hold, and fail with a ValueError naming the attribute.
def _bomb(n_bytes):
    """A zlib blob of a JSON list that decompresses to about ``n_bytes``."""
    return zlib.compress(b"[" + b"0," * (n_bytes // 2) + b"0]", 9)


def _load_state(est, **changes):
    state = est.__getstate__()
    state.update(changes)
    loaded = type(est).__new__(type(est))
    loaded.__setstate__(state)
    return loaded


@pytest.mark.parametrize("name", ["history_", "loss_curve_", "validation_scores_"])
def test_a_decompression_bomb_is_refused_naming_the_attribute(name):
    est, _, _ = _fitted("sgd_float64")  # 15 epochs, with validation
    blob = _bomb(20_000_000)
    assert len(blob) < 25_000
    with pytest.raises(ValueError, match=f"Cannot load {name}: its stored data expands beyond"):
        _load_state(est, **{name: blob})


def test_a_decompression_bomb_in_a_file_without_the_epoch_count_is_refused():
    # skbp 0.1.0 did not store the count: the bound comes from t_ and max_iter.
    est, _, _ = _fitted("lbfgs_float64")
    state = est.__getstate__()
    del state["_n_epochs"]
    state["history_"] = _bomb(20_000_000)
    with pytest.raises(ValueError, match="Cannot load history_: its stored data expands"):
        type(est).__new__(type(est)).__setstate__(state)


@pytest.mark.parametrize("config", ["sgd_float64", "lbfgs_float64"])
def test_a_file_without_the_epoch_count_still_loads(config):
    est, X, _ = _fitted(config)
    state = est.__getstate__()
    del state["_n_epochs"]  # as skbp 0.1.0 wrote it
    loaded = type(est).__new__(type(est))
    loaded.__setstate__(state)
    _assert_same_history(loaded.history_, est.history_)
    assert repr(loaded.loss_curve_) == repr(est.loss_curve_)
    assert "_n_epochs" not in vars(loaded) and "_n_epochs" not in vars(_pickle_round_trip(est))


@pytest.mark.parametrize(
    "blob, message",
    [
        (b"not zlib at all", "corrupted"),
        (zlib.compress(b"[1.0, 2.0, 3.0]")[:-6], "truncated"),
        (zlib.compress(b"[1.0, 2.0, "), "corrupted"),
        (zlib.compress(b"\xff\xfe[1.0]"), "corrupted"),
        (zlib.compress(b'{"epoch": 1}'), "one entry per epoch"),
        (zlib.compress(b"[1.0, 2.0]"), "one entry per epoch"),
    ],
    ids=["not_zlib", "truncated", "bad_json", "bad_utf8", "not_a_list", "wrong_length"],
)
def test_corrupted_per_epoch_data_raises_a_value_error_naming_it(blob, message):
    est, _, _ = _fitted("adam_float64")
    with pytest.raises(ValueError, match=f"Cannot load loss_curve_: .*{message}"):
        _load_state(est, loss_curve_=blob)


def test_a_crafted_skops_file_is_refused_when_loaded(tmp_path, monkeypatch):
    est, _, _ = _skops_model(BackpropMLPClassifier, "adam")
    encode = BackpropMLPClassifier.__getstate__

    def crafted(self):
        return {**encode(self), "history_": _bomb(20_000_000)}

    monkeypatch.setattr(BackpropMLPClassifier, "__getstate__", crafted)
    path = tmp_path / "crafted.skops"
    skops.io.dump(est, path)
    monkeypatch.undo()
    assert path.stat().st_size < 100_000  # that would expand to 20 MB
    with pytest.raises(ValueError, match="Cannot load history_"):
        skops.io.load(path, trusted=skops.io.get_untrusted_types(file=path))

# ------------------------------------------------------------------ public names
DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("estimator_class", [BackpropMLPClassifier, BackpropMLPRegressor])
def test_files_name_the_public_class(estimator_class, tmp_path):
    est, X, _ = _skops_model(estimator_class, "adam")
    public = f"skbp.{estimator_class.__name__}"
    assert f"{estimator_class.__module__}.{estimator_class.__qualname__}" == public
    _, untrusted = _skops_round_trip(est, tmp_path)
    assert untrusted == [public]
    opcodes = [arg for _, arg, _ in pickletools.genops(pickle.dumps(est)) if isinstance(arg, str)]
    assert opcodes[:2] == ["skbp", estimator_class.__name__]
    assert "_estimators" not in " ".join(opcodes)


@pytest.mark.skipif(
    np.lib.NumpyVersion(np.__version__) < "2.0.0",
    reason="the 0.1.0 files were written with numpy 2, whose pickles name numpy._core, "
    "which numpy 1.x cannot import",
)
@pytest.mark.parametrize("name", ["classifier", "regressor"])
def test_files_written_by_0_1_0_still_load(name):
    # Written by tests/data/make_0_1_0_models.py with skbp 0.1.0, whose files
    # name the classes by their private modules.
    expected = np.load(DATA / "skbp-0.1.0-outputs.npz")
    X, output = expected["X"], expected[f"{name}_output"]
    # the targets the script fitted them on
    y = np.array(["a", "b", "c"])[np.arange(30) % 3] if name == "classifier" else X[:, 0] - 2 * X[:, 1]
    estimator_class = BackpropMLPClassifier if name == "classifier" else BackpropMLPRegressor
    private = f"skbp._estimators.{name}.{estimator_class.__name__}"

    pickled = pickle.loads((DATA / f"skbp-0.1.0-{name}.pkl").read_bytes())
    skops_file = DATA / f"skbp-0.1.0-{name}.skops"
    assert skops.io.get_untrusted_types(file=skops_file) == [private]
    from_skops = skops.io.load(skops_file, trusted=[private])
    for loaded in (pickled, from_skops):
        assert type(loaded) is estimator_class
        np.testing.assert_array_equal(_output(loaded, X), output)
        # and they train on from the loaded weights
        before, n_epochs = [coef.copy() for coef in loaded.coefs_], len(loaded.history_)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            loaded.set_params(warm_start=True, max_iter=2).fit(X, y)
        assert n_epochs == 5 and len(loaded.history_) == n_epochs + loaded.n_iter_
        assert any(not np.array_equal(a, b) for a, b in zip(before, loaded.coefs_))


def test_public_functions_return_public_classes():
    import skbp
    from skbp import trace_backprop

    X, y = _data()
    est = BackpropMLPClassifier(hidden_layer_sizes=(3,), max_iter=5, random_state=0).fit(X, y)
    trace = trace_backprop(est, X[:2], y[:2])
    assert type(trace) is skbp.BackpropTrace
    assert type(trace.layers[1]) is skbp.LayerTrace
    for cls in (skbp.BackpropTrace, skbp.LayerTrace, skbp.TrainingCurveDisplay,
                skbp.LayerDiagnosticsDisplay):
        assert cls.__module__ == "skbp" and cls.__name__ in skbp.__all__
    copy_ = pickle.loads(pickle.dumps(trace))
    np.testing.assert_array_equal(copy_.layers[1].grad_W, trace.layers[1].grad_W)
    assert str(copy_) == str(trace)
