"""The KPIs on Apache Spark: the same files, the same data check, the same SQL.

`open_spark` reads FOCUS exports with Spark the way `reader.py` reads them with DuckDB:
exactly the files named (each through a link with a plain name, so Spark never reads a
name as a pattern), FOCUS 1.0-1.3 column names, `NULL`/`null`/empty cells as nulls,
strict types (a cost must be a finite number, a charge period a date and time, a CSV
row must have the header's columns and be UTF-8), and every row accounted for. The data
check's queries and the KPI files are DuckDB SQL transpiled by SQLGlot (`dialects.py`),
so both engines answer from one definition. Rejected CSV rows are named by line (found
again in the file, as `reader.py` does for empty periods), Parquet rows by row number.

The session is local (`local[*]`, Java 17+ needed) or a cluster's through Spark Connect
(`sc://host:port`, or the `SPARK_REMOTE` variable). On a cluster, the paths are the
cluster's (`s3a://…`, `abfss://…`, `/dbfs/…`): Spark lists them, and hashes them there.
"""

from __future__ import annotations

import atexit
import csv
import gzip
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from finops_tui.focus.check import DataCheck, Reject, number_problem, value_text
from finops_tui.focus.dialects import INSTALL_HINT, render, transpile
from finops_tui.focus.files import (
    Cancelled,
    CostFile,
    FocusError,
    LiteralNames,
    check_file,
    find_files,
    shown,
    suffix,
)
from finops_tui.focus.reader import (
    COSTS,
    EMPTY_START,
    KNOWN,
    MAX_REJECTS_KEPT,
    RENAMED,
    TIMES,
    OpenData,
    Progress,
    Reader,
    Selection,
    Source,
    _quiet,
    _require,
    detect_version,
)
from finops_tui.focus.tags import TagKeys

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

MIN_JAVA = 17
MASTER_DEFAULT = "local[*]"
NULL_TOKENS = ("NULL", "null")  # as DuckDB's nullstr (with the empty cell)
CORRUPT = "_corrupt"
REMOTE_VARIABLE = "SPARK_REMOTE"
_lock = threading.Lock()
_local: list[SparkSession] = []  # the one local Spark of this process, once started


# -- the session ---------------------------------------------------------------------------


def java_problem() -> str | None:
    """Why local Spark cannot start here (no Java 17+), or None."""
    home = os.environ.get("JAVA_HOME")
    java = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not java or not os.access(java, os.X_OK):
        return (
            f"the Spark engine needs Java {MIN_JAVA} or later, and none was found "
            "(install a Java runtime, e.g. apt-get install default-jre-headless, or set JAVA_HOME)"
        )
    try:
        out = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return (
            f"the Spark engine needs Java {MIN_JAVA} or later: {shown(java)} does not run ({exc})"
        )
    found = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    major = int(found.group(1)) if found else 0
    if major == 1 and found and found.group(2):  # "1.8.0" is Java 8
        major = int(found.group(2))
    if major < MIN_JAVA:
        return (
            f"the Spark engine needs Java {MIN_JAVA} or later; {shown(java)} is Java "
            f"{major or 'of an unknown version'}"
        )
    return None


def _pyspark() -> None:
    try:
        import pyspark  # noqa: F401
        import sqlglot  # noqa: F401
    except ImportError:
        raise FocusError(f"the Spark engine needs PySpark and SQLGlot: {INSTALL_HINT}") from None
    from pyspark.logger import PySparkLogger

    # PySpark logs each failed query as JSON on stderr; finops-tui says what failed itself.
    for name in ("SQLQueryContextLogger", "DataFrameQueryContextLogger"):
        PySparkLogger.getLogger(name).disabled = True


def ready(remote: str | None) -> None:
    """Raise FocusError, in one line, when Spark cannot run here: PySpark or SQLGlot not
    installed, or (for a local Spark) no Java 17+."""
    _pyspark()
    if remote is None and not _local and (problem := java_problem()):
        raise FocusError(problem)


def remote_url(remote: str | None) -> str | None:
    """The Spark Connect URL asked for (`--spark-remote`, else `SPARK_REMOTE`), or None."""
    url = remote or os.environ.get(REMOTE_VARIABLE) or None
    if url is not None and not url.startswith("sc://"):
        raise FocusError(f"{shown(url)} is not a Spark Connect URL (sc://host:port)")
    return url


def session(
    remote: str | None = None,
    *,
    master: str | None = None,
    partitions: int | None = None,
    config: dict[str, str] | None = None,
) -> SparkSession:
    """A Spark session of its own (its temporary views apart from any other's): through
    Spark Connect when a URL is given (or in SPARK_REMOTE), else on the local Spark of
    this process, started on first use (`master`, `local[*]` by default; `partitions` for
    its shuffles, `config` for more settings), its log kept out of the terminal."""
    _pyspark()
    url = remote_url(remote)
    if url is not None:
        return _connect(url)
    with _lock:  # one local Spark per process: the first one asked for
        if not _local:
            _local.append(_start_local(master or MASTER_DEFAULT, partitions, config or {}))
    return _local[0].newSession()


def _connect(url: str) -> SparkSession:
    from pyspark.sql import SparkSession

    try:
        spark = SparkSession.builder.remote(url).create()
        spark.conf.set("spark.sql.session.timeZone", "UTC")
    except ImportError as exc:
        raise FocusError(
            f"Spark Connect needs {exc.name or 'its client'}: {INSTALL_HINT}"
        ) from None
    except Exception as exc:
        raise FocusError(
            f"cannot reach Spark Connect at {shown(url)}: {_first_line(exc)}"
        ) from None
    return spark


def _start_local(master: str, partitions: int | None, config: dict[str, str]) -> SparkSession:
    if problem := java_problem():
        raise FocusError(problem)
    from pyspark import SparkConf, SparkContext
    from pyspark.java_gateway import launch_gateway
    from pyspark.sql import SparkSession

    cores = os.cpu_count() or 2
    conf = (
        SparkConf()
        .setMaster(master)
        .setAppName("finops-tui")
        .set("spark.ui.enabled", "false")
        .set("spark.ui.showConsoleProgress", "false")
        .set("spark.sql.session.timeZone", "UTC")
        .set("spark.sql.shuffle.partitions", str(partitions or max(2, 2 * cores)))
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1")
        .setAll(list(config.items()))
    )
    # Spark's own log goes to a file, never to the terminal (or the app's screen); the
    # file is removed when this process ends (its last line explains a failed start).
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (the JVM keeps writing to it)
        prefix="finops-tui-spark-", suffix=".log", delete=False
    )
    atexit.register(Path(log.name).unlink, missing_ok=True)
    try:
        gateway = launch_gateway(conf, popen_kwargs={"stdout": log, "stderr": log})
        context = SparkContext(conf=conf, gateway=gateway)
    except Exception as exc:
        log.close()
        tail = Path(log.name).read_text(errors="replace").strip().splitlines()[-1:] or [""]
        raise FocusError(
            f"local Spark did not start: {_first_line(exc)} {shown(tail[0])}".strip()
        ) from None
    finally:
        log.close()
    context.setLogLevel("ERROR")
    return SparkSession(context)


def _first_line(exc: BaseException) -> str:
    """What went wrong, in one line: the message without Spark's error class; for a Java
    exception PySpark does not translate, the Java message rather than py4j's own first
    line ("An error occurred while calling o42.parquet."), which says nothing."""
    lines = str(exc).strip().splitlines() or [type(exc).__name__]
    first = lines[0]
    if len(lines) > 1 and re.fullmatch(r"An error occurred while calling \S+\.", first):
        java = lines[1].lstrip(": ").strip()  # ": java.io.IOException: Stream closed"
        first = re.sub(r"^(?:[\w$]+\.)+[\w$]+:\s*", "", java) or java
    return shown(re.sub(r"^\[[A-Z_.]+\]\s*", "", first))


# -- the data --------------------------------------------------------------------------------


@dataclass(kw_only=True)
class SparkData(OpenData):
    """Cost data opened on Spark: the view `charges` of `spark` holds the selected rows."""

    spark: SparkSession
    kept: list[DataFrame] = field(default_factory=list)

    def interrupt(self) -> None:
        self.spark.interruptAll()

    def fingerprint(self, cancelled: threading.Event | None = None) -> None:
        """The sha256 of every file: those here hashed here, the cluster's by the cluster
        (a file of 2 GiB or more, which Spark cannot hold as one value, keeps none)."""
        super().fingerprint(cancelled)
        remote = {f.uri: f for f in self.files if f.uri is not None and f.size < 2**31}
        if not remote:
            return
        from pyspark.sql import functions as F

        try:
            hashed = (
                self.spark.read.format("binaryFile")
                .load([_escaped(uri) for uri in remote])
                .select("path", F.sha2("content", 256))
                .collect()
            )
        except Exception:  # too large to hash there: the files are named by size alone
            return
        for uri, digest in hashed:
            if uri in remote:
                remote[uri].sha256 = digest

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Rows of a Spark SQL query (for tests and scripts)."""
        return [tuple(row) for row in self.spark.sql(sql).collect()]

    def rows(
        self, name: str, params: dict[str, Any] | None = None, slots: dict[str, str] | None = None
    ) -> list[dict[str, Any]]:
        text = render(name, "spark", params or {}, slots)
        return [row.asDict() for row in self.spark.sql(text).collect()]

    def keep(self, table: str, name: str, slots: dict[str, str] | None = None) -> None:
        # Kept rows are few (one per tag set) and read several times: computed once.
        frame = self.spark.sql(render(name, "spark", {}, slots)).cache()
        self.kept.append(frame)
        frame.createOrReplaceTempView(table)

    def pairs(self, table: str, pairs: list[tuple[str, str]]) -> None:
        # From query parameters, not from Python rows: no Python worker is started for it
        # (here or on a cluster's executors).
        if not pairs:  # an empty list has no element type to go by
            query = "SELECT CAST(NULL AS STRING) AS raw, CAST(NULL AS STRING) AS tag_key LIMIT 0"
            frame = self.spark.sql(query)
        else:
            frame = self.spark.sql(
                "SELECT inline(arrays_zip(CAST(:raw AS ARRAY<STRING>), "
                "CAST(:tag_key AS ARRAY<STRING>))) AS (raw, tag_key)",
                args={"raw": [raw for raw, _ in pairs], "tag_key": [key for _, key in pairs]},
            )
        frame.createOrReplaceTempView(table)

    def close(self) -> None:
        try:
            for frame in self.kept:  # before the views they are defined on go
                frame.unpersist()
            for view in ("charges", "typed", "tag_sets", "tag_key_map"):
                self.spark.catalog.dropTempView(view)
        except Exception:  # a cluster gone away: nothing of ours is left to drop
            pass
        finally:
            self.names.close()


def open_spark(
    paths: Iterable[Path | str],
    *,
    spark: SparkSession,
    start: date | None = None,
    end: date | None = None,
    currency: str | None = None,
    tag_aliases: dict[str, str] | None = None,
    sub_accounts: Sequence[str] = (),
    providers: Sequence[str] = (),
    progress: Progress | None = None,
    cancelled: threading.Event | None = None,
    cluster: bool | None = None,
) -> SparkData:
    """`open_focus` on Spark: the view `charges` of `spark`, the same data check, the same
    errors (FocusError). Paths are this machine's, or the cluster's when `spark` is one
    reached through Spark Connect (`cluster`: whichever is asked)."""
    progress = progress or _quiet
    remote = _is_remote(spark) if cluster is None else cluster
    names = LiteralNames()
    reader = None
    try:
        files = _cluster_files(spark, list(paths)) if remote else find_files(map(Path, paths))
        for file in files:
            if file.uri is None:
                check_file(file)
        reader = SparkReader(spark, names, progress, cancelled, remote=remote)
        progress("Reading the cost data with Spark…", None)
        sources = [reader.read(number, file) for number, file in enumerate(files)]
        present = {c for source in sources for c in source.raw}
        typed = sources[0].frame
        for source in sources[1:]:
            typed = typed.unionByName(source.frame, allowMissingColumns=True)
        typed.createOrReplaceTempView("typed")
        data = SparkData(
            spark=spark,
            files=files,
            columns={RENAMED.get(c, c) for c in present} & KNOWN,
            version=detect_version(present),
            currency=currency,
            check=DataCheck(files),
            tag_keys=TagKeys(tag_aliases),
            names=names,
        )
        progress("Checking the cost data with Spark…", None)
        selection = Selection(start, end, currency, list(sub_accounts), list(providers))
        reader.select(data, selection, sources)
    except (FocusError, Cancelled):
        names.close()
        raise
    except Exception as exc:
        names.close()
        if cancelled is not None and cancelled.is_set():
            raise Cancelled from None
        raise FocusError(_read_error(exc, reader.labels if reader else {})) from None
    return data


def _read_error(exc: BaseException, labels: dict[str, str]) -> str:
    """What went wrong reading the data, in one line naming the file when Spark says which
    (Spark reads lazily: a damaged file shows only when a query reads it)."""
    text = str(exc)
    found = re.search(r"while reading file (\S+?)\.?\s", text)
    where = urlparse(found.group(1)).path if found else ""
    label = labels.get(where) or labels.get(found.group(1) if found else "") or shown(where)
    if "EOFException" in text or "Unexpected end of" in text:
        reason = "the gzip data is cut short" if where.endswith(".gz") else "the file is cut short"
    elif "Not in GZIP format" in text:
        reason = "not a gzip file"
    elif where.endswith(".parquet"):
        reason = "not a Parquet file, or a damaged one"
    else:
        coded = re.findall(r"\[[A-Z_.]+\] ([^\n]*)", text)
        caused = re.findall(r"Caused by: [\w.$]+: ([^\n]*)", text)
        reason = shown((caused or coded or [_first_line(exc)])[-1 if caused else 0].strip())
    return f"{label}: {reason}" if label else f"cannot read the cost data: {reason}"


def _is_remote(spark: SparkSession) -> bool:
    return type(spark).__module__.startswith("pyspark.sql.connect")


def _cluster_files(spark: SparkSession, paths: list[Path | str]) -> list[CostFile]:
    """The cost-data files under `paths` as the cluster sees them (Spark lists them):
    CSV, CSV.gz and Parquet files, not hidden ones, each once, sorted within a folder."""
    found: list[CostFile] = []
    seen: set[str] = set()
    for path in map(str, paths):
        try:
            listed = (
                spark.read.format("binaryFile")
                .option("recursiveFileLookup", "true")
                .load(_escaped(path))
                .select("path", "length")
                .collect()
            )
        except Exception as exc:
            raise FocusError(f"{shown(path)}: {_first_line(exc)}") from None
        root = PurePosixPath(urlparse(path).path or "/")
        for uri, length in sorted(listed):
            where = PurePosixPath(urlparse(uri).path)
            inside = where.relative_to(root).as_posix() if where.is_relative_to(root) else uri
            hidden = any(part.startswith((".", "_")) for part in PurePosixPath(inside).parts)
            if suffix(where.name) and not hidden and uri not in seen:
                seen.add(uri)
                name = where.name if inside == "." else inside
                found.append(CostFile(Path(where.name), name, int(length), uri=uri))
    if not found:
        raise FocusError("no CSV, CSV.gz or Parquet files in " + ", ".join(map(shown, paths)))
    return found


def _escaped(path: str) -> str:
    """A path Spark reads literally: its pattern characters escaped as Hadoop wants."""
    return re.sub(r"([*?\[\]{}\\])", r"\\\1", path)


@dataclass
class SparkSource(Source):
    frame: DataFrame | None = None


class SparkReader(Reader):
    """The data check of `reader.py`, its queries run on Spark."""

    def __init__(
        self,
        spark: SparkSession,
        names: LiteralNames,
        progress: Progress,
        cancelled: threading.Event | None,
        *,
        remote: bool,
    ) -> None:
        self.spark = spark
        self.names = names
        self.cache = None
        self.progress = progress
        self.cancelled = cancelled
        self.remote = remote
        self.delimiters: dict[int, str] = {}
        self.labels: dict[str, str] = {}  # a path Spark reads -> the file's label

    def _location(self, file: CostFile) -> str:
        if file.uri is not None:
            self.labels[urlparse(file.uri).path] = file.label
            return _escaped(file.uri)
        link = self.names.link(file.path, file.kind)
        self.labels[link] = file.label
        return f"file://{link}" if self.remote else link

    def read(self, number: int, file: CostFile) -> SparkSource:  # type: ignore[override]
        self._check_cancelled()
        location = self._location(file)
        try:
            if file.kind == ".parquet":
                return self._parquet_frame(number, file, location)
            return self._csv_frame(number, file, location)
        except FocusError:
            raise
        except Exception as exc:
            raise FocusError(f"{file.label}: {self.names.restore(_first_line(exc))}") from None

    def _parquet_frame(self, number: int, file: CostFile, location: str) -> SparkSource:
        from pyspark.sql import functions as F

        frame = self.spark.read.parquet(location)
        raw = list(frame.columns)
        _require(file, raw)
        kinds = {f.name: f.dataType.simpleString() for f in frame.schema.fields}
        columns = [(name, f"`{name.replace('`', '``')}`", kinds[name]) for name in raw]
        frame = frame.select("*", F.col("_metadata.row_index").alias("_finops_row"))
        typed = frame.selectExpr(*_typed_columns(columns, number, csv=False))
        exact = any(kinds[c] == "string" and RENAMED.get(c, c) in (*COSTS, *TIMES) for c in raw)
        return SparkSource(file, "", raw, exact=exact, frame=typed)

    def _csv_frame(self, number: int, file: CostFile, location: str) -> SparkSource:
        from pyspark.sql.types import StringType, StructField, StructType

        options = {"header": "true", "sep": ",", "quote": '"', "escape": '"'}
        if file.uri is None:  # the header of a file here is read here
            raw = _header(file)
            options["sep"] = self.delimiters[number] = _delimiter(raw)
            raw = next(csv.reader([raw], delimiter=options["sep"]), [])
        else:
            raw = list(self.spark.read.options(**options).csv(location).columns)
            self.delimiters[number] = ","
        _require(file, raw)
        schema = StructType(
            [StructField(f"_c{i}", StringType()) for i in range(len(raw))]
            + [StructField(CORRUPT, StringType())]
        )
        frame = (
            self.spark.read.schema(schema)
            .options(**options, multiLine="true", mode="PERMISSIVE")
            .option("columnNameOfCorruptRecord", CORRUPT)
            .csv(location)
        )
        columns = [(name, f"_c{i}", "string") for i, name in enumerate(raw)]
        typed = frame.selectExpr(*_typed_columns(columns, number, csv=True))
        # Every CSV cell is text: only a look at each row finds a problem.
        return SparkSource(file, "", raw, exact=True, frame=typed)

    def _run(self, sql: str, what: str, *, loud: bool) -> list[tuple[Any, ...]]:
        self._check_cancelled()
        if loud:
            self.progress(what, None)
        try:
            rows = [tuple(row) for row in self.spark.sql(transpile(sql, "spark")).collect()]
        except Exception:
            self._check_cancelled()
            raise
        self._check_cancelled()
        return rows

    def _charges(self, where: list[str]) -> None:
        frame = self.spark.table("typed")
        if where:
            frame = frame.where(transpile(" AND ".join(where), "spark"))
        frame.drop("_problem", "_row", "_file").createOrReplaceTempView("charges")

    def _problems(self, files: list[CostFile]) -> list[Reject]:
        """The first rows that cannot be used: Parquet rows by number, CSV rows by line
        (found again in the file here; on a cluster, by their reason alone)."""
        found = self._run(
            "SELECT _file, _row, _problem FROM typed WHERE _problem IS NOT NULL "
            f"ORDER BY _file, _row LIMIT {MAX_REJECTS_KEPT}",
            "Checking the cost data…",
            loud=False,
        )
        rejects = []
        for number in sorted({number for number, _, _ in found}):
            file = files[number]
            mine = [(row, problem) for n, row, problem in found if n == number]
            if file.kind == ".parquet":
                rejects += [Reject(file.label, row + 1, problem, "row") for row, problem in mine]
                continue
            lines = [] if file.uri else csv_rejects(file, self.delimiters[number])
            if lines:
                rejects += [Reject(file.label, line, reason) for line, reason in lines]
            else:
                rejects += [Reject(file.label, None, problem) for _, problem in mine]
        return rejects


def _typed_columns(columns: list[tuple[str, str, str]], number: int, *, csv: bool) -> list[str]:
    """Spark SQL giving each FOCUS column its type (costs DOUBLE, periods UTC
    TIMESTAMP_NTZ, text trimmed), `_problem` (why a row cannot be used, or NULL), `_row`
    and `_file`, as `reader.py` does for DuckDB. `columns`: (name, reference, type)."""
    select, problems = [], []
    if csv:
        names = ", ".join(reference for _, reference, _ in columns)
        problems.append(
            f"WHEN {CORRUPT} IS NOT NULL THEN 'the columns do not match the header "
            f"({len(columns)} columns)'"
        )
        problems.append(f"WHEN contains(concat_ws('', {names}), '\ufffd') THEN 'not UTF-8 text'")
    for name, reference, kind in columns:
        canonical = RENAMED.get(name, name)
        if canonical not in KNOWN:
            continue
        value = (
            f"(CASE WHEN {reference} IN {NULL_TOKENS} THEN NULL ELSE {reference} END)"
            if csv
            else reference
        )
        typed, checks = _typed(canonical, value, kind, quoted=csv)
        select.append(f"{typed} AS {canonical}")
        problems += checks
    problem = f"CASE {' '.join(problems)} END" if problems else "CAST(NULL AS STRING)"
    row = "CAST(NULL AS BIGINT)" if csv else "_finops_row"
    return [*select, f"{problem} AS _problem", f"{row} AS _row", f"{number} AS _file"]


def _typed(canonical: str, value: str, kind: str, *, quoted: bool) -> tuple[str, list[str]]:
    """The typed value of one column and the `WHEN … THEN reason` its values can fail."""
    text = f"NULLIF(TRIM({value}), '')"
    shown_text = f"concat('''', left({value}, 40), '''')"
    checks = []
    if canonical in COSTS:
        if kind == "string":
            typed = f"TRY_CAST({text} AS DOUBLE)"
            checks.append(
                f"WHEN {text} IS NOT NULL AND {typed} IS NULL "
                f"THEN concat('{canonical} ', {shown_text}, ' is not a number')"
            )
        else:
            typed = f"CAST({value} AS DOUBLE)"
        if kind in ("string", "double", "float"):
            number = (
                shown_text
                if quoted
                else f"CASE WHEN isnan({typed}) THEN 'nan' "
                f"WHEN {typed} > 0 THEN 'inf' ELSE '-inf' END"
            )
            checks.append(
                f"WHEN isnan({typed}) OR abs({typed}) = double('Infinity') "
                f"THEN concat('{canonical} ', {number}, ' is not a finite number')"
            )
        return typed, checks
    if canonical in TIMES:
        if kind == "string":
            typed = f"CAST(TRY_CAST({text} AS TIMESTAMP) AS TIMESTAMP_NTZ)"
            checks.append(
                f"WHEN {text} IS NOT NULL AND {typed} IS NULL "
                f"THEN concat('{canonical} ', {shown_text}, ' is not a date and time')"
            )
        else:
            typed = f"CAST({value} AS TIMESTAMP_NTZ)"
        if canonical == "ChargePeriodStart":
            checks.insert(0, f"WHEN {typed} IS NULL AND {text} IS NULL THEN '{EMPTY_START}'")
        return typed, checks
    if kind == "string":
        return text, checks
    return f"NULLIF(TRIM(CAST({value} AS STRING)), '')", checks


# -- CSV rows named by line ----------------------------------------------------------------------


def _header(file: CostFile) -> str:
    """The CSV's first line, without a byte-order mark or line end."""
    with _open_text(file) as f:
        return f.readline().rstrip("\r\n")


def _delimiter(header: str) -> str:
    """The CSV's delimiter: the one of `,;\\t|` its header line holds most of."""
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _open_text(file: CostFile) -> Any:
    if file.kind == ".csv.gz":
        return gzip.open(
            file.path, "rt", encoding="utf-8-sig", errors="surrogateescape", newline=""
        )
    return file.path.open(encoding="utf-8-sig", errors="surrogateescape", newline="")


def csv_rejects(
    file: CostFile, delimiter: str, limit: int = MAX_REJECTS_KEPT
) -> list[tuple[int, str]]:
    """The first `limit` rows of a CSV that cannot be used, with their line and the
    reason `reader.py` gives: not UTF-8, a wrong number of columns, a cost that is not a
    finite number, a charge period that is not a date and time (or is empty)."""
    from datetime import datetime

    found: list[tuple[int, str]] = []
    with _open_text(file) as f:
        rows = csv.reader(f, delimiter=delimiter, quotechar='"', doublequote=True, strict=True)
        header = next(rows, [])
        columns = [RENAMED.get(c, c) for c in header]
        start = rows.line_num + 1
        while len(found) < limit:
            try:
                row = next(rows)
            except StopIteration:
                break
            except csv.Error:
                found.append(
                    (
                        start,
                        "a quoted value is not closed (it may run to the end of the file), "
                        "or text follows its closing quote",
                    )
                )
                break
            reason = _row_problem(row, columns, datetime)
            if reason is not None and row:
                found.append((start, reason))
            start = rows.line_num + 1
    return found


def _row_problem(row: list[str], columns: list[str], datetime: Any) -> str | None:
    if any("\udc80" <= ch <= "\udcff" for cell in row for ch in cell):
        return "not UTF-8 text"
    if row and len(row) != len(columns):
        return f"{len(row)} columns where the header has {len(columns)}"
    for column, cell in zip(columns, row, strict=False):
        text = None if cell in NULL_TOKENS else cell.strip() or None
        if column in COSTS and text is not None and (problem := number_problem(column, cell)):
            return problem
        if column in TIMES:
            if text is None:
                if column == "ChargePeriodStart":
                    return EMPTY_START
                continue
            try:
                datetime.fromisoformat(text.replace(" ", "T", 1))
            except ValueError:
                return f"{column} {value_text(cell)} is not a date and time"
    return None


__all__ = ["SparkData", "java_problem", "open_spark", "ready", "remote_url", "session"]
