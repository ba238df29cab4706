"""Reading a raw table column by column (numpy, pandas, polars).

Each column is read with its own dtype, without converting the whole table to
one: a :class:`Column` says what kind of column it is (numeric, boolean,
categorical, temporal) and reads its values as numbers or as objects, with its
missing cells.  :class:`~skbp.TabularEncoder` is the reader's client.
"""

import numpy as np


def is_pandas_df(X):
    return type(X).__module__.startswith("pandas") and hasattr(X, "iloc")


def is_polars_df(X):
    return type(X).__module__.startswith("polars") and hasattr(X, "get_column")


class Column:
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
            Column(
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

        columns.append(Column(name, kind, read_numeric, read_objects, is_missing))
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
            Column(
                i,
                kind,
                read_numeric,
                lambda v=values: np.asarray(v, dtype=object),
                lambda v=values: _object_missing(np.asarray(v, dtype=object)),
            )
        )
    return columns


def is_missing_scalar(value):
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT
    except TypeError:  # pandas.NA refuses to be a bool
        return True


_object_missing_vectorized = np.frompyfunc(is_missing_scalar, 1, 1)


def _object_missing(values):
    return _object_missing_vectorized(values).astype(bool) if values.size else np.zeros(0, bool)


def read_columns(X):
    """The columns of a raw table (numpy input already passed through check_array)."""
    if is_pandas_df(X):
        return _pandas_columns(X)
    if is_polars_df(X):
        return _polars_columns(X)
    if X.dtype.kind not in "biufOUS":
        raise ValueError(f"X has unsupported dtype {X.dtype}.")
    return _array_columns(X.astype(object) if X.dtype.kind in "US" else X)


def category_values(column):
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


def is_dataframe_column(column):
    """Whether the column came from a DataFrame (numpy columns are named by their index)."""
    return not isinstance(column.name, int | np.integer)
