"""The feed-forward network: forward pass and backpropagation (BP1–BP4).

Conventions (row-vector batches, as in scikit-learn):

* ``coefs[l]`` is W^{l+1} with shape (fan_in, fan_out), ``intercepts[l]`` is b^{l+1};
* a batch of n samples is a matrix with one row per sample, so the lecture's
  z^l = W^l a^{l−1} + b^l becomes Z^l = A^{l−1} W^l + b^l;
* the error of layer l is the matrix Δ^l whose row n is δ^l for sample n.

With these conventions the four equations read, for the batch cost
C = Σ_n s_n C_n / Σ_n s_n (sample weights s, all ones by default):

* BP1  Δ^L = diag(s / Σs) (∇_A C ⊙ σ'(Z^L))   — the loss's ``delta`` (A^L − Y
                                                for the canonical pairs)
* BP2  Δ^l = (Δ^{l+1} (W^{l+1})ᵀ) ⊙ σ'(Z^l)     — ``activation.backprop``
* BP3  ∂C/∂b^l = 1ᵀ Δ^l                          — column sums, as a product
* BP4  ∂C/∂W^l = (A^{l−1})ᵀ Δ^l                  — one matrix product

Folding the weighted mean into Δ^L once makes BP3 and BP4 plain sums, exactly
the lecture's "average the per-sample gradients over the batch".

All parameters live in one contiguous vector ``params`` (weights of every layer
first, then biases: the order of scikit-learn's ``_pack``); ``coefs`` and
``intercepts`` are views into it, and ``grad`` mirrors it.  Optimizers update
the whole vector with a few in-place passes, L-BFGS reads and writes it
directly, and weight decay touches exactly the prefix ``params[:n_weights]``.

Two optional ingredients (the tabular estimators use them; without them the
network is exactly the dense stack above, at the same cost):

* ``front``: feature-wise layers with their own parameters
  (:mod:`skbp._engine.layers`) mapping X to the dense stack's input A⁰;
  their δ comes from Δ⁰ = Δ¹ (W¹)ᵀ, the BP2 product one layer further down;
* ``parametric_activation``: a = z + α ⊙ (f(z) − z) with α learned per hidden
  unit (:class:`skbp._engine.activations.Parametric`); BP2's σ' becomes
  1 + α (f' − 1) and ∂C/∂α = 1ᵀ (∂C/∂A ⊙ (f(Z) − Z)).

Their parameters follow the biases in ``params``: [W | b | front layers | α].
There is one forward pass, :func:`propagate`: training, prediction and the
gradient check all run it.
"""

import copy

import numpy as np
import scipy.sparse as sp

from .activations import SATURATION, Parametric, get_activation
from .initializers import Layer, initial_biases, initialize_layer
from .layers import FeatureScaling

_PREDICT_CHUNK_ROWS = 4096


def _layer_views(buffer, shapes):
    views, start = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        views.append(buffer[start : start + size].reshape(shape))
        start += size
    return views


class Workspace:
    """Arrays reused by every batch of up to ``batch_size`` rows.

    ``z[l]`` and ``delta[l]`` hold the net input and the error of weight
    layer l (a batch of n rows uses their first n rows), and ``scratch`` one
    temporary as wide as the widest hidden layer (σ'(z) while BP2 needs it).
    The forward pass records in ``a[l]`` the activation A^l of the batch (in
    its buffer, or Z^l itself for the identity) and in ``inputs[l]`` the
    matrix that was multiplied by W^l, which is what BP4 needs: A^{l−1}, or
    with dropout the masked copy of it held in ``masked_inputs[l]``.  An
    activation that computes σ' with σ (``fused_derivative``: SELU, Mish)
    leaves σ'(Z^l) in ``d[l]`` for BP2, and so does every parametric one.
    Only with the optional ingredients: ``f_minus_z[l]`` keeps f(Z^l) − Z^l of
    a parametric activation (what ∂C/∂α needs) and ``front[i]`` what front
    layer i needs for its backward pass.
    """

    def __init__(self, network, batch_size):
        dtype = network.dtype
        widths = network.layer_sizes[1:]
        self.batch_size = batch_size
        self.z = [np.empty((batch_size, m), dtype) for m in widths]
        self._a_buffers = [np.empty((batch_size, m), dtype) for m in widths]
        self.a = [None] * network.n_layers
        self.delta = [np.empty((batch_size, m), dtype) for m in widths]
        self._scratch = np.empty(batch_size * max(widths[:-1], default=0), dtype)
        self.ones = np.ones(batch_size, dtype)  # the 1 of BP3's 1ᵀ Δ
        self.masks = [None] * network.n_layers
        self.masked_inputs = [None] * network.n_layers
        self.inputs = [None] * network.n_layers
        # Only with the optional ingredients: f(Z^l) − Z^l of parametric
        # activations, and what each front layer keeps for its backward pass.
        self.f_minus_z = [None] * network.n_layers
        if network.alphas is not None:
            self.f_minus_z[:-1] = [np.empty((batch_size, m), dtype) for m in widths[:-1]]
        self.d = [None] * network.n_layers
        if network.activation.fused_derivative or network.alphas is not None:
            self.d[:-1] = [np.empty((batch_size, m), dtype) for m in widths[:-1]]
        self.front = [{} for _ in network.front]

    def scratch(self, n_rows, n_units):
        """A contiguous (n_rows, n_units) temporary, shared by all hidden layers."""
        return self._scratch[: n_rows * n_units].reshape(n_rows, n_units)

    def mask_buffer(self, layer, n_units, dtype):
        if self.masks[layer] is None:
            self.masks[layer] = np.empty((self.batch_size, n_units), dtype)
            self.masked_inputs[layer] = np.empty((self.batch_size, n_units), dtype)
        return self.masks[layer]


class Network:
    """A multi-layer perceptron with its parameters in one flat vector.

    Parameters
    ----------
    layer_sizes : sequence of int
        Units per layer, input first: (n_features, h_1, ..., h_k, n_outputs),
        where n_features is the width of X.  With front layers the dense
        stack's input is their output: ``self.layer_sizes[0]`` is that width.
    activation : str
        Hidden activation, a key of :data:`skbp._engine.activations.ACTIVATIONS`.
    output : OutputLayer
        Output activation with its cost (see :mod:`skbp._engine.losses`).
    dtype : numpy dtype
        float32 or float64; every array of the network has this dtype.
    front : sequence of FrontLayer, default=()
        Feature-wise layers applied to X in this order before the first dense
        layer (copied: the given objects are not modified).
    parametric_activation : bool, default=False
        Hidden units compute z + α (f(z) − z) with α learned per unit.
    """

    def __init__(
        self, layer_sizes, activation, output, dtype=np.float64, *, front=(),
        parametric_activation=False,
    ):
        sizes = tuple(int(s) for s in layer_sizes)
        self.n_features_in = sizes[0]
        self.dtype = np.dtype(dtype)
        self.front = [copy.copy(layer) for layer in front]
        width = sizes[0]
        for layer in self.front:
            width = layer.build(width, self.dtype)
        self.layer_sizes = (width, *sizes[1:])
        self.activation_name = activation
        self.activation = get_activation(activation)
        self.output = output
        self.parametric_activation = bool(parametric_activation)
        coef_shapes = list(zip(self.layer_sizes[:-1], self.layer_sizes[1:]))
        self.n_weights = sum(i * o for i, o in coef_shapes)
        self.n_dense = self.n_weights + sum(self.layer_sizes[1:])
        n_front = sum(layer.n_params for layer in self.front)
        n_alpha = sum(self.layer_sizes[1:-1]) if self.parametric_activation else 0
        self.params = np.zeros(self.n_dense + n_front + n_alpha, dtype=self.dtype)
        self.grad = np.zeros_like(self.params)
        self.lr_factors = self.decay_factors = None
        self._bind_views()

    def _bind_views(self):
        """``coefs``, ``intercepts``, front-layer and α views into ``params``/``grad``."""
        coef_shapes = list(zip(self.layer_sizes[:-1], self.layer_sizes[1:]))
        self.coefs = _layer_views(self.params, coef_shapes)
        self.intercepts = _layer_views(self.params[self.n_weights :], self.layer_sizes[1:])
        self.coef_grads = _layer_views(self.grad, coef_shapes)
        self.intercept_grads = _layer_views(self.grad[self.n_weights :], self.layer_sizes[1:])
        start = self.n_dense
        for layer in self.front:
            stop = start + layer.n_params
            layer.bind(self.params[start:stop], self.grad[start:stop])
            start = stop
        self.alphas = self.alpha_grads = None
        self.hidden_activations = [self.activation] * (self.n_layers - 1)
        if self.parametric_activation:
            widths = self.layer_sizes[1:-1]
            self.alphas = _layer_views(self.params[start:], widths)
            self.alpha_grads = _layer_views(self.grad[start:], widths)
            self.hidden_activations = [Parametric(self.activation, alpha) for alpha in self.alphas]

    def __getstate__(self):
        # Views do not survive pickling (each would become a copy): keep the
        # vectors and rebuild the views from them.
        state = {k: v for k, v in vars(self).items() if k not in _VIEWS}
        state["front"] = [
            {k: v for k, v in vars(layer).items() if k not in ("params", "grads")}
            for layer in self.front
        ]
        state["_front_types"] = [type(layer) for layer in self.front]
        return state

    def __setstate__(self, state):
        types = state.pop("_front_types")
        fronts = state.pop("front")
        vars(self).update(state)
        self.front = []
        for cls, attributes in zip(types, fronts):
            layer = cls.__new__(cls)
            vars(layer).update(attributes)
            self.front.append(layer)
        self._bind_views()

    @property
    def n_layers(self):
        """Number of weight layers L (hidden layers plus the output layer)."""
        return len(self.layer_sizes) - 1

    @property
    def weights(self):
        """All weights as one flat view (the part penalties and weight decay touch)."""
        return self.params[: self.n_weights]

    def initialize(self, rng, initializer="auto", init_std=0.01, bias_init=None):
        """Draw every layer's weights and biases, input layer first.

        ``bias_init=None`` keeps the initializer's biases ("auto" draws them,
        the other laws start them at zero); a number sets the hidden biases to
        it and the output biases to zero.  It never changes the weights drawn:
        "auto" still draws its biases, so its weights stay scikit-learn's.
        """
        for layer, (coef, intercept) in enumerate(zip(self.coefs, self.intercepts)):
            weights, biases = initialize_layer(
                initializer,
                Layer(*coef.shape, self.activation_name, init_std),
                rng,
                self.dtype,
            )
            coef[...] = weights
            intercept[...] = initial_biases(
                biases, intercept.shape[0], bias_init, layer == self.n_layers - 1, self.dtype
            )
        # After the dense layers, so that their draws do not depend on the options.
        for layer in self.front:
            layer.initialize(rng)
        if self.alphas is not None:
            for alpha in self.alphas:
                alpha[...] = 1.0  # f itself
        return self

    # ------------------------------------------------------- parameter groups
    def group_slices(self):
        """{group name: list of slices of ``params``}: "weights", "biases", one
        group per front layer kind ("scaling", "embedding" for the periodic
        numerical embedding, "categorical" for the categorical embedding) and
        "activation" (α)."""
        groups = {"weights": [slice(0, self.n_weights)], "biases": [slice(self.n_weights, self.n_dense)]}
        start = self.n_dense
        for layer in self.front:
            groups.setdefault(layer.group, []).append(slice(start, start + layer.n_params))
            start += layer.n_params
        if self.alphas is not None:
            groups["activation"] = [slice(start, self.params.size)]
        return groups

    def group_factors(self, factors, default=1.0):
        """A vector over ``params``: each entry its group's factor (``default`` if not given)."""
        unknown = set(factors) - set(PARAMETER_GROUPS)
        if unknown:
            raise ValueError(
                f"Unknown parameter group(s) {sorted(unknown)}; the groups are {list(PARAMETER_GROUPS)}."
            )
        vector = np.ones(self.params.size, dtype=self.dtype)
        for group, slices in self.group_slices().items():
            for part in slices:
                vector[part] = factors.get(group, default)
        return vector

    def fan_in_factors(self, power):
        """1 / fan_in^power on each dense layer's weights, 1 elsewhere.

        With Adam, ``power=0.5`` turns the standard parametrization into the
        NTK one, z = a W / √fan_in, which RealMLP uses (see the user guide).
        """
        vector = np.ones(self.params.size, dtype=self.dtype)
        start = 0
        for coef in self.coefs:
            vector[start : start + coef.size] = float(coef.shape[0]) ** -power
            start += coef.size
        return vector

    def set_group_factors(self, lr=None, weight_decay=None, fan_in_power=0.0):
        """Set ``lr_factors`` and ``decay_factors``, which the optimizers read.

        ``lr`` and ``weight_decay`` map group names (:data:`PARAMETER_GROUPS`)
        to factors; a group left out of ``lr`` has factor 1, and one left out
        of ``weight_decay`` is not decayed, except "weights" (factor 1): the
        plain optimizer's rule.  A parameter's step is multiplied by its lr
        factor (times fan_in^−power on dense weights) and its decoupled decay
        by lr factor × weight-decay factor, as AdamW decays by lr · weight_decay
        per group.  ``None`` for both and ``fan_in_power=0`` removes the
        factors (the plain optimizer).
        """
        if lr is None and weight_decay is None and not fan_in_power:
            self.lr_factors = self.decay_factors = None
            return self
        lr_groups = self.group_factors(lr or {})
        self.lr_factors = lr_groups * self.fan_in_factors(fan_in_power) if fan_in_power else lr_groups
        decay = {"weights": 1.0, **(weight_decay or {})}
        self.decay_factors = lr_groups * self.group_factors(decay, default=0.0)
        return self

    def set_parameters(self, coefs, intercepts):
        """Copy existing layer parameters in (warm start, fine-tuning)."""
        for dst, src in zip(self.coefs + self.intercepts, list(coefs) + list(intercepts)):
            if dst.shape != np.shape(src):
                raise ValueError(
                    f"Existing parameters have shape {np.shape(src)} but the network "
                    f"needs {dst.shape}: the layer sizes or the width of the data changed."
                )
            dst[...] = src
        return self

    # ------------------------------------------------------------------ forward
    def forward(self, X, ws, masks=None):
        """Forward pass over a batch, keeping every Z^l and A^l in ``ws``.

        ``masks[l]``, when given, is the scaled dropout mask applied to the input
        of weight layer l (layer 0: the features, after the front layers).
        Returns A^L.
        """
        a = self.front_forward(X, ws.front) if self.front else X
        return propagate(self, a, ws=ws, masks=masks, output=True)[1]

    def front_forward(self, X, caches=None):
        """A⁰ from X through the front layers (``caches``: one dict per layer, or None)."""
        a = X
        for layer, cache in zip(self.front, caches or [None] * len(self.front)):
            a = layer.forward(a, cache)
        return a

    def activate(self, layer, z, out=None):
        """A^l = σ(Z^l) for hidden layer ``layer``."""
        if self.alphas is None:
            return self.activation.forward(z, out=out)
        return self.hidden_activations[layer].forward(z, out=out)

    def activate_for_training(self, layer, z, ws):
        """A^l = σ(Z^l) into ``ws``, with σ'(Z^l) too when the activation fuses
        them or is parametric (and then f(Z^l) − Z^l for ∂C/∂α)."""
        n = z.shape[0]
        out = ws._a_buffers[layer][:n]
        if ws.d[layer] is None:
            return self.activate(layer, z, out=out)
        args = (z, out, ws.d[layer][:n], ws.scratch(*z.shape))
        if self.alphas is None:
            return self.activation.forward_with_derivative(*args)[0]
        return self.hidden_activations[layer].forward_with_derivative(
            *args, ws.f_minus_z[layer][:n]
        )[0]

    def hidden_derivative(self, layer, ws, n, out=None):
        """σ'(Z^l) of hidden layer ``layer`` for the batch of the last forward pass in ``ws``."""
        if ws.d[layer] is not None:  # computed with σ in the forward pass
            return ws.d[layer][:n]
        return self.activation.derivative(ws.z[layer][:n], ws.a[layer], out=out)

    def inactive_units(self, layer, ws, n):
        """Per sample and unit of hidden layer ``layer``: passes (almost) no error back."""
        if self.alphas is not None:  # σ'(Z) = 1 + α (f'(Z) − 1) is in the workspace
            return np.abs(ws.d[layer][:n]) < SATURATION
        return self.activation.inactive(ws.z[layer][:n], ws.a[layer])

    def logits_from(self, layer, z, masks=None):
        """Z^L from the net input Z^layer of ``layer`` (the layers above run in full)."""
        return propagate(self, None, start=layer, z=z, masks=masks)[0]

    @staticmethod
    def _apply_mask(a, mask, out):
        if sp.issparse(a):
            return sp.csr_matrix(a.multiply(mask))
        return np.multiply(a, mask, out=out)

    # ----------------------------------------------------------------- backward
    def backward(self, Y, ws, sample_scale, masks=None):
        """Backpropagation: fill ``grad`` with ∂C/∂W^l and ∂C/∂b^l (data term).

        ``sample_scale`` is 1/n or the column s/Σs: it turns the per-sample
        output errors into the error of the weighted-mean batch cost.  With the
        optional ingredients, ∂C/∂α of each parametric layer (in BP2) and the
        front layers' gradients (below layer 1) are filled too: every entry of
        ``grad`` is overwritten.
        """
        n = Y.shape[0]
        top = self.n_layers - 1
        # BP1: δ^L = ∇_a C ⊙ σ'(z^L) for each sample, weighted into the batch mean.
        delta = self.output.delta(ws.z[top][:n], ws.a[top], Y, out=ws.delta[top][:n])
        delta *= sample_scale
        for layer in range(top, -1, -1):
            # BP3: ∂C/∂b = 1ᵀ Δ = Σ_n δ_n (a BLAS product beats np.sum over axis 0).
            np.matmul(ws.ones[:n], delta, out=self.intercept_grads[layer])
            # BP4: ∂C/∂W = (A^{l−1})ᵀ Δ^l.
            below = ws.inputs[layer]
            if layer == 0 and self._scaling_from_bp4(masks):
                # A⁰ = x ⊙ s: BP4 on x gives ∂C/∂W¹ and the scaling's ∂C/∂s at once.
                self.front[-1].backward_from_bp4(
                    delta, ws.front[-1], self.coefs[0], self.coef_grads[0]
                )
                break
            if sp.issparse(below):
                self.coef_grads[layer][...] = below.T @ delta
            else:
                np.matmul(below.T, delta, out=self.coef_grads[layer])
            if layer == 0:
                break
            # BP2: Δ^{l−1} = (Δ^l Wᵀ) ⊙ σ'(Z^{l−1}), through the dropout mask if any.
            delta_below = np.matmul(delta, self.coefs[layer].T, out=ws.delta[layer - 1][:n])
            if masks is not None and masks[layer] is not None:
                delta_below *= masks[layer][:n]
            scratch = ws.scratch(*delta_below.shape)
            if self.alphas is not None:
                # ∂C/∂α = 1ᵀ (∂C/∂A ⊙ (f(Z) − Z)), from ∂C/∂A before the ⊙ σ'.
                self.hidden_activations[layer - 1].alpha_gradient(
                    delta_below, ws.f_minus_z[layer - 1][:n], self.alpha_grads[layer - 1]
                )
            if not self.hidden_activations[layer - 1].linear:  # identity: σ' ≡ 1
                delta_below *= self.hidden_derivative(layer - 1, ws, n, out=scratch)
            delta = delta_below
        if self.front:
            self._front_backward(delta, ws, masks)
        return self.grad

    def _scaling_from_bp4(self, masks):
        """Whether the front ends with a feature scaling whose gradients come from BP4.

        Then layer 1's BP4 product is taken on the scaling's input x, not on
        A⁰ = x ⊙ s: xᵀ Δ¹ gives both ∂C/∂W¹ = diag(s) xᵀ Δ¹ and ∂C/∂s (see
        :meth:`FeatureScaling.backward_from_bp4`), and the product Δ¹ (W¹)ᵀ is
        needed only for the columns the layer below reads.  Not with a dropout
        mask on A⁰ (then A⁰ ≠ x ⊙ s).
        """
        return (
            bool(self.front) and isinstance(self.front[-1], FeatureScaling)
            and (masks is None or masks[0] is None)
        )

    def _front_backward(self, delta, ws, masks):
        """δ through the front layers: Δ⁰ = Δ¹ (W¹)ᵀ (⊙ mask), then each layer's own rule."""
        top = len(self.front) - 1
        if self._scaling_from_bp4(masks):
            # The scaling's parameters are done (BP4); the layer below gets
            # ∂C/∂x = Δ⁰ ⊙ s = Δ¹ (W¹)ᵀ ⊙ s, on the columns it reads only.
            if top == 0:
                return
            below = self.front[top - 1]
            columns = below.read_columns if top == 1 else slice(None)
            s = self.front[top].params[0][columns]
            delta_x = np.empty((delta.shape[0], below.n_out), dtype=delta.dtype)
            part = np.matmul(delta, self.coefs[0][columns].T)
            part *= s
            delta_x[:, columns] = part
            delta, top = delta_x, top - 1
        else:
            delta = delta @ self.coefs[0].T
            if masks is not None and masks[0] is not None:
                delta *= masks[0][: delta.shape[0]]
        for index in range(top, -1, -1):
            delta = self.front[index].backward(delta, ws.front[index], input_delta=index > 0)

    def loss(self, X, Y, sample_weight=None, penalty=None, ws=None, masks=None):
        """Cost of the batch (data term + penalty), forward pass only."""
        n = X.shape[0]
        if ws is None:
            ws = Workspace(self, n)
        self.forward(X, ws, masks)
        loss = self.output.fn(ws.z[self.n_layers - 1][:n], Y, sample_weight)
        if penalty is not None:
            weight_sum = n if sample_weight is None else float(sample_weight.sum())
            loss += penalty.value(self.weights) / weight_sum
        return loss

    def loss_and_gradient(self, X, Y, sample_weight=None, penalty=None, ws=None, masks=None):
        """Cost of the batch (data term + penalty) and its gradient in ``grad``.

        This is one training step's worth of backpropagation: forward, BP1–BP4,
        then the penalty's gradient α ∇R(W) / Σs on the weights.
        """
        n = X.shape[0]
        if ws is None:
            ws = Workspace(self, n)
        self.forward(X, ws, masks)
        z_top = ws.z[self.n_layers - 1][:n]
        loss = self.output.fn(z_top, Y, sample_weight)
        if sample_weight is None:
            weight_sum = n
            scale = self.dtype.type(1.0 / n)
        else:
            weight_sum = float(sample_weight.sum())
            scale = (sample_weight / self.dtype.type(weight_sum))[:, np.newaxis]
        self.backward(Y, ws, scale, masks)
        if penalty is not None:
            loss += penalty.value(self.weights) / weight_sum
            penalty.add_gradient(self.grad[: self.n_weights], self.weights, 1.0 / weight_sum)
        return loss

    # ------------------------------------------------------------------ predict
    def predict_logits(self, X):
        """Z^L for every row of X (no dropout, nothing stored), in row chunks."""
        return _chunked_logits(X, self, self.coefs[-1].shape[1])


_VIEWS = (
    "coefs", "intercepts", "coef_grads", "intercept_grads", "alphas", "alpha_grads",
    "hidden_activations",
)

#: The parameter groups that learning-rate and weight-decay factors address.
PARAMETER_GROUPS = ("weights", "biases", "scaling", "embedding", "categorical", "activation")


def propagate(network, a, *, start=0, z=None, ws=None, masks=None, output=False):
    """The forward pass through the dense layers: (Z^L, A^L), the one loop of the engine.

    From A^{start−1} = ``a`` (or, when ``z`` is given, from the net input Z^start
    of layer ``start``, as the gradient check needs), each layer computes
    Z^l = A^{l−1} W^l + b^l and A^l = σ(Z^l).  With a workspace ``ws`` (training)
    every Z^l, A^l and layer input is kept in its buffers for backpropagation;
    without one (prediction) each Z^l is activated in place.  ``output`` applies
    the output activation σ^L (with ``ws``); prediction stops at the logits Z^L.
    ``network`` is a :class:`Network` or anything with its ``coefs``,
    ``intercepts``, ``n_layers`` and ``activate`` (a fitted estimator's arrays).
    """
    coefs, intercepts, activate = network.coefs, network.intercepts, network.activate
    top = len(coefs) - 1
    for layer in range(start, top + 1):
        if z is None or layer > start:
            if masks is not None and masks[layer] is not None:
                buffer = None if ws is None else ws.masked_inputs[layer]
                a = Network._apply_mask(a, masks[layer], None if buffer is None else buffer[: a.shape[0]])
            if ws is None:
                z = a @ coefs[layer]
            else:
                ws.inputs[layer] = a
                z = ws.z[layer][: a.shape[0]]
                if sp.issparse(a):
                    z[...] = a @ coefs[layer]
                else:
                    np.matmul(a, coefs[layer], out=z)
            z += intercepts[layer]
        if ws is None:  # prediction: in place, nothing kept
            if layer < top:
                a = activate(layer, z, out=z)
            continue
        n = z.shape[0]
        if layer < top:
            a = network.activate_for_training(layer, z, ws)
        else:
            a = network.output.activation(z, out=ws._a_buffers[layer][:n]) if output else z
        ws.a[layer] = a
    return z, (z if ws is None else a)


def _chunked_logits(X, network, n_outputs):
    """Z^L for every row of X, in row chunks so memory stays O(chunk × width)."""
    n = X.shape[0]
    dtype = network.coefs[-1].dtype
    if n <= _PREDICT_CHUNK_ROWS and not getattr(network, "front", None):
        logits = propagate(network, X)[0]
        if logits.dtype == dtype and logits.flags.writeable and logits.base is None:
            return logits  # one chunk: Z^L is already a fresh array of its own
        return logits.astype(dtype)
    logits = np.empty((n, n_outputs), dtype=dtype)
    for start in range(0, n, _PREDICT_CHUNK_ROWS):
        chunk = X[start : start + _PREDICT_CHUNK_ROWS]
        a = network.front_forward(chunk) if getattr(network, "front", None) else chunk
        logits[start : start + chunk.shape[0]] = propagate(network, a)[0]
    return logits


class _Arrays:
    """A fitted estimator's dense layers, seen as a front-less network (no copy)."""

    def __init__(self, coefs, intercepts, activation):
        self.coefs, self.intercepts, self.activation = coefs, intercepts, activation
        self.n_layers = len(coefs)

    def activate(self, layer, z, out=None):
        return self.activation.forward(z, out=out)


def forward_logits(X, coefs, intercepts, activation):
    """Z^L for every row of X from a dense stack's arrays (the estimators' predict)."""
    return _chunked_logits(X, _Arrays(coefs, intercepts, activation), coefs[-1].shape[1])
