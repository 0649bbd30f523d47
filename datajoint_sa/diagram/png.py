"""PNG bytes -> NumPy image, for ``Diagram.make_image()`` without an imaging library.

Graphviz writes non-interlaced 8-bit truecolour PNGs (RGB or RGBA); this reads
those, and greyscale and 16-bit ones too (PNG specification, sections 11-12: the
IHDR header, zlib-compressed IDAT data, one filter byte per scanline).  Values are
floats in 0..1, as ``matplotlib.image.imread`` returns them.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

from ..errors import DataJointError

__all__ = ["decode_png"]

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # colour type -> samples per pixel (palette images are not read)


def decode_png(data: bytes) -> np.ndarray:
    """The image of a PNG as an array of shape (height, width, channels) of floats in 0..1."""
    if not data.startswith(_SIGNATURE):
        raise DataJointError("Not a PNG image.")
    header, compressed = _chunks(data)
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    if colour not in _CHANNELS or depth not in (8, 16) or interlace:
        raise DataJointError(f"Cannot read this PNG (colour type {colour}, {depth}-bit, interlace {interlace}).")
    channels = _CHANNELS[colour]
    pixel_bytes = channels * depth // 8
    raw = np.frombuffer(zlib.decompress(compressed), dtype=np.uint8).reshape(height, 1 + width * pixel_bytes)
    rows = _unfilter(raw[:, 0], raw[:, 1:].astype(np.int32), pixel_bytes)
    if depth == 16:
        samples = rows.astype(np.uint8).reshape(height, -1, 2)
        values = (samples[..., 0].astype(np.uint32) << 8 | samples[..., 1]).astype(np.float32) / 65535
    else:
        values = rows.astype(np.float32) / 255
    return values.reshape(height, width, channels)


def _chunks(data: bytes) -> tuple[bytes, bytes]:
    """The IHDR payload and the concatenated IDAT payloads."""
    position, header, parts = len(_SIGNATURE), b"", []
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        payload = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            header = payload
        elif kind == b"IDAT":
            parts.append(payload)
        elif kind == b"IEND":
            break
        position += 12 + length
    if not header or not parts:
        raise DataJointError("Truncated PNG image.")
    return header, b"".join(parts)


def _unfilter(filters: np.ndarray, rows: np.ndarray, bpp: int) -> np.ndarray:
    """Undo the per-scanline filters (none, sub, up, average, Paeth)."""
    out = np.zeros_like(rows)
    previous = np.zeros(rows.shape[1], dtype=np.int32)
    for y, kind in enumerate(filters):
        line = rows[y].copy()
        if kind == 2:
            line = (line + previous) & 0xFF
        elif kind == 1 and line.size % bpp == 0:  # each byte adds the one bpp to its left: a running sum per lane
            line = (np.cumsum(line.reshape(-1, bpp), axis=0) & 0xFF).reshape(-1).astype(np.int32)
        elif kind in (1, 3, 4):
            for x in range(line.size):  # these depend on the bytes just decoded, left of x
                left = line[x - bpp] if x >= bpp else 0
                if kind == 1:
                    line[x] = (line[x] + left) & 0xFF
                elif kind == 3:
                    line[x] = (line[x] + ((left + previous[x]) >> 1)) & 0xFF
                else:
                    upper_left = previous[x - bpp] if x >= bpp else 0
                    line[x] = (line[x] + _paeth(left, previous[x], upper_left)) & 0xFF
        elif kind != 0:
            raise DataJointError(f"Corrupt PNG image (filter type {kind}).")
        out[y] = line
        previous = line
    return out


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c
