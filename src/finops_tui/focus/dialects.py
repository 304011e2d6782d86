"""The KPI SQL for every engine and warehouse, from one definition per KPI.

Each KPI's SQL file (`sql/*.sql`) is written in DuckDB's dialect and runs as it is on
DuckDB. For any other dialect, SQLGlot transpiles it; the few pieces SQLGlot cannot carry
over faithfully are named slots in the files (`{tag_keys}`), filled here per dialect
(`HELPERS`). Parameters (`$k`) are bound by DuckDB, and written in as literals elsewhere.

Only `render` and `warehouse` import SQLGlot, so the default (DuckDB) path never does.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlglot import exp

DIALECTS = ("spark", "databricks", "trino", "athena", "bigquery", "snowflake", "duckdb")
INSTALL_HINT = "pip install 'finops-tui[spark]'"

# The keys of the JSON object in `Tags` as an array of strings, NULL when the text is
# not a JSON object: the one piece of SQL each warehouse spells its own way.
TAG_KEYS = {
    "duckdb": "CASE WHEN json_valid(Tags) THEN json_keys(Tags) END",
    "spark": "json_object_keys(Tags)",
    "databricks": "json_object_keys(Tags)",
    "trino": "map_keys(TRY_CAST(TRY(json_parse(Tags)) AS MAP(VARCHAR, JSON)))",
    "athena": "map_keys(TRY_CAST(TRY(json_parse(Tags)) AS MAP(VARCHAR, JSON)))",
    "bigquery": "JSON_KEYS(SAFE.PARSE_JSON(Tags), 1)",
    "snowflake": (
        "CASE WHEN IS_OBJECT(TRY_PARSE_JSON(Tags)) "
        "THEN OBJECT_KEYS(TRY_PARSE_JSON(Tags)::OBJECT) END"
    ),
}
# A marker SQLGlot parses as a function call, replaced by the dialect's helper.
MARKER = "finops_helper_{name}()"
DUCKDB_HELPERS = {"tag_keys": TAG_KEYS["duckdb"]}


class NeedsSqlglot(Exception):
    """SQLGlot is not installed (it comes with the `spark` extra)."""

    def __init__(self) -> None:
        super().__init__(f"this needs SQLGlot: {INSTALL_HINT}")


@cache
def source(name: str) -> str:
    """The KPI SQL file `name` as written (DuckDB's dialect, with its slots)."""
    return (resources.files("finops_tui.focus") / "sql" / f"{name}.sql").read_text("utf-8")


def duckdb_sql(name: str, slots: Mapping[str, str] | None = None) -> str:
    """The SQL file `name` ready for DuckDB (its `$parameters` still to bind)."""
    return source(name).format(**DUCKDB_HELPERS, **(slots or {}))


def _sqlglot() -> Any:
    try:
        import sqlglot
    except ImportError:
        raise NeedsSqlglot from None
    # SQLGlot warns on stderr where a dialect orders NULLs its own way; the KPIs' ordering
    # columns are never NULL.
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    return sqlglot


def parse(name: str, params: Mapping[str, Any], slots: Mapping[str, str] | None = None) -> exp.Expr:
    """The SQL file `name` as a SQLGlot tree: slots filled (helpers as markers), parameters
    written in as literals."""
    sqlglot = _sqlglot()
    from sqlglot import exp

    markers = {helper: MARKER.format(name=helper) for helper in DUCKDB_HELPERS}
    tree = sqlglot.parse_one(source(name).format(**markers, **(slots or {})), read="duckdb")

    def literal(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Placeholder) and node.name in params:
            return _literal(params[node.name])
        return node

    return tree.transform(literal)


def _literal(value: Any) -> exp.Expr:
    from sqlglot import exp

    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(repr(float(value)) if isinstance(value, float) else value)
    return exp.Literal.string(str(value))


def generate(tree: exp.Expr, dialect: str, *, pretty: bool = False) -> str:
    """`tree` (DuckDB's dialect, with helper markers) as SQL of `dialect`."""
    sqlglot = _sqlglot()
    from sqlglot import exp

    def helpers(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Anonymous) and node.name.lower().startswith("finops_helper_"):
            helper = node.name.lower().removeprefix("finops_helper_")
            text = TAG_KEYS[dialect] if helper == "tag_keys" else None
            if text is None:
                raise ValueError(f"no helper {helper!r}")
            return sqlglot.parse_one(text, read=dialect)
        return node

    return tree.transform(helpers).sql(dialect=dialect, pretty=pretty)


def render(
    name: str, dialect: str, params: Mapping[str, Any], slots: Mapping[str, str] | None = None
) -> str:
    """The SQL file `name` in `dialect`, its parameters written in."""
    return generate(parse(name, params, slots), dialect)


def transpile(sql: str, dialect: str) -> str:
    """A statement of DuckDB's dialect (no slots, no parameters) in `dialect`."""
    if dialect == "duckdb":
        return sql
    return _sqlglot().transpile(sql, read="duckdb", write=dialect)[0]


def _literal_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def tag_key_sql(aliases: Mapping[str, str]) -> str:
    """A tag key as written (`raw`) as a warehouse compares it: lower-cased, trimmed, and
    read as the key an alias names (DuckDB's dialect, for SQLGlot to carry over)."""
    plain = "lower(trim(raw))"
    if not aliases:
        return plain
    cases = " ".join(
        f"WHEN {_literal_text(alias)} THEN {_literal_text(key)}" for alias, key in aliases.items()
    )
    return f"CASE {plain} {cases} ELSE {plain} END"


def selection_sql(
    start: str | None, end: str | None, currency: str | None, providers: list[str],
    sub_accounts: list[str],
) -> str | None:  # fmt: skip
    """The WHERE condition of the rows the KPIs use (DuckDB's dialect), or None."""
    where = []
    if start:
        where.append(f"ChargePeriodStart >= TIMESTAMP {_literal_text(start)}")
    if end:
        where.append(f"ChargePeriodStart < TIMESTAMP {_literal_text(end)}")
    if currency:
        where.append(f"BillingCurrency = {_literal_text(currency)}")
    for column, values in (("ProviderName", providers), ("SubAccountId", sub_accounts)):
        if values:
            where.append(f"{column} IN ({', '.join(map(_literal_text, values))})")
    return " AND ".join(where) or None


def for_table(
    name: str,
    dialect: str,
    table: str,
    params: Mapping[str, Any],
    *,
    where: str | None = None,
    slots: Mapping[str, str] | None = None,
    views: Mapping[str, tuple[str, Mapping[str, str]]] | None = None,
) -> str:
    """The SQL file `name` as one query of `dialect` on the FOCUS table `table`: `charges`
    is the table's rows that pass `where`, and each of `views` (a name: the SQL file and
    its slots) comes before it as a common table expression."""
    sqlglot = _sqlglot()
    from sqlglot import exp

    try:
        source_table = sqlglot.parse_one(table, into=exp.Table, read=dialect)
    except sqlglot.errors.ParseError:
        raise ValueError(f"{table!r} is not a table name in {dialect}") from None
    charges = exp.select("*").from_(source_table)
    if where:
        charges = charges.where(sqlglot.parse_one(where, read="duckdb"))
    ctes = [("charges", charges)]
    ctes += [
        (view, parse(file, params, view_slots))
        for view, (file, view_slots) in (views or {}).items()
    ]
    tree = parse(name, params, slots)
    existing = tree.args.get("with_")
    expressions = [
        exp.CTE(this=query, alias=exp.TableAlias(this=exp.to_identifier(view)))
        for view, query in ctes
    ] + (list(existing.expressions) if existing else [])
    tree.set("with_", exp.With(expressions=expressions))
    for node in tree.walk():
        node.comments = None
    return generate(tree, dialect, pretty=True)
