"""Convolutional arithmetic circuits (ConvACs): CNNs that are exactly tensor networks.

A ConvAC on a W x H image with d levels per pixel:

    x_0[p]      = W_0 e_{s_p}                                    (representation, d -> D)
    x_l[q]_c    = prod_{j in window} (W_{l,j} x_{l-1}[stride q + j])_c   (conv + product pooling)
    f(s)        = sum_c a_c prod_q x_{n_c}[q]_c                  (readout="global": product pool, read-out)
    f(s)        = prod_q sum_c a_{q,c} x_{n_c}[q]_c              (readout="local": read-out, product pool)

Windows are k x k (1 x k on a chain). ``overlapping=True`` uses stride 1 (receptive fields overlap, the
deep "wall" case); ``overlapping=False`` uses stride k (a tree). With the global read-out, ``depth=0``
is a CP decomposition of rank D0: its capacity is ln D0 across every cut, whatever the boundary. The
local read-out reads each final position to one number before the product pool, so no single channel
index joins the image: ``depth=1`` is then a product of rank-D0 window functions, whose capacity across
a cut is (number of straddling windows) ln D0 -- the wall geometry of the paper's shallow network.
``shared=False`` gives every position its own weights (locally connected) instead of a convolution.

A pixel enters as a one-hot vector e_s of its d levels. With d = M the function on all images is the
coefficient tensor of a ConvAC whose pixels enter through M features f_theta(x) in R^M (Cohen and
Shashua): for M linearly independent feature functions the two have the same rank across every cut.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from numeric import InvalidInputError, Lattice
from numeric.memory import require_memory


@dataclass(frozen=True)
class ConvACSpec:
    """Architecture of a ConvAC on a lattice (see the module docstring)."""

    lattice: Lattice
    channels: int
    depth: int
    kernel: int = 2
    overlapping: bool = True
    shared: bool = True
    readout: str = "global"

    def __post_init__(self) -> None:
        if self.readout not in ("global", "local"):
            raise InvalidInputError(f"readout must be 'global' or 'local', got {self.readout!r}")
        for name, value, low in (("channels D", self.channels, 1), ("depth n_c", self.depth, 0), ("kernel k", self.kernel, 1)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < low:
                raise InvalidInputError(f"{name} must be an integer >= {low}, got {value!r}")
        self.layer_shapes  # validates that every layer fits

    @property
    def window(self) -> tuple[int, int]:
        """(height, width) of a convolution window: k x k, or 1 x k on a chain."""
        return (1 if self.lattice.height == 1 else self.kernel, self.kernel)

    @property
    def stride(self) -> tuple[int, int]:
        if self.overlapping:
            return (1, 1)
        return self.window

    @property
    def layer_shapes(self) -> list[tuple[int, int]]:
        """(height, width) of the feature map after the representation layer and after each block."""
        shapes = [(self.lattice.height, self.lattice.width)]
        (kh, kw), (sh, sw) = self.window, self.stride
        for layer in range(self.depth):
            h, w = shapes[-1]
            if h < kh or w < kw or (not self.overlapping and (h % kh or w % kw)):
                raise InvalidInputError(
                    f"layer {layer + 1} of {self.depth} does not fit: a {h}x{w} feature map "
                    f"{'cannot take' if h < kh or w < kw else 'does not tile into'} {kh}x{kw} windows "
                    f"(stride {sh}); use fewer layers, a smaller kernel or a larger lattice"
                )
            shapes.append(((h - kh) // sh + 1, (w - kw) // sw + 1))
        return shapes

    @property
    def parameter_count(self) -> int:
        """Number of weights: representation d D, k_h k_w D^2 per block, D read-out (each per position if
        not shared; the global read-out has one)."""
        kh, kw = self.window
        d, D = self.lattice.levels, self.channels
        rep = d * D * (1 if self.shared else self.lattice.n_pixels)
        blocks = sum(kh * kw * D * D * (1 if self.shared else h * w) for h, w in self.layer_shapes[1:])
        final_h, final_w = self.layer_shapes[-1]
        return rep + blocks + D * (1 if self.shared or self.readout == "global" else final_h * final_w)

    def describe(self) -> str:
        kind = "shallow" if self.depth == 0 else ("overlapping" if self.overlapping else "tree")
        return (f"{kind} ConvAC, n_c={self.depth}, D={self.channels}, k={self.kernel}" + ("" if self.shared else ", unshared")
                + (", local read-out" if self.readout == "local" else ""))


class ConvAC(torch.nn.Module):
    """A ConvAC with random weights drawn from ``seed``.

    Default: i.i.d. Gaussian weights, float64 throughout. With ``modulus=p`` (a prime with D p^2 < 2^63,
    e.g. numeric.precise.prime_for_sums(D)): i.i.d. uniform integer weights in [0, p) and exact arithmetic
    modulo p, for exact generic ranks.
    """

    def __init__(self, spec: ConvACSpec, seed: int = 0, modulus: int | None = None) -> None:
        super().__init__()
        self.spec = spec
        self.modulus = modulus
        terms = max(spec.channels, spec.lattice.levels)
        if modulus is not None and not (2 <= modulus and terms * modulus**2 < 2**63):
            raise InvalidInputError(
                f"a modulus of {modulus} with {spec.channels} channels and {spec.lattice.levels} levels could overflow "
                f"int64 (need max(D, d) p^2 < 2^63); use numeric.precise.prime_for_sums({terms})"
            )
        generator = torch.Generator().manual_seed(seed)

        def gauss(*shape, scale=1.0):
            if modulus is not None:
                return torch.nn.Parameter(torch.randint(0, modulus, shape, generator=generator), requires_grad=False)
            return torch.nn.Parameter(scale * torch.randn(*shape, generator=generator, dtype=torch.float64))

        d, D = spec.lattice.levels, spec.channels
        kh, kw = spec.window
        h0, w0 = spec.layer_shapes[0]
        self.representation = gauss(d, D) if spec.shared else gauss(h0, w0, d, D)
        self.blocks = torch.nn.ParameterList(
            [gauss(kh, kw, D, D, scale=D**-0.5) if spec.shared else gauss(h, w, kh, kw, D, D, scale=D**-0.5)
             for h, w in spec.layer_shapes[1:]]
        )
        final_h, final_w = spec.layer_shapes[-1]
        self.readout = gauss(D) if spec.shared or spec.readout == "global" else gauss(final_h, final_w, D)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """f on a batch of images, shape (batch, height, width) of levels 0..d-1; returns (batch,)."""
        reduce = (lambda t: t % self.modulus) if self.modulus is not None else (lambda t: t)  # noqa: E731
        if self.spec.shared:
            x = self.representation[images]
        else:
            h, w = images.shape[1:]
            rows = torch.arange(h).view(1, h, 1).expand_as(images)
            cols = torch.arange(w).view(1, 1, w).expand_as(images)
            x = self.representation[rows, cols, images]
        (kh, kw), (sh, sw) = self.spec.window, self.spec.stride
        for weights, (h, w) in zip(self.blocks, self.spec.layer_shapes[1:]):
            pooled = torch.ones(x.shape[0], h, w, self.spec.channels, dtype=x.dtype)
            for i in range(kh):
                for j in range(kw):
                    patch = x[:, i : i + sh * (h - 1) + 1 : sh, j : j + sw * (w - 1) + 1 : sw, :]
                    if self.spec.shared:
                        mixed = patch @ weights[i, j]
                    else:
                        mixed = torch.einsum("bhwd,hwde->bhwe", patch, weights[:, :, i, j])
                    pooled = reduce(pooled * reduce(mixed))
            x = pooled
        if self.spec.readout == "local":
            read = reduce(x @ self.readout if self.spec.shared else torch.einsum("bhwd,hwd->bhw", x, self.readout))
            product = torch.ones(x.shape[0], dtype=x.dtype)
            for position in read.flatten(1, 2).unbind(dim=1):
                product = reduce(product * position)
            return product
        product = torch.ones(x.shape[0], self.spec.channels, dtype=x.dtype)
        for position in x.flatten(1, 2).unbind(dim=1):
            product = reduce(product * position)
        return reduce(product @ self.readout)


def all_images(lattice: Lattice, start: int, stop: int) -> torch.Tensor:
    """Images start..stop-1 in the package's order (pixel 0 most significant), shape (n, height, width)."""
    codes = torch.arange(start, stop, dtype=torch.int64)
    powers = lattice.levels ** torch.arange(lattice.n_pixels - 1, -1, -1, dtype=torch.int64)
    return ((codes[:, None] // powers) % lattice.levels).view(-1, lattice.height, lattice.width)


@torch.no_grad()
def evaluate_on_all_images(
    network: torch.nn.Module, lattice: Lattice, chunk: int = 1 << 13, dtype: np.dtype = np.float64
) -> np.ndarray:
    """network(s) for every image s of the lattice, streamed chunk by chunk into one array of ``dtype``
    (float64 or float32), or int64 for a modular ConvAC. Memory: the output and one chunk's activations."""
    exact = getattr(network, "modulus", None) is not None
    dtype = np.dtype(np.int64 if exact else dtype)
    if dtype not in (np.dtype(np.float64), np.dtype(np.float32), np.dtype(np.int64)):
        raise InvalidInputError(f"dtype must be float64 or float32, got {dtype}")
    require_memory(lattice.n_images * dtype.itemsize, f"a network's values on all {lattice.n_images} images",
                   "use a smaller lattice" + (", or dtype=np.float32" if dtype.itemsize == 8 and not exact else ""))
    values = np.empty(lattice.n_images, dtype=dtype)
    for start in range(0, lattice.n_images, chunk):
        stop = min(start + chunk, lattice.n_images)
        values[start:stop] = network(all_images(lattice, start, stop)).numpy()
    return values
