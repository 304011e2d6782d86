"""The Parquet copies of large CSV exports: never stale, durable, cleaned up, capped, and
cleared on demand."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from finops_tui.cli import run
from finops_tui.config import Config, load_config, save_config
from finops_tui.focus import cache
from finops_tui.focus.reader import FocusError, open_focus

ROW = "2025-01-01,1.00\n"


@pytest.fixture(autouse=True)
def _every_csv_is_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "LARGE_CSV_BYTES", 10)


def export(path: Path, rows: int = 10, extra: str = "") -> Path:
    path.write_text("ChargePeriodStart,EffectiveCost\n" + ROW * rows + extra)
    return path


def read(
    path: Path, cache_dir: Path, cache_max_bytes: int | None = None
) -> tuple[float, list[str]]:
    """The total effective cost, and what the reading reported as progress."""
    seen: list[str] = []
    data = open_focus(
        [path], cache_dir=cache_dir, cache_max_bytes=cache_max_bytes, progress=seen_by(seen)
    )
    try:
        [(total,)] = data.query("SELECT sum(EffectiveCost) FROM charges")
        return total, seen
    finally:
        data.close()


def seen_by(seen: list[str]) -> Callable[[str, float | None], None]:
    return lambda what, share: seen.append(what)


def converted(seen: list[str]) -> bool:
    return any(what.startswith("Converting") for what in seen)


def entries(cache_dir: Path) -> list[str]:
    return sorted(p.name for p in (cache_dir / "focus").iterdir())


def test_an_export_changed_in_place_keeping_size_time_and_first_megabyte_is_read_again(
    tmp_path: Path,
) -> None:
    path = export(tmp_path / "big.csv", rows=200_000)  # 3.2 MB
    total, seen = read(path, tmp_path / "cache")
    assert total == 200_000 and converted(seen)
    assert read(path, tmp_path / "cache") == (200_000, [])  # the copy is used
    before = path.stat()
    with path.open("r+b") as f:  # the same size, a row in the middle costs 9 instead of 1
        f.seek(before.st_size // 2 - before.st_size // 2 % len(ROW))
        f.write(ROW.replace("1.00", "9.00").encode())
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    total, seen = read(path, tmp_path / "cache")
    assert total == 200_008 and converted(seen)


def test_the_key_holds_the_first_and_the_last_megabyte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = export(tmp_path / "big.csv", rows=200_000)
    size = path.stat().st_size
    monkeypatch.setattr(cache, "signature", lambda p: (size, 2, 3, 4, 5))  # times, inode alike
    keys = {cache.cache_key(path)}
    for offset in (10_000, path.stat().st_size - 10_000):
        with path.open("r+b") as f:
            f.seek(offset - offset % len(ROW))
            f.write(ROW.replace("1.00", "9.00").encode())
        keys.add(cache.cache_key(path))
    assert len(keys) == 3


def test_the_copy_and_its_record_are_on_disk_before_they_are_renamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(source: str | Path, target: str | Path) -> None:
        events.append(("rename", str(source)))
        real_replace(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    read(export(tmp_path / "big.csv"), tmp_path / "cache")
    renamed = [path for event, path in events if event == "rename"]
    assert [Path(p).name.split(".")[-2:] for p in renamed] == [
        ["parquet", "partial"],
        ["json", "partial"],
    ]
    for path in renamed:
        assert events.index(("fsync", path)) < events.index(("rename", path))
    assert events[-1] == ("fsync", str(tmp_path / "cache" / "focus"))


def test_leftovers_of_killed_conversions_are_removed_after_an_hour(tmp_path: Path) -> None:
    folder = tmp_path / "cache" / "focus"
    folder.mkdir(parents=True)
    old, fresh = folder / ".0a1b.99.cafe.parquet.partial", folder / ".0a1b.98.beef.parquet.partial"
    orphan = folder / "0c1d.parquet"  # its record never written
    for path in (old, fresh, orphan):
        path.write_bytes(b"PAR1 half a file")
    two_hours_ago = time.time() - 7200
    for path in (old, orphan):
        os.utime(path, (two_hours_ago, two_hours_ago))
    read(export(tmp_path / "big.csv"), tmp_path / "cache")
    assert not old.exists() and not orphan.exists()
    assert fresh.exists()


@pytest.mark.parametrize("damage", ["truncate", "garbage record", "no record", "other rows"])
def test_an_unreadable_entry_is_deleted_and_built_again(tmp_path: Path, damage: str) -> None:
    path = export(tmp_path / "big.csv")
    read(path, tmp_path / "cache")
    [record] = (tmp_path / "cache" / "focus").glob("*.json")
    copy = record.with_suffix(".parquet")
    if damage == "truncate":
        copy.write_bytes(copy.read_bytes()[:-100])
    elif damage == "garbage record":
        record.write_text("{not json")
    elif damage == "no record":
        record.unlink()
    else:  # a whole Parquet file, of another conversion
        other = export(tmp_path / "other.csv", rows=3)
        read(other, tmp_path / "other-cache")
        [other_copy] = (tmp_path / "other-cache" / "focus").glob("*.parquet")
        copy.write_bytes(other_copy.read_bytes())
        document = json.loads(record.read_text())
        record.write_text(json.dumps(document | {"parquet_bytes": copy.stat().st_size}))
    total, seen = read(path, tmp_path / "cache")
    assert total == 10 and converted(seen)
    assert read(path, tmp_path / "cache") == (10, [])


def test_the_cache_keeps_to_its_cap_by_evicting_the_least_recently_used(tmp_path: Path) -> None:
    a, b, c = (export(tmp_path / f"{n}.csv", rows=5) for n in "abc")
    read(a, tmp_path / "cache")
    read(b, tmp_path / "cache")
    folder = tmp_path / "cache" / "focus"
    sizes = {p.stem: 0 for p in folder.glob("*.json")}
    for p in folder.iterdir():
        sizes[p.stem] += p.stat().st_size
    key_a, key_b = cache.cache_key(a), cache.cache_key(b)
    for key, age in ((key_a, 200), (key_b, 100)):  # a was used before b
        os.utime(folder / f"{key}.json", (time.time() - age, time.time() - age))
    assert read(a, tmp_path / "cache")[1] == []  # a is used again: now b is the oldest
    cap = sizes[key_a] + sizes[key_b] + sizes[key_a] // 2  # room for two entries, not three
    read(c, tmp_path / "cache", cache_max_bytes=cap)
    kept = {p.stem for p in folder.glob("*.json")}
    assert kept == {key_a, cache.cache_key(c)}
    assert entries(tmp_path / "cache") == sorted(
        f"{k}.{s}" for k in kept for s in ("json", "parquet")
    )


def test_the_copies_are_private(tmp_path: Path) -> None:
    read(export(tmp_path / "big.csv"), tmp_path / "cache")
    folder = tmp_path / "cache" / "focus"
    assert folder.stat().st_mode & 0o777 == 0o700
    assert {p.stat().st_mode & 0o777 for p in folder.iterdir()} == {0o600}


def test_the_newest_entry_is_kept_even_beyond_the_cap(tmp_path: Path) -> None:
    path = export(tmp_path / "big.csv")
    assert read(path, tmp_path / "cache", cache_max_bytes=0)[0] == 10
    assert len(entries(tmp_path / "cache")) == 2
    assert read(path, tmp_path / "cache", cache_max_bytes=0)[1] == []


def test_rejected_rows_and_the_fingerprint_are_kept_with_the_copy(tmp_path: Path) -> None:
    path = export(tmp_path / "big.csv", extra="2025-01-01,12 USD\n" + ROW + "2025-01-02,NaN\n")
    for conversion in (True, False):
        seen: list[str] = []
        data = open_focus([path], cache_dir=tmp_path / "cache", progress=seen_by(seen))
        assert converted(seen) is conversion
        try:
            assert [str(r) for r in data.check.rejects] == [
                "big.csv line 12: EffectiveCost '12 USD' is not a number",
                "big.csv line 14: EffectiveCost 'NaN' is not a finite number",
            ]
            assert (data.check.rows_read, data.check.rejected) == (13, 2)
            assert data.files[0].sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        finally:
            data.close()


def test_a_file_that_changes_while_it_is_converted_is_not_cached(tmp_path: Path) -> None:
    path = export(tmp_path / "big.csv")
    store = cache.ParquetCache(tmp_path / "cache")

    def convert(out: Path) -> cache.Converted:
        out.write_bytes(b"PAR1...PAR1")
        with path.open("a") as f:
            f.write(ROW)
        return cache.Converted(10, 0, [])

    with pytest.raises(FocusError, match=r"big\.csv: the file changed while it was read"):
        store.build(path, "big.csv", convert)
    assert entries(tmp_path / "cache") == []


def test_a_cache_dir_named_like_a_pattern_or_unwritable_still_gives_the_figure(
    tmp_path: Path,
) -> None:
    path = export(tmp_path / "big.csv")
    assert read(path, tmp_path / "cache[1]")[0] == 10
    assert read(path, tmp_path / "cache[1]") == (10, [])
    (tmp_path / "file").write_text("not a folder")
    assert read(path, tmp_path / "file")[0] == 10


def test_a_conversion_that_cannot_be_written_reads_the_file_directly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = export(tmp_path / "big.csv", extra="2025-01-01,12 USD\n")
    # The temporary copy is to go into a folder that does not exist, as on a full disk.
    monkeypatch.setattr(cache.secrets, "token_hex", lambda n: "missing/folder")
    data = open_focus([path], cache_dir=tmp_path / "cache")
    try:
        assert data.query("SELECT sum(EffectiveCost) FROM charges") == [(10,)]
        assert [str(r) for r in data.check.rejects] == [
            "big.csv line 12: EffectiveCost '12 USD' is not a number"
        ]
    finally:
        data.close()
    assert entries(tmp_path / "cache") == []


def test_cache_info_and_clear(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache_dir = tmp_path / "cache"  # $FINOPS_TUI_CACHE_DIR in the tests
    assert run(["cache"]) == 0
    assert capsys.readouterr().out == (
        f"{cache_dir / 'focus'}: 0 files, 0 bytes (at most 2,147,483,648: cache_max_bytes "
        "in config.toml)\n"
    )
    for name in "ab":
        assert run(["kpis", str(export(tmp_path / f"{name}.csv")), "--kpi", "cost-by-month"]) == 0
    capsys.readouterr()
    size = sum(p.stat().st_size for p in (cache_dir / "focus").iterdir())
    assert run(["cache", "info"]) == 0
    assert f": 4 files, {size:,} bytes" in capsys.readouterr().out
    assert run(["cache", "clear"]) == 0
    assert (
        capsys.readouterr().out == f"Removed 4 files ({size:,} bytes) from {cache_dir / 'focus'}\n"
    )
    assert entries(cache_dir) == []


def test_the_cap_is_a_setting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert Config().cache_max_bytes == cache.DEFAULT_MAX_BYTES
    config_file = tmp_path / "config" / "config.toml"  # $FINOPS_TUI_CONFIG_DIR in the tests
    save_config(config_file, Config())
    assert "cache_max_bytes" not in config_file.read_text()  # the default is not written
    save_config(config_file, Config(cache_max_bytes=1_000))
    assert load_config(config_file)[0].cache_max_bytes == 1_000
    assert run(["cache"]) == 0
    assert "(at most 1,000: cache_max_bytes in config.toml)" in capsys.readouterr().out
    config_file.write_text("cache_max_bytes = -1\n")
    config, problem = load_config(config_file)
    assert config.cache_max_bytes == cache.DEFAULT_MAX_BYTES
    assert problem is not None and "cache_max_bytes must be a whole number of bytes" in problem
