"""The same KPIs on Apache Spark as on DuckDB: every KPI on the public sample, the spec's
examples and the hand-made tables of the other tests gives the same value, note and
detail; the data check and every error on bad input are the same. One local Spark per
test process (the `spark` fixture); `pytest -m spark` runs these alone."""

from __future__ import annotations

import gzip
import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from finops_tui.cli import run
from finops_tui.focus.files import FocusError
from finops_tui.focus.kpis import KPIS, Options, Result, compute
from finops_tui.focus.reader import open_focus
from finops_tui.focus.spark import SparkReader, open_spark

from .test_focus import (
    BUDGETED,
    BUDGETS,
    COMMITMENTS,
    DAILY,
    MIXED,
    MONTHS,
    RUN_RATE,
    SAMPLE,
    SCOPED,
    SPEC,
    TAGGED,
    UNITS,
    formats,
    table,
)
from .test_focus_inputs import parquet
from .test_focus_rows import hostile, scoped
from .test_focus_sql import assert_figures, sql_for

# One worker runs them all (`--dist loadgroup`), so the suite starts one Spark, not four.
pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]

ALL = list(KPIS)
OPTIONS = Options(tag_key="env", budget=20, unit_metric={"2024-09": 10.0})
SPARK_GOOD = 1_000  # good rows before the bad ones of `hostile`


def same(a: Any, b: Any) -> bool:
    """Equal, floats to 1e-9 (the engines add up in their own order)."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def both(
    spark: Any, paths: list[Path], kpis: list[str], options: Options, **selection: Any
) -> tuple[dict[str, Result], dict[str, Result]]:
    """The KPIs computed by DuckDB and by Spark, after checking both data checks agree."""
    checks = []
    results = []
    for opened in (open_focus(paths, **selection), open_spark(paths, spark=spark, **selection)):
        try:
            opened.fingerprint()
            checks.append((opened.check.as_json(), opened.check.lines(), opened.currency))
            results.append(compute(opened, kpis, options))
        finally:
            opened.close()
    assert checks[0] == checks[1]
    return results[0], results[1]


def assert_same(duck: dict[str, Result], spark: dict[str, Result]) -> None:
    for kpi in duck:
        d, s = duck[kpi].as_json(), spark[kpi].as_json()
        assert same(d, s), (kpi, d, s)


def test_every_kpi_on_the_sample_and_the_spec_examples_is_the_same_on_spark(spark: Any) -> None:
    aliases = {"env": "environment"}
    duck, on_spark = both(spark, [SAMPLE], ALL, OPTIONS, tag_aliases=aliases)
    assert_same(duck, on_spark)
    assert on_spark["tag-coverage"].value == pytest.approx(0.99944868537)  # as the README says
    # The spec's commitment discount examples, each file as the DuckDB tests read them.
    scenarios = sorted((SPEC / "commitment_discount_scenarios").glob("*usage_scenario_[123].csv"))
    flexible = sorted((SPEC / "commitment_discount_flexibility").glob("*.csv"))
    for path in [*scenarios, *flexible]:
        duck, on_spark = both(spark, [path], ["commitment-utilization"], Options())
        assert_same(duck, on_spark)
    assert on_spark["commitment-utilization"].value == 0  # zero_percent_utilization_…


# Each hand-made table of tests/test_focus.py, and the KPIs its test there works out.
HAND_MADE = [
    ("months", MONTHS, ["cost-by-month"]),
    ("tagged", TAGGED, ["tag-coverage"]),
    ("commitments", COMMITMENTS, [
        "commitment-utilization", "unused-commitment-cost", "commitment-coverage",
        "effective-savings-rate",
    ]),
    ("daily", DAILY, ["anomaly-days"]),
    ("run-rate", RUN_RATE, ["forecast-month-end", "forecast-accuracy"]),
    ("budgeted", BUDGETED, ["budget-variance", "unit-cost"]),
]  # fmt: skip


def test_every_kpi_on_the_hand_made_tables_is_the_same_on_spark(spark: Any, tmp_path: Path) -> None:
    options = Options(tag_key=" team ", budgets=BUDGETS, unit_metric=UNITS)
    for name, rows, kpis in HAND_MADE:
        duck, on_spark = both(spark, [table(tmp_path / f"{name}.csv", rows)], kpis, options)
        assert_same(duck, on_spark)
    assert on_spark["unit-cost"].value == pytest.approx(5.0)
    # A scope, a currency, a period; and the formats, timestamps, nulls and FOCUS 1.3 names.
    path = table(tmp_path / "scoped.csv", SCOPED)
    picked = {"sub_accounts": ["a", "b"], "providers": ["Y"]}
    assert_same(*both(spark, [path], ["cost-by-month"], options, **picked))
    path = table(tmp_path / "mixed.csv", MIXED)
    assert_same(*both(spark, [path], ["cost-by-month"], options, currency="EUR"))
    (tmp_path / "formats").mkdir()
    folder = formats(tmp_path / "formats")
    duck, on_spark = both(spark, [folder], ["cost-by-month"], options, start=date(2025, 1, 2))
    assert_same(duck, on_spark)
    assert on_spark["cost-by-month"].value == 30


def test_tag_keys_are_normalised_alike_on_spark(spark: Any, tmp_path: Path) -> None:
    tags = [
        '{"Straße": "x"}', '{"strasse": "x"}', '{"\u00a0STRASSE ": "x"}', '{"ｓｔｒａｓｓｅ": "x"}',
        '{"street": "x"}', '{"Env": "x"}', "not json", "", '{"it\'s": 1}',
    ]  # fmt: skip
    rows = [{"ChargePeriodStart": "2025-01-01", "EffectiveCost": 2**n, "Tags": tag}
            for n, tag in enumerate(tags)]  # fmt: skip
    path = table(tmp_path / "t.csv", rows)
    for key in ("Straße\u00a0", "nothing"):
        duck, on_spark = both(
            spark, [path], ["tag-coverage"], Options(tag_key=key), tag_aliases={"env": "strasse"}
        )
        assert_same(duck, on_spark)
    assert on_spark["tag-coverage"].note.endswith(""""it's", 'strasse', 'street')""")
    assert on_spark["tag-coverage"].value == 0
    # Tags that name no key at all: an empty table of keys, on Spark too.
    rows = [
        {"ChargePeriodStart": "2025-01-01", "EffectiveCost": 1, "Tags": tag} for tag in ("{}", "")
    ]
    duck, on_spark = both(spark, [table(tmp_path / "none.csv", rows)], ["tag-coverage"], OPTIONS)
    assert_same(duck, on_spark)
    assert on_spark["tag-coverage"].note.endswith("(the data has no tags)")


# -- bad input: the same errors ------------------------------------------------------------------


def test_rejected_rows_are_the_same_rows_with_the_same_lines_and_reasons(
    spark: Any, tmp_path: Path
) -> None:
    # Spark samples no rows to guess a CSV's types: a thousand good rows before the bad ones
    # test there what DuckDB's hundred thousand do.
    path = hostile(tmp_path / "bad.csv", good=SPARK_GOOD)
    duck, on_spark = both(spark, [path], ["cost-by-month"], Options())
    assert_same(duck, on_spark)
    assert on_spark["cost-by-month"].value == SPARK_GOOD + 1
    # Parquet rows by row number: NaN, an infinity, no period, a cost that is not a number.
    connection = duckdb.connect()
    connection.execute(
        f"""COPY (SELECT * FROM (VALUES
            (TIMESTAMP '2025-01-01', 1.0::DOUBLE, '2'),
            (TIMESTAMP '2025-01-01', 'NaN'::DOUBLE, '2'),
            (NULL, 4.0::DOUBLE, '2'), (TIMESTAMP '2025-01-01', 8.0::DOUBLE, 'twelve'),
            (TIMESTAMP '2025-01-01', '-Infinity'::DOUBLE, '2')
        ) AS t(ChargePeriodStart, EffectiveCost, ListCost)) TO '{tmp_path / "r.parquet"}'
        (FORMAT parquet)"""
    )
    connection.close()
    assert_same(*both(spark, [tmp_path / "r.parquet"], ["cost-by-month"], Options()))


def test_files_and_filters_that_cannot_be_used_give_the_same_errors(
    spark: Any, tmp_path: Path
) -> None:
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "utf16.csv").write_bytes("ChargePeriodStart,EffectiveCost\n".encode("utf-16"))
    (tmp_path / "people.csv").write_text("Name,Team\nAna,x\n")
    (tmp_path / "report[1].csv").write_text("ChargePeriodStart,EffectiveCost\n2025-01-01,5\n")
    (tmp_path / "fake.parquet").write_text("ChargePeriodStart,EffectiveCost\n")
    whole = parquet(tmp_path / "whole.parquet", "TIMESTAMP '2025-01-01'", "1.0")
    (tmp_path / "cut.parquet").write_bytes(whole.read_bytes()[:-10])
    (tmp_path / "no-data").mkdir()
    whole_gzip = gzip.compress(("ChargePeriodStart,EffectiveCost\n" * 20_000).encode(), mtime=0)
    (tmp_path / "cut.csv.gz").write_bytes(whole_gzip[: len(whole_gzip) // 2])
    cases: list[tuple[list[Path], dict[str, Any]]] = [
        ([tmp_path / name], {}) for name in (
            "empty.csv", "utf16.csv", "people.csv", "fake.parquet", "cut.parquet", "nowhere",
            "no-data", "cut.csv.gz",
        )
    ]  # fmt: skip
    path = scoped(tmp_path / "s.csv")
    cases += [
        ([path], {"providers": ["Azure"]}),
        ([path], {"start": date(2025, 3, 1)}),
        ([path], {"providers": ["Google"], "sub_accounts": ["a"]}),
        ([table(tmp_path / "m.csv", MIXED)], {}),
        ([table(tmp_path / "bare.csv", DAILY[:1])], {"sub_accounts": ["a"]}),
    ]
    for paths, selection in cases:
        messages = []
        for engine in (open_focus, lambda p, **k: open_spark(p, spark=spark, **k)):
            with pytest.raises(FocusError) as error:
                engine(paths, **selection)
            messages.append(str(error.value))
        assert messages[0] == messages[1], (paths, selection)
    # A name that would be a pattern is that file, on Spark too.
    duck, on_spark = both(spark, [tmp_path / "report[1].csv"], ["cost-by-month"], Options())
    assert on_spark["cost-by-month"].value == duck["cost-by-month"].value == 5


def test_a_java_error_pyspark_does_not_translate_is_told_by_its_own_message(
    spark: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Such an error reaches Python as py4j's "An error occurred while calling o42.parquet.",
    # which names only the call; the reason is on the Java exception's line.
    path = parquet(tmp_path / "whole.parquet", "TIMESTAMP '2025-01-01'", "1.0")

    def failing(*_: Any) -> Any:
        return spark._jvm.java.io.FileInputStream("/nowhere/footer")

    monkeypatch.setattr(SparkReader, "_parquet_frame", failing)
    with pytest.raises(FocusError) as error:
        open_spark([path], spark=spark)
    assert str(error.value) == "whole.parquet: /nowhere/footer (No such file or directory)"


def test_the_command_line_gives_the_same_output_and_errors_with_spark(
    spark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = SPEC / "commitment_discount_scenarios" / "commitment_discount_usage_scenario_3.csv"
    outputs = []
    for engine in ("duckdb", "spark"):
        args = ["kpis", str(path), "--kpi", "commitment-utilization", "--engine", engine]
        assert run([*args, "--format", "json"]) == 0
        outputs.append(json.loads(capsys.readouterr().out))
    assert same(outputs[0], outputs[1])
    assert outputs[1]["commitment-utilization"]["value"] == 0.75
    path = hostile(tmp_path / "bad.csv", good=SPARK_GOOD)
    errors = []
    for engine in ("duckdb", "spark"):
        assert run(["kpis", str(path), "--engine", engine]) == 1
        captured = capsys.readouterr()
        assert captured.out == ""
        errors.append([line for line in captured.err.splitlines() if not line.endswith("…")])
    assert errors[0] == errors[1]
    assert errors[1][-1].startswith("finops-tui: error: 9 rows were rejected (first: bad.csv line")


def test_sql_for_a_spark_table_gives_the_same_figures_as_kpis(
    spark: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    queries = sql_for("spark", capsys)
    opened = open_spark([SAMPLE], spark=spark)
    try:
        opened.spark.table("charges").createOrReplaceTempView("focus_sample")
        found = {k: [r.asDict() for r in opened.spark.sql(q).collect()] for k, q in queries.items()}
    finally:
        opened.close()
    assert_figures(found)


def test_paths_the_cluster_lists_give_the_same_figures_and_fingerprints(spark: Any) -> None:
    folder = SAMPLE.parent.parent  # FOCUS-Sample-Data: one CSV one folder down
    duck = open_focus([folder])
    on_cluster = open_spark([str(folder)], spark=spark, cluster=True)
    try:
        for opened in (duck, on_cluster):
            opened.fingerprint()
        d, s = duck.check.as_json(), on_cluster.check.as_json()
        assert [f["path"] for f in s["files"]] == [f"file:{SAMPLE}"]
        assert [(f["name"], f["size"], f["sha256"]) for f in s["files"]] == [
            (f["name"], f["size"], f["sha256"]) for f in d["files"]
        ]
        assert d | {"files": None} == s | {"files": None}
        kpis = ["cost-by-month", "tag-coverage"]
        assert_same(compute(duck, kpis, OPTIONS), compute(on_cluster, kpis, OPTIONS))
    finally:
        duck.close()
        on_cluster.close()
