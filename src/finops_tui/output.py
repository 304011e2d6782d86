"""What the command line writes: one layer between every command and its two streams.

- A closed, full or failing standard output ends the command with one line on stderr and exit
  code 1; a reader that went away (`finops-tui list | head -1`) ends it quietly with 0.
- Text that a stream's encoding cannot carry (a cp1252 console) is written with `?` in place
  of what it cannot carry, and one note on stderr says so: never a traceback.
- `printable` is the one function every user- or file-derived string goes through before a
  command shows it: control characters come out as escapes, never reach the terminal raw.
  Data formats (an export, `--json`) keep their own escaping instead.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Callable, Iterator
from typing import TextIO, TypeVar

PROG = "finops-tui"
_T = TypeVar("_T")


class OutputError(Exception):
    """Standard output cannot take what a command writes."""


def printable(text: str, limit: int | None = None, *, keep: str = "") -> str:
    """Text safe to show on a terminal: every control or invisible formatting character (ESC,
    BEL, NUL, CR, C1 controls, bidirectional overrides, …) except those in `keep` is written
    as an escape (`\\x1b`, `\\u202e`); cut to `limit` characters with an ellipsis."""
    if text.isprintable() and (limit is None or len(text) <= limit):
        return text
    out = "".join(ch if ch.isprintable() or ch in keep else _escape(ch) for ch in text)
    return out if limit is None or len(out) <= limit else out[: limit - 1] + "…"


def _escape(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def error(message: str) -> None:
    """The one line a failed command leaves on stderr."""
    sys.stderr.write(f"{PROG}: error: {message}\n")


class GuardedStream(io.TextIOBase):
    """A text stream that turns every way of failing into OutputError (or BrokenPipeError)."""

    def __init__(self, stream: TextIO | None, name: str, *, escape: bool = False) -> None:
        self.stream = stream
        self.name = name
        self.escape = escape  # stderr: messages, never data, so each is made printable
        self.replaced = False  # some text was written with '?' for what the encoding lacks

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.stream, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str:  # type: ignore[override]
        return "replace"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            return bool(self.stream and self.stream.isatty())
        return False

    def fileno(self) -> int:
        if self.stream is None:
            raise io.UnsupportedOperation(f"{self.name} is closed")
        return self.stream.fileno()

    def write(self, text: str) -> int:
        if self.escape:
            text = printable(text, keep="\n\r")
        stream = self._open_stream()
        try:  # the common case, inline: JSON is written in many small pieces
            return stream.write(text)
        except UnicodeEncodeError:
            self.replaced = True
            carried = text.encode(self.encoding, "replace").decode(self.encoding)
            return self._guard(stream.write, carried)
        except (OSError, ValueError) as exc:
            raise self._failure(exc) from None

    def flush(self) -> None:
        if self.stream is not None:
            self._guard(self.stream.flush)

    def _open_stream(self) -> TextIO:
        if self.stream is None:
            raise OutputError(f"cannot write to {self.name}: it is closed")
        return self.stream

    def _guard(self, call: Callable[..., _T], *args: object) -> _T:
        try:
            return call(*args)
        except (OSError, ValueError) as exc:
            raise self._failure(exc) from None

    def _failure(self, exc: OSError | ValueError) -> Exception:
        """What a failed write or flush becomes: a reader that left stays BrokenPipeError."""
        if isinstance(exc, BrokenPipeError | UnicodeEncodeError):
            return exc
        if isinstance(exc, OSError):
            reason = exc.strerror or exc.__class__.__name__
            return OutputError(f"cannot write to {self.name}: {reason}")
        return OutputError(f"cannot write to {self.name}: it is closed")  # a closed stream


class _QuietStream(GuardedStream):
    """Standard error: a failure to write a message there has nowhere to be reported."""

    def write(self, text: str) -> int:
        with contextlib.suppress(OutputError, OSError):
            return super().write(text)
        return len(text)

    def flush(self) -> None:
        with contextlib.suppress(OutputError, OSError):
            super().flush()


_real: list[tuple[TextIO | None, TextIO | None]] = []


def guarded(command: Callable[[], int]) -> int:
    """Run a command with both streams guarded; return its exit code (`SystemExit` included),
    or 1 when standard output failed, or 0 when its reader went away."""
    real_out, real_err = sys.stdout, sys.stderr
    out = GuardedStream(real_out, "standard output")
    err = _QuietStream(real_err, "standard error", escape=True)
    sys.stdout, sys.stderr = out, err
    _real.append((real_out, real_err))
    try:
        try:
            try:
                code = command()
            except SystemExit as exc:  # argparse, after --help, --version or a usage error
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            out.flush()
        except OutputError as exc:
            _discard(real_out)
            error(str(exc))
            code = 1
        except BrokenPipeError:
            # The reader left (`| head`): what it did not read is not an error.
            _discard(real_out)
            code = 0
        if out.replaced:
            err.write(
                f"note: some characters cannot be written in {out.encoding} and were written "
                "as '?'; PYTHONIOENCODING=utf-8 keeps them\n"
            )
        err.flush()
    finally:
        _real.pop()
        sys.stdout, sys.stderr = real_out, real_err
    return code


@contextlib.contextmanager
def unguarded() -> Iterator[None]:
    """The real streams, for the terminal UI, which draws on the terminal itself."""
    if not _real:
        yield
        return
    guarded_out, guarded_err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _real[-1]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = guarded_out, guarded_err


def _discard(stream: TextIO | None) -> None:
    """Point the process's stdout at /dev/null, so that flushing what is still buffered at exit
    cannot fail again (and print a traceback). Only for the process's own stdout."""
    if stream is None or stream is not sys.__stdout__:
        return
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
