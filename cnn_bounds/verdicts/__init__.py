"""One module per claim of the paper: what it measures, how its verdict is decided from the numbers, its
report section and its figures. The report runs them in this order:

* :mod:`~cnn_bounds.verdicts.volume_law`: random functions follow Page's volume law;
* :mod:`~cnn_bounds.verdicts.subvolume`: local-feature targets obey a sub-volume law (exact lattices and
  exact tensor networks at scale, against their derived bounds and density-matched controls);
* :mod:`~cnn_bounds.verdicts.renyi2_squares`: the same at image scale, Renyi-2 of l x l squares sampled
  with certified intervals, fitted as a scaling law;
* :mod:`~cnn_bounds.verdicts.min_cut`: a ConvAC carries at most its min-cut entanglement;
* :mod:`~cnn_bounds.verdicts.channel_scaling`: D = D0^(1/n_c), read as a scaling law of capacity exponents
  (measured by :mod:`~cnn_bounds.verdicts.capacity_exponents`), with matched integer widths as detail and
  the fewest channels per depth of trained networks (:mod:`~cnn_bounds.verdicts.trained_widths`);
* :mod:`~cnn_bounds.verdicts.trained_cnns`: small CNNs learn local targets on held-out images;

and two measurements without a verdict of their own, trained networks on real digits:
:mod:`~cnn_bounds.verdicts.learnt_cnns` (ReLU CNNs, by validated cross interpolation) and
:mod:`~cnn_bounds.verdicts.learnt_convacs` (tree ConvACs, exact). :mod:`~cnn_bounds.verdicts.base` holds the
verdict rule and the LaTeX pieces; :mod:`~cnn_bounds.verdicts.points` the measured points and their
parallel runner.
"""

from cnn_bounds.verdicts import (
    base,
    capacity_exponents,
    channel_scaling,
    learnt_cnns,
    learnt_convacs,
    min_cut,
    points,
    renyi2_squares,
    subvolume,
    trained_cnns,
    trained_widths,
    volume_law,
)

__all__ = [
    "base",
    "capacity_exponents",
    "channel_scaling",
    "learnt_cnns",
    "learnt_convacs",
    "min_cut",
    "points",
    "renyi2_squares",
    "subvolume",
    "trained_cnns",
    "trained_widths",
    "volume_law",
]
