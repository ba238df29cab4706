"""scikit-learn's callback API (``sklearn.callback``, scikit-learn ≥ 1.9), as a hook.

A fit is a task whose subtasks are its epochs (L-BFGS: its iterations).  At the
end of each subtask the callbacks may ask for a ``fitted_estimator`` — a copy of
the estimator that predicts as if fit had stopped there — and may return True
to stop training, which then ends like a stopping rule ends it.  The bridge is
only built when a callback is set (or propagated by a meta-estimator), so a fit
without callbacks pays nothing; with a scikit-learn that has no
``sklearn.callback`` the estimators simply have no ``set_callbacks``.
"""

from .._engine.hooks import EpochHook

try:
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn < 1.9: no callback API

    class CallbackSupportMixin:
        """Stand-in for scikit-learn < 1.9, which has no callbacks."""


def wants_callbacks(estimator):
    """True when callbacks are set on, or propagated to, ``estimator``."""
    return bool(getattr(estimator, "_skl_callbacks", None)) or hasattr(
        estimator, "_parent_callback_ctx"
    )


class SklearnCallbacks(EpochHook):
    """Drives scikit-learn's callback contexts from the training hooks."""

    def __init__(self, estimator, X, y, sample_weight, *, max_subtasks, subtask_name):
        self.estimator = estimator
        self.data = dict(
            X=X,
            y=y,
            metadata=None if sample_weight is None else {"sample_weight": sample_weight},
        )
        self.context = estimator._init_callback_context(max_subtasks=max_subtasks)
        self.subtask_name = subtask_name
        self.subtask = None

    def _fitted(self, run):
        """Attributes that make a copy of the estimator predict with the current weights."""
        network = run.network

        def attributes():
            return {
                "coefs_": [coef.copy() for coef in network.coefs],
                "intercepts_": [intercept.copy() for intercept in network.intercepts],
                "n_iter_": run.epochs_this_call,
                "t_": run.n_samples_seen,
                "history_": list(run.history),
            }

        return attributes

    def on_train_begin(self, run):
        self.context.call_on_fit_task_begin(estimator=self.estimator, **self.data)

    def on_epoch_begin(self, run):
        self.subtask = self.context.subcontext(task_name=self.subtask_name)
        self.subtask.call_on_fit_task_begin(
            estimator=self.estimator, reconstruction_attributes=self._fitted(run), **self.data
        )

    def on_epoch_end(self, run, record):
        subtask, self.subtask = self.subtask, None
        return subtask.call_on_fit_task_end(
            estimator=self.estimator, reconstruction_attributes=self._fitted(run), **self.data
        )

    def on_train_end(self, run):
        if self.subtask is not None:
            # L-BFGS opens the next iteration after each one; the last never ran.
            self.subtask.call_on_fit_task_end(estimator=self.estimator)
            self.subtask = None
        self.context.call_on_fit_task_end(
            estimator=self.estimator, reconstruction_attributes=self._fitted(run), **self.data
        )
