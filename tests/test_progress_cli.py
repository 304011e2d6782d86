"""`finops-tui progress` and `finops-tui diff`: every format (golden files for the tables,
Markdown and CSV, the JSON contract, the HTML parsed), output files, errors, the history
index, and no Textual.

Regenerate the golden files after an intended change with `UPDATE_GOLDEN=1 pytest
tests/test_progress_cli.py`, and review the diff.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from finops_tui import index
from finops_tui.cli import run
from finops_tui.frameworks import find_catalog
from finops_tui.store import Store

from .conftest import make_iteration
from .progress_history import team_history
from .test_frameworks import TEAM, team_iteration, write_catalog

GOLDEN = Path(__file__).parent / "golden"
HOSTILE = "</td><script>alert(1)</script><svg onload=alert(2)> [x](javascript:y) =1+2 \x1b[31m"


@pytest.fixture
def history(store: Store) -> Store:
    for iteration in team_history():
        store.save(iteration)
    return store


def output(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert run(list(args)) == 0
    return capsys.readouterr().out


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_bytes(text.encode("utf-8"))
    assert text == path.read_bytes().decode("utf-8")


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("progress.txt", ["progress"]),
        ("progress-budgeting.txt", ["progress", "--capability", "budgeting"]),
        ("progress.md", ["progress", "--format", "markdown"]),
        ("progress.csv", ["progress", "--format", "csv"]),
        ("diff.txt", ["diff", "3", "4"]),
        ("diff.md", ["diff", "2", "latest", "--format", "markdown"]),
    ],
)
def test_golden_files(
    history: Store, capsys: pytest.CaptureFixture[str], name: str, args: list[str]
) -> None:
    check_golden(name, output(capsys, *args))


def test_the_table_has_a_row_per_capability_and_a_column_per_iteration(
    history: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = output(capsys, "progress").splitlines()
    header = next(line for line in lines if line.startswith("ID "))
    assert header.split() == ["ID", "CAPABILITY", "#1", "#2", "#3", "#4", "#5"]
    row = next(line for line in lines if line.startswith("cost-allocation "))
    assert row.split()[-5:] == ["5→7", "7→7", "7→7", "·", "·"]
    row = next(line for line in lines if line.startswith("budgeting "))
    assert row.split()[-2:] == ["5→6", "6→…"]
    assert "allocation continues cost-allocation, managing-shared-cost" in "\n".join(lines)


def test_json_contract(history: Store, capsys: pytest.CaptureFixture[str]) -> None:
    payload = json.loads(output(capsys, "progress", "--format", "json"))
    assert list(payload) == ["iterations", "capabilities", "goals", "measurements"]
    first = payload["iterations"][0]
    assert first == {
        "id": "2026-01-05-aa01", "number": 1, "title": "Get visibility of our cloud spend",
        "starts": "2026-01-05", "ends": "2026-02-02", "status": "closed",
        "framework": "finops-2023",
    }  # fmt: skip
    assert [i["number"] for i in payload["iterations"]] == [1, 2, 3, 4, 5]
    budgeting = next(c for c in payload["capabilities"] if c["id"] == "budgeting")
    assert set(budgeting) == {"id", "name", "url", "successor_of", "points"}
    assert budgeting["name"] == "Budgeting" and budgeting["successor_of"] == ["budget-management"]
    assert budgeting["url"].startswith("https://learn.microsoft.com/")
    closed, active = budgeting["points"]
    assert set(closed) == {
        "iteration", "start", "end", "score_start", "score_end", "weights", "weighted_start",
        "weighted_end", "target_score", "target_met",
    }  # fmt: skip
    assert closed["iteration"] == "2026-04-20-aa04"
    assert closed["start"] == {
        "knowledge": 2, "process": 2, "metrics": 1, "adoption": 0, "automation": 0,
    }  # fmt: skip
    assert closed["end"]["process"] == 3 and (closed["score_start"], closed["score_end"]) == (5, 6)
    assert active["end"] is None and active["score_end"] is None
    # Points only for iterations whose scope holds the capability.
    showback = next(c for c in payload["capabilities"] if c["id"] == "data-analysis-showback")
    assert [p["iteration"] for p in showback["points"]] == ["2026-01-05-aa01", "2026-03-16-aa03"]
    assert payload["goals"][1] == {
        "iteration": "2026-02-09-aa02", "total": 2, "achieved": 1, "partly": 0, "missed": 1,
        "open": 0,
    }  # fmt: skip
    assert payload["measurements"][-1] == {
        "iteration": "2026-05-25-aa05", "goal": "g10", "capability": "anomaly-management",
        "kpi": "anomaly-days", "at": "2026-05-26T09:00:00Z", "value": 3.0, "unit": "days",
    }  # fmt: skip


def test_csv_is_tidy_rows_that_open_safely_in_a_spreadsheet(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    store.save(make_iteration(title="=HYPERLINK(1)"))
    rows = list(csv.DictReader(io.StringIO(output(capsys, "progress", "--format", "csv"))))
    kinds = [r["kind"] for r in rows]
    assert kinds == ["level"] * 5 + ["score"] + ["level"] * 5 + ["score"] + ["level"] * 5 + [
        "score"
    ] + ["goals"] * 4  # fmt: skip
    assert {r["title"] for r in rows} == {"'=HYPERLINK(1)"}
    score = rows[5]
    assert (score["capability_id"], score["start"], score["end"]) == ("budget-management", "4", "")
    goals = {r["outcome"]: r["value"] for r in rows if r["kind"] == "goals"}
    assert goals == {"achieved": "0", "partly": "0", "missed": "0", "open": "2"}


class Page(HTMLParser):
    """What a browser would run or fetch: tags, attributes, URLs; and the text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.open_svg: list[bool] = []
        self.svg_titles = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += attrs
        if tag == "svg":
            self.open_svg.append(True)
        if tag == "title" and self.open_svg:
            self.svg_titles += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self.open_svg.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


def test_html_is_one_standalone_page_with_one_svg_per_chart(
    history: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    text = output(capsys, "progress", "--format", "html")
    page = parse(text)
    capabilities = 10
    series = 2  # tag-coverage (ratio), anomaly-days (days)
    charts = 1 + capabilities + 1 + series  # scores, a heatmap each, goals, one per KPI
    assert page.tags.count("svg") == charts == page.svg_titles
    assert not page.open_svg
    assert "script" not in page.tags and "iframe" not in page.tags and "img" not in page.tags
    assert not [name for name, _ in page.attributes if name.startswith("on") or name == "src"]
    assert page.tags.count("style") == 1 and "link" not in page.tags
    catalogs = [find_catalog(framework) for framework in ("finops-2023", "finops-2025")]
    guidance = {c.url for catalog in catalogs if catalog for c in catalog.capabilities}
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", text))
    assert urls and urls <= guidance
    hrefs = {value for name, value in page.attributes if name == "href"}
    assert hrefs == urls
    assert "Allocation" in page.text and "continues cost-allocation" in "".join(page.text)


def test_html_of_an_empty_history_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    page = parse(output(capsys, "progress", "--format", "html"))
    assert "svg" not in page.tags and "No iterations yet." in page.text


def test_hostile_text_stays_text_in_every_format(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = make_iteration(title=HOSTILE)
    hostile.describe_goal("g1", statement=HOSTILE)
    store.save(hostile)
    html = output(capsys, "progress", "--format", "html")
    page = parse(html)
    assert "script" not in page.tags and page.tags.count("svg") == 5
    assert not [name for name, _ in page.attributes if name.startswith("on")]
    assert HOSTILE.replace("\x1b", "␛") in page.text
    markdown = output(capsys, "progress", "--format", "markdown")
    assert "<script>" not in markdown and "\\</td\\>\\<script\\>" in markdown
    assert "\x1b" not in markdown
    table = output(capsys, "progress")
    assert "\x1b" not in table  # the title is cut at 60 characters, before its ESC
    assert "</td><script>alert(1)</script><svg onload=alert(2)> [x](jav…" in table
    store.save(make_iteration(id="2026-10-01-ab12", number=2, previous=None))
    diff = output(capsys, "diff", "2", "3")
    assert "\x1b" not in diff and "</td><script>alert(1)</script><svg onload=alert(2)>" in diff
    diff_md = output(capsys, "diff", "2", "3", "--format", "markdown")
    assert "\x1b" not in diff_md and "<script>" not in diff_md and "␛\\[31m" in diff_md
    diff_json = json.loads(output(capsys, "diff", "2", "3", "--format", "json"))
    assert diff_json["to"]["title"] == HOSTILE == diff_json["goals"]["to"][0]["statement"]


def test_output_file_follows_the_export_rules(
    history: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "progress.html"
    assert run(["progress", "--format", "html", "-o", str(target)]) == 0
    assert capsys.readouterr().err == f"Wrote {target}\n"
    first = target.read_text()
    assert first.startswith("<!DOCTYPE html>")
    assert run(["progress", "--format", "markdown", "-o", str(target)]) == 1
    assert "already exists; use --force" in capsys.readouterr().err
    assert target.read_text() == first
    assert run(["progress", "--format", "markdown", "-o", str(target), "--force"]) == 0
    assert target.read_text().startswith("# Progress across iterations")
    link = tmp_path / "link.md"
    link.symlink_to(tmp_path / "elsewhere.md")
    assert run(["progress", "-o", str(link)]) == 1
    assert not (tmp_path / "elsewhere.md").exists()


def test_bad_input_is_one_line_and_an_exit_code(
    history: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["progress", "--since", "last week"]) == 2
    assert "--since 'last week' is not a date" in capsys.readouterr().err
    assert run(["progress", "--capability", "nope"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("finops-tui: error: no capability 'nope'") and err.count("\n") == 1
    assert run(["diff", "1", "9"]) == 1
    assert "no iteration '9'" in capsys.readouterr().err
    assert run(["diff", "latest", "5"]) == 1
    assert "A and B are the same iteration (#5)" in capsys.readouterr().err
    assert run(["diff", "2026"]) == 2  # B is missing: a usage error


def test_since_and_an_empty_data_dir(
    history: Store, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert "#4" in output(capsys, "progress", "--since", "2026-04-20")
    assert "#3" not in output(capsys, "progress", "--since", "2026-04-20")
    empty = str(tmp_path / "empty")
    assert output(capsys, "--data-dir", empty, "progress").startswith("No iterations in ")
    assert json.loads(output(capsys, "--data-dir", empty, "progress", "--format", "json")) == {
        "iterations": [], "capabilities": [], "goals": [], "measurements": [],
    }  # fmt: skip


def test_an_unreadable_file_is_left_out_and_named(
    history: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    (history.iterations_dir / "broken.toml").write_text("title = [")
    assert run(["progress", "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert len(json.loads(captured.out)["iterations"]) == 5
    assert "1 file could not be read (left out); `finops-tui doctor` says why." in captured.err


def test_diff_json(history: Store, capsys: pytest.CaptureFixture[str]) -> None:
    payload = json.loads(output(capsys, "diff", "3", "2026-04", "--format", "json"))
    assert list(payload) == ["from", "to", "scope", "levels", "scores", "goals"]
    assert payload["from"]["number"] == 3 and payload["from"]["levels"] == "end"
    assert payload["scope"][0] == {
        "capability": "allocation", "name": "Allocation", "change": "moved",
        "from": ["cost-allocation", "managing-shared-cost"],
    }  # fmt: skip
    assert payload["levels"][0] == {
        "capability": "allocation", "name": "Allocation", "lens": "automation", "from": 0, "to": 1,
    }  # fmt: skip
    assert set(payload["goals"]) == {"from", "to"}
    assert payload["goals"]["to"][0]["outcome"] == "achieved"


# -- the history index -------------------------------------------------------------------------


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    # Files written by a test are seconds old at most; let the index take them at once.
    monkeypatch.setattr(index, "SETTLED_SECONDS", -1.0)


def test_progress_reads_the_index_and_never_an_unchanged_file(
    history: Store,
    settled: None,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = output(capsys, "progress", "--format", "json")

    def refuse(self: Store, path: Path) -> None:
        raise AssertionError(f"{path.name} was parsed although the index is current")

    with monkeypatch.context() as patch:
        patch.setattr(Store, "read", refuse)
        assert output(capsys, "progress", "--format", "json") == first
        output(capsys, "diff", "1", "2")
    fifth = history.load("2026-05-25-aa05")
    fifth.record_outcome("g9", None, 1)
    fifth.close(fifth.ends)
    history.save(fifth)
    payload = json.loads(output(capsys, "progress", "--format", "json"))
    unit = next(c for c in payload["capabilities"] if c["id"] == "unit-economics")
    assert unit["points"][0]["end"]["knowledge"] == 1


def test_a_damaged_facts_entry_is_read_again_from_its_file(
    history: Store, settled: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    first = output(capsys, "progress", "--format", "json")
    path = index.index_file(history, tmp_path / "cache", "facts")
    document = json.loads(path.read_text())
    for entry in document["files"].values():
        entry["facts"]["capabilities"] = "lies"
    path.write_text(json.dumps(document))
    assert output(capsys, "progress", "--format", "json") == first


def test_a_teams_catalogue_names_its_capabilities_inertly_and_a_missing_one_by_id(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = "Showback </text><script>alert(1)</script><a href=http://evil.example>"
    path = write_catalog("team.toml", TEAM.replace("Showback to product teams", hostile, 1))
    store.save(team_iteration())
    page = parse(output(capsys, "progress", "--format", "html"))
    assert "script" not in page.tags and page.tags.count("svg") == 4  # scores, 2 heatmaps, goals
    assert {value for name, value in page.attributes if name == "href"} == {
        "https://wiki.example.org/finops/showback", "https://wiki.example.org/finops/commitments",
    }  # fmt: skip
    assert any(hostile in text for text in page.text)
    payload = json.loads(output(capsys, "progress", "--format", "json"))
    showback = payload["capabilities"][0]
    assert (showback["name"], showback["successor_of"]) == (
        hostile, ["reporting-analytics", "allocation"],
    )  # fmt: skip
    path.unlink()  # the catalogue is gone: the iteration is still shown, its ids as names
    payload = json.loads(output(capsys, "progress", "--format", "json"))
    assert [(c["id"], c["name"], c["url"]) for c in payload["capabilities"]] == [
        ("showback", "showback", ""), ("commitments", "commitments", ""),
    ]  # fmt: skip


def test_reading_a_long_history_shows_progress_on_stderr(
    history: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from finops_tui import cli

    monkeypatch.setattr(cli._ReadingProgress, "AFTER_SECONDS", -1.0)
    assert run(["progress", "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "Reading iterations\n"  # not a terminal: once, no bar
    assert json.loads(captured.out)["iterations"]
