"""The keys of the screen, in one line at the bottom.

Textual's `Footer` draws each key as a widget of its own, and removes and mounts them all
again whenever the screen's keys may have changed: at every focus change, every dialog,
every step. Each of those widgets has its styles worked out two or three times as it
mounts, which made the footer the largest cost of moving between fields. The key bar is
one widget that draws one line: it is drawn again only when the keys it shows change.
It looks like the footer; as there, a key shows its tooltip under the pointer and a
click presses it.

A key that cannot act now is dimmed. Where the node that binds it (or, for a `screen.`
action, the screen) says why in its `why_not(action)`, the key stays pressable so that it can
say so (`say_why_not`), its tooltip is that sentence, and a click presses it too.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from textual import events
from textual.binding import ActiveBinding, Binding
from textual.content import Content
from textual.style import Style
from textual.widget import Widget

if TYPE_CHECKING:
    from textual.dom import DOMNode
    from textual.screen import Screen

GAP = 1
"""Columns between two keys."""


class Shown(NamedTuple):
    """One key as the bar shows it."""

    key: str
    """The key pressed when it is clicked."""
    display: str
    description: str
    enabled: bool
    palette: bool = False
    """The command palette's key, shown at the right."""
    tooltip: str = ""
    """Shown while the pointer rests on the key (else its description)."""
    why_not: str = ""
    """Why the node that binds the key says it cannot act now (its `why_not`): the key is
    dimmed, yet a click presses it, which shows this."""


@cache
def _declared(node_type: type) -> dict[str, int]:
    """Each action's place among the bindings a class declares, its bases' first (the order
    in which Textual merges them)."""
    places: dict[str, int] = {}
    for cls in reversed(node_type.__mro__):
        for binding in cls.__dict__.get("BINDINGS", ()):
            action = binding.action if isinstance(binding, Binding) else binding[1]
            places.setdefault(action, len(places))
    return places


def _why_not(screen: Screen[object], node: object, action: str) -> str:
    """Why the node of a binding (or for `screen.` actions, the screen) says the action cannot
    run now, in its `why_not` (an `ExplainedScreen`, the goal matrix); "" if it can."""
    owner = screen if action.startswith("screen.") else node
    why_not = getattr(owner, "why_not", None)
    return (why_not(action.removeprefix("screen.")) or "") if why_not is not None else ""


class KeyState(NamedTuple):
    enabled: bool
    """Whether the key can act now."""
    tooltip: str
    """Why it cannot, where its node says; else the binding's tooltip."""
    why_not: str


def key_state(screen: Screen[object], active: ActiveBinding) -> KeyState:
    """What the key bar and the keys panel show of an active binding of `screen`."""
    node, binding, enabled, tooltip = active
    why = _why_not(screen, node, binding.action) if enabled else ""
    return KeyState(enabled and not why, why or tooltip or binding.tooltip, why)


def say_why_not(node: DOMNode, reason: str | None) -> bool:
    """Show `reason`, if there is one (a `why_not`'s, as its key is pressed): whether there
    was."""
    if reason is None:
        return False
    node.notify(reason, timeout=6, markup=False)
    return True


class KeyBar(Widget, can_focus=False):
    """The screen's shown keys (`Binding(show=True)`), each "key description", and the
    command palette's key at the right; disabled keys dimmed, and those whose node says
    why they cannot act now."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--hover"}
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-bar--hover {
            background: $block-hover-background;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._keys: tuple[Shown, ...] = ()
        self._spans: list[tuple[int, int, Shown]] = []  # columns each key takes, last drawn
        self._hover: Shown | None = None

    def on_mount(self) -> None:
        # The screen says when its keys may have changed (it is mounted by then, so its
        # `check_action` can look at its widgets): at its first showing, a focus change, a
        # dialog, `refresh_bindings`. The keys are read once the screen has settled.
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._update)

    def _update(self) -> None:
        if not self.is_attached or not self.screen.is_current:
            return  # read again when its screen is shown again
        keys = self._shown(self.screen)
        if keys != self._keys:
            self._keys = keys
            self.refresh()

    def _shown(self, screen: Screen[object]) -> tuple[Shown, ...]:
        """The keys to show, one per action (the first key bound to it), as `Footer` picks
        them, in a steady order: from the focused widget out to the app, each node's keys
        as it declares them. (Textual's own order moves a key when a focused widget also
        binds one of its keys: in a text area, which binds F7, "Back" jumped before "Next".)"""
        app = self.app
        palette_key = app.COMMAND_PALETTE_BINDING if app.ENABLE_COMMAND_PALETTE else None
        focused = screen.focused
        nodes = focused.ancestors_with_self if focused else (screen, app)
        rank = {id(node): place for place, node in enumerate(nodes)}
        keys: dict[str, tuple[tuple[int, int, int], Shown]] = {}
        palette: Shown | None = None
        for seen, (key, active) in enumerate(screen.active_bindings.items()):
            node, binding = active.node, active.binding
            enabled, tip, why = key_state(screen, active)
            display = app.get_key_display(binding)
            if key == palette_key:
                palette = Shown(key, display, binding.description, enabled, True, tip)
            elif binding.show and binding.action not in keys:
                declared = _declared(type(node))  # keys bound otherwise come after those
                place = (
                    rank.get(id(node), len(rank)),
                    declared.get(binding.action, len(declared)),
                    seen,
                )
                shown = Shown(key, display, binding.description, enabled, False, tip, why)
                keys[binding.action] = (place, shown)
        ordered = [shown for _place, shown in sorted(keys.values(), key=lambda kept: kept[0])]
        return (*ordered, *([palette] if palette else []))

    @property
    def keys(self) -> tuple[Shown, ...]:
        """The keys the bar holds (some may be cut off at its right: see `visible`)."""
        return self._keys

    @property
    def visible(self) -> list[Shown]:
        """The keys drawn in full at the bar's present width."""
        return [shown for _start, _end, shown in self._spans]

    def render(self) -> Content:
        width = self.size.width
        styles = (
            self.get_visual_style("key-bar--key"),
            self.get_visual_style("key-bar--description"),
            self.get_visual_style("key-bar--hover"),
        )
        keys = [k for k in self._keys if not k.palette]
        palette = [k for k in self._keys if k.palette]
        needed = sum(self._width(k) for k in keys) + GAP * (len(keys) - 1)
        # Where the keys do not all fit, the palette's key goes short ("^p"), then goes.
        for right in (palette, [k._replace(description="") for k in palette], []):
            right_width = sum(GAP + self._width(k) for k in right)
            if needed <= width - right_width:
                break
        parts: list[Content] = []
        spans: list[tuple[int, int, Shown]] = []
        column = 0
        for shown in keys:
            size = self._width(shown)
            if column + size > width - right_width:
                break
            parts += [self._drawn(shown, *styles), Content(" " * GAP)]
            spans.append((column, column + size, shown))
            column += size + GAP
        if right:
            start = width - right_width + GAP
            parts.append(Content(" " * max(0, start - column)))
            for shown in right:
                parts.append(self._drawn(shown, *styles))
                spans.append((start, start + self._width(shown), shown))
        self._spans = spans
        return Content("").join(parts).truncate(width)

    @staticmethod
    def _width(shown: Shown) -> int:
        return Content(f" {shown.display} {shown.description}").cell_length

    def _drawn(self, shown: Shown, key_style: Style, text_style: Style, hover: Style) -> Content:
        key = Content.styled(f" {shown.display} ", key_style)
        drawn = key + Content.styled(shown.description, text_style)
        if not shown.enabled:
            drawn = drawn.stylize("dim")
        if shown == self._hover:
            drawn = drawn.stylize(hover)
        return drawn

    def _at(self, x: int) -> Shown | None:
        return next((shown for start, end, shown in self._spans if start <= x < end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        hover = self._at(event.x)
        if hover != self._hover:
            self._hover = hover
            self.tooltip = (hover.tooltip or hover.description) if hover else None
            self.refresh()

    def on_leave(self) -> None:
        if self._hover is not None:
            self._hover = None
            self.tooltip = None
            self.refresh()

    def on_click(self, event: events.Click) -> None:
        shown = self._at(event.x)
        if shown is None:
            return
        event.stop()
        if shown.enabled or shown.why_not:  # the latter to say why not
            self.app.simulate_key(shown.key)
        else:
            self.app.bell()
