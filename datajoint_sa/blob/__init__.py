"""DataJoint blob serialization (the ``<blob>`` codec), byte-compatible with datajoint 2.x.

Layout of a serialized value
----------------------------
``[b"ZL123\\0" + uint64 raw_length + zlib(raw)]`` or ``raw`` where
``raw = protocol + item`` and ``protocol`` is ``b"mYm\\0"`` (MATLAB mYm compatible) or
``b"dj0\\0"`` (used as soon as any item needs the Python extensions).

Each item starts with a one-byte code:

=====  ============================================  ==========
code   item                                          protocol
=====  ============================================  ==========
``A``  numeric / char / object array                 mYm (dj0 for 0-d, datetime64, object/str)
``S``  MATLAB struct array (:class:`MatStruct`)      mYm
``C``  MATLAB cell array (:class:`MatCell`)          mYm
``F``  structured (record) ndarray                   dj0
0x01   tuple / other Sequence                        dj0
0x02   list / other MutableSequence                  dj0
0x03   set                                           dj0
0x04   dict / other Mapping                          dj0
0x05   str (utf-8)                                   dj0
0x06   bytes / bytearray                             dj0
0x0a   int (signed little-endian, any length)        dj0
0x0b   bool                                          dj0
0x0c   complex                                       dj0
0x0d   float                                         dj0
``d``  Decimal                                       dj0
``t``  date / time / datetime                        dj0
``u``  UUID                                          dj0
0xff   None                                          dj0
=====  ============================================  ==========

All integers are little-endian; lengths and dimensions are uint64. Values larger than 1000
bytes are compressed when ``compress`` is true and compression makes them smaller; above
256 KiB only when samples of the value shrink by a tenth (noisy float data compresses by a
few percent at ~30 MB/s, so it is stored as it is -- either form decodes everywhere).
"""

from __future__ import annotations

from typing import Any

from ._format import MatCell, MatStruct
from ._pack import pack
from ._unpack import unpack as _unpack

__all__ = ["MatCell", "MatStruct", "pack", "unpack", "use_32bit_dims"]

# When true, dimensions and lengths are read as uint32 (blobs from 32-bit builds of MATLAB mYm).
use_32bit_dims = False


def unpack(data: bytes | bytearray | memoryview | None, squeeze: bool = False) -> Any:
    """Deserialize DataJoint blob bytes (Python or MATLAB mYm written).

    Parameters
    ----------
    data : bytes-like or None
        The stored blob; ``None`` (a SQL NULL) is returned unchanged.
    squeeze : bool
        Drop singleton dimensions of arrays and turn 0-d arrays into Python scalars.

    Raises
    ------
    DataJointError
        If the bytes are not a valid blob.
    """
    return _unpack(data, squeeze=squeeze, dims32=use_32bit_dims)
