"""Estimator glue shared by skbp's estimators: from ``fit`` to the training loop.

``BaseBackpropMLP._fit`` validates, builds the :class:`~skbp._engine.network.Network`,
assembles the fit's hooks (history, schedule, stopping rule, printing,
scikit-learn callbacks), picks the validation split, hands over to
:mod:`skbp._engine.training`, then publishes the fitted attributes — in a
``finally`` block, so that an interrupted or diverged fit still leaves
consistent, finite attributes behind.  Target encoding, the output layer,
scoring and prediction are the subclasses' business: each returns them from one
method, ``_fit_spec``, as a :class:`FitSpec`.

Between calls the estimator keeps only plain data: the public fitted attributes,
and in ``_training_state`` a dict of arrays and numbers with what ``partial_fit``
needs to continue (optimizer moments, schedule, stopping-rule counters, dropout
seed, the thread probe's answer).  The per-epoch lists are stored compressed when pickled, and loaded with
a bound (:mod:`skbp._estimators.per_epoch`).
"""

import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    column_or_1d,
    validate_data,
)

from .._engine.activations import get_activation
from .._engine.hooks import (
    BestIterate,
    History,
    Hooks,
    LearningRateSchedule,
    StoppingRule,
    TrainingRun,
)
from .._engine.initializers import InitializerError
from .._engine.monitor import LayerMonitor
from .._engine.network import Network, forward_logits
from .._engine.optimizers import OPTIMIZERS, make_optimizer
from .._engine.progress import ProgressPrinter
from .._engine.regularization import Dropout, make_penalty
from .._engine.sample_keys import row_keys
from .._engine.schedules import make_schedule
from .._engine.stopping import make_stopping_rule
from .._engine.training import (
    DataSet,
    TrainingDiverged,
    ValidationSet,
    train_lbfgs,
    train_stochastic,
)
from . import per_epoch
from .callbacks import CallbackSupportMixin, SklearnCallbacks, wants_callbacks
from .params import check_hyperparameters, dropout_rates, hidden_layer_sizes_tuple
from .predict_input import is_plain_valid_input
from .threads import (
    limit_entry_points,
    limit_fit_threads,
    limit_predict_threads,
    thread_probe,
)
from .validation_split import duplicate_aware_split

#: Root of the built documentation (also ``Documentation`` in pyproject.toml).
DOCUMENTATION_URL = "https://skbp.readthedocs.io/en/stable/"
#: The end of lbfgs's "failed to converge" warning (scikit-learn's wording).
_LBFGS_BUDGET_HINT = (
    "Increase the number of iterations (max_iter) or scale the data as shown in "
    "https://scikit-learn.org/stable/modules/preprocessing.html"
)



def check_sample_weight(sample_weight, X, dtype):
    """Validated sample weights in ``dtype``: finite, non-negative, not all zero."""
    if sample_weight is None:
        return None
    sample_weight = _check_sample_weight(sample_weight, X, dtype=dtype, ensure_non_negative=True)
    if not np.any(sample_weight > 0):
        raise ValueError("Sample weights must contain at least one non-zero number.")
    return sample_weight


@dataclass
class FitSpec:
    """What a subclass contributes to a fit: its targets, output layer, scoring, strata.

    A subclass's ``_fit_spec`` returns one; :meth:`BaseBackpropMLP._fit` does
    everything else.  ``data`` holds the validated features (CSR if sparse),
    the targets encoded for the network (2-D) and the weights of the cost
    (class weights included); ``y`` is the validated target as the user gave
    it (what scikit-learn's callbacks score against) and ``frequency`` the
    user's sample_weight alone (how many copies a row stands for: it counts the
    members of a class, and is the callbacks' metadata).

    ``strata(Y)`` returns, for the rows of the encoded targets ``Y``, the
    stratum of each row (all zeros for an unstratified split) and a uint64
    code of its target (rows with equal features and equal codes are
    duplicates, kept on one side of the split); ``scorer(Y_val,
    sample_weight_val)`` returns the function that scores the validation
    logits (accuracy, R²).  Both are called only when a validation split is
    made; ``stratum_names`` names the strata in its error messages.
    """

    data: DataSet
    y: object
    frequency: np.ndarray | None
    output: object
    strata: Callable
    scorer: Callable
    stratum_names: np.ndarray | None = None


class BaseBackpropMLP(CallbackSupportMixin, BaseEstimator):
    """Shared fit machinery. Do not use directly.

    A subclass implements ``_fit_spec(X, y, sample_weight, *, incremental,
    reset)``, which validates the data (``_validate_X_y`` does X and y as
    scikit-learn's MLPs do) and returns a :class:`FitSpec`; and
    ``_output_layer()``, the output activation with its cost (also used by the
    gradient check and the trace).
    """

    # The HTML repr links to the estimator's API page (docs/api.rst's toctree).
    _doc_link_module = "skbp"
    _doc_link_template = DOCUMENTATION_URL + "gen_modules/{estimator_module}.{estimator_name}.html"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        limit_entry_points(cls)  # BLAS threads per call, also in overridden _fit/_logits

    # ------------------------------------------------------------------ fit
    def _check_partial_fit(self):
        """``partial_fit`` is offered for the stochastic solvers without early stopping."""
        if self.solver not in OPTIMIZERS:
            raise AttributeError(
                f"partial_fit is only available for stochastic optimizers. "
                f"{self.solver} is not stochastic."
            )
        if self.early_stopping is not False:
            # As scikit-learn, which raises for early_stopping=True: a stream of
            # batches has no fixed validation split. Not offering the method lets
            # meta-estimators and hasattr see it, as they do for solver="lbfgs".
            raise AttributeError(
                f"partial_fit does not support early_stopping={self.early_stopping!r}: "
                "it needs a fixed validation split, which a stream of batches does "
                "not have. Use fit, or set early_stopping=False."
            )
        return True

    @limit_fit_threads  # fit and partial_fit: BLAS threads as the products can use
    def _fit(self, X, y, sample_weight=None, incremental=False):
        hidden = hidden_layer_sizes_tuple(self.hidden_layer_sizes)
        check_hyperparameters(self, len(hidden))
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        spec = self._fit_spec(X, y, sample_weight, incremental=incremental, reset=first_pass)
        rng = check_random_state(self.random_state)
        network = self._network(spec, hidden, first_pass, rng)
        if first_pass or not incremental:
            # A fit starts the optimizer, the schedule, the stopping rule and the
            # dropout masks afresh; partial_fit continues them.
            self._training_state = {}
        run = TrainingRun(
            network, history=self.history_, n_samples_seen=self.t_, best_epoch=self.best_epoch_
        )
        penalty = make_penalty(self.penalty, alpha=self.alpha, l1_ratio=self.l1_ratio)
        stochastic = self.solver in OPTIMIZERS
        if stochastic:
            run.optimizer, schedule, rule = self._stochastic_state(network, run, incremental)
        probe = thread_probe(self._training_state.get("threads")) if stochastic else None
        try:
            train, validation = self._split(spec, rng, stochastic and rule.needs_validation)
            run.validation = validation
            solver_hooks = (
                [LearningRateSchedule(schedule), StoppingRule(rule, schedule, validation is not None)]
                if stochastic
                else [BestIterate()]
            )
            printer = self._printer(spec.data.X, network.layer_sizes, validation is not None)
            hooks = Hooks(
                [
                    LayerMonitor(train) if self.monitor_layers else None,
                    History(),
                    *solver_hooks,
                    self._callbacks(spec, incremental),
                    printer,
                    probe,
                ]
            )
            if stochastic:
                self._fit_stochastic(network, train, run=run, hooks=hooks, penalty=penalty,
                                     rng=rng, printer=printer, incremental=incremental)
            else:
                self._fit_lbfgs(network, train, run=run, hooks=hooks, penalty=penalty)
        except TrainingDiverged as exc:
            exc.args = (f"{exc.args[0]} {self._divergence_hint()}",)
            raise
        finally:
            if stochastic:
                self._training_state = {
                    "optimizer": run.optimizer.state(),
                    "schedule": schedule.state(),
                    "stopping": rule.state(),
                    "mask_seed": self._training_state.get("mask_seed"),
                    "threads": None if probe is None else probe.state(),
                }
            self._publish(network, run)
        return self

    def _network(self, spec, hidden, first_pass, rng):
        """The network to train: fresh weights, or the fitted ones to continue from."""
        X = spec.data.X
        self.n_outputs_ = spec.data.Y.shape[1]
        layer_sizes = (X.shape[1], *hidden, self.n_outputs_)
        network = Network(layer_sizes, self.activation, spec.output, X.dtype)
        if first_pass:
            try:
                network.initialize(rng, self.initializer, self.init_std, self.bias_init)
            except InitializerError as exc:
                raise ValueError(f"The 'initializer' parameter: {exc}") from None
            self.history_, self.t_, self.best_epoch_ = [], 0, None
        else:
            network.set_parameters(self.coefs_, self.intercepts_)
        self.n_layers_ = len(layer_sizes)
        self.out_activation_ = network.output.output_activation.name
        return network

    def _stochastic_state(self, network, run, incremental):
        """The optimizer, the learning-rate schedule and the stopping rule, with the
        state partial_fit continues from (``_training_state``, empty for a fit)."""
        # vars, not get_params: get_params inspects __init__'s signature on every
        # call, which partial_fit would pay per batch.
        optimizer = make_optimizer(self.solver, network=network, **vars(self))
        schedule = make_schedule(
            self.learning_rate, solver=self.solver, learning_rate_init=self.learning_rate_init,
            power_t=self.power_t, max_iter=self.max_iter, warmup_iter=self.warmup_iter,
            # Each fit (a warm start too) begins a schedule cycle of its own;
            # partial_fit continues the saved one.
            origin=0 if incremental else run.epoch,
        )
        rule = make_stopping_rule(
            self.early_stopping, tol=self.tol, n_iter_no_change=self.n_iter_no_change,
            threshold=self.stopping_threshold,
        )
        saved = self._training_state
        if saved:
            optimizer.load_state(saved["optimizer"])
            schedule.load_state(saved["schedule"])
            rule.load_state(saved["stopping"])
        return optimizer, schedule, rule

    def _split(self, spec, rng, needs_validation):
        """(training set, validation set or None); rows get content keys when
        dropout masks or the duplicate-aware split need them."""
        data = spec.data
        if needs_validation or (self.solver in OPTIMIZERS and self._dropout_rates()[1]):
            data = replace(data, keys=row_keys(data.X))
        if not needs_validation:
            return data, None
        return self._split_validation(spec, data, rng)

    def _split_validation(self, spec, data, rng):
        """Hold out the validation set of early stopping (see ``validation_split``)."""
        strata, label_codes = spec.strata(data.Y)
        is_val = duplicate_aware_split(
            data.keys, label_codes, strata, data.sample_weight, self.validation_fraction,
            rng, frequency=spec.frequency, class_names=spec.stratum_names,
        )
        train_idx, val_idx = np.flatnonzero(~is_val), np.flatnonzero(is_val)
        held_out = data.take(val_idx)
        validation = ValidationSet(
            held_out.X, held_out.Y, held_out.sample_weight,
            score=spec.scorer(held_out.Y, held_out.sample_weight),
        )
        return data.take(train_idx), validation

    def _dropout_rates(self):
        """(per-layer drop probabilities, whether any is non-zero)."""
        rates = dropout_rates(self.dropout, len(hidden_layer_sizes_tuple(self.hidden_layer_sizes)))
        return rates, any(rates)

    def _callbacks(self, spec, incremental):
        if not wants_callbacks(self):
            return None
        # The callbacks score with the user's sample_weight, as the metadata of
        # fit (class weights are a parameter of the model).
        lbfgs = self.solver not in OPTIMIZERS
        return SklearnCallbacks(
            self, spec.data.X, spec.y, spec.frequency,
            max_subtasks=1 if incremental else self.max_iter + lbfgs,
            subtask_name="iteration" if lbfgs else "epoch",
        )

    def _fit_lbfgs(self, network, train, *, run, hooks, penalty):
        """Full-batch L-BFGS on the whole training set."""
        train_lbfgs(
            network, train, run=run, hooks=hooks, penalty=penalty,
            max_iter=self.max_iter, max_fun=self.max_fun, tol=self.tol,
            budget_hint=_LBFGS_BUDGET_HINT,
        )

    def _fit_stochastic(self, network, train, *, run, hooks, penalty, rng, printer, incremental):
        """Mini-batch epochs (one for partial_fit), with dropout if asked for."""
        n_train = train.n_samples
        if self.batch_size == "auto":
            batch_size = min(200, n_train)
        else:
            if self.batch_size > n_train:
                warnings.warn(
                    "Got `batch_size` less than 1 or larger than sample size. It is "
                    "going to be clipped"
                )
            batch_size = int(np.clip(self.batch_size, 1, n_train))
        rates, uses_dropout = self._dropout_rates()
        dropout = None
        if uses_dropout:
            # Drawn once per model, so that partial_fit calls continue one mask stream.
            mask_seed = self._training_state.get("mask_seed")
            if mask_seed is None:
                mask_seed = int(rng.randint(np.iinfo(np.int32).max))
                self._training_state["mask_seed"] = mask_seed
            dropout = Dropout(rates, seed=mask_seed)
        train_stochastic(
            network, train, run=run, hooks=hooks, penalty=penalty, rng=rng,
            batch_size=batch_size, shuffle=self.shuffle, max_epochs=self.max_iter,
            validation=run.validation, dropout=dropout, incremental=incremental,
            batch_progress=printer.batch if self.verbose >= 2 else None,
            divergence_hint=self._divergence_hint(),
        )

    def _divergence_hint(self):
        if self.solver not in OPTIMIZERS:
            return "Lower learning_rate_init or scale the features (e.g. with StandardScaler)."
        return (
            f"Lower learning_rate_init (currently {self.learning_rate_init:g}) or scale "
            "the features (e.g. with StandardScaler)."
        )

    def _printer(self, X, layer_sizes, has_validation):
        if not self.verbose:
            return None
        description = (
            f"Training {type(self).__name__} on {X.shape[0]} samples x {X.shape[1]} "
            f"features: layers {tuple(layer_sizes)}, activation {self.activation}, "
            f"solver {self.solver}, {np.dtype(X.dtype).name}"
        )
        return ProgressPrinter(self.verbose, description, has_validation)

    def _publish(self, network, run):
        """Fitted attributes from the network and the run."""
        vars(self).update(self._fitted_attributes(network.coefs, network.intercepts, run))

    @staticmethod
    def _fitted_attributes(coefs, intercepts, run):
        """The fitted attributes of a model with these weights after ``run``'s epochs."""
        history = run.history
        attributes = {
            "coefs_": coefs,
            "intercepts_": intercepts,
            "history_": history,
            "n_iter_": run.epochs_this_call,
            "t_": run.n_samples_seen,
            "loss_curve_": [record["train_loss"] for record in history],
            "best_epoch_": run.best_epoch,
        }
        if history:
            attributes["loss_"] = history[-1]["train_loss"]
        if run.validation is not None:
            best = history[run.best_epoch - 1] if run.best_epoch else None
            attributes.update(
                validation_scores_=[record["val_score"] for record in history],
                validation_losses_=[record["val_loss"] for record in history],
                best_validation_score_=None if best is None else best["val_score"],
                best_loss_=None,
            )
        else:
            attributes.update(
                validation_scores_=None,
                validation_losses_=None,
                best_validation_score_=None,
                best_loss_=min(attributes["loss_curve_"], default=None),
            )
        return attributes

    # ---------------------------------------------------------- persistence
    def __copy__(self):
        # A plain shallow copy: copy.copy would otherwise go through __getstate__
        # and compress the per-epoch lists (scikit-learn's callbacks make one
        # copy per epoch, for their fitted_estimator).
        copied = type(self).__new__(type(self))
        copied.__dict__.update(self.__dict__)
        return copied

    def __getstate__(self):
        # A copy: on Python >= 3.11 the base returns the instance's own __dict__.
        return per_epoch.encode(dict(super().__getstate__()))

    def __setstate__(self, state):
        super().__setstate__(per_epoch.decode(dict(state)))

    def _validate_X_y(self, X, y, *, incremental, reset, y_numeric=False, sample_weight=None):
        """X and y as scikit-learn's MLPs validate them; partial_fit keeps the model's dtype.

        ``sample_weight`` is for subclasses that fit a preprocessing on weighted
        rows (TabularMLP's encoder); the network's weights are checked later.
        """
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",  # the row gathers of mini-batches want CSR
            multi_output=True,
            y_numeric=y_numeric,
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if incremental and hasattr(self, "coefs_") and not reset:
            X = X.astype(self.coefs_[0].dtype, copy=False)
        return X, y

    # ------------------------------------------------------------- predict
    def _validate_predict_data(self, X):
        if is_plain_valid_input(self, X):
            return X  # what validate_data would return, without its ~100 µs per call
        check_is_fitted(self)
        return validate_data(
            self, X, accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32), reset=False
        )

    @limit_predict_threads
    def _logits(self, X):
        """Z^L for X (already validated), computed in the dtype of the weights.

        A float32 model given float64 rows that overflow float32 (the features
        themselves, or a layer on the way) computes those rows again in float64,
        as MLPClassifier would: the logits are then float64, and the callers
        return their result in the model's dtype (``_as_model_dtype``).
        """
        dtype = self.coefs_[0].dtype
        activation = get_activation(self.activation)
        if X.dtype == dtype:
            return forward_logits(X, self.coefs_, self.intercepts_, activation)
        with np.errstate(over="ignore", invalid="ignore"):  # such rows are redone below
            logits = forward_logits(X.astype(dtype), self.coefs_, self.intercepts_, activation)
        overflowed = ~np.isfinite(logits).all(axis=1)
        if not overflowed.any():
            return logits
        wide = [np.asarray(p, dtype=X.dtype) for p in (*self.coefs_, *self.intercepts_)]
        n_layers = len(self.coefs_)
        logits = logits.astype(X.dtype)
        logits[overflowed] = forward_logits(
            X[overflowed], wide[:n_layers], wide[n_layers:], activation
        )
        return logits

    def _as_model_dtype(self, values):
        return values.astype(self.coefs_[0].dtype, copy=False)
