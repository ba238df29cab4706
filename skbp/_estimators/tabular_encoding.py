"""Input encoding for raw tables: robust scaling with smooth clipping, and a table encoder.

:class:`SmoothClipScaler` maps each numeric column to
``z / sqrt(1 + (z / max_abs)**2)`` with ``z = (x - median) / IQR``: robust to
outliers (the quartiles ignore them) and bounded by ``max_abs`` without a kink,
so that no single extreme value dominates a network's first layer.  Columns whose
quartiles coincide fall back to half their range; constant columns map to 0.
With ``n_quantiles`` each column is first mapped to normal scores through its
training quantiles, so that a heavy tail is spread out instead of clipped.

:class:`TabularEncoder` turns a raw table (numpy array, pandas or polars DataFrame
with numeric, boolean, categorical, object or string columns and missing values)
into the dense float matrix a multi-layer perceptron needs, in one step:

* numeric columns: :class:`SmoothClipScaler`; missing values become 0 (the median)
  and, for columns that had missing values in training, a 0/1 indicator column;
* categorical columns with few levels: one-hot (two levels: one ``-1/+1`` column),
  missing values as a level of their own, unseen levels as all zeros;
* categorical columns with many levels: scikit-learn's cross-fitted
  :class:`~sklearn.preprocessing.TargetEncoder` (then scaled as numeric columns),
  or integer codes for an embedding layer.

The choices follow RealMLP (Holzmüller et al., 2024), whose preprocessing is the
same robust scaling and smooth clipping, one-hot up to 8 levels and an embedding
above; the target encoding replaces the embedding, which skbp's engine does not have.
"""

import numbers

import numpy as np
import sklearn
from scipy.special import ndtri
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.preprocessing import OrdinalEncoder, TargetEncoder
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.fixes import parse_version
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import (
    FLOAT_DTYPES,
    _check_feature_names_in,
    _check_sample_weight,
    check_array,
    check_is_fitted,
    validate_data,
)

__all__ = ["SmoothClipScaler", "TabularEncoder"]

#: How a categorical column with more than ``max_onehot_categories`` levels is encoded.
HIGH_CARDINALITY_ENCODINGS = ("target", "ordinal")

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


# --------------------------------------------------------------------------------------
# Reading a raw table column by column (numpy, pandas, polars), without converting the
# whole table to one dtype.


def _is_pandas_df(X):
    return type(X).__module__.startswith("pandas") and hasattr(X, "iloc")


def _is_polars_df(X):
    return type(X).__module__.startswith("polars") and hasattr(X, "get_column")


class _Column:
    """One input column: its name, kind of dtype, and a way to read its values."""

    def __init__(self, name, kind, read_numeric, read_objects, is_missing):
        self.name = name
        # "numeric", "boolean", "categorical" (object, string, category) or "temporal"
        self.kind = kind
        self.read_numeric = read_numeric  # -> float64 array, NaN where missing
        self.read_objects = read_objects  # -> object array
        self.is_missing = is_missing  # -> bool array


def _pandas_columns(X):
    import pandas as pd

    columns = []
    for i, name in enumerate(X.columns):
        series = X.iloc[:, i]
        dtype = series.dtype
        if pd.api.types.is_bool_dtype(dtype):
            kind = "boolean"
        elif isinstance(dtype, pd.CategoricalDtype):
            kind = "categorical"
        elif pd.api.types.is_numeric_dtype(dtype):
            kind = "numeric"
        elif pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(
            dtype
        ):
            kind = "temporal"
        else:  # object, string
            kind = "categorical"
        columns.append(
            _Column(
                name,
                kind,
                lambda s=series: s.to_numpy(dtype=np.float64, na_value=np.nan),
                lambda s=series: s.to_numpy(dtype=object),
                lambda s=series: s.isna().to_numpy(),
            )
        )
    return columns


def _polars_columns(X):
    columns = []
    for i, name in enumerate(X.columns):
        series = X.to_series(i)
        dtype = series.dtype
        if dtype.is_numeric():
            kind = "numeric"
        elif dtype.is_temporal():
            kind = "temporal"
        elif str(dtype) == "Boolean":
            kind = "boolean"
        else:  # String, Categorical, Enum, Object
            kind = "categorical"

        def is_missing(s=series):
            missing = s.is_null().to_numpy()
            if s.dtype.is_float():
                missing = missing | s.is_nan().fill_null(False).to_numpy()
            return missing

        def read_objects(s=series):
            return np.asarray(s.to_numpy(), dtype=object)

        def read_numeric(read_objects=read_objects, is_missing=is_missing):
            values = read_objects()
            values[is_missing()] = np.nan
            return values.astype(np.float64)

        columns.append(_Column(name, kind, read_numeric, read_objects, is_missing))
    return columns


def _array_columns(X):
    kind = "numeric" if X.dtype.kind in "biuf" else "categorical"
    columns = []
    for i in range(X.shape[1]):
        values = X[:, i]

        def read_numeric(v=values, i=i):
            try:
                return np.asarray(v, dtype=np.float64)
            except (TypeError, ValueError) as exc:
                raise ValueError(
                    f"Column {i} holds non-numeric values ({exc}); list it in "
                    "categorical_features or convert it to numbers."
                ) from None

        columns.append(
            _Column(
                i,
                kind,
                read_numeric,
                lambda v=values: np.asarray(v, dtype=object),
                lambda v=values: _object_missing(np.asarray(v, dtype=object)),
            )
        )
    return columns


def _is_missing_scalar(value):
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT
    except TypeError:  # pandas.NA refuses to be a bool
        return True


_object_missing_vectorized = np.frompyfunc(_is_missing_scalar, 1, 1)


def _object_missing(values):
    return _object_missing_vectorized(values).astype(bool) if values.size else np.zeros(0, bool)


def _table_columns(X):
    """The columns of a raw table (numpy input already passed through check_array)."""
    if _is_pandas_df(X):
        return _pandas_columns(X)
    if _is_polars_df(X):
        return _polars_columns(X)
    if X.dtype.kind not in "biufOUS":
        raise ValueError(f"X has unsupported dtype {X.dtype}.")
    return _array_columns(X.astype(object) if X.dtype.kind in "US" else X)


def _category_values(column):
    """Object array of the column's values: NaN where missing, one comparable type."""
    values = column.read_objects().copy()
    missing = column.is_missing()
    values[missing] = np.nan
    present = values[~missing]
    is_str = np.fromiter((isinstance(v, str) for v in present), bool, len(present))
    if is_str.any() and not is_str.all():
        # Mixed strings and numbers cannot be sorted; compare them as text.
        values[~missing] = [str(v) for v in present]
    return values


# --------------------------------------------------------------------------------------


class TabularEncoder(TransformerMixin, BaseEstimator):
    """Encode a raw table (numeric, boolean, categorical and text columns) as floats.

    One transformer for the whole table, in the spirit of scikit-learn's
    :class:`~sklearn.ensemble.HistGradientBoostingClassifier`, which needs no
    :class:`~sklearn.compose.ColumnTransformer`:

    * **numeric** columns are mapped to normal scores through their quantiles
      (``numeric_transform="quantile"``), then robustly scaled and smoothly
      clipped (:class:`SmoothClipScaler`); a missing value becomes 0 (the median) and every
      column that had missing values in training gets a 0/1 indicator column
      ``<name>_missing`` next to it;
    * **categorical** columns with at most ``max_onehot_categories`` levels are
      one-hot encoded (a column with two levels becomes one column, ``+1`` for the
      second level and ``-1`` for the first); a missing value is a level of its own
      (column ``<name>_nan``) if the column had missing values in training; a level
      not seen in training is encoded as all zeros (0 for a two-level column);
    * categorical columns with more levels are target encoded
      (``high_cardinality="target"``: scikit-learn's
      :class:`~sklearn.preprocessing.TargetEncoder`, cross-fitted in
      :meth:`fit_transform`, then scaled like a numeric column) or replaced by
      integer codes for an embedding layer (``high_cardinality="ordinal"``).

    Parameters
    ----------
    categorical_features : "from_dtype", array-like of int, str or bool, or None, \
            default="from_dtype"
        Which columns are categorical.

        - ``"from_dtype"``: in a pandas or polars DataFrame, columns of categorical,
          boolean, object or string dtype (numeric dtypes are numeric); in a numpy
          array, all columns if its dtype is object or string, none otherwise.
        - array of int: indices of the categorical columns;
        - array of str: names of the categorical columns (DataFrames only);
        - boolean mask of length ``n_features``;
        - ``None``: no categorical column.

        A column with a non-numeric dtype that is not categorical is an error, and
        so are datetime and duration columns (convert them to numbers first).
    max_onehot_categories : int, default=8
        Categorical columns with at most this many levels (missing values not
        counted) are one-hot encoded; columns with more are encoded as
        ``high_cardinality`` says.
    high_cardinality : {"target", "ordinal"}, default="target"
        Encoding of categorical columns with more than ``max_onehot_categories``
        levels. ``"target"`` needs ``y`` in :meth:`fit`; ``"ordinal"`` gives one
        column of codes ``1 .. n_levels`` in order of the sorted levels, with 0 for
        missing and unseen values (listed in ``ordinal_columns_``).
    target_type : {"auto", "continuous", "binary", "multiclass"}, default="auto"
        Type of ``y`` for the target encoding. ``"auto"`` infers it as
        :func:`~sklearn.utils.multiclass.type_of_target` does, except that a
        floating-point ``y`` is continuous (scikit-learn would read integral floats,
        such as prices in whole dollars, as thousands of classes).
    numeric_transform : {"quantile", "robust"}, default="quantile"
        ``"quantile"`` maps each numeric column to normal scores through its
        1000 training quantiles before the robust scaling and smooth clipping;
        ``"robust"`` scales and clips the values themselves (RealMLP's
        preprocessing). See :class:`SmoothClipScaler`'s ``n_quantiles``.
    max_abs : float or None, default=3.0
        Bound of the smooth clipping of numeric and target-encoded columns (see
        :class:`SmoothClipScaler`); ``None`` disables the clipping.
    missing_indicator : bool, default=True
        Whether to add a 0/1 column for each numeric column that had missing values
        in training.
    dtype : {np.float64, np.float32, "float64", "float32"}, default=np.float64
        Data type of the output.
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffled cross-fitting folds of the target encoding.

    Attributes
    ----------
    n_features_in_ : int
        Number of columns seen during :meth:`fit`.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names seen during :meth:`fit`, when ``X`` has string column names.
    is_categorical_ : ndarray of bool of shape (n_features_in_,)
        Whether each input column is categorical.
    encodings_ : list of str
        For each input column: ``"numeric"``, ``"onehot"``, ``"binary"`` (two levels,
        one ``±1`` column), ``"target"`` or ``"ordinal"``.
    categories_ : list of (ndarray or None)
        For each input column, its levels seen in training (sorted; missing values
        excluded), ``None`` for numeric columns.
    numeric_scaler_ : SmoothClipScaler or None
        Scaler of the numeric columns (in their input order).
    target_encoder_ : TargetEncoder or None
        Encoder of the target-encoded columns.
    target_scaler_ : SmoothClipScaler or None
        Scaler of the target encoder's output.
    continuous_columns_ : ndarray of int
        Indices of the output columns that hold continuous values (scaled numeric
        and target-encoded columns): the ones a periodic embedding or a feature
        scaling layer is meant for. Indicator, one-hot and ordinal columns are not.
    ordinal_columns_ : ndarray of int
        Indices of the output columns holding ordinal codes (empty unless
        ``high_cardinality="ordinal"``).
    n_features_out_ : int
        Number of output columns.

    See Also
    --------
    SmoothClipScaler : The scaling of the numeric columns.
    sklearn.preprocessing.OneHotEncoder : One-hot encoding of categorical columns.
    sklearn.preprocessing.TargetEncoder : Cross-fitted target encoding.

    Notes
    -----
    As with :class:`~sklearn.preprocessing.TargetEncoder`, ``fit(X, y).transform(X)``
    and ``fit_transform(X, y)`` differ for target-encoded columns: the latter
    encodes each training row with statistics from the other folds, so that a
    model trained on it does not learn from its own targets. Use
    :meth:`fit_transform` on training data.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from skbp import TabularEncoder
    >>> X = pd.DataFrame({
    ...     "age": [25.0, 32.0, np.nan, 51.0, 47.0],
    ...     "city": pd.Categorical(["Paris", "Rome", "Rome", None, "Oslo"]),
    ...     "member": [True, False, True, True, False],
    ... })
    >>> encoder = TabularEncoder().fit(X)
    >>> encoder.get_feature_names_out().tolist()
    ['age', 'age_missing', 'city_Oslo', 'city_Paris', 'city_Rome', 'city_nan', 'member_True']
    >>> encoder.transform(X).round(2)
    array([[-0.76,  0.  ,  0.  ,  1.  ,  0.  ,  0.  ,  1.  ],
           [-0.22,  0.  ,  0.  ,  0.  ,  1.  ,  0.  , -1.  ],
           [ 0.  ,  1.  ,  0.  ,  0.  ,  1.  ,  0.  ,  1.  ],
           [ 0.76,  0.  ,  0.  ,  0.  ,  0.  ,  1.  ,  1.  ],
           [ 0.22,  0.  ,  1.  ,  0.  ,  0.  ,  0.  , -1.  ]])
    >>> encoder.continuous_columns_
    array([0])
    """

    _parameter_constraints: dict = {
        "categorical_features": ["array-like", StrOptions({"from_dtype"}), None],
        "max_onehot_categories": [Interval(numbers.Integral, 1, None, closed="left")],
        "high_cardinality": [StrOptions(set(HIGH_CARDINALITY_ENCODINGS))],
        "target_type": [StrOptions({"auto", "continuous", "binary", "multiclass"})],
        "numeric_transform": [StrOptions(set(NUMERIC_TRANSFORMS))],
        "max_abs": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "missing_indicator": ["boolean"],
        "dtype": [type, np.dtype, StrOptions({"float64", "float32"})],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        categorical_features="from_dtype",
        max_onehot_categories=8,
        high_cardinality="target",
        target_type="auto",
        numeric_transform="quantile",
        max_abs=3.0,
        missing_indicator=True,
        dtype=np.float64,
        random_state=None,
    ):
        self.categorical_features = categorical_features
        self.max_onehot_categories = max_onehot_categories
        self.high_cardinality = high_cardinality
        self.target_type = target_type
        self.numeric_transform = numeric_transform
        self.max_abs = max_abs
        self.missing_indicator = missing_indicator
        self.dtype = dtype
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        try:
            tags.transformer_tags.preserves_dtype = [self._output_dtype().name]
        except ValueError:  # an invalid dtype is reported by fit
            pass
        return tags

    # ---------------------------------------------------------------- validation

    def _output_dtype(self):
        try:
            dtype = np.dtype(self.dtype)
        except TypeError:
            dtype = None
        if dtype not in (np.dtype(np.float64), np.dtype(np.float32)):
            raise ValueError(
                f"dtype must be np.float64 or np.float32 (or their names); got {self.dtype!r}."
            )
        return dtype

    def _categorical_mask(self, columns):
        n_features = len(columns)
        spec = self.categorical_features
        if spec is None:
            return np.zeros(n_features, dtype=bool)
        if isinstance(spec, str):  # "from_dtype", the only string the constraints allow
            return np.array(
                [column.kind in ("categorical", "boolean") for column in columns], dtype=bool
            )
        spec = np.asarray(spec)
        if spec.dtype.kind == "b":
            if spec.shape != (n_features,):
                raise ValueError(
                    "categorical_features as a boolean mask must have one entry per "
                    f"column of X ({n_features}); got shape {spec.shape}."
                )
            return spec.copy()
        mask = np.zeros(n_features, dtype=bool)
        if spec.size == 0:
            return mask
        if spec.dtype.kind in "iu":
            if spec.min() < -n_features or spec.max() >= n_features:
                raise ValueError(
                    f"categorical_features holds column indices out of range for X with "
                    f"{n_features} columns: {spec.tolist()}."
                )
            mask[spec] = True
            return mask
        if spec.dtype.kind in "OU":
            names = [column.name for column in columns]
            if all(isinstance(name, int | np.integer) for name in names):
                raise ValueError(
                    "categorical_features holds column names, but X has no column names "
                    "(pass a DataFrame, or column indices)."
                )
            unknown = [name for name in spec.tolist() if name not in names]
            if unknown:
                raise ValueError(
                    f"categorical_features names columns that X does not have: {unknown}."
                )
            for name in spec.tolist():
                mask[names.index(name)] = True
            return mask
        raise ValueError(
            "categorical_features must be 'from_dtype', None, or an array of column "
            f"indices, names or booleans; got {self.categorical_features!r}."
        )

    def _read_table(self, X, reset):
        """(columns, n_samples) of X, after scikit-learn's checks of shape and names."""
        if not (_is_pandas_df(X) or _is_polars_df(X)):
            X = check_array(X, dtype=None, ensure_all_finite="allow-nan")
        elif X.shape[0] == 0:
            raise ValueError(
                f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of 1 "
                "is required."
            )
        validate_data(self, X, skip_check_array=True, reset=reset)
        columns, n_samples = _table_columns(X), X.shape[0]
        for i, column in enumerate(columns):
            if column.kind == "temporal":
                raise ValueError(
                    f"Column {column.name!r} (index {i}) has a date/time dtype; convert it "
                    "to numbers (or to a categorical column) first."
                )
        return columns, n_samples

    # --------------------------------------------------------------------- fit

    def fit(self, X, y=None, sample_weight=None):
        """Fit the encoder on a raw table.

        Parameters
        ----------
        X : array-like, pandas DataFrame or polars DataFrame of shape (n_samples, n_features)
            The table; NaN, None, ``pandas.NA`` and nulls mark missing values.
        y : array-like of shape (n_samples,), default=None
            Target; needed only when a categorical column is target encoded.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative row weights of the numeric columns' medians and
            quartiles (a row of weight ``k`` counts as ``k`` copies). Rows of
            weight 0 are left out of the fit: their categories are unknown
            levels and their missing values add no indicator column. The
            target encoding is not weighted (scikit-learn's TargetEncoder takes
            no weights).

        Returns
        -------
        self : TabularEncoder
            The fitted encoder.
        """
        self.fit_transform(X, y, sample_weight=sample_weight)
        return self

    def fit_transform(self, X, y=None, sample_weight=None):
        """Fit the encoder and encode ``X`` (target-encoded columns cross-fitted).

        Parameters
        ----------
        X : array-like, pandas DataFrame or polars DataFrame of shape (n_samples, n_features)
            The table; NaN, None, ``pandas.NA`` and nulls mark missing values.
        y : array-like of shape (n_samples,), default=None
            Target; needed only when a categorical column is target encoded.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative row weights of the numeric columns' medians and
            quartiles (a row of weight ``k`` counts as ``k`` copies). Rows of
            weight 0 are left out of the fit: their categories are unknown
            levels and their missing values add no indicator column. The
            target encoding is not weighted (scikit-learn's TargetEncoder takes
            no weights).

        Returns
        -------
        X_out : ndarray of shape (n_samples, n_features_out_)
            The encoded table, of data type ``dtype``.
        """
        self._validate_params()
        dtype = self._output_dtype()
        columns, n_samples = self._read_table(X, reset=True)
        self.is_categorical_ = self._categorical_mask(columns)
        numeric_index = np.flatnonzero(~self.is_categorical_)
        categorical_index = np.flatnonzero(self.is_categorical_)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, np.empty((n_samples, 0)), dtype=np.float64,
                ensure_non_negative=True,
            )
        counted = slice(None) if sample_weight is None else sample_weight > 0
        numeric = self._numeric_block(columns, numeric_index, n_samples)
        self.numeric_scaler_ = None
        if numeric_index.size:
            n_quantiles = N_QUANTILES if self.numeric_transform == "quantile" else None
            self.numeric_scaler_ = SmoothClipScaler(
                max_abs=self.max_abs, n_quantiles=n_quantiles
            ).fit(numeric, sample_weight=sample_weight)
        missing = np.isnan(numeric[counted])
        self._numeric_had_missing = missing.any(axis=0) & ~missing.all(axis=0)

        self.categories_ = [None] * len(columns)
        self.encodings_ = ["numeric"] * len(columns)
        self._category_had_missing = np.zeros(len(columns), dtype=bool)
        categorical = self._categorical_block(columns, categorical_index, n_samples)
        self.ordinal_encoder_ = None
        if categorical_index.size:
            self.ordinal_encoder_ = OrdinalEncoder(
                handle_unknown="use_encoded_value",
                unknown_value=-1,
                encoded_missing_value=-2,
            ).fit(categorical[counted])
            for j, i in enumerate(categorical_index):
                levels = self.ordinal_encoder_.categories_[j]
                has_nan = levels.size > 0 and _is_missing_scalar(levels[-1])
                levels = levels[:-1] if has_nan else levels
                self.categories_[i] = levels
                self._category_had_missing[i] = has_nan
                if len(levels) > self.max_onehot_categories:
                    self.encodings_[i] = self.high_cardinality
                elif len(levels) == 2:
                    self.encodings_[i] = "binary"
                else:
                    self.encodings_[i] = "onehot"

        target_index = [i for i in categorical_index if self.encodings_[i] == "target"]
        self.target_encoder_ = self.target_scaler_ = None
        target_encoded = None
        if target_index:
            if y is None:
                names = [columns[i].name for i in target_index]
                raise ValueError(
                    f"Columns {names} have more than max_onehot_categories="
                    f"{self.max_onehot_categories} levels and high_cardinality='target' "
                    "needs y; pass y to fit, or set high_cardinality='ordinal'."
                )
            positions = [categorical_index.tolist().index(i) for i in target_index]
            self.target_encoder_ = _target_encoder(y, self.target_type, self.random_state)
            target_encoded = self.target_encoder_.fit_transform(categorical[:, positions], y)
            # The splitter served the cross-fitting above and nothing after it; its
            # fold count alone keeps the fitted encoder made of estimator types that
            # skops trusts (a KFold object is not one of them).
            self.target_encoder_.cv = getattr(self.target_encoder_.cv, "n_splits", 5)
            self.target_scaler_ = SmoothClipScaler(max_abs=self.max_abs).fit(target_encoded)

        self._layout()
        return self._assemble(numeric, categorical, target_encoded, dtype)

    def transform(self, X):
        """Encode a raw table with the fitted encoder.

        Parameters
        ----------
        X : array-like, pandas DataFrame or polars DataFrame of shape (n_samples, n_features)
            The table, with the columns seen in :meth:`fit`.

        Returns
        -------
        X_out : ndarray of shape (n_samples, n_features_out_)
            The encoded table, of data type ``dtype``.
        """
        check_is_fitted(self)
        columns, n_samples = self._read_table(X, reset=False)
        numeric = self._numeric_block(columns, np.flatnonzero(~self.is_categorical_), n_samples)
        categorical_index = np.flatnonzero(self.is_categorical_)
        categorical = self._categorical_block(columns, categorical_index, n_samples)
        target_encoded = None
        if self.target_encoder_ is not None:
            positions = [
                j for j, i in enumerate(categorical_index) if self.encodings_[i] == "target"
            ]
            target_encoded = self.target_encoder_.transform(categorical[:, positions])
        return self._assemble(numeric, categorical, target_encoded, self._output_dtype())

    # ------------------------------------------------------------------ blocks

    def _numeric_block(self, columns, numeric_index, n_samples):
        numeric = np.empty((n_samples, numeric_index.size), dtype=np.float64)
        for j, i in enumerate(numeric_index):
            column = columns[i]
            if column.kind == "categorical" and _is_dataframe_column(column):
                raise ValueError(
                    f"Column {column.name!r} (index {i}) is not numeric; list it in "
                    "categorical_features or convert it to numbers."
                )
            values = column.read_numeric()
            if np.isinf(values).any():
                raise ValueError(
                    f"Column {column.name!r} (index {i}) contains infinity; "
                    "replace it with a finite value or NaN."
                )
            numeric[:, j] = values
        return numeric

    def _categorical_block(self, columns, categorical_index, n_samples):
        categorical = np.empty((n_samples, categorical_index.size), dtype=object)
        for j, i in enumerate(categorical_index):
            categorical[:, j] = _category_values(columns[i])
        return categorical

    def _output_columns(self, input_names):
        """(name, role) of each output column; role: continuous, indicator, level, ordinal."""
        target_suffixes = ["target"]
        if self.target_encoder_ is not None and self.target_encoder_.target_type_ == "multiclass":
            target_suffixes = [f"target_{c}" for c in self.target_encoder_.classes_]
        output, numeric_j = [], 0
        for name, encoding, levels, had_missing in zip(
            input_names, self.encodings_, self.categories_, self._category_had_missing
        ):
            if encoding == "numeric":
                output.append((name, "continuous"))
                if self.missing_indicator and self._numeric_had_missing[numeric_j]:
                    output.append((f"{name}_missing", "indicator"))
                numeric_j += 1
                continue
            if encoding == "binary":
                output.append((f"{name}_{levels[1]}", "level"))
            elif encoding == "onehot":
                output.extend((f"{name}_{level}", "level") for level in levels)
            elif encoding == "ordinal":
                output.append((f"{name}_code", "ordinal"))
            else:  # target
                output.extend((f"{name}_{suffix}", "continuous") for suffix in target_suffixes)
            if encoding in ("binary", "onehot") and had_missing:
                output.append((f"{name}_nan", "level"))
        return output

    def _layout(self):
        """Fitted attributes describing the output columns."""
        roles = [role for _, role in self._output_columns([""] * self.n_features_in_)]
        roles = np.asarray(roles, dtype=object)
        self.continuous_columns_ = np.flatnonzero(roles == "continuous")
        self.ordinal_columns_ = np.flatnonzero(roles == "ordinal")
        self.n_features_out_ = len(roles)
        self._target_width = 1
        if self.target_encoder_ is not None and self.target_encoder_.target_type_ == "multiclass":
            self._target_width = len(self.target_encoder_.classes_)

    def _assemble(self, numeric, categorical, target_encoded, dtype):
        n_samples = numeric.shape[0]
        out = np.zeros((n_samples, self.n_features_out_), dtype=dtype)
        scaled = missing = codes = None
        if self.numeric_scaler_ is not None:
            missing = np.isnan(numeric)
            scaled = self.numeric_scaler_.transform(numeric)
            scaled[missing] = 0.0  # the median
        if categorical.shape[1]:
            codes = self.ordinal_encoder_.transform(categorical).astype(np.intp)
        if target_encoded is not None:
            target_encoded = self.target_scaler_.transform(target_encoded)
        position = numeric_j = categorical_j = target_j = 0
        for i, encoding in enumerate(self.encodings_):
            if encoding == "numeric":
                out[:, position] = scaled[:, numeric_j]
                position += 1
                if self.missing_indicator and self._numeric_had_missing[numeric_j]:
                    out[:, position] = missing[:, numeric_j]
                    position += 1
                numeric_j += 1
                continue
            code = codes[:, categorical_j]  # -1 unseen, -2 missing
            categorical_j += 1
            n_levels = len(self.categories_[i])
            if encoding == "binary":
                out[:, position] = np.select([code == 0, code == 1], [-1.0, 1.0], 0.0)
                position += 1
            elif encoding == "onehot":
                rows = np.flatnonzero(code >= 0)
                out[rows, position + code[rows]] = 1.0
                position += n_levels
            elif encoding == "ordinal":
                out[:, position] = np.where(code >= 0, code + 1, 0)
                position += 1
            else:  # target
                width = self._target_width
                out[:, position : position + width] = target_encoded[
                    :, target_j * width : (target_j + 1) * width
                ]
                target_j += 1
                position += width
            if encoding in ("binary", "onehot") and self._category_had_missing[i]:
                out[:, position] = code == -2
                position += 1
        return out

    def get_feature_names_out(self, input_features=None):
        """Get the names of the output columns.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input column names; if given, they must match ``feature_names_in_``
            (when defined).

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``<name>`` for a numeric column, ``<name>_missing`` for its indicator,
            ``<name>_<level>`` for one-hot and two-level columns, ``<name>_nan`` for
            a missing-value level, ``<name>_target`` (``<name>_target_<class>`` for
            several classes) and ``<name>_code`` for high-cardinality columns.
        """
        check_is_fitted(self)
        input_names = _check_feature_names_in(self, input_features)
        names = [name for name, _ in self._output_columns([str(n) for n in input_names])]
        return np.asarray(names, dtype=object)


def _target_encoder(y, target_type, random_state):
    """A TargetEncoder for ``y``, its cross-fitting folds shuffled by ``random_state``."""
    if target_type == "auto":
        target_type = type_of_target(y, input_name="y")
        if target_type == "multiclass" and np.asarray(y).dtype.kind == "f":
            target_type = "continuous"
    if parse_version(sklearn.__version__).release < (1, 9):
        return TargetEncoder(target_type=target_type, shuffle=True, random_state=random_state)
    # scikit-learn 1.9 takes the folds as a splitter (random_state is deprecated there).
    splitter = StratifiedKFold if target_type in ("binary", "multiclass") else KFold
    return TargetEncoder(
        target_type=target_type,
        cv=splitter(n_splits=5, shuffle=True, random_state=random_state),
    )


def _is_dataframe_column(column):
    """Whether the column came from a DataFrame (numpy columns are named by their index)."""
    return not isinstance(column.name, int | np.integer)
