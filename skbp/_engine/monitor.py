"""Per-layer statistics after every epoch (``monitor_layers=True``), as a hook.

Once per epoch (L-BFGS: per iteration) the monitor runs one forward pass and
BP1–BP4 on a fixed probe batch of training rows, without dropout, and adds to
the epoch's record ``"layers"``: one dict per weight layer l (input → first
hidden layer first, output layer last) with

``delta_rms``          RMS of the errors δ^l of the probe rows (BP1, BP2)
``grad_rms``           RMS of ∂C/∂W^l, the probe batch's mean gradient (BP4)
``weight_rms``         RMS of W^l
``update_ratio``       RMS of the epoch's change of W^l, divided by weight_rms
``inactive_fraction``  fraction of the layer's units inactive on every probe
                       row — ReLU units at 0, logistic/tanh units whose σ'(z)
                       is below 1% of its maximum (None for the output layer)

These are the quantities the lecture reasons with: vanishing δ in the lower
layers of a deep logistic network, dead ReLU units, weights that stop moving.
The probe rows are spread evenly over the training set (no random draw, so
monitoring never changes what is trained); the statistics are unweighted and
leave out the penalty.
"""

import numpy as np

from .hooks import EpochHook
from .network import Workspace

#: Rows in the probe batch (all of them for smaller training sets).
PROBE_ROWS = 256


def _rms(values):
    return float(np.sqrt(np.mean(np.square(values, dtype=np.float64))))


class LayerMonitor(EpochHook):
    """Adds ``record["layers"]`` to every epoch's record (see the module docstring)."""

    def __init__(self, train):
        n = train.n_samples
        rows = np.unique(np.linspace(0, n - 1, min(PROBE_ROWS, n)).astype(np.intp))
        self.X = train.X[rows]
        self.Y = train.Y[rows]
        self.previous = None
        self.ws = None

    def on_train_begin(self, run):
        network = run.network
        self.ws = Workspace(network, self.X.shape[0])
        self.previous = [coef.copy() for coef in network.coefs]

    def on_epoch_end(self, run, record):
        network, ws = run.network, self.ws
        n = self.X.shape[0]
        network.forward(self.X, ws)
        # Unscaled BP1 keeps each row's own δ; the gradient buffer holds no state
        # between training steps, so the probe may use it.
        network.backward(self.Y, ws, sample_scale=1.0)
        layers = []
        for layer, coef in enumerate(network.coefs):
            weight_rms = _rms(coef)
            change = _rms(coef - self.previous[layer])
            inactive = None
            if layer < network.n_layers - 1:
                inactive = float(np.mean(np.all(network.inactive_units(layer, ws, n), axis=0)))
            layers.append(
                {
                    "delta_rms": _rms(ws.delta[layer][:n]),
                    "grad_rms": _rms(network.coef_grads[layer]) / n,
                    "weight_rms": weight_rms,
                    "update_ratio": change / weight_rms if weight_rms > 0 else 0.0,
                    "inactive_fraction": inactive,
                }
            )
            np.copyto(self.previous[layer], coef)
        record["layers"] = layers
