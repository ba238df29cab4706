"""Content keys for samples: a 64-bit hash of each row of X.

Two places need to know which rows are *the same sample*:

* the validation split keeps exact duplicates on the same side, so validation is
  never contaminated by copies of training rows;
* dropout masks are a function of (seed, epoch, layer, sample key, unit), so a row
  repeated k times sees exactly the masks that the row with sample_weight=k sees.

Both make ``sample_weight=k`` equivalent to k copies of a row, as scikit-learn
requires of every estimator.  The key is a fixed (data-independent) linear hash
of the value bits, finished by the SplitMix64 mixer; it is computed once per fit
and only when dropout or a validation split is used.
"""

import numpy as np
import scipy.sparse as sp

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_CHUNK_ELEMENTS = 1 << 20


def mix64(h, scratch=None):
    """SplitMix64 finalizer, in place on a uint64 array (wrapping arithmetic).

    ``scratch``, a uint64 array shaped like ``h``, receives the shifted
    copies (without it each shift allocates one).
    """
    h ^= np.right_shift(h, np.uint64(30), out=scratch)
    h *= _MIX_1
    h ^= np.right_shift(h, np.uint64(27), out=scratch)
    h *= _MIX_2
    h ^= np.right_shift(h, np.uint64(31), out=scratch)
    return h


def _column_constants(n_features):
    # Odd multipliers, one per column, from a fixed stream: keys must depend on the
    # content only, never on random_state.
    cols = np.arange(1, n_features + 1, dtype=np.uint64) * _GOLDEN
    return mix64(cols) | np.uint64(1)


def _value_bits(values):
    # Adding 0.0 turns -0.0 into +0.0: equal values must give equal bits.
    values = np.ascontiguousarray(values) + values.dtype.type(0)
    if values.dtype == np.float32:
        return values.view(np.uint32).astype(np.uint64)
    return values.astype(np.float64, copy=False).view(np.uint64)


def row_keys(X):
    """Return a uint64 key per row of X (dense or sparse); equal rows, equal keys."""
    n_samples, n_features = X.shape
    constants = _column_constants(n_features)
    keys = np.empty(n_samples, dtype=np.uint64)
    with np.errstate(over="ignore"):
        if sp.issparse(X):
            X = sp.csr_matrix(X)
            contrib = _value_bits(X.data) * constants[X.indices]
            # Zero-valued stored entries contribute 0, exactly as absent ones do.
            cumsum = np.concatenate(([np.uint64(0)], np.cumsum(contrib, dtype=np.uint64)))
            keys[:] = cumsum[X.indptr[1:]] - cumsum[X.indptr[:-1]]
        else:
            rows_per_chunk = max(1, _CHUNK_ELEMENTS // max(n_features, 1))
            for start in range(0, n_samples, rows_per_chunk):
                # A new array: the bits may be a view of X, which must not change.
                block = _value_bits(X[start : start + rows_per_chunk]) * constants
                keys[start : start + rows_per_chunk] = block.sum(axis=1, dtype=np.uint64)
        return mix64(keys)
