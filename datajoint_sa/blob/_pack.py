"""Python values -> blob bytes."""

from __future__ import annotations

import collections.abc
import datetime
import uuid
import zlib
from decimal import Decimal
from typing import Any

import numpy as np

from ..errors import DataJointError
from ._format import _CHAR_ID, _COMPRESS_MIN, _DJ0, _DTYPE_TO_ID, _MYM, _VOID_ID, _ZLIB, MatCell, MatStruct, _u32, _u64


class _Packer:
    """Collects the parts of one serialized value; records whether dj0 features were used."""

    def __init__(self) -> None:
        self.dj0 = False

    def item(self, obj: Any) -> list:
        """Return the byte parts (bytes or buffers) encoding ``obj``."""
        if isinstance(obj, MatCell):
            return self.cell(obj)
        if isinstance(obj, MatStruct):
            return self.struct(obj)
        if isinstance(obj, np.ndarray) and obj.dtype.fields is None:
            return self.array(obj)
        self.dj0 = True
        if isinstance(obj, np.ndarray):
            return self.records(np.array(obj))
        if isinstance(obj, (np.number, np.datetime64, np.bool_)):
            return self.array(np.array(obj))
        return self.builtin(obj)

    def builtin(self, obj: Any) -> list:
        if isinstance(obj, bool):
            return [b"\x0b", b"\x01" if obj else b"\x00"]
        if isinstance(obj, int):
            size = obj.bit_length() // 8 + 1
            if size > 0xFFFF:
                raise DataJointError("Integers are limited to 65535 bytes")
            return [b"\x0a", size.to_bytes(2, "little"), obj.to_bytes(size, "little", signed=True)]
        if isinstance(obj, complex):
            return [b"\x0c", np.complex128(obj).tobytes()]
        if isinstance(obj, float):
            return [b"\x0d", np.float64(obj).tobytes()]
        if isinstance(obj, (datetime.date, datetime.time)):
            return [b"t", _datetime_bytes(obj)]
        if isinstance(obj, Decimal):
            text = str(obj).encode()
            return [b"d", _u64(len(text)), text]
        if isinstance(obj, uuid.UUID):
            return [b"u", obj.bytes]
        return self.container(obj)

    def container(self, obj: Any) -> list:
        if isinstance(obj, collections.abc.Mapping):
            parts = [b"\x04", _u64(len(obj))]
            for key, value in obj.items():
                parts += self.framed(key) + self.framed(value)
            return parts
        if isinstance(obj, str):
            text = obj.encode()
            return [b"\x05", _u64(len(text)), text]
        if isinstance(obj, (bytes, bytearray)):
            return [b"\x06", _u64(len(obj)), bytes(obj)]
        for code, kind in (
            (b"\x02", collections.abc.MutableSequence),
            (b"\x01", collections.abc.Sequence),
            (b"\x03", collections.abc.Set),
        ):
            if isinstance(obj, kind):
                return self.sequence(code, obj)
        if obj is None:
            return [b"\xff"]
        raise DataJointError(
            f"Packing object of type {type(obj).__module__}.{type(obj).__qualname__} is not supported by <blob>"
        )

    def framed(self, obj: Any) -> list:
        """Parts of ``obj`` preceded by their uint64 total length."""
        parts = self.item(obj)
        return [_u64(sum(len(p) for p in parts)), *parts]

    def sequence(self, code: bytes, items: Any) -> list:
        parts = [code, _u64(len(items))]
        for it in items:
            parts += self.framed(it)
        return parts

    def array(self, array: np.ndarray) -> list:
        if array.dtype.kind == "M":
            self.dj0 = True
        parts: list = [b"A", _u64(array.ndim), np.asarray(array.shape, dtype="<u8").tobytes()]
        is_complex = array.dtype.kind == "c"
        imag = None
        if is_complex:
            array, imag = array.real, array.imag
        if array.dtype.byteorder == ">":
            array = array.astype(array.dtype.newbyteorder("<"))
            imag = None if imag is None else imag.astype(array.dtype)
        if array.dtype.char == "U":
            type_id = _VOID_ID
        else:
            type_id = _DTYPE_TO_ID.get(array.dtype)
            if type_id is None:
                raise DataJointError(f"Type {array.dtype} is ambiguous or unknown")
        parts.append(_u32(type_id) + _u32(is_complex))
        if type_id == _VOID_ID:
            self.dj0 = True
            for element in array.flatten(order="F"):
                parts += self.framed(element)
        elif type_id == _CHAR_ID:
            # MATLAB stores chars as 16-bit code units (in C order, as the reference does)
            parts.append(array.view(np.uint8).astype("<u2").tobytes())
        else:
            if array.ndim == 0:
                self.dj0 = True
            parts.append(_raw_fortran(array))
            if imag is not None:
                parts.append(_raw_fortran(imag))
        return parts

    def records(self, array: np.ndarray) -> list:
        names = array.dtype.names
        parts: list = [b"F", _u32(len(names)), "\0".join(names).encode() + b"\0"]
        for name in names:
            field = array[name]
            parts += self.records(field) if field.dtype.fields else self.array(field)
        return parts

    def struct(self, array: np.ndarray) -> list:
        names = array.dtype.names
        parts: list = [
            b"S",
            np.asarray((array.ndim, *array.shape), dtype="<u8").tobytes(),
            _u32(len(names)),
            "\0".join(names).encode() + b"\0",
        ]
        for record in array.flatten(order="F"):
            for value in record:
                parts += self.framed(value)
        return parts

    def cell(self, array: np.ndarray) -> list:
        parts: list = [b"C", np.asarray((array.ndim, *array.shape), dtype="<u8").tobytes()]
        for element in array.flatten(order="F"):
            parts += self.framed(element)
        return parts


def _raw_fortran(array: np.ndarray) -> Any:
    """Element bytes in Fortran order; a zero-copy buffer when the memory already has that order."""
    if array.flags.f_contiguous:
        return memoryview(array.ravel(order="K").view(np.uint8))
    return array.tobytes(order="F")


def _datetime_bytes(value: datetime.date | datetime.time) -> bytes:
    if isinstance(value, datetime.datetime):
        date, time = value.date(), value.time()
    elif isinstance(value, datetime.date):
        date, time = value, None
    else:
        date, time = None, value
    day = -1 if date is None else date.year * 10000 + date.month * 100 + date.day
    tod = -1 if time is None else (((time.hour * 100 + time.minute) * 100 + time.second) * 1_000_000 + time.microsecond)
    return day.to_bytes(4, "little", signed=True) + tod.to_bytes(8, "little", signed=True)


def pack(obj: Any, compress: bool = True) -> bytes:
    """Serialize ``obj`` into DataJoint blob bytes.

    Parameters
    ----------
    obj : any supported value (see the module docstring)
    compress : bool
        Compress with zlib when the raw blob exceeds 1000 bytes and compression shrinks it
        (above 256 KiB: when samples of it shrink by at least 10%).

    Raises
    ------
    DataJointError
        If ``obj`` (or a nested value) has an unsupported type.
    """
    packer = _Packer()
    parts = packer.item(obj)
    raw = b"".join([_DJ0 if packer.dj0 else _MYM, *parts])
    if compress and len(raw) > _COMPRESS_MIN and _worth_compressing(raw):
        compressed = zlib.compress(raw)
        if len(compressed) + len(_ZLIB) + 8 < len(raw):
            return b"".join((_ZLIB, _u64(len(raw)), compressed))
    return raw


# Large values are compressed only when samples of them shrink by a tenth: zlib runs at
# ~30 MB/s on noisy float data and saves a few percent there.  Below _SAMPLED_MIN the rule
# is the reference's (compress whenever smaller), so small values give identical bytes.
_SAMPLED_MIN = 1 << 18
_SAMPLE = 1 << 12


def _worth_compressing(raw: bytes) -> bool:
    if len(raw) < _SAMPLED_MIN:
        return True
    view = memoryview(raw)
    starts = (0, len(raw) // 2, len(raw) - _SAMPLE)
    sample = b"".join(view[s : s + _SAMPLE] for s in starts)
    return len(zlib.compress(sample, 1)) < 0.9 * len(sample)
