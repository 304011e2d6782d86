"""Exactly the cost-data files named: resolved, de-duplicated, checked, and fingerprinted.

Folders are expanded here, in Python, to the regular, non-hidden files with a known
extension (`._` sidecars are hidden files too). Every path reaches DuckDB as a literal
file name: a name DuckDB would read as a pattern (`report[1].csv`, `*`, `?`, `{`, a
leading `~`) is read through a link with a plain name in a private temporary folder.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import hashlib
import os
import shutil
import stat
import tempfile
import threading
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

SUFFIXES = (".csv", ".csv.gz", ".parquet")
HASH_PREFIX = 12
CHUNK = 1 << 20
HEAD_BYTES = 4096
# Characters DuckDB reads as a pattern or a scheme in a file name.
PATTERN_CHARACTERS = frozenset("*?[]{}\\")


class FocusError(Exception):
    """Cost data that cannot be used, with a message that says why and what to do."""


def shown(text: object) -> str:
    """A file name (or any text) safe to print: control characters shown, not obeyed."""
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in str(text))


@dataclass
class CostFile:
    """One file of cost data: where it really is, and the name people know it by."""

    path: Path  # resolved: no symbolic link, absolute
    name: str  # as named: the file's name, or its path inside the folder named
    size: int
    sha256: str | None = None  # the whole file's, once computed
    uri: str | None = None  # a file only the Spark cluster reads: its URI (not hashed here)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def kind(self) -> str:
        return suffix(self.path) or ""

    @property
    def label(self) -> str:
        return shown(self.name)

    def fingerprint(self, cancelled: threading.Event | None = None) -> str:
        """The sha256 of the whole file (computed once)."""
        with self._lock:
            if self.sha256 is None:
                self.sha256 = sha256_of(self.path, cancelled)
            return self.sha256

    def describe(self) -> str:
        """`name (1,234 bytes, sha256:3f9a1c2b4d5e)`: what a figure was computed from."""
        digest = (self.sha256 or "?")[:HASH_PREFIX]
        return f"{self.label} ({self.size:,} bytes, sha256:{digest})"


class Cancelled(FocusError):
    """The user stopped the work."""

    def __init__(self) -> None:
        super().__init__("cancelled")


def sha256_of(path: Path, cancelled: threading.Event | None = None) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            if cancelled is not None and cancelled.is_set():
                raise Cancelled
            digest.update(chunk)
    return digest.hexdigest()


def suffix(path: Path | str) -> str | None:
    name = str(path).lower()
    return next((s for s in SUFFIXES if name.endswith(s)), None)


def find_files(paths: Iterable[Path]) -> list[CostFile]:
    """The cost-data files named, or found in the folders named: each file once, in order."""
    paths = list(paths)
    found: list[CostFile] = []
    seen: set[tuple[int, int]] = set()

    def add(real: Path, name: str, info: os.stat_result) -> None:
        if (info.st_dev, info.st_ino) not in seen:
            seen.add((info.st_dev, info.st_ino))
            found.append(CostFile(real, name, info.st_size))

    for path in paths:
        try:
            real = Path(os.path.realpath(path, strict=True))
            info = real.stat()
        except OSError:
            raise FocusError(f"{shown(path)}: no such file or folder") from None
        if stat.S_ISDIR(info.st_mode):
            for member, name in _walk(real):
                with contextlib.suppress(OSError):  # vanished or a broken link: not a file
                    target = Path(os.path.realpath(member, strict=True))
                    member_info = target.stat()
                    if stat.S_ISREG(member_info.st_mode):
                        add(target, name, member_info)
        elif not stat.S_ISREG(info.st_mode):
            raise FocusError(f"{shown(path)}: not a regular file")
        elif not suffix(path) and not suffix(real):
            raise FocusError(f"{shown(path)}: not a CSV, CSV.gz or Parquet file")
        else:
            add(real, path.name, info)
    if not found:
        raise FocusError("no CSV, CSV.gz or Parquet files in " + ", ".join(shown(p) for p in paths))
    return found


def _walk(folder: Path) -> list[tuple[Path, str]]:
    """The non-hidden files with a known extension under `folder` (not through linked
    folders), with their path inside it, sorted."""
    out = []
    for root, folders, names in os.walk(folder):
        folders[:] = sorted(f for f in folders if not f.startswith("."))
        for name in names:
            if not name.startswith(".") and suffix(name):
                member = Path(root) / name
                out.append((member, member.relative_to(folder).as_posix()))
    return sorted(out, key=lambda pair: pair[1])


# -- checks before DuckDB reads a file ------------------------------------------------------


def check_file(file: CostFile) -> None:
    """Refuse, with the real cause, a file DuckDB would misread or fail on obscurely."""
    where = file.label
    if file.size == 0:
        raise FocusError(f"{where}: the file is empty")
    try:
        with file.path.open("rb") as f:
            head = f.read(HEAD_BYTES)
            if file.kind == ".parquet":
                f.seek(max(0, file.size - 4))
                tail = f.read(4)
    except OSError as exc:
        raise FocusError(f"{where}: cannot read: {exc.strerror or exc}") from None
    if file.kind == ".parquet":
        if not head.startswith(b"PAR1"):
            raise FocusError(f"{where}: not a Parquet file")
        if tail != b"PAR1" or file.size < 12:
            raise FocusError(f"{where}: the Parquet file is cut short (no footer)")
        return
    if file.kind == ".csv.gz":
        head = _gunzip_head(file)
    _check_text(where, head)


def _gunzip_head(file: CostFile) -> bytes:
    where = file.label
    with file.path.open("rb") as f:
        magic = f.read(2)
    if magic != b"\x1f\x8b":
        raise FocusError(f"{where}: not a gzip file (the name ends in .gz)")
    try:
        with gzip.open(file.path, "rb") as f:
            head = f.read(HEAD_BYTES)
    except EOFError:
        raise FocusError(f"{where}: the gzip data is cut short") from None
    except (OSError, zlib.error) as exc:
        raise FocusError(f"{where}: the gzip data is damaged ({exc})") from None
    if not head:
        raise FocusError(f"{where}: the file is empty")
    return head


_UTF16 = (b"\xff\xfe", b"\xfe\xff")


def _check_text(where: str, head: bytes) -> None:
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise FocusError(f"{where}: UTF-32 text, not UTF-8; export the CSV as UTF-8")
    if head.startswith(_UTF16):
        raise FocusError(f"{where}: UTF-16 text, not UTF-8; export the CSV as UTF-8")
    if b"\x00" in head:
        raise FocusError(f"{where}: line 1: NUL bytes: not UTF-8 text (UTF-16?)")
    first_line = head.split(b"\n", 1)[0]
    try:
        first_line.decode("utf-8")
    except UnicodeDecodeError as exc:
        if b"\n" in head or exc.end < len(first_line):  # not a character cut by the read
            raise FocusError(f"{where}: line 1: not UTF-8 text") from None


def longest_line(file: CostFile, limit: int) -> tuple[int, int] | None:
    """The first line longer than `limit` bytes: (line number, length), or None."""
    with gzip.open(file.path) if file.kind == ".csv.gz" else file.path.open("rb") as f:
        for number, line in enumerate(f, 1):
            if len(line.rstrip(b"\r\n")) > limit:
                return number, len(line.rstrip(b"\r\n"))
    return None


def empty_cells(
    file: CostFile, column: str, dialect: tuple[str, str, str], limit: int
) -> list[int]:
    """The lines (up to `limit`) of the CSV's rows whose `column` is empty or NULL, read
    with the (delimiter, quote, escape) DuckDB found."""
    delimiter, quote, escape = dialect
    doubled = escape in ("", quote)
    with _open_text(file) as f:
        rows = csv.reader(
            f,
            delimiter=delimiter or ",",
            quotechar=quote or None,
            quoting=csv.QUOTE_MINIMAL if quote else csv.QUOTE_NONE,
            doublequote=doubled,
            escapechar=None if doubled else escape,
        )
        header = next(rows, [])
        if column not in header:
            return []
        index, lines, start = header.index(column), [], rows.line_num + 1
        for row in rows:
            if index < len(row) and row[index].strip() in ("", "NULL", "null"):
                lines.append(start)
                if len(lines) >= limit:
                    break
            start = rows.line_num + 1
    return lines


def _open_text(file: CostFile) -> TextIO:
    if file.kind == ".csv.gz":
        return gzip.open(file.path, "rt", encoding="utf-8-sig", errors="replace", newline="")
    return file.path.open(encoding="utf-8-sig", errors="replace", newline="")


# -- literal names for DuckDB ---------------------------------------------------------------


def is_literal(path: Path | str) -> bool:
    """True when DuckDB reads `path` as exactly that file name."""
    text = str(path)
    return os.path.isabs(text) and not PATTERN_CHARACTERS & set(text) and "://" not in text


class LiteralNames:
    """Names DuckDB cannot read as patterns: the path itself, or a link to it in a private
    temporary folder (`scratch()`, where DuckDB may also spill), removed by `close()`."""

    def __init__(self) -> None:
        self._folder: Path | None = None
        self._names: dict[Path, Path] = {}
        self.originals: dict[str, str] = {}  # a link's name -> the file's name, shown

    def __call__(self, path: Path, kind: str) -> str:
        """A name DuckDB reads as exactly the file at `path` (whose kind is `kind`)."""
        if is_literal(path):
            return str(path)
        return self.link(path, kind)

    def link(self, path: Path, kind: str) -> str:
        """A link with a plain name (`3.csv`) to the file at `path`: for an engine that also
        skips names starting with `_` or `.`, or misreads `:` (Spark)."""
        if path not in self._names:
            folder = self.scratch()
            link = folder / f"{len(self._names)}{kind}"
            link.symlink_to(path)
            self._names[path] = link
            self.originals[str(link)] = shown(path)
        return str(self._names[path])

    def scratch(self) -> Path:
        """The private temporary folder (made now if needed)."""
        if self._folder is None:
            for base in (tempfile.gettempdir(), "/tmp"):
                folder = Path(tempfile.mkdtemp(prefix="finops-tui-", dir=base))
                if is_literal(folder):
                    self._folder = folder
                    break
                folder.rmdir()
            else:
                raise FocusError("no temporary folder with a plain name to read the files from")
        return self._folder

    def restore(self, message: str) -> str:
        """A DuckDB message with the links' names replaced by the files' labels."""
        for link, label in self.originals.items():
            message = message.replace(link, label)
        return message

    def close(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
            self._names.clear()
