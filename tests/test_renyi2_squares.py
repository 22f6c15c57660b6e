"""The scaling calls of the sampled squares: fits that tell a boundary law from a volume law, and a verdict
that fails on a volume law."""

import math

import numpy as np

from cnn_bounds.verdicts.renyi2_squares import fit_series, series_functions, verdict
from numeric import Lattice


def _rows(series: str, law, sides=range(1, 15), width=0.05):
    return [
        {"series": series, "side": side, "entropy": law(side), "interval": [law(side) - width, law(side) + width]}
        for side in sides
    ]


def test_a_boundary_law_and_a_volume_law_are_told_apart():
    boundary = fit_series(_rows("b", lambda l: 0.2 + 0.3 * l + 0.02 * math.sin(l)))  # noqa: E741
    volume = fit_series(_rows("a", lambda l: 0.1 + 0.05 * l**2 + 0.02 * math.sin(l)))  # noqa: E741
    assert boundary["call"] == "boundary law or slower" and abs(boundary["beta"] - 1) < 0.2
    assert volume["call"] == "volume law" and abs(volume["beta"] - 2) < 0.2
    assert boundary["delta_aic"] > 2 > -2 > volume["delta_aic"]


def test_too_few_two_sided_points_are_not_resolved():
    rows = _rows("b", lambda l: 0.3 * l, sides=range(1, 8))  # noqa: E741
    for row in rows[4:]:
        row["interval"][1] = None  # bounds, not numbers
    fit = fit_series(rows)
    assert fit["call"].startswith("not resolved") and fit["beta"] is None and fit["points"] == 1


def _results(laws: dict) -> dict:
    rows = [row for name, law in laws.items() for row in _rows(name, law)]
    rows += [
        {"series": "random labels (control)", "side": s, "entropy": None, "interval": [4.4, None]} for s in range(1, 15)
    ]
    fits = {name: fit_series([r for r in rows if r["series"] == name]) for name in [*laws, "random labels (control)"]}
    return {"squares": {"lattice": "28x28", "rows": rows, "fits": fits}}


def test_the_verdict_holds_on_boundary_laws_and_fails_on_a_volume_law():
    line = lambda l: 0.1 * l + 0.01 * math.cos(l)  # noqa: E731, E741
    square = lambda l: 0.02 * l**2 + 0.01 * math.cos(l)  # noqa: E731, E741
    assert verdict(_results({"x": line, "y": line}))["verdict"] == "holds"
    assert verdict(_results({"x": line, "y": square}))["verdict"] == "does not hold"


def test_the_series_are_near_balance_on_16x16_images():
    """Each calibrated target's density on fresh random images (4,000, a standard error of 0.008) lies
    within 0.1 of 1/2: the mean's cap on S_2 (2 ln 2 for 0/1 labels, 0 for constant ones) does not decide
    the scaling."""
    lattice = Lattice(16, 16)
    images = np.random.default_rng(99).integers(0, 2, (4000, lattice.n_pixels))
    for name, made in series_functions(lattice, seed=0).items():
        density = float(np.mean(made["function"](images) > 0))
        assert abs(density - 0.5) < 0.1, (name, made["spec"], density)
