"""Fetching: query rows as dicts, NumPy arrays, pandas/polars frames, Arrow tables; display.

Modules, from the database outwards:

* :mod:`.source` runs one SELECT and streams raw driver tuples in batches;
  :mod:`.convert` says which columns need converting (SQLite dates, 0/1 bools, codecs).
* :mod:`.rows` (dicts, single rows, cursors) and :mod:`.arrays` (NumPy) build on it.
* :mod:`.arrow` builds typed Arrow tables: through :mod:`.sqlite_columns` (a compiled
  reader) on SQLite, :mod:`.lines` (server-made CSV lines) on PostgreSQL and MySQL, and
  :mod:`.adbc` where an ADBC driver is installed; :mod:`.frames` turns them into pandas.
* :mod:`.display` renders the text and HTML previews; :mod:`.api` is the mixin that gives
  every query expression these methods.
"""
