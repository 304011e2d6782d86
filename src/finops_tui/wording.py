"""How the app words a count: "1 goal", "3 goals", never "1 goal(s)"."""

from __future__ import annotations


def count(n: int, noun: str, plural: str | None = None) -> str:
    """`n` and the noun in the form that fits it."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
