"""Exact and high-precision references for small cases, where float64 cannot decide.

- :func:`exact_schmidt_rank`: the rank of M = f reshaped over A|B computed exactly in integer
  arithmetic (sympy's fraction-free elimination), for real functions. It is the rank of the array *as
  stored*: a function computed in float64 (a product of random factors, say) may be exactly rank 1 in
  real arithmetic but full rank after rounding, and this function reports the latter.
- :func:`has_flat_spectrum`: whether S_A = ln(rank) holds exactly, the certified comparison where an
  entropy bound ln r is attained.
- :func:`schmidt_rank_mod_p`: the rank of an integer function's Schmidt matrix over the field GF(p), for
  functions computed modulo a prime (a network with random integer weights). It never exceeds the rank
  over the rationals of the same integers, and for random weights it equals the network's generic rank
  except with probability at most (polynomial degree) / p (Schwartz-Zippel).
- :func:`reference_probabilities` / :func:`reference_entropy`: the Schmidt spectrum and entropy at
  ``dps`` decimal digits with mpmath, from the exactly computed Gram matrix.

Both build the Gram matrix of the smaller side exactly, so they are meant for lattices of up to ~16
pixels (small side up to 64 states; mpmath takes about a second there).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import flint
import mpmath
import numpy as np
from sympy import ZZ, prevprime
from sympy.polys.matrices import DomainMatrix

from numeric.entanglement import schmidt_matrix
from numeric.errors import InvalidInputError

MAX_EXACT_SIDE = 64
_INT64_SAFE = 2**62


def _exact_gram(values: np.ndarray, region: Iterable[int], levels: int) -> list[list[int]]:
    """2^(-2e) G with G = M M^T on the smaller side, exactly, as Python ints.

    Every float64 is an integer times a power of two; scaling all values by 2^(-e) with e the smallest
    exponent present makes them integers, which changes neither the rank nor the normalised spectrum.
    """
    matrix = schmidt_matrix(values, region, levels=levels)
    if np.iscomplexobj(matrix):
        raise InvalidInputError("exact references take real functions; split a complex one into real parts")
    short = matrix if matrix.shape[0] <= matrix.shape[1] else matrix.T
    if short.shape[0] > MAX_EXACT_SIDE:
        raise InvalidInputError(
            f"the smaller side has {short.shape[0]} states; exact references stop at {MAX_EXACT_SIDE} "
            "(use a smaller region or lattice, or the float64 functions)"
        )
    if np.all(short == np.round(short)) and float(np.max(np.abs(short))) ** 2 * short.shape[1] < _INT64_SAFE:
        ints = short.astype(np.int64)
        return (ints @ ints.T).tolist()
    mantissas, exponents = np.frexp(short)
    mantissas = (mantissas * 2.0**53).astype(np.int64)  # exact: a float64 mantissa has 53 bits
    shift = int(exponents[mantissas != 0].min())
    exact = np.array(
        [[int(m) << (int(e) - shift) for m, e in zip(row_m, row_e)] for row_m, row_e in zip(mantissas, exponents)],
        dtype=object,
    )
    return (exact @ exact.T).tolist()


def exact_schmidt_rank(values: np.ndarray, region: Iterable[int], *, levels: int = 2) -> int:
    """The Schmidt rank of a real function across A|B, exactly (rank M = rank M M^T over the rationals)."""
    gram = _exact_gram(values, region, levels)
    return int(DomainMatrix([[ZZ(v) for v in row] for row in gram], (len(gram),) * 2, ZZ).rank())


def has_flat_spectrum(values: np.ndarray, region: Iterable[int], *, levels: int = 2) -> bool:
    """True iff all nonzero Schmidt probabilities are equal, i.e. S_A = ln(rank) exactly.

    Decided in integer arithmetic: the Gram matrix G is positive semi-definite, so its nonzero
    eigenvalues all equal lambda iff G^2 = lambda G, with lambda = tr(G) / rank(G).
    """
    gram = np.array(_exact_gram(values, region, levels), dtype=object)
    rank = int(DomainMatrix([[ZZ(v) for v in row] for row in gram.tolist()], gram.shape, ZZ).rank())
    return bool(np.all(rank * (gram @ gram) == np.trace(gram) * gram))


def reference_probabilities(
    values: np.ndarray, region: Iterable[int], *, levels: int = 2, dps: int = 50
) -> list[mpmath.mpf]:
    """Schmidt probabilities p_k to ``dps`` digits (descending), from the exact Gram matrix."""
    gram = _exact_gram(values, region, levels)
    with mpmath.workdps(dps):
        matrix = mpmath.matrix(gram)
        # G is symmetric positive semi-definite, so its singular values are its eigenvalues; mpmath's SVD
        # converges where its symmetric QL iteration stalls on exactly repeated zero eigenvalues.
        eigenvalues = mpmath.svd_r(matrix, compute_uv=False)
        total = mpmath.fsum(eigenvalues)
        return sorted((max(e, mpmath.mpf(0)) / total for e in eigenvalues), reverse=True)


def reference_entropy(values: np.ndarray, region: Iterable[int], *, levels: int = 2, dps: int = 50) -> mpmath.mpf:
    """von Neumann entropy -sum p_k ln p_k to about ``dps`` digits, in nats."""
    probabilities = reference_probabilities(values, region, levels=levels, dps=dps)
    with mpmath.workdps(dps):
        return -mpmath.fsum(p * mpmath.log(p) for p in probabilities if p > 0)


LARGE_PRIME = 268_435_399
"""The largest prime below 2^28: products of two residues stay below 2^56, sums of 127 below 2^63."""


def prime_for_sums(terms: int) -> int:
    """The largest prime p < 2^28 with terms * p^2 < 2^63: int64 sums of ``terms`` products of residues."""
    if terms < 1:
        raise InvalidInputError(f"terms must be at least 1, got {terms}")
    return int(prevprime(min(2**28, math.isqrt((2**63 - 1) // terms))))


def row_reduce_mod_p(matrix: np.ndarray, prime: int = LARGE_PRIME) -> tuple[np.ndarray, list[int]]:
    """The reduced row echelon form of an integer matrix over GF(prime) (its nonzero rows, shape (r, n))
    and the pivot columns, by Gaussian elimination in int64 (prime < 2^28). A = A[:, pivots] @ R: a rank
    factorisation with both factors of full rank r."""
    if not 2 <= prime < 2**28:
        raise InvalidInputError(f"prime must be in [2, 2^28) so that int64 products cannot overflow, got {prime}")
    rows = np.array(matrix, dtype=np.int64) % prime
    pivots: list[int] = []
    for column in range(rows.shape[1]):
        rank = len(pivots)
        if rank == rows.shape[0]:
            break
        candidates = np.nonzero(rows[rank:, column])[0]
        if candidates.size == 0:
            continue
        pivot = rank + int(candidates[0])
        rows[[rank, pivot]] = rows[[pivot, rank]]
        rows[rank] = rows[rank] * pow(int(rows[rank, column]), prime - 2, prime) % prime
        factors = rows[:, column].copy()
        factors[rank] = 0
        rows = (rows - factors[:, None] * rows[rank][None, :]) % prime
        pivots.append(column)
    return rows[: len(pivots)], pivots


def rank_mod_p(matrix: np.ndarray, prime: int = LARGE_PRIME) -> int:
    """Rank of an integer matrix over GF(prime), by FLINT's nmod_mat (python-flint): 0.31 s for a 1024 x
    1024 matrix of rank 512 against 2.7 s for the int64 elimination of :func:`row_reduce_mod_p`, 1.6 s at
    2048 and 8.6 s at 4096 (measured side by side on 2 cores; bench/rank_bench.py)."""
    matrix = np.asarray(matrix, dtype=np.int64) % prime
    if matrix.size == 0:
        return 0
    return int(flint.nmod_mat(matrix.shape[0], matrix.shape[1], matrix.ravel().tolist(), prime).rank())


def schmidt_rank_mod_p(values: np.ndarray, region: Iterable[int], *, levels: int = 2, prime: int = LARGE_PRIME) -> int:
    """Rank over GF(prime) of the Schmidt matrix of an integer-valued function (residues mod prime)."""
    residues = np.asarray(values)
    if residues.dtype.kind not in "iu":
        raise InvalidInputError(f"values must be integers (residues mod {prime}), got dtype {residues.dtype}")
    matrix = schmidt_matrix((residues % prime).astype(np.float64), region, levels=levels)  # exact below 2^53
    return rank_mod_p(matrix.astype(np.int64), prime)
