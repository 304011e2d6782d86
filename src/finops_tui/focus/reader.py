"""Read FOCUS exports (CSV, CSV.gz, Parquet, or a folder of them) into one DuckDB view.

Whatever the provider wrote, the view `charges` has the FOCUS column names of the
columns present, typed: costs as DOUBLE, periods as UTC TIMESTAMP, text as VARCHAR. The literal
`NULL`/`null` tokens and empty strings are nulls; timestamps with or without `T`/`Z` are UTC;
a UTF-8 byte-order mark is ignored; columns FOCUS does not define are ignored. Filters for
the period and the currency are applied in the view, so every KPI sees the same rows.
The macro `tag_keys(Tags)` gives a row's tag keys trimmed, case-folded and aliased.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb

    from finops_tui.focus.cache import Progress

COSTS = ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost")
TIMES = ("ChargePeriodStart", "ChargePeriodEnd", "BillingPeriodStart", "BillingPeriodEnd")
TEXTS = (
    "Tags",
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
KNOWN = {*COSTS, *TIMES, *TEXTS}
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
    sub_accounts: Sequence[str] = (),
    providers: Sequence[str] = (),
    cache_dir: Path | None = None,
    progress: Progress | None = None,
    cancelled: threading.Event | None = None,
) -> FocusData:
    """Open FOCUS files as the view `charges` (rows with start <= ChargePeriodStart < end,
    and, when given, of those sub-accounts and providers: the scope of the KPIs).

    With a `cache_dir`, a large CSV is read from its Parquet copy there (made on first use,
    with `progress(what, share)` reported while it is made).
    """
    import duckdb

    files = find_files(list(paths))
    empty = [f for f in files if _is_empty(f)]
    if empty:
        raise FocusError(f"{empty[0]}: the file is empty")
    sources = [
        _fast_copy(f, cache_dir, progress, cancelled) if cache_dir is not None else f for f in files
    ]
    if cancelled is not None and cancelled.is_set():
        raise FocusError("cancelled")
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    csvs = [str(f) for f in sources if not f.name.lower().endswith(".parquet")]
    parquets = [str(f) for f in sources if f.name.lower().endswith(".parquet")]
    readers = []
    if csvs:
        readers.append(
            f"read_csv([{', '.join(map(_literal, csvs))}], header = true, all_varchar = true, "
            "union_by_name = true, nullstr = ['NULL', 'null', ''])"
        )
    if parquets:
        readers.append(
            f"read_parquet([{', '.join(map(_literal, parquets))}], union_by_name = true)"
        )
    try:
        relations = [connection.sql(f"SELECT * FROM {reader}") for reader in readers]
        present = {c for relation in relations for c in relation.columns}
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
    columns &= KNOWN  # the view keeps the FOCUS columns it knows
    typed = []
    for number, relation in enumerate(relations):
        connection.register(f"source_{number}", relation)
        if select := _typed_select(relation, f"source_{number}", require=False):
            typed.append(select)
    connection.execute(f"CREATE TEMP MACRO tag_keys(tags) AS {_tag_keys(tag_aliases or {})}")
    where = ["ChargePeriodStart IS NOT NULL"]
    for column, wanted in (("SubAccountId", sub_accounts), ("ProviderName", providers)):
        if not wanted:
            continue
        if column not in columns:
            connection.close()
            raise FocusError(f"cannot select by {column}: the data has no such column")
        where.append(f"{column} IN ({', '.join(map(_literal, wanted))})")
    if start is not None:
        where.append(f"ChargePeriodStart >= TIMESTAMP {_literal(start.isoformat())}")
    if end is not None:
        where.append(f"ChargePeriodStart < TIMESTAMP {_literal(end.isoformat())}")
    data = FocusData(connection, files, columns, detect_version(present), currency)
    data.tag_aliases = {
        a.strip().casefold(): b.strip().casefold() for a, b in (tag_aliases or {}).items()
    }
    connection.execute(f"CREATE TEMP VIEW typed AS {' UNION ALL BY NAME '.join(typed)}")
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
            f"the data mixes currencies ({', '.join(currencies)}); choose one currency"
        )
    else:
        data.currency = currencies[0] if currencies else None
        if not currencies:
            data.notes.append("no BillingCurrency column: amounts are in the data's currency")
    connection.execute(
        f"CREATE TEMP VIEW charges AS SELECT * FROM typed WHERE {' AND '.join(where)}"
    )
    return data


def _typed_select(relation: Any, source: str, *, require: bool = True) -> str | None:
    """The SELECT giving the FOCUS columns of `relation` (named `source`) their types; None
    when `require` and the relation lacks a required column."""
    names = [RENAMED.get(c, c) for c in relation.columns]
    if require and any(r not in names for r in REQUIRED):
        return None
    select = [
        f"{_typed(name, str(kind))} AS {RENAMED.get(name, name)}"
        for name, kind in zip(relation.columns, relation.types, strict=True)
        if RENAMED.get(name, name) in KNOWN
    ]
    return f"SELECT {', '.join(select)} FROM {source}" if select else None


def _fast_copy(
    path: Path,
    cache_dir: Path,
    progress: Progress | None,
    cancelled: threading.Event | None,
) -> Path:
    """A large CSV's Parquet copy in the cache (made now if needed); else the file itself."""
    from finops_tui.focus.cache import LARGE_CSV_BYTES, cached_parquet

    if path.name.lower().endswith(".parquet") or path.stat().st_size < LARGE_CSV_BYTES:
        return path
    copy = cached_parquet(path, cache_dir, _typed_select, progress or _quiet, cancelled)
    return copy or path


def _quiet(what: str, share: float | None) -> None:
    pass


def _typed(name: str, kind: str) -> str:
    """SQL giving a column its FOCUS type, cheaply when the file already has that type."""
    quoted = '"' + name.replace('"', '""') + '"'
    canonical = RENAMED.get(name, name)
    if canonical in COSTS:
        return quoted if kind == "DOUBLE" else f"TRY_CAST({quoted} AS DOUBLE)"
    if canonical in TIMES:
        if kind == "TIMESTAMP":
            return quoted
        if kind.startswith("TIMESTAMP WITH TIME ZONE"):
            return f"CAST({quoted} AT TIME ZONE 'UTC' AS TIMESTAMP)"
        if kind.startswith("TIMESTAMP") or kind == "DATE":
            return f"CAST({quoted} AS TIMESTAMP)"
        # Text: with or without T and Z, with or without an offset; naive means UTC.
        return f"CAST(TRY_CAST({quoted} AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS TIMESTAMP)"
    if kind == "VARCHAR":
        return f"NULLIF(TRIM({quoted}), '')"
    return f"NULLIF(TRIM(CAST({quoted} AS VARCHAR)), '')"


def _tag_keys(aliases: dict[str, str]) -> str:
    """SQL for the list of normalised tag keys of a `Tags` JSON text (NULL when invalid)."""
    key = "lower(trim(k))"
    if aliases:
        cases = " ".join(
            f"WHEN {_literal(a.strip().casefold())} THEN {_literal(b.strip().casefold())}"
            for a, b in aliases.items()
        )
        key = f"CASE {key} {cases} ELSE {key} END"
    return f"CASE WHEN json_valid(tags) THEN list_transform(json_keys(tags), lambda k: {key}) END"
