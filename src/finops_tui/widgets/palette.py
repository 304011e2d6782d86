"""The command palette, kept from ending the app on a Textual 8 bug.

PageDown or PageUp pressed in Textual's palette after its command list has options but
before it has drawn them raises `KeyError` in `OptionList._move_page` (the list maps options
to lines only when it draws), and the app ends. This palette sends those two keys to the list
itself and, while the list cannot move a page yet, leaves them without effect. Everything else
is Textual's own palette.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType
from textual.command import CommandList
from textual.command import CommandPalette as TextualCommandPalette

_PAGE_KEYS = {"pagedown", "pageup"}


def _key_of(binding: BindingType) -> str:
    return binding.key if isinstance(binding, Binding) else binding[0]


class CommandPalette(TextualCommandPalette, inherit_bindings=False):
    """Textual's command palette, with PageDown/PageUp that cannot end the app."""

    BINDINGS = [
        *(b for b in TextualCommandPalette.BINDINGS if _key_of(b) not in _PAGE_KEYS),
        Binding("pagedown", "page(1)", "Next page", show=False),
        Binding("pageup", "page(-1)", "Previous page", show=False),
    ]

    def action_page(self, direction: int) -> None:
        commands = self.query_one(CommandList)
        try:
            if direction > 0:
                commands.action_page_down()
            else:
                commands.action_page_up()
        except KeyError:
            pass  # the list has not drawn its new options yet: nothing to page through
