"""Every row accounted for, numbers that are finite, filters that say when they match
nothing, and one tag-key normalisation. Every hostile file is made here by the test."""

from __future__ import annotations

import csv
import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from pydantic import ValidationError

from finops_tui.cli import run
from finops_tui.focus.kpis import Options, Result, compute
from finops_tui.focus.reader import open_focus
from finops_tui.focus.tags import TagKeys, normalise_tag_key
from finops_tui.model import Measurement
from finops_tui.store import Store

from .conftest import make_iteration

GOOD = 100_000
HEADER = "ChargePeriodStart,EffectiveCost,ProviderName,Tags\n"
GOOD_ROW = "2025-01-01,1,AWS,\n"
BAD_ROWS = [  # (line as written, the reason the data check gives)
    ("2025-01-02,2,AWS,x,extra\n", "5 columns where the header has 4"),
    ("2025-01-02,12 USD,AWS,\n", "EffectiveCost '12 USD' is not a number"),
    ('2025-01-02,"1,5",AWS,\n', "EffectiveCost '1,5' is not a number"),
    ("not a date,2,AWS,\n", "ChargePeriodStart 'not a date' is not a date and time"),
    ("2025-01-02,NaN,AWS,\n", "EffectiveCost 'NaN' is not a finite number"),
    ("2025-01-02,Infinity,AWS,\n", "EffectiveCost 'Infinity' is not a finite number"),
    ("2025-01-02,-inf,AWS,\n", "EffectiveCost '-inf' is not a finite number"),
    ("2025-01-02,1e400,AWS,\n", "EffectiveCost '1e400' is not a finite number"),
]


def hostile(path: Path, good: int = GOOD) -> Path:
    """`good` good rows (1 each; by default past the rows DuckDB samples to sniff a CSV),
    then one bad row of each kind, then invalid UTF-8."""
    body = HEADER + GOOD_ROW * good + "".join(line for line, _ in BAD_ROWS)
    path.write_bytes(body.encode() + b"2025-01-02,2,AWS,\xff\xfe\n" + GOOD_ROW.encode())
    return path


def no_nan(text: str) -> Any:
    """Parse JSON as strict JSON: NaN and Infinity are not JSON."""

    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} in the JSON output")

    return json.loads(text, parse_constant=refuse)


# -- rows rejected, with their line and reason ---------------------------------------------------


def test_malformed_rows_after_good_ones_are_rejected_with_line_and_reason(tmp_path: Path) -> None:
    data = open_focus([hostile(tmp_path / "bad.csv")])
    try:
        check = data.check
        assert (check.rows_read, check.rejected, check.selected) == (
            GOOD + len(BAD_ROWS) + 2, len(BAD_ROWS) + 1, GOOD + 1
        )  # fmt: skip
        expected = [
            f"bad.csv line {GOOD + 2 + n}: {reason}" for n, (_, reason) in enumerate(BAD_ROWS)
        ]
        expected.append(f"bad.csv line {GOOD + 2 + len(BAD_ROWS)}: not UTF-8 text")
        assert [str(r) for r in check.rejects] == expected
        # The figures leave the rejected rows out, and only them.
        assert data.query("SELECT sum(EffectiveCost), count(*) FROM charges") == [
            (GOOD + 1, GOOD + 1)
        ]
    finally:
        data.close()


def test_kpis_refuses_rejected_rows_unless_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = hostile(tmp_path / "bad.csv")
    assert run(["kpis", str(path), "--kpi", "cost-by-month"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    # A slow read (a loaded machine) shows its progress first: that is not the data check.
    lines = [line for line in captured.err.splitlines() if not line.endswith("…")]
    assert lines[0] == (
        f"Data check: {GOOD + 10:,} rows read from 1 file, 9 rejected (left out); "
        f"{GOOD + 1:,} in the selection"
    )
    assert f"rejected    bad.csv line {GOOD + 2}: 5 columns where the header has 4" in captured.err
    assert "… and 4 more" in captured.err
    assert lines[-1] == (
        f"finops-tui: error: 9 rows were rejected (first: bad.csv line {GOOD + 2}: 5 columns "
        "where the header has 4); no figures from part of the data (--allow-rejects computes "
        "them without those rows)"
    )

    assert run(["kpis", str(path), "--kpi", "cost-by-month", "--allow-rejects"]) == 0
    out = capsys.readouterr().out
    assert f"{GOOD + 1:,.2f} money" in out
    assert "9 rejected (left out)" in out and f"bad.csv line {GOOD + 3}: EffectiveCost" in out

    assert run(["kpis", str(path), "--allow-rejects", "--format", "json"]) == 0
    payload = no_nan(capsys.readouterr().out)
    data = payload["data"]
    assert (data["rows_read"], data["rows_rejected"], data["rows_selected"]) == (
        GOOD + 10, 9, GOOD + 1
    )  # fmt: skip
    assert data["rejects"][4] == {
        "file": "bad.csv", "line": GOOD + 6, "reason": "EffectiveCost 'NaN' is not a finite number"
    }  # fmt: skip
    assert (data["period"], data["providers"], data["currencies"]) == (
        "2025-01-01..2025-01-01", ["AWS"], []
    )  # fmt: skip


def test_an_empty_charge_period_is_rejected_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "empty-start.csv"
    path.write_text(HEADER + GOOD_ROW * 3 + ",5,AWS,\n" + GOOD_ROW + "NULL,5,AWS,\n")
    data = open_focus([path])
    try:
        assert [str(r) for r in data.check.rejects] == [
            "empty-start.csv line 5: ChargePeriodStart is empty",
            "empty-start.csv line 7: ChargePeriodStart is empty",
        ]
        assert data.query("SELECT sum(EffectiveCost) FROM charges") == [(4,)]
    finally:
        data.close()


@pytest.mark.parametrize("list_cost", ["DOUBLE", "VARCHAR"])
def test_parquet_rows_with_nan_infinity_or_no_period_are_rejected_by_row(
    tmp_path: Path, list_cost: str
) -> None:
    path = tmp_path / "costs.parquet"
    twelve = "'twelve'" if list_cost == "VARCHAR" else "2.0"
    connection = duckdb.connect()
    connection.execute(
        f"""COPY (SELECT * FROM (VALUES
            (TIMESTAMP '2025-01-01', 1.0::DOUBLE, 2::{list_cost}),
            (TIMESTAMP '2025-01-01', 'NaN'::DOUBLE, 2::{list_cost}),
            (NULL, 4.0::DOUBLE, 2::{list_cost}),
            (TIMESTAMP '2025-01-01', 8.0::DOUBLE, {twelve}::{list_cost}),
            (TIMESTAMP '2025-01-01', '-Infinity'::DOUBLE, 2::{list_cost})
        ) AS t(ChargePeriodStart, EffectiveCost, ListCost)) TO '{path}' (FORMAT parquet)"""
    )
    connection.close()
    data = open_focus([path])
    try:
        expected = [
            "costs.parquet row 2: EffectiveCost nan is not a finite number",
            "costs.parquet row 3: ChargePeriodStart is empty",
            "costs.parquet row 4: ListCost 'twelve' is not a number",
            "costs.parquet row 5: EffectiveCost -inf is not a finite number",
        ]
        if list_cost == "DOUBLE":  # the fourth row is a good one
            del expected[2]
        assert [str(r) for r in data.check.rejects] == expected
        assert data.check.rows_read == 5 and data.check.rejected == len(expected)
        cost = 1 if list_cost == "VARCHAR" else 9
        assert data.query("SELECT sum(EffectiveCost) FROM charges") == [(cost,)]
    finally:
        data.close()


# -- numbers are finite -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("nan", "amount 'nan' is not a finite number"),
        ("inf", "amount 'inf' is not a finite number"),
        ("-Infinity", "amount '-Infinity' is not a finite number"),
        ("1e400", "amount '1e400' is not a finite number"),
        ("-5", "amount '-5' is negative"),
        ("12 USD", "amount '12 USD' is not a number"),
    ],
)
def test_a_budget_that_is_not_a_finite_amount_is_refused(
    tmp_path: Path, value: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.csv"
    path.write_text(HEADER + GOOD_ROW)
    assert run(["kpis", str(path), f"--budget={value}"]) == 2
    assert f"--budget: {message}" in capsys.readouterr().err


@pytest.mark.parametrize("amount", ["nan", "inf", "-3"])
def test_a_budgets_file_with_a_bad_amount_names_its_line(
    tmp_path: Path, amount: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.csv"
    path.write_text(HEADER + GOOD_ROW)
    (tmp_path / "budgets.csv").write_text(f"month,amount\n2025-01,10\n2025-02,{amount}\n")
    assert run(["kpis", str(path), "--budgets", str(tmp_path / "budgets.csv")]) == 1
    assert f"budgets.csv:3: the amount '{amount}' is" in capsys.readouterr().err


def test_a_sum_that_overflows_gives_no_figure_and_valid_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "huge.parquet"
    connection = duckdb.connect()
    connection.execute(
        f"COPY (SELECT TIMESTAMP '2025-01-01' + INTERVAL (i) DAY AS ChargePeriodStart, "
        f"1.5e308::DOUBLE AS EffectiveCost FROM range(3) t(i)) TO '{path}' (FORMAT parquet)"
    )
    connection.close()
    assert run(["kpis", str(path), "--format", "json", "--budget", "10"]) == 0
    payload = no_nan(capsys.readouterr().out)
    assert payload["cost-by-month"]["value"] is None
    assert "overflows" in payload["cost-by-month"]["error"]
    assert payload["budget-variance"]["value"] is None


def test_a_measurement_must_be_finite_and_doctor_finds_one_that_is_not(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    at = datetime(2026, 11, 28, tzinfo=UTC)
    for value in (math.nan, math.inf, -math.inf):
        with pytest.raises(ValidationError, match="must be a finite number"):
            Measurement(at=at, value=value)
    iteration = make_iteration()
    iteration.goals[0].measurements.append(Measurement(at=at, value=0.5, unit="ratio"))
    store.save(iteration)
    file = store.data_dir / "iterations" / f"{iteration.id}.toml"
    file.write_text(file.read_text().replace("value = 0.5", "value = nan"))
    assert run(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "goals[0].measurements[0].value: a measurement must be a finite number, not nan" in out


# -- filters that match nothing -----------------------------------------------------------------


SPAN = "the data has charges from 2025-01-05 to 2025-02-07"


def scoped(path: Path) -> Path:
    path.write_text(
        "ChargePeriodStart,EffectiveCost,ProviderName,SubAccountId,BillingCurrency\n"
        "2025-01-05,1,AWS,a,USD\n2025-01-06,2,AWS,b,USD\n2025-02-07,4,Google,c,USD\n"
    )
    return path


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--provider", "Azure"], 1, "provider 'Azure'; the data has 'AWS', 'Google'"),
        (["--provider", "AWS", "--provider", "aws"], 1, "no charges from provider 'aws'"),
        (["--sub-account", "z"], 1, "sub-account 'z'; the data has 'a', 'b', 'c'"),
        (["--from", "2025-03-01"], 1, f"no charges from 2025-03-01; {SPAN}"),
        (["--to", "2025-01-01"], 1, f"no charges before 2025-01-01; {SPAN}"),
        (["--provider", "Google", "--sub-account", "a"], 1,
         "no charges match provider 'Google' and sub-account 'a' together"),
        (["--currency", "EUR"], 1, "no charges in EUR; the data has USD"),
        (["--from", "2025-02-01", "--to", "2025-01-01"], 2,
         "--from 2025-02-01 must be before --to 2025-01-01"),
        (["--from", "2025-02-01", "--to", "2025-02-01"], 2, "must be before --to"),
    ],
)  # fmt: skip
def test_a_filter_that_matches_nothing_says_so(
    tmp_path: Path, args: list[str], code: int, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["kpis", str(scoped(tmp_path / "s.csv")), *args]) == code
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""


def test_filters_that_match_select_their_rows(tmp_path: Path) -> None:
    path = scoped(tmp_path / "s.csv")
    data = open_focus([path], providers=["AWS"], sub_accounts=["b"])
    try:
        result = compute(data, ["cost-by-month"], Options())["cost-by-month"]
        assert (result.value, result.period) == (2, "2025-01-06..2025-01-06")
        assert (data.check.selected, data.check.providers) == (1, ["AWS"])
    finally:
        data.close()


# -- one tag-key normalisation ------------------------------------------------------------------


def test_tag_keys_are_normalised_once_nfkc_trimmed_and_case_folded() -> None:
    assert normalise_tag_key("Straße") == normalise_tag_key("STRASSE") == "strasse"
    assert normalise_tag_key("\u00a0Env\u2003") == "env"  # no-break and em spaces
    assert normalise_tag_key("ｅｎｖ") == "env"  # full-width letters
    assert normalise_tag_key("ﬁle") == "file"  # a ligature
    keys = TagKeys({" ENV\u00a0": "Environment"})
    assert keys("env") == keys("\u00a0Env") == "environment"


def tag_coverage(path: Path, key: str, aliases: dict[str, str] | None = None) -> Result:
    data = open_focus([path], tag_aliases=aliases)
    try:
        return compute(data, ["tag-coverage"], Options(tag_key=key))["tag-coverage"]
    finally:
        data.close()


def test_sql_and_python_agree_on_tag_keys(tmp_path: Path) -> None:
    tags = [
        '{"Straße": "x"}', '{"strasse": "x"}', '{"\u00a0STRASSE ": "x"}', '{"ｓｔｒａｓｓｅ": "x"}',
        '{"street": "x"}', '{"Env": "x"}', "not json", "",
    ]  # fmt: skip
    path = tmp_path / "t.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["ChargePeriodStart", "EffectiveCost", "Tags"])
        writer.writerows(["2025-01-01", 2**n, tag] for n, tag in enumerate(tags))
    keys = TagKeys({"env": "strasse"})
    for wanted in ("straße", "STRASSE", "Straße\u00a0"):
        expected = sum(
            2**n for n, tag in enumerate(tags) if tag.startswith("{") and
            keys(wanted) in {keys(k) for k in json.loads(tag)}
        )  # fmt: skip
        result = tag_coverage(path, wanted, {"env": "strasse"})
        assert result.value == pytest.approx(expected / (2 ** len(tags) - 1))
        assert expected == 1 + 2 + 4 + 8 + 32  # the env alias counts too


def test_a_tag_key_no_charge_has_lists_the_keys_there_are(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('ChargePeriodStart,EffectiveCost,Tags\n2025-01-01,1,"{""Team"": ""a""}"\n')
    result = tag_coverage(path, "tema")
    assert result.value == 0
    assert result.note == (
        "share of effective cost tagged 'tema'; no charge has that key (the data has 'team')"
    )
    path.write_text('ChargePeriodStart,EffectiveCost,Tags\n2025-01-01,1,"{""it\'s"": ""a""}"\n')
    assert tag_coverage(path, "IT'S").value == 1  # a quote in a key is data, not SQL
