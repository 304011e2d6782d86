"""Exactly the files given: literal names, each file once, no hidden files, and a real,
one-line cause naming the file and line when one cannot be read. Every hostile file is
made here by the test."""

from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path

import duckdb
import pytest

from finops_tui.cli import run
from finops_tui.focus.files import find_files
from finops_tui.focus.kpis import Options
from finops_tui.focus.measure import Measuring
from finops_tui.focus.reader import FocusError, open_focus

HEADER = "ChargePeriodStart,EffectiveCost\n"


def costs(path: Path, *amounts: float, day: str = "2025-01-01") -> Path:
    """A FOCUS CSV with one row per amount."""
    path.write_text(HEADER + "".join(f"{day},{a}\n" for a in amounts), encoding="utf-8")
    return path


def total(*paths: Path) -> tuple[float, int]:
    """The effective cost read from `paths`, and how many rows were read."""
    data = open_focus(list(paths))
    try:
        [(cost,)] = data.query("SELECT sum(EffectiveCost) FROM charges")
        return cost, data.check.rows_read
    finally:
        data.close()


def parquet(path: Path, start: str, cost: str, extra: str = "") -> Path:
    """A one-row Parquet file: the SQL of its ChargePeriodStart, EffectiveCost (and more)."""
    select = f"SELECT {start} AS ChargePeriodStart, {cost} AS EffectiveCost{extra}"
    connection = duckdb.connect()
    connection.execute(f"COPY ({select}) TO '{path}' (FORMAT parquet)")
    connection.close()
    return path


# -- names that DuckDB would read as patterns ---------------------------------------------------


def test_a_name_with_brackets_is_that_file_not_a_pattern(tmp_path: Path) -> None:
    costs(tmp_path / "report[1].csv", *[1] * 100)
    costs(tmp_path / "report1.csv", *[1] * 7)
    assert total(tmp_path / "report[1].csv") == (100, 100)
    assert total(tmp_path) == (107, 107)  # both files, each once


@pytest.mark.parametrize("name", ["~tilde.csv", "a*b.csv", "what?.csv", "{x,y}.csv", "a\\b.csv"])
def test_names_with_pattern_characters_are_read_literally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    costs(tmp_path / name, 3)
    costs(tmp_path / "decoy.csv", 1000)  # what a pattern would also match
    monkeypatch.chdir(tmp_path)
    assert total(Path(name)) == (3, 1)


def test_a_folder_named_like_a_pattern_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "exports[2025]"
    folder.mkdir()
    costs(folder / "a.csv", 2)
    parquet(folder / "b.parquet", "TIMESTAMP '2025-01-01'", "5.0")
    assert total(folder) == (7, 2)


# -- each file once, only cost files ------------------------------------------------------------


def test_the_same_file_named_twice_or_reached_twice_is_read_once(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    file = costs(folder / "a.csv", 10)
    (folder / "link.csv").symlink_to(file)
    os.link(file, tmp_path / "hard.csv")
    assert total(file, file) == (10, 1)
    assert total(folder, file) == (10, 1)  # a folder and a file in it
    assert total(folder) == (10, 1)  # a symbolic link inside the folder
    assert total(file, tmp_path / "hard.csv") == (10, 1)  # a hard link
    assert total(folder / ".." / "exports" / "a.csv", file) == (10, 1)


def test_hidden_files_sidecars_and_other_files_in_a_folder_are_left_out(tmp_path: Path) -> None:
    costs(tmp_path / "a.csv", 1)
    (tmp_path / "._a.csv").write_bytes(b"\x00\x05\x16\x07Mac OS X resource fork\x00\xff")
    costs(tmp_path / ".draft.csv", 1000)
    (tmp_path / ".git").mkdir()
    costs(tmp_path / ".git" / "old.csv", 1000)
    (tmp_path / "manifest.json").write_text("{}")
    (tmp_path / "fifo.csv").symlink_to(tmp_path / "nowhere.csv")  # a broken link
    assert total(tmp_path) == (1, 1)
    assert [f.name for f in find_files([tmp_path])] == ["a.csv"]


def test_a_file_named_explicitly_must_be_a_cost_file(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(FocusError, match=r"notes\.txt: not a CSV, CSV\.gz or Parquet file"):
        open_focus([tmp_path / "notes.txt"])
    os.mkfifo(tmp_path / "pipe.csv")
    with pytest.raises(FocusError, match=r"pipe\.csv: not a regular file"):
        open_focus([tmp_path / "pipe.csv"])


def test_a_folder_holding_a_file_that_is_not_focus_data_names_it(tmp_path: Path) -> None:
    costs(tmp_path / "a.csv", 1)
    (tmp_path / "people.csv").write_text("Name,Team\nAna,x\n")
    with pytest.raises(FocusError, match=r"^people\.csv: not FOCUS cost data"):
        open_focus([tmp_path])


def test_parquet_files_with_conflicting_column_types_are_each_read(tmp_path: Path) -> None:
    parquet(tmp_path / "a.parquet", "TIMESTAMP '2025-01-01'", "1.5::DOUBLE")
    parquet(tmp_path / "b.parquet", "'2025-01-02T00:00:00Z'", "'2.5'", ", 'AWS' AS ProviderName")
    parquet(tmp_path / "c.parquet", "DATE '2025-01-03'", "3::INTEGER")
    assert total(tmp_path) == (7, 3)


# -- what a figure was computed from ------------------------------------------------------------


def test_each_figure_names_the_files_read_with_size_and_sha256(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    (folder / "2025-01").mkdir(parents=True)
    a = costs(folder / "2025-01" / "a.csv", 1)
    b = costs(folder / "b.csv", 2)
    measured = Measuring().run(folder, "cost-by-month", Options())
    assert measured.result.value == 3

    def described(name: str, path: Path) -> str:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        return f"{name} ({path.stat().st_size:,} bytes, sha256:{digest})"

    assert measured.source == (f"2 files: {described('2025-01/a.csv', a)}; {described('b.csv', b)}")
    assert [f.path for f in measured.check.files] == [a.resolve(), b.resolve()]


def test_the_kpis_command_lists_the_files_it_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = costs(tmp_path / "report[1].csv", 4)
    assert run(["kpis", str(path), "--kpi", "cost-by-month"]) == 0
    out = capsys.readouterr().out
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    assert f"report[1].csv ({path.stat().st_size:,} bytes, sha256:{digest})" in out


# -- one line, naming the file and line, with the real cause ------------------------------------


def test_a_line_too_long_is_named_with_its_length(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text(HEADER.replace("\n", ",Tags\n") + "2025-01-01,1," + "x" * 7_000_000 + "\n")
    with pytest.raises(FocusError) as error:
        open_focus([path])
    assert str(error.value) == "long.csv: line 2: 7,000,013 bytes, longer than 2,000,000"


def test_a_line_too_long_after_many_good_ones_is_a_rejected_row(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    good = "2025-01-01,1,\n" * 30_000
    path.write_text(
        HEADER.replace("\n", ",Tags\n") + good + "2025-01-01,1," + "x" * 3_000_000 + "\n" + good
    )
    data = open_focus([path])
    try:
        assert (data.check.rows_read, data.check.rejected) == (60_001, 1)
        assert str(data.check.rejects[0]) == (
            "long.csv line 30002: the line is longer than 2,000,000 bytes"
        )
    finally:
        data.close()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("utf16.csv", HEADER.encode("utf-16"), "utf16.csv: UTF-16 text, not UTF-8; export "
         "the CSV as UTF-8"),
        ("nobom.csv", HEADER.encode("utf-16-le"), "nobom.csv: line 1: NUL bytes: not UTF-8 "
         "text (UTF-16?)"),
        ("latin.csv", b"ChargePeriodStart,EffectiveCost,Co\xfbt\n2025-01-01,1,x\n",
         "latin.csv: line 1: not UTF-8 text"),
        ("garbage.csv.gz", b"not gzip at all\n" * 10, "garbage.csv.gz: not a gzip file (the name "
         "ends in .gz)"),
        ("two.csv.gz", b"\x1f\x8b", "two.csv.gz: the gzip data is cut short"),
        ("empty.csv.gz", gzip.compress(b"", mtime=0), "empty.csv.gz: the file is empty"),
        ("empty.csv", b"", "empty.csv: the file is empty"),
        ("fake.parquet", b"ChargePeriodStart,EffectiveCost\n", "fake.parquet: not a Parquet file"),
    ],
    ids=lambda value: value if isinstance(value, str) and "." in value[:15] else "",
)  # fmt: skip
def test_files_that_cannot_be_read_say_why(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(FocusError) as error:
        open_focus([tmp_path / name])
    assert str(error.value) == message


def test_a_cut_gzip_stream_and_a_cut_parquet_file_say_so(tmp_path: Path) -> None:
    whole = gzip.compress((HEADER + "2025-01-01,1\n" * 50_000).encode(), mtime=0)
    (tmp_path / "cut.csv.gz").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(FocusError, match=r"^cut\.csv\.gz: the gzip data is cut short$"):
        open_focus([tmp_path / "cut.csv.gz"])
    source = parquet(tmp_path / "whole.parquet", "TIMESTAMP '2025-01-01'", "1.0")
    (tmp_path / "cut.parquet").write_bytes(source.read_bytes()[:-10])
    with pytest.raises(FocusError, match=r"^cut\.parquet: the Parquet file is cut short"):
        open_focus([tmp_path / "cut.parquet"])


def test_file_names_are_printed_with_control_characters_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "\x1b[31mred\x07.csv"
    path.write_text("Name\nAna\n")
    assert run(["kpis", str(path)]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err
    assert "\\x1b[31mred\\x07.csv: not FOCUS cost data" in err
    assert err.count("\n") == 1


def test_reading_leaves_nothing_behind_even_when_it_spills_to_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    costs(tmp_path / "a[1].csv", 1)  # read through a link in the private folder
    data = open_focus([Path("a[1].csv")])
    [(spill,)] = data.query("SELECT current_setting('temp_directory')")
    data.connection.execute("SET memory_limit = '16MB'")
    data.connection.execute(
        "CREATE TEMP TABLE big AS SELECT i, md5(i::VARCHAR) AS h FROM range(2000000) t(i)"
    )
    assert Path(spill).is_dir() and any(Path(spill).iterdir())  # it did spill, privately
    data.close()
    assert not Path(spill).parent.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a[1].csv"]
