"""Deeper is cheaper, trained: the fewest channels per depth that reach a held-out accuracy on real digits.

Networks whose read-out cannot see where a feature is (a pooling head), so that the convolutions must do the
work: ReLU CNNs (3x3 'same' convolutions, global average and max pooling, linear read-out;
:mod:`cnn_bounds.networks.classifier`) at n_c = 1..4, and tree ConvACs (2x2 windows, stride 2, shared weights,
the mean of the final positions, linear read-out; :mod:`cnn_bounds.networks.convac_classifier`, ``head="mean"``)
at n_c = 1..3, on binarised 8x8 digits, a quarter of every class held out (the split, the initialisation and
the order of the minibatches drawn from the seed; the training rules are those modules'). Per family and depth
the width climbs a ladder until the mean held-out accuracy over the seeds reaches GOAL; a depth that does not
reach it by the last rung reports the best mean it got.

GOAL = 0.9: below what logistic regression on the 64 pixels reaches on the same splits (measured in the sweep,
about 0.93), so it asks for a competent classifier and not the best one; a pooled read-out sees no positions, so
reaching it takes convolution features that carry the digit's shape.

The paper's D ~ D0^(1/n_c), with D0 the one-layer width: the measured exponent ln D_{n_c} / ln D_1. Assuming the
mean accuracy rises with the width between rungs, the fewest integer width lies between the rung below the one
reached (plus one) and the rung reached, so the exponent is an interval; it agrees with the paper when 1/n_c lies
in it. Parameters at the reached width give the measured cost against depth, beside the paper's optimum
n_c = 2 ln D_1.
"""

from __future__ import annotations

import math
import time

from sklearn.linear_model import LogisticRegression

from cnn_bounds.networks.classifier import EPOCHS as RELU_EPOCHS
from cnn_bounds.networks.classifier import Architecture, accuracy, parameter_count, train_classifier
from cnn_bounds.networks.convac_classifier import EPOCHS as CONVAC_EPOCHS
from cnn_bounds.networks.convac_classifier import convac_accuracy, train_convac
from cnn_bounds.networks.data import ImageSet, split
from cnn_bounds.verdicts.base import Quoter, spread, table
from cnn_bounds.verdicts.learnt_cnns import image_set
from cnn_bounds.verdicts.points import Points, run_points

GOAL = 0.9
HELD_OUT = 0.25
RELU = "ReLU CNN, 3x3, pooling head"
CONVAC = "tree ConvAC, 2x2, mean-pool head"
FULL = {
    "families": {RELU: (1, 2, 3, 4), CONVAC: (1, 2, 3)},
    "ladder": (2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64),
    "seeds": 3,
}
QUICK = {"families": {RELU: (1, 2, 3), CONVAC: (2, 3)}, "ladder": (4, 8, 16, 32, 64), "seeds": 1}


def _split(seed: int) -> tuple[ImageSet, ImageSet]:
    """Binarised 8x8 digits (loaded once per process), split into training and held-out images by ``seed``."""
    return split(image_set("digits", 2, 1), HELD_OUT, seed)


def measure_width(parameters: dict) -> dict:
    """One network (``family``, ``depth``, ``channels``, ``seed``) trained on binarised 8x8 digits: its held-out
    accuracy, parameter count and training seconds. Pure but for the seconds (points can run in workers)."""
    training, held_out = _split(parameters["seed"])
    start = time.perf_counter()
    if parameters["family"] == RELU:
        architecture = Architecture(parameters["depth"], parameters["channels"], 3, "pool")
        network = train_classifier(training, architecture, parameters["seed"], parameters["epochs"])
        reached = accuracy(network, held_out)
    else:
        network = train_convac(
            training, parameters["channels"], parameters["depth"], parameters["seed"], parameters["epochs"], head="mean"
        )
        reached = convac_accuracy(network, held_out)
    return {
        "accuracy": reached,
        "parameters": parameter_count(network),
        "seconds": round(time.perf_counter() - start, 2),
    }


def pixel_baseline(seeds: list[int]) -> dict:
    """Logistic regression on the 64 binarised pixels (scikit-learn's defaults, max_iter 5000), trained and
    judged on the sweep's splits: the held-out accuracy over the seeds (:func:`cnn_bounds.verdicts.base.spread`)."""
    scores = []
    for seed in seeds:
        training, held_out = _split(seed)
        model = LogisticRegression(max_iter=5000).fit(training.flat, training.labels)
        scores.append(float(model.score(held_out.flat, held_out.labels)))
    return spread(scores)


def width_sweep(
    full: bool = False,
    seed: int = 0,
    cache: Points | None = None,
    jobs: int = 1,
    progress: bool = False,
    epochs: dict | None = None,
    settings: dict | None = None,
) -> dict:
    """The ladder climbed for every family and depth (module docstring), a rung at a time for all of them at
    once (the trainings of a rung run in ``jobs`` processes); seeds ``seed`` .. ``seed + seeds - 1``.
    ``epochs`` per family defaults to each training rule's own; ``settings`` replaces FULL or QUICK."""
    settings = settings or (FULL if full else QUICK)
    epochs = epochs or {RELU: RELU_EPOCHS, CONVAC: CONVAC_EPOCHS}
    cache = cache or Points()
    seeds = list(range(seed, seed + settings["seeds"]))
    ladder = settings["ladder"]
    rung = {(family, depth): 0 for family, depths in settings["families"].items() for depth in depths}
    rows = []
    while rung:
        points = [
            {
                "stage": "trained-widths",
                "family": family,
                "depth": depth,
                "channels": ladder[index],
                "seed": s,
                "epochs": epochs[family],
            }
            for (family, depth), index in rung.items()
            for s in seeds
        ]
        measured = run_points(measure_width, points, cache, jobs=jobs, progress=progress)
        for (family, depth), index in list(rung.items()):
            mine = [p for p in measured if p["family"] == family and p["depth"] == depth]
            accuracies = spread([p["accuracy"] for p in mine])
            rows.append(
                {
                    "family": family,
                    "depth": depth,
                    "channels": ladder[index],
                    "accuracy": accuracies,
                    "parameters": mine[0]["parameters"],
                    "seconds": sum(p["seconds"] for p in mine),
                }
            )
            if accuracies["mean"] >= GOAL or index + 1 == len(ladder):
                del rung[(family, depth)]
            else:
                rung[(family, depth)] = index + 1
    summaries = [
        summary(family, depth, [r for r in rows if r["family"] == family and r["depth"] == depth], ladder)
        for family, depths in settings["families"].items()
        for depth in depths
    ]
    for item in summaries:
        shallow = next((s for s in summaries if s["family"] == item["family"] and s["depth"] == 1), None)
        item.update(exponent_interval(shallow, item))
    reached = [s for s in summaries if s["reached"]]
    cheapest = []
    for family in settings["families"]:
        mine = [s for s in reached if s["family"] == family]
        if mine:
            one_layer = next((s["channels"] for s in mine if s["depth"] == 1), None)
            best = min(mine, key=lambda s: s["parameters"])
            cheapest.append({**best, "paper_best_depth": 2 * math.log(one_layer) if one_layer else None})
    return {
        "goal": GOAL,
        "held_out": HELD_OUT,
        "seeds": len(seeds),
        "ladder": list(ladder),
        "baseline": pixel_baseline(seeds),
        "rows": rows,
        "summaries": summaries,
        "trainings": len(rows) * len(seeds),
        "training_seconds": sum(r["seconds"] for r in rows),
        "compared": sum(s["exponent_low"] is not None for s in summaries if s["depth"] > 1),
        "agree": sum(bool(s["paper_inside"]) for s in summaries if s["depth"] > 1),
        "cheapest": cheapest,
    }


def summary(family: str, depth: int, climbed: list[dict], ladder: tuple[int, ...]) -> dict:
    """One depth's climb: the width reached (None if none), the fewest integer width's interval [low, high],
    the parameters and accuracy there, or the best mean accuracy and its width when the goal was not reached."""
    last = climbed[-1]
    reached = last["accuracy"]["mean"] >= GOAL
    best = max(climbed, key=lambda r: r["accuracy"]["mean"])
    index = ladder.index(last["channels"])
    return {
        "family": family,
        "depth": depth,
        "reached": reached,
        "channels": last["channels"] if reached else None,
        "width_low": (ladder[index - 1] + 1 if index else 1) if reached else ladder[-1] + 1,
        "width_high": last["channels"] if reached else None,
        "parameters": last["parameters"] if reached else None,
        "accuracy": last["accuracy"] if reached else None,
        "best_accuracy": best["accuracy"],
        "best_channels": best["channels"],
    }


def exponent_interval(shallow: dict | None, deep: dict) -> dict:
    """ln D_{n_c} / ln D_1 as an interval from the two widths' intervals (module docstring), beside the paper's
    1/n_c and whether it lies inside; an upper bound alone (low None, not compared) when the one-layer width was
    not reached (it is then above the last rung); None where the deep width was not reached or n_c = 1."""
    out = {"paper_exponent": 1 / deep["depth"], "exponent_low": None, "exponent_high": None, "paper_inside": None}
    if shallow is None or deep["depth"] == 1 or not deep["reached"]:
        return out
    high = deep["width_high"]
    if shallow["reached"]:
        out["exponent_low"] = math.log(deep["width_low"]) / math.log(shallow["width_high"])
        out["exponent_high"] = (  # None: D_1 may be 1, no upper bound
            math.log(high) / math.log(shallow["width_low"]) if shallow["width_low"] > 1 else None
        )
    else:  # D_1 > the last rung: an upper bound alone, which tests nothing
        out["exponent_high"] = math.log(high) / math.log(shallow["width_low"])
        return out
    upper = math.inf if out["exponent_high"] is None else out["exponent_high"]
    out["paper_inside"] = out["exponent_low"] <= out["paper_exponent"] <= upper
    return out


def section(result: dict, q: Quoter, at: str = "trained_widths.") -> str:
    """The trained networks' paragraph and table for the channel-scaling section."""
    rows = []
    for i, item in enumerate(result["summaries"]):
        s = f"{at}summaries.{i}."
        if item["reached"]:
            width = q(s + "channels", "{}")
            accuracy = rf"${q(s + 'accuracy.mean', '{:.3f}')}" + (
                "" if item["accuracy"]["sd"] is None else rf" \pm {q(s + 'accuracy.sd', '{:.3f}')}"
            )
            accuracy += "$"
            parameters = q(s + "parameters", "{:,}")
        else:
            width = f"$> {q(at + 'ladder.' + str(len(result['ladder']) - 1), '{}')}$"
            accuracy = f"best {q(s + 'best_accuracy.mean', '{:.3f}')} (D = {q(s + 'best_channels', '{}')})"
            parameters = "--"
        if item["exponent_low"] is None:
            exponent = "--" if item["exponent_high"] is None else rf"$< {q(s + 'exponent_high', '{:.2f}')}$"
        elif item["exponent_high"] is None:
            exponent = rf"$\ge {q(s + 'exponent_low', '{:.2f}')}$"
        else:
            exponent = f"[{q(s + 'exponent_low', '{:.2f}')}, {q(s + 'exponent_high', '{:.2f}')}]"
        rows.append(
            [
                q(s + "family"),
                q(s + "depth", "{}"),
                width,
                accuracy,
                parameters,
                exponent,
                "--" if item["depth"] == 1 else q(s + "paper_exponent", "{:.2f}"),
            ]
        )
    cheapest = "; ".join(
        f"{q(f'{at}cheapest.{i}.family')}, $n_c = {q(f'{at}cheapest.{i}.depth', '{}')}$ "
        f"({q(f'{at}cheapest.{i}.parameters', '{:,}')} parameters"
        + (
            f"; the paper's optimum $2 \\ln D_1 = {q(f'{at}cheapest.{i}.paper_best_depth', '{:.1f}')}$)"
            if item["paper_best_depth"]
            else ")"
        )
        for i, item in enumerate(result["cheapest"])
    )
    return "\n".join(
        [
            r"\paragraph{Trained networks.} The fewest channels per depth that reach a mean held-out accuracy of "
            f"{q(at + 'goal', '{:g}')} on binarised $8 \\times 8$ digits ({q(at + 'seeds', '{}')} "
            + ("seeds" if result["seeds"] > 1 else "seed")
            + ", a quarter "
            r"of every class held out), for networks whose read-out pools over positions, so that the convolutions "
            r"must do the work. The goal is "
            + ("below" if result["baseline"]["mean"] > result["goal"] else "not below")
            + f" the {q(at + 'baseline.mean', '{:.3f}')} of logistic regression on the 64 pixels on the same "
            r"splits. The width climbs the ladder "
            + ", ".join(q(f"{at}ladder.{i}", "{}") for i in range(len(result["ladder"])))
            + r" until the goal is reached; the exponent $\ln D_{n_c} / \ln D_1$ is the interval the ladder leaves "
            r"(assuming accuracy rises with width between rungs), beside the paper's $1/n_c$. "
            f"{q(at + 'trainings', '{}')} trainings, {q(at + 'training_seconds', '{:.0f}')} s of training.",
            "",
            table(
                "Xrrrrrr",
                ["family", "$n_c$", "$D$", "held-out accuracy", "parameters", r"$\ln D_{n_c}/\ln D_1$", "$1/n_c$"],
                rows,
                widths=(1,),
                size=r"\scriptsize",
            ),
            f"The paper's $1/n_c$ lies in {q(at + 'agree', '{}')} of the {q(at + 'compared', '{}')} two-sided "
            r"intervals (where one layer did not reach the goal the exponent has only an upper bound, which tests "
            f"nothing). Fewest parameters at the goal: {cheapest or 'no depth reached it'}.",
            "",
        ]
    )


__all__ = [
    "CONVAC",
    "FULL",
    "GOAL",
    "QUICK",
    "RELU",
    "exponent_interval",
    "measure_width",
    "pixel_baseline",
    "section",
    "summary",
    "width_sweep",
]
