"""Eigenvalues of large symmetric matrices in place, by Intel MKL's ``?syevd``.

The entropy needs the eigenvalues of a Gram matrix and nothing else. LAPACK's ``?syevd`` with ``jobz = "N"``
(tridiagonal reduction, then the root-free QR iteration) computes them in place with a workspace of a few
columns. MKL's reduction is much faster than the OpenBLAS one that numpy's and scipy's wheels bundle: on this
machine's 2 cores, 8192 x 8192 in 10 s against 27 s for scipy's default ``?syevr`` and 24 s for OpenBLAS's
two-stage ``?syev_2stage``; 0.62 of scipy's time at 4096, 0.82 at 2048, no gain below (docs: Performance).
torch's own ``eigvalsh`` uses the same MKL but copies its input, which a Gram matrix as large as the function
cannot afford.

MKL comes with torch's CPU builds (a dependency of the toolkit), whose ``libtorch_cpu`` exports MKL's LAPACK
and ``MKL_Set_Num_Threads_Local``; it is called through ctypes with the ILP64 interface (64-bit integers).
Where torch or those symbols are absent (other builds, other platforms), :func:`symmetric_eigenvalues`
returns None and the caller uses scipy.
"""

from __future__ import annotations

import ctypes
import functools
from pathlib import Path

import numpy as np

from numeric.threads import threads

_INTEGER = ctypes.c_int64  # the ILP64 interface


@functools.cache
def _library() -> ctypes.CDLL | None:
    """torch's CPU library when it exports MKL's ?syevd (ILP64) and its thread setter, else None."""
    try:
        import torch
    except ImportError:
        return None
    path = Path(torch.__file__).parent / "lib" / "libtorch_cpu.so"
    try:
        library = ctypes.CDLL(str(path))
    except OSError:
        return None
    needed = ("dsyevd_64_", "ssyevd_64_", "MKL_Set_Num_Threads_Local")
    if not all(hasattr(library, name) for name in needed):
        return None
    library.MKL_Set_Num_Threads_Local.argtypes = [ctypes.c_int]
    library.MKL_Set_Num_Threads_Local.restype = ctypes.c_int
    return library


def available() -> bool:
    """Whether MKL's ``?syevd`` can be called here (loads it on the first call: torch's import, about 50 MB)."""
    return _library() is not None


_ROUTINES = {np.dtype(np.float64): "dsyevd_64_", np.dtype(np.float32): "ssyevd_64_"}


def symmetric_eigenvalues(matrix: np.ndarray) -> np.ndarray | None:
    """The eigenvalues (ascending) of the real symmetric ``matrix`` (float64 or float32, Fortran order, its
    upper triangle read), computed in place (the matrix is overwritten) by MKL's ``?syevd`` with
    numeric.threads() threads; None, with the matrix untouched, where MKL is absent or the matrix is of
    another type or layout. Raises numpy.linalg.LinAlgError when LAPACK reports a failure, as scipy does."""
    library = _library()
    if (
        library is None
        or matrix.dtype not in _ROUTINES
        or matrix.ndim != 2
        or matrix.shape[0] != matrix.shape[1]
        or not matrix.flags.f_contiguous
        or not matrix.flags.writeable
    ):
        return None
    routine = getattr(library, _ROUTINES[matrix.dtype])
    side = _INTEGER(matrix.shape[0])
    eigenvalues = np.empty(matrix.shape[0], dtype=matrix.dtype)
    info = _INTEGER(0)

    def call(work: np.ndarray, integer_work: np.ndarray, work_size: int, integer_work_size: int) -> None:
        routine(
            ctypes.c_char_p(b"N"),
            ctypes.c_char_p(b"U"),
            ctypes.byref(side),
            matrix.ctypes.data_as(ctypes.c_void_p),
            ctypes.byref(_INTEGER(max(1, matrix.shape[0]))),
            eigenvalues.ctypes.data_as(ctypes.c_void_p),
            work.ctypes.data_as(ctypes.c_void_p),
            ctypes.byref(_INTEGER(work_size)),
            integer_work.ctypes.data_as(ctypes.c_void_p),
            ctypes.byref(_INTEGER(integer_work_size)),
            ctypes.byref(info),
        )

    work, integer_work = np.empty(1, dtype=matrix.dtype), np.empty(1, dtype=np.int64)
    call(work, integer_work, -1, -1)  # the workspace query: a few columns (13 MB at 8192 x 8192)
    work = np.empty(max(1, int(work[0])), dtype=matrix.dtype)
    integer_work = np.empty(max(1, int(integer_work[0])), dtype=np.int64)
    previous = library.MKL_Set_Num_Threads_Local(threads())
    try:
        call(work, integer_work, len(work), len(integer_work))
    finally:
        library.MKL_Set_Num_Threads_Local(previous)
    if info.value != 0:
        raise np.linalg.LinAlgError(f"?syevd failed (info = {info.value}) on a {side.value} x {side.value} matrix")
    return eigenvalues


__all__ = ["available", "symmetric_eigenvalues"]
