"""scikit-learn's callback API (``sklearn.callback``, scikit-learn ≥ 1.9), as a hook.

A fit is a task whose subtasks are its epochs (L-BFGS: its iterations).  At the
end of each subtask the callbacks may ask for a ``fitted_estimator`` — a copy of
the estimator with the weights and fitted attributes fit would return if it
stopped there (with a validation split: the best epoch's weights so far) — and
may return True to stop training, which then ends like a stopping rule ends it
(the best weights restored).  The callbacks see the training data and the
user's ``sample_weight`` as metadata (not the class weights).  The bridge is
only built when a callback is set (or propagated by a meta-estimator), so a fit
without callbacks pays nothing; with a scikit-learn that has no
``sklearn.callback`` the estimators simply have no ``set_callbacks``.
"""

from .._engine.hooks import EpochHook
from .._engine.network import _layer_views

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
        """The attributes fit would publish if training ended now (lazily, as copies).

        With a validation split, fit ends on the weights of the best epoch so
        far (the stopping rule restores them), so those are the ones given.
        """
        network = run.network

        def attributes():
            kept = run.best_params if run.validation is not None else network.params
            params = kept.copy()
            coefs = _layer_views(params, [coef.shape for coef in network.coefs])
            intercepts = _layer_views(
                params[network.n_weights :], [b.shape for b in network.intercepts]
            )
            fitted = self.estimator._fitted_attributes(coefs, intercepts, run)
            fitted["history_"] = list(fitted["history_"])
            return fitted

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
