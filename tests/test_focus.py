"""KPIs from FOCUS cost data: the spec's examples, the public sample, and hand-made tables
whose answers are worked out by hand below."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from finops_tui.cli import run
from finops_tui.focus.kpis import KPIS, Options, compute
from finops_tui.focus.reader import FocusError, open_focus

DATA = Path(__file__).parent / "data" / "focus"
SAMPLE = DATA / "FOCUS-Sample-Data" / "FOCUS-1.0" / "focus_sample.csv"
SPEC = DATA / "FOCUS_Spec-v1.2" / "specification" / "data"


def kpi(paths: list[Path], kpi_id: str, options: Options | None = None, **kw: Any) -> Any:
    data = open_focus(paths, **kw)
    try:
        return compute(data, [kpi_id], options or Options())[kpi_id]
    finally:
        data.close()


def table(path: Path, rows: list[dict[str, Any]]) -> Path:
    """Write a small FOCUS CSV (the columns of the first row)."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def day(n: int, month: int = 1) -> str:
    return f"2025-{month:02d}-{n:02d}T00:00:00Z"


# -- the specification's examples and the public sample ------------------------------------


@pytest.mark.parametrize(
    ("scenario", "expected"), [(1, 1.0), (2, 0.0), (3, 0.75)], ids=["100%", "0%", "75%"]
)
def test_spec_usage_scenarios_give_their_stated_utilization(scenario: int, expected: float) -> None:
    path = (
        SPEC
        / "commitment_discount_scenarios"
        / f"commitment_discount_usage_scenario_{scenario}.csv"
    )
    assert kpi([path], "commitment-utilization").value == pytest.approx(expected)


@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in (SPEC / "commitment_discount_flexibility").glob("*.csv")),
)
def test_spec_flexibility_examples_give_the_utilization_in_their_name(name: str) -> None:
    expected = 0.0 if name.startswith("zero_percent") else 1.0
    result = kpi([SPEC / "commitment_discount_flexibility" / name], "commitment-utilization")
    assert result.value == pytest.approx(expected)


def _sample_rows() -> list[dict[str, str]]:
    with SAMPLE.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_sample_rows_and_totals_per_provider_match_a_straight_csv_sum() -> None:
    straight: dict[str, list[float]] = {}
    for row in _sample_rows():
        sums = straight.setdefault(row["ProviderName"], [0, 0.0, 0.0])
        sums[0] += 1
        for i, column in ((1, "BilledCost"), (2, "EffectiveCost")):
            if row[column] not in ("NULL", ""):
                sums[i] += float(row[column])
    data = open_focus([SAMPLE])
    try:
        found = data.query(
            "SELECT ProviderName, count(*), sum(BilledCost), sum(EffectiveCost) "
            "FROM charges GROUP BY 1"
        )
    finally:
        data.close()
    assert {p: n for p, n, *_ in found} == {"AWS": 942, "Microsoft": 51, "Oracle": 7}
    for provider, _, billed, effective in found:
        assert billed == pytest.approx(straight[provider][1])
        assert effective == pytest.approx(straight[provider][2])


def _straight_tag_coverage(key: str, aliases: dict[str, str]) -> float:
    tagged = total = 0.0
    for row in _sample_rows():
        cost = float(row["EffectiveCost"]) if row["EffectiveCost"] != "NULL" else 0.0
        if cost <= 0:
            continue
        total += cost
        tags = json.loads(row["Tags"]) if row["Tags"] not in ("NULL", "") else {}
        keys = {aliases.get(k.strip().casefold(), k.strip().casefold()) for k in tags}
        tagged += cost if key in keys else 0.0
    return tagged / total


def test_tag_coverage_grows_when_env_is_read_as_environment() -> None:
    plain = kpi([SAMPLE], "tag-coverage", Options(tag_key="environment")).value
    aliased = kpi(
        [SAMPLE], "tag-coverage", Options(tag_key="environment"),
        tag_aliases={"env": "environment"},
    ).value  # fmt: skip
    assert plain == pytest.approx(_straight_tag_coverage("environment", {}))
    assert aliased == pytest.approx(_straight_tag_coverage("environment", {"env": "environment"}))
    assert aliased > plain
    # Keys are trimmed and case-folded: " org" and "org" are one key.
    assert kpi([SAMPLE], "tag-coverage", Options(tag_key="ORG")).value == pytest.approx(
        _straight_tag_coverage("org", {})
    )


def test_the_sample_is_read_as_focus_1_0_in_usd() -> None:
    data = open_focus([DATA / "FOCUS-Sample-Data"])
    try:
        assert (data.version, data.currency, len(data.files)) == ("1.0", "USD", 1)
    finally:
        data.close()


# -- every KPI on a hand-made table ---------------------------------------------------------


# The hand-made tables (tests/test_focus_spark.py computes every KPI on each with Spark too).
MONTHS = [
    {"ChargePeriodStart": day(1), "EffectiveCost": 10, "BilledCost": 12, "ListCost": 15,
     "ServiceCategory": "Compute", "SubAccountId": "a"},
    {"ChargePeriodStart": day(2), "EffectiveCost": 5, "BilledCost": 5, "ListCost": 6,
     "ServiceCategory": "Compute", "SubAccountId": "a"},
    {"ChargePeriodStart": day(3, 2), "EffectiveCost": 7, "BilledCost": 7, "ListCost": 7,
     "ServiceCategory": "Storage", "SubAccountId": "b"},
]  # fmt: skip
TAGGED = [
    {"ChargePeriodStart": day(1), "EffectiveCost": 60, "Tags": '{"Team": "a"}'},
    {"ChargePeriodStart": day(1), "EffectiveCost": 30, "Tags": '{"env": "dev"}'},
    {"ChargePeriodStart": day(1), "EffectiveCost": 10, "Tags": "NULL"},
    {"ChargePeriodStart": day(1), "EffectiveCost": -50, "Tags": "NULL"},  # a credit
]
COMMITMENTS = [
    {"ChargePeriodStart": day(1), "ChargeCategory": "Usage", "EffectiveCost": 30,
     "ListCost": 50, "CommitmentDiscountStatus": "Used"},
    {"ChargePeriodStart": day(1), "ChargeCategory": "Usage", "EffectiveCost": 10,
     "ListCost": 10, "CommitmentDiscountStatus": "Unused"},
    {"ChargePeriodStart": day(1), "ChargeCategory": "Usage", "EffectiveCost": 60,
     "ListCost": 60, "CommitmentDiscountStatus": "NULL"},
]  # fmt: skip
SPIKE = [10, 11, 9, 10, 11, 9, 10, 10, 50, 10]  # mean of days 1-8 is 10, sd about 0.76
DAILY = [{"ChargePeriodStart": day(n + 1), "EffectiveCost": c} for n, c in enumerate(SPIKE)]
RUN_RATE = [{"ChargePeriodStart": day(d), "EffectiveCost": 2} for d in range(1, 32)]  # Jan
RUN_RATE += [{"ChargePeriodStart": day(d, 2), "EffectiveCost": 3} for d in range(1, 11)]  # Feb 1-10
BUDGETED = [
    {"ChargePeriodStart": day(5), "EffectiveCost": 110},
    {"ChargePeriodStart": day(5, 2), "EffectiveCost": 90},
]
BUDGETS = {"2025-01": 100.0, "2025-02": 100.0, "2025-03": 500.0}
UNITS = {"2025-01": 10.0, "2025-02": 30.0}
SCOPED = [
    {"ChargePeriodStart": day(1), "EffectiveCost": 1, "SubAccountId": "a", "ProviderName": "X"},
    {"ChargePeriodStart": day(1), "EffectiveCost": 2, "SubAccountId": "b", "ProviderName": "X"},
    {"ChargePeriodStart": day(1), "EffectiveCost": 4, "SubAccountId": "b", "ProviderName": "Y"},
]
MIXED = [
    {"ChargePeriodStart": day(1), "EffectiveCost": 5, "BillingCurrency": "USD"},
    {"ChargePeriodStart": day(1), "EffectiveCost": 7, "BillingCurrency": "EUR"},
]


def test_cost_by_month_sums_per_month_service_and_account(tmp_path: Path) -> None:
    result = kpi([table(tmp_path / "c.csv", MONTHS)], "cost-by-month")
    assert result.value == 22
    assert [
        (r["month"], r["effective_cost"], r["billed_cost"], r["list_cost"]) for r in result.detail
    ] == [
        ("2025-01", 15, 17, 21),
        ("2025-02", 7, 7, 7),
    ]


def test_tag_coverage_by_key_and_any_tag(tmp_path: Path) -> None:
    path = table(tmp_path / "t.csv", TAGGED)
    assert kpi([path], "tag-coverage", Options(tag_key=" team ")).value == pytest.approx(0.6)
    assert kpi([path], "tag-coverage").value == pytest.approx(0.9)


def test_commitment_kpis(tmp_path: Path) -> None:
    path = table(tmp_path / "c.csv", COMMITMENTS)
    assert kpi([path], "commitment-utilization").value == pytest.approx(30 / 40)
    assert kpi([path], "unused-commitment-cost").value == pytest.approx(10)
    coverage = kpi([path], "commitment-coverage")
    assert coverage.value == pytest.approx(30 / 100)
    assert "approximate" in coverage.note
    assert kpi([path], "effective-savings-rate").value == pytest.approx((120 - 100) / 120)


def test_anomaly_days_flags_a_spike_after_a_week_of_history(tmp_path: Path) -> None:
    result = kpi([table(tmp_path / "a.csv", DAILY)], "anomaly-days")
    # Days 8, 9 and 10 have 7+ days of history; only day 9 is beyond 3 sigma. Day 10 is
    # judged against a history that now holds the spike, so it is not flagged.
    assert result.value == 1
    assert [a["day"] for a in result.detail] == ["2025-01-09"]
    assert "3 day(s) judged" in result.note


def test_forecasts(tmp_path: Path) -> None:
    rows = [dict(row) for row in RUN_RATE]
    path = table(tmp_path / "f.csv", rows)
    month_end = kpi([path], "forecast-month-end")
    assert month_end.value == pytest.approx(30 / 10 * 28)  # February's run rate
    # January forecast on day 15: 30 / 15 * 31 = 62 = the actual 62, so 100 % accurate.
    assert kpi([path], "forecast-accuracy").value == pytest.approx(1.0)
    rows[20]["EffectiveCost"] = 33  # January 21 costs 31 more: actual 93, forecast 62
    assert kpi([table(tmp_path / "g.csv", rows)], "forecast-accuracy").value == pytest.approx(
        1 - 31 / 93
    )


def test_budget_variance_and_unit_cost(tmp_path: Path) -> None:
    path = table(tmp_path / "b.csv", BUDGETED)
    assert kpi([path], "budget-variance", Options(budget=250)).value == pytest.approx(-0.2)
    result = kpi([path], "budget-variance", Options(budgets=BUDGETS))
    assert result.value == pytest.approx(0.0)
    assert [d["month"] for d in result.detail] == ["2025-01", "2025-02"]
    assert kpi([path], "unit-cost", Options(unit_metric=UNITS)).value == pytest.approx(5.0)


# -- what cannot be computed, and bad input -------------------------------------------------


def test_each_kpi_says_what_it_needs(tmp_path: Path) -> None:
    path = table(tmp_path / "m.csv", [{"ChargePeriodStart": day(1), "EffectiveCost": 1}])
    data = open_focus([path])
    try:
        results = compute(data, list(KPIS), Options())
    finally:
        data.close()
    errors = {k: r.error for k, r in results.items()}
    assert errors["tag-coverage"] == "not computable: needs column Tags"
    assert errors["effective-savings-rate"] == "not computable: needs column ListCost"
    assert errors["commitment-utilization"] == (
        "not computable: needs column CommitmentDiscountStatus"
    )
    assert "ChargeCategory" in errors["commitment-coverage"]
    assert "at least 8 days" in errors["anomaly-days"]
    assert "whole month" in errors["forecast-accuracy"]
    assert "--budget" in errors["budget-variance"]
    assert "--unit-metric" in errors["unit-cost"]
    assert results["cost-by-month"].value == 1 and results["forecast-month-end"].value == 31
    assert all(r.value is None for r in results.values() if r.error)


def test_mixed_currencies_must_be_chosen(tmp_path: Path) -> None:
    path = table(tmp_path / "m.csv", MIXED)
    with pytest.raises(FocusError, match=r"mixes currencies \(EUR, USD\); choose one currency"):
        open_focus([path])
    assert kpi([path], "cost-by-month", currency="EUR").value == 7
    with pytest.raises(FocusError, match="no charges in GBP"):
        open_focus([path], currency="GBP")


def test_empty_and_non_focus_files_are_refused_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(FocusError, match="empty"):
        open_focus([tmp_path / "empty.csv"])
    other = table(tmp_path / "people.csv", [{"Name": "Ana", "Team": "x"}])
    with pytest.raises(
        FocusError, match=r"missing the column\(s\) ChargePeriodStart, EffectiveCost"
    ):
        open_focus([other])
    with pytest.raises(FocusError, match="no such file"):
        open_focus([tmp_path / "nowhere"])
    (tmp_path / "no-data").mkdir()
    with pytest.raises(FocusError, match=r"no CSV, CSV\.gz or Parquet files in"):
        open_focus([tmp_path / "no-data"])


def formats(folder: Path) -> Path:
    """A folder of a CSV (a BOM, four timestamp spellings, NULL, FOCUS 1.3's
    ServiceProviderName, a column FOCUS does not define), a CSV.gz and a Parquet file."""
    import duckdb

    text = (
        "\ufeffChargePeriodStart,EffectiveCost,ServiceProviderName,Extra\n"
        "2025-01-01T00:00:00Z,1,A,x\n2025-01-01 05:00:00,NULL,A,x\n"
        "2025-01-02,2,B,\n2025-01-02T23:00:00+02:00,4,B,\n"
    )
    (folder / "one.csv").write_text(text, encoding="utf-8")
    with gzip.open(folder / "two.csv.gz", "wt", encoding="utf-8") as f:
        f.write("ChargePeriodStart,EffectiveCost\n2025-01-03,8\n")
    connection = duckdb.connect()
    connection.execute(
        f"COPY (SELECT TIMESTAMP '2025-01-04 00:00:00' AS ChargePeriodStart, 16.0 AS "
        f"EffectiveCost) TO '{folder / 'three.parquet'}' (FORMAT parquet)"
    )
    connection.close()
    return folder


def test_formats_timestamps_nulls_bom_and_renamed_columns(tmp_path: Path) -> None:
    data = open_focus([formats(tmp_path)])
    try:
        assert data.version == "1.3"
        assert data.query("SELECT sum(EffectiveCost) FROM charges") == [(31.0,)]
        days = data.query(
            "SELECT CAST(ChargePeriodStart AS DATE), sum(EffectiveCost) FROM charges "
            "GROUP BY 1 ORDER BY 1"
        )
        # 23:00 at +02:00 is 21:00 UTC on the same day.
        assert [(d.isoformat(), c) for d, c in days] == [
            ("2025-01-01", 1.0), ("2025-01-02", 6.0), ("2025-01-03", 8.0), ("2025-01-04", 16.0)
        ]  # fmt: skip
        assert data.query("SELECT DISTINCT ProviderName FROM charges ORDER BY 1") == [
            ("A",), ("B",), (None,)
        ]  # fmt: skip
        assert "Extra" not in data.columns
    finally:
        data.close()
    start, end = date(2025, 1, 2), date(2025, 1, 4)
    assert kpi([tmp_path], "cost-by-month", start=start, end=end).value == 14


# -- the command line ------------------------------------------------------------------------


def test_kpis_command_table_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["kpis", str(SAMPLE), "--tag-key", "env", "--tag-alias", "env=environment"]) == 0
    out = capsys.readouterr().out
    assert "tag-coverage" in out and "99.9%" in out and "2024-09-01..2024-09-30" in out
    path = SPEC / "commitment_discount_scenarios" / "commitment_discount_usage_scenario_3.csv"
    assert run(["kpis", str(path), "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert set(payload) == {*KPIS, "data"}
    assert payload["data"] | {"files": None} == {
        "files": None, "rows_read": 2, "rows_rejected": 0, "rejects": [], "rows_selected": 2,
        "period": "2023-01-01..2023-01-01", "providers": [], "currencies": [],
    }  # fmt: skip
    [file] = payload["data"]["files"]
    assert (file["name"], file["size"]) == (path.name, path.stat().st_size)
    assert file["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert payload["commitment-utilization"] == {
        "value": 0.75, "unit": "ratio", "period": "2023-01-01..2023-01-01", "note": None
    }  # fmt: skip
    assert payload["unit-cost"]["value"] is None
    assert payload["unit-cost"]["error"].startswith("not computable")


def test_kpis_command_budgets_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "budgets.csv").write_text("month,amount\n2024-09,20\n")
    assert run(["kpis", str(SAMPLE), "--budgets", str(tmp_path / "budgets.csv"),
                "--kpi", "budget-variance", "--format", "json"]) == 0  # fmt: skip
    value = json.loads(capsys.readouterr().out)["budget-variance"]["value"]
    assert value == pytest.approx((14.97651418586 - 20) / 20)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--kpi", "nope"], 2, "unknown KPI 'nope'"),
        (["--from", "yesterday"], 2, "--from 'yesterday' is not a date"),
        (["--tag-alias", "env"], 2, "is not A=B"),
        (["--budgets", "missing.csv"], 1, "cannot read the budgets"),
    ],
)
def test_kpis_command_errors(
    args: list[str], code: int, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["kpis", str(SAMPLE), *args]) == code
    assert message in capsys.readouterr().err


def test_kpis_command_does_not_import_textual() -> None:
    code = (
        "import sys\nfrom finops_tui.cli import run\n"
        f"run(['kpis', {str(SAMPLE)!r}, '--kpi', 'cost-by-month'])\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')]\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_a_cancelled_measurement_stops_and_says_so(tmp_path: Path) -> None:
    from finops_tui.focus.measure import Cancelled, Measuring

    path = table(tmp_path / "c.csv", [{"ChargePeriodStart": day(1), "EffectiveCost": 1}])
    measuring = Measuring()
    assert measuring.run(path, "cost-by-month", Options()).result.value == 1
    measuring.cancel()
    with pytest.raises(Cancelled):
        measuring.run(path, "cost-by-month", Options())


def test_a_large_csv_is_converted_once_to_parquet_with_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from finops_tui.focus import cache

    monkeypatch.setattr(cache, "LARGE_CSV_BYTES", 100)
    rows = [{"ChargePeriodStart": day(d), "EffectiveCost": d, "Tags": '{"env": "x"}'}
            for d in range(1, 29)]  # fmt: skip
    path = table(tmp_path / "big.csv", rows)
    direct = kpi([path], "cost-by-month").value
    seen: list[tuple[str, float | None]] = []
    cached = kpi([path], "cost-by-month", cache_dir=tmp_path / "cache",
                 progress=lambda what, share: seen.append((what, share))).value  # fmt: skip
    assert cached == direct == sum(range(1, 29))
    [copy] = (tmp_path / "cache" / "focus").glob("*.parquet")
    assert seen and seen[0][0] == "Converting big.csv to Parquet (once, for speed)…"
    assert all(share is None or 0 <= share <= 1 for _, share in seen)
    # The second time reads the copy: no conversion, same figures, tags still read.
    seen.clear()
    again = open_focus([path], cache_dir=tmp_path / "cache", progress=lambda *a: seen.append(a))
    try:
        assert again.query("SELECT sum(EffectiveCost) FROM charges") == [(direct,)]
        assert compute(again, ["tag-coverage"], Options(tag_key="env"))["tag-coverage"].value == 1
    finally:
        again.close()
    assert seen == []
    # An edited export is converted again.
    table(path, [*rows, {"ChargePeriodStart": day(29), "EffectiveCost": 1000, "Tags": ""}])
    assert kpi([path], "cost-by-month", cache_dir=tmp_path / "cache").value == direct + 1000
    assert len(list((tmp_path / "cache" / "focus").glob("*.parquet"))) == 2
    assert copy.exists()


def test_a_cancelled_conversion_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from finops_tui.focus import cache

    monkeypatch.setattr(cache, "LARGE_CSV_BYTES", 10)
    path = table(tmp_path / "big.csv", [{"ChargePeriodStart": day(1), "EffectiveCost": 1}])
    stop = threading.Event()
    stop.set()
    with pytest.raises(FocusError, match="cancelled"):
        open_focus([path], cache_dir=tmp_path / "cache", cancelled=stop)
    assert list((tmp_path / "cache").rglob("*")) in ([], [tmp_path / "cache" / "focus"])


def test_the_cli_shows_the_conversion_on_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from finops_tui.focus import cache

    monkeypatch.setattr(cache, "LARGE_CSV_BYTES", 10)
    path = table(tmp_path / "big.csv", [{"ChargePeriodStart": day(1), "EffectiveCost": 1}])
    assert run(["kpis", str(path), "--kpi", "cost-by-month"]) == 0
    assert "Converting big.csv to Parquet" in capsys.readouterr().err
    assert run(["kpis", str(path), "--kpi", "cost-by-month"]) == 0
    assert "Converting" not in capsys.readouterr().err


def test_mixed_currencies_in_the_cli_point_to_the_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        {"ChargePeriodStart": day(1), "EffectiveCost": 5, "BillingCurrency": "USD"},
        {"ChargePeriodStart": day(1), "EffectiveCost": 7, "BillingCurrency": "EUR"},
    ]
    path = table(tmp_path / "m.csv", rows)
    assert run(["kpis", str(path)]) == 1
    assert capsys.readouterr().err.strip().endswith("choose one currency with --currency")
    assert run(["kpis", str(path), "--currency", "EUR", "--kpi", "cost-by-month"]) == 0
    assert "7.00 EUR" in capsys.readouterr().out


def test_the_scope_selects_sub_accounts_and_providers(tmp_path: Path) -> None:
    path = table(tmp_path / "s.csv", SCOPED)
    assert kpi([path], "cost-by-month", sub_accounts=["b"]).value == 6
    assert kpi([path], "cost-by-month", providers=["X"]).value == 3
    assert kpi([path], "cost-by-month", sub_accounts=["a", "b"], providers=["Y"]).value == 4
    bare = table(tmp_path / "bare.csv", [{"ChargePeriodStart": day(1), "EffectiveCost": 1}])
    with pytest.raises(FocusError, match="cannot select by SubAccountId"):
        open_focus([bare], sub_accounts=["a"])


def test_tag_aliases_from_the_settings_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config" / "config.toml"
    config.parent.mkdir()
    config.write_text('[tag_aliases]\nenv = "environment"\n')
    assert run(["kpis", str(SAMPLE), "--tag-key", "environment", "--kpi", "tag-coverage"]) == 0
    assert "99.9%" in capsys.readouterr().out
