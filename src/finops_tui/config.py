"""User settings kept in `config.toml`: small, every field with a default."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from finops_tui import toml_writer
from finops_tui.store import make_private_dir, write_atomic


class Config(BaseModel):
    """What the user chose once and expects to find again."""

    model_config = ConfigDict(extra="allow")

    theme: str = Field("textual-dark", description="The Textual theme, as picked in the palette.")
    iteration_weeks: int = Field(4, ge=1, le=52, description="Default length of a new iteration.")


def load_config(path: Path) -> tuple[Config, str | None]:
    """The settings, and a message when the file was unreadable (defaults are used then)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config(), None
    except (OSError, UnicodeDecodeError) as exc:
        return Config(), f"{path}: cannot read the settings ({exc}); using defaults"
    try:
        return Config.model_validate(tomllib.loads(text)), None
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        first = str(exc).splitlines()[0]
        return Config(), f"{path}: settings ignored, {first}"


def save_config(path: Path, config: Config) -> None:
    """Write the settings atomically (raises StoreError)."""
    make_private_dir(path.parent)
    data = toml_writer.dumps(config.model_dump(mode="json")).encode("utf-8")
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    write_atomic(path, data)
