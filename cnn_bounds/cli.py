"""The ``cnn-bounds`` command line.

Every subcommand prints a readable table, or JSON with ``--json``. Bad arguments give one line on stderr
and exit status 2.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path
from collections.abc import Callable, Sequence

import click
from tqdm import tqdm

from cnn_bounds.files import dumps, write_atomically
from numeric import InvalidInputError, Lattice
from numeric.catalog import CATALOG, build_target
from numeric.entanglement import entanglement_profile, entropy_of_probabilities, max_entropy, page_entropy
from numeric.lattice import boundary_length, default_regions, parse_region, parse_shape
from proofs import all_results
from sympy import latex as sympy_latex


class BadRequest(click.ClickException):
    """A request the toolkit refuses: printed as one ``Error: ...`` line, exit status 2."""

    exit_code = 2


def refuse_bad_input(command: Callable) -> Callable:
    """Turn the toolkit's InvalidInputError (and TooLargeError) into one clear line and exit status 2."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except InvalidInputError as error:
            raise BadRequest(str(error)) from None

    return wrapper


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain aligned text table; floats with 4 decimals."""
    cells = [[f"{v:.4f}" if isinstance(v, float) else str(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(headers, widths)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in cells]
    return "\n".join(lines)


def lattice_option(command: Callable) -> Callable:
    """--shape WxH and --levels d."""
    command = click.option("--levels", default=2, show_default=True, type=int, help="Levels d per pixel.")(command)
    return click.option("--shape", default="4x4", show_default=True, help="Lattice WIDTHxHEIGHT (a chain: Nx1).")(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cnn-bounds")
def main() -> None:
    """Verify the claims of arXiv:1710.05520: entanglement of image-classification target functions
    and CNNs, exactly on small lattices and symbolically."""


@main.command()
@lattice_option
@click.option(
    "--function", "function_spec", default="pattern-present", show_default=True, metavar="NAME[:k=v,...]",
    help="Target function; one of: " + ", ".join(CATALOG) + ". Parameters as e.g. pattern-present:size=3.",
)
@click.option(
    "--region", "region_specs", multiple=True, metavar="SPEC",
    help="cols:K, rows:K, rect:X0,Y0,W,H or pixels:P1,P2,... (repeatable). "
    "Default: every straight cut and every rectangle up to half the image.",
)
@click.option("--alpha", default=1.0, show_default=True, type=float, help="Renyi index (1 = von Neumann, inf = min-entropy).")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed for random functions.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@refuse_bad_input
def entropy(shape: str, levels: int, function_spec: str, region_specs: tuple[str, ...], alpha: float, seed: int, as_json: bool) -> None:
    """Entanglement entropy S_A (nats) of a target function on each region, beside the volume-law
    ceiling min(|A|,|B|) ln d and Page's random-state value."""
    lattice = Lattice(*parse_shape(shape), levels=levels)
    values = build_target(function_spec, lattice, seed)
    regions = dict(parse_region(lattice, spec) for spec in region_specs) if region_specs else default_regions(lattice)
    records = []
    for label, region in tqdm(regions.items(), desc="regions", unit="region", disable=None, leave=False):
        size = len(region)
        profile = entanglement_profile(values, region, levels=levels)
        squares = profile.schmidt_values**2
        value = entropy_of_probabilities(squares / squares.sum(), alpha) if alpha else math.log(profile.rank)
        ceiling = max_entropy(size, lattice.n_pixels, levels)
        records.append({
            "region": label,
            "pixels": list(region),
            "size": size,
            "boundary_bonds": boundary_length(lattice, region),
            "entropy": value,
            "schmidt_rank": profile.rank,
            "volume_law": ceiling,
            "page": page_entropy(levels**size, levels ** (lattice.n_pixels - size)),
            "within_volume_bound": bool(-1e-12 <= value <= ceiling + 1e-12),
        })
    if as_json:
        summary = {
            "lattice": {"width": lattice.width, "height": lattice.height, "levels": levels},
            "function": function_spec, "seed": seed, "alpha": alpha,
            "units": "nats", "regions": records,
        }
        click.echo(dumps(summary))
        return
    click.echo(f"{function_spec} on the {lattice}; S_alpha with alpha = {alpha:g}, in nats")
    click.echo(format_table(
        ["region", "|A|", "|dA|", "S_A", "rank", "min(|A|,|B|) ln d", "Page"],
        [[r["region"], r["size"], r["boundary_bonds"], r["entropy"], r["schmidt_rank"], r["volume_law"], r["page"]] for r in records],
    ))


def _progress(description: str):
    return lambda iterable: tqdm(iterable, desc=description, leave=False, disable=None)


@main.command()
@click.option("--full", is_flag=True, help="Larger lattices, more samples (minutes instead of seconds).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.option("--latex", "latex_path", type=click.Path(dir_okay=False, writable=True), help="Write a LaTeX fragment here.")
@refuse_bad_input
def derive(full: bool, as_json: bool, latex_path: str | None) -> None:
    """The paper's four results: assumptions, sympy derivation, and whether the symbolic and the numeric
    checks passed, with the compared figures."""
    outcomes = []
    for result in tqdm(all_results(), desc="results", leave=False, disable=None):
        symbolic = result.verify_symbolic()
        numeric = result.check_numeric(full=full, progress=_progress(result.key))
        outcomes.append((result, symbolic, numeric))
    if latex_path:
        fragment = "% Generated by cnn-bounds derive: the paper's results as proved and checked.\n"
        fragment += "".join(result.latex(symbolic, numeric) for result, symbolic, numeric in outcomes)
        write_atomically(latex_path, fragment)
    if as_json:
        click.echo(dumps([derivation_record(*outcome) for outcome in outcomes]))
        return
    for result, symbolic, numeric in outcomes:
        click.echo(f"== {result.title} [{result.key}]")
        for assumption in result.assumptions:
            click.echo(f"  assumes: {assumption}")
        for step in result.steps:
            click.echo(f"  step: {step.text}: {' '.join(str(step.expression).split())}")
        for name, ok in symbolic.outcomes:
            click.echo(f"  [{'ok' if ok else 'FAILED'}] {name}")
        click.echo(f"  symbolic check: {'passed' if symbolic.passed else 'FAILED'}")
        click.echo(f"  numeric check: {'passed' if numeric.passed else 'FAILED'}: {numeric.summary}")
        if result.remark:
            click.echo(f"  precise version: {result.remark}")
        click.echo("")
    if latex_path:
        click.echo(f"LaTeX fragment written to {Path(latex_path)}")


def derivation_record(result, symbolic, numeric) -> dict:
    """Everything derive reports about one result, JSON-ready."""
    return {
        "key": result.key,
        "title": result.title,
        "assumptions": list(result.assumptions),
        "statement": [str(s) for s in result.statement],
        "statement_latex": [sympy_latex(s) for s in result.statement],
        "steps": [{"text": s.text, "expression": str(s.expression)} for s in result.steps],
        "remark": result.remark,
        "symbolic": {"passed": symbolic.passed, "checks": [{"name": n, "passed": ok} for n, ok in symbolic.outcomes]},
        "numeric": {
            "passed": numeric.passed, "summary": numeric.summary, "headers": list(numeric.headers),
            "rows": [list(r) for r in numeric.rows], "row_passed": list(numeric.row_passed), "figures": numeric.figures,
        },
    }
