"""The ``cnn-bounds`` command line.

Every subcommand prints a readable table, or JSON with ``--json``. Bad arguments give one line on stderr
and exit status 2.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Sequence

import click
from tqdm import tqdm

from numeric import InvalidInputError, Lattice
from numeric.catalog import CATALOG, build_target
from numeric.entanglement import entanglement_entropy, max_entropy, page_entropy, schmidt_rank
from numeric.lattice import boundary_length, default_regions, parse_region, parse_shape


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
        value = entanglement_entropy(values, region, levels=levels, alpha=alpha)
        ceiling = max_entropy(size, lattice.n_pixels, levels)
        records.append({
            "region": label,
            "pixels": list(region),
            "size": size,
            "boundary_bonds": boundary_length(lattice, region),
            "entropy": value,
            "schmidt_rank": schmidt_rank(values, region, levels=levels),
            "volume_law": ceiling,
            "page": page_entropy(levels**size, levels ** (lattice.n_pixels - size)),
            "within_volume_bound": bool(-1e-12 <= value <= ceiling + 1e-12),
        })
    if as_json:
        summary = {
            "lattice": {"width": lattice.width, "height": lattice.height, "levels": levels},
            "function": function_spec, "seed": seed, "alpha": alpha if math.isfinite(alpha) else "inf",
            "units": "nats", "regions": records,
        }
        click.echo(json.dumps(summary, indent=2))
        return
    click.echo(f"{function_spec} on the {lattice}; S_alpha with alpha = {alpha:g}, in nats")
    click.echo(format_table(
        ["region", "|A|", "|dA|", "S_A", "rank", "min(|A|,|B|) ln d", "Page"],
        [[r["region"], r["size"], r["boundary_bonds"], r["entropy"], r["schmidt_rank"], r["volume_law"], r["page"]] for r in records],
    ))
