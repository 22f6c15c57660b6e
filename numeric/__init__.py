"""Exact small-lattice computations: lattices and regions, target functions, Schmidt spectra, entropies.

Conventions (shared with the whole toolkit): pixel p = y * width + x; a function of images is a flat
array of length levels**N with pixel 0 the most significant digit; entropies are in nats.
"""

from numeric.entanglement import (
    DEFAULT_RANK_RTOL,
    EntanglementProfile,
    SchmidtSpectrum,
    entanglement_entropy,
    entanglement_profile,
    entropy_of_probabilities,
    matched_random_entropy,
    max_entropy,
    max_schmidt_rank,
    page_entropy,
    schmidt_matrix,
    schmidt_probabilities,
    schmidt_rank,
    schmidt_spectra,
    schmidt_spectrum,
    schmidt_values,
)
from numeric.errors import InvalidInputError, TooLargeError
from numeric.lattice import (
    Lattice,
    boundary_length,
    boundary_pixels,
    column_cut,
    complement,
    default_regions,
    rectangle,
    rectangles,
    row_cut,
    straight_cuts,
)
from numeric.threads import set_threads, threads

__all__ = [
    "DEFAULT_RANK_RTOL",
    "EntanglementProfile",
    "SchmidtSpectrum",
    "InvalidInputError",
    "Lattice",
    "TooLargeError",
    "boundary_length",
    "boundary_pixels",
    "column_cut",
    "complement",
    "default_regions",
    "entanglement_entropy",
    "entanglement_profile",
    "entropy_of_probabilities",
    "max_entropy",
    "max_schmidt_rank",
    "matched_random_entropy",
    "page_entropy",
    "rectangle",
    "rectangles",
    "row_cut",
    "schmidt_matrix",
    "schmidt_probabilities",
    "schmidt_rank",
    "schmidt_spectra",
    "schmidt_spectrum",
    "schmidt_values",
    "set_threads",
    "straight_cuts",
    "threads",
]
