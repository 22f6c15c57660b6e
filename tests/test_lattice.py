"""Lattice and region helpers: numbering, cuts, rectangles, boundaries, parsing."""

import dataclasses
import itertools
import json
import re

import numpy as np
import pytest

from numeric import InvalidInputError, Lattice, boundary_length, boundary_pixels, complement, rectangles, straight_cuts
from numeric.lattice import default_regions, neighbours, parse_region, parse_shape, rectangle


def test_pixels_are_numbered_row_major():
    lattice = Lattice(5, 4)
    assert lattice.pixel(3, 2) == 13 and lattice.coordinates(13) == (3, 2)
    assert lattice.n_images == 2**20 and lattice.tensor_shape == (2,) * 20


def test_straight_cuts_and_rectangles_of_a_4x4_lattice():
    lattice = Lattice(4, 4)
    cuts = straight_cuts(lattice)
    assert cuts["cols<1"] == (0, 4, 8, 12) and cuts["rows<1"] == (0, 1, 2, 3) and len(cuts) == 6
    found = rectangles(lattice)
    expected = sum((5 - w) * (5 - h) for w in range(1, 5) for h in range(1, 5) if w * h <= 8)
    assert len(found) == expected and all(len(r) <= 8 for r in found.values())
    assert len(default_regions(lattice)) == expected + 2  # the half cuts have 8 pixels and are rectangles too


def test_boundaries_of_a_central_square():
    lattice = Lattice(4, 4)
    square = (5, 6, 9, 10)
    assert boundary_pixels(lattice, square) == square
    assert boundary_length(lattice, square) == 8
    assert boundary_length(lattice, straight_cuts(lattice)["cols<2"]) == 4
    assert boundary_length(lattice, complement(lattice, square)) == 8


def test_regions_and_shapes_parse_or_are_refused_clearly():
    lattice = Lattice(4, 4)
    assert parse_region(lattice, "rect:1,1,2,2") == ("rect(1,1,2x2)", (5, 6, 9, 10))
    assert parse_region(lattice, "pixels:3,0") == ("pixels{3,0}", (0, 3))
    assert parse_shape("5x4") == (5, 4) and parse_shape("12") == (12, 1)
    with pytest.raises(InvalidInputError, match="not WIDTHxHEIGHT"):
        parse_shape("0x3")
    with pytest.raises(InvalidInputError, match="is outside"):
        lattice.pixel(4, 0)


# --- against geometric oracles: coordinates, not the helpers' own arithmetic ------------------------------


def _points(lattice):
    return {(x, y): y * lattice.width + x for y in range(lattice.height) for x in range(lattice.width)}


def test_rectangles_are_exactly_the_pixels_inside_or_refused_when_they_stick_out():
    lattice = Lattice(3, 2)
    points = _points(lattice)
    for x0, y0, width, height in itertools.product(range(-1, 4), range(-1, 3), range(0, 5), range(0, 4)):
        inside = [points.get((x, y)) for y in range(y0, y0 + height) for x in range(x0, x0 + width)]
        if width and height and None not in inside:
            assert rectangle(lattice, x0, y0, width, height) == tuple(inside)
        else:
            with pytest.raises(
                InvalidInputError,
                match=rf"rectangle at \({x0}, {y0}\) of size {width}x{height} "
                "does not fit in the 3x2 lattice",
            ):
                rectangle(lattice, x0, y0, width, height)


@pytest.mark.parametrize("lattice", [Lattice(4, 3), Lattice(1, 3), Lattice(5, 1)])
def test_neighbours_and_boundaries_follow_from_manhattan_distance(lattice):
    points = _points(lattice)
    coordinates = {p: xy for xy, p in points.items()}
    adjacent = {
        p: {q for q, (a, b) in coordinates.items() if abs(a - x) + abs(b - y) == 1} for p, (x, y) in coordinates.items()
    }
    for p in coordinates:
        assert sorted(neighbours(lattice, p)) == sorted(adjacent[p])
    region = {p for p, (x, y) in coordinates.items() if (x + 2 * y) % 3 == 0}
    touching = tuple(sorted(p for p in region if adjacent[p] - region))
    assert boundary_pixels(lattice, region) == touching
    assert complement(lattice, region) == tuple(sorted(set(coordinates) - region))
    with pytest.raises(InvalidInputError, match=rf"pixel \(0, {lattice.height}\) is outside"):
        lattice.pixel(0, lattice.height)


def test_rectangles_respect_the_size_limit_they_are_given():
    lattice = Lattice(3, 3)
    assert max(map(len, rectangles(lattice).values())) == 4  # N // 2
    small = rectangles(lattice, max_pixels=2)
    assert sorted(small) == sorted(
        f"rect({x},{y},{w}x{h})" for w, h in [(1, 1), (2, 1), (1, 2)] for y in range(4 - h) for x in range(4 - w)
    )
    assert len(rectangles(lattice, max_pixels=9)) == 36  # every rectangle of a 3x3 grid: C(4,2)^2


def test_lattice_sizes_are_stored_as_python_ints_and_bad_ones_are_named():
    lattice = Lattice(np.int64(3), np.int32(2), np.uint8(4))
    assert [type(v) for v in (lattice.width, lattice.height, lattice.levels)] == [int, int, int]
    assert json.dumps(dataclasses.asdict(lattice)) == '{"width": 3, "height": 2, "levels": 4}'
    for arguments, message in [
        (("3",), "width must be an integer, got '3'"),
        ((0,), "width must be at least 1, got 0"),
        ((2, 2.5), "height must be an integer, got 2.5"),
        ((2, 0), "height must be at least 1"),
        ((2, 1, 1), "levels must be at least 2, got 1"),
    ]:
        with pytest.raises(InvalidInputError, match=re.escape(message)):
            Lattice(*arguments)


def test_every_region_form_parses_to_its_pixels_and_malformed_ones_are_refused():
    lattice = Lattice(4, 3)
    assert parse_region(lattice, "cols:1") == ("cols<1", (0, 4, 8))
    assert parse_region(lattice, "rows:2") == ("rows<2", tuple(range(8)))
    assert parse_shape(" 4 X 3 ") == (4, 3) and parse_shape("1x1") == (1, 1)
    for text in ("cols:", "cols:1,2", "rows:a", "rect:1,1,2", "pixels:a", "pixels:1:2", "disc:2", "2"):
        with pytest.raises(InvalidInputError, match=re.escape(f"region {text!r} is not one of cols:K")):
            parse_region(lattice, text)
    for text in ("", "x", "3x", "2x2x2", "0", "4x-1"):
        with pytest.raises(InvalidInputError, match="is not WIDTHxHEIGHT"):
            parse_shape(text)
    with pytest.raises(InvalidInputError, match=re.escape("region repeats pixels [1]; list each pixel once")):
        parse_region(lattice, "pixels:1,1,2")
    with pytest.raises(InvalidInputError, match=re.escape("region pixels [12] are outside 0..11")):
        parse_region(lattice, "pixels:12")
