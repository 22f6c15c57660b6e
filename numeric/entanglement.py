"""Schmidt spectra and entanglement entropies of functions of images.

A function f of images on N pixels with d levels is a flat array of d^N values (pixel 0 the most
significant digit). For a region A of pixels, M[s_A, s_B] = f(s) is the d^|A| x d^|B| matrix whose
singular values sigma_k are the Schmidt values; p_k = sigma_k^2 / sum_j sigma_j^2 are the Schmidt
probabilities (the spectrum of the reduced density matrix of the normalised state f / ||f||_2), and

    S_A = -sum_k p_k ln p_k                  (von Neumann, nats)
    S_alpha = ln(sum_k p_k^alpha) / (1 - alpha)   (Renyi; S_0 = ln rank, S_inf = -ln max_k p_k).

Numerics (float64): the spectrum comes from the Gram matrix of the smaller side, G = M M^H (or M^H M),
accumulated slice by slice with BLAS rank-k updates (no reordered copy of the whole function), and a
symmetric eigensolver: the eigenvalues of G are sigma_k^2 with absolute error about
eps * sigma_max^2, so the p_k and every entropy agree with an SVD of M to ~1e-13 (tested at 1e-10).
Probabilities below ``size * eps * p_max`` (size = side of G) are float64 noise and are set to 0.
Schmidt values and ranks need small sigma_k resolved, which a Gram eigenvalue cannot do (the square root
of eps * sigma_max^2 is sqrt(eps) * sigma_max); they come from a Householder QR of the long side and the
SVD of its small triangular factor, accurate to about eps * sigma_max like an SVD of M.

Edge cases: A empty or A = all pixels gives one Schmidt value ||f||, rank 1 and S = 0 (no cut).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.linalg import eigvalsh
from scipy.linalg.blas import dsyrk, zherk
from scipy.special import digamma

from numeric.errors import InvalidInputError
from numeric.lattice import Region, validate_region
from numeric.memory import require_memory

_GRAM_SLICE_ELEMENTS = 1 << 22

DEFAULT_RANK_RTOL = 1e-10
"""schmidt_rank's default: Schmidt values below DEFAULT_RANK_RTOL * sigma_max count as zero."""


def _n_pixels_of(length: int, levels: int) -> int:
    n_pixels, size = 0, 1
    while size < length:
        size *= levels
        n_pixels += 1
    if size != length or n_pixels == 0:
        raise InvalidInputError(
            f"values has length {length}, which is not levels**N for levels={levels} and some N >= 1; "
            f"pass f on every image of the lattice (length levels**N) and the right levels"
        )
    return n_pixels


def as_state_tensor(values: np.ndarray, *, levels: int = 2) -> np.ndarray:
    """Validate a function's values and return them as a float64/complex128 tensor of shape (d,)*N.

    Raises InvalidInputError for a wrong length, non-finite or all-zero values, and levels < 2.
    """
    if isinstance(levels, bool) or not isinstance(levels, (int, np.integer)) or levels < 2:
        raise InvalidInputError(f"levels must be an integer >= 2, got {levels!r}")
    array = np.asarray(values)
    if array.dtype.kind not in "biufc":
        raise InvalidInputError(f"values must be numbers (bool, int, float or complex), got dtype {array.dtype}")
    if array.ndim != 1 and array.shape != (levels,) * array.ndim:
        raise InvalidInputError(
            f"values has shape {array.shape}; pass a flat array of length levels**N or a tensor of shape (levels,)*N"
        )
    n_pixels = _n_pixels_of(array.size, levels)
    dtype = np.complex128 if array.dtype.kind == "c" else np.float64
    array = np.asarray(array, dtype=dtype)
    # One pass without a copy: a NaN or inf makes the sum non-finite; only then (or on overflow) count exactly.
    if not np.isfinite(np.sum(array)):
        not_finite = array.size - int(np.count_nonzero(np.isfinite(array)))
        if not_finite:
            raise InvalidInputError(f"values holds {not_finite} NaN or infinite entries; entropies need finite values")
    if not np.any(array):
        raise InvalidInputError("values is zero on every image: f = 0 has no normalised state and no entropy")
    return array.reshape((levels,) * n_pixels)


def _split(region: Iterable[int], n_pixels: int) -> tuple[Region, Region]:
    """(A, B): the validated region, sorted, and the other pixels."""
    rows = validate_region(region, n_pixels)
    inside = set(rows)
    return rows, tuple(p for p in range(n_pixels) if p not in inside)


def _rank(sigma: np.ndarray, tol: float | None = None) -> int:
    """How many Schmidt values exceed ``tol`` (default DEFAULT_RANK_RTOL * sigma_max)."""
    return int(np.count_nonzero(sigma > (DEFAULT_RANK_RTOL * sigma[0] if tol is None else tol)))


def schmidt_matrix(values: np.ndarray, region: Iterable[int], *, levels: int = 2) -> np.ndarray:
    """M[s_A, s_B] = f(s): the d^|A| x d^|B| matrix with A's pixels (in increasing order) as the row index.

    A view of ``values`` when A is a prefix of the pixel order, otherwise one reordered copy.
    """
    tensor = as_state_tensor(values, levels=levels)
    rows, columns = _split(region, tensor.ndim)
    order = rows + columns
    if order != tuple(range(tensor.ndim)):
        require_memory(
            tensor.nbytes, f"reordering the {tensor.size}-entry function so that region A comes first",
            "use a smaller lattice or a region that is a prefix of the pixel order",
        )
    return tensor.transpose(order).reshape(levels ** len(rows), levels ** len(columns))


def _accumulated_gram(tensor: np.ndarray, small: Region, large: Region, chunk_axes: list[int]) -> np.ndarray:
    """One triangle of G = M M^H over the small side (its conjugate for complex f, same spectrum), summed
    over slices that fix ``chunk_axes``: each slice is reordered alone, never the whole tensor."""
    levels, n_pixels = tensor.shape[0], tensor.ndim
    side = levels ** len(small)
    kept = [axis for axis in range(n_pixels) if axis not in chunk_axes]
    order = [kept.index(axis) for axis in small] + [kept.index(axis) for axis in large if axis not in chunk_axes]
    complex_values = np.iscomplexobj(tensor)
    gram = np.zeros((side, side), dtype=tensor.dtype, order="F")
    update = zherk if complex_values else dsyrk
    for index in itertools.product(range(levels), repeat=len(chunk_axes)):
        selector = [slice(None)] * n_pixels
        for axis, value in zip(chunk_axes, index):
            selector[axis] = value
        block = tensor[tuple(selector)].transpose(order).reshape(side, -1)
        # In place: gram += block block^T (block^T is Fortran-ordered, so BLAS reads it without a copy).
        update(1.0, block.T, beta=1.0, c=gram, trans=2 if complex_values else 1, overwrite_c=1)
    return gram


def _gram_eigenvalues(tensor: np.ndarray, region: Iterable[int]) -> np.ndarray:
    """Eigenvalues of the Gram matrix of the smaller side of the cut, i.e. the sigma_k^2 (any order).

    Memory: the Gram matrix plus one slice of the function at a time (at least 2^22 entries, or a quarter
    of the Gram's size so each BLAS update is efficient), instead of a reordered copy of the whole function.
    """
    levels = tensor.shape[0]
    rows, columns = _split(region, tensor.ndim)
    small, large = (rows, columns) if len(rows) <= len(columns) else (columns, rows)
    side = levels ** len(small)
    target = max(_GRAM_SLICE_ELEMENTS, side * side // 4)
    chunk_axes, block = [], tensor.size
    for axis in large:
        if block <= target:
            break
        chunk_axes.append(axis)
        block //= levels
    require_memory(
        (side * side + 2 * block) * tensor.itemsize, f"the {side}x{side} Gram matrix of the smaller side and a "
        f"{block}-entry slice", "use a smaller region or lattice",
    )
    gram = _accumulated_gram(tensor, small, large, chunk_axes)
    trace = float(np.trace(gram).real)
    if not 1e-280 < trace < 1e280:  # squares underflowed or overflowed: rescale (entropies are scale-free)
        gram = _accumulated_gram(tensor / np.max(np.abs(tensor)), small, large, chunk_axes)
    return eigvalsh(gram, lower=False, overwrite_a=True, check_finite=False)


def _probabilities_from_gram_eigenvalues(eigenvalues: np.ndarray) -> np.ndarray:
    eigenvalues = np.sort(eigenvalues)[::-1]
    noise_floor = eigenvalues.size * np.finfo(np.float64).eps * eigenvalues[0]
    eigenvalues = np.where(eigenvalues > noise_floor, eigenvalues, 0.0)
    return eigenvalues / eigenvalues.sum()


def schmidt_probabilities(values: np.ndarray, region: Iterable[int], *, levels: int = 2) -> np.ndarray:
    """p_k = sigma_k^2 / sum_j sigma_j^2, descending, length min(d^|A|, d^|B|); they sum to 1."""
    return _probabilities_from_gram_eigenvalues(_gram_eigenvalues(as_state_tensor(values, levels=levels), region))


def schmidt_values(
    values: np.ndarray, region: Iterable[int], *, levels: int = 2, method: Literal["qr", "svd"] = "qr"
) -> np.ndarray:
    """Singular values sigma_k of M = f reshaped to d^|A| x d^|B| (unnormalised f), descending.

    ``method="qr"`` (default): Householder QR of the long side, M^T = Q R (or M = Q R), then the SVD of the
    small triangular R, whose singular values are M's; backward stable, so every sigma_k is accurate to
    ~eps * sigma_max like a direct SVD, at the cost of a Gram matrix. ``method="svd"``: LAPACK's SVD of M.
    """
    matrix = schmidt_matrix(values, region, levels=levels)
    if method not in ("qr", "svd"):
        raise InvalidInputError(f"method must be 'qr' or 'svd', got {method!r}")
    require_memory(2 * matrix.nbytes, "the Schmidt values (a factorisation of the Schmidt matrix)",
                   "use a smaller region or lattice, or entanglement_entropy, which needs less")
    if method == "svd":
        return np.linalg.svd(matrix, compute_uv=False)
    tall = matrix.T if matrix.shape[0] <= matrix.shape[1] else matrix
    return np.linalg.svd(np.linalg.qr(tall, mode="r"), compute_uv=False)


def schmidt_rank(values: np.ndarray, region: Iterable[int], *, levels: int = 2, tol: float | None = None) -> int:
    """Number of Schmidt values above ``tol`` (default DEFAULT_RANK_RTOL * sigma_max = 1e-10 sigma_max).

    The default sits far above float64 noise (~1e-15 sigma_max) and far below the smallest nonzero
    Schmidt value of functions with O(1) entries on the lattices this toolkit enumerates; where a rank
    must be certified, use :func:`numeric.precise.exact_schmidt_rank`.
    """
    if tol is not None and not tol >= 0:
        raise InvalidInputError(f"tol must be a non-negative number, got {tol!r}")
    return _rank(schmidt_values(values, region, levels=levels), tol)


def _validated_alpha(alpha: float) -> float:
    try:
        alpha = float(alpha)
    except (TypeError, ValueError):
        raise InvalidInputError(f"alpha must be a number >= 0 or inf, got {alpha!r}") from None
    if not alpha >= 0:
        raise InvalidInputError(f"alpha must be >= 0 (0 = ln rank, 1 = von Neumann, inf = min-entropy), got {alpha}")
    return alpha


def entropy_of_probabilities(probabilities: np.ndarray, alpha: float = 1.0) -> float:
    """Renyi-alpha entropy in nats of a probability vector (alpha=1: Shannon/von Neumann).

    S_1 = -sum p ln p; S_alpha = ln(sum p^alpha) / (1 - alpha); S_0 = ln #{p > 0}; S_inf = -ln max p.
    """
    alpha = _validated_alpha(alpha)
    p = np.asarray(probabilities, dtype=np.float64)
    p = p[p > 0]
    if alpha == 1.0:
        return float(max(0.0, -np.sum(p * np.log(p))))
    if alpha == 0.0:
        return math.log(p.size)
    if math.isinf(alpha):
        return float(-np.log(p.max()))
    return float(max(0.0, np.log(np.sum(p**alpha)) / (1.0 - alpha)))


def entanglement_entropy(values: np.ndarray, region: Iterable[int], *, levels: int = 2, alpha: float = 1.0) -> float:
    """Entanglement entropy S_A of the normalised function f / ||f||, in nats.

    alpha = 1 (default): von Neumann, -sum p_k ln p_k; alpha = inf: -ln max p_k; alpha = 0: ln of the
    Schmidt rank (with schmidt_rank's default tolerance); other alpha: ln(sum p_k^alpha) / (1 - alpha).
    """
    alpha = _validated_alpha(alpha)
    if alpha == 0.0:
        return math.log(schmidt_rank(values, region, levels=levels))
    return entropy_of_probabilities(schmidt_probabilities(values, region, levels=levels), alpha)


@dataclass(frozen=True)
class EntanglementProfile:
    """One cut's Schmidt values (descending, of the unnormalised f), von Neumann entropy (nats) and rank."""

    schmidt_values: np.ndarray
    entropy: float
    rank: int

    @property
    def probabilities(self) -> np.ndarray:
        """p_k = sigma_k^2 / sum_j sigma_j^2, computed relative to sigma_max so nothing underflows."""
        return _probabilities_from_values(self.schmidt_values)


def _probabilities_from_values(sigma: np.ndarray) -> np.ndarray:
    squares = (sigma / sigma[0]) ** 2
    return squares / squares.sum()


def entanglement_profile(values: np.ndarray, region: Iterable[int], *, levels: int = 2) -> EntanglementProfile:
    """Schmidt values, S_A = -sum p_k ln p_k and the rank (default tolerance) from one QR and SVD."""
    sigma = schmidt_values(values, region, levels=levels)
    return EntanglementProfile(
        schmidt_values=sigma,
        entropy=entropy_of_probabilities(_probabilities_from_values(sigma)),
        rank=_rank(sigma),
    )


def max_entropy(region_size: int, n_pixels: int, levels: int) -> float:
    """The volume-law ceiling min(|A|, |B|) ln d that no function can exceed, in nats."""
    return min(region_size, n_pixels - region_size) * math.log(levels)


def page_entropy(m: int, n: int) -> float:
    """Page's mean entanglement entropy (nats) of a Haar-random pure state on an m x n bipartition.

        S_{m,n} = sum_{k=n+1}^{mn} 1/k - (m - 1) / (2n),  m <= n (the arguments are swapped otherwise),

    evaluated as psi(mn + 1) - psi(n + 1) - (m - 1)/(2n) with the digamma function. This is the average
    over the unitary-invariant (complex Gaussian) ensemble; real Gaussian functions average lower
    (e.g. 0.278 against 1/3 for m = n = 2), so compare real functions with a sampled mean instead.
    """
    for name, value in (("m", m), ("n", n)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise InvalidInputError(f"{name} must be a positive integer dimension, got {value!r}")
    m, n = sorted((int(m), int(n)))
    return float(digamma(m * n + 1.0) - digamma(n + 1.0) - (m - 1) / (2.0 * n))
