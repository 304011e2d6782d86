"""Where finops-tui keeps its files: the data dir (iterations, trash), the config dir (settings,
a team's own catalogues) and the cache dir (an index that only speeds up the scripting
commands; deleting it loses nothing)."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "finops-tui"
DATA_DIR_ENV = "FINOPS_TUI_DATA_DIR"
CONFIG_DIR_ENV = "FINOPS_TUI_CONFIG_DIR"
CACHE_DIR_ENV = "FINOPS_TUI_CACHE_DIR"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data dir: `--data-dir` > `$FINOPS_TUI_DATA_DIR` > the platform's user data dir."""
    if override:
        return Path(override).expanduser()
    if env := os.environ.get(DATA_DIR_ENV):
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    """The config dir: `$FINOPS_TUI_CONFIG_DIR` > the platform's user config dir."""
    if env := os.environ.get(CONFIG_DIR_ENV):
        return Path(env).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False))


def config_file() -> Path:
    return config_dir() / "config.toml"


def catalogs_dir(config: Path | None = None) -> Path:
    """Where a team's own catalogues live: `<config dir>/catalogs/`."""
    return (config_dir() if config is None else Path(config)) / "catalogs"


def cache_dir() -> Path:
    """The cache dir: `$FINOPS_TUI_CACHE_DIR` > the platform's user cache dir."""
    if env := os.environ.get(CACHE_DIR_ENV):
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir(APP_NAME, appauthor=False))
