"""The progress across iterations, and a comparison of two, as Markdown tables."""

from __future__ import annotations

from finops_tui.export.escape import md_cell, md_text
from finops_tui.progress.compare import Comparison
from finops_tui.progress.tables import (
    DEFINITIONS,
    TITLE,
    Section,
    comparison_sections,
    overview,
    trend_sections,
)
from finops_tui.progress.trend import Trend


def section(s: Section) -> list[str]:
    out = [f"## {md_cell(s.title)}", ""]
    if not s.rows:
        return [*out, "None.", ""]
    out.append("| " + " | ".join(md_cell(h) for h in s.header) + " |")
    out.append("|" + "|".join("---" for _ in s.header) + "|")
    out += ["| " + " | ".join(md_cell(v) for v in row) + " |" for row in s.rows]
    out.append("")
    if s.notes:
        out += [f"- {md_text(note)}" for note in s.notes]
        out.append("")
    return out


def render(trend: Trend) -> str:
    out = [f"# {TITLE}", "", md_text(overview(trend)), "", md_text(DEFINITIONS), ""]
    if trend.iterations:
        for s in trend_sections(trend):
            out += section(s)
    return "\n".join(out).rstrip("\n") + "\n"


def render_comparison(cmp: Comparison) -> str:
    a, b = cmp.before.head, cmp.after.head
    out = [f"# Iteration {a.number} → iteration {b.number}", ""]
    for s in comparison_sections(cmp):
        out += section(s)
    return "\n".join(out).rstrip("\n") + "\n"
