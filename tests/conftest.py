"""Shared fixtures: every test runs against throw-away data and config dirs."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

from finops_tui.lenses import Lens
from finops_tui.model import (
    Action,
    ActionStatus,
    Goal,
    Group,
    Iteration,
    Levels,
    Person,
    Review,
    ScopeItem,
    Stakeholders,
    Status,
)
from finops_tui.store import Store

if TYPE_CHECKING:
    from .browser import Chromium

# `HYPOTHESIS_PROFILE=thorough` searches a hundred times harder, for bug hunts.
settings.register_profile("thorough", max_examples=10_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# A test process builds and drops hundreds of apps: the young-object collector, at its
# default of every 700 allocations, took a twentieth of the suite's CPU. Collections are
# only made rarer; nothing a test asserts depends on when they happen.
gc.set_threshold(100_000, 50, 100)

# The app's processes run as on a user's machine, with Python's bytecode cache: where it is
# turned off (PYTHONDONTWRITEBYTECODE), each of the some 120 app, command-line and bench
# processes the suite starts (and each pytest worker, set going after this) compiled
# finops-tui and the tests afresh.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

# The apps that tests run inside the test process repaint as soon as there is something to
# paint, not at most 60 times a second: a test waits for the paint after each key it sends.
# This is Textual's own setting, read when Textual is imported: set here, before
# pytest-xdist starts its workers, it reaches them (a run without workers keeps 60).
# Processes the tests start (the app in tmux, in a browser, the command line) do without
# it, as users run them: see `_isolated_dirs`.
os.environ["TEXTUAL_FPS"] = "1000"

NOW = datetime(2026, 11, 28, 14, 50, tzinfo=UTC)
PREVIOUS_ID = "2026-10-01-ab12"


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the user's real data and config out of every test."""
    monkeypatch.setenv("FINOPS_TUI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("FINOPS_TUI_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("FINOPS_TUI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.delenv("SPARK_REMOTE", raising=False)  # Spark tests run on a local Spark
    monkeypatch.delenv("TEXTUAL_FPS", raising=False)  # for the processes a test starts


@pytest.fixture(scope="session")
def chromium() -> Iterator[Chromium]:
    """Debian's Chromium, one per test worker (see tests/browser.py)."""
    from .browser import CHROMIUM, Chromium

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is needed for the browser tests (.ci/run installs it)")
    browser = Chromium()
    yield browser
    browser.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data_dir: Path) -> Store:
    return Store(data_dir)


def without_ids(records: list[dict[str, object]]) -> list[dict[str, object]]:
    """People or actions as saved, without their (random) ids, once each is seen to have one."""
    assert all(isinstance(r.get("id"), str) for r in records), records
    return [{k: v for k, v in r.items() if k != "id"} for r in records]


def make_iteration(id: str = "2026-11-28-k3f9", number: int = 3, **changes: object) -> Iteration:
    """A realistic active iteration, as in the file-format example."""
    previous = changes.pop("previous", PREVIOUS_ID if id != PREVIOUS_ID else None)
    iteration = Iteration(
        id=id,
        number=number,
        title="Commitments and budgets",
        status=Status.ACTIVE,
        starts=date(2026, 11, 28),
        ends=date(2026, 12, 26),
        created=NOW,
        updated=NOW,
        previous=previous,
        stakeholders=Stakeholders(
            business=True,
            technology=True,
            notes="Platform team plus one FinOps practitioner; finance joins the review.",
            people=[
                Person(id="p1", name="Ana Ruiz", role="FinOps lead", group=Group.FINANCE),
                Person(
                    id="p2", name="Sam Okafor", role="Platform engineer", group=Group.TECHNOLOGY
                ),
            ],
        ),
        scope=[
            ScopeItem(capability="budget-management", note="Budgets exist for prod only"),
            ScopeItem(capability="commitment-based-discounts"),
            ScopeItem(capability="managing-anomalies"),
        ],
        levels={
            "budget-management": Levels(knowledge=2, process=1, metrics=1),
            "commitment-based-discounts": Levels(knowledge=1),
            "managing-anomalies": Levels(knowledge=1, process=1, metrics=1, adoption=1),
        },
        goals=[
            Goal(
                id="g1",
                capability="budget-management",
                lens=Lens.METRICS,
                from_level=1,
                to_level=2,
                statement="Baseline cost vs budget for every production subscription",
                metric="cost vs budget variance (%)",
                baseline="unknown",
                target="monthly variance under 5%",
                due=date(2026, 12, 19),
                actions=[
                    Action(
                        id="g1-a1",
                        title="Create budgets for the 12 prod subscriptions",
                        owner="Sam",
                        due=date(2026, 12, 5),
                        status=ActionStatus.DONE,
                    ),
                    Action(id="g1-a2", title="Share the variance report", owner="Ana"),
                ],
            ),
            Goal(
                id="g2",
                capability="commitment-based-discounts",
                lens=Lens.KNOWLEDGE,
                from_level=1,
                to_level=2,
                statement="Everyone in the platform team can explain reservations",
            ),
        ],
        review=Review(went_well="Finance joined every weekly check-in."),
    )
    for key, value in changes.items():
        setattr(iteration, key, value)
    return iteration


@pytest.fixture
def iteration() -> Iteration:
    return make_iteration()


# A JVM that starts and warms up fast for many tiny queries: the quick JIT only, a simple
# collector with room to spare (a young generation of 512 MB, and the class space grown once:
# by default, loading Spark's classes set off four full collections, and 100 young ones ran;
# now 28, in 0.9 s instead of 1.6 s), the bytecode of Spark's own jars not verified as each of
# its 23,000 classes loads (1.0-1.9 s less CPU to start a session and run its first query), no
# generated code (per query stage or per expression), no adaptive re-planning.
SPARK_FOR_TESTS = {
    "spark.driver.extraJavaOptions": (
        "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xms1g -Xmn512m -XX:MetaspaceSize=256m"
        " -XX:+UnlockDiagnosticVMOptions -XX:-BytecodeVerificationRemote"
    ),
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
}


@pytest.fixture(scope="session")
def spark() -> object:
    """One small local Spark for the whole test process (each xdist worker would have its
    own; the Spark tests share one worker): 2 cores, 2 shuffle partitions, no UI. The
    command line run in the same process uses it too."""
    from finops_tui.focus.spark import session

    return session(master="local[2]", partitions=2, config=SPARK_FOR_TESTS)
