"""Bring the KPI to the data: `kpis --sql` prints each KPI's query for a FOCUS table in a
warehouse's dialect, from the same SQL files; and the default path never loads Spark or
SQLGlot. (The Spark side is in test_focus_spark.py.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlglot
from sqlglot import exp

from finops_tui.cli import run
from finops_tui.focus.kpis import KPIS, Options, compute
from finops_tui.focus.reader import open_focus

from .test_focus import SAMPLE

DIALECTS = ["spark", "databricks", "trino", "athena", "bigquery", "snowflake", "duckdb"]
TABLE = {
    "spark": "focus_sample", "databricks": "main.billing.focus_v1_2", "trino": "hive.billing.focus",
    "athena": "awsdatacatalog.cur.focus", "bigquery": "my-project.billing.focus_export",
    "snowflake": "FINOPS.PUBLIC.FOCUS", "duckdb": "focus_sample",
}  # fmt: skip
ALIASES = ["--tag-key", "env", "--tag-alias", "env=environment"]


def statements(text: str) -> dict[str, str]:
    """`kpis --sql` output as {KPI: its query}, exactly as printed (each after its comment)."""
    out = {}
    for chunk in text.split("\n-- "):
        head, _, query = chunk.removeprefix("-- ").partition("\n")
        out[head.split(":")[0]] = query.strip().removesuffix(";")
    return out


def sql_for(dialect: str, capsys: pytest.CaptureFixture[str], *more: str) -> dict[str, str]:
    args = ["kpis", "--sql", "--dialect", dialect, "--table", TABLE[dialect], *ALIASES, *more]
    assert run(args) == 0
    return statements(capsys.readouterr().out)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_each_query_parses_in_its_dialect_and_reads_the_table(
    dialect: str, capsys: pytest.CaptureFixture[str]
) -> None:
    filters = ["--from", "2024-09-01", "--currency", "USD", "--provider", "AWS"]
    queries = sql_for(dialect, capsys, *filters)
    assert list(queries) == list(KPIS)
    wanted = exp.to_table(TABLE[dialect], dialect=dialect).sql(dialect)
    for kpi, query in queries.items():
        [tree] = sqlglot.parse(query, read=dialect, error_level=sqlglot.ErrorLevel.RAISE)
        tables = {t.sql(dialect) for t in tree.find_all(exp.Table)}
        assert wanted in tables, (kpi, tables)
        assert "'environment'" in query if kpi == "tag-coverage" else True
        assert "finops_helper" not in query and "$" not in query


def test_each_query_follows_a_comment_naming_its_kpi(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["kpis", "--sql", "--dialect", "trino", "--table", "t", "--kpi", "anomaly-days"]
    assert run([*args, "--kpi", "tag-coverage"]) == 0
    lines = capsys.readouterr().out.splitlines()
    comments = [line for line in lines if line.startswith("-- ")]
    assert comments == [
        "-- anomaly-days: Anomaly days; the KPI is the number of days where anomaly is true",
        "-- tag-coverage: Tag coverage; value: the share of effective cost tagged with the key "
        "(with any tag without a key)",
    ]
    assert lines[0] == comments[0]


def assert_figures(found: dict[str, list[dict[str, Any]]]) -> None:
    """The rows of the printed queries, run on the sample, give `kpis`' figures."""
    data = open_focus([SAMPLE], tag_aliases={"env": "environment"})
    try:
        options = Options(tag_key="env", budget=20, unit_metric={"2024-09": 10.0})
        expected = compute(data, list(KPIS), options)
    finally:
        data.close()
    for kpi in ("tag-coverage", "effective-savings-rate", "commitment-coverage",
                "unused-commitment-cost", "forecast-month-end"):  # fmt: skip
        [row] = found[kpi]
        assert row["value"] == pytest.approx(expected[kpi].value, rel=1e-9), kpi
    assert found["commitment-utilization"][0]["value"] is None
    assert expected["commitment-utilization"].value is None
    assert found["cost-by-month"] == pytest.approx(expected["cost-by-month"].detail)
    assert sum(r["anomaly"] for r in found["anomaly-days"]) == expected["anomaly-days"].value
    assert found["forecast-accuracy"] == []  # one month: nothing to back-test
    [month] = found["budget-variance"]
    assert (month["cost"] - 20) / 20 == pytest.approx(expected["budget-variance"].value)
    assert month["cost"] / 10 == pytest.approx(expected["unit-cost"].value)


def test_sql_for_a_duckdb_table_gives_the_same_figures_as_kpis(
    capsys: pytest.CaptureFixture[str],
) -> None:
    queries = sql_for("duckdb", capsys)
    data = open_focus([SAMPLE])
    try:
        data.connection.execute("CREATE VIEW focus_sample AS SELECT * FROM charges")
        found = {}
        for kpi, query in queries.items():
            cursor = data.connection.execute(query)
            names = [d[0] for d in cursor.description or ()]
            found[kpi] = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        data.close()
    assert_figures(found)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sql", "--dialect", "trino"], "--sql needs --dialect and --table NAME"),
        (["--sql", "--table", "t"], "--sql needs --dialect and --table NAME"),
        (["x.csv", "--sql", "--dialect", "trino", "--table", "t"], "not PATHs"),
        (["--sql", "--dialect", "trino", "--table", "t", "--engine", "spark"], "--engine"),
        (["x.csv", "--table", "t"], "--dialect and --table go with --sql"),
        ([], "give the PATH of FOCUS cost data"),
        (["x.csv", "--spark-remote", "sc://h:1"], "--spark-remote goes with --engine spark"),
        (["--sql", "--dialect", "trino", "--table", "a b c"], "--table: 'a b c' is not a table"),
    ],
)
def test_options_that_do_not_go_together_are_refused(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["kpis", *args]) == 2
    assert message in capsys.readouterr().err


def test_the_default_path_never_imports_spark_or_sqlglot() -> None:
    code = (
        "import sys\nfrom finops_tui.cli import run\n"
        "import finops_tui.app, finops_tui.screens.baseline, finops_tui.focus.measure\n"
        f"assert run(['kpis', {str(SAMPLE)!r}]) == 0\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('pyspark', 'py4j', 'sqlglot')]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr


# -- a Spark cluster as the source ------------------------------------------------------------


def test_a_spark_connect_source_needs_the_clusters_path() -> None:
    from finops_tui.focus.files import FocusError
    from finops_tui.focus.measure import Measuring
    from finops_tui.focus.spark import remote_url

    with pytest.raises(FocusError, match=r"^after the Spark Connect URL, give the path"):
        Measuring().run("sc://localhost:15002", "cost-by-month", Options())
    with pytest.raises(FocusError, match=r"^http://x is not a Spark Connect URL"):
        remote_url("http://x")


def test_without_the_spark_extra_spark_says_how_to_install_it() -> None:
    code = (
        "import sys\nsys.modules['pyspark'] = None\n"  # as if PySpark were not installed
        "from finops_tui.focus.files import FocusError\n"
        "from finops_tui.focus.kpis import Options\n"
        "from finops_tui.focus.measure import Measuring\n"
        "try:\n"
        "    Measuring().run('sc://localhost:15002 /data/focus', 'cost-by-month', Options())\n"
        "except FocusError as exc:\n"
        "    print(exc)\n"
        "from finops_tui.cli import run\n"
        f"sys.exit(run(['kpis', {str(SAMPLE)!r}, '--engine', 'spark']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    hint = "the Spark engine needs PySpark and SQLGlot: pip install 'finops-tui[spark]'"
    assert result.stdout == hint + "\n"
    assert (result.returncode, result.stderr) == (1, f"finops-tui: error: {hint}\n")


@pytest.mark.parametrize(
    ("java", "says"),
    [
        pytest.param(None, "needs Java 17 or later, and none was found", id="none"),
        pytest.param('openjdk version "11.0.22" 2024-01-16', "is Java 11", id="java-11"),
        pytest.param('java version "1.8.0_392"', "is Java 8", id="java-8"),
    ],
)
def test_without_java_17_a_local_spark_says_so_in_one_line(
    tmp_path: Path, java: str | None, says: str
) -> None:
    home = tmp_path / "jdk"
    (home / "bin").mkdir(parents=True)
    if java is not None:  # a `java` that only says which version it is
        fake = home / "bin" / "java"
        fake.write_text(f"#!/bin/sh\necho '{java}' >&2\n")
        fake.chmod(0o755)
    result = subprocess.run(
        [sys.executable, "-m", "finops_tui", "kpis", str(SAMPLE), "--engine", "spark"],
        env={**os.environ, "JAVA_HOME": str(home)},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("finops-tui: error: the Spark engine needs Java 17 or later")
    assert says in line
    assert result.stdout == ""
