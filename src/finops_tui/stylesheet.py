"""A stylesheet that does not parse the same CSS again while nothing it depends on changed.

`App.refresh_css` runs for each mode the app opens or goes back to (opening an iteration,
going home), and each time Textual's `Stylesheet` forgot every parsed rule
(`set_variables`) and parsed all of the app's CSS again in a fresh stylesheet (`reparse`):
25 sources, a third of the CPU time of opening an iteration, although neither the CSS nor
its variables had changed. Parsed rules depend only on the sources and the variables, so
while both are equal the rules already held are the answer. A theme change, or a widget
class bringing new CSS, still parses afresh.

Each app also parsed the very CSS every other app of the process had parsed with the same
variables (a tenth of the CPU time of opening an app and a step, where a process makes many
apps, as the test suite does): the rules of each source are kept for the process, by source
and variables. That is Textual's own per-stylesheet cache made
process-wide, through its private `_parse_rules`: it is used only where that method has the
parameters of Textual 8 (`SHARED`); elsewhere each app parses its own, as before.

Otherwise only the public methods of `Stylesheet` are overridden, and only to skip work:
with any other behaviour of Textual's the result is the same, if slower.
"""

from __future__ import annotations

import inspect
from typing import Any

from textual.css.model import RuleSet
from textual.css.stylesheet import Stylesheet

_PARSE_RULES = ("self", "css", "read_from", "is_default_rules", "tie_breaker", "scope")
SHARED = (
    tuple(inspect.signature(getattr(Stylesheet, "_parse_rules", lambda: None)).parameters)
    == _PARSE_RULES
)
"""Whether parsed rules are shared between the stylesheets of this process."""
_parsed: dict[tuple[Any, ...], list[RuleSet]] = {}
"""The rules of each source parsed in this process, by the source and the variables."""


class SteadyStylesheet(Stylesheet):
    """A `Stylesheet` that skips `set_variables` and `reparse` when they would change nothing,
    and the parsing of CSS another stylesheet of the process parsed with the same variables."""

    def __init__(self, *, variables: dict[str, str] | None = None) -> None:
        super().__init__(variables=variables)
        self._variables_key = tuple((variables or {}).items())
        self._parsed_from: tuple[Any, ...] | None = None  # what the rules held come from

    def set_variables(self, variables: dict[str, str]) -> None:
        if variables == dict(self._variables_key):
            return
        self._variables_key = tuple(variables.items())
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
        return self._variables_key, tuple(self.source.items())

    if SHARED:

        def _parse_rules(
            self,
            css: str,
            read_from: Any,
            is_default_rules: bool = False,
            tie_breaker: int = 0,
            scope: str = "",
        ) -> list[RuleSet]:
            key = (self._variables_key, css, read_from, is_default_rules, tie_breaker, scope)
            rules = _parsed.get(key)
            if rules is None:
                rules = super()._parse_rules(css, read_from, is_default_rules, tie_breaker, scope)
                _parsed[key] = rules
            return rules
