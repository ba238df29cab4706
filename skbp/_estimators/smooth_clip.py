"""Numeric columns for a network's first layer: robust scaling with smooth clipping.

:class:`SmoothClipScaler` maps each numeric column to
``z / sqrt(1 + (z / max_abs)**2)`` with ``z = (x - median) / IQR``: robust to
outliers (the quartiles ignore them) and bounded by ``max_abs`` without a kink,
so that no single extreme value dominates a network's first layer.  Columns whose
quartiles coincide fall back to half their range; constant columns map to 0.
With ``n_quantiles`` each column is first mapped to normal scores through its
training quantiles, so that a heavy tail is spread out instead of clipped.
"""

import numbers

import numpy as np
from scipy.special import ndtri
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import (
    FLOAT_DTYPES,
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

__all__ = ["SmoothClipScaler"]

#: ``numeric_transform``'s values and what each does to a numeric column
#: (``"quantile"`` maps to normal scores before ``"robust"``'s steps).
NUMERIC_TRANSFORMS = {
    "quantile": "mapped to normal scores by its quantiles, robust-scaled and smoothly clipped",
    "robust": "robust-scaled and smoothly clipped",
}

#: Quantiles per column of ``numeric_transform="quantile"``.
N_QUANTILES = 1000

# Normal scores stay within Φ⁻¹(1e-7) ≈ ±5.2 at the ends, as scikit-learn's
# QuantileTransformer clips them.
_NORMAL_SCORE_BOUND = 1e-7


def _smooth_clip(z, max_abs):
    """``z / sqrt(1 + (z / max_abs)**2)``: identity near 0, tends to ``±max_abs``."""
    if max_abs is None:
        return z
    return z / np.sqrt(1.0 + (z / max_abs) ** 2)


class SmoothClipScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Robust scaling followed by smooth clipping, column by column.

    Each column is centred on its median and divided by its inter-quartile range,
    then smoothly clipped: ``z / sqrt(1 + (z / max_abs)**2)``, which is close to
    ``z`` for small values and tends to ``±max_abs`` for large ones. Outliers
    affect neither the centre nor the scale, and cannot dominate the output.

    With ``n_quantiles``, each column is first mapped to normal scores, as
    :class:`~sklearn.preprocessing.QuantileTransformer` with
    ``output_distribution="normal"`` does: ``n_quantiles`` quantiles of the
    training column, at probabilities evenly spaced from 0 to 1, are the knots of
    a piecewise-linear map onto the standard normal quantiles Φ⁻¹(p) (clipped to
    ±5.2). A value repeated over several knots gets the score of their middle
    probability (the mid-rank of tied values), and values beyond the training
    range get the end scores. The map keeps the order of the values and forgets
    their distances: a heavy tail, which smooth clipping would squeeze against
    ``max_abs``, is spread over the normal's tail. The robust scaling and
    clipping then apply to the scores.

    Missing values (NaN) are ignored when fitting and kept as NaN by
    :meth:`transform`. The percentiles are those of the averaged inverted CDF
    (numpy's ``method="averaged_inverted_cdf"``), which sample weights define:
    a row of weight ``k`` counts as ``k`` copies of it. The median is numpy's;
    the quartiles can differ slightly from RobustScaler's linear interpolation.

    Parameters
    ----------
    quantile_range : tuple of (float, float), default=(25.0, 75.0)
        Percentiles whose difference is the scale (the inter-quartile range by
        default). Where the two percentiles coincide (for example a column that is
        mostly zeros), half the column's range, ``(max - min) / 2``, is the scale
        instead; a column with a single value is mapped to 0.
    max_abs : float or None, default=3.0
        Bound of the smooth clipping; ``None`` returns the robustly scaled values
        unclipped.
    n_quantiles : int or None, default=None
        Number of quantiles of the map to normal scores that comes first; ``None``
        scales the values themselves.

    Attributes
    ----------
    center_ : ndarray of shape (n_features,)
        Median of each column (of its normal scores with ``n_quantiles``; 0 for a
        column with no observed value).
    scale_ : ndarray of shape (n_features,)
        Divisor of each column after centring; ``inf`` for constant and all-missing
        columns, which are therefore mapped to 0.
    quantiles_ : ndarray of shape (n_features, n_knots) or None
        With ``n_quantiles``: the distinct training quantiles of each column, in
        increasing order, each row padded at its end by repeating its largest
        value (``n_knots <= n_quantiles``); None otherwise.
    normal_scores_ : ndarray of shape (n_features, n_knots) or None
        The normal score of each knot in ``quantiles_``.
    n_features_in_ : int
        Number of features seen during :meth:`fit`.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during :meth:`fit`, when ``X`` has string column
        names.

    See Also
    --------
    sklearn.preprocessing.RobustScaler : The same centring and scaling, unclipped.
    TabularEncoder : Encodes a whole raw table, using this scaler for its numeric
        columns.

    Examples
    --------
    >>> import numpy as np
    >>> from skbp import SmoothClipScaler
    >>> X = np.array([[1.0], [2.0], [3.0], [4.0], [1000.0]])
    >>> SmoothClipScaler().fit_transform(X).ravel().round(3)
    array([-0.949, -0.493,  0.   ,  0.493,  3.   ])
    >>> SmoothClipScaler(n_quantiles=5).fit_transform(X).ravel().round(3)
    array([-2.367, -0.493,  0.   ,  0.493,  2.367])
    """

    _parameter_constraints: dict = {
        "quantile_range": [tuple],
        "max_abs": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "n_quantiles": [Interval(numbers.Integral, 2, None, closed="left"), None],
    }

    def __init__(self, *, quantile_range=(25.0, 75.0), max_abs=3.0, n_quantiles=None):
        self.quantile_range = quantile_range
        self.max_abs = max_abs
        self.n_quantiles = n_quantiles

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _check_quantile_range(self):
        q_low, q_high = self.quantile_range if len(self.quantile_range) == 2 else (0, -1)
        if not 0 <= q_low < q_high <= 100:
            raise ValueError(
                "quantile_range must be two percentiles 0 <= low < high <= 100; "
                f"got {self.quantile_range!r}."
            )
        return q_low, q_high

    def fit(self, X, y=None, sample_weight=None):
        """Compute the median and scale of each column.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric data; NaN marks a missing value.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the rows in the median and the quantiles: a
            row of weight ``k`` counts as ``k`` copies of it, one of weight 0 is
            ignored. None weighs every row 1.

        Returns
        -------
        self : SmoothClipScaler
            The fitted scaler.
        """
        self._validate_params()
        q_low, q_high = self._check_quantile_range()
        X = validate_data(
            self, X, dtype=FLOAT_DTYPES, ensure_all_finite="allow-nan", reset=True
        )
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
        self.quantiles_ = self.normal_scores_ = None
        if self.n_quantiles is not None:
            self.quantiles_, self.normal_scores_ = _normal_score_knots(
                X, sample_weight, self.n_quantiles
            )
            X = self._normal_scores(X)
        self.center_, self.scale_ = _robust_center_and_scale(X, q_low, q_high, sample_weight)
        return self

    def _normal_scores(self, X):
        """Each column of X through its piecewise-linear map to normal scores (NaN kept)."""
        scores = np.empty(X.shape, dtype=np.float64)
        for j in range(X.shape[1]):
            scores[:, j] = np.interp(X[:, j], self.quantiles_[j], self.normal_scores_[j])
        return scores

    def transform(self, X):
        """Scale and smoothly clip ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric data; NaN stays NaN.

        Returns
        -------
        X_out : ndarray of shape (n_samples, n_features)
            The transformed data, of ``X``'s floating dtype (float64 for other
            dtypes).
        """
        check_is_fitted(self)
        X = validate_data(
            self, X, dtype=FLOAT_DTYPES, ensure_all_finite="allow-nan", reset=False
        )
        if self.quantiles_ is not None:
            X = self._normal_scores(X).astype(X.dtype, copy=False)
        center = self.center_.astype(X.dtype, copy=False)
        inverse_scale = (1.0 / self.scale_).astype(X.dtype, copy=False)
        return _smooth_clip((X - center) * inverse_scale, self.max_abs)


def _robust_center_and_scale(X, q_low, q_high, sample_weight):
    """Per-column weighted median and divisor, NaN and zero-weight rows ignored.

    The divisor is the spread between the two percentiles, else half the range,
    else ``inf`` (a constant column).
    """
    X = np.asarray(X, dtype=np.float64)
    center = np.zeros(X.shape[1])
    scale = np.full(X.shape[1], np.inf)
    for j, values, weights in _counted_columns(X, sample_weight):
        if not values.size:
            continue
        low, median, high = _weighted_percentiles(values, weights, (q_low, 50.0, q_high))
        spread = high - low
        if spread <= 0:
            spread = (values.max() - values.min()) / 2.0
        center[j] = median
        scale[j] = spread if spread > 0 else np.inf
    return center, scale


def _counted_columns(X, sample_weight):
    """(j, values, weights) of each column j: its observed values in rows of positive weight."""
    for j in range(X.shape[1]):
        counted = ~np.isnan(X[:, j]) & (sample_weight > 0)
        yield j, X[counted, j], sample_weight[counted]


def _weighted_percentiles(values, weights, percentiles):
    """Percentiles of ``values`` under positive ``weights`` (the averaged inverted CDF).

    A row of weight k gives the percentiles k copies of it give (interpolating
    linearly between order statistics, numpy's default, would not). Where a
    percentile falls exactly between two values, as the median of an even
    count does, it is their mean: with unit weights the median is numpy's.
    """
    order = np.argsort(values, kind="stable")
    values = values[order]
    cumulative = np.cumsum(weights[order])
    targets = np.asarray(percentiles, dtype=np.float64) / 100.0 * cumulative[-1]
    i = np.minimum(np.searchsorted(cumulative, targets), values.size - 1)
    on_a_step = np.isclose(cumulative[i], targets, rtol=1e-12, atol=0.0)
    between = on_a_step & (i + 1 < values.size)
    upper = values[np.minimum(i + 1, values.size - 1)]
    return np.where(between, (values[i] + upper) / 2.0, values[i])


def _normal_score_knots(X, sample_weight, n_quantiles):
    """(quantiles, normal scores): the knots of each column's map to normal scores.

    The quantiles sit at probabilities evenly spaced over [0, 1]; equal
    quantiles merge into one knot at the middle of the probabilities they span
    (the mid-rank of tied values: a column that is mostly zeros maps its zeros
    to the middle of their mass, not to the normal's far tail). Rows are
    padded by repeating their last knot, which ``np.interp`` reads as the flat
    end it is.
    """
    X = np.asarray(X, dtype=np.float64)
    probabilities = np.linspace(0.0, 1.0, n_quantiles)
    knots, knot_scores = [], []
    for _, values, weights in _counted_columns(X, sample_weight):
        if not values.size:
            knots.append(np.zeros(1))
            knot_scores.append(np.zeros(1))
            continue
        quantiles = _weighted_percentiles(values, weights, 100.0 * probabilities)
        distinct, first = np.unique(quantiles, return_index=True)
        last = np.append(first[1:], quantiles.size) - 1
        middle = (probabilities[first] + probabilities[last]) / 2.0
        knots.append(distinct)
        knot_scores.append(ndtri(np.clip(middle, _NORMAL_SCORE_BOUND, 1.0 - _NORMAL_SCORE_BOUND)))
    width = max(k.size for k in knots)

    def padded(rows):
        return np.vstack([np.pad(row, (0, width - row.size), mode="edge") for row in rows])

    return padded(knots), padded(knot_scores)
