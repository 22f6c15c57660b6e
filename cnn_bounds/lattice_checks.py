"""Volume law against sub-volume law on exact lattices: the entropy of random functions (sampled, with
standard errors) and of every local-feature target (exact) on every cut, beside Page's value, the
volume-law ceiling and each target's derived bound."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from numeric import Lattice, entanglement_entropy, page_entropy, rectangles, straight_cuts
from numeric.targets import random_boolean, random_gaussian
from proofs.subvolume import cut_geometry, local_rank_bound, local_targets


def _regions(lattice: Lattice) -> dict:
    if lattice.height == 1:
        return {f"[0,{k})": tuple(range(k)) for k in range(1, lattice.n_pixels)}
    squares = {label: r for label, r in rectangles(lattice).items() if label.endswith(("2x2)", "3x3)"))}
    return {**straight_cuts(lattice), **squares}


def lattice_checks(full: bool = False, seed: int = 0, samples: int = 8, progress: Callable | None = None) -> dict:
    """Rows (lattice, region, |A|, function, entropy, s.e., bound) for a chain of 16 pixels (20 with
    ``full``) and 4x4; random functions averaged over ``samples`` seeds from ``seed``."""
    lattices = [Lattice(20 if full else 16, 1), Lattice(4, 4)]
    rows = []
    for lattice in (progress(lattices) if progress else lattices):
        regions = _regions(lattice)
        name = f"{lattice.width}x{lattice.height}"
        randoms = {"random-gaussian (real)": [random_gaussian(lattice, seed + s) for s in range(samples)],
                   "random-boolean": [random_boolean(lattice, seed + s) for s in range(samples)]}
        models = local_targets(lattice, seed)
        for label, region in regions.items():
            size = len(region)
            common = {"lattice": name, "region": label, "size": size,
                      "volume_law": min(size, lattice.n_pixels - size) * math.log(lattice.levels),
                      "page": page_entropy(lattice.levels**size, lattice.levels ** (lattice.n_pixels - size))}
            for function, draws in randoms.items():
                values = [entanglement_entropy(v, region, levels=lattice.levels) for v in draws]
                rows.append({**common, "function": function, "entropy": float(np.mean(values)),
                             "stderr": float(np.std(values, ddof=1) / math.sqrt(samples)), "bound": None})
            for model, values in models:
                local, pattern = local_rank_bound(model, cut_geometry(model, region))
                bound = min(local, pattern) if pattern is not None else local
                rows.append({**common, "function": model.name, "stderr": 0.0, "bound": math.log(bound),
                             "non_vacuous": math.log(bound) < common["volume_law"] - 1e-12,
                             "entropy": entanglement_entropy(values, region, levels=lattice.levels)})
    violations = sum(r["bound"] is not None and r["entropy"] > r["bound"] + 1e-9 for r in rows)
    return {"rows": rows, "violations": violations, "samples": samples, "seed": seed}
