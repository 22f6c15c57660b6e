"""Threads set from the CPUs idle at start: the measurement responds to load, the override is
honoured, and a bad override is one line from the command line."""

import multiprocessing
import os
import time

import pytest
import torch
from click.testing import CliRunner

from cnn_bounds.driver.cli import main
from cnn_bounds.driver.machine import deliberate_threads, idle_cpus, usable_cpus


def _spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_idle_cpus_lie_within_the_usable_ones():
    assert 0 <= idle_cpus() <= usable_cpus()


@pytest.mark.skipif(
    usable_cpus() < 2 or usable_cpus() < (os.cpu_count() or 1),
    reason="needs two CPUs, and /proc/stat seeing only this machine's (in a container it sees the host)",
)
def test_a_busy_process_beside_leaves_fewer_idle_cpus():
    busy = multiprocessing.get_context("spawn").Process(target=_spin, args=(5.0,))
    busy.start()
    try:
        time.sleep(1.0)  # the interpreter has started and is spinning
        assert idle_cpus(window=0.5) <= usable_cpus() - 0.5
    finally:
        busy.terminate()
        busy.join()


def test_the_thread_override_is_honoured_and_a_bad_one_refused(monkeypatch):
    before = torch.get_num_threads()
    try:
        monkeypatch.setenv("CNN_BOUNDS_THREADS", "1")
        assert deliberate_threads() == 1 and torch.get_num_threads() == 1
        monkeypatch.setenv("CNN_BOUNDS_THREADS", "two")
        result = CliRunner().invoke(main, ["entropy", "--shape", "2x2"])
        assert result.exit_code == 2 and result.output.count("\n") == 1
        assert "CNN_BOUNDS_THREADS must be a positive integer" in result.output
    finally:
        torch.set_num_threads(before)
