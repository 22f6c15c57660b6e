"""The driver: the ``cnn-bounds`` command line (:mod:`~cnn_bounds.driver.cli`), the ``reproduce`` pipeline
and its report (:mod:`~cnn_bounds.driver.report`), atomic output files, resumable caches of measured points,
and the thread counts chosen from the idle CPUs. The only layer of the toolkit that writes files."""

from cnn_bounds.driver import cache, cli, files, machine, report

__all__ = ["cache", "cli", "files", "machine", "report"]
