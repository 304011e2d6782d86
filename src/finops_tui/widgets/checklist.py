"""The scope picker: every capability of the catalogue, grouped by domain, with a tick box."""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from finops_tui.catalog import Capability, Catalog

CHECKED = "☑"
UNCHECKED = "☐"


class CapabilityChecklist(OptionList):
    """Capabilities under their domain headings; Space (or Enter) ticks the highlighted one.

    The toggle happens while the key is handled, on the row highlighted at that moment, so a
    burst of keys (paste, SSH, `tmux send-keys`) ticks exactly the rows the keys were meant
    for. The state shows as ☑/☐ in the text, so it survives `NO_COLOR`.
    """

    BINDINGS = [
        Binding("space", "toggle", "Tick", tooltip="Tick or untick the highlighted capability"),
    ]

    class Toggled(Message):
        """A capability was ticked or unticked."""

        def __init__(self, checklist: CapabilityChecklist, capability: str, checked: bool) -> None:
            super().__init__()
            self.checklist = checklist
            self.capability = capability
            self.checked = checked

    def __init__(
        self,
        catalog: Catalog,
        checked: Iterable[str] = (),
        *,
        read_only: bool = False,
        start_at: str | None = None,
        id: str | None = None,
    ) -> None:
        """`start_at`: the capability highlighted first (else the first one)."""
        self.start_at = start_at
        self.catalog = catalog
        self.checked: set[str] = set(checked)
        self.read_only = read_only
        options: list[Option] = []
        for domain in catalog.domains:
            options.append(
                Option(Content.styled(domain.name, "bold"), id=f"domain:{domain.id}", disabled=True)
            )
            options.extend(
                Option(self._prompt(c), id=c.id) for c in catalog.capabilities_in(domain.id)
            )
        super().__init__(*options, id=id)

    def on_mount(self) -> None:
        self.highlighted = self._first_capability_index()
        if self.start_at is not None:
            self.highlight_capability(self.start_at)

    def _first_capability_index(self) -> int:
        return next(i for i, option in enumerate(self.options) if not option.disabled)

    def _prompt(self, capability: Capability) -> Content:
        box = CHECKED if capability.id in self.checked else UNCHECKED
        return Content(f" {box} {capability.name}")

    def highlight_capability(self, capability: str) -> None:
        """Put the highlight on a capability's row, if it has one."""
        for index, option in enumerate(self.options):
            if option.id == capability:
                self.highlighted = index
                return

    @property
    def highlighted_capability(self) -> Capability | None:
        if self.highlighted is None:
            return None
        option = self.get_option_at_index(self.highlighted)
        return None if option.disabled or option.id is None else self.catalog.capability(option.id)

    def selected(self) -> list[str]:
        """The ticked capabilities, in catalogue order."""
        return [c.id for c in self.catalog.capabilities if c.id in self.checked]

    def set_checked(self, capabilities: Iterable[str]) -> None:
        """Tick exactly these capabilities (only the rows that change are drawn again)."""
        wanted = set(capabilities)
        changed = wanted ^ self.checked
        self.checked = wanted
        for index, option in enumerate(self.options):
            if option.id in changed:
                self.replace_option_prompt_at_index(
                    index, self._prompt(self.catalog.capability(option.id))
                )

    def action_toggle(self) -> None:
        capability = self.highlighted_capability
        if capability is None or self.read_only:
            return
        checked = capability.id not in self.checked
        if checked:
            self.checked.add(capability.id)
        else:
            self.checked.discard(capability.id)
        assert self.highlighted is not None
        self.replace_option_prompt_at_index(self.highlighted, self._prompt(capability))
        self.post_message(self.Toggled(self, capability.id, checked))

    def action_select(self) -> None:
        # Enter ticks too, straight away (OptionList would post a message and act later).
        self.action_toggle()
