"""The entanglement of what a trained network has learnt, at real image sizes, by tensor cross interpolation
(numeric.tci) with validated errors; beside it, Page's volume law, the same architecture untrained, and the
entanglement of the data itself (numeric.data_tensor).

For a region A of the image, the pixels are read in an order where A | B is one bond
(numeric.feature_mps.reading_order); f (a network's class probability or logit, cnn_bounds.networks.classifier)
is interpolated on all d^N images with the class's training images as the first pivots, and the
interpolant is compared with f on held-out images: VALIDATION_SAMPLES drawn uniformly and at each biased
density (numeric.tci.DENSITIES), and the data set's held-out images. The entropy across the bond is
reported only when the interpolation converged (its own searches found nothing above the tolerance) and
the largest error on every held-out set is at most ``threshold`` max|f| (VALIDATION_THRESHOLD);
otherwise the cut is reported as not measured, with what stopped it. Both the entropy and its error are
sampled quantities, not bounds (numeric.tci's docstring says why).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import torch

from cnn_bounds.networks.classifier import (
    CLASSES,
    Architecture,
    accuracy,
    class_function,
    logit_rank_bound,
    parameter_count,
    train_classifier,
)
from cnn_bounds.networks.data import ImageSet, load, split
from cnn_bounds.verdicts.base import Quoter, mean_sd_tex, spread, table
from cnn_bounds.verdicts.points import Points, run_points
from numeric import InvalidInputError, Lattice, page_entropy
from numeric.data_tensor import ceiling as data_ceiling
from numeric.data_tensor import class_weights, data_entanglement
from numeric.feature_mps import reading_order
from numeric.lattice import Region, parse_region
from numeric.mps import bond_spectra
from numeric.tci import (
    BatchedFunction,
    SampledError,
    cross_interpolate,
    in_order,
    sample_configurations,
    sampled_entropy_error,
    validate,
)

VALIDATION_THRESHOLD = 1e-3
VALIDATION_SAMPLES = 5000
RANK_TOLERANCE = 1e-13  # a top cut's rank counts p_k > RANK_TOLERANCE p_1 (eigenvalue rounding ~1e-16 p_1)
BOUND_SLACK = 1e-9  # S <= ln D is checked to this absolute tolerance (nats): the spectrum is float64
LEARNT_QUICK = {"data": "digits", "output": "logit", "regions": ["rows:4"], "seeds": 1}
LEARNT_FULL = {**LEARNT_QUICK, "regions": ["rows:4", "cols:4"], "seeds": 3}
"""The trained CNNs on real digits in the report: 8x8 binarised digits, one layer of 8 channels and a dense
read-out (this module's defaults), class 0's logit across the middle cut(s)."""


@dataclass(frozen=True)
class LearntCut:
    """One region's measurement: the entropy S (nats; None when validation failed), the bond's rank, the
    validation errors per held-out set, the estimated entropy error (numeric.tci.sampled_entropy_error),
    the cross interpolation's cost, and the references: Page's value and the ceiling ln min(d^|A|, d^|B|)."""

    region: str
    size: int
    entropy: float | None
    rank: int
    validation: dict[str, SampledError]
    entropy_error_estimate: float
    evaluations: int
    sweeps: int
    converged: bool
    seconds: float
    page: float
    ceiling: float
    threshold: float
    notes: list[str] = field(default_factory=list)

    @property
    def worst_error(self) -> float:
        """max over the held-out sets of max |f - f~| / max |f|."""
        return max(error.relative_max for error in self.validation.values())

    def as_dict(self) -> dict:
        return {
            "region": self.region,
            "size": self.size,
            "entropy": self.entropy,
            "rank": self.rank,
            "worst_validation_error": self.worst_error,
            "threshold": self.threshold,
            "entropy_error_estimate": self.entropy_error_estimate,
            "evaluations": self.evaluations,
            "sweeps": self.sweeps,
            "converged": self.converged,
            "seconds": self.seconds,
            "page": self.page,
            "ceiling": self.ceiling,
            "notes": self.notes,
            "validation": {
                name: {
                    "samples": e.samples,
                    "relative_max": e.relative_max,
                    "relative_rms": e.rms_error / e.rms_value if e.rms_value else None,
                }
                for name, e in self.validation.items()
            },
        }


def measure_cut(
    function: BatchedFunction,
    lattice: Lattice,
    label: str,
    region: Region,
    seeds: np.ndarray,
    held_out: np.ndarray,
    *,
    tolerance: float = 1e-4,
    max_rank: int = 96,
    max_sweeps: int = 8,
    threshold: float = VALIDATION_THRESHOLD,
    samples: int = VALIDATION_SAMPLES,
    seed: int = 0,
    order: tuple[Sequence[int], int] | None = None,
    settle: str = "each",
    progress: bool = False,
) -> LearntCut:
    """S_A of ``function`` (images (batch, N) in the package's pixel order -> values) across ``region``,
    interpolated from the ``seeds`` images (count, N) and validated on ``held_out`` images (count, N) and
    random ones (module docstring). ``order``: the pixel order and the bond that is A | B (default
    numeric.feature_mps.reading_order; a tree ConvAC reads best in cnn_bounds.networks.convac.tree_order); ``settle``:
    numeric.tci.cross_interpolate's rank rule for convergence."""
    order, bond = order or reading_order(lattice, region)
    order = list(order)
    dims = [lattice.levels] * lattice.n_pixels
    started = time.perf_counter()
    interpolation = cross_interpolate(
        in_order(function, order),
        dims,
        seeds=np.asarray(seeds)[:, order],
        tolerance=tolerance,
        max_rank=max_rank,
        max_sweeps=max_sweeps,
        seed=seed,
        settle=settle,
        progress=progress,
    )
    held_out_sets = {**sample_configurations(dims, samples, seed + 1), "data": np.asarray(held_out)[:, order]}
    validation = validate(interpolation.state, in_order(function, order), held_out_sets)
    seconds = time.perf_counter() - started
    spectrum = bond_spectra(interpolation.state)[bond - 1]
    before, after = lattice.levels**bond, lattice.levels ** (lattice.n_pixels - bond)
    dimension = min(before, after)
    worst = max(error.relative_max for error in validation.values())
    notes = [] if interpolation.converged else [f"not converged after {interpolation.sweeps} half-sweeps"]
    if worst > threshold:
        notes.append(f"validation error {worst:.1e} > {threshold:g}")
    reported = not notes
    if not reported:
        notes.append("entropy not reported")
    return LearntCut(
        label,
        len(region),
        spectrum.entropy() if reported else None,
        len(spectrum.probabilities),
        validation,
        sampled_entropy_error(validation["uniform"], dimension, len(spectrum.probabilities)),
        interpolation.evaluations,
        interpolation.sweeps,
        interpolation.converged,
        seconds,
        page_entropy(before, after),
        math.log(dimension),
        threshold,
        notes,
    )


@cache
def image_set(name: str, levels: int, pool: int) -> ImageSet:
    """The data set ``name`` quantised to ``levels`` grey levels after ``pool`` x ``pool`` pooling, loaded once
    per process (:func:`cnn_bounds.networks.data.load`)."""
    return load(name, levels, pool)


@cache
def _trained(
    data: str, levels: int, pool: int, architecture: Architecture, seed: int, held_out: float, epochs: int
) -> tuple[torch.nn.Module, ImageSet, ImageSet]:
    """The network trained for one seed, with its training and held-out images: once per process, however
    many regions are measured on it (it is never changed: class_function evaluates a copy)."""
    training, held_out_images = split(image_set(data, levels, pool), held_out, seed)
    return train_classifier(training, architecture, seed, epochs), training, held_out_images


def measure_point(parameters: dict) -> dict:
    """One seed of one architecture: train on a stratified split (``held_out`` fraction held out, the split and
    the weights drawn from the seed), its held-out accuracy, and the class function's S across the region,
    learnt and untrained (same architecture and seed, no training). Pure: the same parameters give the same
    numbers, in any process (so points can run in joblib or Dask workers)."""
    architecture = Architecture(parameters["depth"], parameters["channels"], parameters["kernel"], parameters["head"])
    network, training, held_out = _trained(
        parameters["data"],
        parameters["levels"],
        parameters["pool"],
        architecture,
        parameters["seed"],
        parameters["held_out"],
        parameters["epochs"],
    )
    lattice = training.lattice
    label, region = parse_region(lattice, parameters["region"])
    trained = {
        "accuracy": accuracy(network, held_out),
        "training_accuracy": accuracy(network, training),
        "parameters": parameter_count(network),
    }
    if not parameters["measure"]:
        return trained
    seeds = training.flat[training.labels == parameters["label"]]
    options = {key: parameters[key] for key in ("tolerance", "max_rank", "max_sweeps", "threshold", "samples")}
    # z_c of the flatten head is a sum of window functions: its rank has a proved bound (the probability has none)
    bound = (
        logit_rank_bound(lattice, region, architecture)
        if parameters["output"] == "logit" and architecture.head == "flatten"
        else None
    )
    cuts = {}
    for kind, measured in (("learnt", network), ("untrained", architecture.build(lattice, parameters["seed"]))):
        function = class_function(measured, lattice, parameters["label"], parameters["output"])
        cuts[kind] = measure_cut(
            function, lattice, label, region, seeds, held_out.flat, seed=parameters["seed"], **options
        ).as_dict()
        cuts[kind]["rank_bound"] = bound
    return {**trained, **cuts}


def data_point(parameters: dict, permutations: int = 5) -> dict:
    """The data tensor's S across the region for the class against the rest (numeric.data_tensor, every image
    of the set), and the same with the pixels randomly permuted (``permutations`` draws from the seed: locality
    destroyed, as Alexander et al.'s control): mean and sample standard deviation."""
    data = image_set(parameters["data"], parameters["levels"], parameters["pool"])
    label, region = parse_region(data.lattice, parameters["region"])
    weights = class_weights(data.labels, parameters["label"])
    measured = data_entanglement(data.flat, weights, region, data.levels, parameters["feature_map"])
    rng = np.random.default_rng(parameters["seed"])
    permuted = [
        data_entanglement(
            data.flat[:, rng.permutation(data.lattice.n_pixels)],
            weights,
            region,
            data.levels,
            parameters["feature_map"],
        ).entropy
        for _ in range(permutations)
    ]
    return {
        "region_label": label,
        "entropy": measured.entropy,
        "rank": measured.rank,
        "images": measured.images,
        "permuted_mean": float(np.mean(permuted)),
        "permuted_sd": float(np.std(permuted, ddof=1)),
        "permutations": permutations,
        "ceiling": data_ceiling(
            measured.images, len(region), data.lattice.n_pixels, data.levels, parameters["feature_map"]
        ),
    }


def _bound_checks(cuts: list[dict]) -> dict:
    """How many reported cuts have a proved rank bound below the ceiling (non-vacuous), and how many of those
    have their interpolated rank within it."""
    checked = [
        c
        for c in cuts
        if c["rank_bound"] is not None and c["entropy"] is not None and math.log(c["rank_bound"]) < c["ceiling"]
    ]
    return {"bound_checks": len(checked), "within_bound": sum(c["rank"] <= c["rank_bound"] for c in checked)}


def learnt_sweep(
    data: str = "digits",
    levels: int = 2,
    pool: int = 1,
    architectures: list[Architecture] | None = None,
    regions: list[str] | None = None,
    label: int = 0,
    output: str = "probability",
    seeds: int = 3,
    seed: int = 0,
    held_out: float = 0.25,
    epochs: int = 30,
    tolerance: float = 1e-6,
    max_rank: int = 160,
    max_sweeps: int = 8,
    threshold: float = VALIDATION_THRESHOLD,
    samples: int = VALIDATION_SAMPLES,
    feature_map: str = "one-hot",
    measure: bool = True,
    goal: float = 0.9,
    cache: Points | None = None,
    jobs: int = 1,
    scheduler: str | None = None,
    progress: bool = False,
) -> dict:
    """Every architecture x seed x region (:func:`measure_point`; with ``measure`` False, training and
    accuracy only) and every region's data tensor (:func:`data_point`), then per architecture the held-out
    accuracy over the seeds, per architecture and region the reported entropies (learnt and untrained) over
    the seeds with how many were not reported, and per depth the fewest channels whose mean held-out
    accuracy reaches ``goal`` (the channel-scaling question on real data)."""
    images = image_set(data, levels, pool)  # refuses a bad data request before any work
    architectures = architectures or [Architecture(1, 8)]
    regions = regions or [f"rows:{images.lattice.height // 2}"]
    for region in regions:
        parse_region(images.lattice, region)
    if not isinstance(label, int) or not 0 <= label < CLASSES:
        raise InvalidInputError(f"the class must be an integer from 0 to {CLASSES - 1}, got {label!r}")
    if not isinstance(seeds, int) or seeds < 1:
        raise InvalidInputError(f"seeds must be a positive integer, got {seeds!r}")
    common = {"data": data, "levels": levels, "pool": pool, "label": label}
    points = [
        {
            **common,
            "depth": a.depth,
            "channels": a.channels,
            "kernel": a.kernel,
            "head": a.head,
            "seed": seed + run,
            "held_out": held_out,
            "epochs": epochs,
            "output": output,
            "region": region,
            "tolerance": tolerance,
            "max_rank": max_rank,
            "max_sweeps": max_sweeps,
            "threshold": threshold,
            "samples": samples,
            "measure": measure,
        }
        for a in architectures
        for run in range(seeds)
        for region in (regions if measure else regions[:1])
    ]
    cache = cache or Points()
    measured = run_points(measure_point, points, cache, jobs, scheduler, progress)
    data_points = (
        run_points(
            data_point,
            [{**common, "region": region, "feature_map": feature_map, "seed": seed} for region in regions],
            cache,
            jobs,
            scheduler,
            progress,
        )
        if measure
        else []
    )
    summaries, accuracies = [], []
    for a in architectures:
        mine = [
            p
            for p in measured
            if (p["depth"], p["channels"], p["kernel"], p["head"]) == (a.depth, a.channels, a.kernel, a.head)
        ]
        trainings = [p for p in mine if p["region"] == regions[0]]  # one point per seed
        accuracy = spread([p["accuracy"] for p in trainings])
        accuracies.append(
            {
                "architecture": a.name,
                "depth": a.depth,
                "channels": a.channels,
                "parameters": trainings[0]["parameters"],
                "accuracy": accuracy,
            }
        )
        for region in regions if measure else []:
            here = [p for p in mine if p["region"] == region]
            summaries.append(
                {
                    "architecture": a.name,
                    "region": here[0]["learnt"]["region"],
                    "parameters": here[0]["parameters"],
                    "accuracy": accuracy,
                    **{
                        kind: spread([p[kind]["entropy"] for p in here if p[kind]["entropy"] is not None])
                        for kind in ("learnt", "untrained")
                    },
                    "not_reported": sum(p[kind]["entropy"] is None for p in here for kind in ("learnt", "untrained")),
                    **_bound_checks([p[kind] for p in here for kind in ("learnt", "untrained")]),
                    "page": here[0]["learnt"]["page"],
                    "ceiling": here[0]["learnt"]["ceiling"],
                }
            )
    needed = {
        depth: min(
            (row["channels"] for row in accuracies if row["depth"] == depth and row["accuracy"]["mean"] >= goal),
            default=None,
        )
        for depth in sorted({a.depth for a in architectures})
    }
    totals = {total: sum(s[total] for s in summaries) for total in ("not_reported", "bound_checks", "within_bound")}
    return {
        "data": images.name,
        "class": label,
        "output": output,
        "points": measured,
        "data_tensor": data_points,
        "summaries": summaries,
        **totals,
        "accuracies": accuracies,
        "goal": goal,
        "channels_needed": needed,
        "threshold": threshold,
        "seeds": seeds,
        "feature_map": feature_map,
        "measured": measure,
    }


def learnt_section(result: dict, q: Quoter | None = None, at: str = "") -> str:
    """``cnn-bounds learnt``'s results as a LaTeX fragment (a subsection, booktabs tables) to \\input into a
    paper or report: accuracy and entropies per architecture and region, then the data tensor's. Numbers
    go through ``q`` (a Quoter of the results this one sits at ``at`` in, e.g. "learnt."; default its own)."""
    q = q or Quoter(result)
    text = [
        r"\subsection*{Entanglement of learnt functions on " + q(at + "data") + "}",
        f"Class {q(at + 'class', '{}')} ({q(at + 'output')}); means and sample standard deviations over "
        f"{q(at + 'seeds', '{}')} training seeds; entropies in nats by cross interpolation, reported only where "
        f"every held-out error is at most {q(at + 'threshold', '{:g}')} of $\\max|f|$ (sampled, not bounds).",
        "",
    ]
    text.append(
        table(
            "lrr",
            ["architecture", "parameters", "held-out accuracy"],
            [
                [
                    q(f"{at}accuracies.{i}.architecture"),
                    q(f"{at}accuracies.{i}.parameters", "{}"),
                    mean_sd_tex(q, f"{at}accuracies.{i}.accuracy"),
                ]
                for i in range(len(result["accuracies"]))
            ],
        )
    )
    if not result["measured"]:
        return "\n".join(text)
    text.append(
        table(
            "Xlrrrrr",
            ["architecture", "region", "accuracy", "$S$ learnt", "$S$ untrained", "Page", "ceiling"],
            [
                [
                    q(f"{at}summaries.{i}.architecture"),
                    q(f"{at}summaries.{i}.region"),
                    mean_sd_tex(q, f"{at}summaries.{i}.accuracy"),
                    mean_sd_tex(q, f"{at}summaries.{i}.learnt"),
                    mean_sd_tex(q, f"{at}summaries.{i}.untrained"),
                    q(f"{at}summaries.{i}.page", "{:.2f}"),
                    q(f"{at}summaries.{i}.ceiling", "{:.2f}"),
                ]
                for i in range(len(result["summaries"]))
            ],
        )
    )
    if result["not_reported"]:
        text.append(f"{q(at + 'not_reported', '{}')} measurements failed validation and are not reported.\n")
    if result["bound_checks"]:
        text.append(
            f"Interpolated rank within the proved logit rank bound at {q(at + 'within_bound', '{}')} of "
            f"{q(at + 'bound_checks', '{}')} non-vacuous cuts.\n"
        )
    text.append(
        f"Data tensor ({q(at + 'feature_map')} feature map, class {q(at + 'class', '{}')} against the rest, all "
        "images) and the same images with pixels randomly permuted:\n"
    )
    text.append(
        table(
            "lrrrr",
            ["region", "$S$ data", "rank", "$S$ permuted", "ceiling"],
            [
                [
                    q(f"{at}data_tensor.{i}.region_label"),
                    q(f"{at}data_tensor.{i}.entropy", "{:.3f}"),
                    q(f"{at}data_tensor.{i}.rank", "{}"),
                    f"${q(f'{at}data_tensor.{i}.permuted_mean', '{:.3f}')} \\pm "
                    f"{q(f'{at}data_tensor.{i}.permuted_sd', '{:.3f}')}$",
                    q(f"{at}data_tensor.{i}.ceiling", "{:.2f}"),
                ]
                for i in range(len(result["data_tensor"]))
            ],
        )
    )
    return "\n".join(text)
