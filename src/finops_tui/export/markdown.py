"""Markdown: a paste-ready summary for GitHub, GitLab and common wikis.

Every text a person typed is escaped, so it reads as typed and never becomes markup,
a link, a heading or raw HTML; table cells keep their column count.
"""

from __future__ import annotations

from finops_tui.export.escape import md_cell as cell
from finops_tui.export.escape import md_text as text
from finops_tui.export.report import Report, build_report
from finops_tui.lenses import LENSES
from finops_tui.model import Iteration


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def render(iteration: Iteration) -> str:
    s = build_report(iteration)
    it = iteration
    out = [f"# {text(s.heading)}", "", f"**{s.headline()}**", ""]
    out += [
        f"- **Dates:** {s.dates}",
        f"- **Status:** {it.status.value}",
        f"- **Maturity:** {s.score_line()}",
        f"- **Framework:** {cell(it.framework)} · file `{it.id}.toml`",
        "",
    ]
    if s.catalog_note:
        out += [f"> {cell(s.catalog_note)}", ""]
    out += _stakeholders(s)
    out += ["## Scope", ""]
    out += _table(
        ["Capability", "Domain", "Description", "Note"],
        [[_link(r.name, r.url), cell(r.domain), cell(r.description), cell(r.note)] for r in s.rows],
    )
    out += ["", "## Goal matrix", "", "Levels 0–4 at the start; `a → b` is a goal from a to b.", ""]
    out += _table(
        ["Capability", *(lens.label for lens in LENSES), "Score"],
        [
            [cell(r.name), *(str(c) for c in r.cells), r.score_text(weighted=s.weighted)]
            for r in s.rows
        ],
    )
    out += ["", "## Goals", ""]
    if not s.goals:
        out += ["No goals yet.", ""]
    for view in s.goals:
        g = view.goal
        out += [f"### {text(view.heading)}", ""]
        if g.statement:
            out += [text(g.statement), ""]
        facts = [
            ("Metric", g.metric), ("Baseline", g.baseline), ("Target", g.target),
            ("Due", g.due.isoformat() if g.due else ""),
            ("Outcome", g.outcome.value if g.outcome else ""),
            ("Level reached", "" if g.reached_level is None else str(g.reached_level)),
            ("Evidence", g.evidence),
        ]  # fmt: skip
        out += [f"- **{label}:** {text(value)}" for label, value in facts if value]
        if view.url:
            out.append(f"- **Guidance:** <{view.url}>")
        out.append("")
        if g.actions:
            out += _table(
                ["Action", "Owner", "Due", "Status"],
                [
                    [cell(a.title), cell(a.owner), a.due.isoformat() if a.due else "", a.status]
                    for a in g.actions
                ],
            )
            out.append("")
    out += _review(s)
    out += ["## Score per capability", ""]
    header, rows = s.score_table()
    out += _table(header, [[cell(value) for value in row] for row in rows])
    return "\n".join(out) + "\n"


def _link(name: str, url: str) -> str:
    # Catalogue URLs are checked (https, no spaces, quotes or brackets) when it is loaded.
    return f"[{cell(name)}]({url})" if url else cell(name)


def _stakeholders(s: Report) -> list[str]:
    sh = s.iteration.stakeholders
    groups = ", ".join(g.value for g in sh.groups()) or "none yet"
    out = ["## Stakeholders", "", f"Groups taking part: {groups}.", ""]
    if sh.people:
        out += _table(
            ["Name", "Role", "Group"],
            [[cell(p.name), cell(p.role), p.group.value if p.group else ""] for p in sh.people],
        )
        out.append("")
    if sh.notes:
        out += [text(sh.notes), ""]
    return out


def _review(s: Report) -> list[str]:
    review = s.iteration.review
    parts = s.review_parts()
    out = ["## Review", ""]
    if not parts:
        closed = [f"Closed on {review.closed}.", ""] if review.closed else []
        return [*out, s.no_review, "", *closed]
    for label, value in parts:
        out += [f"**{label}:**", "", text(value), ""]
    if review.closed:
        out += [f"Closed on {review.closed}.", ""]
    return out
