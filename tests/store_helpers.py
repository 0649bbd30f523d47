"""Store fixtures: a local folder store and an S3 API served on localhost by moto (server mode).

The moto server starts once per session on a free port, so no CI step is needed; without
moto installed the S3 tests skip (CI installs the test extra, which has it).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

import datajoint_sa as dj

S3_KEYS = {"access_key": "testing-key", "secret_key": "testing-secret"}


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """host:port of a moto S3 server with one bucket, ``djtest``."""
    server_module = pytest.importorskip("moto.server", reason="moto[server] is needed for the S3 store tests")
    pytest.importorskip("s3fs", reason="s3fs is needed for the S3 store tests")
    port = free_port()
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"127.0.0.1:{port}"
    import boto3

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    client = boto3.client("s3", endpoint_url=f"http://{endpoint}", region_name="us-east-1",
                          aws_access_key_id=S3_KEYS["access_key"], aws_secret_access_key=S3_KEYS["secret_key"])
    client.create_bucket(Bucket="djtest")
    try:
        yield endpoint
    finally:
        server.stop()


def store_settings(kind: str, tmp_path: Any, endpoint: str | None = None, **extra: Any) -> dict[str, Any]:
    """A store configuration of ``kind`` (``file`` or ``s3``), in a fresh folder or key prefix."""
    if kind == "file":
        folder = tmp_path / "store"
        folder.mkdir(exist_ok=True)
        return {"protocol": "file", "location": str(folder), **extra}
    return {"protocol": "s3", "endpoint": endpoint, "bucket": "djtest", "location": f"t{uuid.uuid4().hex[:8]}",
            "secure": False, **S3_KEYS, **extra}


@contextlib.contextmanager
def stores(**named: dict[str, Any]) -> Iterator[None]:
    """Use ``named`` as dj.config['stores'] (the first one is the default) inside the block."""
    saved = dj.config["stores"]
    dj.config["stores"] = {"default": next(iter(named)), **named}
    try:
        yield
    finally:
        dj.config["stores"] = saved
