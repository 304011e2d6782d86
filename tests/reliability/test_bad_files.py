"""Bad files beside good ones: each is listed with its reason, left byte-identical, and the
other iterations keep working, in the store and in the app."""

from __future__ import annotations

import hashlib
from pathlib import Path

from finops_tui.store import ProblemKind, Store

from ..conftest import make_iteration
from ..ui import home_ready, make_app, wait_until


def bad_files(store: Store, outside: Path) -> dict[str, str]:
    """Write one of each kind of bad file; return file name → expected words of the reason."""
    good = store.render(make_iteration()).decode()
    files = {
        "syntax.toml": ("title = [", "TOML syntax error"),
        "invalid.toml": (good.replace("metrics = 1", "metrics = 7", 1), "less than or equal to 4"),
        "empty.toml": ("", "is empty"),
        "newer.toml": ("schema_version = 99\n", "newer than this finops-tui"),
        "unknown-capability.toml": (
            good.replace('"managing-anomalies"', '"crystal-ball"'),
            "not in the finops-2023 catalogue",
        ),
    }
    store.iterations_dir.mkdir(parents=True, exist_ok=True)
    expected = {}
    for name, (content, words) in files.items():
        (store.iterations_dir / name).write_text(content)
        expected[name] = words
    (store.iterations_dir / "binary.toml").write_bytes(bytes(range(256)) * 64)
    expected["binary.toml"] = "not UTF-8"
    with (store.iterations_dir / "huge.toml").open("wb") as f:
        f.truncate(50 * 2**20)  # 50 MB
    expected["huge.toml"] = "50 MB"
    outside.write_text(good)
    (store.iterations_dir / "link.toml").symlink_to(outside)
    expected["link.toml"] = "outside the data dir"
    return expected


def digests(directory: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.iterdir())
        if not p.is_symlink()
    }


async def test_bad_files_beside_a_good_one(store: Store, tmp_path: Path) -> None:
    store.save(make_iteration(id="2026-10-01-ab12", number=2, title="The good one"))
    expected = bad_files(store, tmp_path / "outside.toml")
    before = digests(store.iterations_dir)
    loaded = Store(store.data_dir).load_all()
    assert [it.title for it in loaded.iterations] == ["The good one"]
    reasons = {p.path.name: str(p) for p in loaded.problems}
    assert set(reasons) == set(expected)
    for name, words in expected.items():
        assert words in reasons[name], reasons[name]
    assert all(isinstance(p.kind, ProblemKind) for p in loaded.problems)

    app = make_app(Store(store.data_dir))
    async with app.run_test(size=(100, 30)) as pilot:
        await home_ready(pilot)
        listed = str(app.screen.query_one("#problems").render())
        assert f"{len(expected)} files could not be read" in listed
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.session.iteration is not None)
        await pilot.press("ctrl+q")
    assert digests(store.iterations_dir) == before
