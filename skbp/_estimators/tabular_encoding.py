"""TEMPORARY stand-in for tab-data's TabularEncoder (replaced on merge of branch tab-data)."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, RobustScaler


def _smooth_clip(x):
    return x / np.sqrt(1 + (x / 3) ** 2)


class TabularEncoder(TransformerMixin, BaseEstimator):
    def __init__(self, categorical_features="from_dtype", dtype=np.float64):
        self.categorical_features = categorical_features
        self.dtype = dtype

    def fit(self, X, y=None):
        self.fit_transform(X)
        return self

    def fit_transform(self, X, y=None):
        if hasattr(X, "to_pandas"):
            X = X.to_pandas()
        if hasattr(X, "dtypes"):
            cat = [not np.issubdtype(d, np.number) if isinstance(d, np.dtype) else True
                   for d in X.dtypes]
            cols = list(range(X.shape[1]))
        else:
            X = np.asarray(X, dtype=float)
            cat = [False] * X.shape[1]
            cols = list(range(X.shape[1]))
        self.is_categorical_ = np.array(cat)
        num = [c for c in cols if not cat[c]]
        cats = [c for c in cols if cat[c]]
        self._ct = ColumnTransformer([
            ("num", make_pipeline(SimpleImputer(strategy="median", add_indicator=True,
                                                keep_empty_features=True),
                                  RobustScaler(), FunctionTransformer(_smooth_clip)), num),
            ("cat", make_pipeline(SimpleImputer(strategy="constant", fill_value="__nan__"),
                                  OneHotEncoder(handle_unknown="ignore", sparse_output=False)), cats),
        ])
        if hasattr(X, "iloc"):
            X = X.astype({X.columns[c]: object for c in cats}) if cats else X
        Z = self._ct.fit_transform(X)
        self.continuous_columns_ = np.arange(len(num))
        return np.asarray(Z, dtype=self.dtype)

    def transform(self, X):
        if hasattr(X, "to_pandas"):
            X = X.to_pandas()
        if not hasattr(X, "dtypes"):
            X = np.asarray(X, dtype=float)
        else:
            cats = np.flatnonzero(self.is_categorical_)
            X = X.astype({X.columns[c]: object for c in cats}) if len(cats) else X
        return np.asarray(self._ct.transform(X), dtype=self.dtype)
