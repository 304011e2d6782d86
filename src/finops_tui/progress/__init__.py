"""Progress across iterations: the maturity trend of a history and what changed between two
iterations, computed from light per-iteration facts (no Textual, no pydantic), and written as
JSON, Markdown, HTML with SVG charts, or CSV.

For the app and scripts:

- `facts.facts_of(iteration)`, or `index.read_history(..., facts=True)` and then
  `History.facts_oldest_first()`, give `facts.IterationFacts`;
- `trend.compute_trend(facts, since=..., capabilities=...)` gives a `trend.Trend`;
- `compare.compare(before, after)` gives a `compare.Comparison`;
- `render(trend, fmt)` and `render_comparison(comparison, fmt)` give text, and
  `tables.trend_sections` / `tables.comparison_sections` the same as plain tables.

This package imports nothing itself, so that `progress` starts fast.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from finops_tui.progress.compare import Comparison
    from finops_tui.progress.trend import Trend

FORMATS = ("json", "markdown", "html", "csv")
"""What `render` writes (the terminal table is the command line's)."""
COMPARISON_FORMATS = ("json", "markdown")


def _json(payload: object) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def render(trend: Trend, fmt: str) -> str:
    """The trend as text in one of FORMATS."""
    from finops_tui.progress import csv, html, markdown

    renderers: dict[str, Callable[[Trend], str]] = {
        "json": lambda t: _json(t.to_json()),
        "markdown": markdown.render,
        "html": html.render,
        "csv": csv.render,
    }
    return renderers[fmt](trend)


def render_comparison(comparison: Comparison, fmt: str) -> str:
    """A comparison as text in one of COMPARISON_FORMATS."""
    from finops_tui.progress import markdown

    if fmt == "json":
        return _json(comparison.to_json())
    if fmt == "markdown":
        return markdown.render_comparison(comparison)
    raise ValueError(f"a comparison is written as {' or '.join(COMPARISON_FORMATS)}, not {fmt}")
