"""TabularMLPClassifier and TabularMLPRegressor: RealMLP's recipe on skbp's engine.

They are the Backprop estimators with a different front door and a different
training plan, so they subclass them and override only these steps of the
shared machinery (:mod:`skbp._estimators.base`):

``_validate_X_y`` / ``_validate_predict_data``
    a raw table (numpy, pandas, polars; numeric, boolean, categorical and
    string columns; missing values) goes through the fitted
    :class:`~skbp.TabularEncoder` ``encoder_`` instead of ``check_array``;
``_fit``
    the network gets the tabular front layers (periodic numerical embedding,
    feature scaling), parametric activations, data-driven initialization and
    per-group learning-rate factors; Adam runs the whole epoch budget under
    the schedules of :data:`~skbp._engine.schedules.SHAPES` (learning rate,
    dropout, weight decay) and the best validation epoch is restored at the
    end (:class:`~skbp._engine.stopping.BestValidationEpoch`). It uses the
    base's pieces — the subclass's ``FitSpec`` (``_fit_spec``), the
    validation split, the hooks, the training loop, ``_publish`` — with its
    own hook list;
``_logits`` / ``_fitted_network``
    prediction (and the gradient check, the trace) runs the same network,
    front layers included;
``_fitted_attributes``
    adds ``layer_params_``, the parameters that are not dense weights or biases.

The classifier adds label smoothing to its loss; the regressor builds its own
``FitSpec``: the standardized target (predictions clipped to the training
target's range). Everything else — class weights, sample weights, the
validation split, history, callbacks, persistence, predict_proba — is the
Backprop estimators'.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import replace
from numbers import Integral, Real
from typing import Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from sklearn.base import is_classifier
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_feature_names,
    _check_n_features,
    _check_y,
    check_array,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
)

from .._engine.activations import ACTIVATIONS
from .._engine.hooks import (
    EpochBudget,
    History,
    Hooks,
    LearningRateSchedule,
    ScheduledFactor,
    StoppingRule,
    TrainingRun,
)
from .._engine.initializers import initialize_from_data
from .._engine.layers import CategoricalEmbedding, FeatureScaling, PeriodicEmbedding
from .._engine.losses import make_loss
from .._engine.monitor import LayerMonitor
from .._engine.network import Network
from .._engine.optimizers import make_optimizer
from .._engine.progress import ProgressPrinter
from .._engine.regularization import Dropout
from .._engine.sample_keys import row_keys
from .._engine.schedules import SHAPES, Shaped
from .._engine.stopping import (
    PRECHELT_RULES,
    BestValidationEpoch,
    TrainingLossPlateau,
    make_stopping_rule,
)
from .._engine.training import DataSet, TrainingDiverged, train_stochastic
from .base import BaseBackpropMLP, FitSpec, check_sample_weight
from .callbacks import SklearnCallbacks, wants_callbacks
from .classifier import BackpropMLPClassifier
from .params import dropout_rates, hidden_layer_sizes_tuple
from .regressor import BackpropMLPRegressor
from .smooth_clip import NUMERIC_TRANSFORMS
from .tabular_docstrings import tabular_docstring
from .tabular_encoding import TabularEncoder
from .threads import thread_probe

#: RealMLP's learning-rate factors per parameter group (Holzmüller et al. 2024);
#: a group missing here keeps the factor 1. "embedding" is the periodic
#: numerical embedding, "categorical" the categorical embedding's tables.
LR_FACTORS = {
    "weights": 1.0, "biases": 0.1, "scaling": 6.0, "embedding": 0.1, "categorical": 1.0,
    "activation": 0.1,
}

#: Weight-decay factors per group. The optimizer multiplies them by the
#: learning-rate factors, so the decay of a group is lr_f², as in pytabkit
#: (its issue 40); biases are never decayed.
DECAY_FACTORS = {
    "weights": 1.0, "biases": 0.0, "scaling": 6.0, "embedding": 0.1, "categorical": 1.0,
    "activation": 0.1,
}

#: Values per level of a high-cardinality column with ``high_cardinality="embedding"``
#: (RealMLP's embedding_size).
CATEGORICAL_EMBEDDING_DIMS = 8

#: Rows used to set the data-driven initialization (RealMLP uses the training part).
_INIT_ROWS = 2048

_TABULAR_CONSTRAINTS = {
    "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
    "activation": [StrOptions(set(ACTIVATIONS))],
    "parametric_activation": ["boolean"],
    "numerical_embedding": [StrOptions({"pbld"}), None],
    "feature_scaling": ["boolean"],
    "data_driven_init": ["boolean"],
    "lr_factors": ["boolean"],
    "parametrization": [StrOptions({"ntk", "standard"})],
    "learning_rate": [StrOptions(set(SHAPES))],
    "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
    "batch_size": [Interval(Integral, 1, None, closed="left")],
    "max_iter": [Interval(Integral, 1, None, closed="left")],
    "beta_1": [Interval(Real, 0, 1, closed="left")],
    "beta_2": [Interval(Real, 0, 1, closed="left")],
    "epsilon": [Interval(Real, 0, None, closed="neither")],
    "dropout": [Interval(Real, 0, 1, closed="left"), "array-like"],
    "dropout_schedule": [StrOptions(set(SHAPES))],
    "weight_decay": [Interval(Real, 0, None, closed="left")],
    "weight_decay_schedule": [StrOptions(set(SHAPES))],
    "validation_fraction": [Interval(Real, 0, 1, closed="left")],
    "early_stopping": ["boolean", StrOptions(set(PRECHELT_RULES))],
    "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
    "tol": [Interval(Real, 0, None, closed="left")],
    "numeric_transform": [StrOptions(set(NUMERIC_TRANSFORMS))],
    "categorical_features": [StrOptions({"from_dtype"}), "array-like", None],
    "max_onehot_categories": [Interval(Integral, 1, None, closed="left")],
    "high_cardinality": [StrOptions({"embedding", "target"})],
    "dtype": [StrOptions({"float32", "float64"})],
    "shuffle": ["boolean"],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
    "monitor_layers": ["boolean"],
    "warm_start": ["boolean"],
}


class _TabularMLP:
    """The steps the tabular estimators do their own way (see the module docstring)."""

    #: How the encoder's target encoding reads y (a regressor's whole-number
    #: target is still continuous).
    _target_type = "auto"

    # ------------------------------------------------------------ the table
    def _check_table(self, X, reset):
        """X's shape and column names as scikit-learn checks them; X itself stays raw."""
        if sp.issparse(X):
            raise TypeError(
                f"Sparse data was passed for X, but {type(self).__name__} needs a dense "
                "table (an array or a DataFrame): use X.toarray(), or BackpropMLP"
                "Classifier/Regressor, which take sparse input."
            )
        if hasattr(X, "columns") and hasattr(X, "shape"):  # pandas or polars DataFrame
            n_samples, n_features = X.shape
            if n_samples < 1 or n_features < 1:
                raise ValueError(
                    f"Found array with {n_samples} sample(s) and {n_features} feature(s) "
                    f"(shape={X.shape}) while a minimum of 1 is required."
                )
        else:
            # dtype=None keeps object arrays of strings for the encoder.
            X = check_array(X, dtype=None, ensure_all_finite=False, estimator=self)
        _check_feature_names(self, X, reset=reset)
        _check_n_features(self, X, reset=reset)
        return X

    def _validate_X_y(self, X, y, *, incremental, reset, y_numeric=False, sample_weight=None):
        """Validate y and the raw table X, and encode X (fitting ``encoder_`` when ``reset``).

        The encoder is fitted on the rows weighted by ``sample_weight``.
        """
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        X = self._check_table(X, reset)
        y = _check_y(y, multi_output=True, y_numeric=y_numeric, estimator=self)
        if is_classifier(self):
            # Before the encoder reads y: scikit-learn < 1.8's type_of_target does
            # not say "Unknown label type" for an object y of no known type.
            check_classification_targets(y)
        if reset:
            # fit_transform, not fit then transform: target-encoded columns of the
            # training rows are cross-fitted, so the network does not learn from
            # encodings that saw each row's own target.
            self.encoder_ = TabularEncoder(
                categorical_features=self.categorical_features,
                numeric_transform=self.numeric_transform,
                max_onehot_categories=self.max_onehot_categories,
                # Codes for the network's embedding layer, or target encodings.
                high_cardinality="ordinal" if self.high_cardinality == "embedding" else "target",
                dtype=self.dtype,  # a name: skops then trusts the encoder's params
                target_type=self._target_type,
                random_state=self.random_state,
            )
            X = self.encoder_.fit_transform(
                X, y, sample_weight=check_sample_weight(sample_weight, X, np.float64)
            )
        else:
            X = self.encoder_.transform(X)
        check_consistent_length(X, y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, y

    def _validate_predict_data(self, X):
        check_is_fitted(self)
        return self.encoder_.transform(self._check_table(X, reset=False))

    def _encode_features(self, X):
        """The network's input for the raw table X (check_gradients and the trace use it)."""
        return self._validate_predict_data(X)

    def _check_partial_fit(self):
        # A stream of batches cannot fit the encoder nor run a schedule's budget.
        raise AttributeError(
            f"{type(self).__name__} has no partial_fit: its encoder is fitted on the "
            "whole table and its schedules need the epoch budget. Use fit, with "
            "warm_start=True to continue training."
        )

    # ---------------------------------------------------------- the network
    def _network(self, n_features, dtype):
        """The network these hyperparameters describe, with zero parameters."""
        hidden = hidden_layer_sizes_tuple(self.hidden_layer_sizes)
        front = []
        encoder = self.encoder_
        columns = np.asarray(getattr(encoder, "continuous_columns_", ()), dtype=np.intp)
        coded = np.asarray(getattr(encoder, "ordinal_columns_", ()), dtype=np.intp)
        if coded.size:
            # First, so that the layers behind it never see a code as a number:
            # it drops the coded columns and appends their embeddings, and the
            # continuous columns move left by the coded columns before them.
            levels = [
                len(encoder.categories_[i]) + 1  # + code 0: missing or unseen
                for i, encoding in enumerate(encoder.encodings_) if encoding == "ordinal"
            ]
            front.append(CategoricalEmbedding(coded, levels, n_dims=CATEGORICAL_EMBEDDING_DIMS))
            columns = columns - np.searchsorted(coded, columns)
        if self.numerical_embedding == "pbld" and len(columns):
            front.append(PeriodicEmbedding(columns))
        if self.feature_scaling:
            front.append(FeatureScaling())
        return Network(
            (n_features, *hidden, self.n_outputs_), self.activation, self._output_layer(), dtype,
            front=front, parametric_activation=self.parametric_activation,
        )

    def _initialize(self, network, train, rng):
        """Random draws, then RealMLP's data-driven rescaling and biases, then group factors.

        The data-driven part reads the rows of positive weight, weighted (a
        sample of ``_INIT_ROWS`` of them on larger data sets). Up to that size,
        integer weights give the initialization repeated rows give. The weights are the
        cost's: a ``class_weight`` weighs the rows of its classes too.
        """
        if self.data_driven_init:
            weight = train.sample_weight
            candidates = np.arange(train.n_samples) if weight is None else np.flatnonzero(weight > 0)
            if candidates.size < 2:
                raise ValueError(
                    "The data-driven initialization needs at least 2 training rows of "
                    f"positive weight; got n_samples={candidates.size}. Set "
                    "data_driven_init=False to fit fewer."
                )
            network.initialize(rng, "normal", 1.0)
            if candidates.size > _INIT_ROWS:
                rows = np.sort(candidates[rng.permutation(candidates.size)[:_INIT_ROWS]])
            else:
                # In the order of the rows' contents, so that the draws do not depend
                # on the table's order, and a row of weight k is drawn where k
                # copies of it would be.
                rows = candidates[np.argsort(train.keys[candidates], kind="stable")]
            if weight is not None:
                weight = weight[rows].astype(np.float64)
            initialize_from_data(network, train.X[rows], rng, sample_weight=weight)
        else:
            network.initialize(rng, "auto")
        self._set_group_factors(network)

    def _set_group_factors(self, network):
        if not (self.lr_factors or self.parametrization == "ntk"):
            return
        network.set_group_factors(
            lr=LR_FACTORS if self.lr_factors else {},
            weight_decay=DECAY_FACTORS if self.lr_factors else {"biases": 0.0},
            fan_in_power=0.5 if self.parametrization == "ntk" else 0.0,
        )

    @staticmethod
    def _layer_params_slice(network):
        """Where ``layer_params_`` lives in the flat vector: after the dense layers."""
        return slice(network.n_dense, None)

    # ------------------------------------------------------------------ fit
    def _fit(self, X, y, sample_weight=None, incremental=False):
        hidden = hidden_layer_sizes_tuple(self.hidden_layer_sizes)
        rates = dropout_rates(self.dropout, len(hidden))
        if self.early_stopping is not False and not 0 < self.validation_fraction < 1:
            raise ValueError(
                f"early_stopping={self.early_stopping!r} needs a validation split: "
                f"validation_fraction must be in (0, 1); got {self.validation_fraction!r}."
            )
        first_pass = not (self.warm_start and hasattr(self, "coefs_"))
        raw_X = X  # what scikit-learn's callbacks score the fitted estimator on
        spec = self._fit_spec(X, y, sample_weight, incremental=False, reset=first_pass)
        X = spec.data.X
        rng = check_random_state(self.random_state)
        self.n_outputs_ = spec.data.Y.shape[1]
        network = self._network(X.shape[1], X.dtype)
        if first_pass:
            self.history_, self.t_, self.best_epoch_ = [], 0, None
        self.n_layers_ = len(network.layer_sizes)
        self.out_activation_ = network.output.output_activation.name

        train = replace(spec.data, keys=row_keys(X))
        validation = self._validation_split(spec, train, rng)
        if validation is not None:
            train, validation = validation
        if first_pass:
            self._initialize(network, train, rng)
        else:
            network.set_parameters(self.coefs_, self.intercepts_)
            network.params[self._layer_params_slice(network)] = self.layer_params_
            self._set_group_factors(network)

        run = TrainingRun(
            network, history=self.history_, n_samples_seen=self.t_, best_epoch=self.best_epoch_
        )
        run.validation = validation
        optimizer = make_optimizer(
            "adam", network=network, learning_rate_init=self.learning_rate_init,
            weight_decay=0.0, beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon,
        )
        run.optimizer = optimizer
        # Each fit runs its schedules from their start (a warm start included).
        schedule = Shaped(
            self.learning_rate_init, max_iter=self.max_iter, origin=len(self.history_),
            shape=self.learning_rate,
        )
        if self.early_stopping is not False:
            rule = make_stopping_rule(
                self.early_stopping, tol=self.tol, n_iter_no_change=self.n_iter_no_change
            )
        elif validation is not None:
            rule = BestValidationEpoch()
        else:
            rule = TrainingLossPlateau(0.0, math.inf)  # never stops; best_epoch_ = lowest loss
        dropout = None
        if any(rates):
            dropout = Dropout(rates, seed=int(rng.randint(np.iinfo(np.int32).max)))
        callbacks = None
        if wants_callbacks(self):
            callbacks = SklearnCallbacks(
                self, raw_X, spec.y, spec.frequency,
                max_subtasks=self.max_iter, subtask_name="epoch",
            )
        printer = self._printer(X, network.layer_sizes, validation is not None)
        hooks = Hooks(
            [
                LayerMonitor(train) if self.monitor_layers else None,
                History(),
                LearningRateSchedule(schedule, per_step=True),
                self._weight_decay_hook(),
                self._dropout_hook(dropout, rates),
                StoppingRule(rule, schedule, restore_best=validation is not None),
                EpochBudget(self.max_iter),
                callbacks,
                printer,
                thread_probe(),
            ]
        )
        try:
            train_stochastic(
                network, train, run=run, hooks=hooks, rng=rng,
                batch_size=min(self.batch_size, train.n_samples), shuffle=self.shuffle,
                max_epochs=self.max_iter, validation=validation, dropout=dropout,
                batch_progress=printer.batch if printer is not None and self.verbose >= 2 else None,
                divergence_hint=self._divergence_hint(),
                # As RealMLP, the last, smaller batch of each epoch is skipped
                # (every step has the batch's gradient noise, and the schedules'
                # t counts the full batches); shuffled, it is other rows each
                # epoch. Without shuffling it would be the same rows every time.
                drop_last=self.shuffle,
            )
        except TrainingDiverged as exc:
            exc.args = (f"{exc.args[0]} {self._divergence_hint()}",)
            raise
        finally:
            self._publish(network, run)
        return self

    def _divergence_hint(self):
        return (
            f"Lower learning_rate_init (currently {self.learning_rate_init:g})."
        )

    def _validation_split(self, spec, train, rng):
        """(train, validation) parts, or None without a validation split.

        Model selection is a refinement: when the data cannot be split (a class
        with a single member, too few distinct rows), the model trains on every
        row and keeps its last epoch, with a warning. Early stopping cannot do
        without the split and raises instead.
        """
        if not self.validation_fraction:
            return None
        try:
            return self._split_validation(spec, train, rng)
        except ValueError as error:
            if self.early_stopping is not False:
                raise
            warnings.warn(
                f"No validation split for the model selection: {error} Trained on every "
                "row and kept the last epoch (set validation_fraction=0 to silence this).",
                UserWarning,
            )
            return None

    def _weight_decay_hook(self):
        """Decoupled decay λ·s(t) per unit of learning rate, as PyTorch's AdamW."""
        if not self.weight_decay:
            return None
        decay = float(self.weight_decay)

        def apply(run, factor):
            run.optimizer.weight_decay = run.optimizer.learning_rate * decay * factor

        return ScheduledFactor(self.weight_decay_schedule, self.max_iter, apply, per_step=True)

    def _dropout_hook(self, dropout, rates):
        if dropout is None:
            return None

        def apply(run, factor):
            dropout.rates = [rate * factor for rate in rates]

        return ScheduledFactor(self.dropout_schedule, self.max_iter, apply, per_step=True)

    def _printer(self, X, layer_sizes, has_validation):
        if not self.verbose:
            return None
        description = (
            f"Training {type(self).__name__} on {X.shape[0]} samples x "
            f"{self.n_features_in_} columns ({X.shape[1]} encoded): layers "
            f"{tuple(layer_sizes)}, activation {self.activation}, {np.dtype(X.dtype).name}"
        )
        return ProgressPrinter(self.verbose, description, has_validation)

    def _fitted_attributes(self, coefs, intercepts, run):
        attributes = BaseBackpropMLP._fitted_attributes(coefs, intercepts, run)
        network = run.network
        # The callbacks' fitted_estimator gets the best epoch's weights so far
        # (a copy); fit publishes the network's own, best epoch restored.
        if np.shares_memory(coefs[0], network.params):
            source = network.params
        else:
            source = run.best_params if run.validation is not None else network.params
        attributes["layer_params_"] = source[self._layer_params_slice(network)].copy()
        return attributes

    # -------------------------------------------------------------- predict
    def _fitted_network(self, dtype=None):
        """The fitted network (front layers and α included), computing in ``dtype``.

        ``dtype=None`` keeps the weights' dtype. check_gradients, trace_backprop
        and the ONNX export build their network here.
        """
        dtype = self.coefs_[0].dtype if dtype is None else np.dtype(dtype)
        network = self._network(self.encoder_.n_features_out_, dtype)
        network.set_parameters(self.coefs_, self.intercepts_)
        network.params[self._layer_params_slice(network)] = self.layer_params_
        return network

    def _logits(self, X):
        # A row's prediction must not depend on the rows predicted with it
        # (scikit-learn's subset and sample-order invariance). In float32 it can:
        # some BLAS kernels (OpenBLAS's Haswell) sum a row's products in an order
        # that depends on its place in a block of rows, which moves float32
        # results by a few ulps. The products run in float64 instead; callers
        # round the result once to the model's dtype.
        network = self._fitted_network(np.float64)
        return network.predict_logits(X.astype(np.float64, copy=False))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = True
        # Not input_tags.categorical: numeric arrays are numbers unless told
        # otherwise (categorical_features), and that tag makes scikit-learn's
        # checks round their data to a few integers.
        tags.input_tags.string = True
        return tags


@tabular_docstring
class TabularMLPClassifier(_TabularMLP, BackpropMLPClassifier):
    """Multi-layer perceptron classifier for tables, with RealMLP's tuned defaults.

    Takes a raw table — a numpy array, or a pandas or polars DataFrame with
    numeric, boolean, categorical or string columns and missing values — and
    encodes it itself (:class:`~skbp.TabularEncoder`: robust scaling and smooth
    clipping, one-hot categories, missing indicators). The network and its
    training follow RealMLP-TD (Holzmüller et al., "Better by Default",
    NeurIPS 2024) on skbp's NumPy backpropagation: a periodic numerical
    embedding and a learned feature scaling in front, three hidden layers of
    256 SELU units with learned α, data-driven initialization, per-group
    learning rates, Adam (β₂ = 0.95) under the coslog4 schedule, dropout and
    weight decay on flat-then-cosine schedules, label smoothing, and the best
    validation epoch restored. Every ingredient is a parameter that can be
    switched off.

    Parameters
    ----------
    activation : str, default='selu'
        Activation σ of the hidden units; any name of skbp's activation table.

    {tabular parameters}

    label_smoothing : float, default=0.1
        ε of label smoothing: the cross-entropy is taken against
        (1 − ε) y + ε/K for K classes (K = 2 per logistic output), so BP1
        reads δ = a − ỹ. 0 turns it off.

    learning_rate_init : float, default=0.04
        Base learning rate η of Adam (the schedule's peak).

    max_iter : int, default=128
        Epochs of each fit. They all run (the schedules end with the budget)
        unless ``early_stopping`` stops earlier. Half of RealMLP-TD's 256:
        on the 16 data sets of ``benchmarks/bench_tabular.py`` (6 splits) the
        classifiers' test error was the same within the spread between
        splits (mean −2.4 %, median −1.0 %) in half the time, the validation
        choosing early epochs on most of them.

    class_weight : dict, 'balanced' or None, default=None
        Weights ``{class_label: weight}`` multiplying ``sample_weight``;
        ``'balanced'`` uses ``n_samples / (n_classes * np.bincount(y))``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.

    {tabular attributes}

    out_activation_ : str
        ``'softmax'`` (multiclass) or ``'logistic'`` (binary, multilabel).

    See Also
    --------
    TabularMLPRegressor : The regressor with the same recipe.
    TabularEncoder : The encoding of the raw table.
    BackpropMLPClassifier : scikit-learn's MLPClassifier API on the same engine.
    sklearn.ensemble.HistGradientBoostingClassifier : Gradient boosting on tables.

    Notes
    -----
    The model is trained on ``1 − validation_fraction`` of the rows (80 % by
    default); the rest chooses the epoch. ``predict_proba`` of a model trained
    with label smoothing stays below 1 − ε + ε/K for confident rows. The user
    guide's "Tabular data" page derives every ingredient and gives the measured
    ablation.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.datasets import load_breast_cancer
    >>> from skbp import TabularMLPClassifier
    >>> X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    >>> X["size"] = pd.cut(X["mean radius"], 3, labels=["small", "mid", "large"])
    >>> clf = TabularMLPClassifier(hidden_layer_sizes=(64, 64), max_iter=30,
    ...                            random_state=0).fit(X[:400], y[:400])
    >>> clf.predict_proba(X[400:402]).shape
    (2, 2)
    >>> clf.score(X[400:], y[400:]) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **_TABULAR_CONSTRAINTS,
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }

    def __init__(
        self,
        hidden_layer_sizes: int | Sequence[int] = (256, 256, 256),
        activation: str = "selu",
        *,
        parametric_activation: bool = True,
        numerical_embedding: Literal["pbld"] | None = "pbld",
        feature_scaling: bool = True,
        data_driven_init: bool = True,
        lr_factors: bool = True,
        parametrization: Literal["ntk", "standard"] = "ntk",
        label_smoothing: float = 0.1,
        learning_rate: Literal["coslog4", "flat_cos", "cosine", "constant"] = "coslog4",
        learning_rate_init: float = 0.04,
        batch_size: int = 256,
        max_iter: int = 128,
        beta_1: float = 0.9,
        beta_2: float = 0.95,
        epsilon: float = 1e-8,
        dropout: float | Sequence[float] = 0.15,
        dropout_schedule: str = "flat_cos",
        weight_decay: float = 0.02,
        weight_decay_schedule: str = "flat_cos",
        validation_fraction: float = 0.2,
        early_stopping: bool | Literal["GL", "PQ", "UP"] = False,
        n_iter_no_change: int = 10,
        tol: float = 1e-4,
        numeric_transform: Literal["quantile", "robust"] = "quantile",
        categorical_features="from_dtype",
        max_onehot_categories: int = 16,
        high_cardinality: Literal["embedding", "target"] = "target",
        dtype: Literal["float32", "float64"] = "float32",
        class_weight: dict | Literal["balanced"] | None = None,
        shuffle: bool = True,
        random_state: int | np.random.RandomState | None = None,
        verbose: bool | int = False,
        monitor_layers: bool = False,
        warm_start: bool = False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.parametric_activation = parametric_activation
        self.numerical_embedding = numerical_embedding
        self.feature_scaling = feature_scaling
        self.data_driven_init = data_driven_init
        self.lr_factors = lr_factors
        self.parametrization = parametrization
        self.label_smoothing = label_smoothing
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.dropout = dropout
        self.dropout_schedule = dropout_schedule
        self.weight_decay = weight_decay
        self.weight_decay_schedule = weight_decay_schedule
        self.validation_fraction = validation_fraction
        self.early_stopping = early_stopping
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.numeric_transform = numeric_transform
        self.categorical_features = categorical_features
        self.max_onehot_categories = max_onehot_categories
        self.high_cardinality = high_cardinality
        self.dtype = dtype
        self.class_weight = class_weight
        self.shuffle = shuffle
        self.random_state = random_state
        self.verbose = verbose
        self.monitor_layers = monitor_layers
        self.warm_start = warm_start

    def fit(self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None):
        """Fit the model to the table X and the class labels y.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            The raw table: numeric, boolean, categorical or string columns,
            missing values allowed.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels, or a label indicator matrix for multilabel problems.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights; ``sample_weight=k`` is equivalent to
            repeating a sample k times.

        Returns
        -------
        self : TabularMLPClassifier
            The fitted estimator.
        """
        return super().fit(X, y, sample_weight=sample_weight)

    def _output_layer(self):
        y_type = self._label_binarizer.y_type_
        multiclass = y_type == "multiclass" and len(self.classes_) > 2
        return make_loss(
            "log_loss" if multiclass else "binary_log_loss", label_smoothing=self.label_smoothing
        )


@tabular_docstring
class TabularMLPRegressor(_TabularMLP, BackpropMLPRegressor):
    """Multi-layer perceptron regressor for tables, with RealMLP's tuned defaults.

    Takes a raw table — a numpy array, or a pandas or polars DataFrame with
    numeric, boolean, categorical or string columns and missing values — and
    encodes it itself (:class:`~skbp.TabularEncoder`). The network and its
    training follow RealMLP-TD (Holzmüller et al., "Better by Default",
    NeurIPS 2024): as :class:`TabularMLPClassifier`, with Mish units, the
    squared error on the standardized target and predictions clipped to the
    range of the training targets. Every ingredient is a parameter that can be
    switched off.

    Parameters
    ----------
    activation : str, default='mish'
        Activation σ of the hidden units; any name of skbp's activation table.

    {tabular parameters}

    learning_rate_init : float, default=0.2
        Base learning rate η of Adam (the schedule's peak).

    max_iter : int, default=256
        Epochs of each fit, as RealMLP-TD. They all run (the schedules end
        with the budget) unless ``early_stopping`` stops earlier. Unlike the
        classifier's, halving them costs accuracy on small tables (concrete's
        RMSE +10.6 % at 128 epochs over 6 splits of ``bench_tabular.py``).

    standardize_target : bool, default=True
        Train on (y − mean) / std of the training targets (each output) and
        transform the predictions back.

    clip_predictions : bool, default=True
        Clip predictions to [min, max] of the training targets of each output.

    Attributes
    ----------
    {tabular attributes}

    target_mean_ : ndarray of shape (n_outputs,)
        Mean of the training targets (0 without ``standardize_target``).

    target_scale_ : ndarray of shape (n_outputs,)
        Their standard deviation (1 for a constant target or without
        ``standardize_target``).

    target_range_ : ndarray of shape (2, n_outputs)
        Smallest and largest training target of each output.

    out_activation_ : str
        ``'identity'``.

    See Also
    --------
    TabularMLPClassifier : The classifier with the same recipe.
    TabularEncoder : The encoding of the raw table.
    BackpropMLPRegressor : scikit-learn's MLPRegressor API on the same engine.
    sklearn.ensemble.HistGradientBoostingRegressor : Gradient boosting on tables.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from skbp import TabularMLPRegressor
    >>> X, y = load_diabetes(return_X_y=True, as_frame=True)
    >>> reg = TabularMLPRegressor(hidden_layer_sizes=(64, 64), max_iter=60,
    ...                           random_state=0).fit(X[:350], y[:350])
    >>> prediction = reg.predict(X[350:])
    >>> bool(y[:350].min() <= prediction.min() <= prediction.max() <= y[:350].max())
    True
    >>> reg.score(X[350:], y[350:]) > 0.3
    True
    """

    _parameter_constraints: dict = {
        **_TABULAR_CONSTRAINTS,
        "standardize_target": ["boolean"],
        "clip_predictions": ["boolean"],
    }

    def __init__(
        self,
        hidden_layer_sizes: int | Sequence[int] = (256, 256, 256),
        activation: str = "mish",
        *,
        parametric_activation: bool = True,
        numerical_embedding: Literal["pbld"] | None = "pbld",
        feature_scaling: bool = True,
        data_driven_init: bool = True,
        lr_factors: bool = True,
        parametrization: Literal["ntk", "standard"] = "ntk",
        standardize_target: bool = True,
        clip_predictions: bool = True,
        learning_rate: Literal["coslog4", "flat_cos", "cosine", "constant"] = "coslog4",
        learning_rate_init: float = 0.2,
        batch_size: int = 256,
        max_iter: int = 256,
        beta_1: float = 0.9,
        beta_2: float = 0.95,
        epsilon: float = 1e-8,
        dropout: float | Sequence[float] = 0.15,
        dropout_schedule: str = "flat_cos",
        weight_decay: float = 0.02,
        weight_decay_schedule: str = "flat_cos",
        validation_fraction: float = 0.2,
        early_stopping: bool | Literal["GL", "PQ", "UP"] = False,
        n_iter_no_change: int = 10,
        tol: float = 1e-4,
        numeric_transform: Literal["quantile", "robust"] = "quantile",
        categorical_features="from_dtype",
        max_onehot_categories: int = 16,
        high_cardinality: Literal["embedding", "target"] = "target",
        dtype: Literal["float32", "float64"] = "float32",
        shuffle: bool = True,
        random_state: int | np.random.RandomState | None = None,
        verbose: bool | int = False,
        monitor_layers: bool = False,
        warm_start: bool = False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.parametric_activation = parametric_activation
        self.numerical_embedding = numerical_embedding
        self.feature_scaling = feature_scaling
        self.data_driven_init = data_driven_init
        self.lr_factors = lr_factors
        self.parametrization = parametrization
        self.standardize_target = standardize_target
        self.clip_predictions = clip_predictions
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.dropout = dropout
        self.dropout_schedule = dropout_schedule
        self.weight_decay = weight_decay
        self.weight_decay_schedule = weight_decay_schedule
        self.validation_fraction = validation_fraction
        self.early_stopping = early_stopping
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.numeric_transform = numeric_transform
        self.categorical_features = categorical_features
        self.max_onehot_categories = max_onehot_categories
        self.high_cardinality = high_cardinality
        self.dtype = dtype
        self.shuffle = shuffle
        self.random_state = random_state
        self.verbose = verbose
        self.monitor_layers = monitor_layers
        self.warm_start = warm_start

    def fit(self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None):
        """Fit the model to the table X and the target y.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            The raw table: numeric, boolean, categorical or string columns,
            missing values allowed.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights; ``sample_weight=k`` is equivalent to
            repeating a sample k times.

        Returns
        -------
        self : TabularMLPRegressor
            The fitted estimator.
        """
        return super().fit(X, y, sample_weight=sample_weight)

    _target_type = "continuous"

    @property
    def loss(self):
        """The cost: the squared error (of the standardized target)."""
        return "squared_error"

    def _fit_spec(self, X, y, sample_weight, *, incremental, reset):
        # BackpropMLPRegressor's, with the target standardized (and no quantile).
        X, y = self._validate_X_y(
            X, y, incremental=incremental, reset=reset, y_numeric=True,
            sample_weight=sample_weight,
        )
        Y = (y.reshape(-1, 1) if y.ndim == 1 else y).astype(X.dtype, copy=False)
        sample_weight = check_sample_weight(sample_weight, X, X.dtype)
        if reset:
            self.target_range_ = np.vstack([Y.min(axis=0), Y.max(axis=0)]).astype(np.float64)
            mean = np.zeros(Y.shape[1])
            scale = np.ones(Y.shape[1])
            if self.standardize_target:
                mean = np.average(Y, axis=0, weights=sample_weight).astype(np.float64)
                spread = np.sqrt(np.average((Y - mean) ** 2, axis=0, weights=sample_weight))
                scale = np.where(spread > 0, spread, 1.0)
            self.target_mean_, self.target_scale_ = mean, scale
        Y = ((Y - self.target_mean_) / self.target_scale_).astype(X.dtype)
        return FitSpec(
            DataSet(X, Y, sample_weight), y, sample_weight, output=self._output_layer(),
            strata=self._split_strata, scorer=self._validation_scorer,
        )

    def _output_layer(self):
        return make_loss("squared_error")

    def predict(self, X: ArrayLike) -> NDArray:
        """Predict the target of the rows of X.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            The raw table, with the columns seen in fit.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The predictions, in the units of the training target (clipped to
            its range with ``clip_predictions``).
        """
        logits = self._logits(self._validate_predict_data(X))
        prediction = logits * self.target_scale_ + self.target_mean_
        if self.clip_predictions:
            prediction = np.clip(prediction, self.target_range_[0], self.target_range_[1])
        return prediction.ravel() if self.n_outputs_ == 1 else prediction

    def _encode_targets(self, y):
        Y = super()._encode_targets(y)
        return (Y - self.target_mean_) / self.target_scale_
