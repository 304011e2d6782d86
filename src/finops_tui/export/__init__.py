"""Iteration summaries for people who never open the terminal: Markdown, HTML, JSON, CSV.

Pure functions from iterations to text; no Textual, no file access (the store writes files).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from finops_tui.index import History
    from finops_tui.model import Iteration

FORMATS = ("markdown", "html", "json", "csv")
EXTENSIONS = {"markdown": "md", "html": "html", "json": "json", "csv": "csv"}
HISTORY_FORMATS = ("csv", "json")


def render(iteration: Iteration, fmt: str) -> str:
    """One iteration as text in a format of FORMATS."""
    from finops_tui.export import csv, html, json, markdown

    renderers: dict[str, Callable[[Iteration], str]] = {
        "markdown": markdown.render,
        "html": html.render,
        "json": json.render,
        "csv": lambda it: csv.render_rows([it]),
    }
    return renderers[fmt](iteration)


def render_history(iterations: Sequence[Iteration], fmt: str) -> str:
    """The whole maturity history as tidy rows (csv or json)."""
    from finops_tui.export import csv, json

    if fmt == "csv":
        return csv.render_rows(iterations)
    if fmt == "json":
        return json.render_rows(iterations)
    raise ValueError(f"--all writes {' or '.join(HISTORY_FORMATS)}, not {fmt}")


def render_history_of(history: History, fmt: str) -> str:
    """The tidy history rows of the history index (csv or json), without the iterations."""
    from finops_tui.export import csv, json

    if fmt == "csv":
        return csv.render_blocks(history.blocks_oldest_first())
    if fmt == "json":
        return json.render_table(history.rows_oldest_first())
    raise ValueError(f"--all writes {' or '.join(HISTORY_FORMATS)}, not {fmt}")


def file_name(iteration: Iteration, fmt: str) -> str:
    return f"{iteration.id}.{EXTENSIONS[fmt]}"
