"""Objects written to a store by datajoint 2.3.5 are read by datajoint_sa, and the other way round.

Both sides share one local-folder store; the metadata a row would hold travels as JSON
between the two interpreters, so no database is needed.  Runs the reference via
/work/refenv/bin/python (DJ_REFERENCE_PYTHON); skipped when it is not installed.
"""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from pathlib import Path

import numpy as np
import pytest

import datajoint_sa as dj
from datajoint_sa.codecs import decoder_for, encoder_for
from datajoint_sa.types import parse_type

REFERENCE_PYTHON = os.environ.get("DJ_REFERENCE_PYTHON", "/work/refenv/bin/python")
SCHEMA = "interop_lab"

# Runs in the reference interpreter: argv = store folder, work folder, mode ("write" or "read").
REFERENCE_SCRIPT = textwrap.dedent(
    """
    import json, sys, pathlib
    import numpy as np
    import datajoint as dj
    from datajoint.builtin_codecs import AttachCodec, BlobCodec, HashCodec, NpyCodec, ObjectCodec

    store, work, mode = sys.argv[1:4]
    dj.config["stores"] = {"default": "main", "main": {"protocol": "file", "location": store}}
    dj.config["download_path"] = work + "/ref_downloads"
    ctx = lambda field: {"schema": "interop_lab", "table": "session", "field": field, "config": dj.config}
    if mode == "write":
        pathlib.Path(work, "ref_attach.txt").write_bytes(b"from the reference")
        folder = pathlib.Path(work, "ref_folder"); (folder / "sub").mkdir(parents=True, exist_ok=True)
        (folder / "sub" / "x.txt").write_text("X")
        out = {
            "hash": HashCodec().encode(b"raw\\x00bytes", context=ctx("h"), store_name="main"),
            "blob": HashCodec().encode(BlobCodec().encode({"a": np.arange(6.0).reshape(2, 3), "b": [1, "two"]}),
                                       context=ctx("b"), store_name=None),
            "attach": HashCodec().encode(AttachCodec().encode(str(pathlib.Path(work, "ref_attach.txt"))),
                                         context=ctx("a"), store_name="main"),
            "npy": NpyCodec().encode(np.arange(10, dtype="<i4").reshape(2, 5), key={"session": 4},
                                     context=ctx("n"), store_name="main"),
            "object": ObjectCodec().encode(b"object bytes", key={"session": 4}, context=ctx("o"), store_name="main"),
            "folder": ObjectCodec().encode(str(folder), key={"session": 4}, context=ctx("f"), store_name="main"),
        }
        json.dump(out, sys.stdout)
    else:
        meta = json.load(sys.stdin)
        blob = BlobCodec().decode(HashCodec().decode(meta["blob"]))
        attach = AttachCodec().decode(HashCodec().decode(meta["attach"]))
        folder = ObjectCodec().decode(meta["folder"])
        json.dump({
            "hash": HashCodec().decode(meta["hash"]).hex(),
            "blob": [blob["a"].tolist(), blob["b"]],
            "attach": [pathlib.Path(attach).name, pathlib.Path(attach).read_text()],
            "npy": NpyCodec().decode(meta["npy"]).load().tolist(),
            "object": ObjectCodec().decode(meta["object"]).read().decode(),
            "folder": [sorted(folder.listdir()), folder.open("sub/x.txt").read().decode()],
        }, sys.stdout)
    """
)


def _reference(mode: str, store: Path, work: Path, stdin: str = "") -> dict:
    if not Path(REFERENCE_PYTHON).exists():
        pytest.skip(f"reference interpreter {REFERENCE_PYTHON} not found (set DJ_REFERENCE_PYTHON)")
    result = subprocess.run([REFERENCE_PYTHON, "-c", REFERENCE_SCRIPT, str(store), str(work), mode],
                            input=stdin, capture_output=True, text=True, timeout=120)
    if result.returncode:
        pytest.fail(f"reference interpreter failed:\n{result.stderr}")
    return json.loads(result.stdout)


@pytest.fixture
def shared_store(tmp_path: Path):
    store = tmp_path / "store"
    store.mkdir()
    saved = dj.config["stores"], dj.config["download_path"]
    dj.config["stores"] = {"default": "main", "main": {"protocol": "file", "location": str(store)}}
    dj.config["download_path"] = str(tmp_path / "our_downloads")
    yield store
    dj.config["stores"], dj.config["download_path"] = saved


def _decode(type_text: str, metadata: dict):
    return decoder_for(parse_type(type_text))(json.dumps(metadata))


def _encode(type_text: str, value, field: str):
    context = {"schema": SCHEMA, "table": "session", "field": field}
    return encoder_for(parse_type(type_text), context)(value, {"session": 4})


def test_reference_objects_read_by_us(shared_store: Path, tmp_path: Path) -> None:
    meta = _reference("write", shared_store, tmp_path)
    assert meta["blob"]["path"].startswith(f"_hash/{SCHEMA}/")
    assert _decode("<hash@main>", meta["hash"]) == b"raw\x00bytes"
    blob = _decode("<blob@>", meta["blob"])
    assert blob["a"].tolist() == np.arange(6.0).reshape(2, 3).tolist() and blob["b"] == [1, "two"]
    attach = Path(_decode("<attach@main>", meta["attach"]))
    assert attach.name == "ref_attach.txt" and attach.read_bytes() == b"from the reference"
    npy = _decode("<npy@main>", meta["npy"])
    assert npy.shape == (2, 5) and np.asarray(npy).tolist() == np.arange(10).reshape(2, 5).tolist()
    assert _decode("<object@main>", meta["object"]).read() == b"object bytes"
    folder = _decode("<object@main>", meta["folder"])
    assert folder.is_dir and folder.listdir() == ["sub"] and folder.open("sub/x.txt").read() == b"X"


def test_our_objects_read_by_reference(shared_store: Path, tmp_path: Path) -> None:
    (tmp_path / "our_attach.txt").write_bytes(b"from datajoint_sa")
    folder = tmp_path / "our_folder"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "x.txt").write_text("Y")
    meta = {
        "hash": _encode("<hash@main>", b"\x01\x02", "h"),
        "blob": _encode("<blob@>", {"a": np.arange(6.0).reshape(2, 3), "b": [1, "two"]}, "b"),
        "attach": _encode("<attach@main>", str(tmp_path / "our_attach.txt"), "a"),
        "npy": _encode("<npy@main>", np.arange(10, dtype="<i4").reshape(2, 5), "n"),
        "object": _encode("<object@main>", b"our object", "o"),
        "folder": _encode("<object@main>", str(folder), "f"),
    }
    assert meta["npy"]["path"].startswith(f"_schema/{SCHEMA}/session/session=4/n_")
    seen = _reference("read", shared_store, tmp_path, json.dumps(meta))
    assert seen["hash"] == "0102"
    assert seen["blob"] == [np.arange(6.0).reshape(2, 3).tolist(), [1, "two"]]
    assert seen["attach"] == ["our_attach.txt", "from datajoint_sa"]
    assert seen["npy"] == np.arange(10).reshape(2, 5).tolist()
    assert seen["object"] == "our object"
    assert seen["folder"] == [["sub"], "Y"]


# -- rows in a database: a table declared and filled by one library, read by the other ---------------

TABLE_SCRIPT = textwrap.dedent(
    """
    import json, sys, warnings
    warnings.simplefilter("ignore")
    import numpy as np
    import datajoint as dj
    backend, host, port, user, store, schema_name, mode = sys.argv[1:8]
    for name, value in {"database.host": host, "database.port": int(port), "database.user": user,
                        "database.password": ""}.items():
        dj.config[name] = value
    if backend == "postgresql":
        dj.config["database.backend"] = "postgresql"
    dj.config["stores"] = {"default": "main", "main": {"protocol": "file", "location": store}}
    schema = dj.Schema(schema_name)

    @schema
    class Rec(dj.Manual):
        definition = '''
        rec_id : int32
        ---
        b : <blob@main>
        n : <npy@main>
        o : <object@main>
        '''

    if mode == "write":
        Rec.insert1(dict(rec_id=1, b={"x": np.arange(4.0)}, n=np.eye(2), o=b"reference object"))
    else:
        r = (Rec & {"rec_id": 2}).fetch1()
        print("RESULT", json.dumps([r["b"], np.asarray(r["n"]).tolist(), r["o"].read().decode()]))
    """
)


def _table_reference(connection, store: Path, schema_name: str, mode: str) -> str:
    if not Path(REFERENCE_PYTHON).exists():
        pytest.skip(f"reference interpreter {REFERENCE_PYTHON} not found (set DJ_REFERENCE_PYTHON)")
    url = connection.url
    default_port = {"postgresql": 5432}.get(connection.dialect_name, 3306)
    args = [connection.dialect_name, url.host, str(url.port or default_port), url.username or "", str(store), schema_name, mode]
    result = subprocess.run([REFERENCE_PYTHON, "-c", TABLE_SCRIPT, *args], capture_output=True, text=True, timeout=120)
    if result.returncode:
        pytest.fail(f"reference interpreter failed:\n{result.stderr[-3000:]}")
    return result.stdout


def test_store_rows_cross_the_libraries(connection, backend, shared_store: Path) -> None:
    if backend == "sqlite":
        pytest.skip("datajoint 2.3.5 has no SQLite backend")
    schema = dj.Schema(f"interop_rows_{os.getpid()}", connection=connection)
    try:
        @schema
        class Rec(dj.Manual):
            definition = """
            rec_id : int32
            ---
            b : <blob@main>
            n : <npy@main>
            o : <object@main>
            """

        if backend == "postgresql":  # on MySQL, 2.3.5 itself fails to insert its JSON metadata
            _table_reference(connection, shared_store, schema.database, "write")
            row = (Rec & {"rec_id": 1}).fetch1()
            assert row["b"]["x"].tolist() == [0.0, 1.0, 2.0, 3.0]
            assert np.asarray(row["n"]).tolist() == np.eye(2).tolist() and row["o"].read() == b"reference object"
        Rec.insert1(dict(rec_id=2, b=[1, "two"], n=np.arange(3), o=b"our object"))
        output = _table_reference(connection, shared_store, schema.database, "read")
        seen = json.loads(next(line[7:] for line in output.splitlines() if line.startswith("RESULT ")))
        assert seen == [[1, "two"], [0, 1, 2], "our object"]
    finally:
        schema.drop(prompt=False)
