"""Disk trouble: the app says what happened, keeps the user's data, and keeps working."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from finops_tui import store as store_module
from finops_tui.screens.export import ExportDialog
from finops_tui.steps import Step
from finops_tui.store import Store

from ..conftest import make_iteration
from ..ui import home_ready, make_app, on_step, shown, type_text, wait_until


def messages(app) -> str:
    return "\n".join(f"{n.title}: {n.message}" for n in app._notifications)


async def export_works(pilot, app, target: Path) -> None:
    assert app.session.iteration is not None
    app.export_iteration(app.session.iteration)
    await wait_until(pilot, lambda: shown(app, ExportDialog))
    app.screen.query_one("#path").value = str(target)
    await pilot.press("enter", "enter")  # from the format to the file, and export
    await wait_until(pilot, target.exists)


async def test_data_dir_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a directory")
    app = make_app(Store(blocker), export_dir=tmp_path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await home_ready(pilot)  # the data dir is read after the first paint
        assert "is a file, not a directory" in str(app.screen.query_one("#welcome").render())
        await pilot.press("n")
        await wait_until(pilot, lambda: on_step(app, Step.STAKEHOLDERS))
        await type_text(pilot, "Kept in memory")
        assert app.session.flush() is False
        await wait_until(pilot, lambda: "is a file" in messages(app))
        assert app.session.iteration is not None and app.session.iteration.title == "Kept in memory"
        await export_works(pilot, app, tmp_path / "rescued.md")
        assert app.is_running
    assert (tmp_path / "rescued.md").read_text().startswith("# Iteration 1: Kept in memory")
    assert blocker.read_text() == "not a directory"


@pytest.mark.parametrize(
    ("code", "said"), [(errno.ENOSPC, "the disk is full"), (errno.EROFS, "read-only")]
)
async def test_disk_full_or_read_only_while_editing(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, said: str
) -> None:
    store.save(make_iteration())
    before = store.path_of("2026-11-28-k3f9").read_bytes()
    app = make_app(store, export_dir=tmp_path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("enter")
        await wait_until(pilot, lambda: on_step(app, Step.STAKEHOLDERS))

        def failing(fd: int) -> None:
            raise OSError(code, os.strerror(code))

        with monkeypatch.context() as patch:
            patch.setattr(store_module.os, "fsync", failing)
            await pilot.press("end")
            await type_text(pilot, " and more")
            assert app.session.flush() is False
            await wait_until(pilot, lambda: said in messages(app))
            assert store.path_of("2026-11-28-k3f9").read_bytes() == before
        await export_works(pilot, app, tmp_path / "copy.md")
        # The disk is fine again: the next save writes everything that was kept.
        assert app.session.flush() is True
    assert Store(store.data_dir).load("2026-11-28-k3f9").title.endswith(" and more")
