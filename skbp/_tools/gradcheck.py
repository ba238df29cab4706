"""Numerical gradient check: backprop against central finite differences.

The lecture's first way to get ∂C/∂θ is numerical — perturb one parameter,
re-evaluate the cost:

    ∂C/∂θ_i ≈ (C(θ + ε e_i) − C(θ − ε e_i)) / (2ε).

Far too slow for training (two forward passes per parameter) but an exact-enough
referee for an implementation of BP1–BP4.

How the two gradients are compared
----------------------------------
For each weight layer l, with g the backpropagated gradient of (W^l, b^l) and ĝ
its finite-difference estimate, the error of the layer is

    err_l = ‖g − ĝ‖ / (‖g‖ + ‖ĝ‖)        (0 when both are 0),

and the check reports max_l err_l.  A per-parameter relative error cannot be
used on a trained model: there many parameters have gradients of 1e-15..1e-24,
far below the round-off of the cost (about 1e-16 · C), so their central
difference is exactly 0 and each such parameter has a relative error of 1.  A
norm per layer weighs every parameter by its share of the layer's gradient,
so round-off in the smallest entries does not count, while a wrong BP1–BP4
term — which errs in every entry of a layer — does.  The values seen for a
correct and a deliberately broken backward pass are in the user guide.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import (
    _num_samples,
    check_array,
    check_is_fitted,
    validate_data,
)

from .._engine.network import Network, Workspace
from .._engine.regularization import PENALTIES, make_penalty
from .._estimators.base import check_sample_weight


def _final_estimator(model, X):
    """(estimator, X as its network sees it).

    A Pipeline's steps transform X; an estimator that encodes its own input
    (the tabular estimators' raw tables) encodes it.
    """
    if hasattr(model, "steps"):
        check_is_fitted(model)
        model, X = model[-1], model[:-1].transform(X)
    if hasattr(model, "_encode_features"):
        X = model._encode_features(X)
    return model, X


def _estimator_penalty(estimator):
    """(penalty, alpha, l1_ratio) of the estimator's cost; alpha 0 if it has none."""
    return (
        getattr(estimator, "penalty", "l2"),
        getattr(estimator, "alpha", 0.0),
        getattr(estimator, "l1_ratio", 0.15),
    )


def _network_from_estimator(estimator, dtype=np.float64):
    """A Network holding the fitted estimator's weights, computing in ``dtype``."""
    check_is_fitted(estimator)
    if hasattr(estimator, "_fitted_network"):  # estimators with front layers or α
        return estimator._fitted_network(dtype)
    sizes = [estimator.coefs_[0].shape[0]] + [c.shape[1] for c in estimator.coefs_]
    network = Network(sizes, estimator.activation, estimator._output_layer(), dtype)
    network.set_parameters(estimator.coefs_, estimator.intercepts_)
    return network


def _check_n_samples(y, n_samples):
    n = _num_samples(y)
    if n != n_samples:
        raise ValueError(f"y has {n} samples, but X has {n_samples}; give one per row of X.")


def validated_data(estimator, X, y, dtype):
    """X and the encoded targets Y of a fitted estimator, in ``dtype``.

    Refuses, with messages that name the argument, what would make a wrong
    cost: NaN or infinite features, X of another width than the estimator's,
    y of another length than X, and labels the estimator does not know.
    """
    if hasattr(estimator, "_encode_features"):  # X is already its encoded table
        X = check_array(X, dtype=(np.float64, np.float32), input_name="X")
    else:
        X = validate_data(
            estimator, X, accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32),
            reset=False,
        )
    _check_n_samples(y, X.shape[0])
    Y = estimator._encode_targets(np.asarray(y))
    estimator._output_layer().check_targets(Y)
    return X.astype(dtype, copy=False), Y.astype(dtype)


def _validated_network_data(network, X, y):
    """X and the encoded targets Y given with a Network: finite, of its widths."""
    X = check_array(X, accept_sparse=["csr", "csc"], dtype=network.dtype, input_name="X")
    n_inputs, n_outputs = network.n_features_in, network.layer_sizes[-1]
    if X.shape[1] != n_inputs:
        raise ValueError(
            f"X has {X.shape[1]} features, but the network has {n_inputs} inputs."
        )
    _check_n_samples(y, X.shape[0])
    Y = check_array(y, dtype=network.dtype, ensure_2d=False, input_name="y")
    if Y.shape != (X.shape[0], n_outputs):
        raise ValueError(
            f"y must be the encoded targets, of shape (n_samples, {n_outputs}) for a "
            f"network with {n_outputs} outputs; got shape {Y.shape}."
        )
    return X, Y


def _central_differences(network, ws, Y, sample_weight, penalty, masks, indices, epsilon, X=None):
    """(C(θ + ε e_i) − C(θ − ε e_i)) / 2ε for each parameter index i.

    Perturbing w^l_jk (or b^l_j) changes only the net input z^l_j of unit j in
    layer l, so the forward pass restarts there: column j of Z^l is recomputed,
    layer l + 1 gets the rank-1 correction Δa_j w^{l+1}_j, and only the layers
    above run in full (the network's own forward code).  ``ws`` holds the
    unperturbed forward pass.  Front-layer parameters and the α of parametric
    activations are checked with a full forward pass each (over ``X``).
    """
    coef_layer, unit_in, unit_out, is_bias = _parameter_coordinates(network)
    n = Y.shape[0]
    Z = [z[:n].copy() for z in ws.z]
    top = network.n_layers - 1
    A = [network.activate(layer, Z[layer].copy()) for layer in range(top)]
    inputs = [x.tocsc() if sp.issparse(x) else x for x in ws.inputs]
    ones = np.ones(n)
    params = network.params
    numeric = np.empty(len(indices))
    full_pass = Workspace(network, n)
    weight_sum = n if sample_weight is None else float(sample_weight.sum())

    def cost(layer, j, z_j):
        """The cost when unit j of ``layer`` has net input z_j (the others as before)."""
        if layer == top:
            z = Z[top].copy()
            z[:, j] = z_j
        else:
            z = Z[layer].copy()
            z[:, j] = z_j
            change = network.activate(layer, z)[:, j] - A[layer][:, j]
            if masks is not None and masks[layer + 1] is not None:
                change = change * masks[layer + 1][:, j]
            z = Z[layer + 1] + np.outer(change, network.coefs[layer + 1][j])
            z = network.logits_from(layer + 1, z, masks)
        value = network.output.fn(z, Y, sample_weight)
        if penalty is not None:
            value += penalty.value(network.weights) / weight_sum
        return value

    for k, i in enumerate(indices):
        saved = params[i]
        if i >= network.n_dense:
            params[i] = saved + epsilon
            plus = network.loss(X, Y, sample_weight, penalty, full_pass, masks)
            params[i] = saved - epsilon
            minus = network.loss(X, Y, sample_weight, penalty, full_pass, masks)
            params[i] = saved
            numeric[k] = (plus - minus) / (2 * epsilon)
            continue
        layer, j = coef_layer[i], unit_out[i]
        if is_bias[i]:
            column = ones
        elif sp.issparse(inputs[layer]):
            column = inputs[layer][:, unit_in[i]].toarray().ravel()
        else:
            column = inputs[layer][:, unit_in[i]]
        params[i] = saved + epsilon
        plus = cost(layer, j, Z[layer][:, j] + epsilon * column)
        params[i] = saved - epsilon
        minus = cost(layer, j, Z[layer][:, j] - epsilon * column)
        params[i] = saved
        numeric[k] = (plus - minus) / (2 * epsilon)
    return numeric


def _parameter_coordinates(network):
    """For each entry of ``params``: its layer, input unit k, output unit j, is-bias."""
    layers, unit_in, unit_out, is_bias = [], [], [], []
    for layer, coef in enumerate(network.coefs):
        fan_in, fan_out = coef.shape
        k, j = np.divmod(np.arange(fan_in * fan_out), fan_out)
        layers.append(np.full(coef.size, layer))
        unit_in.append(k)
        unit_out.append(j)
        is_bias.append(np.zeros(coef.size, bool))
    for layer, intercept in enumerate(network.intercepts):
        layers.append(np.full(intercept.size, layer))
        unit_in.append(np.full(intercept.size, -1))
        unit_out.append(np.arange(intercept.size))
        is_bias.append(np.ones(intercept.size, bool))
    # Front layers and α: one "layer" label each, after the dense layers.
    extra = [layer.n_params for layer in network.front]
    extra += [alpha.size for alpha in network.alphas or ()]
    for label, size in enumerate(extra, start=network.n_layers):
        layers.append(np.full(size, label))
        unit_in.append(np.full(size, -1))
        unit_out.append(np.full(size, -1))
        is_bias.append(np.zeros(size, bool))
    return tuple(np.concatenate(parts) for parts in (layers, unit_in, unit_out, is_bias))


@validate_params(
    {
        "model": "no_validation",
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "sample_weight": ["array-like", None],
        "alpha": [Interval(Real, 0, None, closed="left"), None],
        "penalty": [StrOptions(set(PENALTIES)), None],
        "l1_ratio": [Interval(Real, 0, 1, closed="both"), None],
        "masks": [list, None],
        "epsilon": [Interval(Real, 0, None, closed="neither"), None],
        "max_params": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def check_gradients(
    model,
    X: ArrayLike,
    y: ArrayLike,
    sample_weight: ArrayLike | None = None,
    *,
    alpha: float | None = None,
    penalty: str | None = None,
    l1_ratio: float | None = None,
    masks: list | None = None,
    epsilon: float | None = None,
    max_params: int | None = None,
    random_state: int = 0,
) -> float:
    """Largest per-layer relative error between backprop and finite differences.

    Every parameter θ_i (or a random subset of ``max_params`` of them) is
    perturbed by ± ``epsilon`` and the central difference of the cost is set
    against the backpropagated ∂C/∂θ_i.  For each weight layer l, with g the
    backpropagated and ĝ the numerical gradient of its checked weights and
    biases, the error is ``‖g − ĝ‖ / (‖g‖ + ‖ĝ‖)``; the largest over the layers
    is returned.  The computation is in float64 whatever the model's dtype.

    A correct implementation gives about 1e-9 on a freshly initialized network
    and about 1e-7 on a trained one; a backward pass with a wrong term gives 0.1
    or more (see the user guide's "Checking the gradients").

    Parameters
    ----------
    model : BackpropMLPClassifier, BackpropMLPRegressor or Pipeline
        A fitted skbp estimator, or a fitted Pipeline ending in one (X is
        transformed by every step but the last).  Its weights are copied into
        a float64 network; the model is not modified.
    X : array-like or sparse matrix of shape (n_samples, n_features)
        Input data, finite.
    y : array-like
        Targets as given to ``fit`` for an estimator or a Pipeline; for a
        Network, the encoded targets (one-hot / indicator matrix).
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights of the cost: finite, non-negative, not all zero.
    alpha, penalty, l1_ratio : default=None
        Penalty of the cost; for an estimator they default to its own
        parameters, for a network to no penalty.
    masks : list of ndarray or None, default=None
        Fixed, scaled dropout masks (one per weight layer, None for no dropout),
        to check backpropagation through dropout.
    epsilon : float > 0 or None, default=None
        Finite-difference step; None is 1e-6 for ReLU hidden units and 1e-5
        otherwise.  A step crosses ReLU's kink at z = 0 for every sample whose
        net input is within about ε of it, and the error that causes grows
        with ε (on a trained ReLU network 1e-4 at ε = 1e-5, 5e-9 at 1e-6).
    max_params : int >= 1 or None, default=None
        Check only this many randomly chosen parameters (all when None): each
        costs two forward passes over X, so large networks are checked on a
        sample of their parameters.
    random_state : int, RandomState instance or None, default=0
        Seed of that choice.

    Returns
    -------
    max_relative_error : float
        Largest per-layer relative error over the checked parameters;
        ``inf``, with a warning that names the layers, when the
        backpropagated or the numerical gradient is not finite (NaN or
        infinite), since then the two cannot agree.

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
    if isinstance(model, Network):
        network = model
        X, Y = _validated_network_data(network, X, y)
        if alpha is None:
            alpha = 0.0
    else:
        estimator, X = _final_estimator(model, X)
        if not hasattr(estimator, "_encode_targets"):
            raise TypeError(
                "check_gradients takes a fitted skbp estimator, a Pipeline ending in "
                f"one, or a skbp Network; got {type(estimator).__name__}."
            )
        network = _network_from_estimator(estimator)
        X, Y = validated_data(estimator, X, y, np.float64)
        own_penalty, own_alpha, own_l1_ratio = _estimator_penalty(estimator)
        alpha = own_alpha if alpha is None else alpha
        penalty = own_penalty if penalty is None else penalty
        l1_ratio = own_l1_ratio if l1_ratio is None else l1_ratio
    # The estimators' own check: scikit-learn < 1.8 accepts all-zero weights.
    sample_weight = check_sample_weight(sample_weight, X, network.dtype)
    if epsilon is None:
        epsilon = 1e-6 if network.activation_name == "relu" else 1e-5
    regularizer = make_penalty(
        penalty or "l2", alpha=alpha, l1_ratio=0.15 if l1_ratio is None else l1_ratio
    )
    ws = Workspace(network, X.shape[0])
    with np.errstate(all="ignore"):  # a non-finite gradient is reported below
        network.loss_and_gradient(X, Y, sample_weight, regularizer, ws, masks)
    backprop = network.grad.copy()

    indices = np.arange(network.params.size)
    if max_params is not None and max_params < indices.size:
        rng = check_random_state(random_state)
        indices = np.sort(rng.choice(indices.size, max_params, replace=False))
    with np.errstate(all="ignore"):
        numeric = _central_differences(
            network, ws, Y, sample_weight, regularizer, masks, indices, epsilon, X
        )

    layer_of = _parameter_coordinates(network)[0][indices]
    g = backprop[indices]
    errors, not_finite = [], []
    for layer in np.unique(layer_of):
        in_layer = layer_of == layer
        if not (np.all(np.isfinite(g[in_layer])) and np.all(np.isfinite(numeric[in_layer]))):
            not_finite.append(int(layer) + 1)
            continue
        # The error does not change with the gradients' scale; dividing by their
        # largest entry first keeps the norms of huge gradients from overflowing.
        largest = max(np.abs(g[in_layer]).max(), np.abs(numeric[in_layer]).max())
        if largest > 0:
            ours, theirs = g[in_layer] / largest, numeric[in_layer] / largest
            scale = np.linalg.norm(ours) + np.linalg.norm(theirs)
            errors.append(float(np.linalg.norm(ours - theirs) / scale))
    if not_finite:
        # A NaN would be dropped by max(): say why the check failed instead.
        warnings.warn(
            f"The gradient of layer(s) {not_finite} is not finite (NaN or infinite) in "
            "the backpropagated or the finite-difference gradient; check_gradients "
            "returns inf. Look for overflowing net inputs or weights.",
            RuntimeWarning,
            stacklevel=3,  # the caller of validate_params' wrapper
        )
        return float("inf")
    return max(errors, default=0.0)
