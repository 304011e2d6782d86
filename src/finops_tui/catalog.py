"""FinOps capability catalogues: domains, capabilities, starter groups and the five lenses.

A catalogue is a TOML file under `assets/catalogs/`, read with `importlib.resources` so it
works from a wheel as well as from a checkout, and validated on load: a broken catalogue is
an error that names the entry, never a half-working app.
"""

from __future__ import annotations

import functools
import re
import tomllib
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from finops_tui.lenses import LENSES, MAX_LEVEL, MIN_LEVEL, Lens

DEFAULT_CATALOG = "finops-2023"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class CatalogError(Exception):
    """A catalogue that cannot be used; the message names the catalogue and the entry."""


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

    id: str
    name: str


class Capability(_Entry):
    """A FinOps capability: something a FinOps practice does, and how to measure it."""

    id: str
    name: str
    domain: str
    description: str
    url: str
    framework_url: str
    kpis: tuple[str, ...] = Field(min_length=1, max_length=3)
    cost_kpis: tuple[str, ...] = ()
    """Ids of the KPIs computed from cost data (`finops_tui.focus.kpis`) that serve it."""

    @field_validator("url", "framework_url")
    @classmethod
    def _https(cls, value: str) -> str:
        if not value.startswith("https://"):
            raise ValueError(f"must be an https:// link, not {value!r}")
        return value


class StarterGroup(_Entry):
    """One of the tutorial's suggested starting sets of capabilities."""

    id: str
    title: str
    description: str
    capabilities: tuple[str, ...] = Field(min_length=1)


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


class Catalog(_Entry):
    """A whole catalogue, with O(1) lookups by id."""

    id: str
    name: str
    source: str
    domains: tuple[Domain, ...]
    capabilities: tuple[Capability, ...]
    starter_groups: tuple[StarterGroup, ...]
    lenses: tuple[LensInfo, ...]

    @functools.cached_property
    def _capabilities(self) -> dict[str, Capability]:
        return {c.id: c for c in self.capabilities}

    @functools.cached_property
    def _domains(self) -> dict[str, Domain]:
        return {d.id: d for d in self.domains}

    @functools.cached_property
    def _by_domain(self) -> dict[str, tuple[Capability, ...]]:
        return {d.id: tuple(c for c in self.capabilities if c.domain == d.id) for d in self.domains}

    @functools.cached_property
    def _lenses(self) -> dict[Lens, LensInfo]:
        return {lens.id: lens for lens in self.lenses}

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

    def lens(self, lens: Lens | str) -> LensInfo:
        return self._lenses[Lens(lens)]

    def level(self, lens: Lens | str, level: int) -> LensLevel:
        return self.lens(lens).levels[level]


def _check(catalog: Catalog) -> None:
    """The rules that tie entries together; raise ValueError naming the entry."""
    for kind, entries in (
        ("domain", catalog.domains),
        ("capability", catalog.capabilities),
        ("starter group", catalog.starter_groups),
    ):
        seen: set[str] = set()
        for entry in entries:
            if not _ID.fullmatch(entry.id):
                raise ValueError(f"{kind} id {entry.id!r} is not a valid id")
            if entry.id in seen:
                raise ValueError(f"{kind} id {entry.id!r} is used twice")
            seen.add(entry.id)
    domains = {d.id for d in catalog.domains}
    capabilities = {c.id for c in catalog.capabilities}
    for capability in catalog.capabilities:
        if capability.domain not in domains:
            raise ValueError(
                f"capability {capability.id!r} names unknown domain {capability.domain!r}"
            )
    for group in catalog.starter_groups:
        for capability_id in group.capabilities:
            if capability_id not in capabilities:
                raise ValueError(
                    f"starter group {group.id!r} names unknown capability {capability_id!r}"
                )
        if len(set(group.capabilities)) != len(group.capabilities):
            raise ValueError(f"starter group {group.id!r} lists a capability twice")
    found = [lens.id.value for lens in catalog.lenses]
    expected = [lens.value for lens in LENSES]
    if found != expected:
        raise ValueError(f"lenses must be {', '.join(expected)} in this order, not {found}")
    for lens in catalog.lenses:
        levels = [level.level for level in lens.levels]
        wanted = list(range(MIN_LEVEL, MAX_LEVEL + 1))
        if levels != wanted:
            missing = sorted(set(wanted) - set(levels))
            why = f"missing {', '.join(map(str, missing))}" if missing else f"found {levels}"
            raise ValueError(
                f"lens {lens.id.value!r} must define levels {MIN_LEVEL}-{MAX_LEVEL} in order; {why}"
            )


def _where(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse_catalog(text: str, source: str) -> Catalog:
    """Validate a catalogue given as TOML text; `source` names it in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{source}: TOML syntax error: {exc}") from None
    try:
        catalog = Catalog.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        message = first["msg"].removeprefix("Value error, ")
        raise CatalogError(f"{source}: {_where(first['loc'])}: {message}") from None
    try:
        _check(catalog)
    except ValueError as exc:
        raise CatalogError(f"{source}: {exc}") from None
    return catalog


def _catalog_dir() -> Any:
    return resources.files("finops_tui") / "assets" / "catalogs"


def available_catalogs() -> list[str]:
    """The ids of the catalogues shipped with finops-tui."""
    return sorted(
        entry.name.removesuffix(".toml")
        for entry in _catalog_dir().iterdir()
        if entry.name.endswith(".toml")
    )


@functools.cache
def load_catalog(catalog_id: str = DEFAULT_CATALOG) -> Catalog:
    """A shipped catalogue by id (cached); unknown ids raise CatalogError listing the known."""
    if not isinstance(catalog_id, str) or not _ID.fullmatch(catalog_id):
        raise CatalogError(f"{catalog_id!r} is not a valid catalogue id")
    resource = _catalog_dir() / f"{catalog_id}.toml"
    if not resource.is_file():
        known = ", ".join(available_catalogs())
        raise CatalogError(f"unknown catalogue {catalog_id!r} (known: {known})")
    return parse_catalog(resource.read_text(encoding="utf-8"), catalog_id)
