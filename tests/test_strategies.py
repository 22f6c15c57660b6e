"""The exported hypothesis strategies (cnn_bounds.strategies): what they draw stays in their documented
ranges, every catalog target is reachable, and the documentation's example property test runs as written."""

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from cnn_bounds import strategies as cbs
from numeric import InvalidInputError, Lattice
from numeric.catalog import CATALOG, build_target

EXAMPLE_PAGE = Path(__file__).resolve().parents[1] / "docs" / "tutorials" / "property-tests.md"


@given(st.integers(2, 5000), st.integers(1, 6), st.data())
def test_lattices_and_regions_stay_within_their_limits(max_images, min_pixels, data):
    lattice = data.draw(cbs.lattices(max_images, min_pixels))
    assert lattice.n_pixels >= min_pixels and 2 <= lattice.levels <= 4
    assert lattice.n_images <= max(max_images, lattice.levels**min_pixels)
    proper = data.draw(st.booleans()) and lattice.n_pixels >= 2
    region = data.draw(cbs.regions(lattice, proper))
    assert len(set(region)) == len(region) and set(region) <= set(range(lattice.n_pixels))
    assert not proper or 0 < len(region) < lattice.n_pixels


def test_a_proper_region_of_one_pixel_is_refused_with_the_fix():
    """Found by hypothesis: a 1x1 lattice (lattices(min_pixels=1)) has no proper region."""
    with pytest.raises(InvalidInputError, match="min_pixels=2"):
        cbs.regions(Lattice(1, 1), proper=True)


@given(cbs.lattices(max_images=729), st.data())
def test_a_target_function_is_the_catalog_entry_it_names(lattice, data):
    text, values = data.draw(cbs.target_functions(lattice))
    assert values.shape == (lattice.n_images,) and np.all(np.isfinite(values))
    if not text.startswith(("product", "random")):  # the seeded ones depend on the drawn seed
        np.testing.assert_array_equal(values, build_target(text, lattice))


def test_every_catalog_target_can_be_drawn():
    lattice = Lattice(3, 3)
    for name in CATALOG:
        assert find(cbs.target_functions(lattice), lambda target: target.text.split(":")[0] == name)


@settings(max_examples=30)
@given(cbs.convac_specs(max_images=512), cbs.random_functions(Lattice(2, 3)))
def test_convac_cases_and_random_functions_are_as_documented(case, values):
    assert case.spec.lattice.n_images <= 512 and case.region == sorted(case.region)
    assert 0 < len(case.region) < case.spec.lattice.n_pixels
    assert values.shape == (64,) and np.any(values)


def test_the_documented_property_test_runs_as_written():
    """The documentation's example, executed verbatim: it must define one test, which must pass."""
    blocks = re.findall(r"```python\n(.*?)```", EXAMPLE_PAGE.read_text(), flags=re.S)
    example = next(b for b in blocks if "cbs.convac_specs" in b)
    namespace: dict = {}
    exec(compile(example, str(EXAMPLE_PAGE), "exec"), namespace)
    tests = [value for name, value in namespace.items() if name.startswith("test_")]
    assert len(tests) == 1
    tests[0]()
