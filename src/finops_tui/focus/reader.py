"""Read FOCUS exports (CSV, CSV.gz, Parquet, or folders of them) into one DuckDB view, with
every row accounted for.

Each file is read on its own, by its literal name (`files.py`), with strict types: a cost
must be a finite decimal number and a charge period a date and time, or the row is
rejected with the reason and its line (CSV) or row (Parquet). The rows read are
typed and combined in the view `typed`; the view `charges` holds the rows the KPIs use:
those not rejected, in the period, the currency and the scope asked for. Costs are
DOUBLE, periods UTC TIMESTAMP, text VARCHAR; `NULL`/`null` and empty strings are nulls;
timestamps with or without `T`/`Z` or an offset are read as UTC; a UTF-8 byte-order mark
is ignored; columns FOCUS does not define are left out. A filter that matches nothing is
refused, naming the values the data has. The data check (`check.py`) says what was read.
"""

from __future__ import annotations

import math
import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from finops_tui.focus.cache import DEFAULT_MAX_BYTES, Converted, ParquetCache
from finops_tui.focus.check import DataCheck, Reject, reject_reason, value_text
from finops_tui.focus.dialects import duckdb_sql
from finops_tui.focus.files import (
    Cancelled,
    CostFile,
    FocusError,
    LiteralNames,
    check_file,
    empty_cells,
    find_files,
    longest_line,
    shown,
)
from finops_tui.focus.tags import TagKeys

if TYPE_CHECKING:
    import duckdb

__all__ = ["Cancelled", "FocusData", "FocusError", "find_files", "open_focus"]

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
# The types a CSV's cells must parse as: a cost that is not a finite decimal number (NaN,
# Infinity, 1e400, "12 USD", "1,5") or a period that is not a date is a rejected row.
STRICT = {**dict.fromkeys(COSTS, "DECIMAL(38,18)"), **dict.fromkeys(TIMES, "TIMESTAMPTZ")}
NULLS = "['NULL', 'null', '']"
# RFC 4180 quoting, whatever the first rows hold: a value quoted only far into the file
# (tags, say) is still one value. The delimiter is detected.
DIALECT = "quote = '\"', escape = '\"'"
POLL_SECONDS = 0.1
QUIET_SECONDS = 0.3  # reading a file shows progress once it takes longer than this
MAX_REJECTS_KEPT = 20
MAX_VALUES_LISTED = 10
EMPTY_START = "ChargePeriodStart is empty"

Progress = Callable[[str, float | None], None]  # what is happening, and the share done


@dataclass(kw_only=True)
class OpenData(ABC):
    """Cost data opened by an engine: the files, the columns, the data check; the rows
    selected are in the engine's view `charges`."""

    files: list[CostFile]
    columns: set[str]
    version: str
    currency: str | None
    check: DataCheck
    tag_keys: TagKeys = field(default_factory=TagKeys)
    notes: list[str] = field(default_factory=list)
    names: LiteralNames = field(default_factory=LiteralNames)

    def tag_key(self, key: str) -> str:
        """A tag key as the KPIs compare them (normalised, aliased: `tags.py`)."""
        return self.tag_keys(key)

    def has(self, *columns: str) -> bool:
        return all(c in self.columns for c in columns)

    def missing(self, columns: Iterable[str]) -> list[str]:
        return [c for c in columns if c not in self.columns]

    def fingerprint(self, cancelled: threading.Event | None = None) -> None:
        """Compute the sha256 of every file read (those converted already have theirs)."""
        for file in self.files:
            if file.uri is None:
                file.fingerprint(cancelled)

    @abstractmethod
    def rows(
        self, name: str, params: dict[str, Any] | None = None, slots: dict[str, str] | None = None
    ) -> list[dict[str, Any]]:
        """The rows of the KPI SQL file `name` (`dialects.py`), as dicts."""

    @abstractmethod
    def keep(self, table: str, name: str, slots: dict[str, str] | None = None) -> None:
        """Keep the rows of the SQL file `name` as `table` for the queries that follow."""

    @abstractmethod
    def pairs(self, table: str, pairs: list[tuple[str, str]]) -> None:
        """Make `table` of the text pairs (raw, tag_key)."""

    @abstractmethod
    def interrupt(self) -> None:
        """Stop the running query (called from another thread)."""

    @abstractmethod
    def close(self) -> None:
        """Let go of the engine's views and the temporary files."""


@dataclass(kw_only=True)
class FocusData(OpenData):
    """An open DuckDB connection whose view `charges` holds the selected cost rows."""

    connection: duckdb.DuckDBPyConnection

    def interrupt(self) -> None:
        self.connection.interrupt()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.connection.execute(sql, list(params)).fetchall()

    def rows(
        self, name: str, params: dict[str, Any] | None = None, slots: dict[str, str] | None = None
    ) -> list[dict[str, Any]]:
        cursor = self.connection.execute(duckdb_sql(name, slots), params or {})
        names = [d[0] for d in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def keep(self, table: str, name: str, slots: dict[str, str] | None = None) -> None:
        self.connection.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS {duckdb_sql(name, slots)}"
        )

    def pairs(self, table: str, pairs: list[tuple[str, str]]) -> None:
        self.connection.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS "
            "SELECT unnest($raw::VARCHAR[]) AS raw, unnest($key::VARCHAR[]) AS tag_key",
            {"raw": [raw for raw, _ in pairs], "key": [key for _, key in pairs]},
        )

    def close(self) -> None:
        self.connection.close()
        self.names.close()


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


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


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
    cache_max_bytes: int | None = None,
    progress: Progress | None = None,
    cancelled: threading.Event | None = None,
) -> FocusData:
    """Open FOCUS files as the view `charges` (rows with start <= ChargePeriodStart < end,
    and, when given, of that currency, those sub-accounts and providers: the scope of the
    KPIs). Raises FocusError, naming the file and line, when the data cannot be read.

    With a `cache_dir`, a large CSV is read from its Parquet copy there (made on first use,
    with `progress(what, share)` reported while it is made).
    """
    import duckdb

    files = find_files(list(paths))
    for file in files:
        check_file(file)
    names = LiteralNames()
    connection = duckdb.connect()
    try:
        connection.execute("SET TimeZone = 'UTC'")
        # What does not fit in memory spills to a private folder, not to ./.tmp.
        connection.execute(f"SET temp_directory = {_literal(str(names.scratch() / 'spill'))}")
        cache = None
        if cache_dir is not None:
            cap = DEFAULT_MAX_BYTES if cache_max_bytes is None else cache_max_bytes
            cache = ParquetCache(cache_dir, cap)
        reader = Reader(connection, names, cache, progress or _quiet, cancelled)
        sources = [reader.read(number, file) for number, file in enumerate(files)]
        present = {c for source in sources for c in source.raw}
        columns = {RENAMED.get(c, c) for c in present} & KNOWN
        connection.execute(
            "CREATE TEMP VIEW typed AS "
            + " UNION ALL BY NAME ".join(f"({s.select})" for s in sources)
        )
        data = FocusData(
            connection=connection,
            files=files,
            columns=columns,
            version=detect_version(present),
            currency=currency,
            check=DataCheck(files),
            tag_keys=TagKeys(tag_aliases),
            names=names,
        )
        selection = Selection(start, end, currency, list(sub_accounts), list(providers))
        reader.select(data, selection, sources)
    except duckdb.Error as exc:
        message = f"cannot read the cost data: {_cause(names.restore(str(exc)))}"
        connection.close()
        names.close()
        raise FocusError(message) from None
    except BaseException:
        connection.close()
        names.close()
        raise
    return data


def _quiet(what: str, share: float | None) -> None:
    pass


def _cause(message: str) -> str:
    """The first line of a DuckDB message, without its error class."""
    first = message.strip().splitlines()[0] if message.strip() else "unknown error"
    return shown(re.sub(r"^[A-Za-z ]*Error: ", "", first))


@dataclass
class Source:
    """One file as read: the SELECT giving its typed rows, and the lines it rejected."""

    file: CostFile
    select: str
    raw: list[str]
    rejected: int = 0
    rejects: list[Reject] = field(default_factory=list)
    exact: bool = False  # a column typed from text: only a look at each row finds a problem


@dataclass
class Selection:
    start: date | None
    end: date | None
    currency: str | None
    sub_accounts: list[str]
    providers: list[str]


@dataclass
class Group:
    """The check's count for one provider, currency (and sub-account)."""

    provider: str | None
    currency: str | None
    sub_account: str | None
    rows: int
    problems: int
    selected: int
    first: datetime | None
    last: datetime | None
    first_any: datetime | None
    last_any: datetime | None


class Reader:
    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection,
        names: LiteralNames,
        cache: ParquetCache | None,
        progress: Progress,
        cancelled: threading.Event | None,
    ) -> None:
        self.connection = connection
        self.names = names
        self.cache = cache
        self.progress = progress
        self.cancelled = cancelled

    def _check_cancelled(self) -> None:
        if self.cancelled is not None and self.cancelled.is_set():
            raise Cancelled

    # -- reading each file ------------------------------------------------------------------

    def read(self, number: int, file: CostFile) -> Source:
        import duckdb

        self._check_cancelled()
        try:
            if file.kind == ".parquet":
                return self._parquet(number, file, file.path)
            cached = None
            if self.cache is not None and self.cache.worth(file.size):
                cached = self._cached(number, file, self.cache)
            return cached or self._csv(number, file)
        except duckdb.Error as exc:
            raise FocusError(self._file_error(file, exc)) from None

    def _parquet(self, number: int, file: CostFile, path: Path, *, strict: bool = False) -> Source:
        name = self.names(path, ".parquet")
        reader = f"read_parquet({_literal(name)}, file_row_number = true)"
        relation = self.connection.sql(f"SELECT * FROM {reader}")
        raw = [c for c in relation.columns if c != "file_row_number"]
        _require(file, raw)
        kinds = dict(zip(relation.columns, map(str, relation.types), strict=True))
        select = _typed_select(raw, kinds, reader, number, strict=strict, rows=not strict)
        exact = not strict and any(
            kinds[c] == "VARCHAR" and RENAMED.get(c, c) in (*COSTS, *TIMES) for c in raw
        )
        return Source(file, select, raw, exact=exact)

    def _strict_csv(self, number: int, file: CostFile) -> tuple[str, list[str]]:
        """The SELECT reading a CSV with strict types, its rejects kept in `rejects_N`."""
        name = self.names(file.path, file.kind)
        self.connection.execute(
            f"DROP TABLE IF EXISTS rejects_{number}; DROP TABLE IF EXISTS scans_{number}"
        )
        compression = ", compression = 'gzip'" if file.kind == ".csv.gz" else ""
        plain = (
            f"read_csv({_literal(name)}, header = true, all_varchar = true, {DIALECT}, "
            f"ignore_errors = true{compression})"
        )
        raw = self.connection.sql(f"SELECT * FROM {plain}").columns
        _require(file, raw)
        types = {c: STRICT[RENAMED.get(c, c)] for c in raw if RENAMED.get(c, c) in STRICT}
        reader = (
            f"read_csv({_literal(name)}, header = true, all_varchar = true, {DIALECT}"
            f"{compression}, nullstr = {NULLS}, "
            f"types = {{{', '.join(f'{_literal(c)}: {_literal(t)}' for c, t in types.items())}}}, "
            "store_rejects = true, "
            f"rejects_table = 'rejects_{number}', rejects_scan = 'scans_{number}')"
        )
        kinds = {c: types.get(c, "VARCHAR") for c in raw}
        return _typed_select(raw, kinds, reader, number, strict=True, rows=False), list(raw)

    def _csv(self, number: int, file: CostFile) -> Source:
        select, raw = self._strict_csv(number, file)
        self._run(
            f"CREATE TEMP TABLE csv_{number} AS {select}", f"Reading {file.label}…", loud=False
        )
        source = Source(file, f"SELECT * FROM csv_{number}", raw)
        source.rejected, lines = self._rejects(number)
        source.rejects = [Reject(file.label, line, reason) for line, reason in lines]
        return source

    def _rejects(self, number: int) -> tuple[int, list[tuple[int | None, str]]]:
        """How many lines the CSV read as `number` rejected, and the first ones' reasons."""
        found = self.connection.execute(
            f"SELECT line, column_name, error_type, error_message FROM rejects_{number} "
            "ORDER BY line, column_idx"
        ).fetchall()
        self.connection.execute(f"DROP TABLE rejects_{number}; DROP TABLE scans_{number}")
        reasons: dict[int | None, str] = {}
        for line, column, kind, message in found:
            if line not in reasons:
                reasons[line] = reject_reason(str(kind), column, message or "")
        return len(reasons), list(reasons.items())[:MAX_REJECTS_KEPT]

    def _cached(self, number: int, file: CostFile, cache: ParquetCache) -> Source | None:
        """A large CSV read from its Parquet copy (made now if needed); None when the cache
        cannot be written."""
        import duckdb

        entry = cache.lookup(file.path)
        if entry is not None:
            try:
                name = self.names(entry.parquet, ".parquet")
                [(rows,)] = self.connection.execute(
                    f"SELECT num_rows FROM parquet_file_metadata({_literal(name)})"
                ).fetchall()
                if rows != entry.converted.rows:
                    raise ValueError("not the rows converted")
            except (duckdb.Error, ValueError):
                cache.discard(entry.key)
                entry = None
        if entry is None:
            entry = cache.build(
                file.path,
                file.label,
                lambda out: self._convert(number, file, out),
                self.cancelled,
            )
            if entry is None:
                return None
        file.sha256 = entry.sha256
        source = self._parquet(number, file, entry.parquet, strict=True)
        source.rejected = entry.converted.rejected
        source.rejects = [
            Reject(file.label, line, reason) for line, reason in entry.converted.rejects
        ]
        return source

    def _convert(self, number: int, file: CostFile, out: Path) -> Converted:
        import duckdb

        select, _ = self._strict_csv(number, file)
        what = f"Converting {file.label} to Parquet (once, for speed)…"
        try:
            [(rows,)] = self._run(
                f"COPY ({select}) TO {_literal(str(out))} (FORMAT parquet)", what, loud=True
            )
        except duckdb.Error as exc:
            if str(out) in str(exc) or "No space left" in str(exc):
                raise OSError(str(exc)) from None  # the cache cannot be written
            raise
        rejected, lines = self._rejects(number)
        self.progress(what, 1.0)
        return Converted(int(rows), rejected, lines)

    def _run(self, sql: str, what: str, *, loud: bool) -> list[tuple[Any, ...]]:
        """Run one statement in a thread, reporting its progress (at once when `loud`, else
        once it takes a while) and interrupting it when cancelled."""
        result: list[list[tuple[Any, ...]]] = []
        error: list[BaseException] = []

        def run() -> None:
            try:
                result.append(self.connection.execute(sql).fetchall())
            except BaseException as exc:  # re-raised below, in the calling thread
                error.append(exc)

        if loud:
            self.progress(what, 0.0)
        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        waited = 0.0
        while worker.is_alive():
            worker.join(POLL_SECONDS)
            waited += POLL_SECONDS
            if self.cancelled is not None and self.cancelled.is_set():
                self.connection.interrupt()
            if worker.is_alive() and (loud or waited >= QUIET_SECONDS):
                done = self.connection.query_progress()
                self.progress(what, done / 100 if done is not None and done >= 0 else None)
        self._check_cancelled()
        if error:
            raise error[0]
        return result[0]

    def _file_error(self, file: CostFile, exc: Exception) -> str:
        """The real cause of a DuckDB error reading `file`, in one line naming it."""
        message = self.names.restore(str(exc))
        where = file.label
        if match := re.search(r"Maximum line size of (\d+) bytes exceeded", message):
            limit = int(match.group(1))
            if found := longest_line(file, limit):
                line, length = found
                return f"{where}: line {line}: {length:,} bytes, longer than {limit:,}"
            return f"{where}: a line is longer than {limit:,} bytes"
        if "not a GZIP stream" in message:
            return f"{where}: not a gzip file"
        if "end of GZIP stream" in message:
            return f"{where}: the gzip data is cut short"
        if "No magic bytes" in message or "not a parquet file" in message.lower():
            return f"{where}: not a Parquet file, or a damaged one"
        line = re.search(r"CSV Error on Line: (\d+)", message)
        at = f"line {line.group(1)}: " if line else ""
        if "Invalid unicode" in message:
            return f"{where}: {at}not UTF-8 text"
        return f"{where}: {at}{_cause(message)}"

    # -- the selection and the data check ---------------------------------------------------

    def select(self, data: FocusData, wanted: Selection, sources: list[Source]) -> None:
        """Check the rows read, refuse a filter that matches nothing, create `charges`."""
        for column, values in (
            ("SubAccountId", wanted.sub_accounts),
            ("ProviderName", wanted.providers),
        ):
            if values and column not in data.columns:
                raise FocusError(f"cannot select by {column}: the data has no such column")
        period = []
        if wanted.start is not None:
            period.append(f"ChargePeriodStart >= TIMESTAMP {_literal(wanted.start.isoformat())}")
        if wanted.end is not None:
            period.append(f"ChargePeriodStart < TIMESTAMP {_literal(wanted.end.isoformat())}")
        groups, providers = self._groups(data, wanted, period, exact=any(s.exact for s in sources))
        check = data.check
        problems = sum(g.problems for g in groups)
        check.rows_read = sum(g.rows for g in groups) + sum(s.rejected for s in sources)
        check.rejected = problems + sum(s.rejected for s in sources)
        check.rejects = [r for s in sources for r in s.rejects]
        if problems:
            check.rejects = sorted(check.rejects + self._problems(data.files), key=_order)
        check.rejects = check.rejects[:MAX_REJECTS_KEPT]

        valid = [g for g in groups if g.rows > g.problems]
        scope = valid
        for name, values, attribute in (
            ("provider", wanted.providers, "provider"),
            ("sub-account", wanted.sub_accounts, "sub_account"),
        ):
            have = _values(valid, attribute)
            for value in values:
                if value not in have:
                    raise FocusError(
                        f"no charges from {name} {value_text(value)}; "
                        f"the data has {_listing(have, name)}"
                    )
            if values:
                scope = [g for g in scope if getattr(g, attribute) in values]
        currencies = _values([g for g in scope if g.selected], "currency")
        where = [*period]
        if wanted.currency is not None:
            if currencies and wanted.currency not in currencies:
                have = ", ".join(map(shown, currencies))
                raise FocusError(f"no charges in {shown(wanted.currency)}; the data has {have}")
            if "BillingCurrency" in data.columns:
                scope = [g for g in scope if g.currency == wanted.currency]
                where.append(f"BillingCurrency = {_literal(wanted.currency)}")
        elif len(currencies) > 1:
            raise FocusError(
                f"the data mixes currencies ({', '.join(map(shown, currencies))}); "
                "choose one currency"
            )
        else:
            data.currency = currencies[0] if currencies else None
        if "BillingCurrency" not in data.columns:
            data.notes.append("no BillingCurrency column: amounts are in the data's currency")
        selected = [g for g in scope if g.selected]
        if valid and not selected:
            raise FocusError(self._nothing_selected(wanted, valid, scope))
        check.selected = sum(g.selected for g in selected)
        if selected:
            check.first = min(g.first for g in selected).date()
            check.last = max(g.last for g in selected).date()
        check.providers = _values(selected, "provider") if providers is None else providers
        check.currencies = _values(selected, "currency")

        if problems:
            where.insert(0, "_problem IS NULL")
        for name, values in (
            ("SubAccountId", wanted.sub_accounts),
            ("ProviderName", wanted.providers),
        ):
            if values:
                where.append(f"{name} IN ({', '.join(map(_literal, values))})")
        self._charges(where)

    def _charges(self, where: list[str]) -> None:
        """The view `charges`: the rows of `typed` that pass `where`."""
        self.connection.execute(
            "CREATE TEMP VIEW charges AS SELECT * EXCLUDE (_problem, _row, _file) FROM typed"
            + (f" WHERE {' AND '.join(where)}" if where else "")
        )

    def _groups(
        self, data: FocusData, wanted: Selection, period: list[str], *, exact: bool
    ) -> tuple[list[Group], list[str] | None]:
        """The rows per provider and currency (and sub-account when one is asked for): how
        many, how many cannot be used, how many in the period, and the first and last;
        and the providers when the groups do not name them (None when they do).

        Rows that cannot be used are rare, and finding each is dearer than seeing there is
        none: an empty period is a count, a NaN or infinite cost makes its column's sum
        one. Only when the cheap look finds something (or a column is typed from text) is
        every row asked why. Without a filter, the whole data is looked at without groups,
        in queries DuckDB can often answer from Parquet statistics."""
        everything = not (period or wanted.providers or wanted.sub_accounts or wanted.currency)
        if not exact and everything and (whole := self._whole(data)) is not None:
            return whole

        def column(name: str, used: bool = True) -> str:
            return name if used and name in data.columns else "NULL::VARCHAR"

        def where(*conditions: str) -> str:
            return f" FILTER (WHERE {' AND '.join(conditions)})" if conditions else ""

        keys = (
            f"{column('ProviderName')}, {column('BillingCurrency')}, "
            f"{column('SubAccountId', bool(wanted.sub_accounts))}"
        )
        start = "ChargePeriodStart"
        if not exact:
            sums = ", ".join(f"sum({c})" for c in COSTS if c in data.columns)
            rows = self._run(
                f"SELECT {keys}, count(*), count(*) - count({start}), "
                f"count({start}){where(*period)}, min({start}){where(*period)}, "
                f"max({start}){where(*period)}, min({start}), max({start}), {sums} "
                "FROM typed GROUP BY ALL",
                "Checking the cost data…",
                loud=False,
            )
            groups = [Group(*row[:10]) for row in rows]
            if not any(g.problems for g in groups) and _finite(row[10:] for row in rows):
                return groups, None
        usable = "_problem IS NULL"
        rows = self._run(
            f"SELECT {keys}, count(*), count(*) FILTER (WHERE _problem IS NOT NULL), "
            f"count(*){where(usable, *period)}, min({start}){where(usable, *period)}, "
            f"max({start}){where(usable, *period)}, min({start}){where(usable)}, "
            f"max({start}){where(usable)} FROM typed GROUP BY ALL",
            "Checking the cost data…",
            loud=False,
        )
        return [Group(*row) for row in rows], None

    def _whole(self, data: FocusData) -> tuple[list[Group], list[str]] | None:
        """The whole data as one group, and its providers; None when a row may not be
        usable or the currencies are mixed (the groups then tell more)."""
        what, start = "Checking the cost data…", "ChargePeriodStart"
        [(rows, dated, first, last)] = self._run(
            f"SELECT count(*), count({start}), min({start}), max({start}) FROM typed",
            what,
            loud=False,
        )
        costs = [c for c in COSTS if c in data.columns]
        sums = self._run(
            f"SELECT {', '.join(f'sum({c})' for c in costs)} FROM typed", what, loud=False
        )
        if rows != dated or not _finite(sums):
            return None
        found = {}
        for column in ("BillingCurrency", "ProviderName"):
            found[column] = (
                [v for (v,) in self._run(f"SELECT DISTINCT {column} FROM typed", what, loud=False)]
                if column in data.columns
                else []
            )
        currencies = [c for c in found["BillingCurrency"] if c is not None]
        if len(currencies) > 1:
            return None
        currency = currencies[0] if currencies else None
        group = Group(None, currency, None, rows, 0, rows, first, last, first, last)
        return [group], sorted(p for p in found["ProviderName"] if p is not None)

    def _problems(self, files: list[CostFile]) -> list[Reject]:
        """The first rows whose values the file's own types let through (a NaN cost, an
        empty period), with their row number (Parquet) or line (CSV)."""
        found = self.connection.execute(
            "SELECT _file, _row, _problem FROM typed WHERE _problem IS NOT NULL "
            f"ORDER BY _file, _row LIMIT {MAX_REJECTS_KEPT}"
        ).fetchall()
        rejects = []
        for number in sorted({number for number, _, _ in found}):
            file = files[number]
            if file.kind == ".parquet":
                rejects += [
                    Reject(file.label, row + 1, shown(problem), "row")
                    for n, row, problem in found
                    if n == number
                ]
            else:  # a CSV: its rows are found again, in the file, to name their lines
                lines = self._empty_cells(file, "ChargePeriodStart")
                rejects += [Reject(file.label, line, EMPTY_START) for line in lines]
        return rejects

    def _empty_cells(self, file: CostFile, column: str) -> list[int]:
        name = self.names(file.path, file.kind)
        [dialect] = self.connection.execute(
            f"SELECT Delimiter, Quote, Escape FROM sniff_csv({_literal(name)}, "
            f"header = true, ignore_errors = true, {DIALECT})"
        ).fetchall()
        plain = tuple("" if part == "(empty)" else part for part in dialect)
        return empty_cells(file, column, plain, MAX_REJECTS_KEPT)

    def _nothing_selected(self, wanted: Selection, valid: list[Group], scope: list[Group]) -> str:
        first = min(g.first_any for g in valid).date().isoformat()
        last = max(g.last_any for g in valid).date().isoformat()
        if scope and (wanted.start is not None or wanted.end is not None):
            since = f"from {wanted.start.isoformat()}" if wanted.start else ""
            until = f"before {wanted.end.isoformat()}" if wanted.end else ""
            return (
                f"no charges {' '.join(p for p in (since, until) if p)}; "
                f"the data has charges from {first} to {last}"
            )
        filters = [
            *(f"provider {value_text(p)}" for p in wanted.providers),
            *(f"sub-account {value_text(s)}" for s in wanted.sub_accounts),
            *([f"currency {shown(wanted.currency)}"] if wanted.currency else []),
        ]
        return f"no charges match {' and '.join(filters)} together in the period asked"


def _order(reject: Reject) -> tuple[str, int]:
    return (reject.file, reject.line or 0)


def _finite(rows: Iterable[Sequence[float | None]]) -> bool:
    return all(math.isfinite(total) for row in rows for total in row if total is not None)


def _values(groups: list[Group], attribute: str) -> list[str]:
    return sorted({v for g in groups if (v := getattr(g, attribute)) is not None})


def _listing(values: list[str], name: str) -> str:
    if not values:
        return f"no {name}"
    shown_values = ", ".join(map(value_text, values[:MAX_VALUES_LISTED]))
    more = f", … ({len(values)} in all)" if len(values) > MAX_VALUES_LISTED else ""
    return f"{shown_values}{more}"


def _require(file: CostFile, raw: Sequence[str]) -> None:
    names = {RENAMED.get(c, c) for c in raw}
    if missing := [c for c in REQUIRED if c not in names]:
        found = sorted(raw)
        raise FocusError(
            f"{file.label}: not FOCUS cost data: missing the column(s) {', '.join(missing)} "
            f"(found {', '.join(map(shown, found[:8]))}{'…' if len(found) > 8 else ''})"
        )


def _typed_select(
    raw: Sequence[str], kinds: dict[str, str], source: str, number: int, *, strict: bool, rows: bool
) -> str:
    """The SELECT giving the FOCUS columns their types, `_problem` (why a row cannot be
    used, or NULL), `_row` (its row number in a Parquet file) and `_file` (`number`).
    `strict`: the values were read as strict types already (only a period can be empty)."""
    select, problems = [], []
    for name in raw:
        canonical = RENAMED.get(name, name)
        if canonical not in KNOWN:
            continue
        kind = kinds[name]
        typed = _typed(name, kind)
        select.append(f"{typed} AS {canonical}")
        problems += _problems(name, canonical, kind, typed, strict=strict)
    problem = f"CASE {' '.join(problems)} END" if problems else "NULL::VARCHAR"
    row = "file_row_number" if rows else "NULL::BIGINT"
    return (
        f"SELECT {', '.join(select)}, {problem} AS _problem, {row} AS _row, "
        f"{number} AS _file FROM {source}"
    )


def _problems(name: str, canonical: str, kind: str, typed: str, *, strict: bool) -> list[str]:
    """SQL `WHEN … THEN reason` for the values a column's own type lets through."""
    quoted = _quoted(name)
    text = f"'''' || left(CAST({quoted} AS VARCHAR), 40) || ''''"
    given = f"NULLIF(upper(TRIM(CAST({quoted} AS VARCHAR))), '') NOT IN ('NULL')"
    out = []
    if canonical == "ChargePeriodStart":
        out.append(f"WHEN {quoted} IS NULL THEN '{EMPTY_START}'")
    if strict:
        return out
    if canonical in TIMES and kind == "VARCHAR":
        out.append(
            f"WHEN {given} AND {typed} IS NULL THEN '{canonical} ' || {text} "
            "|| ' is not a date and time'"
        )
    if canonical in COSTS:
        if kind == "VARCHAR":
            out.append(
                f"WHEN {given} AND {typed} IS NULL "
                f"THEN '{canonical} ' || {text} || ' is not a number'"
            )
        if kind in ("DOUBLE", "FLOAT", "VARCHAR"):
            out.append(
                f"WHEN NOT isfinite({typed}) THEN '{canonical} ' || CAST({typed} AS VARCHAR) "
                "|| ' is not a finite number'"
            )
    return out


def _typed(name: str, kind: str) -> str:
    """SQL giving a column its FOCUS type, cheaply when the file already has that type."""
    quoted = _quoted(name)
    canonical = RENAMED.get(name, name)
    if canonical in COSTS:
        return quoted if kind == "DOUBLE" else f"TRY_CAST({quoted} AS DOUBLE)"
    if canonical in TIMES:
        if kind == "TIMESTAMP":
            return quoted
        if kind.startswith("TIMESTAMP WITH TIME ZONE") or kind == "TIMESTAMPTZ":
            return f"CAST({quoted} AT TIME ZONE 'UTC' AS TIMESTAMP)"
        if kind.startswith("TIMESTAMP") or kind == "DATE":
            return f"CAST({quoted} AS TIMESTAMP)"
        # Text: with or without T and Z, with or without an offset; naive means UTC.
        return f"CAST(TRY_CAST({quoted} AS TIMESTAMPTZ) AT TIME ZONE 'UTC' AS TIMESTAMP)"
    if kind == "VARCHAR":
        return f"NULLIF(TRIM({quoted}), '')"
    return f"NULLIF(TRIM(CAST({quoted} AS VARCHAR)), '')"
