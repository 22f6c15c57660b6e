"""Result 3: local-feature target functions obey a sub-volume law.

A target decided by detectors phi_j on windows P_j (diameter <= xi), aggregated by an aggregator, has
few distinct rows across a cut A|B. With J_A (J_B) the windows inside A (B), the K straddling windows,
and U_A (U_B) the A-pixels (B-pixels) in straddling windows, the distinct-rows lemma (result 2) gives::

    (a) OR ("some window shows it"):       rank_A <= 1 + d^|U_A|;  AND of negations: d^|U_A|,
    (b) count >= t, features in 0..v:      rank_A <= (min(v |J_A|, t) + 1) d^|U_A|,
    (c) an order-independent aggregator with r_G states (a commutative monoid: parity, count mod q):
                                           rank_A <= r_G d^|U_A|,
    (c') an r-state automaton reading the features in a fixed order, whose A-features (windows inside A)
         form m maximal runs of that order: rank_A <= d^|U_A| prod_runs c, with c = 1 for a run that is
         the whole order, r for a run at its start or end, r^2 - r + 1 for a run inside it,

and the same with B for A; the bound used is the smaller side's. (c') because, with U_A's values fixed,
f = u^T B_0 P_1 B_1 ... P_m B_m g with P_k the run's transition matrix (s_A's) and B_k the rest (s_B's):
the row of s_A is P_1 (x) ... (x) P_m, and a run's matrices span at most c dimensions (transition
matrices of a deterministic automaton have one 1 per row: they span the r^2 - r + 1 matrices with equal
row sums; u^T P and P g span r). The bound r_G d^|U_A| does not hold for *any* reader: the "last
non-zero pixel" reader on a 3-level chain of 8 has rank 8 across the even pixels, not 2. For exact-match
pattern detectors a straddling detector is [A-part matches] x [B-part matches], so an OR has rank_A <= 1 + 2^K (AND of
negations: 2^K). For an l x l square inside a larger image and xi x xi windows,
|U_A| = 4(xi-1) l - 4(xi-1)^2 (l >= 2xi - 2), so S_A <= ln r_G + |U_A| ln d = O(l): sub-volume.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import sympy
from sympy import Piecewise, Poly, Sum, log, oo, symbols

from numeric import Lattice, default_regions, entanglement_profile, max_schmidt_rank, straight_cuts, targets
from numeric.lattice import Region, rectangle
from numeric.precise import MAX_EXACT_SIDE, exact_schmidt_rank, has_flat_spectrum
from proofs.result import NumericCheck, Result, SetSize, Step, all_true, checked, is_zero, proved

l, xi, d, r_G, K = symbols("l xi d r_G K", positive=True, integer=True)  # noqa: E741 (l: the paper's side of a square)
px, py = symbols("x y", integer=True)
boundary_size = SetSize("U_A")

SQUARE_BOUNDARY = 4 * (xi - 1) * l - 4 * (xi - 1) ** 2
PATTERN_OR_RANK = 1 + 2**K
AGGREGATORS = ("or", "nor", "count", "reader")


@dataclass(frozen=True)
class LocalFeatureModel:
    """How a target is decided: detectors on ``windows`` combined by ``aggregator``.

    aggregator: ``"or"`` (1 if any detector fires), ``"nor"`` (1 if none does), ``"count"`` (1 if the sum
    of features, each in 0..feature_max, reaches ``threshold``) or ``"reader"`` (an automaton reading the
    features through ``reader_states`` states: order-independent, e.g. parity, when ``reading_order`` is
    None; else it reads window ``reading_order[t]`` at step t). ``exact_match``: every detector is an
    exact pattern match, which allows the 1 + 2^K bound.
    """

    name: str
    lattice: Lattice
    windows: tuple[Region, ...]
    aggregator: str
    exact_match: bool = False
    threshold: int = 0
    feature_max: int = 1
    reader_states: int = 1
    reading_order: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        if self.aggregator not in AGGREGATORS:
            raise ValueError(f"aggregator must be one of {', '.join(AGGREGATORS)}, got {self.aggregator!r}")

    @property
    def feature_size(self) -> int:
        """xi: the largest side of a window's bounding box."""
        coords = [[self.lattice.coordinates(p) for p in w] for w in self.windows]
        return max(
            max(max(x for x, _ in c) - min(x for x, _ in c), max(y for _, y in c) - min(y for _, y in c)) + 1
            for c in coords
        )


@dataclass(frozen=True)
class CutGeometry:
    """How a model's windows meet a cut: K straddling, |J_A|, |J_B| inside, |U_A|, |U_B| boundary pixels, and
    for an ordered reader the maximal runs of A's (B's) windows in its reading order, each as "whole",
    "edge" (at the start or the end of the order) or "middle"."""

    straddling: int
    inside_a: int
    inside_b: int
    boundary_a: int
    boundary_b: int
    runs_a: tuple[str, ...] = ()
    runs_b: tuple[str, ...] = ()


def runs(flags: list[bool]) -> tuple[str, ...]:
    """The maximal runs of True in ``flags``, each "whole", "edge" or "middle" by where it lies."""
    found, start = [], None
    for t, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = t
        elif not flag and start is not None:
            at_start, at_end = start == 0, t == len(flags)
            found.append("whole" if at_start and at_end else "edge" if at_start or at_end else "middle")
            start = None
    return tuple(found)


def cut_geometry(model: LocalFeatureModel, region: Region) -> CutGeometry:
    inside = set(region)
    straddling = [w for w in model.windows if any(p in inside for p in w) and any(p not in inside for p in w)]
    touched = {p for w in straddling for p in w}
    read = [model.windows[t] for t in model.reading_order] if model.reading_order is not None else []
    return CutGeometry(
        straddling=len(straddling),
        inside_a=sum(all(p in inside for p in w) for w in model.windows),
        inside_b=sum(all(p not in inside for p in w) for w in model.windows),
        boundary_a=len(touched & inside),
        boundary_b=len(touched - inside),
        runs_a=runs([all(p in inside for p in w) for w in read]),
        runs_b=runs([all(p not in inside for p in w) for w in read]),
    )


RUN_DIMENSION = {"whole": sympy.Integer(1), "edge": r_G, "middle": r_G**2 - r_G + 1}


def run_span_dimension(states: int, kind: str) -> int:
    """Exact dimension of the span of what one run of an r-state automaton passes on, by enumeration:
    its transition matrices (all r^r maps, "middle"), u^T P ("edge", start) or a whole order's value (1)."""
    maps = itertools.product(range(states), repeat=states)
    if kind == "middle":
        vectors = [[int(image[q] == q2) for q in range(states) for q2 in range(states)] for image in maps]
    elif kind == "edge":
        vectors = [[int(image[0] == q2) for q2 in range(states)] for image in maps]
    else:
        vectors = [[1]]
    return sympy.Matrix(vectors).rank()


def reader_factor(states: int, kinds: tuple[str, ...]) -> int:
    """prod over runs of RUN_DIMENSION: what (c') allows the runs of one side to pass on."""
    return math.prod(int(RUN_DIMENSION[kind].subs(r_G, states)) for kind in kinds)


def local_rank_bound(
    model: LocalFeatureModel, geometry: CutGeometry, pattern_or_rank: sympy.Expr = PATTERN_OR_RANK
) -> tuple[int, int | None]:
    """(bound from (a)/(b)/(c) on the better side, exact-pattern bound or None)."""
    levels = model.lattice.levels

    def side(boundary: int, inside: int, kinds: tuple[str, ...]) -> int:
        if model.aggregator == "or":
            return 1 + levels**boundary
        if model.aggregator == "nor":
            return levels**boundary
        if model.aggregator == "count":
            return (min(model.feature_max * inside, model.threshold) + 1) * levels**boundary
        if model.reading_order is not None:
            return reader_factor(model.reader_states, kinds) * levels**boundary
        return model.reader_states * levels**boundary

    local = min(
        side(geometry.boundary_a, geometry.inside_a, geometry.runs_a),
        side(geometry.boundary_b, geometry.inside_b, geometry.runs_b),
    )
    if not model.exact_match or model.aggregator not in ("or", "nor"):
        return local, None
    pattern = int(pattern_or_rank.subs(K, geometry.straddling)) - (1 if model.aggregator == "nor" else 0)
    return local, pattern


def _square_windows(lattice: Lattice, size: int) -> tuple[Region, ...]:
    return tuple(targets.windows(lattice, min(size, lattice.height), size))


def _pattern_model(name, lattice, size, aggregator, **extra) -> tuple[LocalFeatureModel, np.ndarray]:
    pattern = np.ones((min(size, lattice.height), size), dtype=np.int64)
    model = LocalFeatureModel(name, lattice, _square_windows(lattice, size), aggregator, exact_match=True, **extra)
    if aggregator == "or":
        return model, targets.pattern_present(lattice, pattern)
    if aggregator == "nor":
        return model, targets.pattern_absent(lattice, pattern)
    return model, targets.count_threshold(lattice, extra["threshold"], pattern)


def local_targets(lattice: Lattice, seed: int = 0) -> list[tuple[LocalFeatureModel, np.ndarray]]:
    """Every target of numeric.targets with a known local structure, on ``lattice``, with its model
    (``seed`` draws the product target's random factors)."""
    pixels = tuple((p,) for p in range(lattice.n_pixels))
    levels, n = lattice.levels, lattice.n_pixels
    window = (min(2, lattice.height), 2)
    cells = window[0] * window[1]
    bright = lambda patches: 4 * patches.sum(axis=(1, 2)) >= 3 * cells * (levels - 1)  # noqa: E731
    cases = [
        _pattern_model("pattern-present xi=2", lattice, 2, "or"),
        _pattern_model("pattern-present xi=3", lattice, 3, "or"),
        _pattern_model("pattern-absent xi=2", lattice, 2, "nor"),
        _pattern_model("count>=2 xi=2", lattice, 2, "count", threshold=2),
        (
            LocalFeatureModel(
                "3/4-bright window present (predicate)", lattice, tuple(targets.windows(lattice, *window)), "or"
            ),
            targets.pattern_present(lattice, window=window, detector=bright),
        ),
        (
            LocalFeatureModel(
                "majority", lattice, pixels, "count", threshold=n * (levels - 1) // 2 + 1, feature_max=levels - 1
            ),
            targets.majority(lattice),
        ),
        (LocalFeatureModel("parity", lattice, pixels, "reader", reader_states=2), targets.parity(lattice)),
        (
            LocalFeatureModel("product", lattice, pixels, "reader", reader_states=1),
            targets.product_function(lattice, seed),
        ),
        (
            LocalFeatureModel("far-apart (xi = image size)", lattice, ((0, n - 1),), "reader", reader_states=1),
            targets.far_apart_equal(lattice),
        ),
        (
            LocalFeatureModel(
                "last non-zero pixel is top (ordered reader)",
                lattice,
                pixels,
                "reader",
                reader_states=2,
                reading_order=tuple(range(n)),
            ),
            targets.finite_state_reader(lattice, last_nonzero_transitions(levels), [0, 1]),
        ),
    ]
    return [case for case in cases if len(case[0].windows) > 0]


def last_nonzero_transitions(levels: int) -> np.ndarray:
    """A 2-state reader whose state says whether the last non-zero pixel read was the top level d - 1."""
    table = np.zeros((2, levels), dtype=np.int64)
    table[:, 0] = (0, 1)
    table[:, levels - 1] = 1
    return table


def _chain_regions(n_pixels: int) -> dict[str, Region]:
    cuts = {f"[0,{k})": tuple(range(k)) for k in range(1, n_pixels)}
    cuts.update({f"[{a},{a + k})": tuple(range(a, a + k)) for k in (2, 4) for a in (1, n_pixels // 2 - k // 2)})
    cuts["even pixels"] = tuple(range(0, n_pixels, 2))
    return cuts


def derived_rank_bound(model: LocalFeatureModel, region, pattern_or_rank: sympy.Expr = PATTERN_OR_RANK) -> int:
    """Result 3's rank bound for ``model`` across ``region``: the local bound, or the exact-pattern bound
    where it applies and is tighter."""
    local, pattern = local_rank_bound(model, cut_geometry(model, region), pattern_or_rank)
    return min(local, pattern) if pattern is not None else local


def _decide(values, lattice: Lattice, region, profile, bound: int) -> tuple[bool, bool, str]:
    """(bound holds, S_A = ln bound exactly, how it was decided).

    Integer-valued functions with a small side of at most 64 states are decided exactly: the rank in
    integer arithmetic (rank <= bound implies S_A <= ln rank <= ln bound), and S_A = ln bound iff the
    rank equals the bound and the spectrum is exactly flat. Otherwise float64: the default-tolerance
    rank, and S_A <= ln bound + 1e-12.
    """
    small_side = max_schmidt_rank(len(region), lattice.n_pixels, lattice.levels)
    if small_side <= MAX_EXACT_SIDE and np.all(values == np.round(values)):
        rank = exact_schmidt_rank(values, region, levels=lattice.levels)
        attained = rank == bound and has_flat_spectrum(values, region, levels=lattice.levels)
        return rank <= bound, attained, "exact"
    holds = profile.rank <= bound and profile.entropy <= math.log(bound) + 1e-12
    return holds, profile.rank == bound and abs(profile.entropy - math.log(bound)) < 1e-12, "float64"


def subvolume_lattices(full: bool = False) -> list[tuple[Lattice, dict[str, Region]]]:
    """The lattices the numeric check measures, each with its regions: 4x4 (default regions), chains of 12
    and 16 pixels (and 20 with ``full``), a chain of 8 three-level pixels, and 5x5 straight cuts with ``full``."""
    jobs = [(Lattice(4, 4), default_regions(Lattice(4, 4)))]
    jobs += [(Lattice(n, 1), _chain_regions(n)) for n in ((12, 16, 20) if full else (12, 16))]
    jobs.append((Lattice(8, 1, 3), _chain_regions(8)))
    if full:
        jobs.append((Lattice(5, 5), straight_cuts(Lattice(5, 5))))
    return jobs


def check_subvolume_numerically(
    pattern_or_rank: sympy.Expr = PATTERN_OR_RANK,
    *,
    full: bool = False,
    seed: int = 0,
    progress=None,
) -> NumericCheck:
    """Every local target on every default region of 4x4 (and 5x5 straight cuts with ``full``) and every
    prefix cut and some intervals of chains of 12 and 16 pixels (20 with ``full``): exact S_A and rank
    against the derived bounds. ``progress``: a callable wrapping an iterable (e.g. tqdm)."""
    work = [
        (lattice, regions, model, values)
        for lattice, regions in subvolume_lattices(full)
        for model, values in local_targets(lattice, seed)
    ]
    rows, passed, non_vacuous = [], [], 0
    for lattice, regions, model, values in progress(work) if progress else work:
        for label, region in regions.items():
            geometry = cut_geometry(model, region)
            local, pattern = local_rank_bound(model, geometry, pattern_or_rank)
            bound = min(local, pattern) if pattern is not None else local
            profile = entanglement_profile(values, region, levels=lattice.levels)
            holds, attained, how = (
                _decide(values, lattice, region, profile, bound) if bound >= 1 else (False, False, "-")
            )
            useful = bound < max_schmidt_rank(len(region), lattice.n_pixels, lattice.levels)
            non_vacuous += useful
            rows.append(
                (
                    model.name,
                    f"{lattice.width}x{lattice.height}",
                    label,
                    len(region),
                    model.feature_size,
                    geometry.straddling,
                    min(geometry.boundary_a, geometry.boundary_b),
                    profile.entropy,
                    profile.rank,
                    local,
                    pattern,
                    math.log(bound) if bound >= 1 else -math.inf,
                    attained,
                    how,
                    bool(useful),
                )
            )
            passed.append(holds)
    by_function = {}
    for row in rows:
        entry = by_function.setdefault(
            row[0],
            {
                "cases": 0,
                "rank_at_local_bound": 0,
                "rank_at_pattern_bound": 0,
                "entropy_attains_bound": 0,
                "max_rank_over_local": 0.0,
                "max_entropy_over_log_bound": 0.0,
            },
        )
        entry["cases"] += 1
        entry["entropy_attains_bound"] += row[12]
        entry["rank_at_local_bound"] += row[8] == row[9]
        entry["rank_at_pattern_bound"] += row[10] is not None and row[8] == row[10]
        entry["max_rank_over_local"] = max(entry["max_rank_over_local"], row[8] / row[9])
        if row[11] > 0:
            entry["max_entropy_over_log_bound"] = max(entry["max_entropy_over_log_bound"], row[7] / row[11])
    failures = len(rows) - sum(passed)
    return NumericCheck(
        headers=(
            "function",
            "lattice",
            "region",
            "|A|",
            "xi",
            "K",
            "|U|",
            "S_A",
            "rank",
            "local bound",
            "pattern bound",
            "ln bound",
            "S = ln bound",
            "decided",
            "non-vacuous",
        ),
        rows=tuple(rows),
        row_passed=tuple(passed),
        summary=(
            f"{len(rows)} (function, cut) pairs ({non_vacuous} with the bound below the ceiling "
            f"$d^{{\\min(|A|,|B|)}}$): "
            f"rank and $S_A$ within the derived bound in {sum(passed)}"
            + (f"; {failures} VIOLATIONS" if failures else "")
            + r". Tightness per function (max rank / local bound, max $S_A / \ln$ bound): "
            + "; ".join(
                f"{name}: {v['max_rank_over_local']:.2f}, {v['max_entropy_over_log_bound']:.2f}"
                for name, v in by_function.items()
            )
        ),
        figures={
            "by_function": by_function,
            "violations": failures,
            "comparisons": len(rows),
            "non_vacuous": non_vacuous,
        },
    )


def _enumerated_square_boundary(side: int, size: int) -> int:
    """|U_A| of a side x side square in the middle of an image with a (size - 1)-pixel margin, by counting."""
    margin = size - 1
    lattice = Lattice(side + 2 * margin + 1, side + 2 * margin + 1)
    model = LocalFeatureModel("square", lattice, _square_windows(lattice, size), "or")
    return cut_geometry(model, rectangle(lattice, margin, margin, side, side)).boundary_a


def or_terms_within_bound(bound: sympy.Expr = 1 + d ** symbols("U")) -> bool:
    """f = 1 - alpha(s_A) beta(s_B) prod_j (1 - phi_j(s_U, s_B)) with U_A's configurations v = 1..d^U as
    indicator symbols e_v (A's side) and the straddling factors as free symbols c_v (B's side): after
    expansion, the distinct A-side factors of the separable terms number at most the claimed bound."""
    outcomes = []
    for levels in (2, 3):
        for boundary in range(1, 4):
            configurations = levels**boundary
            e, c = symbols(f"e0:{configurations}"), symbols(f"c0:{configurations}")
            alpha, beta = symbols("alpha beta")
            f = 1 - alpha * beta * sum(e[v] * c[v] for v in range(configurations))
            a_sides = {term.as_independent(beta, *c, as_Add=False)[0] for term in sympy.expand(f).as_ordered_terms()}
            outcomes.append(len(a_sides) <= bound.subs({d: levels, symbols("U"): boundary}))
    return all_true(outcomes)


def subvolume_result(
    claimed_boundary: sympy.Expr = SQUARE_BOUNDARY, claimed_pattern_rank: sympy.Expr = PATTERN_OR_RANK
) -> Result:
    """Build result 3 from the claimed |U_A| of an l x l square and the claimed pattern-OR rank bound."""
    interior = Sum(1, (px, xi - 1, l - xi), (py, xi - 1, l - xi)).doit()
    derived_boundary = sympy.expand(l**2 - interior)
    piecewise = Piecewise((l**2, l < 2 * xi - 2), (claimed_boundary, True))
    entropy_bound = log(r_G) + claimed_boundary * log(d)

    def matches_enumeration() -> bool:
        return all_true(
            [
                _enumerated_square_boundary(side, size) == piecewise.subs({l: side, xi: size})
                for size in range(1, 5)
                for side in range(1, 8)
            ]
        )

    def pattern_terms_within_claim() -> bool:
        outcomes = []
        for count in range(1, 6):
            a, b = symbols(f"a0:{count}"), symbols(f"b0:{count}")
            alpha, beta = symbols("alpha beta")
            terms = sympy.expand(
                1 - alpha * beta * sympy.prod([1 - a[j] * b[j] for j in range(count)])
            ).as_ordered_terms()
            separable = all(not term.as_independent(beta, *b, as_Add=False)[1].has(alpha, *a) for term in terms)
            outcomes.append(separable and len(terms) <= claimed_pattern_rank.subs(K, count))
        return all_true(outcomes)

    return Result(
        key="sub-volume",
        title="Sub-volume law for local-feature target functions",
        assumptions=(
            r"The target is decided by detectors on windows of diameter at most $\xi$ (the feature size), "
            "aggregated by OR, by a count with a threshold, by an order-independent aggregator with $r_G$ states, "
            "or by an $r_G$-state automaton reading the features in a fixed order (then the bound counts the runs "
            "of $A$'s features in that order).",
            r"For the square: $A$ is an $l \times l$ square at least $\xi - 1$ pixels from the image border, "
            r"the windows "
            r"are all $\xi \times \xi$ windows, and $U_A$ is the set of $A$-pixels lying in a window that "
            r"straddles the cut.",
            r"Bounds on the rank are exact integer statements; entropies follow from $S_A \le \ln "
            r"\operatorname{rank}$ (result 1).",
        ),
        statement=(
            sympy.Le(symbols(r"\operatorname{rank}_A{f}"), r_G * d**boundary_size),
            sympy.Eq(boundary_size, piecewise),
            sympy.Le(symbols("S_A"), entropy_bound),
            sympy.Le(symbols(r"\operatorname{rank}_A{f_{OR}}"), claimed_pattern_rank),
        ),
        steps=(
            Step(r"interior $A$-pixels, in no straddling window: $x, y \in [\xi - 1, l - \xi]$", interior),
            Step("$|U_A| = l^2$ minus the interior", derived_boundary),
            Step("entropy bound from the reader lemma", entropy_bound),
            Step(
                r"bound per unit of volume $l^2 \ln d$ as $l \to \infty$",
                sympy.Limit(entropy_bound / (l**2 * log(d)), l, oo),
            ),
            Step(
                "OR of $K$ straddling pattern detectors, $K = 2$: rank-one terms",
                sympy.expand(
                    1
                    - symbols("alpha")
                    * symbols("beta")
                    * (1 - symbols("a0") * symbols("b0"))
                    * (1 - symbols("a1") * symbols("b1"))
                ),
            ),
        ),
        checks=(
            proved(
                r"$|U_A|$ of an $l \times l$ square equals the claim for $l \ge 2 \xi - 2$",
                lambda: is_zero(derived_boundary - claimed_boundary),
            ),
            checked(
                r"the claimed $|U_A|$ equals enumeration on lattices for $\xi \le 4$, $l \le 7$", matches_enumeration
            ),
            proved(
                r"the entropy bound per unit volume $l^2 \ln d \to 0$ as $l \to \infty$",
                lambda: sympy.limit(entropy_bound / (l**2 * log(d)), l, oo) == 0,
            ),
            proved(
                "the bound grows like $l^1$, below the volume's $l^2$",
                lambda: Poly(claimed_boundary, l).degree() == 1 and Poly(l**2, l).degree() == 2,
            ),
            checked(
                r"an OR of $K$ straddling pattern detectors has at most the claimed number of separable "
                r"terms, $K = 1, \dots, 5$",
                pattern_terms_within_claim,
            ),
            checked(
                r"an OR with $U_A$'s values fixed leaves at most $1 + d^{|U_A|}$ distinct rows (separable terms), "
                r"$d = 2, 3$, $|U_A| = 1, \dots, 3$",
                or_terms_within_bound,
            ),
            checked(
                r"a run of an $r$-state automaton passes on a span of the claimed dimension ($1$, $r$, $r^2 - r + 1$), "
                r"by enumerating all $r^r$ maps, $r = 1, \dots, 4$",
                lambda: all_true(
                    [
                        run_span_dimension(states, kind) == RUN_DIMENSION[kind].subs(r_G, states)
                        for states in range(1, 5)
                        for kind in RUN_DIMENSION
                    ]
                ),
            ),
        ),
        cited=(
            (
                r"the distinct-rows lemma: $f = G(T(s_A), s_B)$ with $T$ taking $r$ values has "
                r"$\operatorname{rank}_A f \le r$",
                "result 2",
            ),
            (
                "rows lying in a subspace span at most its dimension; spans of tensor products multiply",
                "standard linear algebra",
            ),
        ),
        numeric=lambda **options: check_subvolume_numerically(claimed_pattern_rank, **options),
        remark=(
            "The paper argues the sub-volume law in words; this is the precise statement proved: the rank "
            "bound is per aggregator, uses the better of the two sides, caps a count at its threshold, and "
            "for exact patterns uses $K$, the number of straddling windows, which is often far below "
            r"$d^{|U_A|}$. A far-apart comparison is covered too, but its window is the whole image ($\xi$ large), "
            "so its bound is not an area law: it is the one target here that is not local."
        ),
    )
