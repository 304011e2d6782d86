"""Exports: golden files per format, hostile text through every format, the CLI's contract.

Regenerate the golden files after an intended change with `UPDATE_GOLDEN=1 pytest
tests/test_export.py`, and review the diff.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from finops_tui import export
from finops_tui.cli import run
from finops_tui.lenses import Lens
from finops_tui.model import Action, Iteration, Outcome, Person
from finops_tui.store import Store

from .conftest import make_iteration

GOLDEN = Path(__file__).parent / "golden"
HOSTILE = (
    "</td><script>alert(1)</script> | pipe\nnew line [x](javascript:alert(1)) =1+2 "
    '<img src=x onerror=alert(1)> & "q" \x1b[31m'
)


def reviewed_iteration() -> Iteration:
    """A closed iteration with every part filled in."""
    it = make_iteration()
    g1, g2 = it.goals
    g1.outcome, g1.reached_level, g1.evidence = Outcome.ACHIEVED, 2, "Variance report, December"
    g2.outcome, g2.reached_level = Outcome.PARTLY, 1
    it.review.went_poorly = "No owner for shared-platform budgets."
    it.review.improve = "Agree budget owners before the next iteration starts."
    it.set_lens_weights("budget-management", {"metrics": 3, "automation": 0})
    it.set_target_score("budget-management", 6)
    it.set_target_score("managing-anomalies", 4)
    it.close(it.ends)
    return it


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_golden_files(fmt: str) -> None:
    text = export.render(reviewed_iteration(), fmt)
    path = GOLDEN / f"iteration.{export.EXTENSIONS[fmt]}"
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert text == path.read_bytes().decode("utf-8")


def hostile_iteration() -> Iteration:
    it = make_iteration(title=HOSTILE)
    it.stakeholders.notes = HOSTILE
    it.stakeholders.people.append(Person(name=HOSTILE, role=HOSTILE))
    it.scope[0].note = HOSTILE
    g = it.goals[0]
    g.statement = g.metric = g.baseline = g.target = g.evidence = HOSTILE
    g.actions.append(Action(title=HOSTILE, owner=HOSTILE))
    it.review.went_well = it.review.went_poorly = it.review.improve = HOSTILE
    return it


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [name for name, _ in attrs]
        self.hrefs += [value or "" for name, value in attrs if name == "href"]


def test_hostile_text_is_inert_in_html() -> None:
    page = export.render(hostile_iteration(), "html")
    parser = _Elements()
    parser.feed(page)
    assert "script" not in parser.tags and "img" not in parser.tags
    assert not [a for a in parser.attributes if a.startswith("on")]
    assert all(h.startswith("https://learn.microsoft.com/") for h in parser.hrefs)
    assert "&lt;/td&gt;&lt;script&gt;" in page and "\x1b" not in page


def test_hostile_text_keeps_markdown_tables_whole() -> None:
    text = export.render(hostile_iteration(), "markdown")
    assert "<script>" not in text and "\x1b" not in text
    # Brackets are escaped, so no link can form.
    assert "\\[x\\](javascript" in text and "[x](javascript" not in text
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("|---"):
            columns = line.count("|")
            j = i + 1
            while j < len(lines) and lines[j].startswith("|"):
                cells = lines[j].replace("\\|", "").count("|")
                assert cells == columns, lines[j]
                j += 1


def test_hostile_text_round_trips_through_csv() -> None:
    rows = list(csv.DictReader(io.StringIO(export.render(hostile_iteration(), "csv"))))
    assert len(rows) == 3 * 5
    assert {row["title"] for row in rows} == {HOSTILE}


def test_csv_neutralises_formulas() -> None:
    for start in ("=", "+", "-", "@", "\t", "\r"):
        it = make_iteration(title=f"{start}SUM(A1:A9)")
        [row, *_] = csv.DictReader(io.StringIO(export.render(it, "csv")))
        assert row["title"] == f"'{start}SUM(A1:A9)"


def test_csv_is_rfc_4180() -> None:
    text = export.render(hostile_iteration(), "csv")
    assert text.startswith("iteration_id,number,title,")
    assert text.endswith("\r\n") and "\r\n" in text.split('"')[0]


def test_json_loads_back_to_an_equal_model() -> None:
    for iteration in (reviewed_iteration(), hostile_iteration()):
        document = json.loads(export.render(iteration, "json"))
        assert document["starts"] == "2026-11-28"
        assert document["created"] == "2026-11-28T14:50:00Z"
        assert Iteration.from_document(document) == iteration


def test_history_has_a_row_per_iteration_capability_and_lens() -> None:
    iterations = [make_iteration(), make_iteration(id="2026-10-01-ab12", number=2)]
    iterations[1].set_scope([c for c in iterations[1].capabilities][:2])
    rows = list(csv.DictReader(io.StringIO(export.render_history(iterations, "csv"))))
    assert len(rows) == sum(len(it.scope) * 5 for it in iterations) == 25
    assert rows[0]["number"] == "2"  # oldest first
    goal_rows = [r for r in rows if r["goal_id"]]
    assert {(r["capability_id"], r["lens"], r["target"]) for r in goal_rows} >= {
        ("budget-management", Lens.METRICS.value, "2")
    }
    assert json.loads(export.render_history(iterations, "json"))[0]["level_start"] == 2


# -- command line -------------------------------------------------------------------------------


@pytest.fixture
def two(store: Store) -> Store:
    store.save(reviewed_iteration())
    store.save(make_iteration(id="2026-11-29-k3aa", number=4, title="Later"))
    return store


def test_export_to_stdout_and_file(
    two: Store, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    assert run(["export", "latest"]) == 0
    assert capsys.readouterr().out.startswith("# Iteration 4: Later\n")
    assert run(["export", "3", "--format", "html"]) == 0
    assert "<h1>Iteration 3: Commitments and budgets</h1>" in capsys.readouterr().out
    out = tmp_path / "summary.md"
    assert run(["export", "2026-11-2", "-o", str(out)]) == 1  # ambiguous prefix
    assert "matches 2 iterations: 2026-11-29-k3aa (#4), 2026-11-28-k3f9 (#3)" in (
        capsys.readouterr().err
    )
    assert run(["export", "2026-11-28-k", "-o", str(out)]) == 0
    assert out.read_text().startswith("# Iteration 3")


def test_export_errors(two: Store, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert run(["export", "nope"]) == 1
    assert "no iteration 'nope'; there are: 2026-11-29-k3aa (#4)" in capsys.readouterr().err
    existing = tmp_path / "x.md"
    existing.write_text("keep me")
    assert run(["export", "latest", "-o", str(existing)]) == 1
    assert "already exists; use --force" in capsys.readouterr().err
    assert existing.read_text() == "keep me"
    assert run(["export", "latest", "-o", str(existing), "--force"]) == 0
    assert existing.read_text().startswith("# Iteration 4")
    link = tmp_path / "link.md"
    link.symlink_to(tmp_path / "elsewhere.md")
    assert run(["export", "latest", "-o", str(link)]) == 1
    assert "symbolic link" in capsys.readouterr().err
    assert not (tmp_path / "elsewhere.md").exists()
    assert run(["export"]) == 2
    assert run(["export", "latest", "--all"]) == 2
    assert run(["export", "--all", "--format", "html"]) == 2


def test_export_all(two: Store, capsys: pytest.CaptureFixture) -> None:
    assert run(["export", "--all"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 2 * 3 * 5


def test_export_does_not_import_textual(two: Store) -> None:
    code = (
        "import sys\n"
        "from finops_tui.cli import run\n"
        "for fmt in ('markdown', 'html', 'json', 'csv'):\n"
        "    run(['export', 'latest', '--format', fmt])\n"
        "run(['export', '--all'])\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')]\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr


async def test_export_from_the_app(store: Store, tmp_path: Path) -> None:
    from finops_tui.app import FinOpsApp
    from finops_tui.screens.dialogs import ConfirmDialog
    from finops_tui.screens.export import ExportDialog

    from .ui import shown, wait_until

    store.save(reviewed_iteration())
    app = FinOpsApp(store=store, export_dir=tmp_path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("x")
        await wait_until(pilot, lambda: shown(app, ExportDialog))
        app.screen.query_one("#format").value = "html"
        await pilot.pause()
        assert app.screen.query_one("#path").value == str(tmp_path / "2026-11-28-k3f9.html")
        await pilot.press("enter", "enter")  # from the format to the file, and export
        written = tmp_path / "2026-11-28-k3f9.html"
        await wait_until(pilot, written.exists)
        await wait_until(pilot, lambda: any(str(written) in n.message for n in app._notifications))
        written.write_text("old")
        await pilot.press("x")
        await wait_until(pilot, lambda: shown(app, ExportDialog))
        app.screen.query_one("#format").value = "html"
        await pilot.press("enter", "enter")
        await wait_until(pilot, lambda: shown(app, ConfirmDialog))
        await pilot.press("y")
        await wait_until(pilot, lambda: written.read_text().startswith("<!DOCTYPE html>"))


def test_markdown_escapes_what_would_be_markup_and_nothing_more() -> None:
    from finops_tui.export.markdown import text

    assert text("FP&A owns 88.2% of it") == "FP&A owns 88.2% of it"
    assert text("&amp; stays text") == "\\&amp; stays text"
    assert text("1. not a list\n2) nor this") == "1\\. not a list  \n2\\) nor this"


def test_the_csv_says_what_each_goal_is_and_guards_formulas() -> None:
    iteration = reviewed_iteration()
    iteration.goals[0].statement = "=HYPERLINK(evil)"
    rows = list(csv.DictReader(io.StringIO(export.render(iteration, "csv"))))
    [row] = [r for r in rows if r["goal_id"] == "g1"]
    assert row["goal_statement"] == "'=HYPERLINK(evil)"
    assert row["goal_metric"] == iteration.goals[0].metric
    assert row["goal_due"] == iteration.goals[0].due.isoformat()
    others = [r for r in rows if not r["goal_id"]]
    assert others and all(r["goal_statement"] == "" for r in others)


def test_the_review_section_says_whether_the_iteration_was_closed_without_notes() -> None:
    iteration = make_iteration()  # its review has an answer: cleared here
    iteration.review.went_well = ""
    for fmt in ("markdown", "html"):
        assert "Not reviewed yet." in export.render(iteration, fmt)
    iteration.close(iteration.ends)
    markdown = export.render(iteration, "markdown")
    review = markdown.split("## Review")[1].split("##")[0]
    assert " ".join(review.split()) == (
        "No notes on what went well or what to improve. Closed on 2026-12-26."
    )
    html = export.render(iteration, "html")
    assert "<p>No notes on what went well or what to improve.</p>" in html
    assert "<p>Closed on 2026-12-26.</p>" in html
