"""CSV (RFC 4180, UTF-8, header row) of the tidy history, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from finops_tui.export.rows import COLUMNS, history_rows

if TYPE_CHECKING:
    from finops_tui.model import Iteration

# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def render_rows(iterations: Sequence[Iteration]) -> str:
    return render_table(history_rows(iterations))


def render_table(rows: Iterable[dict[str, Any]]) -> str:
    """Tidy rows (dicts keyed by COLUMNS) as CSV with a header row."""
    return render_blocks([([], [list(_cells(row)) for row in rows])])


_cells = itemgetter(*COLUMNS)


def render_blocks(blocks: Iterable[tuple[list[Any], list[list[Any]]]]) -> str:
    """Tidy rows given per iteration as (the values its rows share, each row's other values),
    both in the order of COLUMNS. The shared values are made safe once per iteration."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    start = _FORMULA_START

    def safe(values: list[Any]) -> list[Any]:
        # neutralise(), inlined: this runs for every cell of the whole history.
        return [("'" + v) if v.__class__ is str and v.startswith(start) else v for v in values]

    for shared, rows in blocks:
        prefix = safe(shared)
        writer.writerows(prefix + safe(values) for values in rows)
    return out.getvalue()
