"""scikit-learn's callbacks (``sklearn.callback``, scikit-learn >= 1.9) on skbp's estimators.

A fit is a task whose subtasks are its epochs (L-BFGS: its iterations); each
subtask's ``fitted_estimator`` must predict exactly as the model fit returns
when it stops there, and a True from ``on_fit_task_end`` stops training like a
stopping rule.  With an older scikit-learn the estimators have no
``set_callbacks`` and the tests that need the callback API skip, naming the
missing module; in the normal test environment that API must be there (see
``test_the_callback_api_is_there_in_the_normal_environment``), so the suite
cannot skip them silently.
"""

import os
import pickle
import re
import warnings

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.fixes import parse_version

import skbp._estimators.base
from skbp import BackpropMLPClassifier, BackpropMLPRegressor

try:
    from sklearn.callback import ProgressBar, ScoringMonitor, _progressbar
except ImportError:  # scikit-learn < 1.9
    HAS_CALLBACK_API = False
else:
    HAS_CALLBACK_API = True

needs_callback_api = pytest.mark.skipif(
    not HAS_CALLBACK_API,
    reason="needs the module sklearn.callback (scikit-learn >= 1.9), which this "
    f"scikit-learn {sklearn.__version__} does not have",
)

#: Set by a minimum-versions run, whose scikit-learn may predate sklearn.callback.
MINIMUM_VERSIONS = bool(os.environ.get("SKBP_MINIMUM_VERSIONS"))

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _classification(n_samples=200, flip_y=0.0, seed=0):
    X, y = make_classification(
        n_samples, 10, n_informative=5, n_classes=3, flip_y=flip_y, random_state=seed
    )
    return StandardScaler().fit_transform(X), y


def _regression(noisy=False):
    X, y = make_regression(100 if noisy else 150, 8, noise=100.0 if noisy else 5.0, random_state=0)
    return StandardScaler().fit_transform(X), y / y.std()


class Recorder:
    """A FitCallback that records its calls and may ask to stop after an epoch.

    ``fitted`` collects the ``fitted_estimator`` of every finished epoch
    (L-BFGS iteration); with ``stop_at=k`` the hook returns True at the end of
    the k-th one, and with ``interrupt_at=k`` it raises KeyboardInterrupt there.
    """

    def __init__(self, stop_at=None, interrupt_at=None):
        self.stop_at = stop_at
        self.interrupt_at = interrupt_at
        self.calls = []
        self.fitted = []
        self.final = []

    def setup(self, estimator, context):
        self.calls.append(("setup", context.task_name))

    def teardown(self, estimator, context):
        self.calls.append(("teardown", context.task_name))

    def on_fit_task_begin(self, estimator, context):
        self.calls.append(("begin", context.task_name, context.task_id))

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        self.calls.append(("end", context.task_name, context.task_id))
        if context.task_name == "fit":
            self.final.append(fitted_estimator)
            return False
        if fitted_estimator is None:  # L-BFGS's last, never run iteration
            return False
        self.fitted.append(fitted_estimator)
        if len(self.fitted) == self.interrupt_at:
            raise KeyboardInterrupt
        return len(self.fitted) == self.stop_at

    def count(self, kind, task_name=None):
        return sum(
            1
            for call in self.calls
            if call[0] == kind and (task_name is None or call[1] == task_name)
        )


#: Fitted attributes that must agree between two models trained alike.
FITTED_ATTRIBUTES = (
    "n_iter_",
    "t_",
    "loss_curve_",
    "loss_",
    "best_epoch_",
    "best_loss_",
    "validation_scores_",
    "validation_losses_",
    "best_validation_score_",
)


def _output(model, X):
    return model.predict_proba(X) if hasattr(model, "predict_proba") else model.predict(X)


def _history_without_durations(model):
    # repr: L-BFGS records learning_rate as NaN, which == does not match.
    return [repr({k: v for k, v in r.items() if k != "duration_s"}) for r in model.history_]


def assert_same_model(model, expected, X):
    """Same predictions, weights and fitted attributes (bit for bit)."""
    assert np.array_equal(_output(model, X), _output(expected, X))
    for a, b in zip(model.coefs_ + model.intercepts_, expected.coefs_ + expected.intercepts_):
        assert np.array_equal(a, b)
    for name in FITTED_ATTRIBUTES:
        assert getattr(model, name) == getattr(expected, name), name
    assert _history_without_durations(model) == _history_without_durations(expected)


# Configurations whose learning rate does not depend on max_iter: a model fit for
# k epochs is then the model of the k-th epoch of a longer fit.  The two with a
# validation split (noisy labels) stop improving long before they stop, so their
# fitted estimators must hold the best epoch's weights, not the last ones.
CONFIGS = {
    "adam": dict(solver="adam", learning_rate_init=0.01),
    "sgd_invscaling": dict(solver="sgd", learning_rate="invscaling", learning_rate_init=0.2),
    "lbfgs": dict(solver="lbfgs"),
    "adam_early_stopping": dict(solver="adam", early_stopping=True, learning_rate_init=0.05),
    "sgd_GL_dropout": dict(
        solver="sgd", early_stopping="GL", stopping_threshold=20, dropout=0.1, learning_rate_init=0.1
    ),
}


def _model(estimator_class, config, **params):
    return estimator_class(
        hidden_layer_sizes=(30,), random_state=0, **{**CONFIGS[config], **params}
    )


def _data_for(estimator_class, config):
    noisy = "early" in config or "GL" in config
    if estimator_class is BackpropMLPRegressor:
        return _regression(noisy)
    return _classification(flip_y=0.3 if noisy else 0.0)


# ------------------------------------------------------------ the API is there
def test_the_callback_api_is_there_in_the_normal_environment():
    # The test extra installs a scikit-learn with sklearn.callback; only a
    # minimum-versions run (SKBP_MINIMUM_VERSIONS=1) may have an older one.
    if MINIMUM_VERSIONS:
        has_api = parse_version(sklearn.__version__).release >= (1, 9)
        assert HAS_CALLBACK_API == has_api
    else:
        assert HAS_CALLBACK_API, (
            f"sklearn.callback cannot be imported (scikit-learn {sklearn.__version__}): "
            "the callback tests would all skip"
        )


@pytest.mark.parametrize("estimator_class", [BackpropMLPClassifier, BackpropMLPRegressor])
def test_set_callbacks_exists_exactly_when_scikit_learn_has_callbacks(estimator_class):
    estimator = estimator_class(hidden_layer_sizes=(4,), max_iter=3)
    assert hasattr(estimator, "set_callbacks") == HAS_CALLBACK_API
    X, y = (_classification if estimator_class is BackpropMLPClassifier else _regression)()
    assert estimator.fit(X, y).n_iter_ == 3  # and training works either way


# --------------------------------------------------- no cost without callbacks
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_no_callback_context_without_callbacks(solver, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("a callback bridge was built for a fit without callbacks")

    monkeypatch.setattr(skbp._estimators.base, "SklearnCallbacks", forbidden)
    if HAS_CALLBACK_API:
        monkeypatch.setattr(BackpropMLPClassifier, "_init_callback_context", forbidden)
    X, y = _classification()
    model = BackpropMLPClassifier(hidden_layer_sizes=(5,), solver=solver, max_iter=4)
    model.fit(X, y)
    assert model.n_iter_ == 4
    assert not hasattr(model, "_callback_fit_ctx")


@needs_callback_api
@pytest.mark.parametrize("config", ["adam_early_stopping", "lbfgs"])
def test_callbacks_do_not_change_training(config):
    X, y = _data_for(BackpropMLPClassifier, config)
    plain = _model(BackpropMLPClassifier, config, max_iter=12).fit(X, y)
    watched = _model(BackpropMLPClassifier, config, max_iter=12)
    watched.set_callbacks(ScoringMonitor(scoring="accuracy"), Recorder()).fit(X, y)
    assert_same_model(watched, plain, X)


# ------------------------------------------------------------ ScoringMonitor
def _score_rows(monitor):
    return [row for row in monitor.get_logs().data if row["task_name"] != "fit"]


@needs_callback_api
@pytest.mark.parametrize("estimator_class", [BackpropMLPClassifier, BackpropMLPRegressor])
@pytest.mark.parametrize("config", list(CONFIGS))
def test_scoring_monitor_scores_each_epoch_as_if_fit_had_stopped_there(
    estimator_class, config
):
    X, y = _data_for(estimator_class, config)
    scoring, score = (
        ("accuracy", accuracy_score) if estimator_class is BackpropMLPClassifier else ("r2", r2_score)
    )
    monitor = ScoringMonitor(scoring=scoring)
    model = _model(estimator_class, config, max_iter=15).set_callbacks(monitor).fit(X, y)

    rows = _score_rows(monitor)
    subtask = "iteration" if config == "lbfgs" else "epoch"
    assert [row["task_name"] for row in rows] == [subtask] * model.n_iter_
    assert [row["task_id"] for row in rows] == list(range(model.n_iter_))
    for k, row in enumerate(rows, start=1):
        stopped_there = _model(estimator_class, config, max_iter=k).fit(X, y)
        assert row[scoring] == score(y, stopped_there.predict(X)), f"epoch {k}"
    (final,) = [row for row in monitor.get_logs().data if row["task_name"] == "fit"]
    assert final[scoring] == score(y, model.predict(X))
    if model.validation_scores_ is not None:
        # The case this guards: the kept weights are not the last epoch's.
        assert model.best_epoch_ < model.n_iter_


@needs_callback_api
@pytest.mark.parametrize("config", list(CONFIGS))
def test_fitted_estimator_is_the_model_fit_returns_after_that_many_epochs(config):
    X, y = _data_for(BackpropMLPClassifier, config)
    recorder = Recorder()
    model = _model(BackpropMLPClassifier, config, max_iter=12).set_callbacks(recorder).fit(X, y)
    assert len(recorder.fitted) == model.n_iter_
    for k, fitted in enumerate(recorder.fitted, start=1):
        assert_same_model(fitted, _model(BackpropMLPClassifier, config, max_iter=k).fit(X, y), X)


@needs_callback_api
def test_fitted_estimator_has_no_attribute_of_a_previous_fit():
    X, y = _classification(flip_y=0.3)
    recorder = Recorder()
    model = _model(BackpropMLPClassifier, "adam_early_stopping", max_iter=6)
    model.fit(X, y)  # a first fit, with a validation split
    model.set_params(early_stopping=False, max_iter=3)
    model.set_callbacks(recorder).fit(X, y)
    first = recorder.fitted[0]
    assert first.n_iter_ == 1 and len(first.history_) == 1 and len(first.loss_curve_) == 1
    assert first.validation_scores_ is None and first.best_validation_score_ is None
    assert first.best_loss_ == first.loss_curve_[0]


@needs_callback_api
def test_fitted_estimator_does_not_change_when_training_goes_on():
    X, y = _classification()
    recorder = Recorder()
    model = _model(BackpropMLPClassifier, "adam", max_iter=5).set_callbacks(recorder).fit(X, y)
    first = recorder.fitted[0]
    assert len(first.history_) == 1
    assert not np.array_equal(first.coefs_[0], model.coefs_[0])
    assert not any(np.shares_memory(a, b) for a in first.coefs_ for b in model.coefs_)


@needs_callback_api
def test_scoring_monitor_gets_the_users_sample_weight_not_the_class_weights():
    X, y = _classification()
    sample_weight = np.random.RandomState(0).uniform(0.1, 2.0, len(y))
    monitor = ScoringMonitor(scoring="accuracy")
    model = BackpropMLPClassifier(
        hidden_layer_sizes=(10,), max_iter=3, class_weight={0: 5.0}, random_state=0
    ).set_callbacks(monitor)
    model.fit(X, y, sample_weight=sample_weight)
    (final,) = [row for row in monitor.get_logs().data if row["task_name"] == "fit"]
    assert final["accuracy"] == accuracy_score(y, model.predict(X), sample_weight=sample_weight)

    monitor = ScoringMonitor(scoring="accuracy")
    model.set_callbacks(monitor).fit(X, y)
    (final,) = [row for row in monitor.get_logs().data if row["task_name"] == "fit"]
    assert final["accuracy"] == model.score(X, y)


@needs_callback_api
def test_scoring_monitor_logs_one_run_per_partial_fit_call():
    X, y = _classification()
    monitor = ScoringMonitor(scoring="accuracy")
    model = BackpropMLPClassifier(hidden_layer_sizes=(10,), random_state=0)
    model.set_callbacks(monitor)
    for _ in range(3):
        model.partial_fit(X, y, classes=np.unique(y))
    logs = monitor.get_logs(select="all")
    assert len(logs) == 3
    for log in logs:
        assert [row["task_name"] for row in log.data] == ["fit", "epoch"]
    # The last call's epoch is scored with the model that call returned.
    assert logs[-1].data[1]["accuracy"] == model.score(X, y)


# ------------------------------------------------------ stopping from a callback
@needs_callback_api
@pytest.mark.parametrize("estimator_class", [BackpropMLPClassifier, BackpropMLPRegressor])
@pytest.mark.parametrize("config", list(CONFIGS))
def test_a_callback_stops_training_like_max_iter(estimator_class, config):
    X, y = _data_for(estimator_class, config)
    # One epoch before training would end by itself (stopping rule or max_iter).
    k = _model(estimator_class, config, max_iter=30).fit(X, y).n_iter_ - 1
    stopper = Recorder(stop_at=k)
    model = _model(estimator_class, config, max_iter=30).set_callbacks(stopper)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model.fit(X, y)
    assert not [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert model.n_iter_ == len(model.history_) == len(model.loss_curve_) == k
    assert model.loss_curve_ == [record["train_loss"] for record in model.history_]
    assert stopper.count("end", "fit") == 1 and stopper.count("teardown") == 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        expected = _model(estimator_class, config, max_iter=k).fit(X, y)
    assert_same_model(model, expected, X)
    if model.validation_scores_ is not None:
        # The best epoch's weights were restored, and the attributes say which
        # (which epoch is best depends on the BLAS kernel's rounding).
        assert 1 <= model.best_epoch_ <= k
        best = model.history_[model.best_epoch_ - 1]
        assert model.best_validation_score_ == best["val_score"] == max(model.validation_scores_[: model.best_epoch_])
        assert_same_model(model, stopper.fitted[-1], X)


@needs_callback_api
def test_a_callback_stop_with_the_cosine_schedule_gives_that_epochs_model():
    # The cosine rate depends on max_iter, so the reference is the fitted
    # estimator of the same epoch in a run that is not stopped.
    X, y = _classification()
    params = dict(learning_rate="cosine", warmup_iter=3, max_iter=20)
    watcher = Recorder()
    _model(BackpropMLPClassifier, "adam", **params).set_callbacks(watcher).fit(X, y)
    stopped = _model(BackpropMLPClassifier, "adam", **params)
    stopped.set_callbacks(Recorder(stop_at=8)).fit(X, y)
    assert stopped.n_iter_ == 8
    assert_same_model(stopped, watcher.fitted[7], X)
    assert [r["learning_rate"] for r in stopped.history_] == [
        r["learning_rate"] for r in watcher.fitted[7].history_
    ]


@needs_callback_api
def test_a_callback_stop_in_partial_fit_ends_that_call_only():
    X, y = _classification()
    classes = np.unique(y)
    plain = BackpropMLPClassifier(hidden_layer_sizes=(10,), random_state=0)
    stopped = clone(plain).set_callbacks(Recorder(stop_at=1))
    for _ in range(3):
        plain.partial_fit(X, y, classes=classes)
        stopped.partial_fit(X, y, classes=classes)
        assert stopped.n_iter_ == 1
    # Each call is one epoch, so asking to stop after it changes nothing.
    assert len(stopped.history_) == 3
    assert_same_model(stopped, plain, X)


# ---------------------------------------------------------------- ProgressBar
@pytest.fixture
def progress_trees(monkeypatch):
    """The trees of progress bars ProgressBar's monitor threads built, one per fit.

    Each node is (description, total, [children]); epochs are leaves, which
    ProgressBar counts but draws no bar for (description None).
    """
    trees = []

    class RecordingMonitor(_progressbar.RichProgressMonitor):
        def run(self):
            super().run()
            trees.append(self._tree(self.root_rich_task))

        def _tree(self, task):
            description = None
            if hasattr(task, "id"):
                description = self.progress_ctx.tasks[task.id].description.strip()
            children = [self._tree(child) for child in task.children.values()]
            return description, task.total, children

    monkeypatch.setattr(_progressbar, "RichProgressMonitor", RecordingMonitor)
    return trees


def _nodes(tree, depth=0):
    description, total, children = tree
    yield depth, description, total, children
    for child in children:
        yield from _nodes(child, depth + 1)


def _fits_of(tree, name):
    """The nodes of ``name``'s fits: "[parent task | ]<name> - fit[ #<task id>]"."""
    fit = re.compile(rf"(^|\| ){name} - fit( #\d+)?$")
    return [node for node in _nodes(tree) if node[1] and fit.search(node[1])]


def _mlp(**params):
    return BackpropMLPClassifier(
        hidden_layer_sizes=(8,), max_iter=6, tol=0, n_iter_no_change=100, random_state=0, **params
    )


@needs_callback_api
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_progress_bar_counts_the_epochs_of_a_fit(solver, progress_trees, capsys):
    X, y = _classification()
    model = _mlp(solver=solver).set_callbacks(ProgressBar()).fit(X, y)
    (tree,) = progress_trees
    description, total, children = tree
    assert description == "BackpropMLPClassifier - fit"
    assert total == model.max_iter + (solver == "lbfgs")
    # One leaf per epoch (L-BFGS: per iteration, plus the one it opened last).
    assert len(children) == model.n_iter_ + (solver == "lbfgs")
    assert all(child == (None, 0, []) for child in children)
    out = capsys.readouterr().out
    assert "BackpropMLPClassifier - fit" in out and "100%" in out


@needs_callback_api
def test_progress_bar_propagates_through_a_pipeline(progress_trees, capsys):
    X, y = _classification()
    pipeline = make_pipeline(StandardScaler(), _mlp())
    pipeline.set_callbacks(ProgressBar()).fit(X, y)
    (tree,) = progress_trees
    assert tree[0] == "Pipeline - fit"
    (mlp_fit,) = _fits_of(tree, "BackpropMLPClassifier")
    depth, description, total, epochs = mlp_fit
    assert description == "Pipeline - fit-final-estimator | BackpropMLPClassifier - fit #1"
    assert depth == 1 and total == 6 and len(epochs) == pipeline[-1].n_iter_ == 6
    assert "BackpropMLPClassifier - fit" in capsys.readouterr().out


@needs_callback_api
@pytest.mark.parametrize("depth", [None, 1])
def test_progress_bar_on_a_grid_search_reaches_the_epochs_with_unlimited_depth(
    depth, progress_trees
):
    X, y = _classification()
    search = GridSearchCV(
        make_pipeline(StandardScaler(), _mlp()),
        {"backpropmlpclassifier__alpha": [1e-4, 1e-1]},
        cv=2,
    )
    search.set_callbacks(ProgressBar(max_propagation_depth=depth)).fit(X, y)
    (tree,) = progress_trees
    assert tree[0] == "GridSearchCV - fit"
    mlp_fits = _fits_of(tree, "BackpropMLPClassifier")
    if depth == 1:
        # Depth 1 reaches the pipelines only: no bar of the network's fit.
        assert mlp_fits == []
        assert _fits_of(tree, "Pipeline")
        return
    # 2 candidates x 2 folds, plus the refit; each fit shows its 6 epochs.
    assert len(mlp_fits) == 2 * 2 + 1
    for _, _, total, epochs in mlp_fits:
        assert total == 6 and len(epochs) == 6


# ------------------------------------------------- clone, pickle, teardown
@needs_callback_api
def test_clone_keeps_the_callbacks_as_scikit_learn_does_for_its_estimators():
    monitor = ScoringMonitor(scoring="accuracy")
    ours = clone(BackpropMLPClassifier(max_iter=2).set_callbacks(monitor))
    theirs = clone(LogisticRegression(max_iter=2).set_callbacks(monitor))
    assert theirs._skl_callbacks == [monitor]  # scikit-learn shares them by reference
    assert ours._skl_callbacks == [monitor] and ours._skl_callbacks[0] is monitor
    X, y = _classification()
    ours.fit(X, y)
    assert [row["task_name"] for row in _score_rows(monitor)] == ["epoch", "epoch"]


@needs_callback_api
@pytest.mark.parametrize("callback", ["ScoringMonitor", "ProgressBar"])
def test_a_fitted_model_with_callbacks_pickles(callback):
    X, y = _classification()
    make = {"ScoringMonitor": lambda: ScoringMonitor(scoring="accuracy"), "ProgressBar": ProgressBar}
    model = _mlp().set_callbacks(make[callback]()).fit(X, y)
    loaded = pickle.loads(pickle.dumps(model))
    assert np.array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert [type(c).__name__ for c in loaded._skl_callbacks] == [callback]
    loaded.fit(X, y)  # the unpickled callbacks work
    assert np.array_equal(loaded.predict_proba(X), model.predict_proba(X))


def _diverging_problem():
    rng = np.random.RandomState(0)
    y = np.arange(80) % 3
    return (rng.randn(80, 5) + y[:, None]) * 1e3, y


@needs_callback_api
def test_teardown_after_a_diverging_fit():
    X, y = _diverging_problem()
    recorder = Recorder()
    model = BackpropMLPClassifier(
        solver="sgd", learning_rate_init=1e6, hidden_layer_sizes=(10,), batch_size=4,
        max_iter=50, random_state=0,
    ).set_callbacks(recorder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(ValueError, match="non-finite parameter weights"):
            model.fit(X, y)
    assert recorder.count("teardown") == 1
    # Every task that began ended, the diverged epoch and the fit included.
    assert recorder.count("begin") == recorder.count("end")
    assert recorder.count("end", "fit") == 1
    assert recorder.final[0] is not None and np.isfinite(recorder.final[0].coefs_[0]).all()
    assert not hasattr(model, "_callback_fit_ctx")


class _InterruptedNetwork(skbp._estimators.base.Network):
    """A network whose third loss evaluation is interrupted (Ctrl-C mid-epoch)."""

    evaluations = 0

    def loss_and_gradient(self, *args, **kwargs):
        type(self).evaluations += 1
        if type(self).evaluations == 3:
            raise KeyboardInterrupt
        return super().loss_and_gradient(*args, **kwargs)


@needs_callback_api
@pytest.mark.parametrize("where", ["in_a_callback", "inside_an_epoch"])
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_teardown_after_an_interrupt(where, solver, monkeypatch):
    X, y = _classification()
    recorder = Recorder(interrupt_at=3 if where == "in_a_callback" else None)
    if where == "inside_an_epoch":
        monkeypatch.setattr(_InterruptedNetwork, "evaluations", 0)
        monkeypatch.setattr(skbp._estimators.base, "Network", _InterruptedNetwork)
    model = _mlp(solver=solver).set_callbacks(recorder)
    with pytest.warns(UserWarning, match="interrupted"), pytest.raises(KeyboardInterrupt):
        model.fit(X, y)
    assert recorder.count("setup") == recorder.count("teardown") == 1
    assert recorder.count("begin") == recorder.count("end")
    assert recorder.count("end", "fit") == 1
    assert model.n_iter_ == len(model.history_) == len(recorder.fitted)
    assert not hasattr(model, "_callback_fit_ctx")
