"""The lean validation of prediction inputs that need no conversion.

``validate_data`` costs about 100 µs per call whatever the input's size (it
inspects the input's type, namespace, feature names and dtype in turn); for a
one-row ``predict_proba`` that was most of the call.  A plain float ndarray is
what ``validate_data`` would return unchanged, so for it the checks that
matter are done here directly; every other input, and every input that fails
a check, goes through ``validate_data`` and gets its error message.
"""

import numpy as np


def is_plain_valid_input(estimator, X):
    """Whether X is a float ndarray that predict's validate_data would return unchanged.

    The lean path of small predictions (one row: validate_data is most of the
    call): a fitted model without feature names, a non-empty 2-D float32/float64
    ndarray with the fitted number of features, finite.  Anything else, and
    every invalid input, goes through validate_data and its error messages.
    """
    return (
        type(X) is np.ndarray
        and X.ndim == 2
        and X.dtype.char in "fd"
        and X.dtype.isnative
        and X.shape[0] > 0
        and "coefs_" in vars(estimator)
        and "feature_names_in_" not in vars(estimator)
        and X.shape[1] == estimator.n_features_in_
        # The sum is finite iff every entry is, unless finite entries overflow
        # it; then validate_data checks them one by one.
        and bool(np.isfinite(X.sum()))
    )
