"""CSV (RFC 4180, UTF-8, header row) of the tidy history, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from finops_tui.export.rows import COLUMNS, history_rows
from finops_tui.model import Iteration

# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def render_rows(iterations: Sequence[Iteration]) -> str:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in history_rows(iterations):
        writer.writerow({key: neutralise(value) for key, value in row.items()})
    return out.getvalue()
