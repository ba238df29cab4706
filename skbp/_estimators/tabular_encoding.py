"""The table encoder: a raw table in, the dense float matrix of a network out.

:class:`TabularEncoder` turns a raw table (numpy array, pandas or polars DataFrame
with numeric, boolean, categorical, object or string columns and missing values)
into the dense float matrix a multi-layer perceptron needs, in one step:

* numeric columns: :class:`~skbp.SmoothClipScaler`; missing values become 0 (the
  median) and, for columns that had missing values in training, a 0/1 indicator
  column;
* categorical columns with few levels: one-hot (two levels: one ``-1/+1`` column),
  missing values as a level of their own, unseen levels as all zeros;
* categorical columns with many levels: scikit-learn's cross-fitted
  :class:`~sklearn.preprocessing.TargetEncoder` (then scaled as numeric columns),
  or integer codes for the network's categorical embedding layer.

The choices follow RealMLP (Holzmüller et al., 2024), whose preprocessing is the
same robust scaling and smooth clipping, one-hot up to 8 levels (this encoder's
default; the Tabular estimators pass 16) and an embedding above, which the
Tabular estimators offer as ``high_cardinality="embedding"``; the target
encoding, their default, was measured better on the benchmark's data sets.
"""

import numbers

import numpy as np
import sklearn
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.preprocessing import OrdinalEncoder, TargetEncoder
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.fixes import parse_version
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import (
    _check_feature_names_in,
    _check_sample_weight,
    check_array,
    check_is_fitted,
    validate_data,
)

from .smooth_clip import N_QUANTILES, NUMERIC_TRANSFORMS, SmoothClipScaler
from .table_columns import (
    category_values,
    is_dataframe_column,
    is_missing_scalar,
    is_pandas_df,
    is_polars_df,
    read_columns,
)

__all__ = ["TabularEncoder"]

#: How a categorical column with more than ``max_onehot_categories`` levels is encoded.
HIGH_CARDINALITY_ENCODINGS = ("target", "ordinal")

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
        if not (is_pandas_df(X) or is_polars_df(X)):
            X = check_array(X, dtype=None, ensure_all_finite="allow-nan")
        elif X.shape[0] == 0:
            raise ValueError(
                f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of 1 "
                "is required."
            )
        validate_data(self, X, skip_check_array=True, reset=reset)
        columns, n_samples = read_columns(X), X.shape[0]
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
                has_nan = levels.size > 0 and is_missing_scalar(levels[-1])
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
            if column.kind == "categorical" and is_dataframe_column(column):
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
            categorical[:, j] = category_values(columns[i])
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
