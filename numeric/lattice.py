"""Image lattices and regions of pixels.

A lattice is ``width x height`` pixels numbered row-major, pixel ``p = y * width + x``, each taking
``levels`` values. A region is a set of pixel indices (the set A of an entanglement cut); functions
here return regions as sorted tuples of ints.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass

from numeric.errors import InvalidInputError

Region = tuple[int, ...]


def _positive_int(value: object, name: str, minimum: int = 1) -> int:
    try:
        number = operator.index(value)
    except TypeError:
        raise InvalidInputError(f"{name} must be an integer, got {value!r}") from None
    if number < minimum:
        raise InvalidInputError(f"{name} must be at least {minimum}, got {number}")
    return number


@dataclass(frozen=True)
class Lattice:
    """A ``width x height`` image of pixels with ``levels`` values each (a 1-D chain has height 1)."""

    width: int
    height: int = 1
    levels: int = 2

    def __post_init__(self) -> None:
        object.__setattr__(self, "width", _positive_int(self.width, "width"))
        object.__setattr__(self, "height", _positive_int(self.height, "height"))
        object.__setattr__(self, "levels", _positive_int(self.levels, "levels", minimum=2))

    @property
    def n_pixels(self) -> int:
        """N = width * height."""
        return self.width * self.height

    @property
    def n_images(self) -> int:
        """d^N, the number of images (the length of a function's value array), as an exact int."""
        return self.levels**self.n_pixels

    @property
    def tensor_shape(self) -> tuple[int, ...]:
        """``(d,) * N``: the shape that indexes a function by its pixels ``(s_0, ..., s_{N-1})``."""
        return (self.levels,) * self.n_pixels

    def pixel(self, x: int, y: int) -> int:
        """Index of the pixel in column ``x`` and row ``y``."""
        if not (0 <= x < self.width and 0 <= y < self.height):
            raise InvalidInputError(f"pixel ({x}, {y}) is outside the {self.width}x{self.height} lattice")
        return y * self.width + x

    def coordinates(self, pixel: int) -> tuple[int, int]:
        """``(x, y)`` of a pixel index."""
        return pixel % self.width, pixel // self.width

    def __str__(self) -> str:
        return f"{self.width}x{self.height} lattice, {self.levels} levels"


def parse_shape(text: str) -> tuple[int, int]:
    """Parse ``"WxH"`` (e.g. ``"4x4"``, ``"5x4"``) or ``"N"`` (a chain of N pixels) into (width, height)."""
    parts = text.lower().replace(" ", "").split("x")
    try:
        numbers = [int(part) for part in parts]
    except ValueError:
        numbers = []
    if len(numbers) not in (1, 2) or min(numbers, default=0) < 1:
        raise InvalidInputError(f"shape {text!r} is not WIDTHxHEIGHT with positive integers, e.g. '4x4' or '12x1'")
    return (numbers[0], numbers[1] if len(numbers) == 2 else 1)


def validate_region(region: Iterable[int], n_pixels: int) -> Region:
    """Check that ``region`` holds distinct pixel indices in ``range(n_pixels)``; return them sorted."""
    if isinstance(region, (str, bytes)):
        raise InvalidInputError(f"a region is a sequence of pixel indices, got the string {region!r}")
    try:
        pixels = [operator.index(p) for p in region]
    except TypeError:
        raise InvalidInputError(f"a region must hold integer pixel indices, got {region!r}") from None
    outside = sorted({p for p in pixels if not 0 <= p < n_pixels})
    if outside:
        raise InvalidInputError(
            f"region pixels {outside} are outside 0..{n_pixels - 1} (the lattice has {n_pixels} pixels)"
        )
    if len(set(pixels)) != len(pixels):
        repeated = sorted({p for p in pixels if pixels.count(p) > 1})
        raise InvalidInputError(f"region repeats pixels {repeated}; list each pixel once")
    return tuple(sorted(pixels))


def complement(lattice: Lattice, region: Iterable[int]) -> Region:
    """B = all pixels not in A."""
    inside = set(validate_region(region, lattice.n_pixels))
    return tuple(p for p in range(lattice.n_pixels) if p not in inside)


def rectangle(lattice: Lattice, x0: int, y0: int, width: int, height: int) -> Region:
    """The pixels of the ``width x height`` rectangle whose top-left pixel is ``(x0, y0)``."""
    if width < 1 or height < 1 or x0 < 0 or y0 < 0 or x0 + width > lattice.width or y0 + height > lattice.height:
        raise InvalidInputError(
            f"rectangle at ({x0}, {y0}) of size {width}x{height} does not fit in the "
            f"{lattice.width}x{lattice.height} lattice"
        )
    return tuple(lattice.pixel(x, y) for y in range(y0, y0 + height) for x in range(x0, x0 + width))


def column_cut(lattice: Lattice, columns: int) -> Region:
    """A vertical straight cut: the pixels in the ``columns`` leftmost columns."""
    return rectangle(lattice, 0, 0, columns, lattice.height)


def row_cut(lattice: Lattice, rows: int) -> Region:
    """A horizontal straight cut: the pixels in the ``rows`` top rows."""
    return rectangle(lattice, 0, 0, lattice.width, rows)


def neighbours(lattice: Lattice, pixel: int) -> list[int]:
    """The up to four nearest neighbours of a pixel."""
    x, y = lattice.coordinates(pixel)
    steps = ((x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1))
    return [lattice.pixel(a, b) for a, b in steps if 0 <= a < lattice.width and 0 <= b < lattice.height]


def boundary_pixels(lattice: Lattice, region: Iterable[int]) -> Region:
    """Pixels of A with at least one nearest neighbour in B."""
    inside = set(validate_region(region, lattice.n_pixels))
    return tuple(sorted(p for p in inside if any(q not in inside for q in neighbours(lattice, p))))


def boundary_length(lattice: Lattice, region: Iterable[int]) -> int:
    """|dA|: the number of nearest-neighbour bonds with one end in A and the other in B."""
    inside = set(validate_region(region, lattice.n_pixels))
    return sum(q not in inside for p in inside for q in neighbours(lattice, p))


def straight_cuts(lattice: Lattice) -> dict[str, Region]:
    """Every vertical and horizontal straight cut, labelled ``cols<k`` / ``rows<k`` (A = the left/top part)."""
    cuts = {f"cols<{k}": column_cut(lattice, k) for k in range(1, lattice.width)}
    cuts.update({f"rows<{k}": row_cut(lattice, k) for k in range(1, lattice.height)})
    return cuts


def rectangles(lattice: Lattice, max_pixels: int | None = None) -> dict[str, Region]:
    """Every axis-aligned rectangle of at most ``max_pixels`` pixels (default: half the image, N // 2).

    Labelled ``rect(x0,y0,wxh)``; straight cuts are rectangles too and are included when small enough.
    """
    limit = lattice.n_pixels // 2 if max_pixels is None else max_pixels
    found = {}
    for height in range(1, lattice.height + 1):
        for width in range(1, lattice.width + 1):
            if width * height > limit:
                continue
            for y0 in range(lattice.height - height + 1):
                for x0 in range(lattice.width - width + 1):
                    found[f"rect({x0},{y0},{width}x{height})"] = rectangle(lattice, x0, y0, width, height)
    return found


def default_regions(lattice: Lattice) -> dict[str, Region]:
    """Every straight cut, then every rectangle up to half the image that is not already a straight cut."""
    regions = straight_cuts(lattice)
    seen = set(regions.values())
    regions.update({label: r for label, r in rectangles(lattice).items() if r not in seen})
    return regions


def parse_region(lattice: Lattice, text: str) -> tuple[str, Region]:
    """Parse a region written on the command line; returns (label, pixels).

    Forms: ``cols:K`` (K leftmost columns), ``rows:K`` (K top rows), ``rect:X0,Y0,W,H`` and
    ``pixels:P1,P2,...`` (any pixel indices).
    """
    kind, _, arguments = text.partition(":")
    try:
        numbers = [int(a) for a in arguments.split(",")] if arguments else []
    except ValueError:
        numbers = None
    forms = {"cols": 1, "rows": 1, "rect": 4, "pixels": None}
    if kind not in forms or numbers is None or (forms[kind] is not None and len(numbers) != forms[kind]):
        raise InvalidInputError(
            f"region {text!r} is not one of cols:K, rows:K, rect:X0,Y0,W,H or pixels:P1,P2,... (integers)"
        )
    if kind == "cols":
        return f"cols<{numbers[0]}", column_cut(lattice, numbers[0])
    if kind == "rows":
        return f"rows<{numbers[0]}", row_cut(lattice, numbers[0])
    if kind == "rect":
        x0, y0, width, height = numbers
        return f"rect({x0},{y0},{width}x{height})", rectangle(lattice, x0, y0, width, height)
    return f"pixels{{{','.join(map(str, numbers))}}}", validate_region(numbers, lattice.n_pixels)
