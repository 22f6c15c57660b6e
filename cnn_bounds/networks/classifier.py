"""Ordinary ReLU CNNs trained to classify real images (cnn_bounds.networks.data), and the function of images each
one has learnt for a class.

The network is :class:`cnn_bounds.networks.relu_cnn.ReluCNN` with ten outputs: one-hot pixels (d channels), n_c
layers of k x k convolutions ('same' padding, D channels, ReLU) and a linear read-out of the whole feature map to
the class logits z_c (or of its global average and max pools: head "pool"). Training (fixed before the data): Adam
(learning rate LEARNING_RATE) on the cross-entropy of minibatches of BATCH training images for ``epochs`` passes,
the order and the initialisation drawn from the seed; judged by the accuracy on held-out images it never saw.

The learnt function of class c is the network's probability of c on every image,

    f_c(s) = softmax(z(s))_c = exp z_c(s) / sum_k exp z_k(s)   in [0, 1],

the smooth counterpart of the 0/1 label "s shows digit c" of the paper's target functions, or its logit
z_c(s) (with the "flatten" head and n_c = 1, a sum over positions of functions of one k x k window: a
local-feature function in the paper's sense). Entanglement is measured under the uniform measure on all
d^N images, as in the paper.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import torch

from cnn_bounds.networks.convac import batched_function
from cnn_bounds.networks.data import ImageSet
from cnn_bounds.networks.relu_cnn import HEADS, ReluCNN
from numeric import InvalidInputError, Lattice
from numeric.lattice import validate_region
from numeric.tci import BatchedFunction

CLASSES = 10
LEARNING_RATE = 0.005
BATCH = 64
EPOCHS = 30
EVALUATION_BATCH = 1 << 14
OUTPUTS = ("probability", "logit")


@dataclass(frozen=True)
class Architecture:
    """n_c = ``depth`` convolution layers of ``channels`` channels and ``kernel`` x ``kernel`` windows, and the
    head (cnn_bounds.networks.relu_cnn.HEADS): "flatten" (a dense read-out of every position, as in LeNet) or "pool"."""

    depth: int
    channels: int
    kernel: int = 3
    head: str = "flatten"

    def __post_init__(self) -> None:
        for name in ("depth", "channels", "kernel"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise InvalidInputError(f"{name} must be a positive integer, got {value!r}")
        if self.head not in HEADS:
            raise InvalidInputError(f"head must be one of {', '.join(HEADS)}, got {self.head!r}")

    @property
    def name(self) -> str:
        return f"n_c={self.depth} D={self.channels} k={self.kernel} {self.head}"

    def build(self, lattice: Lattice, seed: int) -> ReluCNN:
        """A freshly initialised network for images of ``lattice``, its weights drawn from ``seed``."""
        torch.manual_seed(seed)
        return ReluCNN(
            lattice.levels,
            self.channels,
            self.depth,
            self.kernel,
            head=self.head,
            image_shape=(lattice.height, lattice.width),
            outputs=CLASSES,
        )


def parameter_count(network: torch.nn.Module) -> int:
    return sum(p.numel() for p in network.parameters())


def train_classifier(training: ImageSet, architecture: Architecture, seed: int, epochs: int = EPOCHS) -> ReluCNN:
    """The network of ``architecture`` trained on ``training`` by the rule of the module docstring;
    deterministic for a seed on the CPU."""
    if not isinstance(epochs, int) or epochs < 1:
        raise InvalidInputError(f"epochs must be a positive integer, got {epochs!r}")
    network = architecture.build(training.lattice, seed)
    images = torch.as_tensor(training.images, dtype=torch.int64)
    labels = torch.as_tensor(training.labels)
    optimiser = torch.optim.Adam(network.parameters(), lr=LEARNING_RATE)
    generator = torch.Generator().manual_seed(seed)
    network.train()
    for _ in range(epochs):
        for batch in torch.randperm(len(labels), generator=generator).split(BATCH):
            optimiser.zero_grad()
            torch.nn.functional.cross_entropy(network(images[batch]), labels[batch]).backward()
            optimiser.step()
    network.eval()
    return network


@torch.no_grad()
def class_logits(network: torch.nn.Module, images: np.ndarray) -> np.ndarray:
    """The logits z(s) for a batch of images (count, height, width): an array (count, CLASSES), float64."""
    batch = torch.as_tensor(np.asarray(images), dtype=torch.int64)
    parts = [network(part).double() for part in batch.split(EVALUATION_BATCH)]
    return torch.cat(parts).numpy() if parts else np.zeros((0, CLASSES))


def accuracy(network: torch.nn.Module, data: ImageSet) -> float:
    """The fraction of ``data``'s images whose most probable class is their label."""
    return float(np.mean(class_logits(network, data.images).argmax(axis=1) == data.labels))


class _ClassScore(torch.nn.Module):
    """One class's softmax(z)_c (``output="probability"``) or logit z_c of a classifier (for the logit, a copy
    whose read-out computes z_c alone)."""

    def __init__(self, network: ReluCNN, label: int, output: str) -> None:
        super().__init__()
        self.output = output
        self.network = network.single_output(label) if output == "logit" else network
        self.label = 0 if output == "logit" else label

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self._score(self.network(images))

    def grid(
        self, first_pixels: torch.Tensor, first: torch.Tensor, second_pixels: torch.Tensor, second: torch.Tensor
    ) -> torch.Tensor:
        """The score on every joined image (cnn_bounds.networks.relu_cnn.ReluCNN.grid): (len(first), len(second))."""
        return self._score(self.network.grid(first_pixels, first, second_pixels, second))

    def _score(self, outputs: torch.Tensor) -> torch.Tensor:
        return torch.softmax(outputs, dim=-1)[..., self.label] if self.output == "probability" else outputs


class _ClassDecision(torch.nn.Module):
    """+1 where the margin z_c - max_{k != c} z_k exceeds ``threshold``, else -1."""

    def __init__(self, network: ReluCNN, label: int, threshold: float) -> None:
        super().__init__()
        self.network, self.label, self.threshold = network, label, threshold

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self._decide(self.network(images))

    def grid(self, *parts: torch.Tensor) -> torch.Tensor:
        return self._decide(self.network.grid(*parts))

    def grids(self, *parts: torch.Tensor) -> torch.Tensor:
        return self._decide(self.network.grids(*parts))

    def _decide(self, logits: torch.Tensor) -> torch.Tensor:
        others = torch.cat([logits[..., : self.label], logits[..., self.label + 1 :]], dim=-1)
        margin = logits[..., self.label] - others.amax(dim=-1)
        return torch.where(margin > self.threshold, 1.0, -1.0).to(logits.dtype)


@dataclass(frozen=True)
class ClassDecision:
    """The decision "the image shows class c" of a classifier as +-1 labels, thresholded at the median margin
    under the uniform measure (``threshold``, sampled), and the share of uniform random images the classifier
    itself calls c (``argmax_share``: near 0 or 1 the unthresholded decision is nearly constant, and the
    mean would cap its S_2)."""

    function: BatchedFunction
    threshold: float
    argmax_share: float


@torch.no_grad()
def class_decision(network: ReluCNN, lattice: Lattice, label: int, seed: int, images: int = 20_000) -> ClassDecision:
    """:class:`ClassDecision` of class ``label``, its median margin z_c - max_{k != c} z_k taken over ``images``
    uniform random images drawn from ``seed`` (a float64 copy evaluates it, as :func:`class_function`)."""
    if not isinstance(label, (int, np.integer)) or not 0 <= label < CLASSES:
        raise InvalidInputError(f"the class must be an integer from 0 to {CLASSES - 1}, got {label!r}")
    random_images = np.random.default_rng(seed).integers(0, lattice.levels, (images, lattice.height, lattice.width))
    logits = class_logits(copy.deepcopy(network).double(), random_images)
    margin = logits[:, label] - np.delete(logits, label, axis=1).max(axis=1)
    threshold = float(np.median(margin))
    return ClassDecision(
        batched_function(_ClassDecision(network, int(label), threshold), lattice),
        threshold,
        float(np.mean(logits.argmax(axis=1) == label)),
    )


def class_function(
    network: torch.nn.Module, lattice: Lattice, label: int, output: str = "probability"
) -> BatchedFunction:
    """f_c(s) = softmax(z(s))_c, or the logit z_c(s) (``output="logit"``), as a black box for numeric.tci
    (cnn_bounds.networks.convac.batched_function: a float64 copy of the network evaluates it)."""
    if not isinstance(label, (int, np.integer)) or not 0 <= label < CLASSES:
        raise InvalidInputError(f"the class must be an integer from 0 to {CLASSES - 1}, got {label!r}")
    if output not in OUTPUTS:
        raise InvalidInputError(f"output must be one of {', '.join(OUTPUTS)}, got {output!r}")
    return batched_function(_ClassScore(network, int(label), output), lattice)


def receptive_field(lattice: Lattice, architecture: Architecture, x: int, y: int) -> list[int]:
    """The pixels position (x, y)'s final features depend on: the n_c (k - 1) + 1 square around it ('same'
    padding: for odd k, (k - 1) / 2 n_c on each side), clipped to the image."""
    before = architecture.depth * ((architecture.kernel - 1) // 2)
    after = architecture.depth * (architecture.kernel // 2)
    return [
        lattice.pixel(i, j)
        for j in range(max(0, y - before), min(lattice.height, y + after + 1))
        for i in range(max(0, x - before), min(lattice.width, x + after + 1))
    ]


def logit_rank_bound(lattice: Lattice, region: Iterable[int], architecture: Architecture) -> int:
    """A proved bound on the Schmidt rank of a logit z_c across A | B, for the "flatten" head.

    The dense read-out makes z_c(s) = b + sum_q g_q(s restricted to R_q), one function per position q of
    its receptive field R_q. Group the terms: those with R_q inside A sum to a function of A alone (rank
    <= 1), those inside B likewise (rank <= 1), and a straddling term, a function of (s on R_q n A,
    s on R_q n B), has rank <= min(d^|R_q n A|, d^|R_q n B|). Rank is subadditive, so

        rank z_c <= 2 + sum_{q straddling} min(d^|R_q n A|, d^|R_q n B|).
    """
    if architecture.head != "flatten":
        raise InvalidInputError(
            "the bound is for the flatten head (a sum of window functions); the pooling head's max is not a sum"
        )
    inside = set(validate_region(region, lattice.n_pixels))
    straddling = 0
    for y in range(lattice.height):
        for x in range(lattice.width):
            field = receptive_field(lattice, architecture, x, y)
            in_a = sum(p in inside for p in field)
            if 0 < in_a < len(field):
                straddling += lattice.levels ** min(in_a, len(field) - in_a)
    return 2 + straddling
