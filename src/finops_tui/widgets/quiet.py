"""Update a Static only as much as its change needs: no repaint when nothing changed, and no
layout pass when the new text takes as many lines at the widget's width as the old one (the
widget keeps its size, so nothing around it moves). A layout pass re-arranges the whole
screen; skipping it keeps a keystroke in the side panels to a repaint of the panel."""

from __future__ import annotations

from weakref import WeakKeyDictionary

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
    same_size = False
    if widget.is_mounted and width > 0 and fixed_width:
        height = new.get_height(widget.styles, width)
        same_size = _height_of(widget, old, width) == height
        _HEIGHTS[widget] = (new, width, height)
    widget.update(new, layout=not same_size)


# The height of the content each widget was last given, at its width: measuring it again
# (wrapping every line) is most of what an update costs.
_HEIGHTS: WeakKeyDictionary[Static, tuple[Content, int, int]] = WeakKeyDictionary()


def _height_of(widget: Static, content: Content, width: int) -> int:
    known = _HEIGHTS.get(widget)
    if known is not None and known[0] is content and known[1] == width:
        return known[2]
    return content.get_height(widget.styles, width)
