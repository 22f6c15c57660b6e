"""Result 5: what a Renyi-2 entropy can show about a sub-volume law.

S_2 = -ln Tr rho_A^2 is what sampling measures (numeric.sampling). Two facts bound what it can say:

* S_2 <= S_A: Renyi entropies do not increase with their order (cited). So an S_2 that grows like the
  volume refutes a sub-volume law for S_A, while an S_2 that grows like the boundary is consistent with
  it but does not prove it; S_A's upper side comes from the rank bounds of results 2 and 3.
* The mean caps S_2. With M[a, b] = f(a, b) (uniform measure), rho_A = M M^T / ||M||^2 and u the uniform
  unit vector on A's configurations, <u|rho_A|u> = sum_b (sum_a f(a,b))^2 / (d_A ||M||^2)
  >= (sum_ab f)^2 / (d_A d_B ||M||^2) = (E f)^2 / E f^2 by Cauchy-Schwarz over b, and
  Tr rho_A^2 >= lambda_max^2 >= <u|rho_A|u>^2, so S_2 <= -2 ln((E f)^2 / E f^2). For 0/1 labels of
  density p, E f^2 = E f = p and the cap is -2 ln p: at most 2 ln 2 = 1.39 nats for a balanced 0/1
  function, whatever its structure. Scaling is therefore measured on +-1 labels near balance, or on the
  centred f - E f (whose rank differs from f's by at most 1).

The same holds under any product measure, with E taken under it (the state is sqrt(mu) f).

The random control, derived: for i.i.d. labels g with E g = 0, E g^2 = m_2, E g^4 = m_4 on a d_A x d_B
split, Tr rho_A^2 = N / D with N = sum_{i,i',j,j'} g_ij g_i'j g_ij' g_i'j' and D = (sum g^2)^2. Only paired
indices survive the expectation: E N = d_A d_B m_4 + d_A d_B (d_B - 1) m_2^2 + d_A (d_A - 1) d_B m_2^2, and
E D = d_A d_B m_4 + d_A d_B (d_A d_B - 1) m_2^2. For +-1 labels D = (d_A d_B)^2 is constant, so
E Tr rho_A^2 = (d_A + d_B - 1) / (d_A d_B) exactly, and -ln of it is a lower bound on E S_2 (Jensen); for
Gaussian labels E N / E D = (d_A + d_B + 1) / (d_A d_B + 2).
"""

from __future__ import annotations

import math

import numpy as np
import sympy
from sympy import Rational, expand, log, symbols

from numeric import Lattice, schmidt_spectrum, targets
from numeric.gram import gamma, unit_roundoff
from proofs.result import NumericCheck, Result, Step, all_true, checked, proved

p = symbols("p", positive=True)
S_A, S_2 = symbols("S_A S_2")
mean, second = symbols(r"\mathrm{E}[f] \mathrm{E}[f^2]", positive=True)
d_A, d_B, m_2, m_4 = symbols("d_A d_B m_2 m_4", positive=True)
EXPECTED_NUMERATOR = d_A * d_B * m_4 + d_A * d_B * (d_B - 1) * m_2**2 + d_A * (d_A - 1) * d_B * m_2**2
EXPECTED_DENOMINATOR = d_A * d_B * m_4 + d_A * d_B * (d_A * d_B - 1) * m_2**2
PM1_PURITY = (d_A + d_B - 1) / (d_A * d_B)
GAUSSIAN_PURITY = (d_A + d_B + 1) / (d_A * d_B + 2)


def random_purity(dimension_a: int, dimension_b: int, labels: str = "pm1") -> float:
    """The derived E Tr rho_A^2 of i.i.d. random labels on a d_A x d_B split (module docstring): exact for
    +-1 labels, the ratio of expectations for Gaussian ones; -ln of it is the random control curve."""
    a, b = float(dimension_a), float(dimension_b)
    return (a + b - 1) / (a * b) if labels == "pm1" else (a + b + 1) / (a * b + 2)


def _paired_expectation(rows: int, columns: int) -> tuple[sympy.Expr, sympy.Expr]:
    """E N and E D by enumerating every index tuple of a rows x columns table of i.i.d. entries with E g = 0:
    each tuple's expectation is the product of the moments of its distinct entries' multiplicities."""
    moments = {1: 0, 2: m_2, 3: 0, 4: m_4}

    def expectation(entries) -> sympy.Expr:
        value = sympy.Integer(1)
        for entry in set(entries):
            value *= moments[entries.count(entry)]
        return value

    cells = [(i, j) for i in range(rows) for j in range(columns)]
    numerator = sum(
        expectation([(i, j), (k, j), (i, l), (k, l)])
        for i in range(rows)
        for k in range(rows)
        for j in range(columns)
        for l in range(columns)  # noqa: E741
    )
    denominator = sum(expectation([x, x, y, y]) for x in cells for y in cells)
    return sympy.expand(numerator), sympy.expand(denominator)


def _lagrange_identity(terms: int) -> bool:
    """n sum x_i^2 - (sum x_i)^2 = sum_{i<j} (x_i - x_j)^2 >= 0 (the Cauchy-Schwarz step) for ``terms`` values."""
    x = symbols(f"x0:{terms}", real=True)
    gap = terms * sum(v**2 for v in x) - sum(x) ** 2
    return expand(gap - sum((x[i] - x[j]) ** 2 for i in range(terms) for j in range(i + 1, terms))) == 0


def _largest_term(terms: int) -> bool:
    """sum_k p_k^2 - p_1^2 is a sum of squares, so Tr rho^2 >= lambda_max^2, for ``terms`` probabilities."""
    probabilities = symbols(f"p0:{terms}", nonnegative=True)
    return bool((sum(q**2 for q in probabilities) - probabilities[0] ** 2).is_nonnegative)


def renyi2_result() -> Result:
    """Build result 5: S_2 <= S_A and the mean's cap on S_2."""
    cap = -2 * log(mean**2 / second)
    return Result(
        key="renyi-2",
        title="What a Renyi-2 entropy can show",
        assumptions=(
            r"$f$ is a real function of images, not identically zero; $\rho_A = M M^T / \lVert M \rVert^2$ with "
            r"$M[a, b] = f(a, b)$ under the uniform measure (or $\sqrt{\mu} f$ under a product measure $\mu$, with "
            r"$\mathrm{E}$ taken under $\mu$).",
            r"$S_2 = -\ln \operatorname{Tr} \rho_A^2$ and $S_A$ the von Neumann entropy, in nats.",
        ),
        statement=(
            sympy.Le(S_2, S_A),
            sympy.Le(S_2, cap),
            sympy.Le(S_2, -2 * log(p)),
        ),
        steps=(
            Step(
                r"the uniform unit vector $u$ on $A$: $\langle u | \rho_A | u \rangle \ge "
                r"(\mathrm{E} f)^2 / \mathrm{E} f^2$ (Cauchy-Schwarz over $B$'s configurations)",
                sympy.Ge(symbols(r"\langle{u}|\rho_A|{u}\rangle"), mean**2 / second),
            ),
            Step(
                r"$\operatorname{Tr} \rho_A^2 \ge \lambda_{\max}^2 \ge \langle u | \rho_A | u \rangle^2$",
                sympy.Ge(symbols(r"\operatorname{Tr}\rho_A^2"), (mean**2 / second) ** 2),
            ),
            Step("so the mean caps $S_2$", sympy.Le(S_2, cap)),
            Step(r"for 0/1 labels of density $p$: $\mathrm{E} f = \mathrm{E} f^2 = p$", sympy.Le(S_2, -2 * log(p))),
            Step(
                r"random control: i.i.d. labels with $\mathrm{E} g = 0$, $m_2 = \mathrm{E} g^2$, "
                r"$m_4 = \mathrm{E} g^4$; only paired indices survive in $N = \sum g_{ij} g_{i'j} g_{ij'} g_{i'j'}$",
                sympy.Eq(symbols(r"\mathrm{E}N"), EXPECTED_NUMERATOR),
            ),
            Step(r"and in $D = (\sum g^2)^2$", sympy.Eq(symbols(r"\mathrm{E}D"), EXPECTED_DENOMINATOR)),
            Step(
                r"$\pm 1$ labels ($m_2 = m_4 = 1$, $D$ constant): the expected purity, exactly",
                sympy.Eq(symbols(r"\mathrm{E}\operatorname{Tr}\rho_A^2"), PM1_PURITY),
            ),
        ),
        checks=(
            proved(
                r"for 0/1 labels the cap $-2 \ln((\mathrm{E} f)^2 / \mathrm{E} f^2)$ is $-2 \ln p$",
                lambda: sympy.simplify(sympy.expand_log(cap.subs({mean: p, second: p}) + 2 * log(p), force=True)) == 0,
            ),
            proved(
                r"a balanced 0/1 function ($p = 1/2$) has $S_2 \le 2 \ln 2$",
                lambda: sympy.simplify(-2 * log(Rational(1, 2)) - 2 * log(2)) == 0,
            ),
            proved(
                r"$\pm 1$ labels: $\mathrm{E} N / \mathrm{E} D = (d_A + d_B - 1) / (d_A d_B)$",
                lambda: (
                    sympy.simplify((EXPECTED_NUMERATOR / EXPECTED_DENOMINATOR).subs({m_2: 1, m_4: 1}) - PM1_PURITY) == 0
                ),
            ),
            proved(
                r"Gaussian labels: $\mathrm{E} N / \mathrm{E} D = (d_A + d_B + 1) / (d_A d_B + 2)$",
                lambda: (
                    sympy.simplify((EXPECTED_NUMERATOR / EXPECTED_DENOMINATOR).subs({m_2: 1, m_4: 3}) - GAUSSIAN_PURITY)
                    == 0
                ),
            ),
            checked(
                r"the paired-index counts: $\mathrm{E} N$ and $\mathrm{E} D$ equal the enumeration of every index "
                r"tuple for $d_A, d_B = 1, 2, 3$",
                lambda: all_true(
                    [
                        _paired_expectation(a, b)
                        == (
                            sympy.expand(EXPECTED_NUMERATOR.subs({d_A: a, d_B: b})),
                            sympy.expand(EXPECTED_DENOMINATOR.subs({d_A: a, d_B: b})),
                        )
                        for a in (1, 2, 3)
                        for b in (1, 2, 3)
                    ]
                ),
            ),
            checked(
                r"the Cauchy-Schwarz step: $n \sum x_i^2 - (\sum x_i)^2 = \sum_{i<j} (x_i - x_j)^2 \ge 0$, "
                r"$n = 2, \dots, 6$",
                lambda: all_true([_lagrange_identity(n) for n in range(2, 7)]),
            ),
            checked(
                r"$\operatorname{Tr} \rho^2 \ge \lambda_{\max}^2$ for $2, \dots, 6$ nonnegative probabilities",
                lambda: all_true([_largest_term(n) for n in range(2, 7)]),
            ),
        ),
        cited=(
            (
                r"Renyi entropies do not increase with their order, so $S_2 \le S_1 = S_A$",
                "van Erven and Harremoes, IEEE Trans. Inf. Theory 60, 3797 (2014), Thm 3",
            ),
        ),
        numeric=lambda **options: check_renyi2_numerically(**options),
        remark=(
            "A sampled $S_2$ that grows like the boundary is consistent with a sub-volume law but does not "
            "prove it; one that grows like the volume refutes it. Near a density of 0 or 1 the cap, not the "
            "structure, decides $S_2$."
        ),
    )


def _cases(seed: int, full: bool):
    """(name, lattice, values, region) on exact lattices: 0/1 targets and their +-1 labels, random 0/1 of
    several densities, Gaussian; and the 0/1 labelling of density 1/2 on a 1024 x 4096 split."""
    rng = np.random.default_rng(seed)
    four, chain = Lattice(4, 4), Lattice(10 if full else 8, 1, 3)
    left = [0, 1, 4, 5, 8, 9, 12, 13]
    cases = []
    for name, values in (
        ("pattern present", targets.pattern_present(four, np.ones((2, 2), int))),
        ("count >= 2", targets.count_threshold(four, 2, np.ones((2, 2), int))),
        ("majority", targets.majority(four)),
    ):
        cases += [(f"{name} (0/1)", four, values, left), (f"{name} (+-1)", four, 2 * values - 1, left)]
    for density in (0.05, 0.25, 0.5, 0.9):
        cases.append((f"random 0/1, p = {density}", four, (rng.random(four.n_images) < density).astype(float), left))
    cases.append(("random Gaussian", chain, rng.standard_normal(chain.n_images), list(range(chain.n_pixels // 2))))
    wide = Lattice(22, 1)
    cases.append(
        ("random 0/1, p = 0.5, 1024 x 4096", wide, (rng.random(wide.n_images) < 0.5).astype(float), list(range(10)))
    )
    return cases


def check_renyi2_numerically(*, full: bool = False, seed: int = 0, progress=None) -> NumericCheck:
    """Exact S, S_2 and the cap per case. Tolerances from the spectrum's computed bound T on the total
    variation of its probabilities: |S - S_exact| <= its entropy_error_bound and
    |Tr rho^2 - exact| <= 4 T, so |S_2 - exact| <= 4 T / Tr rho^2; the cap's own rounding is
    6 gamma_N (two means of N values and a ratio). Non-vacuous: the cap below S, where it binds."""
    rows, passed = [], []
    cases = _cases(seed, full)
    for name, lattice, values, region in progress(cases) if progress else cases:
        spectrum = schmidt_spectrum(values, region, levels=lattice.levels)
        entropy, purity = spectrum.entropy(), float(np.sum(spectrum.probabilities**2))
        renyi2 = -math.log(purity)
        error_2 = 4 * spectrum.distance_bound / purity
        first, second_moment = float(np.mean(values)), float(np.mean(values**2))
        cap = -2 * math.log(first**2 / second_moment) if first != 0 else math.inf
        cap_error = 6 * gamma(values.size, unit_roundoff(np.float64))
        ok = renyi2 <= entropy + spectrum.entropy_error_bound + error_2 and renyi2 <= cap + cap_error + error_2
        rows.append((name, f"{lattice.width}x{lattice.height}", len(region), first, entropy, renyi2, cap))
        passed.append(ok)
    binding = sum(row[6] < row[4] for row in rows)
    return NumericCheck(
        headers=("function", "lattice", "|A|", "E f", "S_A", "S_2", "cap"),
        rows=tuple(rows),
        row_passed=tuple(passed),
        summary=(
            f"$S_2 \\le S_A$ and $S_2 \\le$ the mean's cap in {sum(passed)} of {len(rows)} exact cases; the cap is "
            f"below $S_A$ (it binds) in {binding}"
        ),
        figures={"cases": len(rows), "held": sum(passed), "cap_binds": binding},
    )


__all__ = ["check_renyi2_numerically", "random_purity", "renyi2_result"]
