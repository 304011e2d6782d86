"""The TUI starts on the user's data and quits cleanly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from textual import events

from finops_tui.app import FinOpsApp
from finops_tui.store import Store

from .conftest import make_iteration
from .ui import burst, home_ready, keys_panel, make_app, saved, wait_until


async def test_starts_and_quits_with_ctrl_q(store: Store) -> None:
    store.save(make_iteration())
    app = FinOpsApp(store=store)
    async with app.run_test() as pilot:
        await home_ready(pilot)
        assert app.session.history.summaries[0].id == "2026-11-28-k3f9"
        await pilot.press("ctrl+q")
    assert app.return_code == 0


async def test_keys_typed_while_the_files_are_read_wait_and_then_apply(store: Store) -> None:
    for number in range(1, 31):
        store.save(make_iteration(f"2026-01-{number:02d}-aaaa", number=number))
    app = make_app(Store(store.data_dir))
    async with app.run_test() as pilot:
        # Typed at once: the list is still being read in the background.
        pilot.app.post_message(events.Key("n", "n"))
        for char in "Typed early":
            pilot.app.post_message(events.Key("space" if char == " " else char, char))
        await wait_until(pilot, lambda: len(store.files()) == 31)
        await wait_until(
            pilot, lambda: saved(store, app.session.iteration.id).get("title") == "Typed early"
        )
        assert saved(store, app.session.iteration.id)["number"] == 31


def test_the_first_screen_is_painted_before_the_model_loads(store: Store) -> None:
    """pydantic, the model and the catalogue load after the first frame, in the background."""
    store.save(make_iteration())
    code = (
        "import sys\n"
        "from finops_tui.app import FinOpsApp\n"
        "from finops_tui.store import Store\n"
        f"app = FinOpsApp(Store({str(store.data_dir)!r}))\n"
        "display = app._display\n"
        "def first(screen, update):\n"
        "    display(screen, update)\n"
        "    if update is not None and not hasattr(app, 'seen'):\n"
        "        app.seen = sorted(m for m in sys.modules if m.split('.')[0] == 'pydantic'"
        " or m in ('finops_tui.model', 'finops_tui.catalog'))\n"
        "        app.exit()\n"
        "app._display = first\n"
        "app.run(headless=True, size=(80, 24))\n"
        "print(app.seen)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


async def test_the_theme_choice_is_remembered(store: Store, tmp_path: Path) -> None:
    config = tmp_path / "config" / "config.toml"
    app = FinOpsApp(store=store, config_path=config)
    async with app.run_test() as pilot:
        app.theme = "nord"
        await pilot.pause()
    assert 'theme = "nord"' in config.read_text()
    again = FinOpsApp(store=store, config_path=config)
    async with again.run_test() as pilot:
        await pilot.pause()
        assert again.theme == "nord"


async def test_a_broken_config_is_reported_and_defaults_are_used(
    store: Store, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("theme = [")
    app = FinOpsApp(store=store, config_path=config)
    async with app.run_test(notifications=True) as pilot:
        await wait_until(
            pilot, lambda: any("settings ignored" in n.message for n in app._notifications)
        )
    assert config.read_text() == "theme = ["


def test_the_demo_has_two_closed_iterations_and_one_under_way(store: Store) -> None:
    from datetime import date

    from finops_tui.demo import seed

    seed(store, date(2026, 11, 28))
    loaded = Store(store.data_dir).load_all()
    assert loaded.problems == []
    assert [it.status.value for it in loaded.iterations] == ["active", "closed", "closed"]
    newest, middle, oldest = loaded.iterations
    assert newest.previous == middle.id and middle.previous == oldest.id
    for iteration in loaded.iterations:
        assert iteration.goals and all(g.statement for g in iteration.goals)
        assert any(g.actions for g in iteration.goals)
    assert all(it.review.improve for it in (middle, oldest))


async def test_f1_shows_and_hides_the_keys(store: Store) -> None:
    app = FinOpsApp(store=store)
    async with app.run_test() as pilot:
        panel = await keys_panel(pilot)
        assert panel.shown[0].title == "On the list of iterations"
        await pilot.press("f1")
        await wait_until(pilot, lambda: not app.screen.query("KeysPanel"))
        # The palette's "Keys" shows it too, and says it hides it once shown.
        for shown in (True, False):
            commands = {c.title: c for c in app.get_system_commands(app.screen)}
            assert commands["Keys"].help.startswith("Show" if shown else "Hide")
            commands["Keys"].callback()
            await wait_until(pilot, lambda s=shown: bool(app.screen.query("KeysPanel")) is s)


async def test_a_save_error_is_shown_and_the_edit_kept(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from finops_tui.store import StoreError

    store.save(make_iteration())
    app = FinOpsApp(store=store)
    async with app.run_test(notifications=True) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        real_save = store.save

        def full_disk(iteration: object) -> bool:
            raise StoreError("/data/iterations/x.toml: cannot write: the disk is full")

        monkeypatch.setattr(store, "save", full_disk)
        await pilot.press("end", "!")
        assert app.session.flush() is False
        await wait_until(
            pilot, lambda: any("disk is full" in n.message for n in app._notifications)
        )
        assert app.session.iteration is not None and app.session.iteration.title.endswith("!")
        monkeypatch.setattr(store, "save", real_save)
        assert app.session.flush() is True
    assert Store(store.data_dir).load("2026-11-28-k3f9").title.endswith("!")


def test_settings_keep_tag_aliases_and_reject_bad_ones(tmp_path: Path) -> None:
    from finops_tui.config import Config, load_config, save_config

    path = tmp_path / "config.toml"
    save_config(path, Config(tag_aliases={"env": "environment"}, other={"future": 1}))
    config, problem = load_config(path)
    assert problem is None
    assert config.tag_aliases == {"env": "environment"} and config.other == {"future": 1}
    path.write_text("tag_aliases = 3\n")
    config, problem = load_config(path)
    assert config.tag_aliases == {} and problem is not None and "tag_aliases" in problem


async def test_a_slow_disk_does_not_hold_up_typing(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import threading

    from textual.widgets import Input

    entered, release = threading.Event(), threading.Event()
    real_fsync = os.fsync

    def slow_fsync(fd: int) -> None:
        if threading.current_thread() is not threading.main_thread():
            entered.set()
            release.wait(10)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", slow_fsync)
    app = make_app(store)
    async with app.run_test() as pilot:
        await home_ready(pilot)
        await pilot.press("n", "A")
        await wait_until(pilot, entered.is_set)  # the autosave is stuck in fsync
        await pilot.press("B", "C")
        title = app.screen.query_one("#title", Input)
        await wait_until(pilot, lambda: title.value == "ABC")  # typing went on meanwhile
        release.set()
        await wait_until(pilot, lambda: saved(store).get("title") == "ABC")
        await pilot.press("D", "ctrl+q")
    assert saved(store)["title"] == "ABCD"  # quitting wrote the last key


def test_saving_a_setting_keeps_the_users_comments_and_order(tmp_path: Path) -> None:
    from finops_tui.config import load_config, save_config

    path = tmp_path / "config.toml"
    text = (
        "# Settings of the FinOps team\n"
        'theme = "nord"  # the one we like\n'
        "\n"
        "# iterations are a month long here\n"
        "iteration_weeks = 5\n"
        "future_setting = 1\n"
        "\n"
        "[tag_aliases]\n"
        "# our old tag key\n"
        'env = "environment"\n'
    )
    path.write_text(text)
    config, problem = load_config(path)
    assert problem is None
    config.theme = "gruvbox"
    save_config(path, config)
    assert path.read_text() == text.replace('"nord"', '"gruvbox"')
    config.tag_aliases = {}  # a table that changes: the file is written anew, nothing lost
    save_config(path, config)
    again, _ = load_config(path)
    assert (again.theme, again.iteration_weeks, again.tag_aliases) == ("gruvbox", 5, {})
    assert again.other == {"future_setting": 1}


async def test_keys_typed_just_before_a_hang_up_are_saved(store: Store) -> None:
    store.save(make_iteration())
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.focused is not None and app.focused.id == "title")
        # Keys the app has not handled yet when SSH drops.
        burst(pilot, "end", *" v2")
        app._on_hangup()
        await wait_until(pilot, lambda: not app.is_running, 5)
    assert saved(store)["title"] == "Commitments and budgets v2"
