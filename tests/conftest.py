"""Shared hypothesis settings (the strategies themselves are exported by cnn_bounds.strategies), and how the
suite shares the machine.

The suite runs on two pytest-xdist workers. Every test that reads the session's quick run is put in one
group, so the run is computed once, on one worker, while the other takes the rest; each worker computes on
one thread (two workers' spinning OpenMP threads on two cores slowed the quick run from 250 s to 400 s).

Under CI (CI=true) hypothesis is derandomised so a run is reproducible; locally it explores new examples
each run. No deadline: the machines are shared and timing is noisy.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("CNN_BOUNDS_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")

settings.register_profile("ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(scope="session")
def quick_run(tmp_path_factory):
    """One `cnn-bounds reproduce` (quick, seed 0) for the whole session: its folder and printed output. The
    sweep tests reuse its caches, so each sweep is computed once per test run."""
    from click.testing import CliRunner

    from cnn_bounds.driver.cli import main

    out = tmp_path_factory.mktemp("results")
    result = CliRunner().invoke(main, ["reproduce", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items):
    for item in items:
        if "quick_run" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("quick_run"))
