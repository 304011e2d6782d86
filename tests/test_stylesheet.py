"""The app's stylesheet skips parsing CSS it already holds (or another app of the process
parsed), and the screens look exactly as with Textual's own stylesheet: through a change of
mode, a change of theme and back, in a first app and in one after it."""

from __future__ import annotations

from textual.css.stylesheet import Stylesheet

from finops_tui.steps import Step
from finops_tui.store import Store
from finops_tui.stylesheet import SHARED, SteadyStylesheet

from .conftest import make_iteration
from .ui import home_ready, make_app, open_step


async def screens(store: Store, *, steady: bool) -> list[str]:
    """The home screen, the goals, then both again in the light theme, as SVG."""
    app = make_app(store)
    if not steady:
        app.stylesheet = Stylesheet(variables=app.get_css_variables())
    assert isinstance(app.stylesheet, SteadyStylesheet) is steady
    shots = []
    async with app.run_test(size=(80, 24)) as pilot:
        for theme in ("textual-dark", "textual-light"):
            app.theme = theme
            await home_ready(pilot)
            await pilot.pause()
            shots.append(app.export_screenshot(simplify=True))
            await open_step(pilot, Step.GOALS)
            shots.append(app.export_screenshot(simplify=True))
            await pilot.press("escape")
            await home_ready(pilot)
    return shots


async def test_the_screens_look_as_with_textuals_own_stylesheet(store: Store) -> None:
    store.save(make_iteration())
    steady = await screens(store, steady=True)
    plain = await screens(store, steady=False)
    assert steady == plain
    assert await screens(store, steady=True) == plain  # from the rules the first app parsed
    assert SHARED  # with Textual 8; another Textual parses in each app, as its own does
    dark_home, dark_goals, light_home, light_goals = steady
    assert dark_home != light_home and dark_goals != light_goals  # the theme still applies
