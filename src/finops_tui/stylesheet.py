"""A stylesheet that does not parse the same CSS again while nothing it depends on changed.

`App.refresh_css` runs for each mode the app opens or goes back to (opening an iteration,
going home), and each time Textual's `Stylesheet` forgot every parsed rule
(`set_variables`) and parsed all of the app's CSS again in a fresh stylesheet (`reparse`):
25 sources, a third of the CPU time of opening an iteration, although neither the CSS nor
its variables had changed. Parsed rules depend only on the sources and the variables, so
while both are equal the rules already held are the answer. A theme change, or a widget
class bringing new CSS, still parses afresh.

Only the public methods of `Stylesheet` are overridden, and only to skip work: with any
other behaviour of Textual's the result is the same, if slower.
"""

from __future__ import annotations

from typing import Any

from textual.css.stylesheet import Stylesheet


class SteadyStylesheet(Stylesheet):
    """A `Stylesheet` that skips `set_variables` and `reparse` when they would change nothing."""

    def __init__(self, *, variables: dict[str, str] | None = None) -> None:
        super().__init__(variables=variables)
        self._steady_variables = dict(variables or {})
        self._parsed_from: tuple[Any, ...] | None = None  # what the rules held come from

    def set_variables(self, variables: dict[str, str]) -> None:
        if variables == self._steady_variables:
            return
        self._steady_variables = dict(variables)
        super().set_variables(variables)

    def parse(self) -> None:
        super().parse()
        self._parsed_from = self._depends_on()

    def reparse(self) -> None:
        if self._depends_on() == self._parsed_from:
            return  # the rules held were parsed from these very sources and variables
        super().reparse()
        self._parsed_from = self._depends_on()

    def _depends_on(self) -> tuple[Any, ...]:
        return tuple(self._steady_variables.items()), tuple(self.source.items())
