"""The `finops-tui` command: the TUI by default, and `list` / `doctor` / `catalog` for scripts.

The script commands never import Textual: they must start faster than a terminal UI can.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from finops_tui import __version__, output
from finops_tui.output import PROG
from finops_tui.output import printable as _printable

if TYPE_CHECKING:
    from datetime import date

    from finops_tui.catalog import Catalog
    from finops_tui.config import Config
    from finops_tui.index import History
    from finops_tui.progress.tables import Section
    from finops_tui.store import Loaded, Store


class CommandError(Exception):
    """A failure to report as one line on stderr, with exit code 1."""


class UsageError(Exception):
    """Arguments that do not fit together; reported like argparse's errors, exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Run FinOps iterations in your terminal. Without a command, opens the app.",
        epilog="Data dir: --data-dir > $FINOPS_TUI_DATA_DIR > the platform's user data dir.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument(
        "--data-dir", metavar="DIR", help="where the iterations are kept (see below)"
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the app on a throw-away data dir with three example iterations",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    list_cmd = commands.add_parser("list", help="list the iterations as a table")
    list_cmd.add_argument("--json", action="store_true", help="print JSON instead of a table")
    commands.add_parser(
        "doctor",
        help="check every iteration file and custom catalogue; exit 1 when any has a problem",
    )
    catalog = commands.add_parser(
        "catalog",
        help="the frameworks on offer (built in and your own), or one framework's capabilities",
        description="Custom catalogues: <config dir>/catalogs/*.toml (docs/catalog-format.md).",
    )
    catalog.add_argument("--framework", metavar="ID", help="show this framework's capabilities")
    catalog.add_argument("--json", action="store_true", help="print JSON instead of a table")
    export = commands.add_parser(
        "export",
        help="write an iteration's summary (markdown, html, json, csv) or the whole history",
        description="ITERATION is an id, a unique id prefix, a number, or 'latest'.",
    )
    export.add_argument("iteration", nargs="?", metavar="ITERATION")
    export.add_argument(
        "--all", action="store_true", help="the whole history as tidy rows (csv or json)"
    )
    export.add_argument("--format", choices=["markdown", "html", "json", "csv"])
    export.add_argument(
        "-o", "--output", metavar="FILE", help="write here instead of stdout ('-': stdout)"
    )
    export.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    progress = commands.add_parser(
        "progress",
        help="the maturity trend across iterations (table, json, markdown, html, csv)",
        description=(
            "Per capability and iteration, the score (0-20) at the start and, once the "
            "iteration is closed, at the end; goals per iteration; KPI measurements."
        ),
    )
    progress.add_argument(
        "--format", choices=["table", "json", "markdown", "html", "csv"], default="table"
    )
    progress.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    progress.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    progress.add_argument(
        "--capability",
        action="append",
        metavar="ID",
        help="only this capability (with those it continues or that continue it), lens by lens "
        "(repeatable)",
    )
    progress.add_argument(
        "--since", metavar="DATE", help="only iterations starting on or after DATE (YYYY-MM-DD)"
    )
    diff = commands.add_parser(
        "diff",
        help="what changed between two iterations: scope, levels, scores, goals",
        description="A and B are each an id, a unique id prefix, a number, or 'latest'.",
    )
    diff.add_argument("before", metavar="A", help="the iteration to compare from")
    diff.add_argument("after", metavar="B", help="the iteration to compare with A")
    diff.add_argument("--format", choices=["table", "json", "markdown"], default="table")
    kpis = commands.add_parser(
        "kpis",
        help="compute KPIs from FOCUS cost data (CSV, CSV.gz, Parquet, or folders of them)",
        description="Each KPI the data can answer, or the reason it cannot. With --sql, "
        "the KPI queries for a FOCUS table in a warehouse instead (no PATH).",
    )
    kpis.add_argument("paths", nargs="*", metavar="PATH")
    kpis.add_argument(
        "--engine",
        choices=["duckdb", "spark"],
        default="duckdb",
        help="compute with DuckDB here (the default) or Apache Spark (local, or a cluster)",
    )
    kpis.add_argument(
        "--spark-remote",
        metavar="URL",
        help="a Spark cluster through Spark Connect, sc://host:port (default: $SPARK_REMOTE, "
        "else a local Spark); PATHs are then the cluster's",
    )
    kpis.add_argument(
        "--sql", action="store_true", help="print each KPI's query for a FOCUS table instead"
    )
    kpis.add_argument(
        "--dialect",
        choices=["spark", "databricks", "trino", "athena", "bigquery", "snowflake", "duckdb"],
        help="the SQL dialect of --sql",
    )
    kpis.add_argument("--table", metavar="NAME", help="the FOCUS table of --sql")
    kpis.add_argument("--kpi", action="append", metavar="ID", help="only this KPI (repeatable)")
    kpis.add_argument("--from", dest="start", metavar="DATE", help="first day (YYYY-MM-DD)")
    kpis.add_argument("--to", dest="end", metavar="DATE", help="day after the last (YYYY-MM-DD)")
    kpis.add_argument("--currency", metavar="C", help="only charges billed in C (e.g. EUR)")
    kpis.add_argument(
        "--sub-account", action="append", metavar="ID", help="only this sub-account (repeatable)"
    )
    kpis.add_argument(
        "--provider", action="append", metavar="NAME", help="only this provider (repeatable)"
    )
    kpis.add_argument("--tag-key", metavar="K", help="tag-coverage of this tag key")
    kpis.add_argument(
        "--tag-alias",
        action="append",
        metavar="A=B",
        help="read tag key A as B, e.g. env=environment (repeatable)",
    )
    budget = kpis.add_mutually_exclusive_group()
    budget.add_argument("--budget", metavar="AMOUNT", help="budget of the period")
    budget.add_argument("--budgets", type=Path, metavar="CSV", help="month,amount rows")
    kpis.add_argument("--unit-metric", type=Path, metavar="CSV", help="month,units rows")
    kpis.add_argument("--format", choices=["table", "json"], default="table")
    kpis.add_argument(
        "--allow-rejects",
        action="store_true",
        help="compute even when rows were rejected (they are left out, and listed)",
    )
    cache = commands.add_parser(
        "cache",
        help="show or clear the cost-data cache (Parquet copies of large CSV exports)",
        description="The cache dir: $FINOPS_TUI_CACHE_DIR > the platform's user cache dir.",
    )
    cache.add_argument("action", nargs="?", choices=["info", "clear"], default="info")
    sync = commands.add_parser(
        "sync",
        help="commit, merge and push the iterations with git (README: Working as a team)",
        description="The data dir (or its iterations/) must be in a git work tree with an "
        "upstream. Exit 1 while a conflict waits to be resolved.",
    )
    sync.add_argument("-m", "--message", metavar="M", help="the message for the local commit")
    driver = commands.add_parser(
        "merge-driver",
        description="git's merge driver for iteration files (sync registers it): merges %B "
        "into %A field by field; exit 1 when it recorded conflicts or could not merge.",
    )
    for name, metavar in (("base", "%O"), ("ours", "%A"), ("theirs", "%B")):
        driver.add_argument(name, type=Path, metavar=metavar)
    driver.add_argument("path", metavar="%P")
    serve = commands.add_parser(
        "serve",
        help="the app in a browser: one app per tab, behind a link with a secret token",
        description=(
            "Prints the link to open (with its token) as its first line. Needs the web extra: "
            "pip install 'finops-tui[web]'."
        ),
    )
    serve.add_argument(
        "--host",
        help="the address to listen on (default 127.0.0.1, this machine only); another one "
        "lets other machines in: put TLS in front",
    )
    serve.add_argument(
        "--port", type=int, default=8000, help="the port (default 8000; 0 picks a free one)"
    )
    serve.add_argument("--open", action="store_true", help="open the link in your browser")
    serve.add_argument(
        "--token",
        metavar="TOKEN",
        help="the secret in the link (default: $FINOPS_TUI_SERVE_TOKEN, else a random one)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> NoReturn:
    sys.exit(run(argv))


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit code (0 ok, 1 error, 2 usage).

    Every command writes through the output layer: a closed or full stdout is one line on
    stderr and exit 1, a reader that went away is a quiet 0 (see `output`)."""
    return output.guarded(lambda: _run(argv))


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            with output.unguarded():
                return _run_tui(args)
        return COMMANDS[args.command](args)
    except CommandError as exc:
        _error(str(exc))
        return 1
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        _error(str(exc))
        return 2
    except KeyboardInterrupt:
        return 130


def _error(message: str) -> None:
    output.error(_printable(message))


def _open_store(args: argparse.Namespace) -> Store:
    from finops_tui.locations import data_dir
    from finops_tui.store import Store

    return Store(data_dir(args.data_dir))


def _load(store: Store) -> Loaded:
    from finops_tui.store import StoreError

    try:
        return store.load_all()
    except StoreError as exc:
        raise CommandError(str(exc)) from None


def _run_tui(args: argparse.Namespace) -> int:
    from finops_tui.app import FinOpsApp
    from finops_tui.locations import cache_dir, config_file

    if args.demo:
        return _run_demo()
    app = FinOpsApp(store=_open_store(args), config_path=config_file(), cache_dir=cache_dir())
    app.run()
    return app.return_code or 0


def _run_demo() -> int:
    import tempfile
    from datetime import date

    from finops_tui.app import FinOpsApp
    from finops_tui.demo import seed
    from finops_tui.store import Store

    with tempfile.TemporaryDirectory(prefix="finops-tui-demo-") as tmp:
        store = Store(Path(tmp))
        seed(store, date.today())
        notice = f"Demo data in {tmp}: it is deleted when you quit."
        app = FinOpsApp(store=store, notice=notice)
        app.run()
        return app.return_code or 0


# -- list ---------------------------------------------------------------------------------------


def _history(store: Store, *, rows: bool = False) -> History:
    from finops_tui.index import read_history
    from finops_tui.locations import cache_dir
    from finops_tui.store import StoreError

    try:
        return read_history(store, cache_dir(), rows=rows)
    except StoreError as exc:
        raise CommandError(str(exc)) from None


def cmd_list(args: argparse.Namespace) -> int:
    store = _open_store(args)
    loaded = _history(store)
    missing = _missing_frameworks({s.framework for s in loaded.summaries})
    if args.json:
        payload = {
            "data_dir": str(store.data_dir),
            "iterations": [
                s.to_json() | {"catalog_missing": s.framework in missing} for s in loaded.summaries
            ],
            "problems": [
                {
                    "file": str(p.path),
                    "kind": p.kind.value,
                    "message": p.message,
                    "line": p.line,
                }
                for p in loaded.problems
            ],
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return 0
    if not loaded.summaries and not loaded.problems:
        where = _printable(str(store.data_dir))
        print(f"No iterations yet in {where}. Run `{PROG}` to start the first one.")
        return 0
    rows = [
        [
            str(s.number),
            s.id,
            _printable(s.title, MAX_TITLE) or "(untitled)",
            s.status,
            f"{s.starts} → {s.ends}",
            str(len(s.capabilities)),
            f"{s.goals_achieved}/{s.goals}",
            f"{s.score_percent:.0f}%",
        ]
        for s in loaded.summaries
    ]
    _print_table(["#", "ID", "TITLE", "STATUS", "DATES", "CAPS", "GOALS", "SCORE"], rows)
    for summary in loaded.summaries:
        if summary.framework in missing:
            print(
                f"iteration {summary.number} ({summary.id}): "
                f"{_printable(missing[summary.framework])}; it opens read-only.",
                file=sys.stderr,
            )
    if loaded.problems:
        count = len(loaded.problems)
        print(
            f"{count} file{'s' if count > 1 else ''} could not be read; `{PROG} doctor` says why.",
            file=sys.stderr,
        )
    return 0


MAX_TITLE = 40


def _print_table(header: list[str], rows: list[list[str]], out: TextIO | None = None) -> None:
    out = out or sys.stdout
    rows = [[_printable(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        out.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        out.write("\n")


def _missing_frameworks(frameworks: set[str]) -> dict[str, str]:
    """For each framework without a usable catalogue here, why (one sentence)."""
    from finops_tui.terms import BUILTIN_FRAMEWORKS

    custom = frameworks - set(BUILTIN_FRAMEWORKS)
    if not custom:
        return {}  # built-ins are always there; no need to load the catalogue code
    from finops_tui.frameworks import missing_reason

    return {f: reason for f in sorted(custom) if (reason := missing_reason(f)) is not None}


# -- doctor -------------------------------------------------------------------------------------


def cmd_doctor(args: argparse.Namespace) -> int:
    from finops_tui.frameworks import catalog_problems
    from finops_tui.locations import catalogs_dir

    catalog_issues = catalog_problems()
    for problem in catalog_issues:
        print(_printable(str(problem)))
    store = _open_store(args)
    if not store.data_dir.exists():
        print(f"No data dir yet at {_printable(str(store.data_dir))}: nothing to check.")
        return 1 if catalog_issues else 0
    loaded = _load(store)
    checked = len(loaded.iterations) + len(loaded.problems)
    for problem in loaded.problems:
        print(_printable(str(problem)))
        for detail in problem.details[1:]:
            print(f"    {_printable(detail)}")
    orphans = [it for it in loaded.iterations if it.catalog_missing]
    for iteration in orphans:
        print(
            _printable(
                f"{store.path_of(iteration.id)}: valid, but {iteration.catalog_problem} "
                "Restore the catalogue to edit it."
            )
        )
    noun = "file" if checked == 1 else "files"
    where = _printable(str(store.data_dir))
    findings = []
    if loaded.problems:
        findings.append(f"{len(loaded.problems)} with problems")
    if orphans:
        findings.append(f"{len(orphans)} whose catalogue is missing")
    if catalog_issues:
        count = len(catalog_issues)
        folder = _printable(str(catalogs_dir()))
        findings.append(f"{count} unusable catalogue{'s' if count > 1 else ''} in {folder}")
    if findings:
        print(f"{checked} {noun} checked in {where}: {'; '.join(findings)}.")
        return 1
    print(f"{checked} {noun} checked in {where}: all good.")
    return 0


# -- catalog ------------------------------------------------------------------------------------


def cmd_catalog(args: argparse.Namespace) -> int:
    from finops_tui.frameworks import discover, missing_reason

    found = discover()
    for problem in found.problems:
        print(f"{PROG}: {_printable(str(problem))}", file=sys.stderr)
    if args.framework is None:
        frameworks = [
            {
                "id": f.id,
                "name": f.catalog.name,
                "domains": len(f.catalog.domains),
                "capabilities": len(f.catalog.capabilities),
                "source": f.source,
            }
            for f in found.frameworks
        ]
        if args.json:
            _print_json({"frameworks": frameworks})
            return 0
        rows = [
            [f["id"], _printable(f["name"], MAX_TITLE * 2), str(f["domains"]),
             str(f["capabilities"]), _printable(f["source"])]
            for f in frameworks
        ]  # fmt: skip
        _print_table(["ID", "NAME", "DOMAINS", "CAPS", "SOURCE"], rows)
        return 0
    framework = found.get(args.framework)
    if framework is None:
        reason = missing_reason(args.framework) or f"no framework {args.framework!r}"
        raise CommandError(f"{reason} (on offer: {', '.join(found.ids)})")
    catalog = framework.catalog
    payload = catalog_json(catalog)
    if args.json:
        _print_json(payload)
        return 0
    print(_printable(f"{catalog.id}: {catalog.name}"))
    if catalog.succeeds:
        print(f"succeeds {catalog.succeeds}")
    print()
    rows = [
        [_printable(catalog.domain(c.domain).name, 30), c.id, _printable(c.name, MAX_TITLE),
         ", ".join(c.cost_kpis), ", ".join(c.successor_of)]
        for c in catalog.capabilities
    ]  # fmt: skip
    _print_table(["DOMAIN", "ID", "NAME", "COST KPIS", "SUCCESSOR OF"], rows)
    if catalog.starter_groups:
        print()
        groups = [
            [g.id, _printable(g.title, MAX_TITLE), ", ".join(g.capabilities)]
            for g in catalog.starter_groups
        ]
        _print_table(["STARTER GROUP", "TITLE", "CAPABILITIES"], groups)
    return 0


def catalog_json(catalog: Catalog) -> dict[str, Any]:
    """One framework in `catalog --framework ID --json`'s shape."""
    return {
        "id": catalog.id,
        "name": catalog.name,
        "domains": [{"id": d.id, "name": d.name} for d in catalog.domains],
        "capabilities": [
            {
                "id": c.id,
                "name": c.name,
                "domain": c.domain,
                "url": c.url,
                "kpis": list(c.kpis),
                "cost_kpis": list(c.cost_kpis),
                "successor_of": list(c.successor_of),
            }
            for c in catalog.capabilities
        ],
        "starter_groups": [
            {
                "id": g.id,
                "title": g.title,
                "description": g.description,
                "capabilities": list(g.capabilities),
            }
            for g in catalog.starter_groups
        ],
    }


def _print_json(payload: object) -> None:
    json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


# -- export -------------------------------------------------------------------------------------


def resolve(history: History, ref: str) -> str:
    """The id of the iteration named by an id, a unique id prefix, a number, or 'latest'."""
    summaries = history.summaries
    if ref == "latest":
        if not summaries:
            raise CommandError("there are no iterations yet")
        return summaries[0].id
    exact = [s for s in summaries if s.id == ref]
    if ref.isdigit() and not exact:
        exact = [s for s in summaries if s.number == int(ref)]
    found = exact or [s for s in summaries if s.id.startswith(ref)]
    if len(found) == 1:
        return found[0].id
    unreadable = [p for p in history.problems if p.path.stem.startswith(ref)]
    if not found and len(unreadable) == 1:
        raise CommandError(f"iteration {ref!r} cannot be read: {unreadable[0]}")
    names = ", ".join(f"{s.id} (#{s.number})" for s in (found or summaries)[:10])
    if found:
        raise CommandError(f"{ref!r} matches {len(found)} iterations: {names}")
    raise CommandError(f"no iteration {ref!r}" + (f"; there are: {names}" if names else ""))


def cmd_export(args: argparse.Namespace) -> int:
    from finops_tui import export

    if args.all == bool(args.iteration):
        raise UsageError("give either ITERATION or --all")
    store = _open_store(args)
    history = _history(store, rows=args.all)
    if args.all:
        fmt = args.format or "csv"
        if fmt not in export.HISTORY_FORMATS:
            raise UsageError(f"--all writes csv or json, not {fmt}")
        text = export.render_history_of(history, fmt)
    else:
        from finops_tui.store import StoreError

        fmt = args.format or "markdown"
        try:
            iteration = store.load(resolve(history, args.iteration))
        except StoreError as exc:
            raise CommandError(str(exc)) from None
        text = export.render(iteration, fmt)
    return _emit(text, args.output, force=args.force)


def _emit(text: str, output: str | None, *, force: bool) -> int:
    """Print `text` (also for `-o -`), or write it to `output` (never over a file without
    `force`, never over anything but a regular file)."""
    if output in (None, "-"):
        sys.stdout.write(text)
        return 0
    from finops_tui.store import StoreError, write_export

    try:
        write_export(Path(output), text.encode("utf-8"), force=force)
    except StoreError as exc:
        raise CommandError(str(exc)) from None
    print(f"Wrote {_printable(output)}", file=sys.stderr)
    return 0


# -- progress and diff --------------------------------------------------------------------------


class _ReadingProgress:
    """Progress on stderr while the history is read, once that takes a while: the first run
    on a long history parses every file, later runs read the index at once."""

    AFTER_SECONDS = 0.5

    def __init__(self) -> None:
        import time

        self.clock = time.monotonic
        self.start = self.clock()
        self.bar = _StderrProgress()

    def __call__(self, done: int, total: int) -> None:
        if self.clock() - self.start > self.AFTER_SECONDS:
            self.bar("Reading iterations", done / total)


def _facts_history(store: Store) -> History:
    from finops_tui.index import read_history
    from finops_tui.locations import cache_dir
    from finops_tui.store import StoreError

    progress = _ReadingProgress()
    try:
        history = read_history(store, cache_dir(), facts=True, progress=progress)
    except StoreError as exc:
        raise CommandError(str(exc)) from None
    finally:
        progress.bar.done()
    if history.problems:
        count = len(history.problems)
        files = f"{count} file{'s' if count > 1 else ''}"
        print(f"{files} could not be read (left out); `{PROG} doctor` says why.", file=sys.stderr)
    return history


MAX_CELL = 60


def _sections_text(sections: list[Section]) -> str:
    """Titled tables for the terminal: what people typed shown, never obeyed."""
    import io

    out = io.StringIO()
    for i, section in enumerate(sections):
        out.write(("\n" if i else "") + _printable(section.title) + "\n")
        if not section.rows:
            out.write("(none)\n")
            continue
        fits = MAX_CELL  # most cells are figures: printable and short already
        rows = [
            [c if c.isprintable() and len(c) <= fits else _printable(c, fits) for c in row]
            for row in section.rows
        ]
        _print_table([h.upper() for h in section.header], rows, out)
        for note in section.notes:
            out.write(_printable(note) + "\n")
    return out.getvalue()


def cmd_progress(args: argparse.Namespace) -> int:
    from finops_tui.progress import render
    from finops_tui.progress import tables as t
    from finops_tui.progress.trend import UnknownCapabilityError, compute_trend

    since = _day(args.since, "--since")
    store = _open_store(args)
    history = _facts_history(store)
    try:
        trend = compute_trend(
            history.facts_oldest_first(), since=since, capabilities=args.capability
        )
    except UnknownCapabilityError as exc:
        raise CommandError(str(exc)) from None
    if args.format != "table":
        return _emit(render(trend, args.format), args.output, force=args.force)
    if not trend.iterations:
        where = "" if since is None else f" starting on or after {since}"
        text = f"No iterations{where} in {store.data_dir}.\n"
    else:
        sections = [t.iterations_section(trend), t.score_section(trend)]
        if args.capability:
            sections += [t.lens_section(trend, c) for c in trend.capabilities]
        if trend.measurements:
            sections.append(t.measurements_section(trend))
        if (assessment := t.assessment_section(trend)) is not None:
            sections.append(assessment)
        text = _sections_text(sections)
    return _emit(text, args.output, force=args.force)


def cmd_diff(args: argparse.Namespace) -> int:
    from finops_tui.progress import render_comparison
    from finops_tui.progress.compare import compare
    from finops_tui.progress.tables import comparison_sections

    history = _facts_history(_open_store(args))
    before = history.facts[resolve(history, args.before)]
    after = history.facts[resolve(history, args.after)]
    if before.id == after.id:
        raise CommandError(f"A and B are the same iteration (#{before.number})")
    comparison = compare(before, after)
    if args.format == "table":
        sys.stdout.write(_sections_text(comparison_sections(comparison)))
    else:
        sys.stdout.write(render_comparison(comparison, args.format))
    return 0


# -- kpis ---------------------------------------------------------------------------------------


def _kpis_config() -> Config:
    """The settings `kpis` uses: `[tag_aliases]` (e.g. env = "environment"), `cache_max_bytes`."""
    from finops_tui.config import load_config
    from finops_tui.locations import config_file

    config, problem = load_config(config_file())
    if problem:
        print(f"note: {_printable(problem)}", file=sys.stderr)
    return config


class _StderrProgress:
    """A progress bar on stderr (redrawn in place on a terminal, one line otherwise)."""

    WIDTH = 30

    def __init__(self) -> None:
        self.shown: str | None = None

    def __call__(self, what: str, share: float | None) -> None:
        if not sys.stderr.isatty():
            if what != self.shown:
                print(what, file=sys.stderr)
                self.shown = what
            return
        filled = round((share or 0) * self.WIDTH)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        percent = f"{share:4.0%}" if share is not None else "    "
        sys.stderr.write(f"\r{what} [{bar}] {percent}")
        sys.stderr.flush()
        self.shown = what

    def done(self) -> None:
        if self.shown is not None and sys.stderr.isatty():
            sys.stderr.write("\n")


def _day(text: str | None, flag: str) -> date | None:
    from datetime import date

    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{flag} {text!r} is not a date (YYYY-MM-DD)") from None


def _amount(text: str | None, flag: str) -> float | None:
    """An option's amount: a finite number, not negative."""
    from finops_tui.focus.kpis import parse_amount

    try:
        return None if text is None else parse_amount(text, "amount")
    except ValueError as exc:
        raise UsageError(f"{flag}: {exc}") from None


def _kpis_usage(args: argparse.Namespace) -> None:
    """Refuse options that do not go together (usage errors, exit 2)."""
    if args.sql:
        if args.paths:
            raise UsageError("--sql prints the queries for a table: give --table NAME, not PATHs")
        if not args.dialect or not args.table:
            raise UsageError("--sql needs --dialect and --table NAME")
        if args.engine != "duckdb" or args.spark_remote:
            raise UsageError("--sql prints queries; --engine and --spark-remote compute")
    else:
        if not args.paths:
            raise UsageError("give the PATH of FOCUS cost data (or --sql for a table's queries)")
        if args.dialect or args.table:
            raise UsageError("--dialect and --table go with --sql")
        if args.spark_remote and args.engine != "spark":
            raise UsageError("--spark-remote goes with --engine spark")


def cmd_kpis(args: argparse.Namespace) -> int:
    from finops_tui.focus.kpis import KPIS, Options, compute, format_value, read_monthly_csv
    from finops_tui.focus.reader import FocusError

    wanted = args.kpi or list(KPIS)
    if unknown := [k for k in wanted if k not in KPIS]:
        raise UsageError(f"unknown KPI {unknown[0]!r}; known: {', '.join(KPIS)}")
    _kpis_usage(args)
    config = _kpis_config()
    aliases = dict(config.tag_aliases)
    for alias in args.tag_alias or []:
        source, sep, target = alias.partition("=")
        if not sep or not source.strip() or not target.strip():
            raise UsageError(f"--tag-alias {alias!r} is not A=B")
        aliases[source] = target
    start, end = _day(args.start, "--from"), _day(args.end, "--to")
    budget = _amount(args.budget, "--budget")
    if start is not None and end is not None and start >= end:
        raise UsageError(f"--from {start} must be before --to {end} (the day after the last)")
    if args.sql:
        return _kpis_sql(args, wanted, aliases)
    bar = _StderrProgress()
    try:
        options = Options(
            tag_key=args.tag_key,
            budget=budget,
            budgets=read_monthly_csv(args.budgets, "budgets") if args.budgets else None,
            unit_metric=(
                read_monthly_csv(args.unit_metric, "business metric") if args.unit_metric else None
            ),
        )
        data = _open_cost_data(args, config, aliases, bar)
        try:
            if sum(f.size for f in data.files if f.sha256 is None) >= FINGERPRINT_NOTICE_BYTES:
                bar("Fingerprinting the files…", None)
            data.fingerprint()
        except BaseException:
            data.close()
            raise
    except FocusError as exc:
        message = str(exc)
        if message.endswith("choose one currency"):
            message += " with --currency"
        raise CommandError(message) from None
    finally:
        bar.done()
    check = data.check
    if check.rejected and not args.allow_rejects:
        data.close()
        for line in check.lines():
            print(line, file=sys.stderr)
        raise CommandError(
            f"{check.rejected_summary()}; no figures from part of the data "
            "(--allow-rejects computes them without those rows)"
        )
    # On Spark each KPI is a job of its own, of seconds: their progress is shown.
    spark_bar = _StderrProgress() if args.engine == "spark" else None
    try:
        results = compute(data, wanted, options, spark_bar)
    finally:
        if spark_bar is not None:
            spark_bar.done()
        data.close()
    if args.format == "json":
        payload = {k: r.as_json() for k, r in results.items()} | {"data": check.as_json()}
        try:
            text = json.dumps(payload, indent=2, default=str, allow_nan=False)
        except ValueError:
            raise CommandError("a figure is not a finite number; nothing was printed") from None
        sys.stdout.write(text + "\n")
        return 0
    rows = [
        [kpi, format_value(r.value, r.unit), r.period, _printable(r.error or r.note or "")]
        for kpi, r in results.items()
    ]
    _print_table(["KPI", "VALUE", "PERIOD", "NOTE"], rows)
    print()
    for line in check.lines():
        print(line)
    for note in data.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


FINGERPRINT_NOTICE_BYTES = 64 * 1024 * 1024


def _open_cost_data(
    args: argparse.Namespace, config: Config, aliases: dict[str, str], bar: _StderrProgress
) -> Any:
    """The cost data of `kpis`' PATHs, read by the engine asked for."""
    selection = {
        "start": _day(args.start, "--from"),
        "end": _day(args.end, "--to"),
        "currency": args.currency,
        "tag_aliases": aliases,
        "sub_accounts": args.sub_account or (),
        "providers": args.provider or (),
        "progress": bar,
    }
    if args.engine == "spark":
        from finops_tui.focus.spark import open_spark, ready, remote_url, session

        remote = remote_url(args.spark_remote)
        ready(remote)
        bar(f"Connecting to Spark at {remote}…" if remote else "Starting a local Spark…", None)
        paths = args.paths if remote else [Path(p) for p in args.paths]
        return open_spark(paths, spark=session(remote), **selection)
    from finops_tui.focus.reader import open_focus
    from finops_tui.locations import cache_dir

    return open_focus(
        [Path(p) for p in args.paths],
        cache_dir=cache_dir(),
        cache_max_bytes=config.cache_max_bytes,
        **selection,
    )


def _kpis_sql(args: argparse.Namespace, wanted: list[str], aliases: dict[str, str]) -> int:
    """`kpis --sql`: each KPI's query for the FOCUS table in the warehouse's dialect."""
    from finops_tui.focus.dialects import NeedsSqlglot, selection_sql
    from finops_tui.focus.kpis import warehouse_sql

    where = selection_sql(
        args.start, args.end, args.currency, args.provider or [], args.sub_account or []
    )
    try:
        text = warehouse_sql(
            wanted,
            args.dialect,
            args.table,
            tag_key=args.tag_key,
            tag_aliases=aliases,
            where=where,
        )
    except NeedsSqlglot as exc:
        raise CommandError(str(exc)) from None
    except ValueError as exc:
        raise UsageError(f"--table: {exc}") from None
    sys.stdout.write(text)
    return 0


def cmd_cache(args: argparse.Namespace) -> int:
    from finops_tui.focus.cache import ParquetCache
    from finops_tui.locations import cache_dir

    cache = ParquetCache(cache_dir(), _kpis_config().cache_max_bytes)
    folder = _printable(str(cache.folder))
    if args.action == "clear":
        files, size = cache.clear()
        print(f"Removed {files} file{'s' if files != 1 else ''} ({size:,} bytes) from {folder}")
        return 0
    files, size = cache.usage()
    print(
        f"{folder}: {files} file{'s' if files != 1 else ''}, {size:,} bytes "
        f"(at most {cache.max_bytes:,}: cache_max_bytes in config.toml)"
    )
    return 0


# -- sync ---------------------------------------------------------------------------------------


def cmd_sync(args: argparse.Namespace) -> int:
    from finops_tui.locations import data_dir
    from finops_tui.sync import SyncError, lines, sync

    def progress(what: str) -> None:
        if sys.stderr.isatty():
            print(f"{what}…", file=sys.stderr)

    try:
        result = sync(data_dir(args.data_dir), message=args.message, progress=progress)
    except SyncError as exc:
        raise CommandError(str(exc)) from None
    for line in lines(result):
        print(line)
    return 0 if result.in_sync else 1


def cmd_merge_driver(args: argparse.Namespace) -> int:
    from finops_tui.sync import merge_driver

    return merge_driver(args.base, args.ours, args.theirs, args.path, sys.stderr)


# -- serve ---------------------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    from finops_tui.locations import data_dir
    from finops_tui.serve import DEFAULT_HOST, TOKEN_ENV, ServeError, new_token, run, token_problem

    token = args.token or os.environ.get(TOKEN_ENV) or new_token()
    if (problem := token_problem(token)) is not None:
        raise UsageError(problem)
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: a port is 0-65535")
    try:
        run(
            data_dir=data_dir(args.data_dir).resolve(),
            host=args.host or DEFAULT_HOST,
            port=args.port,
            token=token,
            open_browser=args.open,
        )
    except ServeError as exc:
        raise CommandError(str(exc)) from None
    return 0


COMMANDS = {
    "serve": cmd_serve,
    "list": cmd_list,
    "doctor": cmd_doctor,
    "export": cmd_export,
    "kpis": cmd_kpis,
    "catalog": cmd_catalog,
    "cache": cmd_cache,
    "progress": cmd_progress,
    "diff": cmd_diff,
    "sync": cmd_sync,
    "merge-driver": cmd_merge_driver,
}
