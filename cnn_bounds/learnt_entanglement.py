"""The entanglement of what a trained network has learnt, at real image sizes, by tensor cross interpolation
(numeric.tci) with validated errors; beside it, Page's volume law, the same architecture untrained, and the
entanglement of the data itself (numeric.data_tensor).

For a region A of the image, the pixels are read in an order where A | B is one bond
(numeric.feature_mps.reading_order); f (a network's class probability or logit, cnn_bounds.classifier)
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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import torch
from joblib import Parallel, delayed, parallel_config
from tqdm import tqdm

from cnn_bounds.cache import PointCache
from cnn_bounds.classifier import (CLASSES, Architecture, accuracy, class_function, logit_rank_bound, parameter_count,
                                   train_classifier)
from cnn_bounds.convac import ConvAC, batched_function, tree_order
from cnn_bounds.convac_classifier import EPOCHS as CONVAC_EPOCHS, ConvACClassifier, class_convac, convac_accuracy, \
    is_top_cut, top_cut_probabilities, train_convac, tree_spec
from cnn_bounds.data import ImageSet, load, split
from cnn_bounds.mincut import min_cut
from numeric import InvalidInputError, Lattice, page_entropy
from numeric.entanglement import entropy_of_probabilities
from numeric.data_tensor import ceiling as data_ceiling, class_weights, data_entanglement
from numeric.feature_mps import reading_order
from numeric.lattice import Region, parse_region
from numeric.mps import bond_spectra
from numeric.tci import BatchedFunction, SampledError, cross_interpolate, in_order, sample_configurations, \
    sampled_entropy_error, validate

VALIDATION_THRESHOLD = 1e-3
VALIDATION_SAMPLES = 5000
RANK_TOLERANCE = 1e-13  # a top cut's rank counts p_k > RANK_TOLERANCE p_1 (eigenvalue rounding ~1e-16 p_1)
BOUND_SLACK = 1e-9  # S <= ln D is checked to this absolute tolerance (nats): the spectrum is float64


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
        return {"region": self.region, "size": self.size, "entropy": self.entropy, "rank": self.rank,
                "worst_validation_error": self.worst_error, "threshold": self.threshold,
                "entropy_error_estimate": self.entropy_error_estimate, "evaluations": self.evaluations,
                "sweeps": self.sweeps, "converged": self.converged, "seconds": self.seconds, "page": self.page,
                "ceiling": self.ceiling, "notes": self.notes,
                "validation": {name: {"samples": e.samples, "relative_max": e.relative_max,
                                      "relative_rms": e.rms_error / e.rms_value if e.rms_value else None}
                               for name, e in self.validation.items()}}


def measure_cut(function: BatchedFunction, lattice: Lattice, label: str, region: Region, seeds: np.ndarray,
                held_out: np.ndarray, *, tolerance: float = 1e-4, max_rank: int = 96, max_sweeps: int = 8,
                threshold: float = VALIDATION_THRESHOLD, samples: int = VALIDATION_SAMPLES, seed: int = 0,
                order: tuple[Sequence[int], int] | None = None, settle: str = "each",
                progress: bool = False) -> LearntCut:
    """S_A of ``function`` (images (batch, N) in the package's pixel order -> values) across ``region``,
    interpolated from the ``seeds`` images (count, N) and validated on ``held_out`` images (count, N) and
    random ones (module docstring). ``order``: the pixel order and the bond that is A | B (default
    numeric.feature_mps.reading_order; a tree ConvAC reads best in cnn_bounds.convac.tree_order); ``settle``:
    numeric.tci.cross_interpolate's rank rule for convergence."""
    order, bond = order or reading_order(lattice, region)
    order = list(order)
    dims = [lattice.levels] * lattice.n_pixels
    started = time.perf_counter()
    interpolation = cross_interpolate(in_order(function, order), dims, seeds=np.asarray(seeds)[:, order],
                                      tolerance=tolerance, max_rank=max_rank, max_sweeps=max_sweeps, seed=seed,
                                      settle=settle, progress=progress)
    held_out_sets = {**sample_configurations(dims, samples, seed + 1), "data": np.asarray(held_out)[:, order]}
    validation = validate(interpolation.state, in_order(function, order), held_out_sets)
    seconds = time.perf_counter() - started
    spectrum = bond_spectra(interpolation.state)[bond - 1]
    before, after = lattice.levels ** bond, lattice.levels ** (lattice.n_pixels - bond)
    dimension = min(before, after)
    worst = max(error.relative_max for error in validation.values())
    notes = [] if interpolation.converged else [f"not converged after {interpolation.sweeps} half-sweeps"]
    if worst > threshold:
        notes.append(f"validation error {worst:.1e} > {threshold:g}")
    reported = not notes
    if not reported:
        notes.append("entropy not reported")
    return LearntCut(label, len(region), spectrum.entropy() if reported else None,
                     len(spectrum.probabilities), validation,
                     sampled_entropy_error(validation["uniform"], dimension, len(spectrum.probabilities)),
                     interpolation.evaluations, interpolation.sweeps, interpolation.converged, seconds,
                     page_entropy(before, after), math.log(dimension), threshold, notes)


@cache
def _data(name: str, levels: int, pool: int) -> ImageSet:
    return load(name, levels, pool)


@cache
def _trained(data: str, levels: int, pool: int, architecture: Architecture, seed: int, held_out: float,
             epochs: int) -> tuple[torch.nn.Module, ImageSet, ImageSet]:
    """The network trained for one seed, with its training and held-out images: once per process, however
    many regions are measured on it (it is never changed: class_function evaluates a copy)."""
    training, held_out_images = split(_data(data, levels, pool), held_out, seed)
    return train_classifier(training, architecture, seed, epochs), training, held_out_images


def measure_point(parameters: dict) -> dict:
    """One seed of one architecture: train on a stratified split (``held_out`` fraction held out, the split and
    the weights drawn from the seed), its held-out accuracy, and the class function's S across the region,
    learnt and untrained (same architecture and seed, no training). Pure: the same parameters give the same
    numbers, in any process (so points can run in joblib or Dask workers)."""
    architecture = Architecture(parameters["depth"], parameters["channels"], parameters["kernel"], parameters["head"])
    network, training, held_out = _trained(parameters["data"], parameters["levels"], parameters["pool"], architecture,
                                           parameters["seed"], parameters["held_out"], parameters["epochs"])
    lattice = training.lattice
    label, region = parse_region(lattice, parameters["region"])
    trained = {"accuracy": accuracy(network, held_out), "training_accuracy": accuracy(network, training),
               "parameters": parameter_count(network)}
    if not parameters["measure"]:
        return trained
    seeds = training.flat[training.labels == parameters["label"]]
    options = {key: parameters[key] for key in ("tolerance", "max_rank", "max_sweeps", "threshold", "samples")}
    # z_c of the flatten head is a sum of window functions: its rank has a proved bound (the probability has none)
    bound = (logit_rank_bound(lattice, region, architecture)
             if parameters["output"] == "logit" and architecture.head == "flatten" else None)
    cuts = {}
    for kind, measured in (("learnt", network), ("untrained", architecture.build(lattice, parameters["seed"]))):
        function = class_function(measured, lattice, parameters["label"], parameters["output"])
        cuts[kind] = measure_cut(function, lattice, label, region, seeds, held_out.flat, seed=parameters["seed"],
                                 **options).as_dict()
        cuts[kind]["rank_bound"] = bound
    return {**trained, **cuts}


def data_point(parameters: dict, permutations: int = 5) -> dict:
    """The data tensor's S across the region for the class against the rest (numeric.data_tensor, every image
    of the set), and the same with the pixels randomly permuted (``permutations`` draws from the seed: locality
    destroyed, as Alexander et al.'s control): mean and sample standard deviation."""
    data = _data(parameters["data"], parameters["levels"], parameters["pool"])
    label, region = parse_region(data.lattice, parameters["region"])
    weights = class_weights(data.labels, parameters["label"])
    measured = data_entanglement(data.flat, weights, region, data.levels, parameters["feature_map"])
    rng = np.random.default_rng(parameters["seed"])
    permuted = [data_entanglement(data.flat[:, rng.permutation(data.lattice.n_pixels)], weights, region, data.levels,
                                  parameters["feature_map"]).entropy for _ in range(permutations)]
    return {"region_label": label, "entropy": measured.entropy, "rank": measured.rank, "images": measured.images,
            "permuted_mean": float(np.mean(permuted)), "permuted_sd": float(np.std(permuted, ddof=1)),
            "permutations": permutations,
            "ceiling": data_ceiling(measured.images, len(region), data.lattice.n_pixels, data.levels,
                                    parameters["feature_map"])}


def _connect(address: str, timeout: str = "5s"):
    """A distributed.Client for the scheduler at ``address``, or one clear error naming the fix."""
    try:
        from distributed import Client
    except ImportError:
        raise InvalidInputError("running on a Dask cluster needs the distributed package: "
                                "pip install 'cnn-bounds[cluster]'") from None
    try:
        return Client(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as error:
        raise InvalidInputError(f"cannot reach a Dask scheduler at {address!r} ({type(error).__name__}); start one "
                                "with `dask scheduler` and pass the address it prints, or drop --scheduler") from None


def run_points(measure: Callable[[dict], dict], points: list[dict], cache: PointCache, jobs: int = 1,
               scheduler: str | None = None, progress: bool = False) -> list[dict]:
    """``measure`` at every point not yet in ``cache``, in parallel through joblib: ``jobs`` local processes,
    or the workers of the Dask scheduler at ``scheduler`` (an address, or a distributed.Client); each result
    is stored as it arrives, so an interrupted sweep resumes. Returns every point, cached or new, in order."""
    missing = [point for point in points if point not in cache]
    if missing:
        client = None
        if scheduler is not None:
            client = scheduler if not isinstance(scheduler, str) else _connect(scheduler)
            config = parallel_config(backend="dask", n_jobs=-1)
        else:
            config = parallel_config(backend="loky" if jobs > 1 else "sequential", n_jobs=jobs,
                                     inner_max_num_threads=1 if jobs > 1 else None)
        try:
            with config:
                results = Parallel(return_as="generator")(delayed(measure)(point) for point in missing)
                for point, result in tqdm(zip(missing, results), total=len(missing), desc="points", leave=False,
                                          disable=None if progress else True):
                    cache.store(point, result)
        finally:
            if client is not None and client is not scheduler:
                client.close()
    return [cache.points[cache.key(point)] for point in points]


def _spread(values: list[float]) -> dict:
    """Mean, sample standard deviation (None for one value), min and max; None when empty."""
    if not values:
        return {"mean": None, "sd": None, "min": None, "max": None, "n": 0}
    return {"mean": float(np.mean(values)), "sd": float(np.std(values, ddof=1)) if len(values) > 1 else None,
            "min": float(np.min(values)), "max": float(np.max(values)), "n": len(values)}


def _bound_checks(cuts: list[dict]) -> dict:
    """How many reported cuts have a proved rank bound below the ceiling (non-vacuous), and how many of those
    have their interpolated rank within it."""
    checked = [c for c in cuts if c["rank_bound"] is not None and c["entropy"] is not None
               and math.log(c["rank_bound"]) < c["ceiling"]]
    return {"bound_checks": len(checked), "within_bound": sum(c["rank"] <= c["rank_bound"] for c in checked)}


def learnt_sweep(data: str = "digits", levels: int = 2, pool: int = 1, architectures: list[Architecture] | None = None,
                 regions: list[str] | None = None, label: int = 0, output: str = "probability", seeds: int = 3,
                 seed: int = 0, held_out: float = 0.25, epochs: int = 30, tolerance: float = 1e-6, max_rank: int = 160,
                 max_sweeps: int = 8, threshold: float = VALIDATION_THRESHOLD, samples: int = VALIDATION_SAMPLES,
                 feature_map: str = "one-hot", measure: bool = True, goal: float = 0.9,
                 cache: PointCache | None = None, jobs: int = 1, scheduler: str | None = None,
                 progress: bool = False) -> dict:
    """Every architecture x seed x region (:func:`measure_point`; with ``measure`` False, training and
    accuracy only) and every region's data tensor (:func:`data_point`), then per architecture the held-out
    accuracy over the seeds, per architecture and region the reported entropies (learnt and untrained) over
    the seeds with how many were not reported, and per depth the fewest channels whose mean held-out
    accuracy reaches ``goal`` (the channel-scaling question on real data)."""
    images = _data(data, levels, pool)  # refuses a bad data request before any work
    architectures = architectures or [Architecture(1, 8)]
    regions = regions or [f"rows:{images.lattice.height // 2}"]
    for region in regions:
        parse_region(images.lattice, region)
    if not isinstance(label, int) or not 0 <= label < CLASSES:
        raise InvalidInputError(f"the class must be an integer from 0 to {CLASSES - 1}, got {label!r}")
    if not isinstance(seeds, int) or seeds < 1:
        raise InvalidInputError(f"seeds must be a positive integer, got {seeds!r}")
    common = {"data": data, "levels": levels, "pool": pool, "label": label}
    points = [{**common, "depth": a.depth, "channels": a.channels, "kernel": a.kernel, "head": a.head,
               "seed": seed + run, "held_out": held_out, "epochs": epochs, "output": output, "region": region,
               "tolerance": tolerance, "max_rank": max_rank, "max_sweeps": max_sweeps, "threshold": threshold,
               "samples": samples, "measure": measure}
              for a in architectures for run in range(seeds) for region in (regions if measure else regions[:1])]
    cache = cache or PointCache(None)
    measured = run_points(measure_point, points, cache, jobs, scheduler, progress)
    data_points = run_points(data_point, [{**common, "region": region, "feature_map": feature_map, "seed": seed}
                                          for region in regions], cache, jobs, scheduler, progress) if measure else []
    summaries, accuracies = [], []
    for a in architectures:
        mine = [p for p in measured if (p["depth"], p["channels"], p["kernel"], p["head"]) ==
                (a.depth, a.channels, a.kernel, a.head)]
        trainings = [p for p in mine if p["region"] == regions[0]]  # one point per seed
        accuracy = _spread([p["accuracy"] for p in trainings])
        accuracies.append({"architecture": a.name, "depth": a.depth, "channels": a.channels,
                           "parameters": trainings[0]["parameters"], "accuracy": accuracy})
        for region in (regions if measure else []):
            here = [p for p in mine if p["region"] == region]
            summaries.append({
                "architecture": a.name, "region": here[0]["learnt"]["region"], "parameters": here[0]["parameters"],
                "accuracy": accuracy,
                **{kind: _spread([p[kind]["entropy"] for p in here if p[kind]["entropy"] is not None])
                   for kind in ("learnt", "untrained")},
                "not_reported": sum(p[kind]["entropy"] is None for p in here for kind in ("learnt", "untrained")),
                **_bound_checks([p[kind] for p in here for kind in ("learnt", "untrained")]),
                "page": here[0]["learnt"]["page"], "ceiling": here[0]["learnt"]["ceiling"]})
    needed = {depth: min((row["channels"] for row in accuracies if row["depth"] == depth
                          and row["accuracy"]["mean"] >= goal), default=None)
              for depth in sorted({a.depth for a in architectures})}
    totals = {total: sum(s[total] for s in summaries) for total in ("not_reported", "bound_checks", "within_bound")}
    return {"data": images.name, "class": label, "output": output, "points": measured, "data_tensor": data_points,
            "summaries": summaries, **totals, "accuracies": accuracies, "goal": goal, "channels_needed": needed,
            "threshold": threshold, "seeds": seeds, "feature_map": feature_map, "measured": measure}


def convac_point(parameters: dict) -> dict:
    """One seed of one tree ConvAC (cnn_bounds.convac_classifier): trained on a stratified split, its held-out
    accuracy, and for every region the min-cut bound of the architecture (cnn_bounds.mincut; ln D across a
    top cut) and the class score's S (nats): exact (float64) with its rank where the region is a union of the
    tree's top parts, learnt, at the training's initialisation (untrained) and with i.i.d. Gaussian weights
    (cnn_bounds.convac.ConvAC); with ``interpolate``, also the learnt score's S by cross interpolation in the
    tree's pixel order (:func:`measure_cut`, cnn_bounds.convac.tree_order), validated on held-out images and,
    where the exact S exists, compared with it. Its convergence asks the summed rank to settle
    (numeric.tci.cross_interpolate's settle="sum"): the score's singular values reach down to any tolerance, so
    single bonds flicker and "each" never stops. Pure."""
    training, held_out = split(_data(parameters["data"], parameters["levels"], parameters["pool"]),
                               parameters["held_out"], parameters["seed"])
    lattice, D = training.lattice, parameters["channels"]
    spec = tree_spec(lattice, D, parameters["depth"])
    network = train_convac(training, D, parameters["depth"], parameters["seed"], parameters["epochs"])
    functions = {"learnt": class_convac(network, parameters["label"]),
                 "untrained": class_convac(ConvACClassifier(spec, parameters["seed"]), parameters["label"]),
                 "gaussian": ConvAC(spec, parameters["seed"])}
    cuts = []
    for text in parameters["regions"]:
        label, region = parse_region(lattice, text)
        cut = {"region": label, "size": len(region), "bound": min_cut(spec, region).nats,
               "page": page_entropy(lattice.levels ** len(region), lattice.levels ** (lattice.n_pixels - len(region))),
               "ceiling": math.log(lattice.levels) * min(len(region), lattice.n_pixels - len(region))}
        top_cut = is_top_cut(spec, region)
        for kind, function in functions.items():
            probabilities = top_cut_probabilities(function, region) if top_cut else None
            cut[kind] = None if probabilities is None else {
                "entropy": entropy_of_probabilities(probabilities),
                "rank": int(np.sum(probabilities > RANK_TOLERANCE * probabilities[0]))}
        if parameters["interpolate"]:
            options = {key: parameters[key] for key in ("tolerance", "max_rank", "max_sweeps", "threshold", "samples")}
            measured = measure_cut(batched_function(functions["learnt"], lattice), lattice, label, region,
                                   training.flat[training.labels == parameters["label"]], held_out.flat,
                                   order=tree_order(spec, region), settle="sum", seed=parameters["seed"],
                                   **options).as_dict()
            both = measured["entropy"] is not None and cut["learnt"] is not None
            measured["exact_difference"] = abs(measured["entropy"] - cut["learnt"]["entropy"]) if both else None
            cut["interpolated"] = measured
        cuts.append(cut)
    return {"accuracy": convac_accuracy(network, held_out), "training_accuracy": convac_accuracy(network, training),
            "parameters": parameter_count(network), "cuts": cuts}


def learnt_convac_sweep(data: str = "digits", levels: int = 2, pool: int = 1, depths: tuple[int, ...] = (1, 2, 3),
                        widths: tuple[int, ...] = (4, 8, 16), regions: list[str] | None = None, label: int = 0,
                        seeds: int = 3, seed: int = 0, held_out: float = 0.25, epochs: int = CONVAC_EPOCHS,
                        goal: float = 0.9, interpolate: bool = False, tolerance: float = 1e-6,
                        max_rank: int = 1024, max_sweeps: int = 24, threshold: float = VALIDATION_THRESHOLD,
                        samples: int = VALIDATION_SAMPLES, cache: PointCache | None = None, jobs: int = 1,
                        scheduler: str | None = None, progress: bool = False) -> dict:
    """Every depth x width x seed (:func:`convac_point`), then per architecture the held-out accuracy over the
    seeds and per region the exact entropies (learnt, untrained, Gaussian) against the min cut, Page and the
    ceiling, and with ``interpolate`` the learnt score's interpolated S (reported ones only) with the largest
    difference from the exact S; per depth the fewest channels whose mean held-out accuracy reaches ``goal``;
    how many cuts the trained network has more entanglement than its initialisation. Without ``interpolate``
    every region must be a top cut (its exact S is the measurement)."""
    images = _data(data, levels, pool)
    lattice = images.lattice
    if not isinstance(label, int) or not 0 <= label < CLASSES:
        raise InvalidInputError(f"the class must be an integer from 0 to {CLASSES - 1}, got {label!r}")
    if not isinstance(seeds, int) or seeds < 1:
        raise InvalidInputError(f"seeds must be a positive integer, got {seeds!r}")
    for depth in depths:  # refuses an architecture that does not tile, a bad region, or (not interpolating) one
        network = ConvAC(tree_spec(lattice, 1, depth))  # that is not a top cut
        for text in regions or []:
            region = parse_region(lattice, text)[1]
            if not interpolate:
                top_cut_probabilities(network, region)
    regions = regions or [f"cols:{lattice.width // 2}", f"rows:{lattice.height // 2}"]
    common = {"data": data, "levels": levels, "pool": pool, "label": label, "held_out": held_out, "epochs": epochs,
              "regions": regions, "interpolate": interpolate, "tolerance": tolerance, "max_rank": max_rank,
              "max_sweeps": max_sweeps, "threshold": threshold, "samples": samples}
    points = [{**common, "depth": depth, "channels": width, "seed": seed + run}
              for depth in depths for width in widths for run in range(seeds)]
    measured = run_points(convac_point, points, cache or PointCache(None), jobs, scheduler, progress)
    summaries = []
    for depth in depths:
        for width in widths:
            mine = [p for p in measured if (p["depth"], p["channels"]) == (depth, width)]
            summaries.append({
                "depth": depth, "channels": width, "parameters": mine[0]["parameters"],
                "accuracy": _spread([p["accuracy"] for p in mine]),
                "cuts": [_convac_cut_summary([p["cuts"][k] for p in mine]) for k in range(len(regions))]})
    cuts = [cut for p in measured for cut in p["cuts"]]
    exact = [cut for cut in cuts if cut["learnt"] is not None]
    interpolated = [cut["interpolated"] for cut in cuts if interpolate]
    reported = [cut for cut in cuts if interpolate and cut["interpolated"]["entropy"] is not None]
    differences = [c["exact_difference"] for c in interpolated if c["exact_difference"] is not None]
    needed = [{"depth": depth, "channels": min((s["channels"] for s in summaries
                                                if s["depth"] == depth and s["accuracy"]["mean"] >= goal), default=None)}
              for depth in depths]
    return {"data": images.name, "class": label, "points": measured, "summaries": summaries, "goal": goal,
            "channels_needed": needed, "seeds": seeds, "cuts": len(exact),
            "within_bound": sum(c["learnt"]["entropy"] <= c["bound"] + BOUND_SLACK for c in exact),
            "non_vacuous": sum(c["bound"] < c["ceiling"] for c in exact),
            "learnt_above_untrained": sum(c["learnt"]["entropy"] > c["untrained"]["entropy"] for c in exact),
            "interpolated": interpolate,
            "interpolation": {"cuts": len(interpolated), "reported": len(reported), "compared": len(differences),
                              "largest_difference": max(differences, default=None),
                              "largest_validation_error": max((c["worst_validation_error"] for c in interpolated),
                                                              default=None),
                              "non_vacuous": sum(c["bound"] < c["ceiling"] for c in reported),
                              "within_bound": sum(c["interpolated"]["entropy"] <= c["bound"] + BOUND_SLACK
                                                  for c in reported if c["bound"] < c["ceiling"])}}


def _convac_cut_summary(cuts: list[dict]) -> dict:
    """One region of one architecture over the seeds: the references, the exact entropies' spread (None off the
    top cuts) with the largest learnt rank, and the interpolated entropies that were reported."""
    summary = {key: cuts[0][key] for key in ("region", "size", "bound", "page", "ceiling")}
    exact = cuts[0]["learnt"] is not None
    summary.update({kind: _spread([c[kind]["entropy"] for c in cuts]) if exact else None
                    for kind in ("learnt", "untrained", "gaussian")})
    summary["max_rank"] = max(c["learnt"]["rank"] for c in cuts) if exact else None
    if "interpolated" in cuts[0]:
        measured = [c["interpolated"] for c in cuts]
        summary["interpolated"] = {
            **_spread([m["entropy"] for m in measured if m["entropy"] is not None]),
            "not_reported": sum(m["entropy"] is None for m in measured),
            "max_rank": max(m["rank"] for m in measured),
            "largest_difference": max((m["exact_difference"] for m in measured if m["exact_difference"] is not None),
                                      default=None),
            "largest_validation_error": max(m["worst_validation_error"] for m in measured)}
    return summary
