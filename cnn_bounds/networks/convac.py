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

import copy
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import torch
from tqdm import tqdm

from numeric import InvalidInputError, Lattice
from numeric.lattice import validate_region
from numeric.memory import require_memory
from numeric.mps import DEFAULT_TOLERANCE, MatrixProductState, compress, contract_site, embed, hadamard, tensor_to_mps
from numeric.tci import evaluate_grid, grid_by_grid


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
        for name, value, low in (
            ("channels D", self.channels, 1),
            ("depth n_c", self.depth, 0),
            ("kernel k", self.kernel, 1),
        ):
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
        return (
            f"{kind} ConvAC, n_c={self.depth}, D={self.channels}, k={self.kernel}"
            + ("" if self.shared else ", unshared")
            + (", local read-out" if self.readout == "local" else "")
        )


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
            [
                gauss(kh, kw, D, D, scale=D**-0.5) if spec.shared else gauss(h, w, kh, kw, D, D, scale=D**-0.5)
                for h, w in spec.layer_shapes[1:]
            ]
        )
        final_h, final_w = spec.layer_shapes[-1]
        self.readout = gauss(D) if spec.shared or spec.readout == "global" else gauss(final_h, final_w, D)

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """x_{n_c}: the last feature map, shape (batch, final height, final width, D), before the read-out."""
        if self.spec.shared:
            return self.features_at(self.representation[images])
        h, w = images.shape[1:]
        rows = torch.arange(h).view(1, h, 1).expand_as(images)
        cols = torch.arange(w).view(1, 1, w).expand_as(images)
        return self.features_at(self.representation[rows, cols, images])

    def features_at(self, x: torch.Tensor) -> torch.Tensor:
        """x_{n_c} from the representation layer's output x_0, shape (batch, height, width, D): the network
        as a polynomial in the pixels' D-vectors, evaluated at any points (a pixel's one-hot level gives
        the column W_0 e_s of the representation)."""
        reduce = self._reduce
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
        return x

    def _reduce(self, tensor: torch.Tensor) -> torch.Tensor:
        return tensor % self.modulus if self.modulus is not None else tensor

    def local_readout(self, x: torch.Tensor) -> torch.Tensor:
        """sum_c a_{q,c} x[q]_c at every final position q (readout="local"), shape (batch, height, width)."""
        return self._reduce(x @ self.readout if self.spec.shared else torch.einsum("bhwd,hwd->bhw", x, self.readout))

    def grid(
        self, first_pixels: torch.Tensor, first: torch.Tensor, second_pixels: torch.Tensor, second: torch.Tensor
    ) -> torch.Tensor:
        """f on every image joined from a row of ``first`` (levels of the pixels ``first_pixels``, row-major
        indices) and a row of ``second`` (of ``second_pixels``, the other pixels): shape (len(first),
        len(second)), as numeric.tci.evaluate_grid asks. Every feature x_l[q] whose receptive field lies in one
        part is computed once per row of that part (shape (R, 1, D) or (1, C, D)); only the features whose
        field straddles both parts are computed per pair (R, C, D), by broadcasting the same formulas. Along
        :func:`tree_order` across a union of windows that is at most one feature per layer, so a grid costs
        about (R + C) N D^2 + R C n_c D^2 operations instead of R C N D^2."""
        width = self.spec.lattice.width

        def vectors(pixels: torch.Tensor, levels: torch.Tensor) -> torch.Tensor:
            if self.spec.shared:
                return self.representation[levels]
            return torch.stack(
                [self.representation[p // width, p % width][levels[:, t]] for t, p in enumerate(pixels.tolist())], 1
            )

        return self.grid_at(first_pixels, vectors(first_pixels, first), second_pixels, vectors(second_pixels, second))

    def grid_at(
        self, first_pixels: torch.Tensor, first: torch.Tensor, second_pixels: torch.Tensor, second: torch.Tensor
    ) -> torch.Tensor:
        """:meth:`grid` at points: ``first`` (R, |first_pixels|, D) and ``second`` (C, |second_pixels|, D) are
        the pixels' representation vectors (:meth:`at_points`); shape (R, C)."""
        spec, reduce = self.spec, self._reduce
        height, width = spec.lattice.height, spec.lattice.width
        layer: list[torch.Tensor | None] = [None] * (height * width)
        D = spec.channels
        for pixels, points, shape in (
            (first_pixels, first, (len(first), 1, D)),
            (second_pixels, second, (1, len(second), D)),
        ):
            for column, pixel in enumerate(pixels.tolist()):
                layer[pixel] = points[:, column].reshape(shape)
        (kh, kw), (sh, sw) = spec.window, spec.stride
        for weights, (h, w) in zip(self.blocks, spec.layer_shapes[1:]):
            below_width, above = width, []
            for y in range(h):
                for x in range(w):
                    pooled = None
                    for i in range(kh):
                        for j in range(kw):
                            window = weights[i, j] if spec.shared else weights[y, x, i, j]
                            mixed = reduce(layer[(sh * y + i) * below_width + sw * x + j] @ window)
                            pooled = mixed if pooled is None else reduce(pooled * mixed)
                    above.append(pooled)
            layer, width = above, w
        return self._pool_and_read(layer).expand(len(first), len(second))

    def _pool_and_read(self, positions: list[torch.Tensor]) -> torch.Tensor:
        """f from the last feature map, one tensor (..., D) per final position in row-major order: the global
        read-out sum_c a_c prod_q x[q]_c, or the local prod_q sum_c a_{q,c} x[q]_c (module docstring)."""
        reduce, width = self._reduce, self.spec.layer_shapes[-1][1]
        if self.spec.readout == "local":
            positions = [
                reduce(x @ (self.readout if self.spec.shared else self.readout[q // width, q % width]))
                for q, x in enumerate(positions)
            ]
        product = positions[0]
        for position in positions[1:]:
            product = reduce(product * position)
        return reduce(product @ self.readout) if self.spec.readout == "global" else product

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """f on a batch of images, shape (batch, height, width) of levels 0..d-1; returns (batch,)."""
        return self._pool_and_read(list(self.features(images).flatten(1, 2).unbind(dim=1)))

    def at_points(self, x: torch.Tensor) -> torch.Tensor:
        """f as a polynomial in the pixels' representation vectors, at points x of shape (batch, height,
        width, D) (:meth:`features_at`); returns (batch,)."""
        return self._pool_and_read(list(self.features_at(x).flatten(1, 2).unbind(dim=1)))


@dataclass(frozen=True)
class _NetworkFunction:
    """A float64 network as a numeric.tci BatchedFunction, with a ``grid`` (numeric.tci.evaluate_grid) that
    is the network's own when it has one (cnn_bounds.networks.relu_cnn.ReluCNN.grid)."""

    network: torch.nn.Module
    lattice: Lattice
    device: torch.device

    @torch.no_grad()
    def __call__(self, images: np.ndarray) -> np.ndarray:
        batch = torch.as_tensor(np.asarray(images, dtype=np.int64), device=self.device)
        return self.network(batch.view(-1, self.lattice.height, self.lattice.width)).double().cpu().numpy()

    @torch.no_grad()
    def grid(
        self, first_pixels: np.ndarray, first: np.ndarray, second_pixels: np.ndarray, second: np.ndarray
    ) -> np.ndarray:
        """f on every image joined from a row of ``first`` and one of ``second`` (numeric.tci.evaluate_grid), by
        the network's own ``grid`` when it has one (cnn_bounds.networks.relu_cnn.ReluCNN.grid)."""
        if not hasattr(self.network, "grid"):  # the plain path: the network on the joined images
            return evaluate_grid(self.__call__, first_pixels, first, second_pixels, second)
        tensors = [
            torch.as_tensor(np.asarray(a, dtype=np.int64), device=self.device)
            for a in (first_pixels, first, second_pixels, second)
        ]
        return self.network.grid(*tensors).double().cpu().numpy()

    @torch.no_grad()
    def grids(
        self, first_pixels: np.ndarray, firsts: np.ndarray, second_pixels: np.ndarray, seconds: np.ndarray
    ) -> np.ndarray:
        """A stack of grids (numeric.tci.evaluate_grids), by the network's own ``grids`` when it has one
        (cnn_bounds.networks.relu_cnn.ReluCNN.grids), else grid by grid."""
        if not hasattr(self.network, "grids"):
            return grid_by_grid(self, first_pixels, firsts, second_pixels, seconds)
        tensors = [
            torch.as_tensor(np.asarray(a, dtype=np.int64), device=self.device)
            for a in (first_pixels, firsts, second_pixels, seconds)
        ]
        return self.network.grids(*tensors).double().cpu().numpy()


def batched_function(network: torch.nn.Module, lattice: Lattice) -> _NetworkFunction:
    """The network as a black box for numeric.tci: an integer array (batch, N) of images in the package's
    pixel order in, a float64 array (batch,) out (no gradients; on the network's own device). It evaluates a
    float64 copy: a float32 network's rounding is noise at ~1e-8 of f, which cross interpolation would
    chase as rank (a one-layer CNN's logit on 4x4 digits: 250 singular values above 1e-10 sigma_max in
    float32, 24 in float64)."""
    exact = copy.deepcopy(network).double()
    return _NetworkFunction(exact, lattice, next(exact.parameters()).device)


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
    require_memory(
        lattice.n_images * dtype.itemsize,
        f"a network's values on all {lattice.n_images} images",
        "use a smaller lattice" + (", or dtype=np.float32" if dtype.itemsize == 8 and not exact else ""),
    )
    values = np.empty(lattice.n_images, dtype=dtype)
    for start in range(0, lattice.n_images, chunk):
        stop = min(start + chunk, lattice.n_images)
        values[start:stop] = network(all_images(lattice, start, stop)).numpy()
    return values


def receptive_field(spec: ConvACSpec, row: int, column: int) -> list[int]:
    """The pixels that the final feature x_{n_c}[row, column] depends on (row-major indices)."""
    (kh, kw), (sh, sw) = spec.window, spec.stride
    height, width = 1, 1
    for layer in range(spec.depth):  # each block widens the field by (k - 1) strides of the layer below
        height += (kh - 1) * sh**layer
        width += (kw - 1) * sw**layer
    top, left = row * sh**spec.depth, column * sw**spec.depth
    return [y * spec.lattice.width + x for y in range(top, top + height) for x in range(left, left + width)]


def tree_order(spec: ConvACSpec, region: Iterable[int]) -> tuple[tuple[int, ...], int]:
    """A pixel order that follows the network's windows, with A | B one bond: the pixels of ``region`` first,
    then the rest, each in depth-first order of the tree of windows (Morton order: pixel (y, x) sorted by its
    final position, then by its window at each layer from the top, then by its place in its own window).
    The pixels a window of a tree ConvAC has in A, and those it has in B, are then each a run of consecutive
    sites, so when A is a union of windows (a top cut) a bond cuts at most one window per layer and its rank
    is at most D^{n_c} (min(D, d^size) per cut window) whatever the weights, where a row-major order cuts
    whole rows of windows (numeric.feature_mps.reading_order). A region that cuts through windows (a centred
    square) adds those windows to every bond between. Returns (order, |A|)."""
    region = validate_region(region, spec.lattice.n_pixels)
    (kh, kw), width = spec.window, spec.lattice.width

    def key(pixel: int) -> tuple[int, ...]:
        y, x = divmod(pixel, width)
        windows = [((y // kh**layer) % kh, (x // kw**layer) % kw) for layer in range(spec.depth - 1, -1, -1)]
        return (y // kh**spec.depth, x // kw**spec.depth, *(digit for pair in windows for digit in pair))

    inside = set(region)
    return (
        tuple(sorted(region, key=key)) + tuple(sorted(set(range(spec.lattice.n_pixels)) - inside, key=key)),
        len(region),
    )


@torch.no_grad()
def convac_mps(
    network: ConvAC, order: list[int] | None = None, *, tolerance: float = DEFAULT_TOLERANCE, progress: bool = False
) -> MatrixProductState:
    """The ConvAC's function as an MPS over the pixels in ``order`` (default row-major): site t is pixel
    order[t]. Float64 networks give a float MPS whose ``error`` bounds ||f - f~||_2 from truncations; a
    modular network (``modulus=p``) gives an exact MPS over GF(p), whose bond dimensions are the exact
    Schmidt ranks mod p across every bond (:mod:`numeric.mps`).

    f = sum_c a_c prod_q x[q]_c (global read-out) or prod_q sum_c a_{q,c} x[q]_c (local): each final
    feature x[q] depends only on the pixels of its receptive field, so it is evaluated exactly on all d^|RF|
    of their values (the network's own forward pass), turned into an exact MPS (with the channel as an
    extra site 0 for the global read-out, shared by all factors) and multiplied into the running product,
    which is compressed after each factor; the global read-out then contracts site 0 with a. Float factors
    are scaled to max|g| = 1 (the spectra of f are those of any multiple of it) and compressed at
    ``tolerance`` too, their l2 error on their own d^|RF| values bounding their largest error:
    error(P g) <= error(P) (1 + e_g) + e_g (||P~|| + error(P)) + the new truncation
    (:func:`numeric.mps.hadamard`).
    """
    spec = network.spec
    lattice = spec.lattice
    order = list(range(lattice.n_pixels)) if order is None else [int(p) for p in order]
    if sorted(order) != list(range(lattice.n_pixels)):
        raise InvalidInputError(f"order must be a permutation of the pixels 0..{lattice.n_pixels - 1}")
    position = {pixel: t for t, pixel in enumerate(order)}
    glob = spec.readout == "global"
    offset = 1 if glob else 0
    dims = ([spec.channels] if glob else []) + [lattice.levels] * lattice.n_pixels
    final_h, final_w = spec.layer_shapes[-1]
    fields = {
        (i, j): sorted(receptive_field(spec, i, j), key=position.get) for i in range(final_h) for j in range(final_w)
    }
    size = len(next(iter(fields.values())))
    require_memory(
        8 * lattice.levels**size * (lattice.n_pixels + 2 * spec.channels),
        f"a final feature on all {lattice.levels}^{size} values of its receptive field",
        "use fewer layers or a tree (stride k) network of smaller depth",
    )
    codes = torch.arange(lattice.levels**size, dtype=torch.int64)
    digits = (codes[:, None] // lattice.levels ** torch.arange(size - 1, -1, -1)) % lattice.levels
    running = None
    positions = sorted(fields, key=lambda q: (position[fields[q][0]], position[fields[q][-1]]))
    for q in tqdm(positions, desc="ConvAC -> MPS", unit="factor", disable=None if progress else True, leave=False):
        pixels = fields[q]
        images = torch.zeros(codes.numel(), lattice.n_pixels, dtype=torch.int64)
        images[:, pixels] = digits
        x = network.features(images.view(-1, lattice.height, lattice.width))
        if glob:
            table = x[:, q[0], q[1], :].numpy().T.reshape(spec.channels, *[lattice.levels] * size)
        else:
            table = network.local_readout(x)[:, q[0], q[1]].numpy().reshape([lattice.levels] * size)
        if network.modulus is None:  # f's scale does not change its spectra: every factor peaks at 1
            table = table / np.max(np.abs(table))
        factor = compress(tensor_to_mps(table, network.modulus), tolerance)  # its error: l2 over d^|RF|, >= sup
        embedded = embed(factor, ([0] if glob else []) + [offset + position[p] for p in pixels], dims)
        if running is None:
            running = embedded
        else:
            running = compress(hadamard(running, embedded, 1.0 + factor.error, factor.error), tolerance)
    if glob:
        running = compress(contract_site(running, 0, network.readout.numpy()), tolerance)
    return running
