"""Which frameworks are on offer: the built-in catalogues and a team's own.

A team's catalogues are the `*.toml` files in `<config dir>/catalogs/`, in the built-ins'
format (`docs/catalog-format.md`). A file that cannot be used is a `CatalogProblem` (file,
line, reason) instead of an exception, so one broken catalogue never stops the others, the
commands or the app. Each file is read again only when its size, time or inode change.

Also the rules for choosing a framework: a new iteration takes its predecessor's framework
(or the newest built-in), and the app may offer to move to the successor of an old one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from finops_tui.catalog import (
    Catalog,
    CatalogError,
    available_catalogs,
    is_builtin,
    load_builtin,
    locate,
    parse_catalog,
)
from finops_tui.locations import catalogs_dir
from finops_tui.terms import ID_PATTERN

MAX_CATALOG_BYTES = 1024 * 1024
BUILTIN = "builtin"


@dataclass(frozen=True)
class CatalogProblem:
    """A catalogue file that cannot be used, and why; the file itself is left untouched."""

    path: Path
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Framework:
    """A catalogue on offer, and where it comes from (`builtin` or its file)."""

    catalog: Catalog
    source: str

    @property
    def id(self) -> str:
        return self.catalog.id

    @property
    def builtin(self) -> bool:
        return self.source == BUILTIN


@dataclass(frozen=True)
class Frameworks:
    """Every framework on offer (built-ins first, oldest first; then a team's own by id) and
    the catalogue files that could not be used."""

    frameworks: tuple[Framework, ...]
    problems: tuple[CatalogProblem, ...]

    def get(self, framework_id: str) -> Framework | None:
        return next((f for f in self.frameworks if f.id == framework_id), None)

    @property
    def ids(self) -> list[str]:
        return [f.id for f in self.frameworks]


def discover(config_dir: Path | None = None) -> Frameworks:
    """The built-in catalogues and every usable custom one, with the problems of the rest."""
    frameworks = [Framework(load_builtin(i), BUILTIN) for i in available_catalogs()]
    problems: list[CatalogProblem] = []
    directory = catalogs_dir(config_dir)
    for path in _catalog_files(directory, problems):
        result = _read_custom(path)
        if isinstance(result, CatalogProblem):
            problems.append(result)
        else:
            frameworks.append(Framework(result, str(path)))
    return Frameworks(tuple(frameworks), tuple(problems))


def catalog_problems(config_dir: Path | None = None) -> list[CatalogProblem]:
    """The custom catalogue files that cannot be used (for the app to show; never raises)."""
    return list(discover(config_dir).problems)


def find_catalog(framework_id: str, config_dir: Path | None = None) -> Catalog | None:
    """The catalogue of a framework, built in or a team's own; None if there is none usable."""
    result = _lookup(framework_id, config_dir)
    return result if isinstance(result, Catalog) else None


def require_catalog(framework_id: str, config_dir: Path | None = None) -> Catalog:
    """The catalogue of a framework; CatalogError says why there is none usable."""
    result = _lookup(framework_id, config_dir)
    if isinstance(result, Catalog):
        return result
    raise CatalogError(str(framework_id), result)


def missing_reason(framework_id: str, config_dir: Path | None = None) -> str | None:
    """Why a framework's catalogue cannot be used, in one sentence; None when it can."""
    result = _lookup(framework_id, config_dir)
    return None if isinstance(result, Catalog) else result


def _lookup(framework_id: str, config_dir: Path | None) -> Catalog | str:
    if not isinstance(framework_id, str) or not ID_PATTERN.fullmatch(framework_id):
        return f"{framework_id!r} is not a valid catalogue id"
    if is_builtin(framework_id):
        return load_builtin(framework_id)
    path = catalogs_dir(config_dir) / f"{framework_id}.toml"
    if not path.exists():
        known = ", ".join(available_catalogs())
        return (
            f"catalogue {framework_id!r} is not installed: it is not built in ({known}) and "
            f"there is no {path}"
        )
    result = _read_custom(path)
    if isinstance(result, CatalogProblem):
        return f"catalogue {framework_id!r} cannot be used: {result}"
    return result


def _catalog_files(directory: Path, problems: list[CatalogProblem]) -> list[Path]:
    try:
        entries = list(directory.iterdir())
    except FileNotFoundError:
        return []
    except NotADirectoryError:
        problems.append(CatalogProblem(directory, "is a file, not a directory of catalogues"))
        return []
    except OSError as exc:
        problems.append(CatalogProblem(directory, f"cannot list: {exc.strerror or exc}"))
        return []
    return sorted(p for p in entries if p.suffix == ".toml" and not p.name.startswith("."))


# -- reading one custom catalogue -----------------------------------------------------------

_cache: dict[Path, tuple[tuple[int, int, int], Catalog | CatalogProblem, str]] = {}
_cache_lock = threading.Lock()


def _read_custom(path: Path) -> Catalog | CatalogProblem:
    """A custom catalogue file, fully checked (its links to its predecessor included)."""
    parsed, text = _parse_custom(path)
    if isinstance(parsed, CatalogProblem):
        return parsed
    return _check_links(parsed, path, text) or parsed


def _parse_custom(path: Path) -> tuple[Catalog | CatalogProblem, str]:
    """The file read and checked on its own (cached while its size, time and inode hold)."""
    try:
        stat = path.stat()
    except OSError as exc:
        return CatalogProblem(path, f"cannot read: {exc.strerror or exc}"), ""
    key = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
    with _cache_lock:
        cached = _cache.get(path)
    if cached is not None and cached[0] == key:
        return cached[1], cached[2]
    result, text = _parse_file(path)
    with _cache_lock:
        _cache[path] = (key, result, text)
    return result, text


def _parse_file(path: Path) -> tuple[Catalog | CatalogProblem, str]:
    if not path.is_file():
        return CatalogProblem(path, "is not a file"), ""
    try:
        with path.open("rb") as f:
            data = f.read(MAX_CATALOG_BYTES + 1)
    except OSError as exc:
        return CatalogProblem(path, f"cannot read: {exc.strerror or exc}"), ""
    if len(data) > MAX_CATALOG_BYTES:
        limit = MAX_CATALOG_BYTES // 1024
        return CatalogProblem(path, f"is over {limit} KB; a catalogue is far smaller"), ""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return CatalogProblem(path, f"is not UTF-8 text (byte {exc.start})"), ""
    try:
        catalog = parse_catalog(text, path.name)
    except CatalogError as exc:
        return CatalogProblem(path, exc.reason, exc.line), text
    line = locate(text, ("id",))
    if is_builtin(catalog.id):
        return CatalogProblem(
            path,
            f"id {catalog.id!r} is a built-in catalogue's id; give your catalogue its own id "
            "(and file name)",
            line,
        ), text
    if catalog.id != path.stem:
        return CatalogProblem(
            path,
            f"id {catalog.id!r} does not match the file name; rename the file to "
            f"{catalog.id}.toml or change the id",
            line,
        ), text
    if problem := _unknown_cost_kpis(catalog, path, text):
        return problem, text
    return catalog, text


def _unknown_cost_kpis(catalog: Catalog, path: Path, text: str) -> CatalogProblem | None:
    from finops_tui.focus.kpis import KPIS

    return _first_unknown(
        catalog, path, text, "cost_kpis", KPIS.__contains__,
        lambda c, kpi: f"capability {c!r} names unknown cost KPI {kpi!r} "
        f"(known: {', '.join(KPIS)})",
    )  # fmt: skip


def _check_links(catalog: Catalog, path: Path, text: str) -> CatalogProblem | None:
    """`succeeds` names a usable catalogue, and `successor_of` names its capabilities."""
    if catalog.succeeds is None:
        return None
    predecessor = _predecessor(catalog.succeeds, path.parent)
    if predecessor is None:
        return CatalogProblem(
            path,
            f"succeeds {catalog.succeeds!r}, which is neither built in nor a usable catalogue "
            f"in {path.parent}",
            locate(text, ("succeeds",)),
        )
    return _first_unknown(
        catalog, path, text, "successor_of", predecessor.has_capability,
        lambda c, old: f"capability {c!r}: successor_of names {old!r}, which is not in "
        f"{catalog.succeeds}",
    )  # fmt: skip


def _first_unknown(
    catalog: Catalog,
    path: Path,
    text: str,
    key: str,
    known: Callable[[str], bool],
    message: Callable[[str, str], str],
) -> CatalogProblem | None:
    """The first id in a capability's list `key` that `known` rejects, as a problem."""
    for i, capability in enumerate(catalog.capabilities):
        for value in getattr(capability, key):
            if not known(value):
                return CatalogProblem(
                    path, message(capability.id, value), locate(text, ("capabilities", i, key))
                )
    return None


def _predecessor(framework_id: str, directory: Path) -> Catalog | None:
    # Checked on its own only: a chain of custom catalogues is never followed further, so a
    # loop (a succeeds b succeeds a) cannot recurse.
    if is_builtin(framework_id):
        return load_builtin(framework_id)
    if not ID_PATTERN.fullmatch(framework_id):
        return None
    path = directory / f"{framework_id}.toml"
    if not path.exists():
        return None
    parsed, _ = _parse_custom(path)
    return parsed if isinstance(parsed, Catalog) else None


def stand_in_catalog(framework_id: str, capability_ids: list[str]) -> Catalog:
    """A catalogue to show an iteration whose own catalogue is missing: one domain, and each
    capability named by its id, with no description, links or KPIs. For display only (the
    iteration stays read-only); it never passes for the real catalogue."""
    from finops_tui.catalog import Capability, Domain

    domain = Domain.model_construct(id="missing", name=f"Capabilities of {framework_id}")
    capabilities = tuple(
        Capability.model_construct(
            id=c, name=c, domain="missing", description="", url="", framework_url="",
            kpis=(), cost_kpis=(), successor_of=(),
        )
        for c in dict.fromkeys(capability_ids)
    )  # fmt: skip
    return Catalog.model_construct(
        id=framework_id,
        name=f"{framework_id} (catalogue missing)",
        source="",
        succeeds=None,
        domains=(domain,),
        capabilities=capabilities,
        starter_groups=(),
    )


# -- choosing a framework -------------------------------------------------------------------


def newest_builtin() -> str:
    """The built-in catalogue that no other built-in succeeds (the newest framework)."""
    ids = available_catalogs()
    succeeded = {load_builtin(i).succeeds for i in ids}
    return [i for i in ids if i not in succeeded][-1]


def default_framework(previous: str | None, config_dir: Path | None = None) -> str:
    """The framework of a new iteration: the previous iteration's, when its catalogue can be
    used, else the newest built-in."""
    if previous is not None and find_catalog(previous, config_dir) is not None:
        return previous
    return newest_builtin()


def successor_framework(framework_id: str) -> str | None:
    """A built-in catalogue that succeeds this framework ("start next" may move to it)."""
    for candidate in available_catalogs():
        if load_builtin(candidate).succeeds == framework_id:
            return candidate
    return None
