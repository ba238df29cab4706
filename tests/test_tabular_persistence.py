"""Saving and loading the Tabular estimators and their encoders: pickle and skops.

skops must load them trusting only skbp's public classes: every class a saved
model holds is either one of them (named ``skbp.<Class>``, not by its private
module) or a type skops trusts by default.
"""

import pickle
import pickletools

import numpy as np
import pytest
import skops.io
from tabular_tables import SMALL, labels, new_rows, table

import skbp
from skbp import (
    SmoothClipScaler,
    TabularEncoder,
    TabularMLPClassifier,
    TabularMLPRegressor,
)

PUBLIC = {"skbp.SmoothClipScaler", "skbp.TabularEncoder"}


def _fitted(estimator_class, **params):
    X = table()
    y = labels(X, 3) if estimator_class is TabularMLPClassifier else 10 * X["weight kg"]
    return estimator_class(**SMALL, **params).fit(X, y), X, y


def _new_rows(X):
    """new_rows, with an unseen city too (code 0 of the categorical embedding)."""
    X = new_rows(X)
    X["city"] = X["city"].cat.add_categories(["zz"])
    X.loc[12:14, "city"] = "zz"
    return X


def _output(model, X):
    return (
        model.predict_proba(X) if hasattr(model, "predict_proba") else model.predict(X)
    )


@pytest.mark.parametrize(
    "cls", [TabularMLPClassifier, TabularMLPRegressor, SmoothClipScaler, TabularEncoder]
)
def test_public_classes_report_skbp_as_their_module(cls):
    assert cls.__module__ == "skbp" and cls.__name__ in skbp.__all__
    assert f"{cls.__module__}.{cls.__qualname__}" == f"skbp.{cls.__name__}"


@pytest.mark.parametrize("estimator_class", [TabularMLPClassifier, TabularMLPRegressor])
@pytest.mark.parametrize("high_cardinality", ["target", "embedding"])
def test_skops_trusting_only_the_public_classes(estimator_class, high_cardinality, tmp_path):
    model, X, y = _fitted(estimator_class, high_cardinality=high_cardinality)
    path = tmp_path / "model.skops"
    skops.io.dump(model, path)
    untrusted = skops.io.get_untrusted_types(file=path)
    assert set(untrusted) == PUBLIC | {f"skbp.{estimator_class.__name__}"}
    loaded = skops.io.load(path, trusted=untrusted)
    assert type(loaded) is estimator_class
    X_new = _new_rows(X)
    np.testing.assert_array_equal(_output(loaded, X_new), _output(model, X_new))
    # the loaded model trains on from its weights
    loaded.set_params(warm_start=True, max_iter=1).fit(X, y)
    assert len(loaded.history_) == len(model.history_) + 1


@pytest.mark.parametrize("estimator_class", [TabularMLPClassifier, TabularMLPRegressor])
@pytest.mark.parametrize("high_cardinality", ["target", "embedding"])
def test_pickle_round_trip_names_the_public_classes(estimator_class, high_cardinality):
    model, X, _ = _fitted(estimator_class, high_cardinality=high_cardinality)
    data = pickle.dumps(model)
    loaded = pickle.loads(data)
    X_new = _new_rows(X)
    np.testing.assert_array_equal(_output(loaded, X_new), _output(model, X_new))
    strings = " ".join(
        arg for _, arg, _ in pickletools.genops(data) if isinstance(arg, str)
    )
    assert "_estimators" not in strings
    assert estimator_class.__name__ in strings and "TabularEncoder" in strings


def test_encoders_alone_with_skops(tmp_path):
    X = table()
    y = labels(X, 2)
    encoder = TabularEncoder(random_state=0).fit(X, y)
    scaler = SmoothClipScaler().fit(X[["size", "weight kg"]])
    for transformer, data, public in (
        (encoder, X, PUBLIC),
        (scaler, X[["size", "weight kg"]], {"skbp.SmoothClipScaler"}),
    ):
        path = tmp_path / f"{type(transformer).__name__}.skops"
        skops.io.dump(transformer, path)
        untrusted = skops.io.get_untrusted_types(file=path)
        assert set(untrusted) == public
        loaded = skops.io.load(path, trusted=untrusted)
        np.testing.assert_array_equal(
            loaded.transform(data), transformer.transform(data)
        )
