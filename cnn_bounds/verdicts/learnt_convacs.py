"""Trained tree ConvACs on real digits: the exact entanglement of what each class score has learnt.

Tree ConvACs (:mod:`cnn_bounds.networks.convac_classifier`) are trained to classify; the score of one class
is an exact tensor network, whose entropy across the tree's top cuts is computed exactly (float64, from Gram
matrices built up the tree), beside the same network at initialisation, Gaussian weights, the min cut and
Page's value. With ``interpolate``, each learnt score is also measured by validated cross interpolation in
the tree's pixel order (:func:`cnn_bounds.verdicts.learnt_cnns.measure_cut`), which reaches regions that are
not top cuts. A measurement, with no verdict of its own: the report's section says what the numbers are.
"""

from __future__ import annotations

import math

import numpy as np

from cnn_bounds.networks.classifier import CLASSES, parameter_count
from cnn_bounds.networks.convac import ConvAC, batched_function, tree_order
from cnn_bounds.networks.convac_classifier import EPOCHS as CONVAC_EPOCHS
from cnn_bounds.networks.convac_classifier import (
    ConvACClassifier,
    class_convac,
    convac_accuracy,
    is_top_cut,
    top_cut_probabilities,
    train_convac,
    tree_spec,
)
from cnn_bounds.networks.data import split
from cnn_bounds.networks.mincut import min_cut
from cnn_bounds.verdicts.base import Quoter, mean_sd_tex, spread, table
from cnn_bounds.verdicts.learnt_cnns import (
    BOUND_SLACK,
    RANK_TOLERANCE,
    VALIDATION_SAMPLES,
    VALIDATION_THRESHOLD,
    image_set,
    measure_cut,
)
from cnn_bounds.verdicts.points import Points, run_points
from numeric import InvalidInputError, page_entropy
from numeric.entanglement import entropy_of_probabilities
from numeric.lattice import parse_region

CONVAC_QUICK = {"depths": (3,), "widths": (8, 16), "seeds": 1}
CONVAC_FULL = {"depths": (1, 2, 3), "widths": (4, 8, 16, 32), "seeds": 3}
"""The trained tree ConvACs on binarised 8x8 digits in the report (:func:`learnt_convac_sweep`)."""


def convac_point(parameters: dict) -> dict:
    """One seed of one tree ConvAC (cnn_bounds.networks.convac_classifier): trained on a stratified split, its held-out
    accuracy, and for every region the min-cut bound of the architecture (cnn_bounds.networks.mincut; ln D across a
    top cut) and the class score's S (nats): exact (float64) with its rank where the region is a union of the
    tree's top parts, learnt, at the training's initialisation (untrained) and with i.i.d. Gaussian weights
    (cnn_bounds.networks.convac.ConvAC); with ``interpolate``, also the learnt score's S by cross
    interpolation in the tree's pixel order (:func:`~cnn_bounds.verdicts.learnt_cnns.measure_cut`,
    cnn_bounds.networks.convac.tree_order), validated on held-out images and,
    where the exact S exists, compared with it. Its convergence asks the summed rank to settle
    (numeric.tci.cross_interpolate's settle="sum"): the score's singular values reach down to any tolerance, so
    single bonds flicker and "each" never stops. Pure."""
    training, held_out = split(
        image_set(parameters["data"], parameters["levels"], parameters["pool"]),
        parameters["held_out"],
        parameters["seed"],
    )
    lattice, D = training.lattice, parameters["channels"]
    spec = tree_spec(lattice, D, parameters["depth"])
    network = train_convac(training, D, parameters["depth"], parameters["seed"], parameters["epochs"])
    functions = {
        "learnt": class_convac(network, parameters["label"]),
        "untrained": class_convac(ConvACClassifier(spec, parameters["seed"]), parameters["label"]),
        "gaussian": ConvAC(spec, parameters["seed"]),
    }
    cuts = []
    for text in parameters["regions"]:
        label, region = parse_region(lattice, text)
        cut = {
            "region": label,
            "size": len(region),
            "bound": min_cut(spec, region).nats,
            "page": page_entropy(lattice.levels ** len(region), lattice.levels ** (lattice.n_pixels - len(region))),
            "ceiling": math.log(lattice.levels) * min(len(region), lattice.n_pixels - len(region)),
        }
        top_cut = is_top_cut(spec, region)
        for kind, function in functions.items():
            probabilities = top_cut_probabilities(function, region) if top_cut else None
            cut[kind] = (
                None
                if probabilities is None
                else {
                    "entropy": entropy_of_probabilities(probabilities),
                    "rank": int(np.sum(probabilities > RANK_TOLERANCE * probabilities[0])),
                }
            )
        if parameters["interpolate"]:
            options = {key: parameters[key] for key in ("tolerance", "max_rank", "max_sweeps", "threshold", "samples")}
            measured = measure_cut(
                batched_function(functions["learnt"], lattice),
                lattice,
                label,
                region,
                training.flat[training.labels == parameters["label"]],
                held_out.flat,
                order=tree_order(spec, region),
                settle="sum",
                seed=parameters["seed"],
                **options,
            ).as_dict()
            both = measured["entropy"] is not None and cut["learnt"] is not None
            measured["exact_difference"] = abs(measured["entropy"] - cut["learnt"]["entropy"]) if both else None
            cut["interpolated"] = measured
        cuts.append(cut)
    return {
        "accuracy": convac_accuracy(network, held_out),
        "training_accuracy": convac_accuracy(network, training),
        "parameters": parameter_count(network),
        "cuts": cuts,
    }


def learnt_convac_sweep(
    data: str = "digits",
    levels: int = 2,
    pool: int = 1,
    depths: tuple[int, ...] = (1, 2, 3),
    widths: tuple[int, ...] = (4, 8, 16),
    regions: list[str] | None = None,
    label: int = 0,
    seeds: int = 3,
    seed: int = 0,
    held_out: float = 0.25,
    epochs: int = CONVAC_EPOCHS,
    goal: float = 0.9,
    interpolate: bool = False,
    tolerance: float = 1e-6,
    max_rank: int = 1024,
    max_sweeps: int = 24,
    threshold: float = VALIDATION_THRESHOLD,
    samples: int = VALIDATION_SAMPLES,
    cache: Points | None = None,
    jobs: int = 1,
    scheduler: str | None = None,
    progress: bool = False,
) -> dict:
    """Every depth x width x seed (:func:`convac_point`), then per architecture the held-out accuracy over the
    seeds and per region the exact entropies (learnt, untrained, Gaussian) against the min cut, Page and the
    ceiling, and with ``interpolate`` the learnt score's interpolated S (reported ones only) with the largest
    difference from the exact S; per depth the fewest channels whose mean held-out accuracy reaches ``goal``;
    how many cuts the trained network has more entanglement than its initialisation. Without ``interpolate``
    every region must be a top cut (its exact S is the measurement)."""
    images = image_set(data, levels, pool)
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
    common = {
        "data": data,
        "levels": levels,
        "pool": pool,
        "label": label,
        "held_out": held_out,
        "epochs": epochs,
        "regions": regions,
        "interpolate": interpolate,
        "tolerance": tolerance,
        "max_rank": max_rank,
        "max_sweeps": max_sweeps,
        "threshold": threshold,
        "samples": samples,
    }
    points = [
        {**common, "depth": depth, "channels": width, "seed": seed + run}
        for depth in depths
        for width in widths
        for run in range(seeds)
    ]
    measured = run_points(convac_point, points, cache or Points(), jobs, scheduler, progress)
    summaries = []
    for depth in depths:
        for width in widths:
            mine = [p for p in measured if (p["depth"], p["channels"]) == (depth, width)]
            summaries.append(
                {
                    "depth": depth,
                    "channels": width,
                    "parameters": mine[0]["parameters"],
                    "accuracy": spread([p["accuracy"] for p in mine]),
                    "cuts": [_convac_cut_summary([p["cuts"][k] for p in mine]) for k in range(len(regions))],
                }
            )
    cuts = [cut for p in measured for cut in p["cuts"]]
    exact = [cut for cut in cuts if cut["learnt"] is not None]
    interpolated = [cut["interpolated"] for cut in cuts if interpolate]
    reported = [cut for cut in cuts if interpolate and cut["interpolated"]["entropy"] is not None]
    differences = [c["exact_difference"] for c in interpolated if c["exact_difference"] is not None]
    needed = [
        {
            "depth": depth,
            "channels": min(
                (s["channels"] for s in summaries if s["depth"] == depth and s["accuracy"]["mean"] >= goal),
                default=None,
            ),
        }
        for depth in depths
    ]
    return {
        "data": images.name,
        "class": label,
        "points": measured,
        "summaries": summaries,
        "goal": goal,
        "channels_needed": needed,
        "seeds": seeds,
        "cuts": len(exact),
        "within_bound": sum(c["learnt"]["entropy"] <= c["bound"] + BOUND_SLACK for c in exact),
        "non_vacuous": sum(c["bound"] < c["ceiling"] for c in exact),
        "learnt_above_untrained": sum(c["learnt"]["entropy"] > c["untrained"]["entropy"] for c in exact),
        "interpolated": interpolate,
        "interpolation": {
            "cuts": len(interpolated),
            "reported": len(reported),
            "compared": len(differences),
            "largest_difference": max(differences, default=None),
            "largest_validation_error": max((c["worst_validation_error"] for c in interpolated), default=None),
            "non_vacuous": sum(c["bound"] < c["ceiling"] for c in reported),
            "within_bound": sum(
                c["interpolated"]["entropy"] <= c["bound"] + BOUND_SLACK for c in reported if c["bound"] < c["ceiling"]
            ),
        },
    }


def _convac_cut_summary(cuts: list[dict]) -> dict:
    """One region of one architecture over the seeds: the references, the exact entropies' spread (None off the
    top cuts) with the largest learnt rank, and the interpolated entropies that were reported."""
    summary = {key: cuts[0][key] for key in ("region", "size", "bound", "page", "ceiling")}
    exact = cuts[0]["learnt"] is not None
    summary.update(
        {
            kind: spread([c[kind]["entropy"] for c in cuts]) if exact else None
            for kind in ("learnt", "untrained", "gaussian")
        }
    )
    summary["max_rank"] = max(c["learnt"]["rank"] for c in cuts) if exact else None
    if "interpolated" in cuts[0]:
        measured = [c["interpolated"] for c in cuts]
        summary["interpolated"] = {
            **spread([m["entropy"] for m in measured if m["entropy"] is not None]),
            "not_reported": sum(m["entropy"] is None for m in measured),
            "max_rank": max(m["rank"] for m in measured),
            "largest_difference": max(
                (m["exact_difference"] for m in measured if m["exact_difference"] is not None), default=None
            ),
            "largest_validation_error": max(m["worst_validation_error"] for m in measured),
        }
    return summary


def learnt_convac_section(result: dict, q: Quoter | None = None, at: str = "") -> str:
    """``cnn-bounds learnt-convac``'s results as a LaTeX fragment (a subsection, booktabs tables) to \\input: per
    architecture and region, held-out accuracy and the exact entropies of the class score (top cuts), learnt, at
    initialisation and Gaussian, against the min cut and Page; with interpolation, the interpolated entropies,
    their validation and their difference from the exact ones. Numbers go through ``q`` as in
    :func:`~cnn_bounds.verdicts.learnt_cnns.learnt_section`."""
    q = q or Quoter(result)
    accuracies = [
        [
            q(f"{at}summaries.{i}.depth", "{}"),
            q(f"{at}summaries.{i}.channels", "{}"),
            q(f"{at}summaries.{i}.parameters", "{}"),
            mean_sd_tex(q, f"{at}summaries.{i}.accuracy"),
        ]
        for i in range(len(result["summaries"]))
    ]
    cuts = [
        (i, k, f"{at}summaries.{i}.cuts.{k}")
        for i, summary in enumerate(result["summaries"])
        for k in range(len(summary["cuts"]))
    ]
    rows = [
        [
            q(f"{at}summaries.{i}.depth", "{}"),
            q(f"{at}summaries.{i}.channels", "{}"),
            q(f"{c}.region"),
            mean_sd_tex(q, f"{c}.learnt"),
            mean_sd_tex(q, f"{c}.untrained"),
            mean_sd_tex(q, f"{c}.gaussian"),
            q(f"{c}.max_rank", "{}"),
            q(f"{c}.bound", "{:.2f}"),
            q(f"{c}.page", "{:.2f}"),
        ]
        for i, k, c in cuts
    ]
    needed = ", ".join(
        f"$n_c = {q(f'{at}channels_needed.{i}.depth', '{}')}$: {q(f'{at}channels_needed.{i}.channels', '{}')}"
        for i in range(len(result["channels_needed"]))
    )
    text = [
        r"\subsection*{Trained ConvACs on " + q(at + "data") + "}",
        f"Tree ConvACs ($2 \\times 2$ windows, stride 2, shared weights) trained to classify; the score of class "
        f"{q(at + 'class', '{}')} is an exact tensor network, and its entropy across the tree's top cuts is computed "
        "exactly (float64) from Gram matrices built up the tree (-- on other regions). Means and sample standard "
        f"deviations over {q(at + 'seeds', '{}')} seeds; untrained: the training's initialisation (near the "
        "identity); Gaussian: i.i.d. Gaussian weights; rank: the largest over the seeds; min cut: the architecture's "
        "bound on $S$ (nats), $\\ln D$ across a top cut.",
        "",
        table("rrrr", ["$n_c$", "$D$", "parameters", "held-out accuracy"], accuracies),
        table(
            "rrlrrrrrr",
            ["$n_c$", "$D$", "region", "$S$ learnt", "$S$ untrained", "$S$ Gaussian", "rank", "min cut", "Page"],
            rows,
        ),
        f"$S \\le$ min cut at {q(at + 'within_bound', '{}')} of {q(at + 'cuts', '{}')} exact cuts, "
        f"{q(at + 'non_vacuous', '{}')} of them with the min cut below the ceiling; the trained score is more "
        f"entangled than its initialisation at {q(at + 'learnt_above_untrained', '{}')}. Fewest channels whose mean "
        f"held-out accuracy reaches {q(at + 'goal', '{:g}')}: {needed}.",
        "",
    ]
    if result["interpolated"]:
        checks = at + "interpolation."
        interpolated = [
            [
                q(f"{at}summaries.{i}.depth", "{}"),
                q(f"{at}summaries.{i}.channels", "{}"),
                q(f"{c}.region"),
                mean_sd_tex(q, f"{c}.interpolated"),
                q(f"{c}.interpolated.not_reported", "{}"),
                q(f"{c}.interpolated.max_rank", "{}"),
                q(f"{c}.interpolated.largest_difference", "{:.1e}"),
                q(f"{c}.interpolated.largest_validation_error", "{:.1e}"),
            ]
            for i, k, c in cuts
        ]
        text += [
            "The learnt scores again, by cross interpolation in the tree's pixel order (sampled: an entropy is "
            "reported only where the interpolation converged and its largest error on held-out images, uniform, "
            "biased and the digits, is at most the threshold), beside the exact entropies where those exist.",
            "",
            table(
                "rrlrrrrr",
                [
                    "$n_c$",
                    "$D$",
                    "region",
                    "$S$ interpolated",
                    "not reported",
                    "rank",
                    r"largest $\lvert S - S_{\mathrm{exact}} \rvert$",
                    "largest held-out error",
                ],
                interpolated,
            ),
            f"Reported at {q(checks + 'reported', '{}')} of {q(checks + 'cuts', '{}')} cuts; compared with the exact "
            f"entropy at {q(checks + 'compared', '{}')}, largest difference "
            f"{q(checks + 'largest_difference', '{:.1e}')} "
            f"nats; $S \\le$ min cut at {q(checks + 'within_bound', '{}')} of the {q(checks + 'non_vacuous', '{}')} "
            "reported cuts whose min cut is below the ceiling.",
            "",
        ]
    return "\n".join(text)
