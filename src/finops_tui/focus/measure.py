"""One KPI for one goal: read the cost data, compute, and name the source it came from.

Kept apart from the screens so the app's worker and the tests call the same code.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

from finops_tui.focus.cache import Progress
from finops_tui.focus.kpis import Options, Result, compute
from finops_tui.focus.reader import FocusData, FocusError, find_files, open_focus

CHUNK = 1 << 20
HASH_PREFIX = 12


@dataclass
class Measured:
    """A KPI's figure, and where it came from (`name sha256:prefix`)."""

    result: Result
    source: str


class Cancelled(Exception):
    """The user stopped the computation."""


class Measuring:
    """A computation that another thread can cancel (DuckDB queries are interrupted)."""

    def __init__(self) -> None:
        self._cancelled = threading.Event()
        self._data: FocusData | None = None

    def cancel(self) -> None:
        self._cancelled.set()
        if (data := self._data) is not None:
            data.connection.interrupt()

    def _check(self) -> None:
        if self._cancelled.is_set():
            raise Cancelled

    def run(
        self,
        path: Path,
        kpi: str,
        options: Options,
        progress: Progress = lambda what, share: None,
        cache_dir: Path | None = None,
        *,
        currency: str | None = None,
        tag_aliases: dict[str, str] | None = None,
    ) -> Measured:
        """Compute `kpi` from the FOCUS data at `path` (raises FocusError, Cancelled)."""
        files = find_files([path])
        progress(f"Fingerprinting {len(files)} file(s)…", None)
        source = f"{path.name} sha256:{self._fingerprint(files)}"
        self._check()
        progress("Reading the cost data…", None)
        try:
            self._data = open_focus(
                [path],
                currency=currency,
                tag_aliases=tag_aliases,
                cache_dir=cache_dir,
                progress=progress,
                cancelled=self._cancelled,
            )
        except FocusError:
            self._check()  # cancelled while converting: say so, not why reading stopped
            raise
        try:
            self._check()
            progress(f"Computing {kpi}…", None)
            try:
                result = compute(self._data, [kpi], options)[kpi]
            except Exception as exc:  # an interrupted query
                self._check()
                raise FocusError(f"cannot compute {kpi}: {str(exc).splitlines()[0]}") from None
        finally:
            data, self._data = self._data, None
            data.close()
        self._check()
        return Measured(result, source)

    def _fingerprint(self, files: list[Path]) -> str:
        """sha256 of the file (or, for several, of their names and hashes)."""
        digests = []
        for file in files:
            digest = hashlib.sha256()
            with file.open("rb") as f:
                while chunk := f.read(CHUNK):
                    self._check()
                    digest.update(chunk)
            digests.append((file.name, digest.hexdigest()))
        if len(digests) == 1:
            return digests[0][1][:HASH_PREFIX]
        combined = hashlib.sha256("\n".join(f"{n} {h}" for n, h in digests).encode())
        return combined.hexdigest()[:HASH_PREFIX]
