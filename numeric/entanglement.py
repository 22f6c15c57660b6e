"""Schmidt spectra and entanglement entropies of functions of images.

A function f of images on N pixels with d levels is a flat array of d^N values (pixel 0 the most
significant digit). For a region A of pixels, M[s_A, s_B] = f(s) is the d^|A| x d^|B| matrix whose
singular values sigma_k are the Schmidt values; p_k = sigma_k^2 / sum_j sigma_j^2 are the Schmidt
probabilities (the spectrum of the reduced density matrix of the normalised state f / ||f||_2), and

    S_A = -sum_k p_k ln p_k                  (von Neumann, nats)
    S_alpha = ln(sum_k p_k^alpha) / (1 - alpha)   (Renyi; S_0 = ln rank, S_inf = -ln max_k p_k).

Numerics: the spectrum comes from the Gram matrix of the smaller side, G = M M^H (or M^H M), accumulated slice by
slice with BLAS rank-k updates (:mod:`numeric.gram`; no reordered copy of the whole function), and a symmetric
eigensolver. Every spectrum carries a computed bound on its rounding error (:class:`SchmidtSpectrum`), a worst case
far above the errors seen: 1e-12 to 1e-8 nats in float64 (the default) and 1e-3 to 1e-1 in float32
(``precision="float32"``: half the memory of f, single-precision BLAS). Probabilities below D eps p_max (D = side of
G) are float noise and set to 0. Many cuts of one function share work (:func:`schmidt_spectra`). Schmidt values and
ranks need small sigma_k resolved, which a Gram eigenvalue cannot do (the square root of eps * sigma_max^2 is
sqrt(eps) * sigma_max); they come from a Householder QR of the long side and the SVD of its small triangular factor,
accurate to about eps * sigma_max like an SVD of M.

Edge cases: A empty or A = all pixels gives one Schmidt value ||f||, rank 1 and S = 0 (no cut).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.linalg import eigvalsh
from scipy.special import digamma
from tqdm import tqdm

from numeric.errors import InvalidInputError
from numeric.gram import GramMatrix, gamma, gram_matrix, partial_trace, unit_roundoff
from numeric.lapack import symmetric_eigenvalues
from numeric.lattice import Region, validate_region
from numeric.memory import require_memory

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


Precision = Literal["float64", "float32"]
_DTYPES = {
    "float64": (np.dtype(np.float64), np.dtype(np.complex128)),
    "float32": (np.dtype(np.float32), np.dtype(np.complex64)),
}


def _working_dtype(array: np.ndarray, precision: str) -> np.dtype:
    if precision not in _DTYPES:
        raise InvalidInputError(f"precision must be 'float64' or 'float32', got {precision!r}")
    real, complex_ = _DTYPES[precision]
    return complex_ if array.dtype.kind == "c" else real


def _check_values(array: np.ndarray) -> None:
    """Raise InvalidInputError for NaN or infinite entries, or for a function that is zero everywhere."""
    # One pass without a copy: a NaN or inf makes the sum non-finite; only then (or on overflow) count exactly.
    if not np.isfinite(np.sum(array)):
        not_finite = array.size - int(np.count_nonzero(np.isfinite(array)))
        if not_finite:
            raise InvalidInputError(f"values holds {not_finite} NaN or infinite entries; entropies need finite values")
    if not np.any(array):
        raise InvalidInputError("values is zero on every image: f = 0 has no normalised state and no entropy")


def as_state_tensor(
    values: np.ndarray, *, levels: int = 2, precision: Precision = "float64", check_values: bool = True
) -> np.ndarray:
    """Validate a function's values and return them as a tensor of shape (d,)*N.

    The dtype is float64/complex128, or float32/complex64 with ``precision="float32"`` (a rounded copy
    unless the values already are single precision). Raises InvalidInputError for a wrong length, levels
    < 2 and, unless ``check_values=False``, non-finite or all-zero values.
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
    dtype = _working_dtype(array, precision)
    if array.dtype != dtype:
        require_memory(
            array.size * dtype.itemsize,
            f"a {dtype} copy of the {array.size}-entry function",
            "use a smaller lattice, or pass the values as float32 with precision='float32'",
        )
    if check_values:
        _check_values(array)
    with np.errstate(over="ignore"):  # values beyond float32's range become inf: refused below, or rescaled
        converted = np.asarray(array, dtype=dtype)
    if check_values and converted is not array and not np.isfinite(np.sum(converted)):
        raise InvalidInputError(
            f"values exceed the range of {dtype} (about {np.finfo(dtype).max:.1e}); "
            "rescale them or use precision='float64'"
        )
    return converted.reshape((levels,) * n_pixels)


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
            tensor.nbytes,
            f"reordering the {tensor.size}-entry function so that region A comes first",
            "use a smaller lattice or a region that is a prefix of the pixel order",
        )
    return tensor.transpose(order).reshape(levels ** len(rows), levels ** len(columns))


@dataclass(frozen=True)
class SchmidtSpectrum:
    """The Schmidt probabilities p_k of one cut (descending, summing to 1) and a computed bound T on their
    rounding error: (1/2) sum_k |p_k - p_k^exact| <= T, both spectra sorted (total-variation distance)."""

    probabilities: np.ndarray
    distance_bound: float
    precision: str
    dimension: int | None = None
    """The dimension of the space both spectra live in, for Fannes-Audenaert (default: len(probabilities);
    larger when the exact spectrum may have more nonzero values than the computed one)."""

    def entropy(self, alpha: float = 1.0) -> float:
        """S_alpha in nats (see :func:`entropy_of_probabilities`)."""
        return entropy_of_probabilities(self.probabilities, alpha)

    @property
    def entropy_error_bound(self) -> float:
        """A bound, in nats, on |S - S_exact| for the von Neumann entropy S = self.entropy().

        Fannes-Audenaert: |S(p) - S(q)| <= T ln(D - 1) + h(T) for T = (1/2)||p - q||_1 <= 1 - 1/D, with
        h the binary entropy (ln D otherwise), plus float64's error in evaluating -sum p ln p itself.
        """
        return _fannes_audenaert(
            self.distance_bound, self.dimension or self.probabilities.size, self.probabilities.size
        )


def _fannes_audenaert(distance: float, dimension: int, terms: int | None = None) -> float:
    """The bound for spectra in ``dimension`` dimensions whose entropy is evaluated over ``terms`` values."""
    if dimension <= 1:
        return 0.0
    ceiling = math.nextafter(math.log(dimension), math.inf)  # rounded up: ln 2 in float64 is below ln 2
    if not distance < 1 - 1 / dimension:
        return ceiling
    binary = -distance * math.log(distance) - (1 - distance) * math.log1p(-distance) if distance > 0 else 0.0
    evaluation = gamma((dimension if terms is None else terms) + 4, unit_roundoff(np.float64)) * (ceiling + 1)
    return min(ceiling, distance * math.log(dimension - 1) + binary + evaluation)


_SMALL_EIGENPROBLEM = 64
_MKL_SIDE = 2048
"""From this side on, eigenvalues come from MKL's ``?syevd`` in place where it is available
(:func:`numeric.lapack.symmetric_eigenvalues`): 0.82 of scipy's default time at 2048, 0.37 at 8192, no gain
below (docs: Performance)."""


def _eigenvalues(gram: GramMatrix, dtype: np.dtype) -> tuple[np.ndarray, float, float]:
    """G's eigenvalues (descending) from LAPACK in ``dtype`` (the float64 Gram itself is overwritten), with
    the bound D p(D) u ||G||_2 on their l1 error, p(D) = D, and u (LAPACK's backward-error bound, which holds
    for MKL's ?syevd and scipy's ?syevr alike: both reduce G by orthogonal transformations)."""
    matrix = gram.matrix if gram.matrix.dtype == dtype else gram.matrix.astype(dtype, order="F")
    found = symmetric_eigenvalues(matrix) if matrix.shape[0] >= _MKL_SIDE else None  # None: no MKL
    if found is None and matrix.shape[0] <= _SMALL_EIGENPROBLEM:  # numpy's wrapper costs less per call
        found = np.linalg.eigvalsh(matrix, UPLO="U")
    elif found is None:
        found = eigvalsh(matrix, lower=False, overwrite_a=True, check_finite=False)
    eigenvalues = np.sort(found.astype(np.float64))[::-1]
    side, roundoff = eigenvalues.size, unit_roundoff(dtype)
    largest = max(eigenvalues[0], 0.0)
    return eigenvalues, side * side * roundoff * largest / (1 - side * roundoff), roundoff


def _spectrum(gram: GramMatrix, precision: str, input_roundoff: float) -> SchmidtSpectrum:
    """Eigenvalues of the Gram matrix (overwritten), the probabilities and their distance bound T.

    Eigenvalue errors: ||lambda^ - lambda||_1 <= sqrt(D) ||G^ - G||_F (Hoffman-Wielandt) for the Gram's
    rounding, with ||G^ - G||_F <= K ||f||^2 and ||f||^2 <= tr G^ / (1 - K), K = c (1 + v)^2 + 2v + v^2 for
    input rounding v; plus D p(D) u ||G^||_2 for the eigensolver, LAPACK's backward-error bound taken with
    p(D) = D (LAPACK's users' guide uses p(D) = 1). In float32 the eigensolver runs in single precision
    and is repeated in float64 when its term would dominate (spectra with a few large eigenvalues).
    Eigenvalues below 2 D u lambda_max are float noise and set to 0, their mass added to the error.
    Then T = ||lambda^ - lambda||_1 / (sum of lambda^ - that).
    """
    side = gram.matrix.shape[0]
    coefficient = gram.error_coefficient * (1 + input_roundoff) ** 2 + input_roundoff * (2 + input_roundoff)
    gram_error = math.sqrt(side) * coefficient * gram.trace / (1 - coefficient) if coefficient < 1 else math.inf
    eigenvalues, eigensolver_error, roundoff = _eigenvalues(gram, _working_dtype(gram.matrix, precision))
    if eigensolver_error > gram_error and roundoff > unit_roundoff(gram.matrix.dtype):
        eigenvalues, eigensolver_error, roundoff = _eigenvalues(gram, gram.matrix.dtype)
    kept = np.where(eigenvalues > 2 * side * roundoff * max(eigenvalues[0], 0.0), eigenvalues, 0.0)
    l1_error = gram_error + eigensolver_error + float(np.sum(np.abs(eigenvalues - kept)))
    mass = float(kept.sum())
    distance = l1_error / (mass - l1_error) if mass > l1_error else math.inf
    return SchmidtSpectrum(kept / mass, distance, precision)


_SAFE_TRACE = {"float64": (1e-280, 1e280), "float32": (1e-20, 1e30)}


def schmidt_spectra(
    values: np.ndarray,
    regions: Sequence[Iterable[int]],
    *,
    levels: int = 2,
    precision: Precision = "float64",
    progress: bool = False,
) -> list[SchmidtSpectrum]:
    """The Schmidt spectrum of every region's cut, sharing work between them.

    Each cut is computed on its smaller side S (a region and its complement share one computation). The
    sides are taken largest first; a side inside one already computed gets its Gram matrix as a partial
    trace of that one's (d^|P|^2 work instead of a pass over all d^N values of f); the others are
    accumulated from f (:mod:`numeric.gram`). ``precision="float32"`` halves the memory of f and runs BLAS
    in single precision; every spectrum carries its computed error bound either way.
    """
    array = np.asarray(values)
    tensor = as_state_tensor(array, levels=levels, precision=precision, check_values=False)
    n_pixels = tensor.ndim
    sides = [min(_split(region, n_pixels), key=lambda side: (len(side), side)) for region in regions]
    planned: dict[Region, frozenset[int]] = {}
    children: dict[Region | None, list[Region]] = {}
    for side in sorted(set(sides), key=lambda side: (-len(side), side)):
        pixels = frozenset(side)
        containing = [other for other, inside in planned.items() if pixels <= inside]
        children.setdefault(min(containing, key=len) if containing else None, []).append(side)
        planned[side] = pixels
    exact_copy = np.can_cast(array.dtype, tensor.dtype, casting="safe")  # e.g. int8 -> float32 is exact
    input_roundoff = 0.0 if exact_copy else unit_roundoff(tensor.dtype)
    spectra: dict[Region, SchmidtSpectrum] = {}
    bar = tqdm(total=len(planned), desc="cuts", unit="cut", disable=None, leave=False) if progress else nullcontext()
    with bar:

        def solve(gram: GramMatrix) -> None:
            for child in children.get(gram.pixels, []):
                solve(partial_trace(gram, child, levels))
            spectra[gram.pixels] = _spectrum(gram, precision, input_roundoff)
            if progress:
                bar.update()

        for root in children.get(None, []):
            with np.errstate(over="ignore", invalid="ignore"):  # inf or NaN values show in the trace
                gram = gram_matrix(tensor, root, _split(root, n_pixels)[1])
            low, high = _SAFE_TRACE[precision]
            if not low < gram.trace < high:  # invalid values, or squares that under/overflow: rescale f
                _check_values(array)
                scale = np.max(np.abs(array))
                tensor = as_state_tensor(array / scale, levels=levels, precision=precision, check_values=False)
                input_roundoff = unit_roundoff(tensor.dtype) + unit_roundoff(np.float64)
                gram = gram_matrix(tensor, root, _split(root, n_pixels)[1])
            solve(gram)
    return [spectra[side] for side in sides]


def schmidt_spectrum(
    values: np.ndarray, region: Iterable[int], *, levels: int = 2, precision: Precision = "float64"
) -> SchmidtSpectrum:
    """One cut's Schmidt probabilities with their computed error bound (see :func:`schmidt_spectra`)."""
    return schmidt_spectra(values, [region], levels=levels, precision=precision)[0]


def schmidt_probabilities(
    values: np.ndarray, region: Iterable[int], *, levels: int = 2, precision: Precision = "float64"
) -> np.ndarray:
    """p_k = sigma_k^2 / sum_j sigma_j^2, descending, length min(d^|A|, d^|B|); they sum to 1."""
    return schmidt_spectrum(values, region, levels=levels, precision=precision).probabilities


def schmidt_values(
    values: np.ndarray, region: Iterable[int], *, levels: int = 2, method: Literal["qr", "svd"] = "qr"
) -> np.ndarray:
    """Singular values sigma_k of M = f reshaped to d^|A| x d^|B| (unnormalised f), descending.

    ``method="qr"`` (default): Householder QR of the long side, M^T = Q R (or M = Q R), then the SVD of the
    small triangular R, whose singular values are M's; backward stable, so every sigma_k is accurate to
    ~eps * sigma_max like a direct SVD, at the cost of a Gram matrix. ``method="svd"``: LAPACK's SVD of M.
    """
    if method not in ("qr", "svd"):
        raise InvalidInputError(f"method must be 'qr' or 'svd', got {method!r}")
    tensor = as_state_tensor(values, levels=levels)
    # The reordered Schmidt matrix and the factorisation's working copy, checked before either exists.
    require_memory(
        2 * tensor.nbytes,
        "the Schmidt values (a factorisation of the Schmidt matrix)",
        "use a smaller region or lattice, or entropies without ranks "
        "(entanglement_entropy; --no-rank on the command line)",
    )
    matrix = schmidt_matrix(tensor, region, levels=levels)
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
    # ln sum p^alpha = alpha ln p_max + ln sum (p / p_max)^alpha: no underflow to ln 0 at large alpha
    largest = p.max()
    log_sum = alpha * math.log(largest) + math.log(float(np.sum((p / largest) ** alpha)))
    return float(max(0.0, log_sum / (1.0 - alpha)))


def entanglement_entropy(
    values: np.ndarray, region: Iterable[int], *, levels: int = 2, alpha: float = 1.0, precision: Precision = "float64"
) -> float:
    """Entanglement entropy S_A of the normalised function f / ||f||, in nats.

    alpha = 1 (default): von Neumann, -sum p_k ln p_k; alpha = inf: -ln max p_k; alpha = 0: ln of the
    Schmidt rank (with schmidt_rank's default tolerance); other alpha: ln(sum p_k^alpha) / (1 - alpha).
    """
    alpha = _validated_alpha(alpha)
    if alpha == 0.0:
        return math.log(schmidt_rank(values, region, levels=levels))
    return schmidt_spectrum(values, region, levels=levels, precision=precision).entropy(alpha)


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


def max_schmidt_rank(region_size: int, n_pixels: int, levels: int) -> int:
    """The rank ceiling d^min(|A|, |B|) that no function's Schmidt rank can exceed (exact integer)."""
    return levels ** min(region_size, n_pixels - region_size)


LABELS = ("01", "pm1")  # a 0/1 label f as it is, or 2f - 1


def check_labels(labels: str) -> None:
    """Refuse a label encoding other than LABELS."""
    if labels not in LABELS:
        raise InvalidInputError(f"labels must be '01' or 'pm1', got {labels!r}")


def matched_random_entropy(density: float, m: int, n: int, labels: str = "01") -> float:
    """S_A (nats) of a random function with a given density of ones on an m x n cut: the control of a
    target with that density (same density, no structure).

    The m x n matrix of a random labelling has entries of mean mu and second moment s2: mu = s2 = p for
    0/1 labels, mu = 2p - 1 and s2 = 1 for +-1 labels (p the density). Its constant part mu 1 1^T carries
    the fraction w = mu^2 / s2 of the squared norm; the rest is an unstructured bulk. As n / m -> oo the
    Gram matrix concentrates on n [(s2 - mu^2) I + mu^2 J] (law of large numbers), whose normalised
    eigenvalues are W_1 = w + (1 - w) / m once and (1 - w) / m (m - 1 times), so

        S -> -W_1 ln W_1 - (1 - W_1) ln((1 - w) / m) = h(W_1) + (1 - W_1) ln(m - 1),

    h the binary entropy. At finite n the bulk is spread like a random (m - 1) x (n - 1) matrix; this
    returns h(W_1) + (1 - W_1) S_Page(m - 1, n - 1), which tends to the limit. Checked against the mean of
    exact draws of density-matched functions (tests/test_entanglement.py): within 4 standard errors plus
    m / n for m / n <= 1/256; above it where m = n, by 0.3 % to 4 % at m = n = 256 and 0.1 % to 0.7 % at m = n = 1024,
    the most for the densest labellings (Page's value is the complex-Gaussian mean; real matrices sit lower,
    and few zeros per row are far from Gaussian). Dimensions may be astronomically large (an
    l x l square in a 12 x 12 image: m = 2^(l^2), n = 2^(144 - l^2)).
    """
    check_labels(labels)
    if not 0 <= density <= 1 or (labels == "01" and density == 0):
        raise InvalidInputError(
            f"density must be in (0, 1] for 0/1 labels and [0, 1] for +-1 labels, got {density!r}"
            " (f = 0 has no normalised state)"
        )
    for name, value in (("m", m), ("n", n)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise InvalidInputError(f"{name} must be a positive integer dimension, got {value!r}")
    m, n = sorted((int(m), int(n)))
    mean, second_moment = (density, density) if labels == "01" else (2 * density - 1, 1.0)
    constant_weight = mean * mean / second_moment
    top = constant_weight + (1 - constant_weight) / m
    if m == 1 or top >= 1:
        return 0.0
    binary = -top * math.log(top) - (1 - top) * math.log1p(-top)
    return binary + (1 - top) * page_entropy(m - 1, max(n - 1, 1))


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
