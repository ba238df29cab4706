"""BackpropMLPClassifier: scikit-learn's MLPClassifier API on skbp's backprop core."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    check_classification_targets,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from .._engine.losses import OUTPUT_LAYERS
from .._engine.sample_keys import row_keys
from .base import BaseBackpropMLP, check_sample_weight


class BackpropMLPClassifier(ClassifierMixin, BaseBackpropMLP):
    """Multi-layer perceptron classifier trained by error backpropagation.

    A drop-in superset of :class:`sklearn.neural_network.MLPClassifier`: the same
    parameters, attributes and behaviour, on a NumPy engine whose code follows the
    four backpropagation equations BP1–BP4, plus the regularization and
    initialization knobs of the lecture it grew from (initializers, dropout,
    ℓ1/elastic-net penalties, decoupled weight decay, Prechelt's early-stopping
    criteria, class weights) and a per-epoch training history.

    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers - 2,) or int, default=(100,)
        The ith element is the number of units of the ith hidden layer.

    activation : {'identity', 'logistic', 'tanh', 'relu'}, default='relu'
        Activation σ of the hidden layers.

    solver : {'lbfgs', 'sgd', 'adam'}, default='adam'
        Weight optimization: ``'sgd'`` mini-batch gradient descent (with momentum),
        ``'adam'`` the Adam optimizer, ``'lbfgs'`` full-batch L-BFGS-B from
        :mod:`scipy.optimize` on the backpropagated gradient.

    alpha : float, default=0.0001
        Strength of the penalty chosen by ``penalty``. As in scikit-learn, the
        penalty of a batch is divided by the batch's sample-weight sum and biases
        are not penalized.

    batch_size : int or 'auto', default='auto'
        Mini-batch size for the stochastic solvers; ``'auto'`` is
        ``min(200, n_samples)``. Ignored by ``'lbfgs'``.

    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Learning-rate schedule for ``solver='sgd'``: constant; decayed as
        ``learning_rate_init / (t + 1)**power_t`` with t the samples seen; or divided
        by 5 whenever the stopping rule fires (training stops when it falls below
        1e-6).

    learning_rate_init : float, default=0.001
        Initial learning rate η of ``'sgd'`` and ``'adam'``.

    power_t : float, default=0.5
        Exponent of the ``'invscaling'`` schedule.

    max_iter : int, default=200
        Maximum number of epochs (stochastic solvers) or iterations (lbfgs).

    shuffle : bool, default=True
        Shuffle the samples at every epoch (stochastic solvers).

    random_state : int, RandomState instance or None, default=None
        Source of every random draw: initial weights, validation split, batch order
        and dropout masks. An int gives bit-identical fits.

    tol : float, default=1e-4
        Improvement threshold of the plateau rules (and ``gtol`` of L-BFGS).

    verbose : bool or int, default=False
        ``1``/``True``: a header and one line per epoch starting with
        ``Iteration N, loss = ...`` followed by validation loss and score, learning
        rate and seconds. ``2``: also progress inside long epochs (stderr).

    warm_start : bool, default=False
        Continue from the current ``coefs_`` and ``intercepts_`` (pre-trained
        initialization / fine-tuning) instead of re-initializing. The classes must
        be the same as in the previous fit.

    momentum : float, default=0.9
        Momentum μ of ``'sgd'``, in [0, 1].

    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum (``'sgd'`` with ``momentum > 0``).

    early_stopping : {False, True, 'GL', 'PQ', 'UP'}, default=False
        Hold out ``validation_fraction`` of the training data and stop on it.
        ``True``: scikit-learn's rule (validation accuracy did not improve by
        ``tol`` for ``n_iter_no_change`` epochs); among epochs of equal best
        accuracy the one with the lowest validation loss is kept (scikit-learn
        keeps the first). ``'GL'``, ``'PQ'``, ``'UP'``:
        Prechelt's (1998) generalization-loss, progress-quotient and
        up-in-successive-strips criteria on the validation loss, with threshold
        ``stopping_threshold``. In every case the weights of the best validation
        epoch are restored. The split is stratified, weight-aware and keeps exact
        duplicate rows on the same side. Stochastic solvers only.

    validation_fraction : float, default=0.1
        Fraction of the training data (by sample weight) held out when
        ``early_stopping`` is on; must be in (0, 1).

    beta_1 : float, default=0.9
        Decay of Adam's first-moment estimate, in [0, 1).

    beta_2 : float, default=0.999
        Decay of Adam's second-moment estimate, in [0, 1).

    epsilon : float, default=1e-8
        Adam's numerical-stability constant.

    n_iter_no_change : int, default=10
        Patience of the plateau rules, in epochs.

    max_fun : int, default=15000
        Maximum number of loss evaluations of ``'lbfgs'``.

    initializer : str or callable, default='auto'
        Initial weights. ``'auto'``: scikit-learn's rule, weights and biases
        from U[−r, r] with r = sqrt(6/(fan_in + fan_out)), or
        sqrt(2/(fan_in + fan_out)) for logistic units, drawn in
        :class:`~sklearn.neural_network.MLPClassifier`'s order: with the same
        integer ``random_state`` both estimators start from the same network.
        ``'lecture'``: the lecture's uniform table for the hidden activation —
        logistic r = 4·sqrt(6/(fan_in + fan_out)), tanh and identity
        r = sqrt(6/(fan_in + fan_out)), relu r = sqrt(6/fan_in) (He). Or one of
        ``'glorot_uniform'``, ``'glorot_normal'`` (variance 2/(fan_in + fan_out)),
        ``'he_uniform'``, ``'he_normal'`` (2/fan_in), ``'lecun_uniform'``,
        ``'lecun_normal'`` (1/fan_in), ``'orthogonal'`` (scaled by the
        activation's gain), ``'normal'`` (N(0, init_std²)), ``'uniform'``
        (U[−√3·init_std, √3·init_std]), or a callable
        ``f(fan_in, fan_out, rng, dtype) -> ndarray of shape (fan_in, fan_out)``.

    init_std : float, default=0.01
        Standard deviation of the ``'normal'`` and ``'uniform'`` initializers.

    bias_init : float or None, default=None
        Initial biases. ``None``: the initializer's own rule, drawn by
        ``'auto'`` (as scikit-learn does), zero for every other initializer.
        A float sets the hidden-layer biases to that constant (the lecture
        suggests 0.01 for ReLU units) and the output biases to 0; it does not
        change the weights drawn.

    dropout : float or array-like, default=0.0
        Probability of *dropping* a unit during training (inverted dropout: kept
        units are scaled by 1/(1 − p); nothing changes at predict time). A float
        applies to every hidden layer; a sequence of ``len(hidden_layer_sizes) + 1``
        probabilities gives the input layer first, then each hidden layer. Not
        available with ``'lbfgs'``.

    penalty : {'l2', 'l1', 'elasticnet'}, default='l2'
        Regularization term scaled by ``alpha``: ½‖W‖², ‖W‖₁, or
        ``l1_ratio``·‖W‖₁ + ½(1 − ``l1_ratio``)‖W‖².

    l1_ratio : float, default=0.15
        Elastic-net mixing, in [0, 1]; used only with ``penalty='elasticnet'``.

    weight_decay : float, default=0.0
        Decoupled weight decay β in [0, 1): every update is
        W := (1 − β) W − step. Equals ℓ2 under plain SGD (β = η·alpha/batch_size),
        differs under Adam (AdamW). Not available with ``'lbfgs'`` (use ``alpha``).

    stopping_threshold : float or None, default=None
        α of the GL and PQ criteria, or the number of strips s of UP. ``None``
        uses GL 2.0, PQ 0.75, UP 3 — values from Prechelt's experiments.

    class_weight : dict, 'balanced' or None, default=None
        Weights ``{class_label: weight}`` multiplying ``sample_weight``;
        ``'balanced'`` uses ``n_samples / (n_classes * np.bincount(y))``.
        Single-output targets only; ``'balanced'`` is not available in
        ``partial_fit``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,) or list of ndarray
        Class labels.

    loss_ : float
        Training loss (cost plus penalty) of the last epoch or L-BFGS iterate.

    best_loss_ : float or None
        Lowest training loss; None when a validation split is used.

    loss_curve_ : list of float
        Training loss of every epoch (of every L-BFGS iteration for ``'lbfgs'``).

    validation_scores_ : list of float or None
        Validation accuracy of every epoch when a validation split is used.

    validation_losses_ : list of float or None
        Validation loss of every epoch when a validation split is used.

    best_validation_score_ : float or None
        Validation accuracy of the epoch whose weights were restored.

    best_epoch_ : int or None
        1-based epoch of the best weights: restored ones with a validation split,
        otherwise the epoch of the lowest training loss.

    history_ : list of dict
        One record per epoch: ``epoch``, ``train_loss``, ``val_loss`` and
        ``val_score`` (None without validation), ``learning_rate``,
        ``n_samples_seen``, ``duration_s``.

    t_ : int
        Number of training samples seen by the stochastic solver.

    coefs_ : list of ndarray of shape (n_fan_in, n_fan_out)
        Weight matrix of each layer (``coefs_[l]`` is W^{l+1}).

    intercepts_ : list of ndarray of shape (n_fan_out,)
        Bias vector of each layer.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit (only when X has string column names).

    n_iter_ : int
        Number of epochs (iterations) run by the last call to fit or partial_fit.

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of output units.

    out_activation_ : str
        Output activation: ``'softmax'`` (multiclass) or ``'logistic'`` (binary,
        multilabel).

    See Also
    --------
    sklearn.neural_network.MLPClassifier : scikit-learn's multi-layer perceptron.
    skbp.check_gradients : Compare backprop gradients with finite differences.
    skbp.TrainingCurveDisplay : Plot ``history_``.

    Notes
    -----
    Computations run in the dtype of the training data (float32 or float64).
    A target with a single class is accepted: the model then always predicts that
    class and ``predict_proba`` returns a single column of ones.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> from skbp import BackpropMLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X / 16, y, random_state=0)
    >>> clf = BackpropMLPClassifier(hidden_layer_sizes=(64,), dropout=0.1,
    ...                             max_iter=50, random_state=0).fit(X_train, y_train)
    >>> clf.predict_proba(X_test[:1]).shape
    (1, 10)
    >>> round(clf.score(X_test, y_test), 1)
    1.0
    """

    def __init__(
        self,
        hidden_layer_sizes: int | Sequence[int] = (100,),
        activation: Literal["identity", "logistic", "tanh", "relu"] = "relu",
        *,
        solver: Literal["lbfgs", "sgd", "adam"] = "adam",
        alpha: float = 0.0001,
        batch_size: int | Literal["auto"] = "auto",
        learning_rate: Literal["constant", "invscaling", "adaptive"] = "constant",
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
        class_weight: dict | Literal["balanced"] | None = None,
    ):
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
        self.class_weight = class_weight

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None) -> BackpropMLPClassifier:
        """Fit the model to data matrix X and target(s) y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data (dense, CSR/CSC sparse, or a DataFrame).

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels, or a label indicator matrix for multilabel problems.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights; ``sample_weight=k`` is equivalent to
            repeating a sample k times.

        Returns
        -------
        self : BackpropMLPClassifier
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    def _check_solver(self):
        if self.solver not in ("sgd", "adam"):
            raise AttributeError(
                f"partial_fit is only available for stochastic optimizers. "
                f"{self.solver} is not stochastic."
            )
        return True

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        classes: ArrayLike | None = None,
        sample_weight: ArrayLike | None = None,
    ) -> BackpropMLPClassifier:
        """Update the model with a single epoch over the given data.

        Early stopping applies to :meth:`fit` only: ``partial_fit`` trains on all
        the data it is given, without a validation split.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values.

        classes : array-like of shape (n_classes,), default=None
            All classes that will ever appear; required on the first call.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : BackpropMLPClassifier
            The updated estimator.
        """
        if _check_partial_fit_first_call(self, classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def _validate_training_data(self, X, y, sample_weight, *, incremental, reset):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if (not hasattr(self, "classes_")) or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start and not incremental:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes as "
                        f"in the previous call to fit. Previously got {self.classes_}, "
                        f"`y` has {classes}"
                    )
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(
                    "`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{self.classes_}. 'y' has {classes}."
                )
        dtype = X.dtype
        if incremental and hasattr(self, "coefs_") and not reset:
            dtype = self.coefs_[0].dtype  # partial_fit continues in the model's dtype
            X = X.astype(dtype, copy=False)
        sample_weight = check_sample_weight(sample_weight, X, dtype)
        sample_weight = self._apply_class_weight(y, sample_weight, dtype, incremental)
        # Targets stay boolean (as in scikit-learn): 1 byte per entry, and arithmetic
        # with float activations keeps the activations' dtype.
        Y = self._label_binarizer.transform(y).astype(bool)
        return X, Y, sample_weight

    def _apply_class_weight(self, y, sample_weight, dtype, incremental):
        if self.class_weight is None:
            return sample_weight
        if self._label_binarizer.y_type_.startswith("multilabel"):
            raise ValueError(
                "class_weight is not supported for multilabel targets; pass "
                "sample_weight instead."
            )
        if incremental and self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not supported for partial_fit: the class "
                "frequencies of the whole data are unknown. Pass a dict instead."
            )
        if isinstance(self.class_weight, dict):
            unknown = [c for c in self.class_weight if c not in set(self.classes_)]
            if unknown:
                raise ValueError(
                    f"class_weight has labels {unknown} that are not classes of y; "
                    f"the classes are {list(self.classes_)}."
                )
        weights = compute_class_weight(self.class_weight, classes=self.classes_, y=y)
        per_sample = weights[np.searchsorted(self.classes_, y)].astype(dtype)
        if sample_weight is not None:
            per_sample *= sample_weight
        if not np.any(per_sample > 0):
            raise ValueError(
                "Sample weights (sample_weight times class_weight) must contain at "
                "least one non-zero number."
            )
        return per_sample

    # --------------------------------------------------- hooks of the base
    def _output_layer(self):
        y_type = self._label_binarizer.y_type_
        multiclass = y_type == "multiclass" and len(self.classes_) > 2
        return OUTPUT_LAYERS["softmax" if multiclass else "logistic"]()

    def _split_strata(self, Y):
        if self._label_binarizer.y_type_.startswith("multilabel"):
            return np.zeros(Y.shape[0], dtype=np.intp), row_keys(Y)
        strata = np.argmax(Y, axis=1) if Y.shape[1] > 1 else (Y[:, 0] > 0.5).astype(np.intp)
        return strata, strata.astype(np.uint64)

    def _validation_scorer(self, Y_val, sample_weight_val):
        truth = Y_val > 0.5
        softmax = Y_val.shape[1] > 1 and not self._label_binarizer.y_type_.startswith(
            "multilabel"
        )

        def accuracy(logits):
            if softmax:
                correct = np.argmax(logits, axis=1) == np.argmax(Y_val, axis=1)
            else:
                correct = np.all((logits > 0) == truth, axis=1)
            return np.average(correct, weights=sample_weight_val)

        return accuracy

    # -------------------------------------------------------------- predict
    def _validate_predict_data(self, X):
        check_is_fitted(self)
        return validate_data(
            self, X, accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32), reset=False
        )

    def predict(self, X: ArrayLike) -> NDArray:
        """Predict the class labels of X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Predicted labels (an indicator matrix for multilabel problems).
        """
        logits = self._logits(self._validate_predict_data(X))
        if self.out_activation_ == "softmax":
            return self.classes_[np.argmax(logits, axis=1)]
        decision = (logits > 0).astype(int)
        if self.n_outputs_ == 1:
            decision = decision.ravel()
        return self._label_binarizer.inverse_transform(decision)

    def decision_function(self, X: ArrayLike) -> NDArray:
        """Net input of the output layer, z^L (the logits).

        ``predict_proba`` is ``softmax(z^L)`` (multiclass) or ``expit(z^L)``
        (binary, multilabel) of these values, and ``predict`` their argmax or
        their sign. scikit-learn's MLPClassifier has no such method.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        decision : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            One score per sample for binary problems (positive: ``classes_[1]``),
            otherwise one per class or label.
        """
        logits = self._logits(self._validate_predict_data(X))
        return logits.ravel() if self.n_outputs_ == 1 else logits

    def predict_proba(self, X: ArrayLike) -> NDArray:
        """Probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y_prob : ndarray of shape (n_samples, n_classes)
            Probability of each class (columns in the order of ``classes_``); rows
            sum to one except for multilabel targets, whose columns are independent.
        """
        logits = self._logits(self._validate_predict_data(X))
        if len(self.classes_) == 1 and self.n_outputs_ == 1:
            return np.ones_like(logits)
        proba = self._output_layer().activation(logits, out=logits)
        if self.n_outputs_ == 1:
            return np.hstack([1 - proba, proba])
        return proba

    def predict_log_proba(self, X: ArrayLike) -> NDArray:
        """Logarithm of the probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        log_y_prob : ndarray of shape (n_samples, n_classes)
            Equal to ``log(predict_proba(X))``: ``-inf`` exactly where a probability
            underflows to 0, without a divide-by-zero warning.
        """
        proba = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(proba, out=proba)

    def _encode_targets(self, y):
        """The training targets of ``y``: one-hot or indicator rows."""
        return self._label_binarizer.transform(y)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_label = True
        return tags
