"""The data check of one reading: which files, how many rows were read and rejected (with
the first reasons and where), and what the selection holds: period, providers, currencies.

`kpis` prints it under the table and as `"data"` in JSON; rows rejected make it fail
unless `--allow-rejects`; the baseline dialog refuses them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from finops_tui.focus.files import CostFile, shown

MAX_REJECTS_SHOWN = 5
MAX_VALUE_SHOWN = 40


@dataclass(frozen=True)
class Reject:
    """A row left out: the file, where in it (a CSV line or a Parquet row), and why."""

    file: str
    line: int | None
    reason: str
    unit: str = "line"

    def __str__(self) -> str:
        where = f" {self.unit} {self.line}" if self.line is not None else ""
        return f"{self.file}{where}: {self.reason}"


@dataclass
class DataCheck:
    files: list[CostFile]
    rows_read: int = 0
    rejected: int = 0
    rejects: list[Reject] = field(default_factory=list)  # the first ones, in file order
    selected: int = 0
    first: date | None = None  # the first and last day charged in the selection
    last: date | None = None
    providers: list[str] = field(default_factory=list)
    currencies: list[str] = field(default_factory=list)

    @property
    def period(self) -> str:
        if self.first is None or self.last is None:
            return ""
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    def rows_line(self) -> str:
        files = f"{len(self.files)} file{'s' if len(self.files) != 1 else ''}"
        rejected = f"{self.rejected:,} rejected" + (" (left out)" if self.rejected else "")
        return (
            f"{self.rows_read:,} rows read from {files}, {rejected}; "
            f"{self.selected:,} in the selection"
        )

    def lines(self) -> list[str]:
        """The check as a few lines of text (the footer of `kpis`' table)."""
        out = [f"Data check: {self.rows_line()}"]
        rows = [
            ("period", self.period or "no charges"),
            ("providers", ", ".join(map(shown, self.providers)) or "-"),
            ("currencies", ", ".join(map(shown, self.currencies)) or "-"),
        ]
        rows += [("files" if i == 0 else "", f.describe()) for i, f in enumerate(self.files)]
        if self.rejected:
            rows += [
                ("rejected" if i == 0 else "", str(r))
                for i, r in enumerate(self.rejects[:MAX_REJECTS_SHOWN])
            ]
            if (more := self.rejected - min(len(self.rejects), MAX_REJECTS_SHOWN)) > 0:
                rows.append(("", f"… and {more:,} more"))
        width = max(len(name) for name, _ in rows)
        out += [f"  {name.ljust(width)}  {text}" for name, text in rows]
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "files": [
                {"name": f.name, "path": f.uri or str(f.path), "size": f.size, "sha256": f.sha256}
                for f in self.files
            ],
            "rows_read": self.rows_read,
            "rows_rejected": self.rejected,
            "rejects": [{"file": r.file, r.unit: r.line, "reason": r.reason} for r in self.rejects],
            "rows_selected": self.selected,
            "period": self.period,
            "providers": self.providers,
            "currencies": self.currencies,
        }

    def rejected_summary(self) -> str:
        """One line: how many rows were rejected, and the first reason."""
        noun = "row was" if self.rejected == 1 else "rows were"
        first = f" (first: {self.rejects[0]})" if self.rejects else ""
        return f"{self.rejected:,} {noun} rejected{first}"


# -- the reasons DuckDB gives for a rejected CSV line, as people read them ---------------------

_CONVERT = re.compile(r'Could not convert string "(.*)" to', re.DOTALL)
_COLUMNS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")
_LINE_SIZE = re.compile(r"Maximum line size of (\d+) bytes exceeded")


def value_text(value: str) -> str:
    value = shown(value)
    return repr(value if len(value) <= MAX_VALUE_SHOWN else value[: MAX_VALUE_SHOWN - 1] + "…")


def number_problem(column: str | None, value: str) -> str | None:
    """Why the text `value` of a cost is not a finite number, or None when it is one."""
    try:
        number = float(value)
    except ValueError:
        return f"{column} {value_text(value)} is not a number"
    if not math.isfinite(number):
        return f"{column} {value_text(value)} is not a finite number"
    return None


def reject_reason(error_type: str, column: str | None, message: str) -> str:
    """The cause of a rejected line in one short sentence."""
    if error_type == "CAST":
        match = _CONVERT.search(message)
        value = match.group(1) if match else ""
        if not value.strip():
            return f"{column} is empty"
        if column is not None and ("Period" in column or "Date" in column):
            return f"{column} {value_text(value)} is not a date and time"
        return number_problem(column, value) or f"{column} {value_text(value)} is out of range"
    if error_type in ("TOO MANY COLUMNS", "MISSING COLUMNS") and (
        match := _COLUMNS.search(message)
    ):
        expected, found = match.groups()
        return f"{found} columns where the header has {expected}"
    if error_type == "UNQUOTED VALUE":
        return (
            "a quoted value is not closed (it may run to the end of the file), "
            "or text follows its closing quote"
        )
    if error_type == "LINE SIZE OVER MAXIMUM" and (match := _LINE_SIZE.search(message)):
        return f"the line is longer than {int(match.group(1)):,} bytes"
    if error_type == "INVALID ENCODING":
        return "not UTF-8 text"
    return shown(message.splitlines()[0] if message else error_type)
