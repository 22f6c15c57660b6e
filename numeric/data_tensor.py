"""The entanglement of a data set itself: the empirical data tensor of Alexander, Levine, Cohen et al.
("What makes data suitable for a locally connected neural network?", NeurIPS 2023),

    D = sum_m w_m  phi(x^m_0) (x) phi(x^m_1) (x) ... (x) phi(x^m_{N-1}),

for images x^m with weights w_m (the labels: :func:`class_weights`) and a feature map phi of one pixel, cut
across a region A and its complement B. D is never formed: with Phi_A the matrix whose column m is
(x)_{n in A} phi(x^m_n), D = Phi_A W Phi_B^T with W = diag(w), and the Gram matrices

    G_A[m, m'] = <Phi_A[:, m], Phi_A[:, m']> = prod_{n in A} <phi(x^m_n), phi(x^m'_n)>     (M x M)

give everything: writing G_A = L_A L_A^T (from its eigendecomposition), D = Q_A (L_A^T W L_B) Q_B^T with
Q_A, Q_B isometries, so D's Schmidt values are the singular values of the small core L_A^T W L_B.

Feature maps: ``"one-hot"`` phi(x) = e_x in R^d (then D is the label-weighted histogram of the images, a
function of images like any other: <phi(x), phi(x')> = [x = x']) and ``"trig"`` phi(x) = (cos(pi t / 2),
sin(pi t / 2)) with t = x / (d - 1) (Alexander et al.'s map for grey values; the same as one-hot for d = 2).

Precision: float64 LAPACK (eigh, svd); Gram eigenvalues below M u lambda_max are dropped as noise. The
result is checked against the dense engine on every lattice it can hold (tests/test_data_tensor.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from numeric.entanglement import entropy_of_probabilities
from numeric.errors import InvalidInputError
from numeric.lattice import validate_region
from numeric.memory import require_memory

FEATURE_MAPS = ("one-hot", "trig")


@dataclass(frozen=True)
class DataEntanglement:
    """The Schmidt probabilities p_k of D across A | B (descending), their entropy S = -sum p_k ln p_k in nats,
    the Schmidt rank, and the number of images."""

    probabilities: np.ndarray
    images: int

    @property
    def entropy(self) -> float:
        return entropy_of_probabilities(self.probabilities)

    @property
    def rank(self) -> int:
        return int(np.count_nonzero(self.probabilities))


def class_weights(labels: np.ndarray, label: int) -> np.ndarray:
    """w_m = +1 / M_c for the M_c images of class ``label`` and -1 / (M - M_c) for the others: D is the mean
    embedding of the class minus that of the rest (each class counts equally, whatever its size)."""
    labels = np.asarray(labels)
    inside = labels == label
    if not inside.any() or inside.all():
        raise InvalidInputError(f"class {label} must hold some but not all of the {labels.size} images")
    return np.where(inside, 1.0 / inside.sum(), -1.0 / (~inside).sum())


def _pixel_features(levels: int, feature_map: str) -> np.ndarray:
    """phi(x) for every level x: a (d, feature dimension) table."""
    if feature_map == "one-hot":
        return np.eye(levels)
    angle = np.pi * np.arange(levels) / (2 * (levels - 1))
    return np.stack([np.cos(angle), np.sin(angle)], axis=1)


def gram_matrix(configurations: np.ndarray, pixels: Iterable[int], features: np.ndarray) -> np.ndarray:
    """G[m, m'] = prod_{n in pixels} <phi(x^m_n), phi(x^m'_n)>  (M x M, float64; one BLAS product per pixel)."""
    gram = np.ones((len(configurations),) * 2)
    for pixel in pixels:
        embedded = features[configurations[:, pixel]]
        gram *= embedded @ embedded.T
    return gram


def _factor(gram: np.ndarray) -> np.ndarray:
    """L with G = L L^T (columns for the eigenvalues above M u lambda_max)."""
    eigenvalues, vectors = np.linalg.eigh(gram)
    keep = eigenvalues > len(gram) * np.finfo(np.float64).eps * max(eigenvalues[-1], 0.0)
    return vectors[:, keep] * np.sqrt(eigenvalues[keep])


def data_entanglement(
    configurations: np.ndarray, weights: np.ndarray, region: Iterable[int], levels: int, feature_map: str = "one-hot"
) -> DataEntanglement:
    """D's Schmidt spectrum across ``region`` | rest for images ``configurations`` (M, N) with digits in
    0..levels-1 and weights w (M,) (module docstring)."""
    configurations = np.asarray(configurations)
    weights = np.asarray(weights, dtype=np.float64)
    if configurations.ndim != 2 or len(configurations) == 0:
        raise InvalidInputError(
            f"configurations must be a non-empty array (images, pixels), got shape {configurations.shape}"
        )
    if weights.shape != (len(configurations),) or not np.all(np.isfinite(weights)) or not np.any(weights):
        raise InvalidInputError(f"weights must be {len(configurations)} finite numbers, not all zero")
    if feature_map not in FEATURE_MAPS:
        raise InvalidInputError(f"unknown feature map {feature_map!r}: choose one of {', '.join(FEATURE_MAPS)}")
    if configurations.min() < 0 or configurations.max() >= levels:
        raise InvalidInputError(f"pixel values must lie in 0..{levels - 1}")
    n_pixels = configurations.shape[1]
    inside = validate_region(region, n_pixels)
    outside = sorted(set(range(n_pixels)) - set(inside))
    require_memory(
        8 * 4 * len(configurations) ** 2,
        f"the {len(configurations)} x {len(configurations)} Gram matrices",
        "use fewer images",
    )
    # identical images have identical columns in Phi_A and Phi_B: merge them, adding their weights (exact)
    configurations, merged = np.unique(configurations, axis=0, return_inverse=True)
    weights = np.bincount(merged.ravel(), weights=weights, minlength=len(configurations))
    features = _pixel_features(levels, feature_map)
    core = _factor(gram_matrix(configurations, inside, features)).T @ (
        weights[:, None] * _factor(gram_matrix(configurations, outside, features))
    )
    squared = np.linalg.svd(core, compute_uv=False) ** 2
    squared = squared[squared > len(configurations) * np.finfo(np.float64).eps * squared[0]]
    return DataEntanglement(squared / squared.sum(), len(merged))


def ceiling(images: int, region_size: int, n_pixels: int, levels: int, feature_map: str = "one-hot") -> float:
    """ln of the largest possible Schmidt rank: min(M, dim A, dim B) with dim = (feature dimension)^pixels."""
    feature_dimension = levels if feature_map == "one-hot" else 2
    smaller = min(region_size, n_pixels - region_size)
    return min(math.log(images), smaller * math.log(feature_dimension))
