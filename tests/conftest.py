"""Shared hypothesis settings (the strategies themselves are exported by cnn_bounds.strategies).

Under CI (CI=true) hypothesis is derandomised so a run is reproducible; locally it explores new examples
each run. No deadline: the machines are shared and timing is noisy.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

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
