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

import importlib
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from finops_tui.progress.compare import Comparison
    from finops_tui.progress.trend import Trend

FORMATS = ("json", "markdown", "html", "csv")
"""What `render` writes (the terminal table is the command line's)."""
COMPARISON_FORMATS = ("json", "markdown")


def _json(payload: object) -> str:
    """JSON laid out for reading, yet written by the standard library's C encoder (which
    `indent` would turn off, five times slower on a long history): a container holding
    lists of objects is spread over lines, one line for every other object or list."""
    return _layout(payload, "") + "\n"


def _layout(value: object, pad: str) -> str:
    if isinstance(value, dict) and any(map(_holds_containers, value.values())):
        inner = pad + "  "
        items = [f"{inner}{json.dumps(k)}: {_layout(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if _holds_containers(value):
        assert isinstance(value, list)
        inner = pad + "  "
        return "[\n" + ",\n".join(inner + _layout(v, inner) for v in value) + f"\n{pad}]"
    return json.dumps(value, ensure_ascii=False)


def _holds_containers(value: object) -> bool:
    return isinstance(value, list) and any(isinstance(v, dict | list) for v in value)


def render(trend: Trend, fmt: str) -> str:
    """The trend as text in one of FORMATS (only that format's module is loaded)."""
    if fmt == "json":
        return _json(trend.to_json())
    if fmt not in FORMATS:
        raise ValueError(f"progress is written as {', '.join(FORMATS)}, not {fmt}")
    module = importlib.import_module(f"finops_tui.progress.{fmt}")
    text: str = module.render(trend)
    return text


def render_comparison(comparison: Comparison, fmt: str) -> str:
    """A comparison as text in one of COMPARISON_FORMATS."""
    from finops_tui.progress import markdown

    if fmt == "json":
        return _json(comparison.to_json())
    if fmt == "markdown":
        return markdown.render_comparison(comparison)
    raise ValueError(f"a comparison is written as {' or '.join(COMPARISON_FORMATS)}, not {fmt}")
