"""Blob bytes -> Python values."""

from __future__ import annotations

import datetime
import uuid
import zlib
from decimal import Decimal
from typing import Any

import numpy as np

from ..errors import DataJointError
from ._format import _CHAR_ID, _DJ0, _ID_TO_DTYPE, _MYM, _VOID_ID, _ZLIB, MatCell, MatStruct


class _Reader:
    """Sequential reader over one (decompressed) blob."""

    def __init__(self, data: bytes, squeeze: bool, dims32: bool) -> None:
        self.data = data
        self.pos = 0
        self.squeeze_arrays = squeeze
        self.dim_type = np.dtype("<u4" if dims32 else "<u8")

    # -- primitives
    def values(self, dtype: Any, count: int) -> np.ndarray:
        dtype = np.dtype(dtype)
        out = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.pos)
        self.pos += dtype.itemsize * count
        return out

    def value(self, dtype: Any = None) -> Any:
        return self.values(self.dim_type if dtype is None else dtype, 1)[0]

    def raw(self, size: Any) -> bytes:
        size = int(size)
        if self.pos + size > len(self.data):
            raise DataJointError("Invalid blob: data ends before the declared length")
        self.pos += size
        return self.data[self.pos - size : self.pos]

    def cstring(self) -> str:
        end = self.data.find(b"\0", self.pos)
        if end < 0:
            raise DataJointError("Invalid blob: unterminated name")
        text = self.data[self.pos : end].decode()
        self.pos = end + 1
        return text

    def squeeze(self, array: np.ndarray, to_scalar: bool = True) -> Any:
        if not self.squeeze_arrays:
            return array
        array = array.squeeze()
        return array.item() if to_scalar and array.ndim == 0 else array

    # -- items
    def item(self, n_bytes: Any = None) -> Any:
        start = self.pos
        code = self.data[self.pos : self.pos + 1]
        self.pos += 1
        reader = _READERS.get(code)
        if reader is None:
            raise DataJointError(
                f"Unknown blob data structure code {code!r}; the blob is invalid or was written by a newer DataJoint"
            )
        value = reader(self)
        if n_bytes is not None and self.pos - start != int(n_bytes):
            raise DataJointError("Blob length check failed: invalid blob")
        return value

    def framed(self) -> Any:
        return self.item(self.value())

    def array(self) -> Any:
        n_dims = int(self.value())
        shape = tuple(int(d) for d in self.values(self.dim_type, n_dims))
        n_elem = int(np.prod(shape, dtype=int))
        type_id, is_complex = (int(v) for v in self.values("<u4", 2))
        dtype = _ID_TO_DTYPE.get(type_id)
        if dtype is None:
            raise DataJointError(f"Unsupported array type id {type_id} in blob")
        if type_id == _VOID_ID:
            data = _object_array([self.framed() for _ in range(n_elem)], shape)
        elif type_id == _CHAR_ID:
            data = self.values(dtype, 2 * n_elem)[::2].astype("U1")
            if n_dims == 1 or (n_dims == 2 and shape[0] == 1):
                compact = data.squeeze()
                data = compact if compact.shape == () else np.array("".join(compact))
                shape = (1,)
        else:
            data = self.values(dtype, n_elem)
            if is_complex:
                # set the parts separately: real + 1j * imag would turn 0 + inf*j into nan + inf*j
                real, data = data, np.empty(n_elem, np.result_type(dtype, 1j))
                data.real, data.imag = real, self.values(dtype, n_elem)
            if n_elem == 1:
                # datajoint 2.x reshapes the element itself, so a 0-d array decodes to a numpy scalar
                data = data[0]
        return self.squeeze(data.reshape(shape, order="F"))

    def records(self) -> Any:
        n_fields = int(self.value("<u4"))
        if not n_fields:
            return np.array(None)
        names = [self.cstring() for _ in range(n_fields)]
        columns = [self.item() for _ in range(n_fields)]
        out = np.empty(columns[0].shape, np.dtype([(n, c.dtype) for n, c in zip(names, columns)]))
        for name, column in zip(names, columns):
            out[name] = column
        return out.view(np.recarray)

    def struct(self) -> Any:
        n_dims = int(self.value())
        shape = tuple(int(d) for d in self.values(self.dim_type, n_dims))
        n_elem = int(np.prod(shape, dtype=int))
        n_fields = int(self.value("<u4"))
        if not n_fields:
            return np.array(None)
        names = [self.cstring() for _ in range(n_fields)]
        rows = [tuple(self.framed() for _ in range(n_fields)) for _ in range(n_elem)]
        data = np.array(rows, dtype=[(n, object) for n in names])
        return self.squeeze(data.reshape(shape, order="F"), to_scalar=False).view(MatStruct)

    def cell(self) -> Any:
        n_dims = int(self.value())
        shape = tuple(int(d) for d in self.values(self.dim_type, n_dims))
        n_elem = int(np.prod(shape, dtype=int))
        elements = [self.framed() for _ in range(n_elem)]
        if n_elem == 0:
            return np.empty(0, dtype=object).view(MatCell)
        data = np.empty(n_elem, dtype=object)
        data[:] = elements
        return self.squeeze(data.reshape(shape, order="F"), to_scalar=False).view(MatCell)

    def sparse(self) -> Any:
        raise DataJointError("MATLAB sparse arrays are not supported in blobs")

    def none(self) -> None:
        return None

    def sequence(self) -> list:
        return [self.framed() for _ in range(int(self.value()))]

    def mapping(self) -> dict:
        return dict((self.framed(), self.framed()) for _ in range(int(self.value())))

    def integer(self) -> int:
        return int.from_bytes(self.raw(self.value("<u2")), "little", signed=True)

    def text(self) -> str:
        return self.raw(self.value()).decode()

    def timestamp(self) -> Any:
        day, tod = int(self.value("<i4")), int(self.value("<i8"))
        date = datetime.date(day // 10000, day // 100 % 100, day % 100) if day >= 0 else None
        time = (
            datetime.time(tod // 10**10 % 100, tod // 10**8 % 100, tod // 10**6 % 100, tod % 10**6)
            if tod >= 0
            else None
        )
        if date is not None and time is not None:
            return datetime.datetime.combine(date, time)
        return date if time is None else time


_READERS: dict[bytes, Any] = {
    b"A": _Reader.array,
    b"P": _Reader.sparse,
    b"S": _Reader.struct,
    b"C": _Reader.cell,
    b"F": _Reader.records,
    b"\xff": _Reader.none,
    b"\x01": lambda r: tuple(r.sequence()),
    b"\x02": _Reader.sequence,
    b"\x03": lambda r: set(r.sequence()),
    b"\x04": _Reader.mapping,
    b"\x05": _Reader.text,
    b"\x06": lambda r: r.raw(r.value()),
    b"\x0a": _Reader.integer,
    b"\x0b": lambda r: bool(r.value("bool")),
    b"\x0c": lambda r: complex(r.value("<c16")),
    b"\x0d": lambda r: float(r.value("<f8")),
    b"d": lambda r: Decimal(r.text()),
    b"t": _Reader.timestamp,
    b"u": lambda r: uuid.UUID(bytes=r.raw(16)),
}


def _object_array(elements: list, shape: tuple) -> np.ndarray:
    """Object array of ``elements`` in Fortran order, built the way datajoint 2.x builds it.

    datajoint 2.x calls ``np.array(elements, dtype=object)``, which merges equally shaped nested
    elements into extra dimensions and then cannot reshape (an error there); here each element is
    then kept whole instead.
    """
    try:
        return np.array(elements, dtype=object).reshape(shape, order="F")
    except ValueError:
        data = np.empty(len(elements), dtype=object)
        data[:] = elements
        return data.reshape(shape, order="F")


def _decompress(data: bytes) -> bytes:
    if not data.startswith(_ZLIB):
        return data
    start = len(_ZLIB) + 8
    if len(data) < start:
        raise DataJointError("Invalid blob: truncated compression header")
    expected = int.from_bytes(data[len(_ZLIB) : start], "little")
    try:
        # bufsize=expected: inflate into one buffer of the final size instead of growing it
        raw = zlib.decompress(memoryview(data)[start:], bufsize=max(expected, 1))
    except zlib.error as err:
        raise DataJointError(f"Invalid blob: corrupt zlib data ({err})") from err
    if len(raw) != expected:
        raise DataJointError(f"Blob size mismatch: expected {expected}, got {len(raw)}")
    return raw


def unpack(data: bytes | bytearray | memoryview | None, squeeze: bool = False, dims32: bool = False) -> Any:
    """Deserialize DataJoint blob bytes (Python or MATLAB mYm written).

    Parameters
    ----------
    data : bytes-like or None
        The stored blob; ``None`` (a SQL NULL) is returned unchanged.
    squeeze : bool
        Drop singleton dimensions of arrays and turn 0-d arrays into Python scalars.
    dims32 : bool
        Read dimensions and lengths as uint32 (blobs from 32-bit builds of MATLAB mYm).

    Raises
    ------
    DataJointError
        If the bytes are not a valid blob.
    """
    if data is None:
        return None
    if not isinstance(data, bytes):
        data = bytes(data)
    raw = _decompress(data)
    if raw[:4] not in (_MYM, _DJ0):
        raise DataJointError(f"Invalid blob: unknown header {raw[:4]!r} (expected b'mYm\\0' or b'dj0\\0')")
    reader = _Reader(raw, squeeze, dims32)
    reader.pos = 4
    try:
        return reader.item(len(raw) - 4)
    except DataJointError:
        raise
    except (ValueError, TypeError, IndexError, UnicodeDecodeError, OverflowError) as err:
        raise DataJointError(f"Invalid blob: {err}") from err
