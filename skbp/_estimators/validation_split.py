"""The held-out validation split used by early stopping.

The split is stratified (each class keeps about ``validation_fraction`` of its
sample weight in validation), weight-aware (fractions are of sample weight, and
zero-weight samples always train), never smaller than scikit-learn's
``ceil(validation_fraction * n)`` distinct rows, and duplicate-aware: exact
duplicate rows with the same label are one group and land on the same side, so

* validation is never contaminated by copies of training rows, and
* ``sample_weight=k`` selects exactly what k copies of the row would.

Which groups validate is decided by ``rng`` (the estimator's ``random_state``).
"""

import numpy as np

from .._engine.sample_keys import mix64


def duplicate_aware_split(
    keys, labels, strata, sample_weight, fraction, rng, *, frequency=None, class_names=None
):
    """Return a boolean mask of the validation samples.

    Raises ValueError, as scikit-learn does, when the split cannot mean
    anything: a class with fewer than 2 members, or fewer than 2 distinct rows
    in the validation set.  A class has at least as many members as distinct
    rows, and as many as its rows' summed ``frequency`` (the user's
    sample_weight: weight k stands for k copies); a class whose members are all
    copies of one row stays in training.

    Parameters
    ----------
    keys : ndarray of uint64, shape (n_samples,)
        Content keys of the rows of X (:func:`skbp._engine.sample_keys.row_keys`).
    labels : ndarray of uint64, shape (n_samples,)
        A code of each sample's target (class index, or a hash of a label row).
    strata : ndarray of int, shape (n_samples,)
        Stratum of each sample (class index; all zeros without stratification).
    sample_weight : ndarray of shape (n_samples,) or None
        Weight of each sample in the cost (class weights included).
    fraction : float in (0, 1)
    rng : numpy.random.RandomState
    frequency : ndarray of shape (n_samples,) or None
        The user's sample_weight, without class weights (None: all ones).
    class_names : ndarray or None
        Name of each stratum, for the error message.
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

    present = np.unique(group_stratum)
    repeats = np.ones(n_samples) if frequency is None else np.asarray(frequency, float)
    group_repeats = np.bincount(inverse, weights=repeats[candidates])
    class_size = np.maximum(
        np.bincount(group_stratum)[present],
        np.bincount(group_stratum, weights=group_repeats)[present],
    )
    if present.size > 1 and class_size.min() < 2:
        too_few = present[class_size < 2]
        names = too_few if class_names is None else np.asarray(class_names)[too_few]
        raise ValueError(
            # scikit-learn's wording (train_test_split with stratify), then skbp's advice.
            "The least populated classes in y have only 1 member, which is too few. "
            "The minimum number of groups for any class cannot be less than 2. "
            f"Classes with too few members are: {np.asarray(names).tolist()}. "
            "The stratified validation split of early stopping "
            f"(validation_fraction={fraction}) needs at least 2 members of every "
            "class: add samples of these classes, remove them, or set "
            "early_stopping=False."
        )

    validation_group = np.zeros(group_weight.shape[0], dtype=bool)
    in_stratum = {stratum: order[group_stratum[order] == stratum] for stratum in present}
    shortfall = {}
    for stratum, groups in in_stratum.items():
        w = group_weight[groups]
        cumulative = np.cumsum(w)
        target = fraction * cumulative[-1]
        # Round to the nearest group: take a group if its midpoint is below the
        # target; never take every group of a stratum.
        take = (cumulative - w / 2) < target
        take[-1] = False
        validation_group[groups[take]] = True
        shortfall[stratum] = fraction - w[take].sum() / cumulative[-1]
    # scikit-learn's train_test_split rounds the validation size up: hold out at
    # least ceil(fraction * n) distinct rows, topping up the strata that fell
    # furthest below their target.
    wanted = int(np.ceil(fraction * group_weight.shape[0]))
    while validation_group.sum() < wanted:
        open_strata = [s for s in shortfall if (~validation_group[in_stratum[s]]).sum() > 1]
        if not open_strata:
            break
        stratum = max(open_strata, key=shortfall.get)
        groups = in_stratum[stratum]
        chosen = groups[np.flatnonzero(~validation_group[groups])[0]]
        validation_group[chosen] = True
        shortfall[stratum] -= group_weight[chosen] / group_weight[groups].sum()

    n_validation = int(validation_group.sum())
    if n_validation < 2:
        raise ValueError(
            f"The validation set is too small: validation_fraction={fraction} of "
            f"n_samples={group_weight.shape[0]} (distinct rows) gives {n_validation} "
            "for validation, and early stopping needs at least 2. Increase "
            "'validation_fraction' or the size of your dataset, or set "
            "early_stopping=False."
        )

    is_validation = np.zeros(n_samples, dtype=bool)
    is_validation[candidates] = validation_group[inverse.ravel()]
    return is_validation
