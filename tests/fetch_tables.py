"""The table of every core type that the fetch tests share."""

from __future__ import annotations

import datetime
import decimal
import uuid

import datajoint_sa as dj

U1 = uuid.UUID("12345678-1234-5678-1234-567812345678")
TRICKY = 'a, "quoted"\nline'  # commas, quotes and a newline: CSV-shaped text must survive
DEFINITION = """
id : int16
---
small = null : int16
whole : int32
big = null : int64
ratio = null : float64
single = null : float32
flag = null : bool
price = null : decimal(8,2)
label = null : varchar(20)
note = null : varchar(40)
code = null : char(3)
mood = null : enum('happy', 'sad')
day = null : date
stamp = null : datetime(6)
uid = null : uuid
meta = null : json
raw = null : bytes
"""
FIRST = dict(id=1, small=-3, whole=10, big=2**40, ratio=1.5, single=0.25, flag=True, price=decimal.Decimal("12.34"),
             label="alpha", note=TRICKY, code="abc", mood="happy", day=datetime.date(2024, 1, 2),
             stamp=datetime.datetime(2024, 1, 2, 3, 4, 5, 250000), uid=U1, meta={"a": [1, 2]}, raw=b"\x00\x01")
ROWS = [FIRST, dict(id=2, whole=20, note="", meta="bare string"),
        dict(id=3, small=7, whole=30, ratio=-2.0, flag=False, label="gamma", meta=[1, "x"])]


def declare_typed(schema: dj.Schema) -> type:
    """Declare the table in ``schema`` and fill it with :data:`ROWS`."""
    table = schema(type("Typed", (dj.Manual,), {"definition": DEFINITION}))
    for row in ROWS:  # rows naming different attributes go in separate inserts, as DataJoint requires
        table.insert1(row)
    return table
