"""Matrix-product states (tensor trains) built from local factors, with their truncation error: the
tensor-network engine for functions that are products of local pieces (ConvACs:
:func:`cnn_bounds.networks.convac.convac_mps`).

An MPS on sites 0..L-1 with physical dimensions n_t is f(s) = A_0[s_0] A_1[s_1] ... A_{L-1}[s_{L-1}], cores
A_t of shape (chi_t, n_t, chi_{t+1}), chi_0 = chi_L = 1. Two arithmetics:

* float64: :func:`compress` makes the MPS left-canonical by QR, then sweeps back with SVDs and drops, at
  each bond, the smallest Schmidt values whose squares sum to at most (tolerance ||f||)^2. The dropped
  squares are the discarded weight eps_t, and ||f - f~||_2 <= sqrt(sum_t eps_t) (Oseledets, TT-SVD, SIAM J.
  Sci. Comput. 33, 2295 (2011), Thm 2.2). Each MPS carries ``error``, a bound on ||f - f~||_2 from all the
  truncations that made it (products propagate it: ||(f - f~) g|| <= ||f - f~||_2 max|g|). Rounding in the
  QR and SVD sweeps (backward stable, relative ~1e-16 per step) is not in that bound; the tests measure it
  against the dense engine (|dS| <= 1e-9).
* exact over GF(p) (``modulus=p``, a prime < 2^28, residues in int64): :func:`compress` factors each bond
  as C X with both factors of full rank (row reduction, :func:`numeric.precise.row_reduce_mod_p`), left to
  right and back. After the two sweeps the left and right interface functions of every bond are linearly
  independent, so every bond dimension *is* the Schmidt rank over GF(p) across that bond: exact, nothing
  dropped.

:func:`bond_spectra` gives the Schmidt spectrum across every bond of a float MPS, each with the entropy
error bound that follows from ``error`` (:class:`numeric.entanglement.SchmidtSpectrum`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from numeric.entanglement import SchmidtSpectrum
from numeric.errors import InvalidInputError
from numeric.memory import require_memory
from numeric.precise import row_reduce_mod_p

DEFAULT_TOLERANCE = 1e-13
"""compress's default: the discarded weight at a bond is at most (DEFAULT_TOLERANCE ||f||)^2."""


@dataclass(frozen=True)
class MatrixProductState:
    """Cores (chi_t, n_t, chi_{t+1}); ``modulus`` p for residues mod p (exact), None for float64; ``error``
    bounds ||f - (this MPS)||_2 from truncations (0 for an exact MPS)."""

    cores: tuple[np.ndarray, ...]
    modulus: int | None = None
    error: float = 0.0

    @property
    def dims(self) -> list[int]:
        return [core.shape[1] for core in self.cores]

    @property
    def bond_dimensions(self) -> list[int]:
        """chi_1 .. chi_{L-1}: bond t separates sites 0..t-1 from t..L-1."""
        return [core.shape[0] for core in self.cores[1:]]


def _matmul(a: np.ndarray, b: np.ndarray, modulus: int | None) -> np.ndarray:
    """a @ b, in float64 or exactly mod p (int64 sums of at most floor(2^63 / p^2) products at a time)."""
    if modulus is None:
        return a @ b
    chunk = max(1, (2**63 - 1) // (modulus - 1) ** 2)
    result = np.zeros((a.shape[0], b.shape[1]), dtype=np.int64)
    for start in range(0, a.shape[1], chunk):
        result = (result + a[:, start : start + chunk] @ b[start : start + chunk]) % modulus
    return result


def _factor(matrix: np.ndarray, modulus: int | None) -> tuple[np.ndarray, np.ndarray]:
    """matrix = C X with C of full column rank: a Householder QR in float64 (C orthonormal, nothing dropped),
    a row reduction mod p (C = the pivot columns, X = the reduced rows)."""
    if modulus is None:
        return np.linalg.qr(matrix)
    reduced, pivots = row_reduce_mod_p(matrix, modulus)
    if not pivots:
        raise InvalidInputError("the function is zero mod p: it has no Schmidt decomposition")
    return matrix[:, pivots], reduced


def tensor_to_mps(tensor: np.ndarray, modulus: int | None = None) -> MatrixProductState:
    """The MPS of a dense tensor (one site per axis), by successive factorisations of its unfoldings
    (the factorisation; bond t is at most min(prod n_{<t}, prod n_{>=t})): nothing is truncated, so the
    float MPS is f up to rounding and the residue MPS is f exactly."""
    tensor = np.asarray(tensor, dtype=np.int64 if modulus is not None else np.float64)
    if tensor.ndim == 0:
        raise InvalidInputError("tensor_to_mps needs a tensor with at least one axis")
    rest = tensor % modulus if modulus is not None else tensor
    cores, left = [], 1
    for dim in tensor.shape[:-1]:
        columns, rest = _factor(rest.reshape(left * dim, -1), modulus)
        cores.append(columns.reshape(left, dim, columns.shape[1]))
        left = columns.shape[1]
    cores.append(rest.reshape(left, tensor.shape[-1], 1))
    return MatrixProductState(tuple(cores), modulus)


def embed(mps: MatrixProductState, sites: list[int], dims: list[int]) -> MatrixProductState:
    """The same function on len(dims) sites, depending only on ``sites`` (increasing): the other sites
    get pass-through cores delta_ab (every value of s_t alike). The error is in the l2 norm over all the
    sites, so it grows by sqrt(prod of the other sites' dimensions)."""
    if len(sites) != len(mps.cores) or list(sites) != sorted(set(sites)) or sites[0] < 0 or sites[-1] >= len(dims):
        raise InvalidInputError(f"sites must be {len(mps.cores)} increasing indices below {len(dims)}, got {sites}")
    dtype = mps.cores[0].dtype
    placed = dict(zip(sites, mps.cores))
    cores, bond = [], 1
    for site, dim in enumerate(dims):
        if site in placed:
            core = placed[site]
            if core.shape[1] != dim:
                raise InvalidInputError(
                    f"site {site} has dimension {dim} but the core placed there has {core.shape[1]}"
                )
            cores.append(core)
            bond = core.shape[2]
        else:
            cores.append(np.broadcast_to(np.eye(bond, dtype=dtype)[:, None, :], (bond, dim, bond)).copy())
    others = math.prod(dim for site, dim in enumerate(dims) if site not in placed)
    return MatrixProductState(tuple(cores), mps.modulus, mps.error * math.sqrt(others))


def hadamard(
    a: MatrixProductState, b: MatrixProductState, b_max: float = math.inf, b_sup_error: float = 0.0
) -> MatrixProductState:
    """The elementwise product f g: cores A_t[i, s, j] B_t[k, s, l] on bonds (i k, j l). With b_max >= max|g~|
    and b_sup_error >= max|g - g~|, ||fg - f~g~||_2 <= error(f) b_max + b_sup_error (||f~||_2 + error(f)):
    g's error enters through the largest value b_sup_error, not through b.error (an l2 norm)."""
    if a.dims != b.dims or a.modulus != b.modulus:
        raise InvalidInputError("hadamard needs two MPSs on the same sites and in the same arithmetic")
    require_memory(
        sum(x.nbytes * y.size for x, y in zip(a.cores, b.cores)),
        f"the product of two MPSs of bonds up to {max(a.bond_dimensions + [1])} and {max(b.bond_dimensions + [1])}",
        "use fewer channels or layers, or a smaller image",
    )
    cores = []
    for x, y in zip(a.cores, b.cores):
        core = np.einsum("isj,ksl->iksjl", x, y).reshape(x.shape[0] * y.shape[0], x.shape[1], x.shape[2] * y.shape[2])
        cores.append(core % a.modulus if a.modulus is not None else core)
    error = 0.0
    if a.modulus is None:
        error = (a.error * b_max if a.error else 0.0) + (b_sup_error * (norm(a) + a.error) if b_sup_error else 0.0)
    return MatrixProductState(tuple(cores), a.modulus, error)


def contract_site(mps: MatrixProductState, site: int, vector: np.ndarray) -> MatrixProductState:
    """sum_s vector[s] f(..., s_site = s, ...): the site is removed (its matrix absorbed into a neighbour);
    error(result) <= ||vector||_2 error(f)."""
    if len(mps.cores) < 2:
        raise InvalidInputError("contract_site needs an MPS of at least two sites")
    vector = np.asarray(vector, dtype=mps.cores[site].dtype)
    matrix = np.einsum("isj,s->ij", mps.cores[site], vector)
    if mps.modulus is not None:  # sums of n_site products of residues: reduce before multiplying again
        matrix %= mps.modulus
    cores = list(mps.cores)
    del cores[site]
    if site < len(cores):
        core = cores[site]
        merged = _matmul(matrix, core.reshape(core.shape[0], -1), mps.modulus).reshape(matrix.shape[0], *core.shape[1:])
        cores[site] = merged
    else:
        core = cores[site - 1]
        merged = _matmul(core.reshape(-1, core.shape[2]), matrix, mps.modulus).reshape(*core.shape[:2], matrix.shape[1])
        cores[site - 1] = merged
    return MatrixProductState(
        tuple(cores), mps.modulus, float(np.linalg.norm(vector)) * mps.error if mps.error else 0.0
    )


def _left_orthogonalise(cores: list[np.ndarray]) -> None:
    for t in range(len(cores) - 1):
        left, dim, right = cores[t].shape
        q, r = np.linalg.qr(cores[t].reshape(left * dim, right))
        cores[t] = q.reshape(left, dim, q.shape[1])
        nxt = cores[t + 1]
        cores[t + 1] = (r @ nxt.reshape(nxt.shape[0], -1)).reshape(r.shape[0], *nxt.shape[1:])


def _compress_float(mps: MatrixProductState, tolerance: float) -> MatrixProductState:
    cores = list(mps.cores)
    _left_orthogonalise(cores)
    discarded = 0.0
    for t in range(len(cores) - 1, 0, -1):  # right to left: bond t between sites t-1 and t
        left, dim, right = cores[t].shape
        u, sigma, vh = np.linalg.svd(cores[t].reshape(left, dim * right), full_matrices=False)
        weight = float(np.sum(sigma**2))
        tail = np.cumsum((sigma**2)[::-1])[::-1]  # tail[k] = sum of sigma_j^2 for j >= k
        allowed = (tolerance**2) * weight
        keep = max(1, int(np.count_nonzero(tail > allowed)))
        discarded += float(tail[keep]) if keep < sigma.size else 0.0
        cores[t] = vh[:keep].reshape(keep, dim, right)
        before = cores[t - 1]
        cores[t - 1] = (before.reshape(-1, left) @ (u[:, :keep] * sigma[:keep])).reshape(*before.shape[:2], keep)
    return MatrixProductState(tuple(cores), None, mps.error + math.sqrt(discarded))


def _compress_modular(mps: MatrixProductState) -> MatrixProductState:
    p = mps.modulus
    cores = list(mps.cores)
    for t in range(len(cores) - 1):  # left to right: A = A[:, pivots] R, R pushed into the next core
        left, dim, right = cores[t].shape
        columns, reduced = _factor(cores[t].reshape(left * dim, right), p)
        cores[t] = columns.reshape(left, dim, columns.shape[1])
        nxt = cores[t + 1]
        cores[t + 1] = _matmul(reduced, nxt.reshape(nxt.shape[0], -1), p).reshape(columns.shape[1], *nxt.shape[1:])
    for t in range(len(cores) - 1, 0, -1):  # right to left: A = R^T A[pivot rows], R^T pushed left
        left, dim, right = cores[t].shape
        matrix = cores[t].reshape(left, dim * right)
        reduced, pivots = row_reduce_mod_p(matrix.T, p)
        cores[t] = matrix[pivots].reshape(len(pivots), dim, right)
        before = cores[t - 1]
        cores[t - 1] = _matmul(before.reshape(-1, left), np.ascontiguousarray(reduced.T), p).reshape(
            *before.shape[:2], len(pivots)
        )
    return MatrixProductState(tuple(cores), p, 0.0)


def compress(mps: MatrixProductState, tolerance: float = DEFAULT_TOLERANCE) -> MatrixProductState:
    """The MPS with its bonds brought down to the Schmidt ranks (see the module docstring): float64 drops at
    most (tolerance ||f||)^2 of weight per bond and adds sqrt(total dropped) to ``error``; mod p is exact."""
    if not 0 <= tolerance < 1:
        raise InvalidInputError(f"tolerance must be in [0, 1), got {tolerance}")
    if mps.modulus is not None:
        return _compress_modular(mps)
    return _compress_float(mps, tolerance)


def norm(mps: MatrixProductState) -> float:
    """||f||_2 of a float MPS (contracted site by site)."""
    if mps.modulus is not None:
        raise InvalidInputError("the norm of a residue MPS is not defined; use a float64 MPS")
    environment = np.ones((1, 1))
    for core in mps.cores:  # E'[c, d] = sum_{a, b, s} E[a, b] A[a, s, c] A[b, s, d], as two matrix products
        left, dim, right = core.shape
        half = (environment.T @ core.reshape(left, dim * right)).reshape(left * dim, right)
        environment = half.T @ core.reshape(left * dim, right)
    return math.sqrt(max(float(environment[0, 0]), 0.0))


UNIT_ROUNDOFF = 2.0**-53
HOUSEHOLDER_CONSTANT = 8
"""c in Higham's bound for one Householder reflector applied in float64, gamma~_m = c m u / (1 - c m u)
(Accuracy and Stability of Numerical Algorithms, 2nd ed., Lemma 19.2); a QR with n reflectors has n times it."""


def _gamma(n: float) -> float:
    """Higham's gamma_n = n u / (1 - n u): the relative rounding of n float64 operations in sequence."""
    nu = n * UNIT_ROUNDOFF
    if nu >= 0.5:
        raise InvalidInputError("difference_norm's rounding bound needs n u < 1/2; the MPS is too large for it")
    return nu / (1.0 - nu)


def _suffix_spectral_norms(cores: tuple[np.ndarray, ...]) -> list[float]:
    """||S_t||_2 for every bond t (between sites t and t+1): S_t is the matrix from bond t's index to the
    values on sites t+1.. (S_t = R'_t Q' with Q' orthonormal rows, from right-to-left QRs)."""
    norms = [0.0] * (len(cores) - 1)
    right = np.ones((1, 1))
    for t in range(len(cores) - 1, 0, -1):
        core = cores[t]
        matrix = (core.reshape(-1, core.shape[2]) @ right).reshape(core.shape[0], -1)
        r = np.linalg.qr(matrix.T, mode="r").T  # matrix = r q with q of orthonormal rows
        norms[t - 1] = float(np.linalg.norm(r, 2))
        right = r
    return norms


def difference(a: MatrixProductState, b: MatrixProductState) -> MatrixProductState:
    """The MPS of f - g (bond dimensions added): the cores stacked block-diagonally, the first as
    [A_0, -B_0] and the last as [A_{L-1}; B_{L-1}]. Its ``error`` is the sum of the two."""
    if a.dims != b.dims or a.modulus is not None or b.modulus is not None:
        raise InvalidInputError("the difference of two MPSs needs two float64 MPSs on the same sites")
    if len(a.cores) == 1:
        return MatrixProductState((a.cores[0] - b.cores[0],), None, a.error + b.error)
    last = len(a.cores) - 1
    cores = []
    for t, (x, y) in enumerate(zip(a.cores, b.cores)):
        if t == 0:
            cores.append(np.concatenate([x, -y], axis=2))
        elif t == last:
            cores.append(np.concatenate([x, y], axis=0))
        else:
            block = np.zeros((x.shape[0] + y.shape[0], x.shape[1], x.shape[2] + y.shape[2]))
            block[: x.shape[0], :, : x.shape[2]], block[x.shape[0] :, :, x.shape[2] :] = x, y
            cores.append(block)
    return MatrixProductState(tuple(cores), None, a.error + b.error)


def sample(mps: MatrixProductState, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` configurations drawn independently with probability |f(s)|^2 / ||f||^2 (exact, no Markov
    chain): the MPS is made right-orthogonal by QR from the last site, so that the marginal of the digits
    s_0..s_t is the squared norm of A_0[s_0] ... A_t[s_t], and the digits are drawn site by site from those
    conditionals. O(L d chi^3) for the QRs, O(L d chi^2) per configuration. Returns an int16 array
    (count, L)."""
    if mps.modulus is not None:
        raise InvalidInputError("sampling needs a float64 MPS, not residues")
    cores = [np.ascontiguousarray(core.transpose(2, 1, 0)) for core in reversed(mps.cores)]
    _left_orthogonalise(cores)  # the mirrored chain left-orthogonal = the chain right-orthogonal
    cores = [core.transpose(2, 1, 0) for core in reversed(cores)]
    if not np.any(cores[0]):
        raise InvalidInputError("f is zero: it has no distribution to sample")
    drawn = np.empty((count, len(cores)), dtype=np.int16)
    vectors = np.ones((count, 1))
    for t, core in enumerate(cores):
        branches = np.einsum("nl,ldr->ndr", vectors, core)
        weights = np.einsum("ndr,ndr->nd", branches, branches)
        cumulative = np.cumsum(weights, axis=1)
        # digit s when u * total lies in [cumulative[s-1], cumulative[s]): a digit of weight 0 is never drawn
        digits = np.minimum(
            np.sum(cumulative <= rng.random((count, 1)) * cumulative[:, -1:], axis=1), core.shape[1] - 1
        )
        drawn[:, t] = digits
        chosen = branches[np.arange(count), digits]
        vectors = chosen / np.linalg.norm(chosen, axis=1, keepdims=True)
    return drawn


def difference_norm_with_bound(a: MatrixProductState, b: MatrixProductState) -> tuple[float, float]:
    """||f - g||_2 and a bound on its float64 rounding error: |computed - exact| <= bound (to first order in
    the unit roundoff u = 2^-53; the cores are taken as exact).

    The MPS of f - g stacks the cores block-diagonally (the first as [A_0, -B_0], the last as [A_{L-1}; B_{L-1}])
    and is made left-orthogonal by QR; the norm is that of its last core, without the cancellation of
    ||f||^2 + ||g||^2 - 2 <f, g>. Rounding error (Higham, Lemma 3.5 and Thm 19.4): at site t the product
    M_t = R_{t-1} C_t (inner dimension k_t) is off by at most gamma_{k_t} ||R_{t-1}||_F ||C_t||_F (Frobenius),
    and the Householder QR of M_t (m_t x n_t) is the exact QR of M_t + E_t with
    ||E_t||_F <= n_t gamma_{c m_t} ||M_t||_F. The orthogonal factors before site t keep norms, so an error
    E in M_t moves the vector f - g by at most ||E||_F ||S_t||_2, with S_t the stacked right part
    [S^f_t; S^g_t] from bond t, ||S_t||_2 <= sqrt(||S^f_t||_2^2 + ||S^g_t||_2^2), and the norm of a vector moves
    by at most the norm of its error. The bound therefore grows with the gauge of the MPSs (the product of the
    norms of their left and right parts), not only with ||f|| + ||g||: about 1e-14 relative for unit-norm
    random MPSs of a few sites."""
    cores = difference(a, b).cores
    if len(cores) == 1:
        value = float(np.linalg.norm(cores[0]))
        return value, _gamma(cores[0].size + 2) * value
    suffix = [math.hypot(f, g) for f, g in zip(_suffix_spectral_norms(a.cores), _suffix_spectral_norms(b.cores))]
    suffix.append(1.0)  # after the last site, the vector itself
    matrix = cores[0].reshape(-1, cores[0].shape[2])
    bound = 0.0
    for t in range(1, len(cores)):
        rows, columns = matrix.shape
        r = np.linalg.qr(matrix, mode="r")
        bound += (
            min(rows, columns) * _gamma(HOUSEHOLDER_CONSTANT * rows) * float(np.linalg.norm(matrix)) * suffix[t - 1]
        )
        core = cores[t]
        matrix = (r @ core.reshape(core.shape[0], -1)).reshape(-1, core.shape[2])
        bound += _gamma(r.shape[1]) * float(np.linalg.norm(r) * np.linalg.norm(core)) * suffix[t]
    value = float(np.linalg.norm(matrix))
    return value, bound + _gamma(matrix.size + 1) * value


def difference_norm(a: MatrixProductState, b: MatrixProductState) -> float:
    """||f - g||_2 of two float64 MPSs on the same sites, computed without cancellation; its rounding error
    is bounded by :func:`difference_norm_with_bound`."""
    return difference_norm_with_bound(a, b)[0]


def values(mps: MatrixProductState) -> np.ndarray:
    """f on every configuration, site 0 the most significant digit (for checking small cases)."""
    size = math.prod(mps.dims)
    require_memory(
        8 * size * max(mps.bond_dimensions + [1]),
        f"the values of an MPS on all {size} configurations",
        "use fewer sites",
    )
    result = np.ones((1, 1), dtype=mps.cores[0].dtype)
    for core in mps.cores:
        result = _matmul(result, core.reshape(core.shape[0], -1), mps.modulus).reshape(-1, core.shape[2])
    return result.reshape(-1)


def bond_ranks(mps: MatrixProductState) -> list[int]:
    """The Schmidt rank over GF(p) across every bond of a residue MPS (exact: its bond dimensions after
    :func:`compress`)."""
    if mps.modulus is None:
        raise InvalidInputError("bond_ranks is for residue MPSs; for float64 use bond_spectra (and schmidt values)")
    return compress(mps).bond_dimensions


def bond_spectra(mps: MatrixProductState, tolerance: float = DEFAULT_TOLERANCE) -> list[SchmidtSpectrum]:
    """The Schmidt spectrum of f across every bond t = 1..L-1 (sites < t | sites >= t), each with the bound
    on |S - S_exact| that follows from the MPS's error e: for normalised f, f~, the reduced states' trace
    distance (and so the sorted spectra's, Mirsky) is at most ||f/|f| - f~/|f~| ||_2 <= 2 e / (|f~| - e),
    then Fannes-Audenaert in dimension min(prod n_{<t}, prod n_{>=t}). The spectra are those of the
    compressed f~ (one more truncation at ``tolerance``, added to e) read off a left-to-right SVD sweep."""
    if mps.modulus is not None:
        raise InvalidInputError("bond_spectra needs a float64 MPS; a residue MPS has ranks (bond_ranks), not spectra")
    compressed = compress(mps, tolerance)  # right-canonical: the orthogonality centre at site 0
    cores = list(compressed.cores)
    length = float(np.linalg.norm(cores[0]))
    spectra = []
    for t in range(len(cores) - 1):
        left, dim, right = cores[t].shape
        u, sigma, vh = np.linalg.svd(cores[t].reshape(left * dim, right), full_matrices=False)
        cores[t + 1] = np.einsum("ab,bsc->asc", sigma[:, None] * vh, cores[t + 1])
        weights = sigma**2
        total = float(weights.sum())
        error = compressed.error
        distance = 2 * error / (length - error) if length > error else math.inf
        before, after = math.prod(compressed.dims[: t + 1]), math.prod(compressed.dims[t + 1 :])
        spectra.append(SchmidtSpectrum(weights[weights > 0] / total, distance, "float64", min(before, after)))
    return spectra


__all__ = [
    "DEFAULT_TOLERANCE",
    "MatrixProductState",
    "bond_ranks",
    "bond_spectra",
    "compress",
    "contract_site",
    "difference",
    "difference_norm",
    "difference_norm_with_bound",
    "embed",
    "hadamard",
    "norm",
    "sample",
    "tensor_to_mps",
    "values",
]
