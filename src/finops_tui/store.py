"""Reads and writes iteration files: atomic, deterministic, private, and never over another's work.

The only module that touches the data dir. Every unreadable file becomes a `LoadProblem`
instead of an exception, so one bad file never hides the others. The model (and with it
pydantic) is imported where a file is first parsed, so the app paints before loading it.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import stat
import string
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from finops_tui import toml_writer
from finops_tui.terms import SCHEMA_VERSION, validate_id

if TYPE_CHECKING:
    from finops_tui.model import Iteration

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; the conflict check still runs.
    fcntl = None  # type: ignore[assignment]

ITERATIONS = "iterations"
TRASH = "trash"
SUFFIX = ".toml"
MAX_FILE_BYTES = 16 * 1024 * 1024
STALE_TEMP_SECONDS = 3600
_ID_ALPHABET = string.ascii_lowercase + string.digits
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


class StoreError(Exception):
    """A file could not be read or written; the message names the file and the reason."""


class NotAFile(StoreError):
    """A path that is not a regular file that may be read (a FIFO, a device, a link loop, …)."""


class InvalidIdError(StoreError, ValueError):
    """An id that must not become part of a path."""


class ConflictError(StoreError):
    """The file changed on disk since it was read: saving would overwrite someone's work."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class ProblemKind(StrEnum):
    """Why a file could not be loaded."""

    SYNTAX = "syntax"
    INVALID = "invalid"
    NEWER_SCHEMA = "newer-schema"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class LoadProblem:
    """A file that could not be loaded, and why. The file itself is left untouched."""

    path: Path
    kind: ProblemKind
    message: str
    details: tuple[str, ...] = ()
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"


class LoadError(StoreError):
    """Raised by `Store.load` for a file that cannot be loaded."""

    def __init__(self, problem: LoadProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass
class Loaded:
    """Everything in the data dir: the iterations (newest first) and the files that failed."""

    iterations: list[Iteration] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)

    @property
    def next_number(self) -> int:
        return max((it.number for it in self.iterations), default=0) + 1

    def get(self, iteration_id: str) -> Iteration | None:
        return next((it for it in self.iterations if it.id == iteration_id), None)


def newest_first(iterations: list[Iteration]) -> list[Iteration]:
    return sorted(iterations, key=lambda it: (it.number, it.starts, it.id), reverse=True)


class Store:
    """The iteration files of one data dir."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        # sha256 of each file as this store last read or wrote it; None = known absent.
        self._seen: dict[str, str | None] = {}
        self._holding = threading.local()  # how deep this thread is in `_locked`

    @property
    def iterations_dir(self) -> Path:
        return self.data_dir / ITERATIONS

    @property
    def trash_dir(self) -> Path:
        return self.data_dir / TRASH

    def path_of(self, iteration_id: str) -> Path:
        """The file of an iteration; the id is checked before it becomes part of a path."""
        try:
            validate_id(iteration_id, "iteration id")
        except ValueError as exc:
            raise InvalidIdError(str(exc)) from None
        return self.iterations_dir / f"{iteration_id}{SUFFIX}"

    # -- reading ------------------------------------------------------------------------------

    def files(self) -> list[Path]:
        """The iteration files, by name; hidden files (such as unfinished saves) are skipped."""
        self._check_data_dir()
        try:
            entries = list(self.iterations_dir.iterdir())
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StoreError(f"{self.iterations_dir}: cannot list: {_reason(exc)}") from None
        files = (p for p in entries if p.suffix == SUFFIX and not p.name.startswith("."))
        return sorted(files, key=lambda p: p.name)  # one directory: by name, quickly

    def fingerprint(self) -> dict[str, tuple[int, int, int, int]]:
        """Each iteration file's name with its size, modification time, inode and change time:
        a cheap way to see that a file came, changed or went (never raises)."""
        out: dict[str, tuple[int, int, int, int]] = {}
        try:
            with os.scandir(self.iterations_dir) as entries:
                for entry in entries:
                    name = entry.name
                    if not name.endswith(SUFFIX) or name.startswith("."):
                        continue
                    with contextlib.suppress(OSError):
                        st = entry.stat()
                        out[name] = (st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)
        except OSError:
            pass
        return out

    def holds(self, iteration_id: str, *, locked: bool = True) -> bool:
        """Whether the iteration's file holds exactly what this store last read or wrote (and
        so was not changed by anyone else since). `locked=False` skips the data dir's lock: a
        save by this store under way may then look like someone else's."""
        path = self.path_of(iteration_id)
        with self._locked() if locked else contextlib.nullcontext():
            try:
                current = _read_bytes(path, self.data_dir)
            except StoreError:
                return False
            expected = self._seen.get(iteration_id, "unknown")
            return expected == (None if current is None else _digest(current))

    def load_all(self) -> Loaded:
        """Load every iteration file; a file that fails is reported, never fatal."""
        loaded = Loaded()
        for path in self.files():
            result = self.read(path)
            if isinstance(result, LoadProblem):
                loaded.problems.append(result)
            else:
                loaded.iterations.append(result)
        loaded.iterations = newest_first(loaded.iterations)
        return loaded

    def load(self, iteration_id: str) -> Iteration:
        """Load one iteration (raises LoadError with the problem)."""
        path = self.path_of(iteration_id)
        result = self.read(path)
        if isinstance(result, LoadProblem):
            raise LoadError(result)
        return result

    def read(self, path: Path) -> Iteration | LoadProblem:
        """One iteration file, or the problem that stops it loading (never raises, never blocks).

        Only a regular file is opened; a link is followed one level, to a file inside the
        data dir; a FIFO, socket, device, directory or link loop is a problem with its reason.
        """

        def problem(kind: ProblemKind, message: str, **kw: Any) -> LoadProblem:
            return LoadProblem(path, kind, message, **kw)

        try:
            data = read_regular(
                path, MAX_FILE_BYTES, what="an iteration file", links_within=self.data_dir
            )
        except FileNotFoundError:
            return problem(ProblemKind.UNREADABLE, "no such file")
        except NotAFile as exc:
            return problem(ProblemKind.UNREADABLE, str(exc))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            return problem(
                ProblemKind.UNREADABLE,
                f"is not UTF-8 text (byte {exc.start}); is this an iteration file?",
            )
        if not text.strip():
            return problem(ProblemKind.INVALID, "is empty")
        # The standard library's tomllib, compiled (the same code, TOML 1.0): it parses an
        # iteration in a third of the time, which the first listing of a long history needs.
        import tomli

        try:
            document = tomli.loads(text)
        except tomli.TOMLDecodeError as exc:
            message = str(exc)
            line = column = None
            if match := _TOML_POSITION.search(message):
                line, column = int(match[1]), int(match[2])
                message = _TOML_POSITION.sub("", message).strip()
            return problem(
                ProblemKind.SYNTAX,
                f"TOML syntax error: {message}"
                + (f" (line {line}, column {column})" if line else ""),
                line=line,
                column=column,
            )
        version = document.get("schema_version")
        if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
            return problem(
                ProblemKind.NEWER_SCHEMA,
                f"schema_version {version} is newer than this finops-tui understands "
                f"({SCHEMA_VERSION}); upgrade finops-tui to open it. The file is left as it is.",
            )
        from pydantic import ValidationError

        from finops_tui.model import Iteration, describe_errors

        try:
            iteration = Iteration.from_document(document)
        except ValidationError as exc:
            details = tuple(describe_errors(exc))
            line = line_of(text, details[0])
            return problem(ProblemKind.INVALID, details[0], details=details, line=line)
        if path.stem != iteration.id:
            return problem(
                ProblemKind.INVALID,
                f"id {iteration.id!r} does not match the file name; rename the file to "
                f"{iteration.id}{SUFFIX} or change the id",
            )
        self._seen[iteration.id] = _digest(data)
        return iteration

    # -- writing ------------------------------------------------------------------------------

    def render(self, iteration: Iteration) -> bytes:
        """The bytes an iteration is saved as: the same iteration always gives the same bytes."""
        return toml_writer.dumps(iteration.to_document()).encode("utf-8")

    def save(self, iteration: Iteration) -> bool:
        """Save atomically; returns False when the file already held exactly these bytes.

        Raises ConflictError when the file changed on disk since this store last read or wrote
        it, and StoreError for anything the disk refuses. The iteration in memory is untouched.
        """
        path, data = self._rendered(iteration)
        self._ensure_dirs()
        with self._locked():
            written = self._write_checked(iteration.id, path, data)
        self._remove_stale_temps()
        return written

    def create(self, iteration: Iteration, number: Callable[[], int]) -> None:
        """Write a new iteration's file, numbered under the data dir's lock: `number()` is
        asked while no other instance can create one, so two never get the same number.
        Raises like `save` (ConflictError when a file with its id exists)."""
        self._ensure_dirs()
        with self._locked():
            iteration.number = number()
            path, data = self._rendered(iteration)
            self._write_checked(iteration.id, path, data)

    def _rendered(self, iteration: Iteration) -> tuple[Path, bytes]:
        """The file an iteration goes to and its bytes, once its rules are checked."""
        if iteration.schema_version > SCHEMA_VERSION:
            raise StoreError(
                f"{iteration.id}: will not write a schema {iteration.schema_version} file"
            )
        from pydantic import ValidationError

        from finops_tui.model import describe_errors

        try:
            checked = iteration.validated()
        except ValidationError as exc:
            raise StoreError(
                f"{iteration.id}: not saved, the iteration breaks a rule: "
                + "; ".join(describe_errors(exc))
            ) from None
        path = self.path_of(checked.id)
        try:
            return path, self.render(checked)
        except ValueError as exc:
            raise StoreError(f"{path}: not saved: {exc}") from None

    def _write_checked(self, iteration_id: str, path: Path, data: bytes) -> bool:
        """Write unless the file changed since this store read it (call with the lock held)."""
        current = _read_bytes(path, self.data_dir)
        current_digest = None if current is None else _digest(current)
        expected = self._seen.get(iteration_id, "unknown")
        if expected == "unknown" and current is not None:
            raise ConflictError(path, "a file with this id already exists")
        if expected not in ("unknown", current_digest):
            reason = (
                "was deleted or moved since it was opened"
                if current is None
                else "was changed by someone else since it was opened"
            )
            raise ConflictError(path, reason)
        if current == data:
            return False
        write_atomic(path, data)
        self._seen[iteration_id] = _digest(data)
        return True

    def trash(self, iteration_id: str) -> Path:
        """Move an iteration's file to `trash/` (never unlinked); returns where it went."""
        path = self.path_of(iteration_id)
        self._ensure_dirs()
        target = self.trash_dir / path.name
        if target.exists():
            stamp = time.strftime("%Y%m%dT%H%M%S")
            target = self.trash_dir / f"{iteration_id}.{stamp}{SUFFIX}"
        with self._locked():
            try:
                os.replace(path, target)
            except OSError as exc:
                raise StoreError(
                    f"{path}: cannot move to {self.trash_dir}: {_reason(exc)}"
                ) from None
            _fsync_dir(self.iterations_dir)
            _fsync_dir(self.trash_dir)
        self._seen.pop(iteration_id, None)
        return target

    def new_id(self, starts: Any) -> str:
        """A fresh id from the start date and a random suffix, free in iterations/ and trash/."""
        for _ in range(1000):
            suffix = "".join(secrets.choice(_ID_ALPHABET) for _ in range(4))
            candidate = f"{starts.isoformat()}-{suffix}"
            name = f"{candidate}{SUFFIX}"
            if not (self.iterations_dir / name).exists() and not (self.trash_dir / name).exists():
                return candidate
        raise StoreError(f"{self.iterations_dir}: no free id for {starts}")  # pragma: no cover

    # -- helpers ------------------------------------------------------------------------------

    def _check_data_dir(self) -> None:
        if self.data_dir.exists() and not self.data_dir.is_dir():
            raise StoreError(f"{self.data_dir}: the data dir is a file, not a directory")

    def _ensure_dirs(self) -> None:
        self._check_data_dir()
        for directory in (self.data_dir, self.iterations_dir, self.trash_dir):
            make_private_dir(directory)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Serialise check-and-write between instances sharing this data dir (a thread that
        holds the lock may take it again)."""
        depth = getattr(self._holding, "depth", 0)
        if fcntl is None or depth:
            self._holding.depth = depth + 1
            try:
                yield
            finally:
                self._holding.depth = depth
            return
        lock_path = self.data_dir / ".lock"
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StoreError(f"{lock_path}: cannot open the lock file: {_reason(exc)}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._holding.depth = 1
            yield
        finally:
            self._holding.depth = 0
            os.close(fd)

    def _remove_stale_temps(self) -> None:
        # Left behind only when a save was killed; old enough that no save can still own it.
        cutoff = time.time() - STALE_TEMP_SECONDS
        with contextlib.suppress(OSError):
            for path in self.iterations_dir.glob(".*.tmp"):
                if path.stat().st_mtime < cutoff:
                    path.unlink()


_WHERE = re.compile(r"^([A-Za-z_][\w-]*(?:\[\d+\]|\.[\w-]+)*)")
_STEP = re.compile(r"\[(\d+)\]|\.?([\w-]+)")
_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")


def line_of(text: str, message: str) -> int | None:
    """The line of a TOML document that a validation message is about, found by scanning the
    text: `goals[1].to_level: …` is the `to_level` line under the second `[[goals]]`, `scope[2]:
    …` that table's header. None when the message names no place, or the text does not have it.
    """
    if (where := _WHERE.match(message)) is None:
        return None
    steps: list[str | int] = [
        int(index) if index else name for index, name in _STEP.findall(where[1])
    ]
    tables: list[str] = []  # where the last header is: names, and indexes in arrays of tables
    arrays: dict[str, int] = {}  # the index of the last element of each array of tables
    best: int | None = None
    best_depth = 0
    for number, line in enumerate(text.splitlines(), 1):
        if header := _HEADER.match(line):
            tables = _table_path(header[2].replace(" ", "").split("."), header[1] == "[[", arrays)
            depth = _matched(steps, tables)
            if depth > best_depth:
                best, best_depth = number, depth
            continue
        key, equals, _ = line.partition("=")
        if equals and not line.lstrip().startswith("#"):
            depth = _matched(steps, [*tables, key.strip().strip('"')])
            if depth > best_depth:
                best, best_depth = number, depth
    return best


def _table_path(names: list[str], array: bool, arrays: dict[str, int]) -> list[str]:
    """A header's place: its names, each array of tables among them followed by the index of
    its element (`[[goals.actions]]` under the second goal: goals, 1, actions, 0)."""
    path: list[str] = []
    for position, name in enumerate(names):
        path.append(name)
        key = ".".join(path)
        if array and position == len(names) - 1:
            arrays[key] = arrays.get(key, -1) + 1
        if key in arrays:
            path.append(str(arrays[key]))
    return path


def _matched(steps: list[str | int], place: list[str]) -> int:
    """How many of `steps` (names and list indexes) `place` (a table path, with the index of
    each array-of-tables element as text) follows from the start; 0 unless it covers the
    start of the steps without a step of its own that differs."""
    depth = 0
    for step, part in zip(steps, place, strict=False):
        if str(step) != part:
            return 0
        depth += 1
    return depth if depth == min(len(steps), len(place)) else 0


def write_export(path: Path, data: bytes, *, force: bool = False) -> None:
    """Write an export where the user asked: never over a file or through a link unasked, and
    never over anything that is not a regular file (a device, FIFO, socket or directory)."""
    mode = _lstat_mode(path)
    if mode is not None and stat.S_ISLNK(mode):
        if not force:
            raise StoreError(f"{path} is a symbolic link; not written through it (use --force)")
    elif mode is not None and stat.S_ISDIR(mode):
        raise StoreError(f"{path} is a directory; give a file name")
    elif mode is not None and (what := special_kind(mode)) is not None:
        raise StoreError(
            f"{path} is {what}, not a regular file; it is never replaced, not even with "
            f"--force (to write into it, export to stdout and redirect: > {path})"
        )
    elif mode is not None and not force:
        raise StoreError(f"{path} already exists; use --force to overwrite it")
    if not path.parent.is_dir():
        raise StoreError(f"{path.parent}: no such directory")
    write_atomic(path, data)


def special_kind(mode: int) -> str | None:
    """What a file of this mode is, in words, when it is neither a regular file nor a link."""
    for test, what in _SPECIAL_KINDS:
        if test(mode):
            return what
    return None


_SPECIAL_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)
# Opening never blocks (a FIFO with no writer) and never follows a link at the last step.
_READ_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
_MAX_LINKS = 40


def read_regular(
    path: Path,
    limit: int,
    *,
    what: str,
    links_within: Path | None = None,
    follow_links: bool = False,
) -> bytes:
    """The bytes of a regular file, at most `limit` of them, without ever blocking.

    The path is looked at (lstat) before it is opened, and opened without following a link
    and without waiting for a writer. A symbolic link is followed only with `links_within`,
    only one level, and only to a file inside that directory; or, with `follow_links`, as
    the system follows links, to what they lead to. Raises FileNotFoundError for a missing
    file and NotAFile, saying what the path is, for anything else that cannot be read.
    `what` names such a file where one is too large ("an iteration file is far smaller").
    """
    try:
        info = os.stat(path) if follow_links else os.lstat(path)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise NotAFile(f"cannot read: {_reason(exc)}") from None
    target, subject = path, "is"
    if stat.S_ISLNK(info.st_mode):
        if links_within is None:
            raise NotAFile("is a symbolic link; not followed")
        target, info, shown = _follow_once(path, links_within)
        subject = f"is a link to {shown}, which is"
    if (kind := special_kind(info.st_mode)) is not None:
        raise NotAFile(f"{subject} {kind}, not a regular file; left as it is")
    if not stat.S_ISREG(info.st_mode):
        raise NotAFile(f"{subject} not a regular file; left as it is")
    if info.st_size > limit:
        raise NotAFile(_too_large(info.st_size, limit, what))
    flags = _READ_FLAGS & ~getattr(os, "O_NOFOLLOW", 0) if follow_links else _READ_FLAGS
    try:
        fd = os.open(target, flags)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotAFile("became a symbolic link while it was read; not followed") from None
        raise NotAFile(f"cannot read: {_reason(exc)}") from None
    with os.fdopen(fd, "rb") as f:
        opened = os.fstat(fd)
        if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
            raise NotAFile("was replaced while it was read; try again")
        try:
            data = f.read(limit + 1)
        except OSError as exc:
            raise NotAFile(f"cannot read: {_reason(exc)}") from None
    if len(data) > limit:
        raise NotAFile(_too_large(len(data), limit, what))
    return data


SETTINGS_LIMIT = 2**20
"""The most a settings file may hold (config.toml is a few lines)."""


def read_settings(path: Path) -> bytes:
    """The bytes of a settings file, without ever blocking: `read_regular`, following links
    as any program opening the file would (a settings file is the user's own, and often a
    link that a dotfile manager made)."""
    return read_regular(path, SETTINGS_LIMIT, what="a settings file", follow_links=True)


def _too_large(size: int, limit: int, what: str) -> str:
    return f"is {size / 2**20:.0f} MB; {what} is far smaller (limit {limit // 2**20} MB)"


def _follow_once(link: Path, within: Path) -> tuple[Path, os.stat_result, str]:
    """Where a link inside `within` points, if that is one level away and inside `within`:
    the real path, its lstat, and its name as the link gives it."""
    chain = [os.path.normpath(link)]
    info: os.stat_result | None = None
    while info is None or stat.S_ISLNK(info.st_mode):
        current = chain[-1]
        try:
            target = os.path.normpath(os.path.join(os.path.dirname(current), os.readlink(current)))
        except OSError as exc:
            raise NotAFile(f"cannot read the link: {_reason(exc)}") from None
        looped = target in chain
        chain.append(target)
        if looped or len(chain) > _MAX_LINKS:
            raise NotAFile(_loop(chain))
        try:
            info = os.lstat(target)
        except FileNotFoundError:
            missing = " → ".join(_names(chain)[1:])
            raise NotAFile(f"is a link to {missing}, which does not exist") from None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise NotAFile(_loop(chain)) from None
            raise NotAFile(f"cannot read the link: {_reason(exc)}") from None
    if len(chain) > 2:
        raise NotAFile(
            f"is a link to a link ({' → '.join(_names(chain))}); only one level of link is followed"
        )
    real = os.path.realpath(chain[1])
    inside = os.path.realpath(within)
    try:
        outside = os.path.commonpath([real, inside]) != inside
    except ValueError:  # on another drive
        outside = True
    if outside:
        raise NotAFile(f"is a link to {real}, outside the data dir; not followed")
    return Path(real), info, _names(chain)[1]


def _loop(chain: list[str]) -> str:
    into = "is" if chain[-1] == chain[0] else "leads into"
    return f"{into} a symbolic link loop ({' → '.join(_names(chain))}); not followed"


def _names(chain: list[str]) -> list[str]:
    """The steps of a chain of links, by name where they share the first one's directory."""
    base = os.path.dirname(chain[0])
    return [os.path.basename(p) if os.path.dirname(p) == base else p for p in chain]


def _lstat_mode(path: Path) -> int | None:
    try:
        return os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"{path}: cannot write: {_reason(exc)}") from None


def make_private_dir(path: Path) -> None:
    """Create a directory readable by its owner only (whatever the umask)."""
    if path.is_dir():
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir(mode=0o700)
        os.chmod(path, 0o700)
    except FileExistsError:
        if not path.is_dir():
            raise StoreError(f"{path}: exists and is not a directory") from None
    except OSError as exc:
        raise StoreError(f"{path}: cannot create the directory: {_reason(exc)}") from None


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so that it holds either its old or its new content, whatever happens.

    The new bytes go to a hidden temp file beside the target (same file system), are flushed to
    disk, and then replace the target in one rename; the directory is flushed after it.
    """
    _refuse_special(path)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise StoreError(f"{path}: cannot write: {_reason(exc)}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), 0o600)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        _refuse_special(path)  # again: it may have appeared while the data was written
        os.replace(temp, path)
    except (OSError, StoreError) as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        if isinstance(exc, StoreError):
            raise
        raise StoreError(f"{path}: cannot write: {_reason(exc)}") from None
    _fsync_dir(path.parent)


def _refuse_special(path: Path) -> None:
    """Never replace a device, FIFO, socket or directory with a file (a link is replaced)."""
    mode = _lstat_mode(path)
    if mode is not None and (what := special_kind(mode)) is not None:
        raise StoreError(f"{path} is {what}, not a regular file; not replaced")


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _read_bytes(path: Path, links_within: Path) -> bytes | None:
    try:
        return read_regular(
            path, MAX_FILE_BYTES, what="an iteration file", links_within=links_within
        )
    except FileNotFoundError:
        return None
    except NotAFile as exc:
        raise StoreError(f"{path}: {exc}") from None


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.EROFS:
        return "the file system is read-only"
    return exc.strerror or str(exc)
