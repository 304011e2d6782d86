"""The baseline dialog takes a Spark cluster's data as its source: `sc://host:port PATH`,
with the `spark` extra; without it, the dialog says how to install it."""

from __future__ import annotations

import sys

import pytest
from textual.widgets import Input

from finops_tui.store import Store

from .conftest import make_iteration
from .test_baseline import open_dialog_on_g2, status
from .ui import make_app, wait_until


@pytest.mark.parametrize(
    ("source", "installed", "message"),
    [
        ("sc://localhost:15002", True,
         "after the Spark Connect URL, give the path of the cost data as the cluster reads it"),
        ("sc://localhost:15002 s3a://billing/focus/", False,
         "the Spark engine needs PySpark and SQLGlot: pip install 'finops-tui[spark]'"),
    ],
)  # fmt: skip
async def test_a_spark_connect_source_says_what_it_needs(
    store: Store, monkeypatch: pytest.MonkeyPatch, source: str, installed: bool, message: str
) -> None:
    if not installed:
        monkeypatch.setitem(sys.modules, "pyspark", None)  # as if the extra were not installed
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_dialog_on_g2(pilot)
        app.screen.query_one("#path", Input).value = source
        await pilot.press("enter")
        await wait_until(pilot, lambda: message in status(app))
        assert app.screen.query_one("#compute").disabled is False
