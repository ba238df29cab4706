"""check_gradients, trace_backprop and monitor_layers on the Tabular estimators.

They take the raw table, as the estimators do: the fitted encoder encodes it,
and the network's front layers (PBLD embedding, feature scaling) and
parametric activations are part of every forward and backward pass.
"""

import numpy as np
import pytest
from tabular_tables import SMALL, labels, new_rows, table

from skbp import (
    TabularMLPClassifier,
    TabularMLPRegressor,
    check_gradients,
    trace_backprop,
)


def _fitted(estimator_class, **params):
    X = table()
    y = labels(X, 3) if estimator_class is TabularMLPClassifier else 10 * X["weight kg"] + 5
    return estimator_class(**{**SMALL, **params}).fit(X, y), X, y


@pytest.mark.parametrize("estimator_class", [TabularMLPClassifier, TabularMLPRegressor])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("high_cardinality", ["target", "embedding"])
def test_check_gradients_on_the_raw_table(estimator_class, dtype, high_cardinality):
    model, X, y = _fitted(estimator_class, dtype=dtype, high_cardinality=high_cardinality)
    network = model._fitted_network()
    assert network.front and network.alphas is not None  # every new layer is checked
    embedded = type(network.front[0]).__name__ == "CategoricalEmbedding"
    assert embedded == (high_cardinality == "embedding")
    X_new = new_rows(X)[:30]
    assert check_gradients(model, X_new, y[:30]) < 1e-6


def test_check_gradients_sees_a_wrong_front_layer_gradient(monkeypatch):
    from skbp._engine.layers import FeatureScaling

    model, X, y = _fitted(TabularMLPClassifier)
    # The scaling ends the front, so its gradient comes from layer 1's BP4 product.
    backward = FeatureScaling.backward_from_bp4

    def wrong(self, *args):
        out = backward(self, *args)
        self.grads[0] *= 1.5
        return out

    monkeypatch.setattr(FeatureScaling, "backward_from_bp4", wrong)
    assert check_gradients(model, X[:30], y[:30]) > 0.1


def test_trace_shows_the_front_layers_output():
    model, X, y = _fitted(TabularMLPClassifier)
    rows = new_rows(X).iloc[:3]
    trace = trace_backprop(model, rows, y[:3])
    network = model._fitted_network()
    encoded = model.encoder_.transform(rows)
    # a^0 is the input of the first dense layer: encoded table, PBLD, scaling.
    front = network.front_forward(encoded)
    assert front.shape[1] > encoded.shape[1]
    np.testing.assert_allclose(trace.layers[1].a_prev[:, :, 0], front, rtol=1e-6)
    # Its gradients are the network's own: the mean over the samples is a batch's.
    network.loss_and_gradient(encoded, model._encode_targets(y[:3]).astype(network.dtype))
    for index, layer in trace.layers.items():
        np.testing.assert_allclose(
            layer.grad_W.mean(axis=0), network.coef_grads[index - 1].T, rtol=1e-4, atol=1e-7
        )
    text = str(trace)
    assert "encoded x -> PeriodicEmbedding -> FeatureScaling" in text
    assert "parametric selu" in text


def test_trace_through_the_categorical_embedding():
    model, X, y = _fitted(TabularMLPClassifier, high_cardinality="embedding")
    rows = new_rows(X).iloc[:3]
    trace = trace_backprop(model, rows, y[:3])
    network = model._fitted_network()
    front = network.front_forward(model.encoder_.transform(rows))
    np.testing.assert_allclose(trace.layers[1].a_prev[:, :, 0], front, rtol=1e-6)
    assert (
        "encoded x -> CategoricalEmbedding -> PeriodicEmbedding -> FeatureScaling" in str(trace)
    )


def test_trace_of_a_regressor_without_front_layers():
    model, X, y = _fitted(
        TabularMLPRegressor, numerical_embedding=None, feature_scaling=False,
        parametric_activation=False,
    )
    trace = trace_backprop(model, X.iloc[:2], y[:2])
    np.testing.assert_allclose(
        trace.layers[1].a_prev[:, :, 0], model.encoder_.transform(X.iloc[:2]), rtol=1e-6
    )
    assert "encoded x " in str(trace) and "parametric" not in str(trace)


@pytest.mark.parametrize("estimator_class", [TabularMLPClassifier, TabularMLPRegressor])
@pytest.mark.parametrize("high_cardinality", ["target", "embedding"])
def test_monitor_layers(estimator_class, high_cardinality):
    model, X, y = _fitted(
        estimator_class, monitor_layers=True, high_cardinality=high_cardinality
    )
    plain = estimator_class(**SMALL, high_cardinality=high_cardinality).fit(X, y)
    # Monitoring measures; it does not change what is trained.
    for with_monitor, without in zip(model.coefs_, plain.coefs_):
        np.testing.assert_array_equal(with_monitor, without)
    np.testing.assert_array_equal(model.layer_params_, plain.layer_params_)
    assert "layers" not in plain.history_[0]
    for record in model.history_:
        layers = record["layers"]
        assert len(layers) == model.n_layers_ - 1
        for layer in layers:
            assert np.isfinite(layer["delta_rms"]) and layer["grad_rms"] > 0
        assert all(0 <= layer["inactive_fraction"] <= 1 for layer in layers[:-1])
        assert layers[-1]["inactive_fraction"] is None


def test_layer_diagnostics_display():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    from skbp import LayerDiagnosticsDisplay

    model, _, _ = _fitted(TabularMLPClassifier, monitor_layers=True)
    display = LayerDiagnosticsDisplay.from_estimator(model)
    assert display.figure_ is not None
