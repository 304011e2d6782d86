"""HTML: one standalone page (inline CSS, no scripts, no external assets), for screen and paper."""

from __future__ import annotations

from finops_tui.export import html_page as page
from finops_tui.export.escape import html_text as t
from finops_tui.export.report import Report, build_report
from finops_tui.lenses import LENSES
from finops_tui.model import Iteration

CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2733;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; border-bottom: 1px solid #d5dbe3; padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1rem; margin-bottom: .3rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { border: 1px solid #d5dbe3; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f1f4f8; }
.facts { color: #4a5868; }
.matrix td.level { text-align: center; white-space: nowrap; }
.l0 { background: #fbe3e3; } .l1 { background: #fcefd9; } .l2 { background: #fdf8d6; }
.l3 { background: #e6f4de; } .l4 { background: #d3ecd8; }
.matrix td.goal { font-weight: 600; outline: 2px solid #2f6fbd; outline-offset: -2px; }
.note { white-space: pre-wrap; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dt { font-weight: 600; } dd { margin: 0; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  h2 { break-after: avoid; } table, .goal-block { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  a[href]::after { content: " (" attr(href) ")"; font-size: 9pt; color: #4a5868; }
  .l0, .l1, .l2, .l3, .l4, th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _table(header: list[str], rows: list[list[str]], cls: str = "") -> list[str]:
    out = [f'<table class="{cls}">' if cls else "<table>", "<thead><tr>"]
    out += [f"<th>{h}</th>" for h in header]
    out += ["</tr></thead>", "<tbody>"]
    out += ["<tr>" + "".join(row) + "</tr>" for row in rows]
    out += ["</tbody>", "</table>"]
    return out


def _td(html: str, cls: str = "") -> str:
    return f'<td class="{cls}">{html}</td>' if cls else f"<td>{html}</td>"


def render(iteration: Iteration) -> str:
    s = build_report(iteration)
    it = iteration
    out = [
        *page.start(s.heading, CSS),
        f"<h1>{t(s.heading)}</h1>",
        f'<p class="headline"><strong>{t(s.headline())}</strong></p>',
        f'<p class="facts">{t(s.dates)} · {t(it.status.value)} · maturity {t(s.score_line())}'
        f" · {t(it.framework)} · file <code>{t(it.id)}.toml</code></p>",
    ]
    if s.catalog_note:
        out.append(f'<p class="note">{t(s.catalog_note)}</p>')
    out += _stakeholders(s)
    out += ["<h2>Scope</h2>"]
    out += _table(
        ["Capability", "Domain", "Description", "Note"],
        [
            [_td(_link(r.name, r.url)), _td(t(r.domain)),
             _td(t(r.description)), _td(t(r.note), "note")]
            for r in s.rows
        ],
    )  # fmt: skip
    out += ["<h2>Goal matrix</h2>", "<p>Levels 0–4 at the start; a → b is a goal from a to b.</p>"]
    out += _table(
        ["Capability", *(lens.label for lens in LENSES), "Score"],
        [
            [
                _td(t(r.name)),
                *(_td(t(c), f"level l{c.level}" + (" goal" if c.target else "")) for c in r.cells),
                _td(t(r.score_text(weighted=s.weighted))),
            ]
            for r in s.rows
        ],
        "matrix",
    )
    out += ["<h2>Goals</h2>"]
    if not s.goals:
        out.append("<p>No goals yet.</p>")
    for view in s.goals:
        g = view.goal
        out += ['<section class="goal-block">', f"<h3>{t(view.heading)}</h3>"]
        if g.statement:
            out.append(f'<p class="note">{t(g.statement)}</p>')
        facts = [
            ("Metric", g.metric), ("Baseline", g.baseline), ("Target", g.target),
            ("Due", g.due or ""), ("Outcome", g.outcome or ""),
            ("Level reached", "" if g.reached_level is None else g.reached_level),
            ("Evidence", g.evidence),
        ]  # fmt: skip
        out += ["<dl>"]
        out += [f'<dt>{label}</dt><dd class="note">{t(v)}</dd>' for label, v in facts if v != ""]
        if view.url:
            out.append(f'<dt>Guidance</dt><dd><a href="{t(view.url)}">{t(view.url)}</a></dd>')
        out.append("</dl>")
        if g.actions:
            out += _table(
                ["Action", "Owner", "Due", "Status"],
                [
                    [_td(t(a.title), "note"), _td(t(a.owner)), _td(t(a.due or "")),
                     _td(t(a.status))]
                    for a in g.actions
                ],
            )  # fmt: skip
        out.append("</section>")
    out += _review(s)
    out += ["<h2>Score per capability</h2>"]
    header, rows = s.score_table()
    out += _table(header, [[_td(t(value)) for value in row] for row in rows])
    out += page.END
    return "\n".join(out) + "\n"


def _link(name: str, url: str) -> str:
    return f'<a href="{t(url)}">{t(name)}</a>' if url else t(name)


def _stakeholders(s: Report) -> list[str]:
    sh = s.iteration.stakeholders
    groups = ", ".join(g.value for g in sh.groups()) or "none yet"
    out = ["<h2>Stakeholders</h2>", f"<p>Groups taking part: {t(groups)}.</p>"]
    if sh.people:
        out += _table(
            ["Name", "Role", "Group"],
            [[_td(t(p.name)), _td(t(p.role)), _td(t(p.group or ""))] for p in sh.people],
        )
    if sh.notes:
        out.append(f'<p class="note">{t(sh.notes)}</p>')
    return out


def _review(s: Report) -> list[str]:
    review = s.iteration.review
    parts = s.review_parts()
    out = ["<h2>Review</h2>"]
    if not parts:
        closed = [f"<p>Closed on {t(review.closed)}.</p>"] if review.closed else []
        return [*out, f"<p>{t(s.no_review)}</p>", *closed]
    out.append("<dl>")
    out += [f'<dt>{label}</dt><dd class="note">{t(v)}</dd>' for label, v in parts]
    out.append("</dl>")
    if review.closed:
        out.append(f"<p>Closed on {t(review.closed)}.</p>")
    return out
