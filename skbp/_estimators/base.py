"""Estimator glue shared by skbp's estimators: from ``fit`` to the training loop.

``BaseBackpropMLP._fit`` validates, builds the :class:`~skbp._engine.network.Network`,
picks the optimizer, the stopping rule and the validation split, hands over to
:mod:`skbp._engine.training`, then publishes the fitted attributes — in a ``finally``
block, so that an interrupted or diverged fit still leaves consistent, finite
attributes behind.  Target encoding, scoring and prediction are the
subclasses' business.
"""

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import _check_sample_weight

from .._engine.activations import get_activation
from .._engine.network import Network, forward_logits
from .._engine.optimizers import make_optimizer
from .._engine.progress import ProgressPrinter
from .._engine.regularization import Dropout, make_penalty
from .._engine.sample_keys import row_keys
from .._engine.stopping import make_stopping_rule
from .._engine.training import (
    DataSet,
    TrainingState,
    ValidationSet,
    train_lbfgs,
    train_stochastic,
)
from .params import (
    PARAMETER_CONSTRAINTS,
    check_hyperparameters,
    hidden_layer_sizes_tuple,
)
from .validation_split import duplicate_aware_split


def check_sample_weight(sample_weight, X, dtype):
    """Validated sample weights in ``dtype``: finite, non-negative, not all zero."""
    if sample_weight is None:
        return None
    sample_weight = _check_sample_weight(sample_weight, X, dtype=dtype)
    if np.any(sample_weight < 0):
        raise ValueError("Negative values in data passed to `sample_weight`.")
    if not np.any(sample_weight > 0):
        raise ValueError("Sample weights must contain at least one non-zero number.")
    return sample_weight


#: Root of the built documentation (also ``Documentation`` in pyproject.toml).
DOCUMENTATION_URL = "https://skbp.readthedocs.io/en/stable/"


class BaseBackpropMLP(BaseEstimator):
    """Shared fit machinery. Do not use directly."""

    _parameter_constraints: dict = PARAMETER_CONSTRAINTS
    # The HTML repr links to the estimator's API page (docs/api.rst's toctree).
    _doc_link_module = "skbp"
    _doc_link_template = DOCUMENTATION_URL + "gen_modules/{estimator_module}.{estimator_name}.html"

    # ---------------------------------------------------------------- hooks
    def _output_layer(self):  # pragma: no cover - overridden
        raise AttributeError("subclasses define their output layer")

    # ------------------------------------------------------------------ fit
    def _fit(self, X, y, sample_weight=None, incremental=False):
        hidden = hidden_layer_sizes_tuple(self.hidden_layer_sizes)
        rates = check_hyperparameters(self, len(hidden))
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        X, Y, sample_weight, frequency = self._validate_training_data(
            X, y, sample_weight, incremental=incremental, reset=first_pass
        )
        if sp.issparse(X) and X.format != "csr":
            X = X.tocsr()
        rng = check_random_state(self.random_state)
        self.n_outputs_ = Y.shape[1]
        layer_sizes = (X.shape[1], *hidden, self.n_outputs_)
        output = self._output_layer()
        network = Network(layer_sizes, self.activation, output, X.dtype)
        if first_pass:
            network.initialize(rng, self.initializer, self.init_std, self.bias_init)
            self._state = TrainingState()
            self._optimizer = self._stopping_rule = None
        else:
            network.set_parameters(self.coefs_, self.intercepts_)
        self.n_layers_ = len(layer_sizes)
        self.out_activation_ = output.out_activation
        state = self._state

        verbose = ProgressPrinter(self.verbose)
        penalty = make_penalty(self.penalty, self.alpha, self.l1_ratio)
        try:
            if self.solver == "lbfgs":
                verbose.header(self._describe(X, layer_sizes), has_validation=False)
                self._validation_used = False
                self.loss_ = train_lbfgs(
                    network,
                    DataSet(X, Y, sample_weight),
                    penalty=penalty,
                    max_iter=self.max_iter,
                    max_fun=self.max_fun,
                    tol=self.tol,
                    state=state,
                    progress=verbose,
                )
                return self
            self._fit_stochastic(
                X, Y, sample_weight, frequency, network, rng, rates, penalty, incremental,
                verbose,
            )
        finally:
            self._publish(network, state)
        return self

    def _fit_stochastic(
        self, X, Y, sample_weight, frequency, network, rng, rates, penalty, incremental,
        verbose,
    ):
        if not incremental or self._optimizer is None:
            self._optimizer = make_optimizer(self.solver, network, self.get_params())
        if not incremental or self._stopping_rule is None:
            self._stopping_rule = make_stopping_rule(
                self.early_stopping,
                self.tol,
                self.n_iter_no_change,
                self.stopping_threshold,
            )
            self._state.best_params = None
        rule = self._stopping_rule
        uses_dropout = any(rates)
        keys = row_keys(X) if (uses_dropout or rule.needs_validation) else None

        train = DataSet(X, Y, sample_weight, keys)
        validation = None
        if rule.needs_validation:
            train, validation = self._split_validation(train, frequency, rng)
        self._validation_used = validation is not None

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
        dropout = None
        if uses_dropout:
            dropout = Dropout(rates, seed=self._dropout_seed(rng, incremental))
        verbose.header(self._describe(X, network.layer_sizes), validation is not None)
        train_stochastic(
            network,
            train,
            optimizer=self._optimizer,
            rule=rule,
            state=self._state,
            rng=rng,
            batch_size=batch_size,
            shuffle=self.shuffle,
            max_epochs=self.max_iter,
            validation=validation,
            penalty=penalty,
            dropout=dropout,
            incremental=incremental,
            progress=verbose,
            learning_rate_init=self.learning_rate_init,
        )

    def _dropout_seed(self, rng, incremental):
        # Drawn once per model so that partial_fit calls continue one mask stream.
        if not incremental or getattr(self, "_mask_seed", None) is None:
            self._mask_seed = int(rng.randint(np.iinfo(np.int32).max))
        return self._mask_seed

    def _split_validation(self, data, frequency, rng):
        """Hold out the validation set of early stopping.

        ``frequency`` is the user's sample_weight (before class weights): it
        tells how many members a row stands for when classes are counted.
        """
        strata, label_codes = self._split_strata(data.Y)
        is_val = duplicate_aware_split(
            data.keys, label_codes, strata, data.sample_weight, self.validation_fraction,
            rng, frequency=frequency, class_names=getattr(self, "classes_", None),
        )
        train_idx, val_idx = np.flatnonzero(~is_val), np.flatnonzero(is_val)

        def take(data_part, idx):
            return None if data_part is None else data_part[idx]

        train = DataSet(
            data.X[train_idx], data.Y[train_idx], take(data.sample_weight, train_idx),
            take(data.keys, train_idx),
        )
        validation = ValidationSet(
            data.X[val_idx], data.Y[val_idx], take(data.sample_weight, val_idx),
            score=self._validation_scorer(data.Y[val_idx], take(data.sample_weight, val_idx)),
        )
        return train, validation

    def _describe(self, X, layer_sizes):
        return (
            f"Training {type(self).__name__} on {X.shape[0]} samples x {X.shape[1]} "
            f"features: layers {tuple(layer_sizes)}, activation {self.activation}, "
            f"solver {self.solver}, {np.dtype(X.dtype).name}"
        )

    def _publish(self, network, state):
        """Fitted attributes from the network and the training state."""
        self.coefs_ = network.coefs
        self.intercepts_ = network.intercepts
        history = list(state.history)
        self.history_ = history
        self.n_iter_ = state.epochs_this_call
        self.t_ = state.n_samples_seen
        self.loss_curve_ = [record["train_loss"] for record in history]
        if history:
            self.loss_ = history[-1]["train_loss"]
        self.best_epoch_ = state.best_epoch
        if getattr(self, "_validation_used", False):
            self.validation_scores_ = [record["val_score"] for record in history]
            self.validation_losses_ = [record["val_loss"] for record in history]
            best = history[state.best_epoch - 1] if state.best_epoch else None
            self.best_validation_score_ = None if best is None else best["val_score"]
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.validation_losses_ = None
            self.best_validation_score_ = None
            self.best_loss_ = min(self.loss_curve_) if self.loss_curve_ else None

    # ------------------------------------------------------------- predict
    def _logits(self, X):
        """Z^L for X (already validated), computed in the dtype of the weights."""
        dtype = self.coefs_[0].dtype
        if X.dtype != dtype:
            X = X.astype(dtype)
        return forward_logits(X, self.coefs_, self.intercepts_, get_activation(self.activation))
