"""Test-session setup shared by every test module."""

import os

# scikit-learn's array-API estimator check is skipped unless SciPy runs in array-API
# mode, which must be switched on before SciPy is first imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

try:  # figures in tests never need a screen
    import matplotlib  # noqa: E402
except ImportError:  # pragma: no cover - matplotlib is in the test extra
    pass
else:
    matplotlib.use("Agg")
