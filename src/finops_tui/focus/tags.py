"""Tag keys as the KPIs compare them: one normalisation, used by Python and SQL alike.

A key is NFKC-normalised, case-folded (so `Straße` and `strasse` are one key) and trimmed
of any white space, no-break spaces included; then an alias may name it as another key.
DuckDB calls the same function (`tag_key(k)`), once per distinct key in the data.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping


def normalise_tag_key(key: str) -> str:
    """`  Env\u00a0` -> `env`; `Straße` -> `strasse`; `ｅｎｖ` -> `env`."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", key).casefold())
    return folded.strip()


class TagKeys:
    """Normalises tag keys and applies the aliases (`{"env": "environment"}`)."""

    def __init__(self, aliases: Mapping[str, str] | None = None) -> None:
        self.aliases = {
            normalise_tag_key(alias): normalise_tag_key(key)
            for alias, key in (aliases or {}).items()
        }

    def __call__(self, key: str) -> str:
        normal = normalise_tag_key(key)
        return self.aliases.get(normal, normal)
