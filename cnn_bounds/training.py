"""Ordinary ReLU CNNs trained on every image of a small lattice, and the entanglement of what they learn.

Each network: one-hot input (d channels), n_c layers of k x k convolutions ('same' padding, stride 1, D
channels, ReLU), global average and max pooling, a linear read-out to one logit. Trained with Adam on
minibatches of all d^N images (every image is a training example and the exact target is known), with
the positive class weighted by its rarity. Its learnt function is its decision [logit > 0] on every
image; its quality is the balanced accuracy (mean of the true-positive and true-negative rates), since
some targets are rare (a 3x3 pattern on 4x4 is present in under 1 % of images).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from scipy.stats import linregress

from cnn_bounds.cache import PointCache
from cnn_bounds.convac import all_images, evaluate_on_all_images
from numeric import Lattice, entanglement_profile, rectangles, straight_cuts
from numeric import targets
from numeric.lattice import Region
from proofs.subvolume import LocalFeatureModel, cut_geometry, local_rank_bound

ACCURACY_GOAL = 0.99


class ReluCNN(torch.nn.Module):
    """n_c conv(k x k, D) + ReLU layers, global average and max pooling, linear read-out."""

    def __init__(self, levels: int, channels: int, depth: int, kernel: int = 3) -> None:
        super().__init__()
        layers, inputs = [], levels
        for _ in range(depth):
            layers += [torch.nn.Conv2d(inputs, channels, kernel, padding="same"), torch.nn.ReLU()]
            inputs = channels
        self.features = torch.nn.Sequential(*layers)
        self.head = torch.nn.Linear(2 * channels, 1)
        self.levels = levels
        self.register_buffer("one_hot", torch.eye(levels), persistent=False)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        x = self.one_hot[images].permute(0, 3, 1, 2)  # rows of the identity: one_hot(...).float(), faster
        x = self.features(x)
        return self.head(torch.cat([x.mean(dim=(2, 3)), x.amax(dim=(2, 3))], dim=1)).squeeze(1)


@dataclass(frozen=True)
class Target:
    """A target function, its local structure (None for the random control) and a short name."""

    name: str
    values: np.ndarray
    model: LocalFeatureModel | None


def training_targets(lattice: Lattice, seed: int) -> list[Target]:
    """pattern-present with xi = 2 and 3, count >= 2 of a 2x2 pattern, and a random Boolean control."""
    made = []
    for size in (2, 3):
        pattern = np.ones((size, size), dtype=np.int64)
        model = LocalFeatureModel(f"pattern xi={size}", lattice, tuple(targets.windows(lattice, size, size)), "or", True)
        made.append(Target(f"pattern-present xi={size}", targets.pattern_present(lattice, pattern), model))
    windows = tuple(targets.windows(lattice, 2, 2))
    made.append(Target("count>=2 xi=2", targets.count_threshold(lattice, 2, np.ones((2, 2), dtype=np.int64)),
                       LocalFeatureModel("count", lattice, windows, "count", True, threshold=2)))
    made.append(Target("random-boolean", targets.random_boolean(lattice, seed), None))
    return made


def measured_regions(lattice: Lattice) -> dict[str, Region]:
    """Every straight cut and every square region of side 2 and 3."""
    regions = straight_cuts(lattice)
    squares = {label: r for label, r in rectangles(lattice).items() if "2x2" in label or "3x3" in label}
    return {**regions, **squares}


def train(lattice: Lattice, labels: np.ndarray, channels: int, depth: int, seed: int, steps: int) -> ReluCNN:
    """Train a ReluCNN on every image with minibatches of 2048 (deterministic for a seed on the CPU)."""
    torch.manual_seed(seed)
    network = ReluCNN(lattice.levels, channels, depth)
    images = all_images(lattice, 0, lattice.n_images)
    y = torch.as_tensor(labels, dtype=torch.float32)
    positives = float(y.sum())
    weight = torch.tensor((len(y) - positives) / max(positives, 1.0))
    loss_function = torch.nn.BCEWithLogitsLoss(pos_weight=weight)
    optimiser = torch.optim.Adam(network.parameters(), lr=0.02)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        batch = torch.randint(0, len(y), (2048,), generator=generator)
        optimiser.zero_grad()
        loss_function(network(images[batch]), y[batch]).backward()
        optimiser.step()
    return network


def learnt_function(network: ReluCNN, lattice: Lattice) -> np.ndarray:
    """The network's decision [logit > 0] on every image, as 0.0 / 1.0."""
    return (evaluate_on_all_images(network, lattice) > 0).astype(np.float64)


def balanced_accuracy(predicted: np.ndarray, target: np.ndarray) -> float:
    """Mean of the true-positive and the true-negative rate."""
    positive = target == 1
    return float((np.mean(predicted[positive] == 1) + np.mean(predicted[~positive] == 0)) / 2)


def _entropy_or_none(values: np.ndarray, region: Region, levels: int) -> float | None:
    return entanglement_profile(values, region, levels=levels).entropy if np.any(values) else None


def measure(lattice: Lattice, target: Target, channels: int, depth: int, seed: int, steps: int) -> dict:
    """Train one network; its balanced accuracy, parameter count and entanglement beside the target's."""
    network = train(lattice, target.values, channels, depth, seed, steps)
    learnt = learnt_function(network, lattice)
    regions = []
    for label, region in measured_regions(lattice).items():
        bound = None
        if target.model is not None:
            local, pattern = local_rank_bound(target.model, cut_geometry(target.model, region))
            bound = float(np.log(min(local, pattern) if pattern is not None else local))
        ceiling = min(len(region), lattice.n_pixels - len(region)) * float(np.log(lattice.levels))
        regions.append({"region": label, "size": len(region),
                        "non_vacuous": bound is not None and bound < ceiling - 1e-12,
                        "target_entropy": _entropy_or_none(target.values, region, lattice.levels),
                        "learnt_entropy": _entropy_or_none(learnt, region, lattice.levels),
                        "target_bound": bound,
                        "volume_law": ceiling})
    return {"accuracy": balanced_accuracy(learnt, target.values),
            "parameters": sum(p.numel() for p in network.parameters()), "regions": regions}


def _smallest_width(points: list[dict], target: str, depth: int) -> int | None:
    good = [p["channels"] for p in points if p["target"] == target and p["depth"] == depth and p["accuracy"] >= ACCURACY_GOAL]
    return min(good, default=None)


def train_sweep(full: bool = False, seed: int = 0, cache: PointCache | None = None, progress: Callable | None = None) -> dict:
    """Train every (target, depth, width) on 4x4 (and 5x4 with ``full``); summarise what was learnt.

    Per target and depth: the smallest width reaching balanced accuracy >= 0.99. Per depth n_c >= 2: the
    exponent e with D(n_c) = D(1)^e, fitted across targets (slope of ln D(n_c) on ln D(1); with fewer
    than 3 targets, the mean of ln D(n_c) / ln D(1)), beside the paper's 1/n_c.
    """
    cache = cache or PointCache(None)
    lattices = [Lattice(4, 4)] + ([Lattice(5, 4)] if full else [])
    depths = (1, 2, 3, 4) if full else (1, 2, 3)
    widths = (1, 2, 3, 4, 6, 8, 12, 16) if full else (1, 2, 4, 8)
    steps = 600 if full else 150
    jobs = [(lattice, target, depth, width) for lattice in lattices for target in training_targets(lattice, seed)
            for depth in depths for width in widths]
    points = []
    for lattice, target, depth, width in (progress(jobs) if progress else jobs):
        parameters = {"sweep": "train", "lattice": f"{lattice.width}x{lattice.height}", "target": target.name,
                      "depth": depth, "channels": width, "seed": seed, "steps": steps}
        points.append(cache.get_or_measure(parameters, lambda: measure(lattice, target, width, depth, seed, steps)))
    needed = []
    for name in dict.fromkeys(p["target"] for p in points):
        for lattice_name in dict.fromkeys(p["lattice"] for p in points):
            subset = [p for p in points if p["lattice"] == lattice_name]
            needed.append({"lattice": lattice_name, "target": name,
                           **{f"n_c={d}": _smallest_width(subset, name, d) for d in depths}})
    fits = []
    for depth in depths[1:]:
        pairs = [(row["n_c=1"], row[f"n_c={depth}"]) for row in needed
                 if row["n_c=1"] and row[f"n_c={depth}"] and row["n_c=1"] > 1]
        exponent = stderr = None
        if len(pairs) >= 3 and len({a for a, _ in pairs}) >= 2:
            fit = linregress(np.log([a for a, _ in pairs]), np.log([b for _, b in pairs]))
            exponent, stderr = float(fit.slope), (float(fit.stderr) if np.isfinite(fit.stderr) else None)
        elif pairs:
            exponent = float(np.mean([np.log(b) / np.log(a) for a, b in pairs]))
        fits.append({"depth": depth, "exponent": exponent, "stderr": stderr, "targets": len(pairs), "paper_exponent": 1 / depth})
    within = [r for p in points for r in p["regions"] if r["target_bound"] is not None and r["learnt_entropy"] is not None
              and r["target_bound"] < r["volume_law"] - 1e-12]  # non-vacuous only: the bound is below the ceiling
    return {
        "points": points, "channels_needed": needed, "fits": fits, "seed": seed, "full": full, "steps": steps,
        "learnt_within_target_bound": {"within": sum(r["learnt_entropy"] <= r["target_bound"] + 1e-9 for r in within),
                                       "regions": len(within)},
    }
