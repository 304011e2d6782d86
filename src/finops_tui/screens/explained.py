"""Screens whose keys say why they cannot act now.

Textual dims a key whose action cannot run (`check_action` returning None), and a dimmed
key pressed does nothing at all: on the list, `s` on an iteration under way, or `a` on the
Plan with no goal, left a newcomer guessing. Here a screen says in `why_not` why an action
cannot run now, in a sentence that says what would let it. The key bar draws that key dimmed
all the same, and the key, pressed, shows the sentence (`refused`, at the top of the
action).
"""

from __future__ import annotations

from finops_tui.screens.fresh import FreshScreen
from finops_tui.widgets.key_bar import say_why_not


class ExplainedScreen(FreshScreen):
    """A screen whose unavailable actions say why."""

    def why_not(self, action: str) -> str | None:
        """Why `action` (its name, without `screen.`) cannot run now; None when it can."""
        return None

    def refused(self, action: str) -> bool:
        """Whether `action` cannot run now; if so, why is shown."""
        return say_why_not(self, self.why_not(action))
