"""ConvACs trained to classify real images, and the exact entanglement of what each class score has learnt.

The network is a tree ConvAC (:mod:`cnn_bounds.networks.convac`: k x k windows with stride k, shared weights,
global read-out) with one read-out a_c per class: the score of class c is

    f_c(s) = sum_j a_{c,j} prod_q x_{n_c}[q]_j(s),

a tensor network with bond dimension D. Products of 4^{n_c} factors overflow or vanish in training, so the
training forward pass divides every position's channel vector by its length (after the representation,
after every block and after every factor of the final product). f_c is multilinear in each of those vectors,
so every division multiplies all ten scores of an image by the same positive number: the normalised network
and the raw one choose the same class on every image, and the learnt function of class c is the raw
ConvAC :func:`class_convac` returns, an exact tensor network.

Training (fixed before the data): the weights start near the identity (representation 1 + 0.3 N(0, 1),
blocks I + 0.3 N(0, 1/D), read-outs N(0, 1/D)), so that the products start near 1; Adam (learning rate
LEARNING_RATE) on the cross-entropy of a learnt temperature (from 10) times the normalised scores, minibatches
of BATCH, ``epochs`` passes, the order and the initialisation drawn from the seed. Measured on binarised 8x8
digits (20 % held out, seed 0): D = 16 reaches 0.92 held-out accuracy at n_c = 3 (one score node at the top),
0.69 at n_c = 2 and chance at n_c = 1 (a product of 16 final positions); Gaussian initial weights did not
learn at all.

Exact entanglement (:func:`top_cut_probabilities`): the top of the tree joins its parts (the final positions,
or the last block's k^2 windows when the final map is one position) through the one channel index j, so
across any cut A | B that is a union of parts, f_c = sum_j a_{c,j} L_j(s_A) R_j(s_B) with L_j and R_j products
of the parts' channel functions, and the squared Schmidt values of f_c are the eigenvalues of
G_L^{1/2} diag(a) G_R diag(a) G_L^{1/2}, where G_L[j, j'] = sum_{s_A} L_j L_j' is the elementwise product of the
parts' Gram matrices, computed up the tree from the representation: G_0 = R^T R, G(W x) = W^T G(x) W, and a
product pool multiplies its windows' Gram matrices elementwise. Exact up to float64 rounding (relative
~1e-13 on the probabilities for well-conditioned Gram matrices), on any image size: the rank across such a
cut is at most D, its entropy at most ln D (the min cut of the architecture).

The pooling head (``head="mean"``) replaces the product of the final positions by their mean: the scores are
a_c . mean_q x_{n_c}[q], with every channel vector divided by its length as above. It cannot see where a
feature is, so the convolutions must do the work (as with a ReLU CNN's pooling head). The divisions now
change the function (each position's vector is scaled by its own length), so a mean-head network is a
ConvAC trunk with normalisation layers, judged by its accuracy; no exact tensor network is claimed for it.
With one final position the two heads are the same network.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import torch

from cnn_bounds.networks.classifier import BATCH, CLASSES
from cnn_bounds.networks.convac import ConvAC, ConvACSpec
from cnn_bounds.networks.data import ImageSet
from numeric import InvalidInputError, Lattice
from numeric.lattice import validate_region

LEARNING_RATE = 0.003
EPOCHS = 40
INITIAL_SPREAD = 0.3
INITIAL_TEMPERATURE = 10.0
CONVAC_HEADS = ("product", "mean")


def tree_spec(lattice: Lattice, channels: int, depth: int, kernel: int = 2) -> ConvACSpec:
    """The architecture trained here: a tree ConvAC (stride k) with shared weights and a global read-out."""
    return ConvACSpec(lattice, channels, depth, kernel, overlapping=False, shared=True, readout="global")


class ConvACClassifier(torch.nn.Module):
    """A tree ConvAC trunk with CLASSES read-outs; ``forward`` gives the training logits (normalised scores
    times the temperature, module docstring); :func:`class_convac` gives a class's raw ConvAC."""

    def __init__(self, spec: ConvACSpec, seed: int, head: str = "product") -> None:
        super().__init__()
        if head not in CONVAC_HEADS:
            raise InvalidInputError(f"head must be one of {', '.join(CONVAC_HEADS)}, got {head!r}")
        if spec.overlapping or not spec.shared or spec.readout != "global":
            raise InvalidInputError(
                "a ConvAC classifier is a tree ConvAC with shared weights and a global read-out: "
                "build its spec with cnn_bounds.networks.convac_classifier.tree_spec"
            )
        self.spec = spec
        self.head = head
        self.trunk = ConvAC(spec, seed)
        generator = torch.Generator().manual_seed(seed)
        D = spec.channels

        def noise(shape, scale):
            return scale * torch.randn(shape, generator=generator, dtype=torch.float64)

        with torch.no_grad():
            self.trunk.representation.copy_(1 + noise(self.trunk.representation.shape, INITIAL_SPREAD))
            for weights in self.trunk.blocks:
                weights.copy_(torch.eye(D, dtype=torch.float64) + noise(weights.shape, INITIAL_SPREAD / D**0.5))
        self.readouts = torch.nn.Parameter(noise((D, CLASSES), D**-0.5))
        self.temperature = torch.nn.Parameter(torch.tensor(INITIAL_TEMPERATURE, dtype=torch.float64))

    def normalised_scores(self, images: torch.Tensor) -> torch.Tensor:
        """The class scores with every channel vector divided by its length: (batch, CLASSES); with the product
        head each row is the raw scores times one positive number, with the mean head these are the network's
        scores (module docstring)."""
        spec, trunk = self.spec, self.trunk
        x = _unit(trunk.representation[images])
        kh, kw = spec.window
        for weights in trunk.blocks:
            batch, h, w, D = x.shape
            windows = x.view(batch, h // kh, kh, w // kw, kw, D)
            pooled = None
            for i in range(kh):
                for j in range(kw):
                    mixed = windows[:, :, i, :, j, :] @ weights[i, j]
                    pooled = mixed if pooled is None else pooled * mixed
            x = _unit(pooled)
        if self.head == "mean":
            return x.flatten(1, 2).mean(dim=1) @ self.readouts
        product = None
        for position in x.flatten(1, 2).unbind(dim=1):
            product = position if product is None else _unit(product * position)
        return product @ self.readouts

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.temperature * self.normalised_scores(images)


def _unit(x: torch.Tensor) -> torch.Tensor:
    return x / x.norm(dim=-1, keepdim=True)


def train_convac(
    training: ImageSet,
    channels: int,
    depth: int,
    seed: int,
    epochs: int = EPOCHS,
    kernel: int = 2,
    head: str = "product",
) -> ConvACClassifier:
    """A tree ConvAC classifier with ``head`` (CONVAC_HEADS) trained on ``training`` by the rule of the module
    docstring; deterministic for a seed on the CPU."""
    if not isinstance(epochs, int) or epochs < 1:
        raise InvalidInputError(f"epochs must be a positive integer, got {epochs!r}")
    network = ConvACClassifier(tree_spec(training.lattice, channels, depth, kernel), seed, head)
    images = torch.as_tensor(training.images, dtype=torch.int64)
    labels = torch.as_tensor(training.labels)
    optimiser = torch.optim.Adam(network.parameters(), lr=LEARNING_RATE)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        for batch in torch.randperm(len(labels), generator=generator).split(BATCH):
            optimiser.zero_grad()
            torch.nn.functional.cross_entropy(network(images[batch]), labels[batch]).backward()
            optimiser.step()
    return network


@torch.no_grad()
def convac_accuracy(network: ConvACClassifier, data: ImageSet) -> float:
    """The fraction of ``data``'s images whose highest score is their label's (normalised and raw scores agree)."""
    scores = network.normalised_scores(torch.as_tensor(data.images, dtype=torch.int64))
    return float(np.mean(scores.argmax(dim=1).numpy() == data.labels))


@torch.no_grad()
def class_convac(network: ConvACClassifier, label: int) -> ConvAC:
    """The raw score of class ``label`` as a ConvAC (float64; a copy, with the read-out a_label); the product
    head's only (a mean-head network is not a ConvAC)."""
    if network.head != "product" and np.prod(network.spec.layer_shapes[-1]) > 1:
        raise InvalidInputError("a mean-head network with several final positions is not a ConvAC; use head='product'")
    if not isinstance(label, int) or not 0 <= label < CLASSES:
        raise InvalidInputError(f"the class must be an integer from 0 to {CLASSES - 1}, got {label!r}")
    convac = ConvAC(network.spec)
    convac.load_state_dict({**network.trunk.state_dict(), "readout": network.readouts[:, label].clone()})
    return convac


@dataclass(frozen=True)
class TopParts:
    """The parts the top of a tree ConvAC joins through its one channel index: their pixels (row-major), and
    for each the Gram matrix of its channel functions over all its images (scaled to max |G| = 1)."""

    pixels: list[tuple[int, ...]]
    grams: list[np.ndarray]


def top_part_pixels(spec: ConvACSpec) -> list[tuple[int, ...]]:
    """The pixels (row-major) of each part the top of a tree ConvAC joins through its one channel index: the
    final positions' receptive fields, or the last block's windows when the final map is a single position."""
    lattice = spec.lattice
    kh, kw = spec.window
    final_h, final_w = spec.layer_shapes[-1]
    opened = final_h * final_w == 1 and spec.depth > 0
    cell_h, cell_w = kh ** (spec.depth - opened), kw ** (spec.depth - opened)
    cells = (
        [(i, j) for i in range(kh) for j in range(kw)]
        if opened
        else [(i, j) for i in range(final_h) for j in range(final_w)]
    )
    return [
        tuple(
            y * lattice.width + x
            for y in range(i * cell_h, (i + 1) * cell_h)
            for x in range(j * cell_w, (j + 1) * cell_w)
        )
        for i, j in cells
    ]


def is_top_cut(spec: ConvACSpec, region: Iterable[int]) -> bool:
    """Whether A is a nonempty proper union of the top parts (:func:`top_part_pixels`): where
    :func:`top_cut_probabilities` gives the exact spectrum."""
    region = set(validate_region(region, spec.lattice.n_pixels))
    parts = top_part_pixels(spec)
    inside = [set(part) <= region for part in parts]
    whole = sum(len(part) for part, i in zip(parts, inside) if i) == len(region)
    return whole and any(inside) and not all(inside)


@torch.no_grad()
def top_parts(network: ConvAC) -> TopParts:
    """The top parts of ``network`` (a tree ConvAC, global read-out; :func:`top_part_pixels`) with their Gram
    matrices (module docstring)."""
    spec = network.spec
    if spec.overlapping or not spec.shared or spec.readout != "global" or network.modulus is not None:
        raise InvalidInputError(
            "exact top-cut spectra need a float tree ConvAC with shared weights and a global "
            "read-out (cnn_bounds.networks.convac_classifier.tree_spec)"
        )
    kh, kw = spec.window
    gram = _scaled(network.representation.numpy().T @ network.representation.numpy())
    blocks = [weights.numpy() for weights in network.blocks]
    final_h, final_w = spec.layer_shapes[-1]
    opened = final_h * final_w == 1 and spec.depth > 0  # one final position: open its last block
    for weights in blocks[:-1] if opened else blocks:
        gram = _scaled(np.prod([w.T @ gram @ w for w in weights.reshape(kh * kw, *weights.shape[2:])], axis=0))
    pixels = top_part_pixels(spec)
    if opened:
        grams = [_scaled(w.T @ gram @ w) for w in blocks[-1].reshape(kh * kw, *blocks[-1].shape[2:])]
    else:
        grams = [gram] * len(pixels)
    return TopParts(pixels, grams)


def _scaled(gram: np.ndarray) -> np.ndarray:
    return gram / np.max(np.abs(gram))


@torch.no_grad()
def top_cut_probabilities(network: ConvAC, region: Iterable[int]) -> np.ndarray:
    """The Schmidt probabilities p_k (descending, summing to 1) of the ConvAC's function across A | B, for a
    region A that is a union of top parts (:func:`top_parts`): the eigenvalues of
    G_A^{1/2} diag(a) G_B diag(a) G_A^{1/2}, normalised (module docstring). At most D of them are nonzero."""
    parts = top_parts(network)
    region = set(validate_region(region, network.spec.lattice.n_pixels))
    if not is_top_cut(network.spec, region):
        sizes = f"{len(parts.pixels)} blocks of {len(parts.pixels[0])} pixels"
        raise InvalidInputError(
            f"the region must be a nonempty proper union of the top parts ({sizes}, e.g. "
            f"{list(parts.pixels[0])}) for an exact spectrum; measure other regions by cross "
            "interpolation (cnn-bounds learnt-convac --interpolate)"
        )
    inside = [set(p) <= region for p in parts.pixels]
    gram_a = np.prod([g for g, i in zip(parts.grams, inside) if i], axis=0)
    gram_b = np.prod([g for g, i in zip(parts.grams, inside) if not i], axis=0)
    values, vectors = np.linalg.eigh(gram_a)
    root = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    a = network.readout.numpy()
    squared = np.clip(np.linalg.eigvalsh(root @ (a[:, None] * gram_b * a[None, :]) @ root), 0, None)[::-1]
    return squared / squared.sum()
