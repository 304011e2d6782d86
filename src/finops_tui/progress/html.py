"""The progress across iterations as one standalone HTML page: inline CSS, inline SVG charts,
no script, no external asset (links only to the capabilities' guidance pages); prints well."""

from __future__ import annotations

from dataclasses import replace

from finops_tui.export import html_page as page
from finops_tui.export.escape import html_text as t
from finops_tui.export.escape import html_texts
from finops_tui.progress import charts
from finops_tui.progress.tables import (
    DEFINITIONS,
    TITLE,
    Section,
    assessment_section,
    goals_section,
    iterations_section,
    measurements_section,
    overview,
    score_section,
)
from finops_tui.progress.trend import Trend

CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2733;
       max-width: 62rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; border-bottom: 1px solid #d5dbe3; padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #d5dbe3; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f1f4f8; }
td.num { text-align: center; white-space: nowrap; }
.facts, .note { color: #4a5868; }
.wide { overflow-x: auto; }
.heatmaps { display: flex; flex-wrap: wrap; gap: 0 2.5rem; }
svg.chart { display: block; max-width: 100%; height: auto; margin: .5rem 0; }
code { font-size: .9em; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2, h3 { break-after: avoid; } svg.chart, table, section { break-inside: avoid; }
  .wide { overflow: visible; }
  a { color: inherit; text-decoration: none; }
  a[href]::after { content: " (" attr(href) ")"; font-size: 8pt; color: #4a5868; }
  th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _table(section: Section, numeric_from: int) -> list[str]:
    """A section as an HTML table under its title; cells from column `numeric_from` on are
    centred figures."""
    out = [f"<h3>{t(section.title)}</h3>", '<div class="wide"><table>', "<thead><tr>"]
    out += [f"<th>{t(h)}</th>" for h in section.header]
    out += ["</tr></thead>", "<tbody>"]
    for row in section.rows:
        cells = [
            f'<td class="num">{v}</td>' if i >= numeric_from else f"<td>{v}</td>"
            for i, v in enumerate(html_texts(row))
        ]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out += ["</tbody>", "</table></div>"]
    out += [f'<p class="note">{t(note)}</p>' for note in section.notes]
    return out


def render(trend: Trend) -> str:
    out = [
        *page.start(TITLE, CSS),
        f"<h1>{t(TITLE)}</h1>",
        f'<p class="facts">{t(overview(trend))}</p>',
        f"<p>{t(DEFINITIONS)}</p>",
    ]
    if not trend.iterations:
        return "\n".join([*out, *page.END]) + "\n"
    score = score_section(trend)
    out.append("<h2>Score per capability</h2>")
    if trend.capabilities:
        out.append(charts.score_chart(trend))
    notes = list(score.notes)
    heads = trend.iterations
    notes += [
        f"The dashed line: from #{heads[i].number} on, iterations use {heads[i].framework}."
        for i in charts.framework_changes(trend)
    ]
    if notes:
        out += ['<ul class="note">', *(f"<li>{t(note)}</li>" for note in notes), "</ul>"]
    out.append("<h2>Lens by lens</h2>")
    if not trend.capabilities:
        out.append("<p>No capability scoped yet.</p>")
    out.append('<div class="heatmaps">')
    for capability in trend.capabilities:
        name = t(capability.name)
        link = f'<a href="{t(capability.url)}">{name}</a>' if capability.url else name
        out += [
            "<section>",
            f"<h3>{link} <code>{t(capability.id)}</code></h3>",
            charts.lens_heatmap(trend, capability),
            "</section>",
        ]
    out.append("</div>")
    out += ["<h2>Goals per iteration</h2>", charts.goals_chart(trend)]
    out.append("<h2>KPI measurements</h2>")
    if not trend.measurements:
        out.append("<p>No goal has been measured from cost data yet.</p>")
    out += [charts.series_chart(s) for s in charts.measurement_series(trend)]
    out.append("<h2>The figures</h2>")
    out += _table(iterations_section(trend), 99)
    out += _table(replace(score, notes=[]), 2)
    out += _table(goals_section(trend), 1)
    if trend.measurements:
        out += _table(measurements_section(trend), 5)
    if (assessment := assessment_section(trend)) is not None:
        out += _table(assessment, 2)
    out += page.END
    return "\n".join(out) + "\n"
