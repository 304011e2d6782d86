"""One KPI for one goal: read the cost data, compute, and name the files it came from.

Kept apart from the screens so the app's worker and the tests call the same code. A
reading with rejected rows gives no figure: the dialog shows the first reason.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from finops_tui.focus.cache import Progress
from finops_tui.focus.check import DataCheck
from finops_tui.focus.files import Cancelled, CostFile, FocusError
from finops_tui.focus.kpis import Options, Result, compute
from finops_tui.focus.reader import OpenData, open_focus

__all__ = ["Cancelled", "Measured", "Measuring", "describe_files"]


@dataclass
class Measured:
    """A KPI's figure, the data check of its reading, the files it was computed from
    (`name (size, sha256:prefix)`), and what it was asked with (to measure the same again)."""

    result: Result
    source: str
    check: DataCheck
    path: Path | str | None = None
    options: Options | None = None
    currency: str | None = None


def describe_files(files: list[CostFile]) -> str:
    """`a.csv (1,234 bytes, sha256:3f9a1c2b4d5e)`, or `2 files: a.csv (…); b.csv (…)`."""
    if len(files) == 1:
        return files[0].describe()
    return f"{len(files)} files: " + "; ".join(f.describe() for f in files)


class Measuring:
    """A computation that another thread can cancel (DuckDB queries are interrupted)."""

    def __init__(self) -> None:
        self._cancelled = threading.Event()
        self._data: OpenData | None = None

    def cancel(self) -> None:
        self._cancelled.set()
        if (data := self._data) is not None:
            data.interrupt()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def _check(self) -> None:
        if self._cancelled.is_set():
            raise Cancelled

    def _open(self, path: Path | str, **selection: Any) -> OpenData:
        """The cost data at `path`: read here by DuckDB, or, for `sc://host:port PATH`, by
        the Spark cluster at that Spark Connect URL (PATH as the cluster reads it)."""
        source = str(path)
        if not source.startswith("sc://"):
            return open_focus([Path(path)], **selection)
        url, _, where = source.partition(" ")
        if not where.strip():
            raise FocusError(
                "after the Spark Connect URL, give the path of the cost data as the cluster "
                "reads it, e.g. sc://spark:15002 s3a://bucket/focus/"
            )
        from finops_tui.focus.spark import open_spark, session

        for unused in ("cache_dir", "cache_max_bytes"):
            selection.pop(unused)
        return open_spark([where.strip()], spark=session(url), **selection)

    def run(
        self,
        path: Path | str,
        kpi: str,
        options: Options,
        progress: Progress = lambda what, share: None,
        cache_dir: Path | None = None,
        *,
        currency: str | None = None,
        tag_aliases: dict[str, str] | None = None,
        cache_max_bytes: int | None = None,
    ) -> Measured:
        """Compute `kpi` from the FOCUS data at `path` (raises FocusError, Cancelled);
        `path` may be `sc://host:port PATH`, a Spark cluster's data."""
        self._check()
        progress("Reading the cost data…", None)
        try:
            data = self._open(
                path,
                currency=currency,
                tag_aliases=tag_aliases,
                cache_dir=cache_dir,
                cache_max_bytes=cache_max_bytes,
                progress=progress,
                cancelled=self._cancelled,
            )
        except FocusError:
            self._check()  # cancelled while reading: say so, not why reading stopped
            raise
        self._data = data
        try:
            if data.check.rejected:
                raise FocusError(
                    f"{data.check.rejected_summary()}; fix the export (or compute with "
                    "`finops-tui kpis --allow-rejects` to see every rejected row)"
                )
            files = len(data.files)
            progress(f"Fingerprinting {files} file{'' if files == 1 else 's'}…", None)
            data.fingerprint(self._cancelled)
            self._check()
            progress(f"Computing {kpi}…", None)
            try:
                result = compute(data, [kpi], options)[kpi]
            except Exception as exc:  # an interrupted query
                self._check()
                raise FocusError(f"cannot compute {kpi}: {str(exc).splitlines()[0]}") from None
        finally:
            self._data = None
            data.close()
        self._check()
        return Measured(result, describe_files(data.files), data.check, path, options, currency)
