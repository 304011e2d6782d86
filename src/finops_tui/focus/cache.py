"""A large CSV is converted once to Parquet in the user's cache dir, with progress.

The cached file is keyed by the CSV's size, modification time and a hash of its first
megabyte, so an edited or replaced export is converted again; a cache that cannot be
written is skipped (the CSV is then read directly). The Parquet file holds the FOCUS
columns already typed, so every later KPI reads it at Parquet speed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

LARGE_CSV_BYTES = 64 * 1024 * 1024
FIRST_BYTES = 1024 * 1024
POLL_SECONDS = 0.1

Progress = Callable[[str, float | None], None]  # what is happening, and the share done


def cache_key(path: Path) -> str:
    stat = path.stat()
    with path.open("rb") as f:
        head = hashlib.sha256(f.read(FIRST_BYTES)).hexdigest()
    return hashlib.sha256(f"{stat.st_size}:{stat.st_mtime_ns}:{head}".encode()).hexdigest()[:24]


def cached_parquet(
    csv_path: Path,
    cache_dir: Path,
    typed_select: Callable[[duckdb.DuckDBPyRelation, str], str | None],
    progress: Progress,
    cancelled: threading.Event | None = None,
) -> Path | None:
    """The Parquet copy of a CSV (made now if needed), or None when it cannot be made.

    `typed_select(relation, name)` is the SELECT that types the columns of `relation`
    (registered as `name`), or None when it is not FOCUS data.
    """
    import duckdb

    target = cache_dir / "focus" / f"{cache_key(csv_path)}.parquet"
    if target.exists():
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    literal = "'" + str(csv_path).replace("'", "''") + "'"
    connection.execute(
        f"CREATE TEMP VIEW source AS SELECT * FROM read_csv({literal}, header = true, "
        "all_varchar = true, nullstr = ['NULL', 'null', ''])"
    )
    query = typed_select(connection.sql("SELECT * FROM source"), "source")
    if query is None:
        connection.close()
        return None
    out = "'" + str(partial).replace("'", "''") + "'"
    error: list[BaseException] = []

    def convert() -> None:
        try:
            connection.execute(f"COPY ({query}) TO {out} (FORMAT parquet)")
        except BaseException as exc:  # reported below, in the calling thread
            error.append(exc)

    what = f"Converting {csv_path.name} to Parquet (once, for speed)…"
    progress(what, 0.0)
    worker = threading.Thread(target=convert, daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(POLL_SECONDS)
        if cancelled is not None and cancelled.is_set():
            connection.interrupt()
        done = connection.query_progress()
        share = done / 100 if done is not None and done >= 0 else None
        progress(what, share)
    connection.close()
    if error or (cancelled is not None and cancelled.is_set()):
        with contextlib.suppress(OSError):
            partial.unlink()
        return None
    os.replace(partial, target)
    progress(what, 1.0)
    return target
