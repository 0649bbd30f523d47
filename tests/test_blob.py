"""Tests of the <blob> serialization: round trips, byte compatibility with datajoint 2.x, errors."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import textwrap
import uuid
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import datajoint_sa as dj
from datajoint_sa import blob
from datajoint_sa.errors import DataJointError

REFERENCE_PYTHON = os.environ.get("DJ_REFERENCE_PYTHON", "/work/refenv/bin/python")

# The corpus is source text so that both interpreters build the very same values; `M` is the
# blob module of the interpreter (for MatCell / MatStruct).
CORPUS_SRC = textwrap.dedent(
    """
    import datetime, uuid
    from decimal import Decimal
    import numpy as np

    def corpus(M):
        rng = np.random.default_rng(0)
        cell = np.empty((2, 2), dtype=object)
        cell[:] = [[np.arange(3), "x"], [np.eye(2), 1.5]]
        struct = np.array([(1.0, "a"), (np.arange(3), None)], dtype=[("f", object), ("g", object)])
        rec = np.array([(1, 2.5, True), (3, -1.0, False)], dtype=[("a", "<i4"), ("b", "<f8"), ("c", "?")])
        nested = np.zeros(2, dtype=[("p", [("x", "<f4"), ("y", "<i2")]), ("q", "<u1")])
        values = {
            "none": None, "true": True, "false": False,
            "int_small": 7, "int_neg": -129, "int_zero": 0, "int_big": 2**200 + 17,
            "float": 3.25, "float_nan": float("inf"), "complex": 1.5 - 2j,
            "str": "hello", "str_unicode": "Grüße ✓", "str_empty": "", "bytes": b"\\x00\\x01ab",
            "bytearray": bytearray(b"xyz"),
            "list": [1, "two", 3.0, None, [4]], "tuple": (1, (2, 3), "x"), "empty_list": [],
            "set": {1, 2, 3}, "dict": {"a": 1, "b": [1, 2], 3: (4,)}, "empty_dict": {},
            "date": datetime.date(2024, 2, 29), "time": datetime.time(13, 5, 7, 123456),
            "datetime": datetime.datetime(1999, 12, 31, 23, 59, 58, 1),
            "uuid": uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
            "decimal": Decimal("-12.3400"),
            "np_float64": np.float64(2.5), "np_int8": np.int8(-3), "np_uint64": np.uint64(2**63 + 1),
            "np_bool": np.bool_(True), "np_complex64": np.complex64(1 + 2j),
            "np_datetime64": np.datetime64("2020-01-02T03:04:05"),
            "zero_d": np.array(4.0), "empty": np.zeros((0, 3)),
            "c_order": np.arange(24, dtype="<i4").reshape(2, 3, 4),
            "f_order": np.asfortranarray(np.arange(12.0).reshape(3, 4)),
            "strided": np.arange(20)[::3], "bool_arr": np.array([[True, False], [False, True]]),
            "complex_arr": (np.arange(6) + 1j * np.arange(6)[::-1]).reshape(2, 3),
            "complex64_arr": np.array([1 + 1j, 2 - 2j], dtype="complex64"),
            "datetime64_arr": np.array(["2020-01-01", "2021-06-30"], dtype="datetime64[D]"),
            "str_arr": np.array(["ab", "c", "déf"]), "object_arr": np.array([1, "a", None], dtype=object),
            "char_arr": np.array([b"a", b"b", b"c"], dtype="c"),
            "big_random": rng.standard_normal(500),
            "big_incompressible": rng.standard_normal(40_000),
            "big_zeros": np.zeros((100, 30)),
            "big_list": list(range(300)),
            "recarray": rec, "recarray_view": rec.view(np.recarray), "nested_rec": nested,
            "cell": cell.view(M.MatCell), "struct": struct.view(M.MatStruct),
            "empty_cell": np.empty((0,), dtype=object).view(M.MatCell),
            "mym_cell": np.array([np.arange(2.0), np.ones((2, 2))] + [None], dtype=object)[:2].view(M.MatCell),
            "cell_in_struct": np.array([(cell.view(M.MatCell),)], dtype=[("c", object)]).view(M.MatStruct),
            "one_by_one": np.array([[7.5]]), "one_elem": np.array([3], dtype="int16"),
            "row": np.arange(4.0).reshape(1, 4), "nan_arr": np.array([np.nan, np.inf, -0.0]),
            "extremes": np.array([np.iinfo("int64").min, np.iinfo("int64").max]),
            "list_of_arrays": [np.arange(3), np.eye(2), np.float32(1.5)],
            "array_dict": {"x": np.arange(3.0), "y": {"z": np.array(["q"])}},
            "bool_in_list": [True, np.bool_(False), 1.0],
            "char_matrix": np.array([[b"a", b"b"], [b"c", b"d"]], dtype="c"),
            "big_int_list": [2**64, -(2**70), 255, -256],
            "datetime64_scalar_ns": np.datetime64(1, "ns"),
        }
        for dt in ["int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64"]:
            values["arr_" + dt] = np.arange(-3, 9).astype(dt).reshape(3, 4)
        return values

    def describe(v):
        if isinstance(v, np.ndarray):
            head = [type(v).__name__, str(v.dtype), list(v.shape)]
            if v.dtype.kind == "O":
                return head + [[describe(x) for x in v.ravel(order="K")]]
            if v.dtype.fields:
                return head + [[describe(v[f]) for f in v.dtype.names]]
            return head + [repr(v.ravel(order="F").tolist())]
        if isinstance(v, (list, tuple)):
            return [type(v).__name__, [describe(x) for x in v]]
        if isinstance(v, set):
            return ["set", sorted(repr(x) for x in v)]
        if isinstance(v, dict):
            return ["dict", [[describe(k), describe(x)] for k, x in v.items()]]
        if isinstance(v, np.void):
            return ["void", [describe(x) for x in v]]
        return [type(v).__name__, repr(v)]
    """
)

REFERENCE_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from datajoint import blob as M
    exec(open(sys.argv[1]).read())
    ours = json.load(sys.stdin)
    out = {}
    for name, value in corpus(M).items():
        packed = M.pack(value)
        out[name] = {
            "pack": packed.hex(),
            "pack_raw": M.pack(value, compress=False).hex(),
            "self": describe(M.unpack(packed)),
            "self_squeezed": describe(M.unpack(packed, squeeze=True)),
            "ours": describe(M.unpack(bytes.fromhex(ours[name]))),
        }
    json.dump(out, sys.stdout)
    """
)

_namespace: dict = {}
exec(CORPUS_SRC, _namespace)
corpus, describe = _namespace["corpus"], _namespace["describe"]
CORPUS = corpus(blob)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict:
    if not Path(REFERENCE_PYTHON).exists():
        reason = (f"reference interpreter {REFERENCE_PYTHON} not found: set DJ_REFERENCE_PYTHON to a Python with "
                  "datajoint 2.3.5, or run `nox -s compat`, which runs these tests against it")
        if os.environ.get("DJ_REQUIRE_REFERENCE"):  # set by the compat session: no silent skip there
            pytest.fail(reason)
        pytest.skip(reason)
    src = tmp_path_factory.mktemp("blobref") / "corpus.py"
    src.write_text(CORPUS_SRC)
    ours = json.dumps({name: blob.pack(value).hex() for name, value in CORPUS.items()})
    result = subprocess.run(
        [REFERENCE_PYTHON, "-c", REFERENCE_SCRIPT, str(src)],
        input=ours,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode:
        pytest.fail(f"reference interpreter failed:\n{result.stderr}")
    return json.loads(result.stdout)


# sets of several elements are ordered by hash, which may differ between interpreters
NON_DETERMINISTIC: set[str] = set()
# above 256 KiB, values whose samples barely compress are stored uncompressed (the reference
# compresses them by a few percent); both forms decode in both implementations
STORED_RAW = {"big_incompressible"}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_bytes_equal_reference(reference: dict, name: str) -> None:
    if name in NON_DETERMINISTIC:
        pytest.skip("reference output is not deterministic")
    value = CORPUS[name]
    assert blob.pack(value, compress=False).hex() == reference[name]["pack_raw"]
    if name in STORED_RAW:
        assert blob.pack(value) == blob.pack(value, compress=False)
        assert len(reference[name]["pack"]) < len(reference[name]["pack_raw"])
    else:
        assert blob.pack(value).hex() == reference[name]["pack"]


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_reference_bytes_decode_in_ours(reference: dict, name: str) -> None:
    data = bytes.fromhex(reference[name]["pack"])
    assert describe(blob.unpack(data)) == reference[name]["self"]
    assert describe(blob.unpack(data, squeeze=True)) == reference[name]["self_squeezed"]


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_our_bytes_decode_in_reference(reference: dict, name: str) -> None:
    assert reference[name]["ours"] == reference[name]["self"]


# --------------------------------------------------------------------------- property tests

DTYPES = st.sampled_from(
    ["bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64"]
    + ["float32", "float64", "complex64", "complex128", "datetime64[s]", "datetime64[D]"]
)


@st.composite
def arrays(draw: st.DrawFn) -> np.ndarray:
    dtype = np.dtype(draw(DTYPES))
    if dtype.kind == "M":
        elements = st.integers(-(10**9), 10**9).map(lambda i: np.datetime64(i, np.datetime_data(dtype)[0]))
    else:
        elements = None
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5))
    array = draw(hnp.arrays(dtype, shape, elements=elements))
    if draw(st.booleans()):
        array = np.asfortranarray(array)
    return array


def _same(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray) and a.ndim == 0 and isinstance(b, np.generic):
        b = np.asarray(b)  # datajoint 2.x decodes 0-d arrays as numpy scalars
    if isinstance(a, np.ndarray):
        return (
            isinstance(b, np.ndarray)
            and a.dtype == b.dtype
            and a.shape == b.shape
            and np.array_equal(a, b, equal_nan=True)
        )
    return describe(a) == describe(b)


@settings(max_examples=200, deadline=None)
@given(arrays(), st.booleans())
def test_array_round_trip(array: np.ndarray, compress: bool) -> None:
    assert _same(array, blob.unpack(blob.pack(array, compress=compress)))


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.complex_numbers(allow_nan=False)
    | st.text()
    | st.binary()
    | st.uuids()
    | st.dates()
    | st.datetimes().map(lambda d: d.replace(fold=0))  # fold and tzinfo are not stored
    | st.times().map(lambda t: t.replace(fold=0))
    | st.decimals(allow_nan=False, allow_infinity=False)
)
hashables = st.none() | st.booleans() | st.integers() | st.text() | st.uuids()
nested = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=4).map(tuple)
        | st.dictionaries(hashables, inner, max_size=4)
        | st.frozensets(hashables, max_size=4).map(set)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(nested)
def test_nested_round_trip(value: object) -> None:
    assert describe(blob.unpack(blob.pack(value))) == describe(value)


# --------------------------------------------------------------------------- behaviour details


def test_protocol_headers_and_compression() -> None:
    assert blob.pack(np.arange(3.0))[:4] == b"mYm\0"
    assert blob.pack(3)[:4] == b"dj0\0"
    assert blob.pack(np.zeros(10_000)).startswith(b"ZL123\0")
    assert blob.pack(np.zeros(10_000), compress=False)[:4] == b"mYm\0"
    noise = np.random.default_rng(1).integers(0, 256, 5000, dtype="uint8")
    assert blob.pack(noise)[:4] == b"mYm\0"  # compression does not pay


def test_unpack_accepts_memoryview_and_none() -> None:
    assert blob.unpack(None) is None
    assert blob.unpack(memoryview(blob.pack([1, 2]))) == [1, 2]


def test_squeeze() -> None:
    assert blob.unpack(blob.pack(np.array([[5.0]])), squeeze=True) == 5.0
    assert blob.unpack(blob.pack(np.array([[1, 2]])), squeeze=True).shape == (2,)


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"garbage!",
        b"mYm\0",
        b"dj0\0Z",
        b"mYm\0A\x05",
        b"ZL123\0\x10\0\0\0\0\0\0\0notzlib",
        b"dj0\0\x05\xff\0\0\0\0\0\0\0x",
    ],
)
def test_unpack_garbage_raises(garbage: bytes) -> None:
    with pytest.raises(DataJointError):
        blob.unpack(garbage)


def test_unpack_detects_trailing_bytes() -> None:
    with pytest.raises(DataJointError, match="length"):
        blob.unpack(blob.pack(1.5) + b"\0")


@pytest.mark.parametrize("value", [object(), np.float16(1), np.array([1, 2], dtype="float16"), [1, object()]])
def test_pack_unsupported_raises(value: object) -> None:
    with pytest.raises(DataJointError, match="(?i)type|float16"):
        blob.pack(value)


def test_pack_unsupported_names_type() -> None:
    class Widget:
        pass

    with pytest.raises(DataJointError, match="Widget"):
        blob.pack({"w": Widget()})


def test_object_array_of_equal_shapes() -> None:
    # datajoint 2.3.5 cannot decode this (it merges the elements into a 2-d array); we keep them whole
    value = np.empty(2, dtype=object)
    value[:] = [np.arange(2), np.arange(2, 4)]
    out = blob.unpack(blob.pack(value))
    assert out.shape == (2,) and all(np.array_equal(a, b) for a, b in zip(out, value))


def test_big_endian_array() -> None:
    array = np.arange(6, dtype=">i4").reshape(2, 3)
    assert blob.pack(array) == blob.pack(array.astype("<i4"))


# --------------------------------------------------------------------------- database


def test_blob_column(schema: dj.Schema) -> None:
    @schema
    class Trace(dj.Manual):
        definition = """
        trace_id : int16
        ---
        payload = null : <blob>
        """

    values = {
        1: np.arange(5),
        2: {"gain": 2.5, "channels": [1, 2, 3], "when": datetime.date(2024, 1, 2)},
        3: np.random.default_rng(3).standard_normal((40, 50)),
        4: "text",
        5: (uuid.UUID(int=5), Decimal("1.50"), None),
    }
    for key, value in values.items():
        Trace.insert1({"trace_id": key, "payload": value})
    Trace.insert1({"trace_id": 6})
    for key, value in values.items():
        assert _same(value, (Trace & {"trace_id": key}).fetch1("payload"))
    assert (Trace & {"trace_id": 6}).fetch1("payload") is None
