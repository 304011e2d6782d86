"""User settings kept in `config.toml`: small, every field with a default.

A plain dataclass rather than a pydantic model: the settings are read before the first
screen is painted, and two fields do not justify loading a validation library that early.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from finops_tui import toml_writer
from finops_tui.store import NotAFile, make_private_dir, read_settings, write_atomic

MAX_ITERATION_WEEKS = 52
CACHE_MAX_BYTES = 2 * 1024**3


@dataclass
class Config:
    """What the user chose once and expects to find again."""

    theme: str = "textual-dark"
    """The Textual theme, as picked in the palette."""
    iteration_weeks: int = 4
    """Default length of a new iteration, 1-52 weeks."""
    tag_aliases: dict[str, str] = field(default_factory=dict)
    """Tag keys read as another when KPIs are computed from cost data: {"env": "environment"}."""
    cache_max_bytes: int = CACHE_MAX_BYTES
    """The most the cost-data cache (Parquet copies of large CSV exports) may hold, in bytes."""
    other: dict[str, Any] = field(default_factory=dict)
    """Settings this version does not know (from a newer one): kept, written back unchanged."""

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> Config:
        """Settings from a parsed `config.toml`; ValueError names the first bad setting."""
        other = dict(document)
        theme = other.pop("theme", cls.theme)
        weeks = other.pop("iteration_weeks", cls.iteration_weeks)
        aliases = other.pop("tag_aliases", {})
        cache_max = other.pop("cache_max_bytes", cls.cache_max_bytes)
        if not isinstance(cache_max, int) or isinstance(cache_max, bool) or cache_max < 0:
            raise ValueError(f"cache_max_bytes must be a whole number of bytes, not {cache_max!r}")
        if not isinstance(aliases, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and k.strip() and v.strip()
            for k, v in aliases.items()
        ):
            raise ValueError('tag_aliases must be a table of names, e.g. env = "environment"')
        if not isinstance(theme, str) or not theme:
            raise ValueError(f"theme must be a theme name, not {theme!r}")
        if (
            not isinstance(weeks, int)
            or isinstance(weeks, bool)
            or not 1 <= weeks <= MAX_ITERATION_WEEKS
        ):
            raise ValueError(
                f"iteration_weeks must be a whole number from 1 to {MAX_ITERATION_WEEKS}, "
                f"not {weeks!r}"
            )
        return cls(
            theme=theme,
            iteration_weeks=weeks,
            tag_aliases=aliases,
            cache_max_bytes=cache_max,
            other=other,
        )

    def to_document(self) -> dict[str, Any]:
        document: dict[str, Any] = {"theme": self.theme, "iteration_weeks": self.iteration_weeks}
        if self.tag_aliases:
            document["tag_aliases"] = dict(self.tag_aliases)
        if self.cache_max_bytes != CACHE_MAX_BYTES:
            document["cache_max_bytes"] = self.cache_max_bytes
        return document | self.other


def load_config(path: Path) -> tuple[Config, str | None]:
    """The settings, and a message when the file was unreadable (defaults are used then)."""
    try:
        text = read_settings(path).decode("utf-8")
    except FileNotFoundError:
        return Config(), None
    except (NotAFile, UnicodeDecodeError) as exc:
        return Config(), f"{path}: cannot read the settings ({exc}); using defaults"
    try:
        return Config.from_document(tomllib.loads(text)), None
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        first = str(exc).splitlines()[0]
        return Config(), f"{path}: settings ignored, {first}"


def save_config(path: Path, config: Config) -> None:
    """Write the settings atomically (raises StoreError), keeping the user's words: in an
    existing file only the lines of the settings that changed are rewritten, so comments,
    blank lines and the order of the rest stay as they were."""
    make_private_dir(path.parent)
    document = config.to_document()
    try:
        text: str | None = read_settings(path).decode("utf-8")
    except (OSError, NotAFile, UnicodeDecodeError):
        text = None
    new = _edited(text, document) if text is not None else None
    data = (new if new is not None else toml_writer.dumps(document)).encode("utf-8")
    if text is not None and text.encode("utf-8") == data:
        return
    write_atomic(path, data)


def _edited(text: str, document: dict[str, Any]) -> str | None:
    """`text` with the top-level settings that differ from `document` set on their own lines;
    None when that cannot be done faithfully (the caller then writes the file anew)."""
    try:
        old = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None
    if set(old) - set(document):
        return None  # a setting goes away: rare enough to write the whole file
    lines = text.splitlines(keepends=True)
    first_table = next(
        (i for i, line in enumerate(lines) if line.lstrip().startswith("[")), len(lines)
    )
    for key, value in document.items():
        if old.get(key) == value:
            continue
        if isinstance(value, dict) or isinstance(old.get(key), dict):
            return None  # a table changed: rare enough to write the whole file
        setting = f"{toml_writer.format_key(key)} = {toml_writer.format_value(value)}"
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=\s*{_VALUE}(?P<rest>\s*(#.*)?)$")
        for i, line in enumerate(lines[:first_table]):
            if match := pattern.match(line.rstrip("\r\n")):
                ending = line[len(line.rstrip("\r\n")) :] or "\n"
                lines[i] = setting + match["rest"] + ending
                break
        else:
            lines.insert(first_table, setting + "\n")
            first_table += 1
    new = "".join(lines)
    try:
        faithful = tomllib.loads(new) == document
    except tomllib.TOMLDecodeError:
        faithful = False
    return new if faithful else None


# A one-line TOML value: a basic or literal string, or a bare number, boolean or date.
_VALUE = r"""(?:"(?:[^"\\]|\\.)*"|'[^']*'|[^\s#"'\[{]+)"""
