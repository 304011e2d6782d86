"""A large CSV is converted once to Parquet in the user's cache dir; the copy is never stale.

An entry is found by the CSV's size, modification and change times (in nanoseconds), inode
and a hash of its first and last megabyte: an export edited in place, even to the same
size and modification time, has another change time and is converted again. While
converting, the whole file is hashed (the conversion reads it anyway) and the file must
be unchanged at the end; the hash is kept with the entry as the file's fingerprint.

An entry is `<key>.parquet` (the typed FOCUS columns of the rows that were read) and
`<key>.json` (its size, the rows rejected with their reasons, the file's sha256). Both are
written under temporary names, flushed to disk, and renamed; the `.json` is renamed last,
so an entry without it is incomplete. An entry that cannot be read is deleted and built
again; temporary files older than an hour are removed; the least recently used entries
are evicted beyond a size cap (`cache_max_bytes` in config.toml, 2 GB by default).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from finops_tui.focus.files import Cancelled, FocusError, sha256_of

LARGE_CSV_BYTES = 64 * 1024 * 1024
EDGE_BYTES = 1024 * 1024
DEFAULT_MAX_BYTES = 2 * 1024**3  # config.toml's cache_max_bytes when it does not say
PARTIAL_MAX_AGE = 3600.0  # seconds
FORMAT = 2  # the meaning of an entry; a new one makes older entries misses
FOLDER = "focus"
MAX_REJECTS_KEPT = 20

Progress = Callable[[str, float | None], None]  # what is happening, and the share done
Signature = tuple[int, int, int, int, int]


@dataclass
class Converted:
    """What converting a CSV gave: the rows written, the rows rejected and the first reasons."""

    rows: int
    rejected: int
    rejects: list[tuple[int | None, str]]  # (line, reason)


@dataclass
class Entry:
    key: str
    parquet: Path
    sha256: str
    converted: Converted


def signature(path: Path) -> Signature:
    info = path.stat()
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


def cache_key(path: Path) -> str:
    """The entry's name: the file's size, times, inode, and its first and last megabyte."""
    size = signature(path)
    digest = hashlib.sha256(f"{FORMAT}:{':'.join(map(str, size))}:".encode())
    with path.open("rb") as f:
        digest.update(f.read(EDGE_BYTES))
        f.seek(max(0, size[0] - EDGE_BYTES))
        digest.update(f.read(EDGE_BYTES))
    return digest.hexdigest()[:32]


class ParquetCache:
    """The entries in `<cache dir>/focus`, at most `max_bytes` of them (but always the newest)."""

    def __init__(self, cache_dir: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.folder = cache_dir / FOLDER
        self.max_bytes = max_bytes

    def worth(self, size: int) -> bool:
        """Whether a CSV of `size` bytes is worth converting."""
        return size >= LARGE_CSV_BYTES

    def _paths(self, key: str) -> tuple[Path, Path]:
        return self.folder / f"{key}.parquet", self.folder / f"{key}.json"

    def lookup(self, path: Path) -> Entry | None:
        """The entry for the file as it is now, or None (an unreadable entry is deleted)."""
        key = cache_key(path)
        parquet, meta = self._paths(key)
        if not meta.exists() and not parquet.exists():
            return None
        try:
            entry = self._read(key)
            os.utime(meta)  # used now: the last to be evicted
        except (OSError, ValueError, KeyError, TypeError):
            self.discard(key)
            return None
        return entry

    def _read(self, key: str) -> Entry:
        parquet, meta = self._paths(key)
        document = json.loads(meta.read_text(encoding="utf-8"))
        if document["format"] != FORMAT or parquet.stat().st_size != document["parquet_bytes"]:
            raise ValueError("not this entry")
        with parquet.open("rb") as f:
            head = f.read(4)
            f.seek(-4, os.SEEK_END)
            if head != b"PAR1" or f.read(4) != b"PAR1":
                raise ValueError("not a whole Parquet file")
        rejects = [(line, str(reason)) for line, reason in document["rejects"]]
        converted = Converted(int(document["rows"]), int(document["rejected"]), rejects)
        return Entry(key, parquet, str(document["sha256"]), converted)

    def discard(self, key: str) -> None:
        for path in self._paths(key):
            with contextlib.suppress(OSError):
                path.unlink()

    def build(
        self,
        path: Path,
        label: str,
        convert: Callable[[Path], Converted],
        cancelled: threading.Event | None = None,
    ) -> Entry | None:
        """Convert the file with `convert(parquet_path)` into a new entry; None when the
        cache cannot be written (the file is then read directly)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.sweep()
        except OSError:
            return None
        before = signature(path)
        key = cache_key(path)
        parquet, meta = self._paths(key)
        token = f"{os.getpid()}.{secrets.token_hex(4)}"
        partial = self.folder / f".{key}.{token}.parquet.partial"
        meta_partial = self.folder / f".{key}.{token}.json.partial"
        hasher = _Hasher(path, cancelled)
        try:
            converted = convert(partial)
            digest = hasher.result()
            if signature(path) != before:
                raise FocusError(
                    f"{label}: the file changed while it was read; try again once it is complete"
                )
            os.chmod(partial, 0o600)
            _flush(partial)
            document = {
                "format": FORMAT,
                "source": str(path),
                "sha256": digest,
                "parquet_bytes": partial.stat().st_size,
                "rows": converted.rows,
                "rejected": converted.rejected,
                "rejects": converted.rejects[:MAX_REJECTS_KEPT],
            }
            meta_partial.write_text(json.dumps(document), encoding="utf-8")
            os.chmod(meta_partial, 0o600)
            _flush(meta_partial)
            os.replace(partial, parquet)
            os.replace(meta_partial, meta)
            _flush(self.folder)
        except OSError:
            return None
        finally:
            hasher.stop()
            for leftover in (partial, meta_partial):
                with contextlib.suppress(OSError):
                    leftover.unlink()
        self.evict(keep=key)
        return Entry(key, parquet, digest, converted)

    def entries(self) -> list[tuple[float, int, str]]:
        """(last used, bytes, key) of each complete entry, least recently used first."""
        found = []
        for meta in self.folder.glob("*.json"):
            parquet = meta.with_suffix(".parquet")
            with contextlib.suppress(OSError):
                size = meta.stat().st_size + parquet.stat().st_size
                found.append((meta.stat().st_mtime, size, meta.stem))
        return sorted(found)

    def evict(self, keep: str | None = None) -> None:
        """Remove the least recently used entries until the cache fits its size cap."""
        entries = self.entries()
        total = sum(size for _, size, _ in entries)
        for _, size, key in entries:
            if total <= self.max_bytes:
                break
            if key != keep:
                self.discard(key)
                total -= size

    def sweep(self, max_age: float = PARTIAL_MAX_AGE) -> None:
        """Remove what interrupted conversions left: temporary files and incomplete entries
        older than `max_age` seconds."""
        now = time.time()
        for path in self.folder.iterdir():
            incomplete = path.name.endswith(".partial") or (
                path.suffix == ".parquet" and not path.with_suffix(".json").exists()
            )
            with contextlib.suppress(OSError):
                if incomplete and now - path.stat().st_mtime > max_age:
                    path.unlink()

    def usage(self) -> tuple[int, int]:
        """How many files the cache holds, and their bytes."""
        if not self.folder.is_dir():
            return 0, 0
        sizes = [p.stat().st_size for p in self.folder.iterdir() if p.is_file()]
        return len(sizes), sum(sizes)

    def clear(self) -> tuple[int, int]:
        """Remove every file of the cache; how many files and bytes were removed."""
        files = removed = 0
        if not self.folder.is_dir():
            return 0, 0
        for path in self.folder.iterdir():
            with contextlib.suppress(OSError):
                size = path.stat().st_size
                path.unlink()
                files, removed = files + 1, removed + size
        return files, removed


def _flush(path: Path) -> None:
    """Make what was written to `path` (a file or a folder) durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _Hasher:
    """The whole file's sha256, computed in a thread while the conversion reads it too."""

    def __init__(self, path: Path, cancelled: threading.Event | None) -> None:
        self._stop = threading.Event()
        self._cancelled = cancelled
        self._digest: str | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(path,), daemon=True)
        self._thread.start()

    def _run(self, path: Path) -> None:
        try:
            self._digest = sha256_of(path, self._stop)
        except (OSError, Cancelled) as exc:
            self._error = exc

    def _watch(self) -> None:
        if self._cancelled is not None and self._cancelled.is_set():
            self._stop.set()

    def result(self) -> str:
        while self._thread.is_alive():
            self._watch()
            self._thread.join(0.05)
        if self._error is not None:
            if isinstance(self._error, OSError):
                raise self._error
            raise Cancelled
        assert self._digest is not None
        return self._digest

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
