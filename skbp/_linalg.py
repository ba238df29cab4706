"""In-place vector updates used on the hot path of every training step."""

from scipy.linalg.blas import get_blas_funcs


def axpy(y, a, x):
    """y += a·x in place, in one pass over memory (BLAS ``?axpy``).

    NumPy would write ``a * x`` to a temporary and then add it; on the flat
    parameter vector that is two passes and an allocation per step.
    ``x`` and ``y`` are contiguous 1-D arrays of the same float dtype.
    """
    get_blas_funcs("axpy", (y,))(x, y, a=a)
    return y
