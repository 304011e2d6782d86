"""What is not a regular file: a FIFO, a socket, a directory or a link loop in the data dir is
listed with its reason and never blocks or crashes anything; `export -o` never replaces one;
settings that are a FIFO or a directory are named, and the app and `kpis` go on."""

from __future__ import annotations

import contextlib
import os
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from finops_tui.cli import run
from finops_tui.store import Store, StoreError, write_atomic, write_export

from ..conftest import make_iteration
from ..test_focus import table
from ..ui import home_ready, make_app, wait_until

TIMEOUT = 30  # seconds: a command that blocks on a FIFO fails instead of hanging the suite
WATCHDOG = 10  # seconds: then an in-process reader blocked on a FIFO is let go


def finops(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "finops_tui", *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


@contextlib.contextmanager
def fifo(path: Path) -> Iterator[Path]:
    """A FIFO with no writer. A reader waiting on it (a regression) is let go after WATCHDOG
    seconds and at the end, so that a failing test fails instead of hanging the suite."""
    os.mkfifo(path)
    done = threading.Event()

    def watchdog() -> None:
        if not done.wait(WATCHDOG):
            while not done.wait(0.2):
                release(path)

    threading.Thread(target=watchdog, daemon=True).start()
    try:
        yield path
    finally:
        done.set()
        release(path)


def release(path: Path) -> None:
    """Let a reader waiting on a FIFO go (it reads an end of file)."""
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))


@contextlib.contextmanager
def unix_socket(path: Path) -> Iterator[Path]:
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        yield path


@pytest.fixture
def good(store: Store) -> Store:
    store.save(make_iteration(title="The good one"))
    return store


@pytest.fixture
def specials(good: Store) -> Iterator[dict[str, str]]:
    """One of each kind of special file in iterations/; file name → expected words."""
    iterations = good.iterations_dir
    (iterations / "a.toml").symlink_to("b.toml")
    (iterations / "b.toml").symlink_to("a.toml")
    (iterations / "self.toml").symlink_to("self.toml")
    (iterations / "dir.toml").mkdir()
    (iterations / "dangling.toml").symlink_to("nowhere.toml")
    (iterations / "chain.toml").symlink_to("dangling.toml")
    with (
        fifo(iterations / "pipe.toml"),
        unix_socket(iterations / "sock.toml"),
    ):
        (iterations / "to-pipe.toml").symlink_to("pipe.toml")
        yield {
            "a.toml": "is a symbolic link loop (a.toml → b.toml → a.toml)",
            "b.toml": "is a symbolic link loop (b.toml → a.toml → b.toml)",
            "self.toml": "is a symbolic link loop (self.toml → self.toml)",
            "dir.toml": "is a directory",
            "dangling.toml": "is a link to nowhere.toml, which does not exist",
            "chain.toml": "is a link to dangling.toml → nowhere.toml, which does not exist",
            "pipe.toml": "is a named pipe (FIFO)",
            "to-pipe.toml": "is a link to pipe.toml, which is a named pipe (FIFO)",
            "sock.toml": "is a socket",
        }


def test_the_store_lists_each_special_file_with_its_reason(
    good: Store, specials: dict[str, str]
) -> None:
    loaded = Store(good.data_dir).load_all()
    assert [it.title for it in loaded.iterations] == ["The good one"]
    reasons = {p.path.name: p.message for p in loaded.problems}
    assert set(reasons) == set(specials)
    for name, words in specials.items():
        assert words in reasons[name], reasons[name]
    assert stat.S_ISFIFO(os.lstat(good.iterations_dir / "pipe.toml").st_mode)


@pytest.mark.parametrize(
    "command", [["list"], ["doctor"], ["export", "latest"], ["export", "--all"]]
)
def test_commands_neither_block_nor_crash(specials: dict[str, str], command: list[str]) -> None:
    result = finops(*command)
    assert "Traceback" not in result.stderr
    if command == ["doctor"]:
        assert result.returncode == 1
        for name, words in specials.items():
            assert f"{name}: {words}" in result.stdout
        assert f"{len(specials) + 1} files checked" in result.stdout
    else:
        assert result.returncode == 0, result.stderr
        assert "The good one" in result.stdout


def test_a_link_is_followed_one_level_inside_the_data_dir(store: Store) -> None:
    iteration = make_iteration()
    archive = store.data_dir / "archive"
    archive.mkdir(parents=True)
    (archive / "kept.toml").write_bytes(store.render(iteration))
    store.iterations_dir.mkdir()
    (store.iterations_dir / f"{iteration.id}.toml").symlink_to(archive / "kept.toml")
    (store.iterations_dir / "twice.toml").symlink_to(f"{iteration.id}.toml")
    loaded = store.load_all()
    assert [it.id for it in loaded.iterations] == [iteration.id]
    [problem] = loaded.problems
    assert problem.path.name == "twice.toml"
    assert "is a link to a link" in problem.message and "only one level" in problem.message


async def test_the_app_lists_the_others_and_quits(good: Store, specials: dict[str, str]) -> None:
    app = make_app(Store(good.data_dir))
    async with app.run_test(size=(120, 40)) as pilot:
        try:
            await home_ready(pilot)
        finally:  # were the app stuck on the FIFO, it could not even be closed
            release(good.iterations_dir / "pipe.toml")
        assert [s.title for s in app.session.history.summaries] == ["The good one"]
        listed = str(app.screen.query_one("#problems").render())
        assert f"{len(specials)} files could not be read" in listed
        assert "pipe.toml: is a named pipe (FIFO)" in listed
        await pilot.press("ctrl+q")


def test_saving_over_a_fifo_is_refused_without_blocking(store: Store) -> None:
    iteration = make_iteration()
    store.iterations_dir.mkdir(parents=True)
    with fifo(store.path_of(iteration.id)) as path:
        with pytest.raises(StoreError, match="named pipe"):
            store.save(iteration)
        assert stat.S_ISFIFO(os.lstat(path).st_mode)


# -- export -o ----------------------------------------------------------------------------------


@pytest.fixture
def targets(tmp_path: Path) -> Iterator[dict[str, tuple[Path, str]]]:
    """What `-o` must never replace, with the words saying what it is. A FIFO stands in for a
    device: both are special files that a rename would silently swap for a regular file."""
    (tmp_path / "a-dir").mkdir()
    with (
        fifo(tmp_path / "out.fifo") as pipe,
        unix_socket(tmp_path / "out.sock") as sock,
    ):
        yield {
            "fifo": (pipe, "is a named pipe (FIFO)"),
            "socket": (sock, "is a socket"),
            "directory": (tmp_path / "a-dir", "is a directory"),
        }


@pytest.mark.parametrize("kind", ["fifo", "socket", "directory"])
def test_export_never_replaces_what_is_not_a_regular_file(
    good: Store,
    targets: dict[str, tuple[Path, str]],
    kind: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, words = targets[kind]
    before = os.lstat(path)
    for force in ([], ["--force"]):
        assert run(["export", "latest", "-o", str(path), *force]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and words in err, err
        after = os.lstat(path)
        assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []


def test_the_store_refuses_a_special_file_that_appears_before_the_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "late.md"
    real_fsync = os.fsync

    def fifo_appears(fd: int) -> None:  # someone makes a FIFO while the data is written
        real_fsync(fd)
        if not target.exists():
            os.mkfifo(target)

    monkeypatch.setattr(os, "fsync", fifo_appears)
    with pytest.raises(StoreError, match="named pipe"):
        write_atomic(target, b"data")
    assert stat.S_ISFIFO(os.lstat(target).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["late.md"]


def test_export_to_dash_writes_to_stdout(
    good: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(["export", "latest", "-o", "-"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("# Iteration 3: The good one\n")
    assert captured.err == ""
    assert not Path("-").exists()


def test_a_link_is_still_replaced_only_with_force(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.md"
    elsewhere.write_text("keep")
    link = tmp_path / "link.md"
    link.symlink_to(elsewhere)
    with pytest.raises(StoreError, match="symbolic link"):
        write_export(link, b"new")
    write_export(link, b"new", force=True)
    assert not link.is_symlink() and link.read_bytes() == b"new"
    assert elsewhere.read_text() == "keep"


# -- the settings file ---------------------------------------------------------------------


async def test_settings_that_are_a_fifo_are_named_and_the_app_goes_on(
    good: Store, tmp_path: Path
) -> None:
    with fifo(tmp_path / "config.toml") as config:
        app = make_app(Store(good.data_dir), config_path=config)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            try:
                await home_ready(pilot)
            finally:  # were the app stuck on the FIFO, it could not even be closed
                release(config)

            def notes() -> list[str]:
                return [n.message for n in app._notifications]

            assert any(
                "config.toml: cannot read the settings (is a named pipe" in n for n in notes()
            )
            assert [s.title for s in app.session.history.summaries] == ["The good one"]
            app.theme = "nord"  # remembering it would replace the FIFO: refused, said
            await wait_until(pilot, lambda: any("Theme not remembered" in n for n in notes()))
            await pilot.press("enter")  # and the iteration opens as ever
            await wait_until(pilot, lambda: app.session.iteration is not None)
        assert stat.S_ISFIFO(os.lstat(config).st_mode)


def test_kpis_with_settings_that_are_a_fifo_say_so_and_go_on(tmp_path: Path) -> None:
    configs = tmp_path / "cfg"
    configs.mkdir()
    rows = table(tmp_path / "costs.csv", [{"ChargePeriodStart": "2025-01-01", "EffectiveCost": 5}])
    with fifo(configs / "config.toml"):
        done = subprocess.run(
            [sys.executable, "-m", "finops_tui", "kpis", str(rows), "--kpi", "cost-by-month"],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
            env={**os.environ, "FINOPS_TUI_CONFIG_DIR": str(configs)},
        )
    assert done.returncode == 0, done.stderr
    assert "cannot read the settings (is a named pipe (FIFO)" in done.stderr
    assert "cost-by-month" in done.stdout


def test_settings_behind_a_link_elsewhere_are_read_and_a_directory_is_named(
    tmp_path: Path,
) -> None:
    from finops_tui.config import load_config

    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    (dotfiles / "finops.toml").write_text('theme = "nord"\n', encoding="utf-8")
    (tmp_path / "config.toml").symlink_to(dotfiles / "finops.toml")
    config, problem = load_config(tmp_path / "config.toml")
    assert (config.theme, problem) == ("nord", None)
    (tmp_path / "dir.toml").mkdir()
    config, problem = load_config(tmp_path / "dir.toml")
    assert config.theme != "nord" and problem is not None and "is a directory" in problem
