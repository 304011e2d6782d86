"""FinOps capability catalogues: domains, capabilities, starter groups, and the five lenses.

A catalogue is a TOML file (its format: `docs/catalog-format.md`). The built-in ones live
under `assets/catalogs/` and are read with `importlib.resources`, so they work from a wheel
as well as from a checkout; a team's own catalogues live in the config dir and are found by
`finops_tui.frameworks`. Every catalogue is validated on load: a broken one is an error that
names the entry and, where it can, the line, never a half-working app. The five lenses and
their level texts are the same for every catalogue (`assets/lenses.toml`).
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Sequence
from importlib import resources
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from finops_tui.lenses import LENSES, MAX_LEVEL, MIN_LEVEL, Lens
from finops_tui.terms import BUILTIN_FRAMEWORKS

DEFAULT_CATALOG = "finops-2023"
"""The framework of an iteration file without a `framework` key (files predate the choice)."""

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
# A link a report can print and an export can embed: https, no spaces, quotes or brackets.
_URL = re.compile(r"^https://[^\s\"'<>()\[\]{}`\\|^]+$")
_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_M = TypeVar("_M", bound="BaseModel")

# Types whose rules are checked in code (for messages that name the entry) and also
# written into the JSON Schema (docs/catalog.schema.json) for editors and other tools.
Id = Annotated[str, Field(json_schema_extra={"pattern": _ID.pattern})]
Text = Annotated[str, Field(json_schema_extra={"pattern": r"\S"})]
Url = Annotated[str, Field(json_schema_extra={"pattern": _URL.pattern})]


class CatalogError(Exception):
    """A catalogue that cannot be used; names the catalogue, the entry and, if known, the line."""

    def __init__(self, source: str, reason: str, line: int | None = None) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason
        self.line = line


class _Entry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_blank_text(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            raise ValueError("must not be empty")
        return value


class Domain(_Entry):
    """A FinOps domain: a group of related capabilities."""

    id: Id
    name: Text


class Capability(_Entry):
    """A FinOps capability: something a FinOps practice does, and how to measure it."""

    id: Id
    name: Text
    domain: Id
    description: Text
    url: Url
    """The practitioner's guidance page (Microsoft's docs for the built-ins)."""
    framework_url: Url
    """The FinOps Foundation's page of the capability."""
    kpis: tuple[Text, ...] = Field(min_length=1, max_length=3)
    cost_kpis: tuple[Id, ...] = ()
    """Ids of the KPIs computed from cost data (`finops_tui.focus.kpis`) that serve it."""
    successor_of: tuple[Id, ...] = ()
    """Capabilities of the catalogue this one `succeeds` that became this one."""

    @field_validator("url", "framework_url")
    @classmethod
    def _https(cls, value: str) -> str:
        if not _URL.fullmatch(value):
            raise ValueError(
                f"must be an https:// link without spaces, quotes or brackets, not {value!r}"
            )
        return value


class StarterGroup(_Entry):
    """A suggested starting set of capabilities (the tutorial's groups, or a team's own)."""

    id: Id
    title: Text
    description: Text
    capabilities: tuple[Id, ...] = Field(min_length=1)


class LensLevel(_Entry):
    """What a level 0-4 means on one lens, and what to aim for from there."""

    level: int = Field(ge=MIN_LEVEL, le=MAX_LEVEL)
    label: str
    meaning: str
    advice: str


class LensInfo(_Entry):
    """A maturity lens with its guiding question and its five levels."""

    id: Lens
    name: str
    question: str
    levels: tuple[LensLevel, ...]


class _Lenses(_Entry):
    lenses: tuple[LensInfo, ...]


class Catalog(_Entry):
    """A whole catalogue, with O(1) lookups by id. Its lenses are the shared ones."""

    id: Id
    name: Text
    source: Text
    """Where the catalogue's content comes from, in words."""
    succeeds: Id | None = None
    """The id of the catalogue this one follows; `successor_of` names its capabilities."""
    domains: tuple[Domain, ...] = Field(min_length=1)
    capabilities: tuple[Capability, ...] = Field(min_length=1)
    starter_groups: tuple[StarterGroup, ...] = ()

    @functools.cached_property
    def _capabilities(self) -> dict[str, Capability]:
        return {c.id: c for c in self.capabilities}

    @functools.cached_property
    def _domains(self) -> dict[str, Domain]:
        return {d.id: d for d in self.domains}

    @functools.cached_property
    def _by_domain(self) -> dict[str, tuple[Capability, ...]]:
        return {d.id: tuple(c for c in self.capabilities if c.domain == d.id) for d in self.domains}

    @property
    def lenses(self) -> tuple[LensInfo, ...]:
        return shared_lenses()

    def capability(self, capability_id: str) -> Capability:
        try:
            return self._capabilities[capability_id]
        except KeyError:
            raise KeyError(f"{self.id}: no capability {capability_id!r}") from None

    def has_capability(self, capability_id: str) -> bool:
        return capability_id in self._capabilities

    def domain(self, domain_id: str) -> Domain:
        try:
            return self._domains[domain_id]
        except KeyError:
            raise KeyError(f"{self.id}: no domain {domain_id!r}") from None

    def capabilities_in(self, domain_id: str) -> tuple[Capability, ...]:
        return self._by_domain.get(domain_id, ())

    def successors_of(self, old_capability: str) -> tuple[str, ...]:
        """The capabilities of this catalogue that an old one (of `succeeds`) became."""
        return tuple(c.id for c in self.capabilities if old_capability in c.successor_of)

    def lens(self, lens: Lens | str) -> LensInfo:
        return _lens_index()[Lens(lens)]

    def level(self, lens: Lens | str, level: int) -> LensLevel:
        return self.lens(lens).levels[level]


class _RuleError(ValueError):
    """A rule between entries is broken; `loc` points at the entry (for the line number)."""

    def __init__(self, message: str, loc: tuple[str | int, ...]) -> None:
        super().__init__(message)
        self.loc = loc


def _check(catalog: Catalog) -> None:
    """The rules that tie entries together; raise _RuleError naming the entry."""
    if not _ID.fullmatch(catalog.id):
        raise _RuleError(f"catalogue id {catalog.id!r} is not a valid id", ("id",))
    if catalog.succeeds is not None and not _ID.fullmatch(catalog.succeeds):
        raise _RuleError(f"succeeds {catalog.succeeds!r} is not a valid id", ("succeeds",))
    if catalog.succeeds == catalog.id:
        raise _RuleError("a catalogue cannot succeed itself", ("succeeds",))
    for kind, key, entries in (
        ("domain", "domains", catalog.domains),
        ("capability", "capabilities", catalog.capabilities),
        ("starter group", "starter_groups", catalog.starter_groups),
    ):
        seen: set[str] = set()
        for i, entry in enumerate(entries):
            if not _ID.fullmatch(entry.id):
                raise _RuleError(f"{kind} id {entry.id!r} is not a valid id", (key, i, "id"))
            if entry.id in seen:
                raise _RuleError(f"{kind} id {entry.id!r} is used twice", (key, i, "id"))
            seen.add(entry.id)
    domains = {d.id for d in catalog.domains}
    capabilities = {c.id for c in catalog.capabilities}
    for i, capability in enumerate(catalog.capabilities):
        where = ("capabilities", i)
        if capability.domain not in domains:
            raise _RuleError(
                f"capability {capability.id!r} names unknown domain {capability.domain!r}",
                (*where, "domain"),
            )
        if capability.successor_of and catalog.succeeds is None:
            raise _RuleError(
                f"capability {capability.id!r} has successor_of, but the catalogue does not "
                'say which catalogue it succeeds (add `succeeds = "<id>"` at the top)',
                (*where, "successor_of"),
            )
        for name, values in (
            ("cost_kpis", capability.cost_kpis),
            ("successor_of", capability.successor_of),
        ):
            if len(set(values)) != len(values):
                raise _RuleError(
                    f"capability {capability.id!r} lists an id twice in {name}", (*where, name)
                )
    for i, domain in enumerate(catalog.domains):
        if not catalog.capabilities_in(domain.id):
            raise _RuleError(f"domain {domain.id!r} has no capabilities", ("domains", i, "id"))
    for i, group in enumerate(catalog.starter_groups):
        where = ("starter_groups", i, "capabilities")
        for capability_id in group.capabilities:
            if capability_id not in capabilities:
                raise _RuleError(
                    f"starter group {group.id!r} names unknown capability {capability_id!r}",
                    where,
                )
        if len(set(group.capabilities)) != len(group.capabilities):
            raise _RuleError(f"starter group {group.id!r} lists a capability twice", where)


def _check_lenses(lenses: Sequence[LensInfo]) -> None:
    found = [lens.id.value for lens in lenses]
    expected = [lens.value for lens in LENSES]
    if found != expected:
        raise _RuleError(
            f"lenses must be {', '.join(expected)} in this order, not {found}", ("lenses", 0)
        )
    for i, lens in enumerate(lenses):
        levels = [level.level for level in lens.levels]
        wanted = list(range(MIN_LEVEL, MAX_LEVEL + 1))
        if levels != wanted:
            missing = sorted(set(wanted) - set(levels))
            why = f"missing {', '.join(map(str, missing))}" if missing else f"found {levels}"
            raise _RuleError(
                f"lens {lens.id.value!r} must define levels {MIN_LEVEL}-{MAX_LEVEL} in order; "
                f"{why}",
                ("lenses", i),
            )


def _where(loc: Sequence[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _validate(model: type[_M], text: str, source: str) -> _M:
    """Parse TOML text into `model`; CatalogError names the entry and the line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line = None
        if match := _TOML_POSITION.search(message):
            line = int(match[1])
            message = _TOML_POSITION.sub("", message).strip()
        raise CatalogError(source, f"TOML syntax error: {message}", line) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        loc = tuple(first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            message = "unknown key"
        raise CatalogError(source, f"{_where(loc)}: {message}", locate(text, loc)) from None


def catalog_json_schema() -> dict[str, Any]:
    """The JSON Schema of a catalogue file (docs/catalog.schema.json is this, written out).

    The schema covers each entry's shape; the rules between entries (unique ids, known
    domains and capabilities, `succeeds`) are checked by `parse_catalog` and finops-tui.
    """
    schema = Catalog.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
        "title": "finops-tui catalogue",
    }


def parse_catalog(text: str, source: str) -> Catalog:
    """Validate a catalogue given as TOML text; `source` names it in error messages."""
    catalog = _validate(Catalog, text, source)
    try:
        _check(catalog)
    except _RuleError as exc:
        raise CatalogError(source, str(exc), locate(text, exc.loc)) from None
    return catalog


def parse_lenses(text: str, source: str) -> tuple[LensInfo, ...]:
    """Validate the shared lens definitions given as TOML text."""
    parsed = _validate(_Lenses, text, source)
    try:
        _check_lenses(parsed.lenses)
    except _RuleError as exc:
        raise CatalogError(source, str(exc), locate(text, exc.loc)) from None
    return parsed.lenses


_HEADER = re.compile(r"^\s*\[")
_ARRAY_HEADER = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_-]+)\s*\]\]")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")


def locate(text: str, loc: Sequence[str | int]) -> int | None:
    """The 1-based line of an entry or key given as a validation location, if it can be found.

    Understands the layout catalogues use: top-level keys, then arrays of tables
    (`[[capabilities]]`); `("capabilities", 3, "url")` is the `url` line of the fourth
    capability, or its `[[capabilities]]` line when the key is missing.
    """
    lines = text.splitlines()
    first_header = next((i for i, line in enumerate(lines) if _HEADER.match(line)), len(lines))
    if not loc or not isinstance(loc[0], str):
        return None
    if len(loc) == 1 or not isinstance(loc[1], int):
        return _key_line(lines, 0, first_header, loc[0])
    name, index = loc[0], loc[1]
    headers = [
        i for i, line in enumerate(lines) if (m := _ARRAY_HEADER.match(line)) and m[1] == name
    ]
    if index >= len(headers):
        return None
    start = headers[index]
    end = next((i for i in range(start + 1, len(lines)) if _HEADER.match(lines[i])), len(lines))
    key = loc[2] if len(loc) > 2 and isinstance(loc[2], str) else None
    found = _key_line(lines, start + 1, end, key) if key else None
    return found or start + 1


def _key_line(lines: list[str], start: int, end: int, key: str) -> int | None:
    for i in range(start, end):
        if (match := _KEY.match(lines[i])) and match[1] == key:
            return i + 1
    return None


def _assets() -> Any:
    return resources.files("finops_tui") / "assets"


@functools.cache
def shared_lenses() -> tuple[LensInfo, ...]:
    """The five lenses with their level texts, shared by every catalogue (cached)."""
    resource = _assets() / "lenses.toml"
    return parse_lenses(resource.read_text(encoding="utf-8"), "lenses")


@functools.cache
def _lens_index() -> dict[Lens, LensInfo]:
    return {lens.id: lens for lens in shared_lenses()}


def available_catalogs() -> list[str]:
    """The ids of the catalogues shipped with finops-tui, oldest first."""
    return list(BUILTIN_FRAMEWORKS)


def is_builtin(catalog_id: str) -> bool:
    return catalog_id in BUILTIN_FRAMEWORKS


@functools.cache
def load_builtin(catalog_id: str) -> Catalog:
    """A shipped catalogue by id (cached); unknown ids raise CatalogError listing the known."""
    if not isinstance(catalog_id, str) or not _ID.fullmatch(catalog_id):
        raise CatalogError(repr(catalog_id), "is not a valid catalogue id")
    if not is_builtin(catalog_id):
        known = ", ".join(available_catalogs())
        raise CatalogError(catalog_id, f"no such built-in catalogue (built in: {known})")
    resource = _assets() / "catalogs" / f"{catalog_id}.toml"
    return parse_catalog(resource.read_text(encoding="utf-8"), catalog_id)


def load_catalog(catalog_id: str = DEFAULT_CATALOG) -> Catalog:
    """A catalogue by id: a built-in, or a team's own from `<config dir>/catalogs/`.

    Raises CatalogError saying why when there is no usable catalogue with this id.
    """
    if isinstance(catalog_id, str) and is_builtin(catalog_id):
        return load_builtin(catalog_id)
    from finops_tui.frameworks import require_catalog

    return require_catalog(catalog_id)
