"""Feature-wise layers with their own parameters, in front of the dense stack.

A front layer maps the batch X (one row per sample) to the input A⁰ of the
first dense layer.  Its parameters live in the network's flat ``params``
vector like every weight and bias (views bound by :meth:`bind`), so the
optimizers, L-BFGS, weight decay and the learning-rate factors treat them as
any other parameter.  Each layer has

* ``build(n_in, dtype) -> n_out``: fixes its widths, once, in the network;
* ``forward(x, cache) -> out``: the forward pass; ``cache`` (a dict, or None
  for prediction) keeps what the backward pass needs;
* ``backward(delta, cache, input_delta) -> delta_in``: with δ = ∂C/∂out for
  every sample (the batch-mean weights already folded in, as BP1 does), adds
  nothing to the network's other gradients, fills its own ``∂C/∂θ`` views and
  returns ∂C/∂x when ``input_delta`` (only a layer below needs it);
* ``group``: the name of its parameter group for the learning-rate and
  weight-decay factors (:meth:`skbp._engine.network.Network.set_group_factors`).

The derivations, in the lecture's notation, are in the user guide's
"Tabular engine" page.
"""

import math

import numpy as np

_TWO_PI = 2.0 * math.pi


class FrontLayer:
    """Shared plumbing: widths, parameter views, gradient views."""

    group = None
    #: The columns of ∂C/∂out that ``backward`` reads when ``input_delta`` is
    #: False (the others may be left unset by the caller).
    read_columns = slice(None)

    def build(self, n_in, dtype):
        self.n_in = int(n_in)
        self.dtype = np.dtype(dtype)
        self.n_out = self._build()
        return self.n_out

    @property
    def shapes(self):
        """Shapes of the layer's parameter arrays, in their order in ``params``."""
        raise NotImplementedError

    @property
    def n_params(self):
        return sum(math.prod(shape) for shape in self.shapes)

    def bind(self, params, grads):
        """Take ``params`` / ``grads`` (1-d views of n_params entries) as storage."""
        self.params, self.grads = [], []
        start = 0
        for shape in self.shapes:
            size = math.prod(shape)
            self.params.append(params[start : start + size].reshape(shape))
            self.grads.append(grads[start : start + size].reshape(shape))
            start += size

    @staticmethod
    def _check_dense(x):
        if not isinstance(x, np.ndarray):
            raise TypeError(
                "Feature-wise layers need a dense input array; got "
                f"{type(x).__name__}. Densify the data (e.g. X.toarray())."
            )


class FeatureScaling(FrontLayer):
    """Learned per-feature scaling a = x ⊙ s, s initialized to 1.

    Backward, per sample: ∂C/∂s = Σ_n δ_n ⊙ x_n and ∂C/∂x = δ ⊙ s.
    """

    group = "scaling"

    def _build(self):
        return self.n_in

    @property
    def shapes(self):
        return [(self.n_in,)]

    def initialize(self, rng):
        self.params[0][...] = 1.0

    def forward(self, x, cache=None):
        self._check_dense(x)
        if cache is not None:
            cache["x"] = x
        return x * self.params[0]

    def backward(self, delta, cache, input_delta):
        # Σ_n δ_nj x_nj without a (n, d) temporary.
        np.einsum("nj,nj->j", delta, cache["x"], out=self.grads[0])
        return delta * self.params[0] if input_delta else None

    def backward_from_bp4(self, delta_next, cache, coef, coef_grad):
        """Gradients of s and of the next dense layer's W from one product.

        With x this layer's input, A = x ⊙ s and Z = A W + b, take
        P = xᵀ Δ (Δ the next layer's error, (d, m)): then
        ∂C/∂W = Aᵀ Δ = diag(s) P (BP4), and ∂C/∂s_j = Σ_n x_nj (Δ Wᵀ)_nj
        = Σ_k W_jk P_jk, without the (n, d) product Δ Wᵀ.  Fills ``coef_grad``
        (∂C/∂W) and this layer's ∂C/∂s.
        """
        product = np.matmul(cache["x"].T, delta_next, out=coef_grad)  # P = xᵀ Δ
        np.einsum("jk,jk->j", coef, product, out=self.grads[0])
        product *= self.params[0][:, np.newaxis]
        return coef_grad


class PeriodicEmbedding(FrontLayer):
    """RealMLP's "PBLD" numerical embedding of the continuous columns.

    For each continuous column j (``columns``) and sample x:

        u_jk = 2π w_jk x_j + b_jk                   k = 1..K  (K = n_frequencies)
        e_jd = Σ_k cos(u_jk) V_jkd + c_jd           d = 1..D  (D = n_dims)

    (Periodic, Bias in the cosine, Linear map per feature, Densenet: the raw
    value is kept.)  The output is [x, e_1, …, e_J]: every input column as it
    came (the raw values, and the other columns passed through), then the
    J·D embedding values, feature after feature.  Initialization as RealMLP:
    w ~ N(0, σ²) (σ = ``sigma``: low frequencies for smoothly clipped inputs
    in (−3, 3)), b ~ U(−π, π), V and c ~ U(−1/√K, 1/√K).  All features are
    processed at once: the per-feature maps are one batched matrix product
    over a (J, K, n) array, no loop over columns.

    Backward, with Δe the error of e (from the dense layer above):
    ∂C/∂c_j = Σ_n Δe_nj, ∂C/∂V_j = cos(U_j)ᵀ Δe_j, ΔU_j = −sin(U_j) ⊙ (Δe_j V_jᵀ),
    ∂C/∂b_j = Σ_n ΔU_nj, ∂C/∂w_jk = Σ_n ΔU_njk 2π x_nj, and the input error of
    column j adds Σ_k ΔU_njk 2π w_jk to the error passed through.
    """

    group = "embedding"

    def __init__(self, columns, n_frequencies=16, n_dims=3, sigma=0.1):
        self.columns = columns
        self.n_frequencies = n_frequencies
        self.n_dims = n_dims
        self.sigma = sigma

    def _build(self):
        columns = np.asarray(self.columns, dtype=np.intp).ravel()
        if columns.size and (columns.min() < 0 or columns.max() >= self.n_in):
            raise ValueError(
                f"The embedded columns must be indices in [0, {self.n_in}); got "
                f"{columns.tolist()}."
            )
        if np.unique(columns).size != columns.size:
            raise ValueError(f"The embedded columns must be distinct; got {columns.tolist()}.")
        for name in ("n_frequencies", "n_dims"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be a positive integer; got {getattr(self, name)!r}.")
        self.index = columns
        self.read_columns = slice(self.n_in, None)  # the embedding values only
        return self.n_in + columns.size * int(self.n_dims)

    @property
    def shapes(self):
        j, k, d = self.index.size, int(self.n_frequencies), int(self.n_dims)
        return [(j, k), (j, k), (j, k, d), (j, d)]  # w, b, V, c

    def initialize(self, rng):
        w, b, V, c = self.params
        bound = 1.0 / math.sqrt(int(self.n_frequencies))
        w[...] = rng.normal(0.0, self.sigma, w.shape)
        b[...] = rng.uniform(-math.pi, math.pi, b.shape)
        V[...] = rng.uniform(-bound, bound, V.shape)
        c[...] = rng.uniform(-bound, bound, c.shape)

    def forward(self, x, cache=None):
        self._check_dense(x)
        w, b, V, c = self.params
        n, j = x.shape[0], self.index.size
        out = np.empty((n, self.n_out), dtype=np.result_type(x, w))
        out[:, : self.n_in] = x
        if j == 0:
            return out
        # Layout (J, K, n): the samples are the contiguous last axis, so every
        # element-wise pass runs along long rows, and the J per-feature maps are
        # batched matrix products.  U_j = [2π w_j, b_j] [x_j; 1]: the affine map
        # as one product (the bias as the weight of an input fixed at 1).
        x1 = np.empty((j, 2, n), dtype=out.dtype)  # [x_j; 1] per feature
        x1[:, 0, :] = x[:, self.index].T
        x1[:, 1, :] = 1
        u = np.matmul(np.stack((_TWO_PI * w, b), axis=2), x1)  # (J, K, 2) @ (J, 2, n)
        cos_u = np.cos(u)
        # e_j = cos(U_j)ᵀ V_j + c_j, written straight into the output's columns
        # (a (n, J, D) view of them).
        e = out[:, self.n_in :].reshape(n, j, -1)
        np.matmul(cos_u.transpose(0, 2, 1), V, out=e.transpose(1, 0, 2))
        e += c
        if cache is not None:
            cache.update(x1=x1, u=u, cos_u=cos_u)
        return out

    def backward(self, delta, cache, input_delta):
        w, b, V, c = self.params
        gw, gb, gV, gc = self.grads
        n, j = delta.shape[0], self.index.size
        if j == 0:
            return np.array(delta[:, : self.n_in]) if input_delta else None
        x1, u, cos_u = cache["x1"], cache["u"], cache["cos_u"]
        # ∂C/∂e as (J, D, n), the samples' axis contiguous as in the forward pass.
        delta_e = np.ascontiguousarray(delta[:, self.n_in :].reshape(n, j, -1).transpose(1, 2, 0))
        np.sum(delta_e, axis=2, out=gc)
        np.matmul(cos_u, delta_e.transpose(0, 2, 1), out=gV)  # cos(U_j)ᵀ Δe_j, (J, K, D)
        # ΔU = −sin(U) ⊙ (Δe_j V_jᵀ), the minus sign carried by the small V.
        delta_u = np.matmul(np.negative(V), delta_e)  # (J, K, D) @ (J, D, n)
        delta_u *= np.sin(u)
        np.sum(delta_u, axis=2, out=gb)
        np.matmul(delta_u, x1[:, 0, :, np.newaxis], out=gw[:, :, np.newaxis])  # ΔU_j x_j
        gw *= _TWO_PI
        if not input_delta:
            return None
        delta_in = np.array(delta[:, : self.n_in])
        # Σ_k ΔU_jkn 2π w_jk for every feature j and sample n: (J, 1, K) @ (J, K, n).
        delta_in[:, self.index] += _TWO_PI * np.matmul(w[:, np.newaxis, :], delta_u)[:, 0, :].T
        return delta_in


class CategoricalEmbedding(FrontLayer):
    """A learned vector of ``n_dims`` values per level of each coded column.

    The input columns ``columns`` hold integer codes r ∈ {0, …, k_j − 1} of a
    categorical column j (k_j = ``cardinalities[j]``; as the encoder's
    ``high_cardinality="ordinal"`` writes them, 0 is a missing or unseen
    value, which gets its own learned vector). For every sample

        e_j = E_j[r_j]                              (a row of column j's table)

    and the output is [x without the coded columns, e_1, …, e_J]: the other
    columns pass through in their order, then the J·D embedding values. The
    J tables are stacked into one (Σ_j k_j, D) table, column j's rows from
    offset o_j = Σ_{i<j} k_i on, so that the forward pass is one gather at the
    flat indices o_j + r_j. Initialization as RealMLP: E ~ N(0, 1).

    Backward, with G_j = ∂C/∂e_j: ∂C/∂E_j[r] = Σ_{n: r_nj = r} (G_j)_n, the
    rows of the error summed per level (a level absent from the batch gets 0).
    Codes carry no gradient; the other columns' error passes through.
    """

    group = "categorical"

    def __init__(self, columns, cardinalities, n_dims=8):
        self.columns = columns
        self.cardinalities = cardinalities
        self.n_dims = n_dims

    def _build(self):
        columns = np.asarray(self.columns, dtype=np.intp).ravel()
        cardinalities = np.asarray(self.cardinalities, dtype=np.intp).ravel()
        if columns.size and (columns.min() < 0 or columns.max() >= self.n_in):
            raise ValueError(
                f"The coded columns must be indices in [0, {self.n_in}); got {columns.tolist()}."
            )
        if np.unique(columns).size != columns.size:
            raise ValueError(f"The coded columns must be distinct; got {columns.tolist()}.")
        if cardinalities.shape != columns.shape or (cardinalities < 1).any():
            raise ValueError(
                "cardinalities must give a positive number of codes for each coded "
                f"column; got {cardinalities.tolist()} for columns {columns.tolist()}."
            )
        if int(self.n_dims) < 1:
            raise ValueError(f"n_dims must be a positive integer; got {self.n_dims!r}.")
        self.index = columns
        self.sizes = cardinalities
        self.offsets = np.concatenate([[0], np.cumsum(cardinalities)[:-1]]).astype(np.intp)
        self.kept = np.setdiff1d(np.arange(self.n_in), columns)
        self.read_columns = slice(self.kept.size, None)  # the embedding values only
        return self.kept.size + columns.size * int(self.n_dims)

    @property
    def shapes(self):
        return [(int(self.sizes.sum()), int(self.n_dims))]  # the stacked tables E

    def initialize(self, rng):
        self.params[0][...] = rng.normal(0.0, 1.0, self.params[0].shape)

    def _flat_indices(self, x):
        """Index of every embedding value in the flat table: (o_j + r_nj) D + d, shape (n, J·D)."""
        codes = x[:, self.index]
        with np.errstate(invalid="ignore"):  # NaN: refused below
            rows = codes.astype(np.intp)
        # Codes are whole numbers in [0, k_j); anything else (NaN, a code of a
        # level the table does not have) would read another column's rows.
        if not (np.array_equal(rows, codes) and (rows >= 0).all() and (rows < self.sizes).all()):
            raise ValueError(
                "The coded columns must hold whole numbers in [0, cardinality); got "
                "values outside that range (or NaN)."
            )
        rows += self.offsets
        d = int(self.n_dims)
        return (rows[:, :, np.newaxis] * d + np.arange(d)).reshape(x.shape[0], -1)

    def forward(self, x, cache=None):
        self._check_dense(x)
        table = self.params[0]
        n, j = x.shape[0], self.index.size
        out = np.empty((n, self.n_out), dtype=np.result_type(x, table))
        width = self.kept.size
        out[:, :width] = x[:, self.kept]
        if j == 0:
            return out
        flat = self._flat_indices(x)
        np.take(table.ravel(), flat, out=out[:, width:])  # the gather e_j = E_j[r_j]
        if cache is not None:
            cache["flat"] = flat
        return out

    def backward(self, delta, cache, input_delta):
        width = self.kept.size
        if self.index.size:
            # Σ over the rows with code r of δ, for every (row, dimension) of the
            # flat table at once: one bincount over the cached flat indices (the
            # fastest of np.add.at, bincount per dimension, a sparse one-hot
            # product and a dense one; see the tabular engine's page).
            gradient = np.bincount(
                cache["flat"].ravel(), weights=delta[:, width:].ravel(),
                minlength=self.grads[0].size,
            )
            self.grads[0][...] = gradient.reshape(self.grads[0].shape)
        if not input_delta:
            return None
        delta_in = np.zeros((delta.shape[0], self.n_in), dtype=delta.dtype)
        delta_in[:, self.kept] = delta[:, :width]  # the codes get none
        return delta_in


#: The front layers by name (the estimators' and the docs' list).
FRONT_LAYERS = {
    "embedding": PeriodicEmbedding, "scaling": FeatureScaling, "categorical": CategoricalEmbedding,
}
