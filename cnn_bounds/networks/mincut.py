"""The tensor network of a ConvAC, and its minimal cut between region A's pixels and the rest.

Every node of a ConvAC's tensor network is a COPY (delta) tensor: a pixel's one-hot input e_{s_p} is copied exactly
(e (x) e = delta e), and a product-pooling unit shares one channel index c among its inputs and its output. A delta
tensor of dimension m has rank at most m across *any* split of its legs, so it is a vertex of capacity ln m; each
bond between nodes (carrying a weight matrix) has capacity ln of its dimension. The last layer's units and the
global product pool share their channel index with no matrix between them, so they form a single COPY tensor.
Receptive fields that overlap are handled by duplicating the sub-network below a unit for each unit that reads it,
the copies meeting only at the pixels' COPY tensors: the network is then a tree over duplicated inputs, exact for
the ConvAC's function.

The rank of f across A|B is at most the product of the dimensions of any set of bonds and vertices whose
removal separates A's pixels from B's; the minimal such cut (max-flow / min-cut on the graph with each
vertex split into an arc, networkx) gives the bound S_A <= ln(rank bound) = min-cut capacity in nats.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import networkx as nx

from cnn_bounds.networks.convac import ConvACSpec
from numeric import InvalidInputError
from numeric.lattice import Region, validate_region

MAX_GRAPH_NODES = 200_000


@dataclass(frozen=True)
class TensorNetwork:
    """Vertices (name -> dimension) and bonds (name, name, dimension) of a ConvAC's tensor network."""

    vertices: dict
    bonds: list


@dataclass(frozen=True)
class MinCut:
    """A minimal cut: its capacity in nats, the exact integer rank bound, and what it cuts."""

    nats: float
    rank_bound: int
    cut: tuple[tuple[str, int], ...]


def tensor_network(spec: ConvACSpec) -> TensorNetwork:
    """Build the ConvAC's tensor network (duplicating shared sub-networks where receptive fields overlap)."""
    shapes = spec.layer_shapes
    (kh, kw), (sh, sw) = spec.window, spec.stride
    d, D = spec.lattice.levels, spec.channels
    window_size = kh * kw
    final_h, final_w = shapes[-1]
    size = final_h * final_w * sum(window_size**layer for layer in range(spec.depth + 1))
    if size > MAX_GRAPH_NODES:
        raise InvalidInputError(
            f"the tensor network of this {spec.describe()} has about {size} nodes (limit {MAX_GRAPH_NODES}); "
            "use fewer layers or a smaller kernel"
        )
    vertices = {("pixel", p): d for p in range(spec.lattice.n_pixels)}
    bonds = []
    counter = itertools.count()

    def attach(layer: int, y: int, x: int, parent) -> None:
        """Connect the unit computing x_layer[y, x] (a pixel when layer = 0) to ``parent`` (None: the unit
        is read out on its own, to a scalar factor of f)."""
        if layer == 0:
            if parent is not None:
                bonds.append((("pixel", y * spec.lattice.width + x), parent, min(d, D)))
            return
        unit = ("unit", layer, y, x, next(counter))
        vertices[unit] = D
        if parent is not None:
            bonds.append((unit, parent, D))
        for i in range(kh):
            for j in range(kw):
                attach(layer - 1, sh * y + i, sw * x + j, unit)

    if spec.readout == "local":
        # Each final unit is read out to a number on its own; the product of numbers needs no shared index,
        # so the final units' sub-networks meet only at the pixels.
        for y in range(final_h):
            for x in range(final_w):
                attach(spec.depth, y, x, None)
        return TensorNetwork(vertices, bonds)
    vertices[("top",)] = D
    # The global product pool reads channel c of every final unit directly (no weight matrix between), so
    # the final units and the pool are one COPY tensor: the final units' inputs attach to it directly.
    for y in range(final_h):
        for x in range(final_w):
            if spec.depth == 0:
                attach(0, y, x, ("top",))
            else:
                for i in range(kh):
                    for j in range(kw):
                        attach(spec.depth - 1, sh * y + i, sw * x + j, ("top",))
    return TensorNetwork(vertices, bonds)


CUTTABLE = ("all", "wall", "pixels")


def min_cut(spec: ConvACSpec, region: Region, network: TensorNetwork | None = None, *, cuttable: str = "all") -> MinCut:
    """The minimal cut of the ConvAC's tensor network between region A's pixels and the others.

    ``cuttable``: "all" (the bound), "wall" (only units and bonds of the network: no pixel vertex and no
    pixel bond whose dimension is set by the pixel's d < D levels) or "pixels" (only those): the cheapest
    wall and the pixel floor. ``nats`` is inf (and ``rank_bound`` 0) when no such cut exists.
    """
    if cuttable not in CUTTABLE:
        raise InvalidInputError(f"cuttable must be one of {CUTTABLE}, got {cuttable!r}")
    region = validate_region(region, spec.lattice.n_pixels)
    network = network or tensor_network(spec)
    inside = set(region)
    graph = nx.DiGraph()

    def capacity(dimension: int, pixel_limited: bool) -> dict:
        # networkx reads a missing capacity as infinite: the arc cannot be cut
        blocked = (cuttable == "wall" and pixel_limited) or (cuttable == "pixels" and not pixel_limited)
        return {"dimension": dimension} | ({} if blocked else {"capacity": math.log(dimension)})

    for vertex, dimension in network.vertices.items():
        graph.add_edge((vertex, "in"), (vertex, "out"), **capacity(dimension, vertex[0] == "pixel"))
    for u, v, dimension in network.bonds:
        limited = u[0] == "pixel" and spec.lattice.levels < spec.channels
        for a, b in ((u, v), (v, u)):
            graph.add_edge((a, "out"), (b, "in"), **capacity(dimension, limited))
    for p in range(spec.lattice.n_pixels):
        if p in inside:
            graph.add_edge("A", (("pixel", p), "in"))  # no capacity: never cut
        else:
            graph.add_edge((("pixel", p), "out"), "B")
    if not inside or len(inside) == spec.lattice.n_pixels:
        return MinCut(0.0, 1, ())
    try:
        nats, (source_side, _) = nx.minimum_cut(graph, "A", "B")
    except nx.NetworkXUnbounded:
        return MinCut(math.inf, 0, ())
    cut = tuple(
        (f"{u[0]} -> {v[0]}" if u[0] != v[0] else f"vertex {u[0]}", graph.edges[u, v]["dimension"])
        for u in source_side
        for v in graph.successors(u)
        if v not in source_side
    )
    return MinCut(nats, math.prod(dim for _, dim in cut), cut)
