"""A team's own catalogues beside the built-ins: found, checked, reported when broken, and an
iteration whose catalogue went missing still loads (read-only, capability ids as they are)."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

import pytest

from finops_tui import export, index
from finops_tui.catalog import CatalogError, load_catalog
from finops_tui.cli import run
from finops_tui.frameworks import (
    catalog_problems,
    default_framework,
    discover,
    find_catalog,
    missing_reason,
    newest_builtin,
    successor_framework,
)
from finops_tui.lenses import Lens
from finops_tui.locations import catalogs_dir
from finops_tui.model import Iteration
from finops_tui.store import Store

from .conftest import NOW

TEAM = """\
# Our own wording of the capabilities we work on.
id = "team"
name = "Team framework"
source = "Our FinOps guild"
succeeds = "finops-2025"

[[domains]]
id = "spend"
name = "Spend"

[[capabilities]]
id = "showback"
name = "Showback to product teams"
domain = "spend"
description = "Each product team sees its spend every week."
url = "https://wiki.example.org/finops/showback"
framework_url = "https://www.finops.org/framework/capabilities/reporting-analytics/"
kpis = ["Teams that open their weekly report"]
cost_kpis = ["cost-by-month", "tag-coverage"]
successor_of = ["reporting-analytics", "allocation"]

[[capabilities]]
id = "commitments"
name = "Commitments"
domain = "spend"
description = "Buy and track reservations centrally."
url = "https://wiki.example.org/finops/commitments"
framework_url = "https://www.finops.org/framework/capabilities/rate-optimization/"
kpis = ["Commitment utilization"]

[[starter_groups]]
id = "start"
title = "Start here"
description = "The two we begin with."
capabilities = ["showback", "commitments"]
"""


def write_catalog(name: str, text: str | bytes) -> Path:
    directory = catalogs_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, marker: str) -> int:
    return text[: text.index(marker)].count("\n") + 1


def team_iteration(id: str = "2026-11-28-team") -> Iteration:
    it = Iteration.new(id, 1, NOW.date(), now=NOW, framework="team", title="Ours")
    it.set_scope(["showback", "commitments"])
    it.set_level("showback", Lens.KNOWLEDGE, 2)
    it.set_target("showback", Lens.KNOWLEDGE, 3)
    return it


def test_a_good_custom_catalogue_is_offered_beside_the_builtins() -> None:
    path = write_catalog("team.toml", TEAM)
    found = discover()
    assert found.ids == ["finops-2023", "finops-2025", "team"]
    assert found.problems == ()
    team = found.get("team")
    assert team is not None and team.source == str(path) and not team.builtin
    assert found.get("finops-2025").source == "builtin"  # type: ignore[union-attr]
    catalog = load_catalog("team")
    assert catalog.capability("showback").successor_of == ("reporting-analytics", "allocation")
    assert catalog.lenses == load_catalog("finops-2023").lenses
    # An iteration in the team's framework is checked against the team's capabilities.
    it = team_iteration()
    assert not it.catalog_missing and it.catalog_problem is None
    assert it.display_catalog() is load_catalog("team")
    with pytest.raises(KeyError, match="no capability 'forecasting'"):
        it.set_scope(["forecasting"])


BROKEN = [
    ("syntax", TEAM.replace('name = "Spend"', 'name = "Spend'), "TOML syntax error", "Spend\n"),
    ("schema", TEAM.replace('kpis = ["Commitment utilization"]', "kpis = []"),
     "capabilities[1].kpis", "kpis = []"),
    ("unknown key", TEAM.replace('name = "Spend"', 'name = "Spend"\ncolour = "red"'),
     "domains[0].colour: unknown key", "colour"),
    ("duplicate id", TEAM.replace('id = "commitments"', 'id = "showback"'),
     "capability id 'showback' is used twice", 'id = "showback"\nname = "Commitments"'),
    ("unknown domain", TEAM.replace('domain = "spend"\ndescription = "Buy',
                                    'domain = "save"\ndescription = "Buy'),
     "names unknown domain 'save'", 'domain = "save"'),
    ("unknown cost kpi", TEAM.replace('"cost-by-month", "tag-coverage"', '"cost-per-vibe"'),
     "unknown cost KPI 'cost-per-vibe'", "cost_kpis"),
    ("unknown predecessor", TEAM.replace('succeeds = "finops-2025"', 'succeeds = "finops-1999"'),
     "succeeds 'finops-1999', which is neither built in", "succeeds"),
    ("successor of nothing", TEAM.replace('"reporting-analytics", "allocation"',
                                          '"reporting-analytics", "cost-allocation"'),
     "successor_of names 'cost-allocation', which is not in finops-2025", "successor_of"),
    ("id and file name differ", TEAM.replace('id = "team"', 'id = "other"'),
     "does not match the file name", 'id = "other"'),
]  # fmt: skip


@pytest.mark.parametrize(("case", "text", "reason", "at"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_custom_catalogue_is_a_problem_with_file_line_and_reason(
    case: str, text: str, reason: str, at: str
) -> None:
    good = write_catalog("good.toml", TEAM.replace('id = "team"', 'id = "good"'))
    path = write_catalog("team.toml", text)
    before = path.read_bytes()
    found = discover()
    # The broken file is reported, the others are still offered.
    assert found.ids == ["finops-2023", "finops-2025", "good"]
    [problem] = found.problems
    assert problem.path == path and reason in problem.message
    assert problem.line == line_of(text, at)
    assert str(problem).startswith(f"{path}:{problem.line}: ")
    assert catalog_problems() == [problem]
    assert find_catalog("team") is None
    with pytest.raises(CatalogError, match="cannot be used"):
        load_catalog("team")
    assert find_catalog("good") is not None and good.exists()
    assert path.read_bytes() == before


def test_a_custom_catalogue_with_a_builtin_id_is_a_problem() -> None:
    text = TEAM.replace('id = "team"', 'id = "finops-2023"')
    path = write_catalog("finops-2023.toml", text)
    [problem] = discover().problems
    assert problem.path == path and "is a built-in catalogue's id" in problem.message
    assert problem.line == line_of(text, 'id = "finops-2023"')
    # The built-in is what the id names.
    assert len(load_catalog("finops-2023").capabilities) == 18


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"\xff\xfe not text", "is not UTF-8 text"), (b"x" * (1024 * 1024 + 1), "far smaller")],
)
def test_unreadable_catalogue_files_are_problems(content: bytes, reason: str) -> None:
    write_catalog("team.toml", content)
    [problem] = discover().problems
    assert reason in problem.message and problem.line is None


def test_a_catalogues_dir_that_is_a_file_is_a_problem() -> None:
    catalogs_dir().parent.mkdir(parents=True)
    catalogs_dir().write_text("not a dir")
    [problem] = discover().problems
    assert "is a file" in problem.message
    assert discover().ids == ["finops-2023", "finops-2025"]


def test_hidden_and_other_files_are_ignored() -> None:
    write_catalog(".team.toml.swp.toml", "broken = [")
    write_catalog("notes.txt", "broken = [")
    assert discover().problems == ()


def test_a_fixed_catalogue_is_read_again() -> None:
    path = write_catalog("team.toml", TEAM.replace('succeeds = "finops-2025"', "succeeds = ["))
    assert find_catalog("team") is None
    path.write_text(TEAM, encoding="utf-8")
    os.utime(path, ns=(1, 1))  # another time: the cache must not hide the fix
    assert find_catalog("team") is not None


def test_an_iteration_whose_catalogue_is_missing_still_loads(store: Store) -> None:
    write_catalog("team.toml", TEAM)
    store.save(team_iteration())
    (catalogs_dir() / "team.toml").unlink()
    [loaded] = store.load_all().iterations
    assert loaded.catalog_missing
    assert loaded.capabilities == ["showback", "commitments"]
    assert loaded.level("showback", Lens.KNOWLEDGE) == 2
    problem = loaded.catalog_problem
    assert problem is not None
    assert "catalogue 'team' is not installed" in problem and "read-only" in problem
    assert str(catalogs_dir() / "team.toml") in problem
    with pytest.raises(CatalogError, match="not installed"):
        loaded.catalog()
    # What the app shows it with: each capability by its id, in one domain, no links.
    shown = loaded.display_catalog()
    assert [c.id for c in shown.capabilities] == ["showback", "commitments"]
    assert shown.capability("showback").name == "showback"
    assert [c.id for c in shown.capabilities_in(shown.domains[0].id)] == loaded.capabilities
    assert shown.capability("commitments").url == "" and shown.starter_groups == ()
    assert shown.lens(Lens.METRICS).levels[1].label == "Identified metrics"
    assert find_catalog("team") is None  # the stand-in is never taken for the real one
    # Exports show the capability ids as they are, and say why.
    markdown = export.render(loaded, "markdown")
    assert "| showback |" in markdown and "not installed" in markdown
    assert "showback" in export.render(loaded, "html")
    rows = export.render(loaded, "csv").splitlines()
    assert rows[1].split(",")[6:9] == ["showback", "showback", ""]


def test_doctor_and_list_say_when_a_catalogue_is_missing(
    store: Store, capsys: pytest.CaptureFixture
) -> None:
    write_catalog("team.toml", TEAM)
    store.save(team_iteration())
    assert run(["doctor"]) == 0
    capsys.readouterr()
    assert run(["list", "--json"]) == 0  # builds the index while the catalogue is there
    assert json.loads(capsys.readouterr().out)["iterations"][0]["catalog_missing"] is False
    (catalogs_dir() / "team.toml").unlink()

    assert run(["doctor"]) == 1
    out = capsys.readouterr().out
    path = store.path_of("2026-11-28-team")
    assert f"{path}: valid, but catalogue 'team' is not installed" in out
    assert "1 whose catalogue is missing" in out and "with problems" not in out

    assert run(["list"]) == 0
    captured = capsys.readouterr()
    assert "2026-11-28-team" in captured.out
    assert "iteration 1 (2026-11-28-team): catalogue 'team' is not installed" in captured.err
    assert "it opens read-only" in captured.err
    assert run(["list", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["iterations"][0]["catalog_missing"] is True
    assert payload["iterations"][0]["framework"] == "team"
    assert payload["problems"] == []

    # Once the catalogue is back, the history's rows name the capabilities again.
    write_catalog("team.toml", TEAM)
    assert run(["export", "--all", "--format", "csv"]) == 0
    assert "Showback to product teams" in capsys.readouterr().out


def test_doctor_reports_broken_catalogues_and_goes_on(
    store: Store, capsys: pytest.CaptureFixture
) -> None:
    text = TEAM.replace('kpis = ["Commitment utilization"]', "kpis = []")
    path = write_catalog("team.toml", text)
    assert run(["doctor"]) == 1
    out = capsys.readouterr().out
    assert f"{path}:{line_of(text, 'kpis = []')}: capabilities[1].kpis" in out
    assert "nothing to check" in out
    store.save(Iteration.new("2026-11-28-k3f9", 1, NOW.date(), now=NOW))
    assert run(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "1 file checked" in out and "1 unusable catalogue in" in out


def test_choosing_the_framework_of_a_new_iteration() -> None:
    assert newest_builtin() == "finops-2025"
    assert default_framework(None) == "finops-2025"
    assert default_framework("finops-2023") == "finops-2023"
    assert default_framework("team") == "finops-2025"  # its catalogue is not installed
    write_catalog("team.toml", TEAM)
    assert default_framework("team") == "team"
    assert successor_framework("finops-2023") == "finops-2025"
    assert successor_framework("finops-2025") is None
    assert missing_reason("finops-2023") is None
    assert "not a valid catalogue id" in (missing_reason("../x") or "")


def test_the_framework_can_change_only_while_nothing_is_scoped() -> None:
    it = Iteration.new("2026-11-28-k3f9", 1, NOW.date(), now=NOW)
    it.set_framework("finops-2025")
    assert it.framework == "finops-2025"
    with pytest.raises(CatalogError, match="not installed"):
        it.set_framework("team")
    it.set_scope(["allocation"])
    with pytest.raises(ValueError, match="only change while nothing is scoped"):
        it.set_framework("finops-2023")
    it.set_framework("finops-2025")  # the same: nothing to do
    it.set_scope([])
    it.set_framework("finops-2023")
    assert it.validated().framework == "finops-2023"


DOCS = Path(__file__).resolve().parent.parent / "docs"


def toml_example(doc: str) -> str:
    text = (DOCS / doc).read_text(encoding="utf-8")
    return text.split("```toml\n", 1)[1].split("```", 1)[0]


def test_the_documented_examples_are_valid() -> None:
    write_catalog("acme.toml", toml_example("catalog-format.md"))
    assert discover().problems == ()
    assert load_catalog("acme").capability("showback").successor_of == (
        "reporting-analytics", "allocation",
    )  # fmt: skip
    iteration = Iteration.from_document(tomllib.loads(toml_example("file-format.md")))
    assert iteration.target_score("budget-management") == 12
    assert iteration.lens_weights("budget-management")[Lens.METRICS] == 3


def test_the_history_index_follows_the_custom_catalogues(
    store: Store, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index, "SETTLED_SECONDS", -1.0)  # index files however new
    write_catalog("team.toml", TEAM)
    store.save(team_iteration())
    (catalogs_dir() / "team.toml").unlink()
    assert run(["export", "--all", "--format", "csv"]) == 0
    assert ",showback,showback,," in capsys.readouterr().out  # no catalogue: ids as they are
    write_catalog("team.toml", TEAM)
    assert run(["export", "--all", "--format", "csv"]) == 0
    assert ",showback,Showback to product teams,Spend," in capsys.readouterr().out
    # A catalogue that no longer has a scoped capability makes the file invalid, and
    # fixing the catalogue makes it valid again, index or not.
    write_catalog("team.toml", TEAM.replace('"showback"', '"show"'))
    assert run(["list"]) == 0
    assert "1 file could not be read" in capsys.readouterr().err
    write_catalog("team.toml", TEAM)
    assert run(["list"]) == 0
    assert "could not be read" not in capsys.readouterr().err
