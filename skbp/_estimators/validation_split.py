"""The held-out validation split used by early stopping.

The split is stratified (each class keeps about ``validation_fraction`` of its
sample weight in validation), weight-aware (fractions are of sample weight, and
zero-weight samples always train), and duplicate-aware: exact duplicate rows with
the same label are one group and land on the same side, so

* validation is never contaminated by copies of training rows, and
* ``sample_weight=k`` selects exactly what k copies of the row would.

Which groups validate is decided by ``rng`` (the estimator's ``random_state``).
"""

import numpy as np

from .._engine.sample_keys import mix64


def duplicate_aware_split(keys, labels, strata, sample_weight, fraction, rng):
    """Return a boolean mask of the validation samples.

    Parameters
    ----------
    keys : ndarray of uint64, shape (n_samples,)
        Content keys of the rows of X (:func:`skbp._engine.sample_keys.row_keys`).
    labels : ndarray of uint64, shape (n_samples,)
        A code of each sample's target (class index, or a hash of a label row).
    strata : ndarray of int, shape (n_samples,)
        Stratum of each sample (class index; all zeros for multilabel targets).
    sample_weight : ndarray of shape (n_samples,) or None
    fraction : float in (0, 1)
    rng : numpy.random.RandomState
    """
    n_samples = keys.shape[0]
    weight = np.ones(n_samples) if sample_weight is None else np.asarray(sample_weight, float)
    candidates = np.flatnonzero(weight > 0)
    with np.errstate(over="ignore"):
        group_keys = keys[candidates] ^ mix64(labels[candidates] + np.uint64(1))
    _, first, inverse = np.unique(group_keys, return_index=True, return_inverse=True)
    group_weight = np.bincount(inverse, weights=weight[candidates])
    group_stratum = strata[candidates][first]
    order = rng.permutation(group_weight.shape[0])

    validation_group = np.zeros(group_weight.shape[0], dtype=bool)
    for stratum in np.unique(group_stratum):
        groups = order[group_stratum[order] == stratum]
        if groups.shape[0] < 2:
            continue  # a single group must train
        w = group_weight[groups]
        cumulative = np.cumsum(w)
        # Round to the nearest group: take a group if its midpoint is below the
        # target; never take every group of a stratum.
        take = (cumulative - w / 2) < fraction * cumulative[-1]
        take[-1] = False
        validation_group[groups[take]] = True

    if not validation_group.any():
        # Tiny data: rounding left validation empty. Hold out one group of the
        # stratum with the most groups, so no class leaves the training set.
        counts = np.bincount(group_stratum) if group_stratum.size else np.zeros(0, int)
        if counts.size and counts.max() >= 2:
            stratum = np.argmax(counts)
            validation_group[order[group_stratum[order] == stratum][0]] = True

    is_validation = np.zeros(n_samples, dtype=bool)
    is_validation[candidates] = validation_group[inverse.ravel()]
    return is_validation
