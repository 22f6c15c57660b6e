"""Sympy derivations of the paper's results, one module per result.

Each result (a :class:`proofs.result.Result`) carries its assumptions, statement, derivation steps, a
symbolic check that sympy evaluates, a numeric check against exact small-lattice numbers, and LaTeX.
"""

from proofs.channel_scaling import channel_scaling_result
from proofs.distinct_rows import distinct_rows_result
from proofs.renyi2 import renyi2_result
from proofs.result import NumericCheck, Result, SymbolicCheck
from proofs.subvolume import subvolume_result
from proofs.volume_law import volume_law_result


def all_results(measure_networks=None) -> list[Result]:
    """The paper's four results, as proved here, in the paper's order, and what a sampled Renyi-2 entropy
    can show about them (result 5). ``measure_networks``: the network
    sweep that result 4's numeric check measures (see :func:`channel_scaling_result`)."""
    return [
        volume_law_result(),
        distinct_rows_result(),
        subvolume_result(),
        channel_scaling_result(measure_networks=measure_networks),
        renyi2_result(),
    ]


def check_all(
    full: bool = False, seed: int = 0, progress=None, measure_networks=None
) -> list[tuple[Result, SymbolicCheck, NumericCheck]]:
    """Run every result's symbolic and numeric checks. ``progress(description)``, when given, returns a
    callable that wraps an iterable (e.g. a tqdm bar)."""
    return [
        (
            result,
            result.verify_symbolic(),
            result.check_numeric(full=full, seed=seed, progress=progress(result.key) if progress else None),
        )
        for result in all_results(measure_networks)
    ]


__all__ = [
    "NumericCheck",
    "Result",
    "SymbolicCheck",
    "all_results",
    "check_all",
    "channel_scaling_result",
    "distinct_rows_result",
    "renyi2_result",
    "subvolume_result",
    "volume_law_result",
]
