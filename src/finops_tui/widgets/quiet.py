"""Update a Static only as much as its change needs: no repaint when nothing changed, and no
layout pass when every line keeps its width (so it wraps and measures exactly as before)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


def _as_content(content: object) -> Content | None:
    if isinstance(content, Content):
        return content
    if isinstance(content, str):
        return Content(content)
    return None


def update_quietly(widget: Static, content: Content | str) -> None:
    """`widget.update(content)`, skipped when the text and styles are what is shown."""
    new = _as_content(content)
    old = _as_content(widget.content)
    if new is None or old is None:
        widget.update(content)
        return
    if old.plain == new.plain and old.spans == new.spans:
        return
    same_shape = [line.cell_length for line in old.split("\n")] == [
        line.cell_length for line in new.split("\n")
    ]
    widget.update(new, layout=not same_shape)
