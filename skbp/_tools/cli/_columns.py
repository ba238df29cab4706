"""The columns of a CSV file: read by pandas, typed, checked, and named in the report.

A column whose cells pandas reads as numbers (booleans included) is numeric: its
missing cells are imputed with the median and it is standardised. Any other
column is categorical: one-hot encoded, a missing cell being a level of its own.
Two kinds of column are refused rather than encoded into something useless:
text that is mostly numbers (a few stray cells such as ``12,5k`` turn a number
into hundreds of categories) and text that is different in every row (an
identifier: one feature per row, which nothing learns from).
"""

# Authors: The skbp developers
# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ._options import CLIError

# Column types standardised as numbers (booleans as 0 and 1); the others are one-hot encoded.
NUMERIC = ["number", "bool"]
# Below this many rows, text that differs in every row may be chance, not an identifier.
MIN_ROWS_FOR_IDENTIFIERS = 20
# The cells that could not be read as numbers, shown in an error message.
SHOWN_VALUES = 5


def read_csv(path: str, sep: str, text: Sequence[str] = ()):
    """The CSV file as a DataFrame of numeric, boolean and object columns.

    The ``text`` columns are read as text whatever they hold (``--categorical``,
    or the categorical columns of a saved model), so that "01" stays "01".
    """
    try:
        import pandas as pd
    except ImportError:
        raise CLIError('reading CSV files needs pandas: pip install "skbp[cli]"') from None
    try:
        frame = pd.read_csv(path, sep=sep, encoding="utf-8-sig", skipinitialspace=True,
                            dtype=dict.fromkeys(text, str))
    except pd.errors.EmptyDataError:
        raise CLIError(f"CSV file {path} is empty") from None
    except pd.errors.ParserError as exc:
        raise CLIError(f"cannot parse CSV file {path}: {exc}") from None
    except UnicodeDecodeError:
        raise CLIError(f"CSV file {path} is not UTF-8 text") from None
    except OSError as exc:
        raise CLIError(f"cannot read CSV file {path}: {exc.strerror or exc}") from None
    if frame.empty:
        raise CLIError(f"CSV file {path} has a header but no data rows")
    frame.columns = frame.columns.str.strip()
    # text as Python objects, what the imputer and the encoder expect
    text = frame.columns.difference(frame.select_dtypes(NUMERIC).columns)
    return frame.astype(dict.fromkeys(text, object))


def require_columns(frame, path: str, columns: Sequence[str], role: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        shown = ", ".join(map(repr, frame.columns[:20]))
        more = f" and {len(frame.columns) - 20} more" if len(frame.columns) > 20 else ""
        raise CLIError(
            f"{path} has no column {', '.join(map(repr, missing))} ({role}); its columns "
            f"are {shown}{more}"
        )


def not_numbers(column):
    """The cells of ``column`` that are neither missing nor readable as numbers."""
    import pandas as pd

    present = column.dropna()
    return present[pd.to_numeric(present, errors="coerce").isna()]


def describe_cells(cells) -> str:
    """``'12,5k' (line 3), '?' (lines 7, 9)``: line numbers of the file, header on line 1."""
    lines: dict[str, list[int]] = {}
    for row, value in cells.items():
        lines.setdefault(str(value), []).append(int(row) + 2)
    shown = [
        f"{value!r} (line{'s' if len(rows) > 1 else ''} "
        f"{', '.join(map(str, rows[:3]))}{', ...' if len(rows) > 3 else ''})"
        for value, rows in list(lines.items())[:SHOWN_VALUES]
    ]
    more = f" and {len(lines) - SHOWN_VALUES} other value(s)" if len(lines) > SHOWN_VALUES else ""
    return ", ".join(shown) + more


def as_numbers(frame, columns: Sequence[str], path: str, why: str):
    """``frame`` with the ``columns`` as numbers; refuse cells that are text or infinite.

    ``why`` says why the columns must be numbers, e.g. "the model was trained on numbers".
    """
    import pandas as pd

    numbers = {}
    for column in columns:
        if frame[column].dtype == object:
            cells = not_numbers(frame[column])
            if len(cells):
                raise CLIError(
                    f"column {column!r} of {path} holds text where {why}: "
                    f"{describe_cells(cells)}; fix those cells (an empty cell is a missing value)"
                )
            numbers[column] = pd.to_numeric(frame[column])
    frame = frame.assign(**numbers) if numbers else frame
    refuse_infinite(frame, columns, path)
    return frame


def refuse_infinite(frame, columns: Sequence[str], path: str) -> None:
    """Name the column and the lines of an infinite number (``inf`` in the file, or 1e999)."""
    for column in columns:
        values = frame[column]
        infinite = values[np.isinf(values.to_numpy(dtype=float, na_value=np.nan))]
        if len(infinite):
            raise CLIError(
                f"column {column!r} of {path} holds an infinite number: "
                f"{describe_cells(infinite)}; give a finite number, or leave the cell empty "
                "for a missing value"
            )


@dataclass
class Columns:
    """The feature columns of a training file, by how they are encoded."""

    numeric: list[str] = field(default_factory=list)
    levels: dict[str, int] = field(default_factory=dict)  # categorical column -> its levels
    warnings: list[str] = field(default_factory=list)

    @property
    def n_inputs(self) -> int:
        """The width of the encoded features: the network's input layer."""
        return len(self.numeric) + sum(self.levels.values())

    def report(self) -> list[str]:
        """One line per kind of column, naming each column, then the warnings."""
        lines = []
        if self.numeric:
            lines.append(f"numeric (standardised): {', '.join(self.numeric)}")
        if self.levels:
            levels = ", ".join(f"{name} ({k} levels)" for name, k in self.levels.items())
            lines.append(f"categorical (one-hot encoded): {levels}")
        return lines + [f"warning: {warning}" for warning in self.warnings]


def feature_columns(X, path: str, categorical: Sequence[str] = ()) -> Columns:
    """How each column of ``X`` is encoded, refusing columns that would be encoded uselessly.

    ``categorical`` columns (``--categorical``) are categories whatever they hold.
    """
    columns = Columns()
    escape = "or list it in --categorical to encode its values as categories"
    for name in X.columns:
        values = X[name]
        if name not in categorical and values.dtype != object:
            columns.numeric.append(name)
            continue
        present = values.dropna()
        cells = not_numbers(present)
        if name not in categorical and 0 < len(cells) < len(present) / 2:
            raise CLIError(
                f"column {name!r} of {path} is mostly numbers, but {len(cells)} of its "
                f"{len(present)} values are not: {describe_cells(cells)}; fix those cells "
                f"(an empty cell is a missing value), {escape}"
            )
        n_levels = values.nunique(dropna=False)
        if name not in categorical and len(X) >= MIN_ROWS_FOR_IDENTIFIERS and n_levels == len(X):
            raise CLIError(
                f"column {name!r} of {path} has a different value in each of its {len(X)} "
                f"rows, such as {present.iloc[0]!r}: one-hot encoded, it would add {n_levels} "
                f"features that nothing can be learnt from; if it identifies the rows, pass "
                f"--id {name}, {escape}"
            )
        columns.levels[name] = n_levels
    refuse_infinite(X, columns.numeric, path)
    for name in columns.numeric:
        numbers = X[name].to_numpy(dtype=float, na_value=np.nan)
        _check_spread(name, numbers, path)
        if _row_numbers(numbers):
            columns.warnings.append(f"column {name!r} numbers the rows (a different whole "
                                    f"number in each): if it identifies them, pass --id {name}")
    return columns


def _check_spread(name: str, values: np.ndarray, path: str) -> None:
    """Refuse a column whose variance overflows: the scaler would turn it into NaN."""
    with np.errstate(over="ignore", invalid="ignore"):
        spread = np.nanstd(values) if not np.isnan(values).all() else 0.0
    if not np.isfinite(spread):
        largest = np.nanmax(np.abs(values))
        raise CLIError(
            f"column {name!r} of {path} holds numbers too large to standardise (up to "
            f"{largest:.3g}; their variance overflows float64): rescale the column, such "
            "as its logarithm or the numbers in other units"
        )


def _row_numbers(values: np.ndarray) -> bool:
    """Whether the values are the whole numbers k, k+1, ... one per row, in any order."""
    if len(values) < MIN_ROWS_FOR_IDENTIFIERS or np.isnan(values).any():
        return False
    ordered = np.sort(values)
    return bool(np.all(ordered == np.round(ordered)) and np.all(np.diff(ordered) == 1))
