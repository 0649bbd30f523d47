"""Constants and type tables shared by the blob packer and reader."""

from __future__ import annotations

import numpy as np

_ZLIB = b"ZL123\0"
_MYM = b"mYm\0"
_DJ0 = b"dj0\0"
_COMPRESS_MIN = 1000

_DATETIME_UNITS = ("Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as")
_CELL_ID, _STRUCT_ID, _CHAR_ID, _VOID_ID = 1, 2, 4, 5

# type id -> dtype of array elements
_ID_TO_DTYPE: dict[int, np.dtype] = {
    3: np.dtype("bool"),
    _CHAR_ID: np.dtype("c"),
    _VOID_ID: np.dtype("O"),
    6: np.dtype("float64"),
    7: np.dtype("float32"),
    8: np.dtype("int8"),
    9: np.dtype("uint8"),
    10: np.dtype("int16"),
    11: np.dtype("uint16"),
    12: np.dtype("int32"),
    13: np.dtype("uint32"),
    14: np.dtype("int64"),
    15: np.dtype("uint64"),
}
_ID_TO_DTYPE.update({65536 + i: np.dtype(f"datetime64[{u}]") for i, u in enumerate(_DATETIME_UNITS)})
_DTYPE_TO_ID = {dt: i for i, dt in _ID_TO_DTYPE.items()}


class MatCell(np.ndarray):
    """An object ndarray that serializes as a MATLAB cell array (code ``C``)."""


class MatStruct(np.recarray):
    """A record array of object fields that serializes as a MATLAB struct array (code ``S``)."""


def _u64(n: int) -> bytes:
    return int(n).to_bytes(8, "little")


def _u32(n: int) -> bytes:
    return int(n).to_bytes(4, "little")
