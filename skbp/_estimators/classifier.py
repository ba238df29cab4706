"""BackpropMLPClassifier: scikit-learn's MLPClassifier API on skbp's backprop core."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from numbers import Real
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

from .._engine.losses import activation_of_output, make_loss
from .._engine.sample_keys import row_keys
from .._engine.training import DataSet
from .base import BaseBackpropMLP, FitSpec, check_sample_weight
from .docstrings import shared_docstring
from .params import CLASSIFIER_CONSTRAINTS


def _plain(value):
    """A NumPy scalar as the Python value it holds (so messages print 'no', not np.str_('no'))."""
    return value.item() if isinstance(value, np.generic) else value


def _is_real(value):
    return isinstance(value, Real | np.number) and not isinstance(value, bool | np.bool_)


@shared_docstring
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
    {shared parameters}

    class_weight : dict, 'balanced' or None, default=None
        Weights ``{class_label: weight}`` multiplying ``sample_weight``;
        ``'balanced'`` uses ``n_samples / (n_classes * np.bincount(y))``.
        Single-output targets only; ``'balanced'`` is not available in
        ``partial_fit``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,) or list of ndarray
        Class labels.

    {shared attributes}

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

    {partial_fit note}

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
    >>> clf.score(X_test, y_test) > 0.9
    True
    """

    _parameter_constraints: dict = CLASSIFIER_CONSTRAINTS

    def __init__(
        self,
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
        self.warmup_iter = warmup_iter
        self.monitor_layers = monitor_layers
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

    @available_if(lambda est: est._check_partial_fit())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        sample_weight: ArrayLike | None = None,
        classes: ArrayLike | None = None,
    ) -> BackpropMLPClassifier:
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

        classes : array-like of shape (n_classes,), default=None
            All classes that will ever appear; required on the first call.

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

    def _fit_spec(self, X, y, sample_weight, *, incremental, reset):
        X, y = self._validate_X_y(
            X, y, incremental=incremental, reset=reset, sample_weight=sample_weight
        )
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
        frequency = check_sample_weight(sample_weight, X, dtype)
        sample_weight = self._apply_class_weight(y, frequency, dtype, incremental)
        # Targets stay boolean (as in scikit-learn): 1 byte per entry, and arithmetic
        # with float activations keeps the activations' dtype.
        Y = self._label_binarizer.transform(y).astype(bool)
        return FitSpec(
            DataSet(X, Y, sample_weight), y, frequency, output=self._output_layer(),
            strata=self._split_strata, scorer=self._validation_scorer,
            stratum_names=self.classes_,
        )

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
            classes = set(self.classes_.tolist())
            unknown = [_plain(c) for c in self.class_weight if _plain(c) not in classes]
            if unknown:
                raise ValueError(
                    f"class_weight has labels {unknown} that are not classes of y; "
                    f"the classes are {self.classes_.tolist()}."
                )
            bad = {
                _plain(label): _plain(weight)
                for label, weight in self.class_weight.items()
                if not (_is_real(weight) and np.isfinite(weight) and weight >= 0)
            }
            if bad:
                # As sample_weight: a negative weight would reward errors, and
                # NaN or inf would poison the cost.
                raise ValueError(
                    "class_weight must map each class to a finite, non-negative "
                    f"number; got {bad}."
                )
        weights = compute_class_weight(self.class_weight, classes=self.classes_, y=y)
        with np.errstate(over="ignore"):  # an overflow is refused just below
            per_sample = weights[np.searchsorted(self.classes_, y)].astype(dtype)
        if sample_weight is not None:
            per_sample *= sample_weight
        if not np.isfinite(per_sample).all():
            raise ValueError(
                "Sample weights (sample_weight times class_weight) overflow "
                f"{np.dtype(dtype).name}; use smaller class_weight values."
            )
        if not np.any(per_sample > 0):
            raise ValueError(
                "Sample weights (sample_weight times class_weight) must contain at "
                "least one non-zero number."
            )
        return per_sample

    # ---------------------------------------------- what the fit spec is made of
    def _output_layer(self):
        y_type = self._label_binarizer.y_type_
        multiclass = y_type == "multiclass" and len(self.classes_) > 2
        return make_loss("log_loss" if multiclass else "binary_log_loss")

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

    def predict_logits(self, X: ArrayLike) -> NDArray:
        """Net input of the output layer, z^L (the logits).

        ``predict_proba`` is ``softmax(z^L)`` (multiclass) or ``expit(z^L)``
        (binary, multilabel) of these values, and ``predict`` their argmax or
        their sign. scikit-learn's MLPClassifier has no such method, and this
        one is deliberately not called ``decision_function``: scikit-learn's
        meta-estimators and scorers prefer a ``decision_function`` to
        ``predict_proba`` (``CalibratedClassifierCV`` would calibrate the raw
        logits), and they must treat skbp as they treat MLPClassifier.

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
        logits = self._as_model_dtype(self._logits(self._validate_predict_data(X)))
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
            return self._as_model_dtype(np.ones_like(logits))
        proba = activation_of_output(self.out_activation_)(logits, out=logits)
        if self.n_outputs_ == 1:
            proba = np.hstack([1 - proba, proba])
        return self._as_model_dtype(proba)

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
        """The training targets of ``y``: one-hot or indicator rows.

        Refuses what the fitted binarizer would silently encode as zero rows:
        labels outside ``classes_``, or an indicator matrix of another width.
        """
        y = np.asarray(y)
        if self._label_binarizer.y_type_.startswith("multilabel"):
            n_labels = len(self.classes_)
            if y.ndim != 2 or y.shape[1] != n_labels or not np.isin(y, (0, 1)).all():
                raise ValueError(
                    f"y must be a 0/1 indicator matrix with {n_labels} columns, one per "
                    f"label of the fitted multilabel model; got an array of shape {y.shape}."
                )
            return self._label_binarizer.transform(y)
        y = y.ravel() if y.ndim == 2 and y.shape[1] == 1 else y
        if y.ndim != 1:
            raise ValueError(f"y must hold one class label per sample; got shape {y.shape}.")
        unknown = np.setdiff1d(y, self.classes_)
        if unknown.size:
            raise ValueError(
                f"y has labels {unknown.tolist()} that are not in classes_ = "
                f"{self.classes_.tolist()}."
            )
        return self._label_binarizer.transform(y)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_label = True
        return tags
