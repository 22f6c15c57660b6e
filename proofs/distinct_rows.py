"""Result 2: the distinct-rows lemma, the engine of every bound.

If f(s_A, s_B) = G(T(s_A), s_B) where T takes r values, then the Schmidt matrix factorises as
M = P G with P[a, t] = [T(a) = t] (m x r) and G (r x n), so rank_A f <= r, and with result 1,
S_A(f) <= ln r.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import sympy
from sympy import Matrix, log, symbols
from sympy.polys.matrices import DomainMatrix

from numeric import Lattice, complement, entanglement_profile
from proofs.result import NumericCheck, Result, Step, all_true, checked, proved

r = symbols("r", positive=True, integer=True)
S_A = symbols("S_A")


def _generic_instance(states: int) -> tuple[Matrix, Matrix, Matrix]:
    """M[a, b] = G[T(a), b] for T(a) = a mod r on m = r + 2 rows, G an r x (r + 1) matrix of free symbols."""
    rows, columns = states + 2, states + 1
    g = Matrix(states, columns, lambda t, b: sympy.Symbol(f"g_{t}_{b}"))
    reader = Matrix(rows, states, lambda a, t: int(a % states == t))
    schmidt = Matrix(rows, columns, lambda a, b: g[a % states, b])
    return schmidt, reader, g


@functools.cache
def _generic_rank(states: int) -> int:
    """Rank of the generic instance over the field of rational functions in its symbols (exact)."""
    return DomainMatrix.from_Matrix(_generic_instance(states)[0]).to_field().rank()


def distinct_rows_result(claimed_rank_bound: sympy.Expr = r) -> Result:
    """Build result 2 from its claimed rank bound as a function of r (default: r itself)."""
    example, reader, g = _generic_instance(2)
    instances = {states: _generic_instance(states) for states in range(1, 5)}
    return Result(
        key="distinct-rows",
        title="Distinct-rows lemma",
        assumptions=(
            "$f(s_A, s_B) = G(T(s_A), s_B)$ for some map $T$ from $A$'s configurations to $r$ values and any $G$.",
        ),
        statement=(
            sympy.Le(symbols(r"\operatorname{rank}_A{f}"), claimed_rank_bound),
            sympy.Le(S_A, log(claimed_rank_bound)),
        ),
        steps=(
            Step(r"the Schmidt matrix of a generic example with $r = 2$, $T(a) = a \bmod 2$", example),
            Step(
                "it factorises as $P G$, $P$ the indicator matrix of $T$",
                sympy.Eq(example, sympy.MatMul(reader, g), evaluate=False),
            ),
            Step(
                r"$\operatorname{rank}(P G) \le$ number of columns of $P$",
                sympy.Le(symbols(r"\operatorname{rank}(PG)"), r),
            ),
            Step("at most $r$ nonzero Schmidt probabilities, so by result 1", sympy.Le(S_A, log(r))),
        ),
        checks=(
            proved(
                r"the entropy of $r$ equal probabilities is $\ln r$, the claimed entropy bound (result 1's maximum)",
                lambda: (
                    sympy.simplify(sympy.expand_log(-r * (1 / r) * log(1 / r), force=True) - log(claimed_rank_bound))
                    == 0
                ),
            ),
            checked(
                r"$M = P G$ holds entrywise for $r = 1, \dots, 4$",
                lambda: all_true([m == p * gm for m, p, gm in instances.values()]),
            ),
            checked(
                r"the rank of the generic $M$ is at most the claimed bound for $r = 1, \dots, 4$",
                lambda: all_true([_generic_rank(s) <= claimed_rank_bound.subs(r, s) for s in instances]),
            ),
            checked(
                r"the claimed bound is attained by the generic $M$ (the lemma cannot be tightened), $r = 1, \dots, 4$",
                lambda: all_true([_generic_rank(s) == claimed_rank_bound.subs(r, s) for s in instances]),
            ),
        ),
        cited=(
            (
                r"$\operatorname{rank}(P G) \le$ the number of columns of $P$",
                "standard linear algebra, e.g. Horn and Johnson, Matrix Analysis (2nd ed., 2013), 0.4.5",
            ),
        ),
        numeric=lambda **options: check_distinct_rows_numerically(claimed_rank_bound, **options),
    )


def function_through_a_reader(lattice: Lattice, region, reader: np.ndarray, table: np.ndarray) -> np.ndarray:
    """f(s) = table[reader[s_A], s_B] on every image, in the package's pixel order.

    ``reader`` maps each of A's d^|A| configurations (A's pixels in increasing order) to 0..r-1; ``table``
    is r x d^|B|.
    """
    region = sorted(region)
    rest = list(complement(lattice, region))
    matrix = table[reader]  # d^|A| x d^|B|, rows indexed by A's configuration
    tensor = matrix.reshape((lattice.levels,) * lattice.n_pixels)
    return tensor.transpose(np.argsort(region + rest)).reshape(-1)


def check_distinct_rows_numerically(
    claimed_rank_bound: sympy.Expr = r, *, full: bool = False, seed: int = 0, progress=None
) -> NumericCheck:
    """Random lattices, regions, readers T with r values and tables G (Gaussian or 0/1): rank <= bound,
    S <= ln bound. 200 cases, 2000 with ``full``."""
    rng = np.random.default_rng(seed)
    rows, passed = [], []
    cases = range(2000 if full else 200)
    for case in progress(cases) if progress else cases:
        levels = int(rng.integers(2, 4))
        n_pixels = int(rng.integers(2, 10 if levels == 2 else 7))
        lattice = Lattice(n_pixels, 1, levels)
        size = int(rng.integers(1, n_pixels))
        region = sorted(rng.choice(n_pixels, size=size, replace=False).tolist())
        states = int(rng.integers(1, min(8, levels**size) + 1))
        reader = rng.integers(0, states, size=levels**size)
        table = rng.standard_normal((states, levels ** (n_pixels - size)))
        boolean = bool(case % 2)  # odd cases: a 0/1 table, as a classifier's; even cases: a real one
        if boolean:
            table = (table > 0).astype(float)
        if not np.any(table[reader]):
            continue
        values = function_through_a_reader(lattice, region, reader, table)
        profile = entanglement_profile(values, region, levels=levels)
        rank, entropy = profile.rank, profile.entropy
        bound = int(claimed_rank_bound.subs(r, states))
        rows.append(
            (
                n_pixels,
                levels,
                size,
                states,
                rank,
                bound,
                entropy,
                math.log(bound) if bound > 0 else -math.inf,
                "0/1" if boolean else "real",
            )
        )
        passed.append(rank <= bound and entropy <= math.log(max(bound, 1)) + 1e-12 and bound >= 1)
    attained = sum(row[4] == row[3] for row in rows)
    return NumericCheck(
        headers=("N", "d", "|A|", "r", "rank", "claimed bound", "S_A", "ln bound", "G"),
        rows=tuple(rows),
        row_passed=tuple(passed),
        summary=(
            f"{len(rows)} random cases (seed {seed}): rank $\\le$ claimed bound and $S_A \\le "
            f"\\ln(\\text{{bound}})$ in "
            f"{sum(passed)}; the rank equals $r$ in {attained} (the others have fewer distinct rows or columns)."
        ),
        figures={"cases": len(rows), "held": sum(passed), "rank_equals_r": attained},
    )
