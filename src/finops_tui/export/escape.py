"""What people typed, made inert for each output format: control characters shown, Markdown
and HTML escaped. No model import, so reports that never load pydantic (the progress across
iterations) escape exactly as the iteration exports do."""

from __future__ import annotations

import re
from html import escape

_CONTROL_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)} | {0x7F: "\u2421"}
_KEEP = {ord("\n"), ord("\t")}
_SHOWN = {k: v for k, v in _CONTROL_PICTURES.items() if k not in _KEEP}

# `&` only where it would start an entity ("FP&A" stays as typed, "&amp;" does not).
_INLINE = re.compile(r"([\\`*_\[\]<>|~]|&(?=#?[A-Za-z0-9]+;))")
_LIST_OR_RULE = re.compile(r"^(\s*)([-+=#])", re.MULTILINE)
# A number followed by `.` or `)` and a space starts a list item ("88.2%" does not).
_NUMBERED = re.compile(r"^(\s*\d+)([.)])(?=\s|$)", re.MULTILINE)
# Text that a Markdown table cell shows as it is: nothing _INLINE escapes, one line.
_MD_INERT = re.compile(r"[^\\`*_\[\]<>|~&\x00-\x1f\x7f]*")
# Text that HTML shows as it is: no markup characters, no control characters.
_HTML_INERT = re.compile(r"[^&<>\"'\x00-\x08\x0b-\x1f\x7f]*")


def visible(text: str) -> str:
    """Control characters as their visible symbols (␛ for ESC): a report never obeys them."""
    return text.translate(_SHOWN)


def md_text(value: str) -> str:
    """User text for a Markdown paragraph: escaped, line breaks kept."""
    escaped = _INLINE.sub(r"\\\1", visible(value))
    escaped = _LIST_OR_RULE.sub(r"\1\\\2", escaped)
    escaped = _NUMBERED.sub(r"\1\\\2", escaped)
    return escaped.replace("\n", "  \n")


def md_cell(value: str) -> str:
    """User text for a Markdown table cell: escaped, one line, pipes cannot split the cell."""
    if _MD_INERT.fullmatch(value):  # most cells: figures, dates, plain names
        return value
    escaped = _INLINE.sub(r"\\\1", visible(value))
    return escaped.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def html_text(value: object) -> str:
    """Text a person typed, as inert HTML; line breaks kept by CSS, control codes shown."""
    text = str(value)
    if _HTML_INERT.fullmatch(text):  # most report cells: figures, dates, plain names
        return text
    return escape(visible(text), quote=True)


def html_texts(values: list[str]) -> list[str]:
    """A row of cells as inert HTML, with one check for the usual row that needs nothing."""
    if _HTML_INERT.fullmatch("".join(values)):
        return values
    return [html_text(v) for v in values]
