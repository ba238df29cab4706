"""Numerical gradient check: backprop against central finite differences.

The lecture's first way to get ∂C/∂w is numerical — perturb one parameter,
re-evaluate the cost.  Far too slow for training (two forward passes per
parameter) but an exact-enough referee for an implementation of BP1–BP4:

    ∂C/∂θ_i ≈ (C(θ + ε e_i) − C(θ − ε e_i)) / (2ε).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike
from sklearn.base import is_classifier
from sklearn.utils.validation import check_is_fitted

from ._network import Network, Workspace
from ._regularization import make_penalty


def _network_from_estimator(estimator):
    check_is_fitted(estimator)
    output = estimator._network_output()
    sizes = [estimator.coefs_[0].shape[0]] + [c.shape[1] for c in estimator.coefs_]
    network = Network(sizes, estimator.activation, output, np.float64)
    network.set_parameters(estimator.coefs_, estimator.intercepts_)
    return network


def check_gradients(
    estimator_or_network,
    X: ArrayLike,
    y: ArrayLike,
    sample_weight: ArrayLike | None = None,
    *,
    alpha: float | None = None,
    penalty: str | None = None,
    l1_ratio: float | None = None,
    masks: list | None = None,
    epsilon: float = 1e-5,
    max_params: int | None = None,
    random_state: int = 0,
) -> float:
    """Largest relative error between backprop and finite-difference gradients.

    Every parameter θ_i (or a random subset of ``max_params`` of them) is
    perturbed by ± ``epsilon`` and the central difference of the cost is compared
    with the backpropagated ∂C/∂θ_i. The relative error of parameter i is
    ``|g_bp − g_fd| / max(|g_bp| + |g_fd|, tiny)``; a correct float64
    implementation gives about 1e-8 or less.

    Parameters
    ----------
    estimator_or_network : BackpropMLPClassifier or Network
        A fitted estimator (its weights are copied into a float64 network; the
        estimator is not modified) or a :class:`skbp._network.Network`.
    X : array-like or sparse matrix of shape (n_samples, n_features)
        Input data.
    y : array-like
        Targets: class labels for an estimator (encoded with its classes), or the
        one-hot / indicator matrix for a network.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights of the cost.
    alpha, penalty, l1_ratio : default=None
        Penalty of the cost; for an estimator, default to its own parameters;
        for a network, default to no penalty.
    masks : list of ndarray or None, default=None
        Fixed, scaled dropout masks (one per weight layer, None for no dropout),
        to check backpropagation through dropout.
    epsilon : float, default=1e-5
        Finite-difference step.
    max_params : int or None, default=None
        Check only this many randomly chosen parameters (all when None).
    random_state : int, default=0
        Seed of that choice.

    Returns
    -------
    max_relative_error : float
        Largest relative error over the checked parameters.

    Examples
    --------
    >>> import numpy as np
    >>> from skbp import BackpropMLPClassifier, check_gradients
    >>> rng = np.random.RandomState(0)
    >>> X, y = rng.randn(20, 4), rng.randint(0, 3, 20)
    >>> clf = BackpropMLPClassifier((5,), activation="tanh", max_iter=5,
    ...                             random_state=0).fit(X, y)
    >>> check_gradients(clf, X, y) < 1e-6
    True
    """
    if isinstance(estimator_or_network, Network):
        network = estimator_or_network
        Y = np.asarray(y, dtype=network.dtype)
        if alpha is None:
            alpha = 0.0
    else:
        estimator = estimator_or_network
        network = _network_from_estimator(estimator)
        if not is_classifier(estimator):  # pragma: no cover - only classifiers so far
            raise TypeError("check_gradients supports skbp estimators and Networks.")
        Y = estimator._label_binarizer.transform(y).astype(np.float64)
        alpha = estimator.alpha if alpha is None else alpha
        penalty = estimator.penalty if penalty is None else penalty
        l1_ratio = estimator.l1_ratio if l1_ratio is None else l1_ratio
    X = X.astype(network.dtype) if sp.issparse(X) else np.asarray(X, dtype=network.dtype)
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=network.dtype)
    regularizer = make_penalty(penalty or "l2", alpha, 0.15 if l1_ratio is None else l1_ratio)
    ws = Workspace(network, X.shape[0])

    def cost():
        return network.loss_and_gradient(X, Y, sample_weight, regularizer, ws, masks)

    cost()
    backprop = network.grad.copy()
    params = network.params
    indices = np.arange(params.size)
    if max_params is not None and max_params < params.size:
        indices = np.random.RandomState(random_state).choice(params.size, max_params, replace=False)
    saved = params.copy()
    worst = 0.0
    tiny = np.finfo(np.float64).tiny
    for i in indices:
        params[i] = saved[i] + epsilon
        plus = cost()
        params[i] = saved[i] - epsilon
        minus = cost()
        params[i] = saved[i]
        numeric = (plus - minus) / (2 * epsilon)
        error = abs(backprop[i] - numeric) / max(abs(backprop[i]) + abs(numeric), tiny)
        worst = max(worst, error)
    np.copyto(params, saved)
    cost()  # leave grad consistent with params
    return float(worst)
