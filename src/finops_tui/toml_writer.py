"""Writes TOML in the stable, diff-friendly layout of the iteration files.

Written here rather than with a library because the file format promises a layout that
general writers do not keep: arrays of tables always as `[[...]]` (never inlined when short),
date-times as `2026-11-28T14:50:00Z`, and free text with newlines as readable multi-line
strings that still round-trip byte-exact (carriage returns included).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def dumps(document: Mapping[str, Any]) -> str:
    """The document as TOML text: plain keys first, then tables, each table under its header."""
    lines: list[str] = []
    _table(lines, document, ())
    return "\n".join(lines) + "\n" if lines else ""


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _table(lines: list[str], table: Mapping[str, Any], path: tuple[str, ...]) -> None:
    plain = [(k, v) for k, v in table.items() if not _is_sub_table(v)]
    for key, value in plain:
        lines.append(f"{format_key(key)} = {format_value(value)}")
    for key, value in table.items():
        if not _is_sub_table(value):
            continue
        sub_path = (*path, key)
        name = ".".join(format_key(part) for part in sub_path)
        if isinstance(value, Mapping):
            # A table holding only tables needs no header of its own ([levels] before
            # [levels.x]); an empty one does, or it would vanish.
            has_plain = any(not _is_sub_table(v) for v in value.values())
            if has_plain or not value:
                _blank(lines)
                lines.append(f"[{name}]")
            _table(lines, value, sub_path)
        else:
            for item in value:
                _blank(lines)
                lines.append(f"[[{name}]]")
                _table(lines, item, sub_path)


def _is_sub_table(value: Any) -> bool:
    return isinstance(value, Mapping) or _is_table_array(value)


def _blank(lines: list[str]) -> None:
    if lines and lines[-1] != "":
        lines.append("")


def format_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _basic_string(key)


def format_value(value: Any) -> str:
    """One TOML value, on one line unless it is text with line breaks."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _multiline_string(value) if "\n" in value else _basic_string(value)
    if isinstance(value, datetime):
        text = value.isoformat()
        if value.utcoffset() == timedelta(0):
            text = text.removesuffix("+00:00") + "Z"
        return text
    if isinstance(value, date | time):
        if isinstance(value, time) and value.tzinfo is not None:
            raise ValueError("TOML has no time of day with an offset")
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        items = ", ".join(f"{format_key(k)} = {format_value(v)}" for k, v in value.items())
        return "{ " + items + " }"
    raise TypeError(f"cannot write a {type(value).__name__} to TOML")


def _escape(char: str) -> str:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        raise ValueError(f"text holds an unpaired surrogate (U+{code:04X}) that TOML cannot store")
    return f"\\u{code:04X}"


def _needs_escape(char: str) -> bool:
    code = ord(char)
    return code < 0x20 or code == 0x7F or 0xD800 <= code <= 0xDFFF


def _basic_string(text: str) -> str:
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif _needs_escape(char):
            out.append(_escape(char))
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _multiline_string(text: str) -> str:
    # Quotes are always escaped, so no run of three can close the string early; the newline
    # after the opening quotes is dropped by every TOML reader, so text may start with one.
    out = []
    for char in text:
        if char in ("\n", "\t"):
            out.append(char)
        elif char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif _needs_escape(char):
            out.append(_escape(char))
        else:
            out.append(char)
    return '"""\n' + "".join(out) + '"""'
