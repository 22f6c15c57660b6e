"""The CNN side of cnn-bounds, in three layers that import only downwards:

* :mod:`cnn_bounds.networks`: the science of networks: ConvACs as exact tensor networks and their min cuts,
  ReLU CNNs, classifiers trained on real digits, the data they learn from;
* :mod:`cnn_bounds.verdicts`: one module per claim of the paper: what it measures, how its verdict is decided
  from the numbers, its report section and figure;
* :mod:`cnn_bounds.driver`: the command line, the report pipeline, files, caches and threads (the only
  layer that writes files).

:mod:`cnn_bounds.strategies` exports hypothesis strategies for property tests of the bounds on cases of
your own.
"""

from cnn_bounds import driver, networks, strategies, verdicts

__all__ = ["driver", "networks", "strategies", "verdicts"]
