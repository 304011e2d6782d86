"""JSON: the iteration in the shape of its TOML file (dates as ISO strings), or the history rows."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from finops_tui.export.rows import history_rows

if TYPE_CHECKING:
    from finops_tui.model import Iteration


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        text = value.isoformat()
        return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
    if isinstance(value, date | time):
        return value.isoformat()
    raise TypeError(f"cannot write a {type(value).__name__} as JSON")


def render(iteration: Iteration) -> str:
    return json.dumps(iteration.to_document(), default=_iso, ensure_ascii=False, indent=2) + "\n"


def render_rows(iterations: Sequence[Iteration]) -> str:
    return render_table(history_rows(iterations))


def render_table(rows: Iterable[dict[str, Any]]) -> str:
    """Tidy rows as a JSON array of objects."""
    return json.dumps(list(rows), ensure_ascii=False, indent=2) + "\n"
