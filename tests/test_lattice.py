"""Lattice and region helpers: numbering, cuts, rectangles, boundaries, parsing."""

import pytest

from numeric import InvalidInputError, Lattice, boundary_length, boundary_pixels, complement, rectangles, straight_cuts
from numeric.lattice import default_regions, parse_region, parse_shape


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
