"""How often a ConvAC's generic rank attains its min-cut bound, and where it does not.

A survey over architectures on small lattices (every image enumerated, ranks exact over GF(p)): binary
3x3 and 4x4, and chains whose pixels take 4, 6 or 8 levels (so cuts through pixels are dear); depth 1 to
3, widths 1 to 4, overlapping (stride 1) or tree (stride k) windows of k = 2, global or local read-out,
unshared weights; every straight cut and the bottom row. Each point records whether its windows overlap,
so that its tensor network reads pixels (and, from depth 2, whole sub-networks) more than once through
COPY tensors, and the summary says whether every point below its bound does.
"""

from __future__ import annotations

from collections.abc import Callable

from cnn_bounds.convac import ConvAC, ConvACSpec, evaluate_on_all_images
from cnn_bounds.mincut import min_cut, tensor_network
from numeric import InvalidInputError, Lattice, max_schmidt_rank, straight_cuts
from numeric.precise import prime_for_sums, schmidt_rank_mod_p

SURVEY_LATTICES = (Lattice(3, 3), Lattice(6, 1, 4), Lattice(5, 1, 6), Lattice(4, 1, 8))


def survey_networks(full: bool = False) -> list[ConvACSpec]:
    """Every architecture of the survey that fits its lattice (4x4 is added with ``full``)."""
    lattices = SURVEY_LATTICES + ((Lattice(4, 4),) if full else ())
    specs = []
    for lattice in lattices:
        for depth in (1, 2, 3):
            for channels in (1, 2, 3, 4):
                for overlapping in (True, False):
                    for readout in ("global", "local"):
                        try:
                            specs.append(ConvACSpec(lattice, channels, depth, 2, overlapping, False, readout))
                        except InvalidInputError:
                            continue
    return specs


def survey_regions(lattice: Lattice) -> dict:
    regions = straight_cuts(lattice)
    if lattice.height > 1:
        regions["bottom row"] = tuple(range(lattice.n_pixels - lattice.width, lattice.n_pixels))
    return regions


def min_cut_survey(full: bool = False, seed: int = 0, progress: Callable | None = None) -> dict:
    """Exact generic rank against the min cut on every (network, region) of the survey."""
    specs = survey_networks(full)
    points = []
    for spec in (progress(specs) if progress else specs):
        lattice = spec.lattice
        prime = prime_for_sums(max(spec.channels, lattice.levels))
        values = evaluate_on_all_images(ConvAC(spec, seed, modulus=prime), lattice)
        network = tensor_network(spec)
        for label, region in survey_regions(lattice).items():
            cut = min_cut(spec, region, network)
            ceiling = max_schmidt_rank(len(region), lattice.n_pixels, lattice.levels)
            points.append({
                "network": spec.describe(), "lattice": str(lattice), "region": label,
                "overlapping": spec.overlapping, "depth": spec.depth,
                "generic_rank": schmidt_rank_mod_p(values, region, levels=lattice.levels, prime=prime),
                "min_cut_rank": cut.rank_bound, "ceiling": ceiling, "non_vacuous": cut.rank_bound < ceiling,
            })
    classes = []
    for overlapping in (False, True):
        for depth in (1, 2, 3):
            mine = [p for p in points if p["overlapping"] == overlapping and p["depth"] == depth]
            useful = [p for p in mine if p["non_vacuous"]]
            classes.append({"windows": "overlapping" if overlapping else "tree", "depth": depth, "points": len(mine),
                            "at_min_cut": sum(p["generic_rank"] == p["min_cut_rank"] for p in mine),
                            "non_vacuous": len(useful),
                            "non_vacuous_at_min_cut": sum(p["generic_rank"] == p["min_cut_rank"] for p in useful)})
    below = [p for p in points if p["generic_rank"] < p["min_cut_rank"]]
    return {"points": points, "by_class": classes, "below_min_cut": len(below),
            "below_min_cut_all_overlapping": all(p["overlapping"] for p in below), "seed": seed, "full": full}
