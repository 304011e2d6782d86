"""Update a Static only as much as its change needs: no repaint when nothing changed, and no
layout pass when the new text takes as many lines at the widget's width as the old one (the
widget keeps its size, so nothing around it moves). A layout pass re-arranges the whole
screen; skipping it keeps a keystroke in the side panels to a repaint of the panel."""

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
    width = widget.size.width
    fixed_width = widget.styles.width is None or not widget.styles.width.is_auto
    same_size = (
        widget.is_mounted
        and width > 0
        and fixed_width
        and old.get_height(widget.styles, width) == new.get_height(widget.styles, width)
    )
    widget.update(new, layout=not same_size)
