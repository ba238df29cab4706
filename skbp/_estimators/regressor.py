"""BackpropMLPRegressor: scikit-learn's MLPRegressor API on skbp's backprop core.

It shares everything with the classifier (:class:`~skbp._estimators.base.BaseBackpropMLP`)
but target handling, the output layer, scoring and prediction.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils.metaestimators import available_if

from .._engine.losses import activation_of_output, make_loss
from .._engine.sample_keys import row_keys
from .._engine.training import DataSet
from .base import BaseBackpropMLP, FitSpec, check_sample_weight
from .docstrings import shared_docstring
from .params import REGRESSOR_CONSTRAINTS


@shared_docstring
class BackpropMLPRegressor(RegressorMixin, BaseBackpropMLP):
    """Multi-layer perceptron regressor trained by error backpropagation.

    A drop-in superset of :class:`sklearn.neural_network.MLPRegressor`: the same
    parameters, attributes and behaviour, on the NumPy engine of
    :class:`BackpropMLPClassifier` (BP1–BP4), with its knobs (initializers,
    dropout, ℓ1/elastic-net penalties, decoupled weight decay, Prechelt's
    early-stopping criteria, schedules, per-epoch history) and the regression
    losses scikit-learn's MLP does not have: absolute error, gamma deviance and
    the quantile (pinball) loss.

    Parameters
    ----------
    loss : {'squared_error', 'poisson', 'absolute_error', 'gamma', 'quantile'}, \
default='squared_error'
        The cost C minimized, per sample summed over the outputs:
        ``'squared_error'`` ½(a − y)², ``'absolute_error'`` ``|a − y|``,
        ``'quantile'`` the pinball loss of quantile ``quantile`` (its minimizer is
        the conditional quantile), all with an identity output;
        ``'poisson'`` the half Poisson deviance y log(y/a) − y + a (y ≥ 0) and
        ``'gamma'`` the half gamma deviance log(a/y) + y/a − 1 (y > 0), both with a
        log link: a = exp(z), ``out_activation_ == 'exp'``. The names are those of
        :class:`~sklearn.ensemble.HistGradientBoostingRegressor`.

    {shared parameters}

    quantile : float, default=0.5
        The quantile q in (0, 1) that ``loss='quantile'`` estimates. Another
        value with another loss is ignored, with a :class:`UserWarning`.

    Attributes
    ----------
    {shared attributes}

    out_activation_ : str
        Output activation: ``'identity'``, or ``'exp'`` for the Poisson and gamma
        losses.

    See Also
    --------
    sklearn.neural_network.MLPRegressor : scikit-learn's multi-layer perceptron.
    BackpropMLPClassifier : The classifier on the same engine.
    skbp.check_gradients : Compare backprop gradients with finite differences.

    Notes
    -----
    Computations run in the dtype of the training data (float32 or float64).
    For multi-output targets the cost is summed over the outputs, so that
    ``loss_`` is the cost whose gradient is backpropagated. scikit-learn's
    MLPRegressor reports the squared error averaged over the outputs while it
    backpropagates the sum (scikit-learn issue #8349): for k > 1 outputs its
    ``loss_`` is 1/k of skbp's, its updates are the same but its ``tol`` test
    stops earlier (skbp with ``tol`` × k stops where it stops), and its L-BFGS
    gets a cost and a gradient that do not belong together. See the user
    guide's regression page.

    {partial_fit note}

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.model_selection import train_test_split
    >>> from skbp import BackpropMLPRegressor
    >>> X, y = make_regression(n_samples=300, n_features=8, noise=5.0, random_state=0)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> reg = BackpropMLPRegressor(hidden_layer_sizes=(32,), solver="lbfgs",
    ...                            max_iter=500, random_state=0).fit(X_train, y_train)
    >>> reg.predict(X_test[:2]).shape
    (2,)
    >>> reg.score(X_test, y_test) > 0.9
    True
    """

    _parameter_constraints: dict = REGRESSOR_CONSTRAINTS

    def __init__(
        self,
        loss: Literal["squared_error", "poisson", "absolute_error", "gamma", "quantile"] = (
            "squared_error"
        ),
        hidden_layer_sizes: int | Sequence[int] = (100,),
        activation: Literal["identity", "logistic", "tanh", "relu"] = "relu",
        *,
        solver: Literal["lbfgs", "sgd", "adam"] = "adam",
        alpha: float = 0.0001,
        batch_size: int | Literal["auto"] = "auto",
        learning_rate: Literal[
            "constant", "invscaling", "adaptive", "cosine", "coslog4", "flat_cos"
        ] = "constant",
        learning_rate_init: float = 0.001,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: int | np.random.RandomState | None = None,
        tol: float = 1e-4,
        verbose: bool | int = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool | Literal["GL", "PQ", "UP"] = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int = 10,
        max_fun: int = 15000,
        initializer: str | Callable[..., NDArray] = "auto",
        init_std: float = 0.01,
        bias_init: float | None = None,
        dropout: float | Sequence[float] = 0.0,
        penalty: Literal["l2", "l1", "elasticnet"] = "l2",
        l1_ratio: float = 0.15,
        weight_decay: float = 0.0,
        stopping_threshold: float | None = None,
        warmup_iter: int = 0,
        monitor_layers: bool = False,
        quantile: float = 0.5,
    ):
        self.loss = loss
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.initializer = initializer
        self.init_std = init_std
        self.bias_init = bias_init
        self.dropout = dropout
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.weight_decay = weight_decay
        self.stopping_threshold = stopping_threshold
        self.warmup_iter = warmup_iter
        self.monitor_layers = monitor_layers
        self.quantile = quantile

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None) -> BackpropMLPRegressor:
        """Fit the model to data matrix X and target(s) y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data (dense, CSR/CSC sparse, or a DataFrame).

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights; ``sample_weight=k`` is equivalent to
            repeating a sample k times.

        Returns
        -------
        self : BackpropMLPRegressor
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    @available_if(lambda est: est._check_partial_fit())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(
        self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None
    ) -> BackpropMLPRegressor:
        """Update the model with a single epoch over the given data.

        Only available for the stochastic solvers and without early stopping,
        which needs a fixed validation split.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : BackpropMLPRegressor
            The updated estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def _fit_spec(self, X, y, sample_weight, *, incremental, reset):
        if self.quantile != 0.5 and self.loss != "quantile":
            # As LogisticRegression's l1_ratio without penalty='elasticnet': a
            # warning, so that a grid over ``loss`` with a fixed quantile still runs.
            warnings.warn(
                f"quantile={self.quantile!r} is only used when loss='quantile'; got "
                f"loss={self.loss!r}, which ignores it. Set loss='quantile' to "
                "estimate that quantile, or leave quantile at its default.",
                UserWarning,
            )
        X, y = self._validate_X_y(X, y, incremental=incremental, reset=reset, y_numeric=True)
        dtype = X.dtype
        Y = (y.reshape(-1, 1) if y.ndim == 1 else y).astype(dtype, copy=False)
        output = self._output_layer()
        output.check_targets(Y)
        sample_weight = check_sample_weight(sample_weight, X, dtype)
        return FitSpec(
            DataSet(X, Y, sample_weight), y, sample_weight, output=output,
            strata=self._split_strata, scorer=self._validation_scorer,
        )

    # ---------------------------------------------- what the fit spec is made of
    def _output_layer(self):
        params = {"quantile": self.quantile} if self.loss == "quantile" else {}
        return make_loss(self.loss, **params)

    def _encode_targets(self, y):
        """The training targets of ``y`` for a fitted model: 2-D, as many outputs as in fit."""
        y = np.asarray(y)
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        if hasattr(self, "n_outputs_") and (
            Y.shape[1] != self.n_outputs_ or not np.issubdtype(Y.dtype, np.number)
        ):
            raise ValueError(
                f"y must hold {self.n_outputs_} number(s) per sample, as in fit; got "
                f"an array of shape {Y.shape} and dtype {Y.dtype}."
            )
        return Y

    def _split_strata(self, Y):
        # As scikit-learn, a regressor's validation split is not stratified; rows
        # with equal features and equal targets form one group.
        return np.zeros(Y.shape[0], dtype=np.intp), row_keys(Y)

    def _validation_scorer(self, Y_val, sample_weight_val):
        activation = activation_of_output(self.out_activation_)

        def r2(logits):
            return r2_score(Y_val, activation(logits), sample_weight=sample_weight_val)

        return r2

    # -------------------------------------------------------------- predict
    def predict(self, X: ArrayLike) -> NDArray:
        """Predict using the trained model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The predicted values: a^L = exp(z^L) for the log link, z^L otherwise.
        """
        logits = self._logits(self._validate_predict_data(X))
        prediction = self._as_model_dtype(
            activation_of_output(self.out_activation_)(logits, out=logits)
        )
        return prediction.ravel() if self.n_outputs_ == 1 else prediction

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        # The log-link losses need y >= 0 (poisson) or y > 0 (gamma).
        tags.target_tags.positive_only = self.loss in ("poisson", "gamma")
        return tags
