"""The words of the file format that need no validation library: the enumerations, the
schema version, the id rule and the built-in frameworks' ids. Importing this is cheap, so the
app can paint its first screen (and `list` can run) before pydantic and the model are loaded."""

from __future__ import annotations

import re
from enum import StrEnum

SCHEMA_VERSION = 1
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
BUILTIN_FRAMEWORKS = ("finops-2023", "finops-2025")
"""The catalogues shipped in `assets/catalogs/` (a test keeps this in step), oldest first."""


class Status(StrEnum):
    """Where an iteration is in its life."""

    PLANNING = "planning"
    ACTIVE = "active"
    CLOSED = "closed"


class Group(StrEnum):
    """The stakeholder groups the tutorial asks to involve."""

    BUSINESS = "business"
    TECHNOLOGY = "technology"
    FINANCE = "finance"


class Outcome(StrEnum):
    """How a goal ended, recorded at the review."""

    ACHIEVED = "achieved"
    PARTLY = "partly"
    MISSED = "missed"


class ActionStatus(StrEnum):
    """Where an action stands."""

    TODO = "todo"
    DOING = "doing"
    DONE = "done"
    DROPPED = "dropped"


def validate_id(value: str, what: str = "id") -> str:
    """Return `value` if it is a valid file id, else raise ValueError saying why."""
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise ValueError(
            f"{what} {value!r} is not valid: use 1-64 lowercase letters, digits and '-', "
            "starting with a letter or digit"
        )
    return value
