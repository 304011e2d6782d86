"""Read FOCUS exports (CSV, CSV.gz, Parquet, or a folder of them) into one DuckDB view.

Whatever the provider wrote, the view `charges` has the FOCUS column names of the
columns present, typed: costs as DOUBLE, periods as UTC TIMESTAMP, text as VARCHAR, and
`TagKeys` as the list of normalised tag keys (trimmed, case-folded, aliased). The literal
`NULL`/`null` tokens and empty strings are nulls; timestamps with or without `T`/`Z` are UTC;
a UTF-8 byte-order mark is ignored; columns FOCUS does not define are ignored. Filters for
the period and the currency are applied in the view, so every KPI sees the same rows.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb

COSTS = ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost")
TIMES = ("ChargePeriodStart", "ChargePeriodEnd", "BillingPeriodStart", "BillingPeriodEnd")
TEXTS = (
    "BillingCurrency",
    "ChargeCategory",
    "ChargeClass",
    "ChargeFrequency",
    "CommitmentDiscountId",
    "CommitmentDiscountStatus",
    "CommitmentDiscountCategory",
    "PricingCategory",
    "ProviderName",
    "ServiceCategory",
    "ServiceName",
    "SubAccountId",
    "SubAccountName",
    "ResourceId",
)
REQUIRED = ("ChargePeriodStart", "EffectiveCost")
# FOCUS 1.3 renamed ProviderName; the view always calls it ProviderName.
RENAMED = {"ServiceProviderName": "ProviderName"}
SUFFIXES = (".csv", ".csv.gz", ".parquet")


class FocusError(Exception):
    """Cost data that cannot be used, with a message that says why and what to do."""


@dataclass
class FocusData:
    """An open DuckDB connection whose view `charges` holds the selected cost rows."""

    connection: duckdb.DuckDBPyConnection
    files: list[Path]
    columns: set[str]
    version: str
    currency: str | None
    period: tuple[date | None, date | None]
    notes: list[str] = field(default_factory=list)
    tag_aliases: dict[str, str] = field(default_factory=dict)  # normalised: alias -> key

    def tag_key(self, key: str) -> str:
        """A tag key as the view normalises it (trimmed, case-folded, aliased)."""
        key = key.strip().casefold()
        return self.tag_aliases.get(key, key)

    def has(self, *columns: str) -> bool:
        return all(c in self.columns for c in columns)

    def missing(self, columns: Iterable[str]) -> list[str]:
        return [c for c in columns if c not in self.columns]

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.connection.execute(sql, list(params)).fetchall()

    def close(self) -> None:
        self.connection.close()


def find_files(paths: Iterable[Path]) -> list[Path]:
    """The FOCUS files named, or found (recursively) in the folders named."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and _suffix(p))
        elif path.is_file():
            if not _suffix(path):
                raise FocusError(f"{path}: not a CSV, CSV.gz or Parquet file")
            found.append(path)
        else:
            raise FocusError(f"{path}: no such file or folder")
    if not found:
        raise FocusError("no CSV, CSV.gz or Parquet files in " + ", ".join(map(str, paths)))
    return found


def _suffix(path: Path) -> str | None:
    name = path.name.lower()
    return next((s for s in SUFFIXES if name.endswith(s)), None)


def detect_version(columns: set[str]) -> str:
    """The FOCUS version the columns point to (the newest one whose columns appear)."""
    if "ServiceProviderName" in columns or "HostProviderName" in columns:
        return "1.3"
    if "InvoiceId" in columns or "PricingCurrency" in columns:
        return "1.2"
    if "CommitmentDiscountQuantity" in columns or "CapacityReservationId" in columns:
        return "1.1"
    return "1.0"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _is_empty(path: Path) -> bool:
    if path.stat().st_size == 0:
        return True
    if path.name.lower().endswith(".gz"):
        with gzip.open(path, "rb") as f:
            return not f.read(1)
    return False


def open_focus(
    paths: Iterable[Path],
    *,
    start: date | None = None,
    end: date | None = None,
    currency: str | None = None,
    tag_aliases: dict[str, str] | None = None,
) -> FocusData:
    """Open FOCUS files as the view `charges` (rows with start <= ChargePeriodStart < end)."""
    import duckdb

    files = find_files(list(paths))
    empty = [f for f in files if _is_empty(f)]
    if empty:
        raise FocusError(f"{empty[0]}: the file is empty")
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    sources = []
    csvs = [str(f) for f in files if not f.name.lower().endswith(".parquet")]
    parquets = [str(f) for f in files if f.name.lower().endswith(".parquet")]
    if csvs:
        sources.append(
            f"SELECT * FROM read_csv([{', '.join(map(_literal, csvs))}], header = true, "
            "all_varchar = true, union_by_name = true, nullstr = ['NULL', 'null', ''])"
        )
    if parquets:
        sources.append(
            f"SELECT * FROM read_parquet([{', '.join(map(_literal, parquets))}], "
            "union_by_name = true)"
        )
    try:
        raw = connection.sql(" UNION ALL BY NAME ".join(sources))
        present = set(raw.columns)
    except duckdb.Error as exc:
        connection.close()
        raise FocusError(f"cannot read the cost data: {str(exc).splitlines()[0]}") from None
    columns = {RENAMED.get(c, c) for c in present}
    if missing := [c for c in REQUIRED if c not in columns]:
        connection.close()
        raise FocusError(
            f"not FOCUS cost data: missing the column(s) {', '.join(missing)} "
            f"(found {', '.join(sorted(present)[:8])}{'…' if len(present) > 8 else ''})"
        )
    columns &= {*COSTS, *TIMES, *TEXTS}  # the view keeps the FOCUS columns it knows
    connection.register("raw_rows", raw)
    select = []
    for name in sorted(present):
        canonical = RENAMED.get(name, name)
        quoted = '"' + name.replace('"', '""') + '"'
        if canonical in COSTS:
            select.append(f"TRY_CAST({quoted} AS DOUBLE) AS {canonical}")
        elif canonical in TIMES:
            select.append(
                f"CAST(TRY_CAST({quoted} AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS TIMESTAMP) "
                f"AS {canonical}"
            )
        elif canonical in TEXTS:
            select.append(f"NULLIF(TRIM(CAST({quoted} AS VARCHAR)), '') AS {canonical}")
    if "Tags" in present:
        select.append(f"{_tag_keys(tag_aliases or {})} AS TagKeys")
        columns.add("TagKeys")
    where = ["ChargePeriodStart IS NOT NULL"]
    if start is not None:
        where.append(f"ChargePeriodStart >= TIMESTAMP {_literal(start.isoformat())}")
    if end is not None:
        where.append(f"ChargePeriodStart < TIMESTAMP {_literal(end.isoformat())}")
    data = FocusData(connection, files, columns, detect_version(present), currency, (start, end))
    data.tag_aliases = {
        a.strip().casefold(): b.strip().casefold() for a, b in (tag_aliases or {}).items()
    }
    connection.execute(f"CREATE TEMP VIEW typed AS SELECT {', '.join(select)} FROM raw_rows")
    currencies: list[str] = []
    if "BillingCurrency" in columns:
        currencies = [
            row[0]
            for row in connection.execute(
                "SELECT DISTINCT BillingCurrency FROM typed WHERE BillingCurrency IS NOT NULL "
                "ORDER BY 1"
            ).fetchall()
        ]
    if currency is not None:
        if currencies and currency not in currencies:
            data.close()
            raise FocusError(f"no charges in {currency}; the data has {', '.join(currencies)}")
        if currencies:
            where.append(f"BillingCurrency = {_literal(currency)}")
    elif len(currencies) > 1:
        data.close()
        raise FocusError(
            f"the data mixes currencies ({', '.join(currencies)}); choose one with --currency"
        )
    else:
        data.currency = currencies[0] if currencies else None
        if not currencies:
            data.notes.append("no BillingCurrency column: amounts are in the data's currency")
    connection.execute(
        f"CREATE TEMP VIEW charges AS SELECT * FROM typed WHERE {' AND '.join(where)}"
    )
    return data


def _tag_keys(aliases: dict[str, str]) -> str:
    """SQL for the list of normalised tag keys of a row's `Tags` JSON (NULL when invalid)."""
    key = "lower(trim(k))"
    if aliases:
        cases = " ".join(
            f"WHEN {_literal(a.strip().casefold())} THEN {_literal(b.strip().casefold())}"
            for a, b in aliases.items()
        )
        key = f"CASE {key} {cases} ELSE {key} END"
    return (
        "CASE WHEN json_valid(CAST(Tags AS VARCHAR)) "
        f"THEN list_transform(json_keys(CAST(Tags AS VARCHAR)), lambda k: {key}) END"
    )
