"""Ordinary ReLU CNNs read as functions of images: one-hot pixels (d channels), n_c layers of k x k
convolutions ('same' padding, stride 1, D channels, ReLU), then a head: ``"pool"`` (global average and max
pooling, a linear read-out: it builds in OR- and count-like aggregation) or ``"flatten"`` (a linear read-out
of every position and channel: nothing built in).

:meth:`ReluCNN.grid` evaluates the network on every image joined from two parts of the pixels, the access
pattern of cross interpolation (numeric.tci), with the first convolution once per part; :meth:`ReluCNN.grids`
a stack of such grids, the blocks of the sampled Renyi-2 (numeric.sampling).
"""

from __future__ import annotations

import copy

import torch

HEADS = ("pool", "flatten")


class ReluCNN(torch.nn.Module):
    """n_c conv(k x k, D) + ReLU layers and a head: "pool" (global average and max pooling, linear
    read-out) or "flatten" (linear read-out of the whole feature map), to one logit (shape (batch,)) or
    to ``outputs`` > 1 class logits (shape (batch, outputs))."""

    def __init__(
        self,
        levels: int,
        channels: int,
        depth: int,
        kernel: int = 3,
        head: str = "pool",
        image_shape: tuple[int, int] = (4, 4),
        outputs: int = 1,
    ) -> None:
        super().__init__()
        layers, inputs = [], levels
        for _ in range(depth):
            layers += [torch.nn.Conv2d(inputs, channels, kernel, padding="same"), torch.nn.ReLU()]
            inputs = channels
        self.features = torch.nn.Sequential(*layers)
        self.head_kind = head
        width = 2 * inputs if head == "pool" else inputs * image_shape[0] * image_shape[1]
        self.head = torch.nn.Linear(width, outputs)
        self.outputs = outputs
        self.levels = levels
        self.image_shape = image_shape
        self.register_buffer("one_hot", torch.eye(levels), persistent=False)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        x = self.one_hot[images].permute(0, 3, 1, 2)  # rows of the identity: one_hot(...).float(), faster
        return self._read_out(self.features(x))

    def grid(
        self,
        first_pixels: torch.Tensor,
        first: torch.Tensor,
        second_pixels: torch.Tensor,
        second: torch.Tensor,
        block_bytes: int = 1 << 22,
    ) -> torch.Tensor:
        """The network on every image joined from a row of ``first`` (levels of the pixels ``first_pixels``,
        row-major indices) and a row of ``second`` (of ``second_pixels``, the other pixels): shape
        (len(first), len(second)) + the output shape. The first convolution is linear in the one-hot input,
        conv(e_x + e_y) = conv_0(e_x) + conv_0(e_y) + b with e_x zero off x's pixels, so it runs once per part
        and only the rest of the network once per pair (:meth:`grids`)."""
        return self.grids(first_pixels, first[None], second_pixels, second[None], block_bytes)[0]

    def grids(
        self,
        first_pixels: torch.Tensor,
        firsts: torch.Tensor,
        second_pixels: torch.Tensor,
        seconds: torch.Tensor,
        block_bytes: int = 1 << 22,
    ) -> torch.Tensor:
        """A stack of grids (:meth:`grid`) on one split: ``firsts`` (blocks, m, |first|) and ``seconds``
        (blocks, n, |second|) give (blocks, m, n) + the output shape. The pairs run through the rest of the
        network a chunk at a time, a chunk's first activations taking about ``block_bytes`` (cache-sized: on
        this machine, before the buffer was reused, chunks of about 4 MiB ran 3-6x faster than chunks of
        64 MiB)."""
        convolution = self.features[0]
        height, width = self.image_shape
        blocks, rows_per_block, columns_per_block = firsts.shape[0], firsts.shape[1], seconds.shape[1]
        parts = []
        for pixels, levels in ((first_pixels, firsts.flatten(0, 1)), (second_pixels, seconds.flatten(0, 1))):
            encoded = torch.zeros(
                len(levels), self.levels, height * width, dtype=self.one_hot.dtype, device=self.one_hot.device
            )  # contiguous: a channels-last part makes every pair so
            encoded[:, :, pixels] = self.one_hot[levels].transpose(1, 2)
            parts.append(
                torch.nn.functional.conv2d(
                    encoded.view(len(levels), self.levels, height, width), convolution.weight, padding="same"
                )
            )
        rows = parts[0].unflatten(0, (blocks, rows_per_block))
        columns = parts[1] + convolution.bias[:, None, None]  # once per part: over every pair it costs 10x the sum
        columns = columns.unflatten(0, (blocks, columns_per_block))
        outputs = () if self.outputs == 1 else (self.outputs,)
        if blocks * rows_per_block * columns_per_block == 0:
            return rows.new_zeros((blocks, rows_per_block, columns_per_block, *outputs))
        pair_bytes = columns[0, 0].numel() * columns.element_size()
        block_bytes_needed = rows_per_block * columns_per_block * pair_bytes
        if block_bytes_needed <= block_bytes:  # several whole blocks per chunk
            per_chunk = block_bytes // block_bytes_needed
            chunks = [(slice(b, b + per_chunk), slice(None)) for b in range(0, blocks, per_chunk)]
            largest = min(per_chunk, blocks) * rows_per_block
        else:  # a block is split by its rows
            step = max(1, block_bytes // (pair_bytes * columns_per_block))
            chunks = [
                (slice(b, b + 1), slice(r, r + step)) for b in range(blocks) for r in range(0, rows_per_block, step)
            ]
            largest = min(step, rows_per_block)
        # one buffer for every chunk's sum and first ReLU (in place): a fresh 4 MiB tensor per chunk is paid
        # for again in page faults, which cost as much as the arithmetic
        buffer = rows.new_empty((largest * columns_per_block, *columns.shape[2:]))
        values = torch.empty(
            (blocks, rows_per_block, columns_per_block, *outputs), dtype=rows.dtype, device=rows.device
        )
        for block_slice, row_slice in chunks:
            part_rows, part_columns = rows[block_slice, row_slice], columns[block_slice]
            count = part_rows.shape[0] * part_rows.shape[1] * columns_per_block
            pairs = torch.add(
                part_rows[:, :, None],
                part_columns[:, None],
                out=buffer[:count].view(*part_rows.shape[:2], *part_columns.shape[1:]),
            )
            out = self._read_out(self.features[2:](torch.relu_(pairs).flatten(0, 2)))
            values[block_slice, row_slice] = out.reshape(*part_rows.shape[:2], columns_per_block, *outputs)
        return values

    def single_output(self, index: int) -> ReluCNN:
        """A copy computing output ``index`` alone (its row of the read-out): one class's logit at a tenth of
        the read-out's cost."""
        single = copy.deepcopy(self)
        single.head = torch.nn.Linear(
            self.head.in_features, 1, dtype=self.head.weight.dtype, device=self.head.weight.device
        )
        with torch.no_grad():
            single.head.weight.copy_(self.head.weight[index : index + 1])
            single.head.bias.copy_(self.head.bias[index : index + 1])
        single.outputs = 1
        return single

    def _read_out(self, x: torch.Tensor) -> torch.Tensor:
        if self.head_kind == "pool":
            x = torch.cat([x.mean(dim=(2, 3)), x.amax(dim=(2, 3))], dim=1)
        logits = self.head(x.flatten(1))
        return logits.squeeze(1) if self.outputs == 1 else logits
