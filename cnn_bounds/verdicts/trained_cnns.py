"""Ordinary ReLU CNNs trained on part of the images of a small lattice, judged on the rest, and the
entanglement of what they learn.

Each network: one-hot input (d channels), n_c layers of k x k convolutions ('same' padding, stride 1, D
channels, ReLU), then a head: ``"pool"`` (global average and max pooling, a linear read-out: it builds
in OR- and count-like aggregation) or ``"flatten"`` (a linear read-out of every position and channel:
nothing built in). Trained with Adam on minibatches of a random half of the d^N images (the split and
the initialisation drawn from the seed), with the positive class weighted by its rarity, until the
convergence rule below; judged by the balanced accuracy (mean of the true-positive and true-negative
rates) on the other half, never seen in training. Its learnt function is its decision [logit > 0] on
every image, whose entanglement is measured under the uniform measure on all images, as in the paper.

Convergence rule (fixed before the data): every CHECK_EVERY steps, the weighted loss on the whole
training half; stop when the network fits the training half (balanced accuracy 1), when that loss has not
fallen by 1 % over PATIENCE checks, or at the step budget (MAX_STEPS; more with ``full``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from matplotlib.figure import Figure
from scipy.stats import linregress

from cnn_bounds.networks.convac import all_images, evaluate_on_all_images
from cnn_bounds.networks.relu_cnn import HEADS, ReluCNN
from cnn_bounds.verdicts.base import Quoter, decide, figure, table, verdict_line
from cnn_bounds.verdicts.points import Points, run_points
from numeric import Lattice, entanglement_profile, max_entropy, rectangles, straight_cuts, targets
from numeric.lattice import Region
from proofs.subvolume import LocalFeatureModel, derived_rank_bound

ACCURACY_GOAL = 0.99
TRAIN_FRACTION = 0.5
BATCH = 512
LEARNING_RATE = 0.02
CHECK_EVERY, PATIENCE, MAX_STEPS, MAX_STEPS_FULL = 100, 2, 600, 2000
CONTROLS = ("random-boolean", "parity", "far-apart")


@dataclass(frozen=True)
class Target:
    """A target function, its local structure (None for the random control) and a short name."""

    name: str
    values: np.ndarray
    model: LocalFeatureModel | None


def training_targets(lattice: Lattice, seed: int) -> list[Target]:
    """pattern-present with xi = 2 and 3, count >= 2 of a 2x2 pattern; controls: a random Boolean function,
    parity (S = ln 2 on every cut: low entanglement, not local) and far-apart (first = last pixel)."""
    made = []
    for size in (2, 3):
        pattern = np.ones((size, size), dtype=np.int64)
        model = LocalFeatureModel(
            f"pattern xi={size}", lattice, tuple(targets.windows(lattice, size, size)), "or", True
        )
        made.append(Target(f"pattern-present xi={size}", targets.pattern_present(lattice, pattern), model))
    windows = tuple(targets.windows(lattice, 2, 2))
    made.append(
        Target(
            "count>=2 xi=2",
            targets.count_threshold(lattice, 2, np.ones((2, 2), dtype=np.int64)),
            LocalFeatureModel("count", lattice, windows, "count", True, threshold=2),
        )
    )
    made.append(Target("random-boolean", targets.random_boolean(lattice, seed), None))
    pixels = tuple((p,) for p in range(lattice.n_pixels))
    made.append(
        Target(
            "parity", targets.parity(lattice), LocalFeatureModel("parity", lattice, pixels, "reader", reader_states=2)
        )
    )
    made.append(
        Target(
            "far-apart",
            targets.far_apart_equal(lattice),
            LocalFeatureModel("far-apart", lattice, ((0, lattice.n_pixels - 1),), "reader", reader_states=1),
        )
    )
    return made


def measured_regions(lattice: Lattice) -> dict[str, Region]:
    """Every straight cut and every square region of side 2 and 3."""
    regions = straight_cuts(lattice)
    squares = {label: r for label, r in rectangles(lattice).items() if "2x2" in label or "3x3" in label}
    return {**regions, **squares}


def split(lattice: Lattice, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A random TRAIN_FRACTION of the images for training and the rest held out, drawn from ``seed``."""
    order = np.random.default_rng(seed).permutation(lattice.n_images)
    cut = int(TRAIN_FRACTION * lattice.n_images)
    return np.sort(order[:cut]), np.sort(order[cut:])


def train(
    lattice: Lattice,
    labels: np.ndarray,
    training: np.ndarray,
    channels: int,
    depth: int,
    seed: int,
    head: str = "pool",
    max_steps: int = MAX_STEPS,
) -> tuple[ReluCNN, int, str]:
    """Train a ReluCNN on the images ``training`` until the convergence rule (module docstring);
    deterministic for a seed on the CPU. Returns the network, the steps taken and why it stopped."""
    torch.manual_seed(seed)
    network = ReluCNN(lattice.levels, channels, depth, head=head, image_shape=(lattice.height, lattice.width))
    images = all_images(lattice, 0, lattice.n_images)[torch.as_tensor(training)]
    y = torch.as_tensor(labels[training], dtype=torch.float32)
    positives = float(y.sum())
    weight = torch.tensor((len(y) - positives) / max(positives, 1.0))
    loss_function = torch.nn.BCEWithLogitsLoss(pos_weight=weight)
    optimiser = torch.optim.Adam(network.parameters(), lr=LEARNING_RATE)
    generator = torch.Generator().manual_seed(seed)
    history = []
    for step in range(1, max_steps + 1):
        batch = torch.randint(0, len(y), (BATCH,), generator=generator)
        optimiser.zero_grad()
        loss_function(network(images[batch]), y[batch]).backward()
        optimiser.step()
        if step % CHECK_EVERY:
            continue
        with torch.no_grad():
            logits = network(images)
            history.append(float(loss_function(logits, y)))
        if balanced_accuracy((logits > 0).numpy().astype(float), labels[training]) == 1.0:
            return network, step, "fits the training half"
        if len(history) > PATIENCE and history[-1] > 0.99 * history[-1 - PATIENCE]:
            return network, step, f"loss fell by < 1 % over {PATIENCE * CHECK_EVERY} steps"
    return network, max_steps, "step budget"


def learnt_function(network: ReluCNN, lattice: Lattice) -> np.ndarray:
    """The network's decision [logit > 0] on every image, as 0.0 / 1.0."""
    return (evaluate_on_all_images(network, lattice) > 0).astype(np.float64)


def balanced_accuracy(predicted: np.ndarray, target: np.ndarray) -> float:
    """Mean of the true-positive and the true-negative rate."""
    positive = target == 1
    return float((np.mean(predicted[positive] == 1) + np.mean(predicted[~positive] == 0)) / 2)


def _entropy_or_none(values: np.ndarray, region: Region, levels: int) -> float | None:
    return entanglement_profile(values, region, levels=levels).entropy if np.any(values) else None


def measure(lattice: Lattice, target: Target, channels: int, depth: int, head: str, seed: int, max_steps: int) -> dict:
    """Train one network on a random half; its held-out and training balanced accuracy, steps, parameters,
    and the entanglement of its decision on all images beside the target's and the target's bound."""
    training, held_out = split(lattice, seed)
    network, steps, stopped = train(lattice, target.values, training, channels, depth, seed, head, max_steps)
    learnt = learnt_function(network, lattice)
    regions = []
    for label, region in measured_regions(lattice).items():
        bound = None
        if target.model is not None:
            bound = float(np.log(derived_rank_bound(target.model, region)))
        ceiling = max_entropy(len(region), lattice.n_pixels, lattice.levels)
        regions.append(
            {
                "region": label,
                "size": len(region),
                "non_vacuous": bound is not None and bound < ceiling - 1e-12,
                "target_entropy": _entropy_or_none(target.values, region, lattice.levels),
                "learnt_entropy": _entropy_or_none(learnt, region, lattice.levels),
                "target_bound": bound,
                "volume_law": ceiling,
            }
        )
    return {
        "accuracy": balanced_accuracy(learnt[held_out], target.values[held_out]),
        "training_accuracy": balanced_accuracy(learnt[training], target.values[training]),
        "steps": steps,
        "stopped": stopped,
        "parameters": sum(p.numel() for p in network.parameters()),
        "regions": regions,
    }


SEEDS = 3


def summarise(points: list[dict]) -> list[dict]:
    """Per (lattice, target, head, depth, width): held-out balanced accuracy over the seeds (mean, sample
    standard deviation, min, max), the mean steps and the parameters."""
    groups = {}
    for point in points:
        groups.setdefault(
            (point["lattice"], point["target"], point["head"], point["depth"], point["channels"]), []
        ).append(point)
    configs = []
    for (lattice, target, head, depth, width), mine in groups.items():
        accuracy = np.array([p["accuracy"] for p in mine])
        configs.append(
            {
                "lattice": lattice,
                "target": target,
                "head": head,
                "depth": depth,
                "channels": width,
                "seeds": len(mine),
                "accuracy_mean": float(accuracy.mean()),
                "accuracy_sd": float(accuracy.std(ddof=1)) if len(mine) > 1 else None,
                "accuracy_min": float(accuracy.min()),
                "accuracy_max": float(accuracy.max()),
                "steps_mean": float(np.mean([p["steps"] for p in mine])),
                "parameters": mine[0]["parameters"],
            }
        )
    return configs


def best_configs(configs: list[dict]) -> dict:
    """Per target and head: the configuration with the highest mean held-out accuracy (fewest parameters on ties)."""
    best = {}
    for config in configs:
        key = f"{config['target']} / {config['head']}"
        if key not in best or (config["accuracy_mean"], -config["parameters"]) > (
            best[key]["accuracy_mean"],
            -best[key]["parameters"],
        ):
            best[key] = config
    return best


def _fit_depth_exponents(needed: list[dict], depths: tuple[int, ...]) -> list[dict]:
    fits = []
    for depth in depths[1:]:
        pairs = [
            (row["n_c=1"], row[f"n_c={depth}"])
            for row in needed
            if row["n_c=1"] and row[f"n_c={depth}"] and row["n_c=1"] > 1
        ]
        exponent = stderr = None
        if len(pairs) >= 3 and len({a for a, _ in pairs}) >= 2:
            fit = linregress(np.log([a for a, _ in pairs]), np.log([b for _, b in pairs]))
            exponent, stderr = float(fit.slope), (float(fit.stderr) if np.isfinite(fit.stderr) else None)
        elif pairs:
            exponent = float(np.mean([np.log(b) / np.log(a) for a, b in pairs]))
        fits.append(
            {"depth": depth, "exponent": exponent, "stderr": stderr, "targets": len(pairs), "paper_exponent": 1 / depth}
        )
    return fits


def _train_point(point: dict) -> dict:
    """:func:`measure` at one point of :func:`train_sweep` (a module-level function: it runs in a worker)."""
    lattice = Lattice(*map(int, point["lattice"].split("x")))
    target = next(t for t in training_targets(lattice, point["target_seed"]) if t.name == point["target"])
    return measure(lattice, target, point["channels"], point["depth"], point["head"], point["seed"], point["max_steps"])


def train_sweep(
    full: bool = False,
    seed: int = 0,
    cache: Points | None = None,
    progress: bool = False,
    jobs: int = 1,
) -> dict:
    """Train every (target, head, depth, width) with SEEDS seeds on 4x4 (and 5x4 with ``full``); summarise.
    The trainings are independent: ``jobs`` processes share them (:func:`cnn_bounds.verdicts.points.run_points`).

    Per target, head and depth: the smallest width whose mean held-out balanced accuracy reaches 0.99.
    Per depth n_c >= 2: the exponent e with D(n_c) = D(1)^e, fitted across the local targets (slope of
    ln D(n_c) on ln D(1); with fewer than 3, the mean of ln D(n_c) / ln D(1)), beside the paper's 1/n_c.
    """
    cache = cache or Points()
    lattices = [Lattice(4, 4)] + ([Lattice(5, 4)] if full else [])
    depths = (1, 2, 3) if full else (1, 2)
    widths = (1, 2, 4, 8, 16) if full else (2, 8)
    max_steps = MAX_STEPS_FULL if full else MAX_STEPS
    wanted = [
        {
            "sweep": "train-held-out",
            "lattice": f"{lattice.width}x{lattice.height}",
            "target": target.name,
            "target_seed": seed,
            "head": head,
            "depth": depth,
            "channels": width,
            "seed": seed + run,
            "max_steps": max_steps,
            "rule": [TRAIN_FRACTION, BATCH, LEARNING_RATE, CHECK_EVERY, PATIENCE],
        }
        for lattice in lattices
        for target in training_targets(lattice, seed)
        for head in HEADS
        for depth in depths
        for width in widths
        for run in range(SEEDS)
    ]
    points = run_points(_train_point, wanted, cache, jobs=jobs, progress=progress)
    configs = summarise(points)
    needed = []
    for lattice_name, name, head in dict.fromkeys((c["lattice"], c["target"], c["head"]) for c in configs):
        mine = [c for c in configs if (c["lattice"], c["target"], c["head"]) == (lattice_name, name, head)]
        needed.append(
            {
                "lattice": lattice_name,
                "target": name,
                "head": head,
                **{
                    f"n_c={d}": min(
                        (c["channels"] for c in mine if c["depth"] == d and c["accuracy_mean"] >= ACCURACY_GOAL),
                        default=None,
                    )
                    for d in depths
                },
            }
        )
    local = [row for row in needed if row["target"] not in CONTROLS]
    fits = {head: _fit_depth_exponents([row for row in local if row["head"] == head], depths) for head in HEADS}
    learnt = {
        (c["lattice"], c["target"], c["head"], c["depth"], c["channels"])
        for c in configs
        if c["target"] not in CONTROLS and c["accuracy_mean"] >= ACCURACY_GOAL
    }
    within = [
        r
        for p in points
        if (p["lattice"], p["target"], p["head"], p["depth"], p["channels"]) in learnt
        for r in p["regions"]
        if r["non_vacuous"] and r["learnt_entropy"] is not None
    ]
    return {
        "points": points,
        "configs": configs,
        "best": best_configs(configs),
        "channels_needed": needed,
        "fits": fits,
        "seed": seed,
        "seeds": SEEDS,
        "full": full,
        "max_steps": max_steps,
        "learnt_within_target_bound": {
            "within": sum(r["learnt_entropy"] <= r["target_bound"] + 1e-9 for r in within),
            "regions": len(within),
        },
    }


KEY = "trained-cnns"
TITLE = "Trained CNNs"
RANDOM_CONTROL_CEILING = 0.6
"""The random control counts as not learnt when its best mean held-out balanced accuracy is below this."""


def verdict(results: dict) -> dict:
    """Holds when every local target reaches ACCURACY_GOAL (mean held-out balanced accuracy, best
    configuration), the random control stays below RANDOM_CONTROL_CEILING, and every network that learnt a
    local target stays within the target's derived bound on every non-vacuous region."""
    best = {}
    for config in results["training"]["configs"]:
        best[config["target"]] = max(best.get(config["target"], 0.0), config["accuracy_mean"])
    local_learnt = all(v >= ACCURACY_GOAL for k, v in best.items() if k not in CONTROLS)
    control_fails = best.get("random-boolean", 1.0) < RANDOM_CONTROL_CEILING
    inside = results["training"]["learnt_within_target_bound"]
    return decide(
        "Small CNNs learn local-feature targets (judged on held-out images); a random function is not learnt",
        local_learnt and control_fails and inside["within"] == inside["regions"],
        f"{'every' if local_learnt else 'not every'} local target reaches mean held-out balanced accuracy "
        f"{ACCURACY_GOAL} over {results['training']['seeds']} seeds; the random control's best mean is "
        f"{best.get('random-boolean', float('nan')):.3f} (needs $< {RANDOM_CONTROL_CEILING}$ to count as not learnt); "
        f"networks that learnt a local target stay within its bound in {inside['within']} of {inside['regions']} "
        "non-vacuous regions",
        inside["regions"],
        inside["regions"],
    )


def section(results: dict, q: Quoter) -> str:
    """The report's section: best configurations, what the controls show, channels needed per depth, the
    figure, the verdict."""
    parts = [rf"\section{{{TITLE}}}"]
    training = results["training"]
    parts.append(
        rf"ReLU CNNs ($3 \times 3$ convolutions, 'same' padding) trained on a random half of the $2^{{16}}$ "
        rf"images of the $4 \times 4$ lattice and judged by balanced accuracy on the other half, over "
        rf"{q('training.seeds', '{}')} seeds (split and initialisation), with two heads: pooling (global "
        r"average and max pooling, which builds in OR- and count-like aggregation) and flatten (a linear "
        r"read-out of every position: nothing built in). Training stops when the network fits its training "
        r"half, when its training loss falls by less than 1\,\% over 200 steps, or after "
        rf"{q('training.max_steps', '{}')} steps. Best configuration per target and head (mean, sample "
        r"standard deviation and range of the held-out accuracy over the seeds):" + "\n"
    )
    best = training["best"]
    parts.append(
        table(
            "Xlrrrrrrr",
            ["target", "head", "$n_c$", "$D$", "params", "mean", "sd", "min", "max"],
            [
                [
                    q(f"training.best.{key}.target"),
                    q(f"training.best.{key}.head"),
                    q(f"training.best.{key}.depth", "{}"),
                    q(f"training.best.{key}.channels", "{}"),
                    q(f"training.best.{key}.parameters", "{}"),
                    q(f"training.best.{key}.accuracy_mean", "{:.3f}"),
                    q(f"training.best.{key}.accuracy_sd", "{:.3f}"),
                    q(f"training.best.{key}.accuracy_min", "{:.3f}"),
                    q(f"training.best.{key}.accuracy_max", "{:.3f}"),
                ]
                for key in best
            ],
        )
    )
    control = {
        name: max((key for key in best if best[key]["target"] == name), key=lambda key: best[key]["accuracy_mean"])
        for name in ("parity", "far-apart")
    }
    parts.append(
        r"What the controls show: parity has $S_A = \ln 2$ on every cut, yet its best mean held-out accuracy is "
        + q(f"training.best.{control['parity']}.accuracy_mean", "{:.3f}")
        + r": low entanglement is not sufficient for a local network to learn a function. Far-apart "
        r"($[s_0 = s_{15}]$, also $\ln 2$ across a separating cut) reaches "
        + q(f"training.best.{control['far-apart']}.accuracy_mean", "{:.3f}")
        + " at best; which head reaches it is in the table: the pooling head's global max and mean give "
        r"$[s_0 = s_{15}] = 1 + s_0 + s_{15} - 2\max(s_0, s_{15})$ from two corner detectors, so it needs "
        r"no network that sees both corners." + "\n"
    )
    needed = training["channels_needed"]
    depth_keys = [key for key in needed[0] if key.startswith("n_c=")]
    parts.append(f"The smallest width whose mean held-out balanced accuracy reaches {ACCURACY_GOAL}, per depth:\n")
    parts.append(
        table(
            "lll" + "r" * len(depth_keys),
            ["lattice", "target", "head", *(f"$n_c = {key[4:]}$" for key in depth_keys)],
            [
                [
                    q(f"training.channels_needed.{i}.lattice"),
                    q(f"training.channels_needed.{i}.target"),
                    q(f"training.channels_needed.{i}.head"),
                    *[q(f"training.channels_needed.{i}.{key}", "{}") for key in depth_keys],
                ]
                for i in range(len(needed))
            ],
        )
    )
    parts.append(
        figure(
            "fig-learnt-entanglement",
            "Largest entropy of the learnt function over cuts and squares "
            "against depth (best-accuracy width per depth); dotted: the target's.",
        )
    )
    parts.append(verdict_line(q, "trained-cnns"))
    return "\n".join(parts) + "\n"


def figures(results: dict) -> dict[str, Figure]:
    """fig-learnt-entanglement: the training sweep's points."""
    return {"fig-learnt-entanglement": learnt_entanglement(results["training"]["points"])}


def learnt_entanglement(points: list[dict]):
    """Largest entropy of the learnt function against depth, per target, at the best-accuracy width."""
    fig = Figure(figsize=(5.6, 4.2))
    axes = fig.subplots()
    for target in dict.fromkeys(p["target"] for p in points):
        depths = sorted({p["depth"] for p in points if p["target"] == target})
        best = [
            max((p for p in points if p["target"] == target and p["depth"] == d), key=lambda p: p["accuracy"])
            for d in depths
        ]
        learnt = [max(r["learnt_entropy"] or 0.0 for r in p["regions"]) for p in best]
        (line,) = axes.plot(depths, learnt, "o-", label=f"{target} (learnt)")
        aimed = max(r["target_entropy"] or 0.0 for r in best[0]["regions"])
        axes.axhline(aimed, color=line.get_color(), linestyle=":", linewidth=1)
    axes.set_xlabel(r"depth $n_c$")
    axes.set_ylabel(r"largest $S_A$ over cuts and squares (nats)")
    axes.set_title("Entanglement of learnt functions (dotted: target)")
    axes.legend(fontsize=6)
    return fig
