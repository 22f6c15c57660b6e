"""The Gram matrix of one side of a cut, accumulated slice by slice, with a bound on its rounding error.

For a function f on N pixels with d levels, a side S of a cut (the smaller one) and the other pixels L,

    G[s, s'] = sum_l f(s, l) conj(f(s', l))        (d^|S| x d^|S|, Hermitian, positive semidefinite)

has the squared Schmidt values sigma_k^2 as its eigenvalues. The code stores conj(G) for complex f (the
same eigenvalues) and only the upper triangle is meaningful.

Streaming: f is cut into slices that fix some of L's pixels; each slice is copied, reordered, into one
reused buffer and added to G by a BLAS rank-k update (``?syrk``/``?herk``), so f is never reordered as a
whole. Slices are small (2^17 entries, cache-sized) for small sides and grow with the side so that each
update stays efficient: extra memory is one slice (at most a quarter of f) besides G itself.

Rounding (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., Secs. 3.1 and 3.6): a sum
of k products computed with unit roundoff u errs by at most gamma_{k+2} sum_i |x_i| |y_i|, where
gamma_k = k u / (1 - k u) (the +2 covers complex products). Every computed entry therefore obeys

    |G^ - G|[s, s'] <= c sum_l |f(s, l)| |f(s', l)|,   so   ||G^ - G||_F <= c ||f||_2^2   (Cauchy-Schwarz),

and ``GramMatrix.error_coefficient`` is c:

- float64: one running sum of k = d^|L| products, c = gamma_{k+2}(2^-53);
- float32: runs of at most ``SINGLE_RUN_TERMS`` products summed in float32, the n run sums added in
  float64: c = gamma_{r+2}(2^-24) + gamma_n(2^-53) (1 + gamma_{r+2}(2^-24)).

A side S inside a larger side P is the partial trace G_S = Tr_{P minus S} G_P: summing d^|P minus S|
entries of G_P adds gamma_n(2^-53) (1 + c_P) to c_P. Underflow is not counted; callers rescale f so
that ||f||^2 lies well inside the floating-point range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.linalg.blas import cherk, dgemm, dsyrk, ssyrk, zgemm, zherk

from numeric.lattice import Region
from numeric.memory import require_memory

SINGLE_RUN_TERMS = 1024
"""float32 sums at most this many products before adding the partial sum into a float64 accumulator."""

_MATMUL_SIDE = 64
"""Below this side, float32 runs are multiplied as one batched matmul instead of one BLAS call per run."""

_DOT_SIDE = 4
"""Up to this side, float64 Grams are summed entry by entry with dot products (BLAS ?dot streams faster)."""

_UPDATES = {
    np.dtype(np.float64): dsyrk,
    np.dtype(np.float32): ssyrk,
    np.dtype(np.complex128): zherk,
    np.dtype(np.complex64): cherk,
}
_PANEL_SIDE = 8192
"""The largest Gram matrix one BLAS update writes: the OpenBLAS bundled with scipy 1.17 segfaults in ``dsyrk``
on a 16384 x 16384 matrix (2^31 bytes), so larger ones are updated in panels of this side (``?syrk`` on the
diagonal panels, ``?gemm`` above them; each panel's result is a temporary of at most 512 MB)."""
_PRODUCTS = {np.dtype(np.float64): dgemm, np.dtype(np.complex128): zgemm}

_ACCUMULATOR = {np.dtype(np.float32): np.dtype(np.float64), np.dtype(np.complex64): np.dtype(np.complex128)}


def unit_roundoff(dtype: np.dtype) -> float:
    """u = eps / 2 of a float or complex dtype (2^-53 for float64, 2^-24 for float32)."""
    return float(np.finfo(dtype).eps) / 2


def gamma(terms: int, roundoff: float) -> float:
    """Higham's gamma_k = k u / (1 - k u); infinite when k u >= 1 (no bound)."""
    product = terms * roundoff
    return product / (1 - product) if product < 1 else math.inf


@dataclass
class GramMatrix:
    """The upper triangle of G (float64 or complex128, Fortran order) over ``pixels`` (increasing, the row
    index with pixels[0] most significant), and c with |G^ - G| <= c sum_l |f(s,l)| |f(s',l)| entrywise."""

    matrix: np.ndarray
    pixels: Region
    error_coefficient: float

    @property
    def trace(self) -> float:
        """tr G^ = ||f||^2 as computed."""
        return float(np.trace(self.matrix).real)


def _slice_target(side: int, entries: int) -> int:
    """Entries per slice: 2^17 (cache-sized) for small sides, growing as 64 side^2 up to 2^22 or side^2 / 4
    (so each rank-k update has k >= side / 4 columns and stays efficient). When the Gram is larger than a
    quarter of the function, a slice is at most a quarter of it too: the Gram and one slice then stay
    within 1.25 times the function at a half cut."""
    target = min(max(1 << 17, 64 * side * side), max(1 << 22, side * side // 4))
    return min(target, max(1, entries // 4)) if 4 * side * side > entries else target


def _slice_axes(levels: int, n_pixels: int, side: int, large: Region) -> tuple[list[int], int]:
    """The pixels of L that each slice fixes, and the number of entries in a slice."""
    fixed, entries = [], levels**n_pixels
    target = _slice_target(side, entries)
    for axis in large:
        if entries <= target:
            break
        fixed.append(axis)
        entries //= levels
    return fixed, entries


def _run_length(levels: int, columns: int, single: bool) -> int:
    """Columns summed per run: all of them in float64, the largest power of d <= SINGLE_RUN_TERMS in float32."""
    if not single:
        return columns
    run = 1
    while run * levels <= min(columns, SINGLE_RUN_TERMS):
        run *= levels
    return run


def gram_matrix(tensor: np.ndarray, small: Region, large: Region) -> GramMatrix:
    """The Gram matrix of side ``small`` of the tensor f (shape (d,)*N), ``large`` the other pixels.

    float64/complex128 tensors are summed in float64; float32/complex64 ones in float32 runs added in
    float64 (see the module docstring for the error coefficient).
    """
    levels, n_pixels, dtype = tensor.shape[0], tensor.ndim, tensor.dtype
    single = dtype in _ACCUMULATOR
    side = levels ** len(small)
    fixed, entries = _slice_axes(levels, n_pixels, side, large)
    columns = entries // side
    run = _run_length(levels, columns, single)
    runs_per_slice = columns // run
    batched = single and side < _MATMUL_SIDE and runs_per_slice > 1
    accumulator = _ACCUMULATOR.get(dtype, dtype)
    temporary = single and not batched
    kept = [axis for axis in range(n_pixels) if axis not in fixed]
    free = [axis for axis in large if axis not in fixed]
    run_pixels = len(free) - round(math.log(run, levels)) if run > 1 else len(free)
    layout = (
        [kept.index(a) for a in free[:run_pixels]]
        + [kept.index(a) for a in small]
        + [kept.index(a) for a in free[run_pixels:]]
    )
    in_place = not fixed and layout == list(range(n_pixels))  # one slice, already in order: read f itself
    require_memory(
        side * side * (accumulator.itemsize + (dtype.itemsize if temporary else 0))
        + (0 if in_place else entries * dtype.itemsize)
        + (min(side, _PANEL_SIDE) ** 2 * dtype.itemsize if side > _PANEL_SIDE and not single else 0),
        f"the {side}x{side} Gram matrix of the smaller side and a {entries}-entry slice of the function",
        "use a smaller region or lattice" + ("" if single else ", or precision='float32'"),
    )
    buffer = tensor if in_place else np.empty(entries, dtype=dtype)
    staged = buffer.reshape([levels] * len(kept))
    runs = buffer.reshape(runs_per_slice, side, run)
    gram = np.zeros((side, side), dtype=accumulator, order="F")
    partial = np.zeros((side, side), dtype=dtype, order="F") if temporary else None
    update, complex_values = _UPDATES[dtype], dtype.kind == "c"
    trans = 2 if complex_values else 1
    selector: list[int | slice] = [slice(None)] * n_pixels
    pairs = [(i, j) for i in range(side) for j in range(i, side)] if side <= _DOT_SIDE else []
    for index in np.ndindex(*([levels] * len(fixed))):
        for axis, value in zip(fixed, index):
            selector[axis] = value
        if not in_place:
            np.copyto(staged, tensor[tuple(selector)].transpose(layout))
        if not single and side <= _DOT_SIDE:  # a few dot products beat a rank-k update with n <= 4
            for i, j in pairs:
                gram[i, j] += np.vdot(runs[0, i], runs[0, j])
        elif not single and side > _PANEL_SIDE:
            _update_in_panels(update, _PRODUCTS[dtype], runs[0].T, gram, trans)
        elif not single:  # gram += block block^T in place (block^T is Fortran-ordered: no copy)
            update(1.0, runs[0].T, beta=1.0, c=gram, trans=trans, overwrite_c=1)
        elif batched:  # one float32 product per run, the runs summed in float64
            left = runs.conj() if complex_values else runs
            gram += np.matmul(left, runs.transpose(0, 2, 1)).sum(axis=0, dtype=accumulator)
        else:
            for block in runs:
                update(1.0, block.T, beta=0.0, c=partial, trans=trans, overwrite_c=1)
                gram += partial
    total_terms = levels ** len(large)
    if single:
        in_run = gamma(run + 2, unit_roundoff(dtype))
        coefficient = in_run + gamma(total_terms // run, unit_roundoff(accumulator)) * (1 + in_run)
    else:
        coefficient = gamma(total_terms + 2, unit_roundoff(dtype))
    return GramMatrix(gram, tuple(small), coefficient)


def _update_in_panels(update, product, a: np.ndarray, gram: np.ndarray, trans: int) -> None:
    """gram += a^H a on and above the diagonal, in panels of _PANEL_SIDE (``a`` Fortran-ordered, so its column
    panels are too)."""
    side = gram.shape[0]
    for i in range(0, side, _PANEL_SIDE):
        rows = slice(i, i + _PANEL_SIDE)
        gram[rows, rows] = update(1.0, a[:, rows], beta=1.0, c=gram[rows, rows], trans=trans)
        for j in range(i + _PANEL_SIDE, side, _PANEL_SIDE):
            columns = slice(j, j + _PANEL_SIDE)
            gram[rows, columns] += product(1.0, a[:, rows], a[:, columns], trans_a=trans)


def partial_trace(parent: GramMatrix, pixels: Region, levels: int) -> GramMatrix:
    """G_S = Tr_{P minus S} G_P for S = ``pixels`` inside the parent's pixels P (upper triangle kept).

    Tracing keeps the upper triangle valid: with the traced digits equal, (a, c) <= (a', c) in P's order
    exactly when a <= a' in S's order, so only upper-triangle entries of G_P reach G_S's upper triangle.
    """
    inside = set(pixels)
    n = len(parent.pixels)
    rows = list(range(n))
    columns = [rows[i] if p not in inside else n + i for i, p in enumerate(parent.pixels)]
    kept = [i for i, p in enumerate(parent.pixels) if p in inside]
    # The Fortran-ordered matrix's transpose is C-ordered: trace it and transpose back.
    view = parent.matrix.T.reshape([levels] * (2 * n))
    traced = np.einsum(view, rows + columns, kept + [n + i for i in kept])
    side = levels ** len(pixels)
    matrix = np.array(traced.reshape(side, side).T, order="F")  # a copy: the caller may overwrite it
    terms = levels ** (n - len(pixels))
    coefficient = parent.error_coefficient + gamma(terms, unit_roundoff(matrix.dtype)) * (1 + parent.error_coefficient)
    return GramMatrix(matrix, tuple(pixels), coefficient)
