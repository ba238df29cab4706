"""Write the 0.1.0 model files that ``tests/test_persistence.py`` loads.

Run with skbp 0.1.0 (commit 9636431, before the public classes reported
``skbp`` as their module), from the repository root::

    python tests/data/make_0_1_0_models.py

The files name the classes by their 0.1.0 paths
(``skbp._estimators.classifier.BackpropMLPClassifier``, ...); the test checks
that they still load and predict what they predicted when written. Running
this script with a later skbp would write the new paths and test nothing.
"""

import pickle
import zipfile
from pathlib import Path

import numpy as np
import skops.io

from skbp import BackpropMLPClassifier, BackpropMLPRegressor

HERE = Path(__file__).parent


def main():
    rng = np.random.RandomState(0)
    X = rng.randn(30, 3)
    y_class = np.array(["a", "b", "c"])[np.arange(30) % 3]
    y_reg = X[:, 0] - 2.0 * X[:, 1]
    models = {
        "classifier": BackpropMLPClassifier(
            hidden_layer_sizes=(4,), max_iter=5, early_stopping="GL", random_state=0
        ).fit(X, y_class),
        "regressor": BackpropMLPRegressor(
            hidden_layer_sizes=(4,), max_iter=5, random_state=0
        ).fit(X, y_reg),
    }
    outputs = {"X": X}
    for name, model in models.items():
        (HERE / f"skbp-0.1.0-{name}.pkl").write_bytes(pickle.dumps(model, protocol=4))
        skops.io.dump(model, HERE / f"skbp-0.1.0-{name}.skops", compression=zipfile.ZIP_DEFLATED)
        output = model.predict_proba(X) if name == "classifier" else model.predict(X)
        outputs[f"{name}_output"] = output
        print(name, skops.io.get_untrusted_types(file=HERE / f"skbp-0.1.0-{name}.skops"))
    np.savez(HERE / "skbp-0.1.0-outputs.npz", **outputs)


if __name__ == "__main__":
    main()
