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


def pytest_configure(config):
    # Training works on small matrices, where a multi-threaded BLAS mostly waits on
    # itself, and on a busy 2-core machine it busy-waits: one BLAS thread keeps the
    # suite's run time steady. Parallelism is tested through joblib workers.
    # threadpoolctl limits only the libraries already loaded, and SciPy brings
    # its own OpenBLAS (used by L-BFGS and by the estimator checks' sparse and
    # linear-algebra code), so it is loaded first: left at one thread per core,
    # it made the L-BFGS checks 3 times slower on a busy machine.
    import scipy.linalg  # noqa: F401
    from threadpoolctl import threadpool_limits

    config._skbp_blas_limit = threadpool_limits(limits=1, user_api="blas")


import pytest  # noqa: E402


@pytest.fixture
def recorded_split(monkeypatch):
    """Records the validation split of every fit: ``{"keys": ..., "is_val": ...}``."""
    import skbp._estimators.base as base

    recorded = {}
    real = base.duplicate_aware_split

    def spy(keys, *args, **kwargs):
        recorded["keys"] = keys.copy()
        recorded["is_val"] = real(keys, *args, **kwargs).copy()
        return recorded["is_val"]

    monkeypatch.setattr(base, "duplicate_aware_split", spy)
    return recorded
