"""Child process: start an app headless, print one line at its first painted frame, exit.

    python bench/first_paint.py bare
    python bench/first_paint.py finops DATA_DIR          # the first frame of the home screen
    python bench/first_paint.py finops-loaded DATA_DIR   # the first frame with the list filled

finops-tui starts through its command line (`finops-tui --data-dir DATA_DIR`), as a user
starts it; only `App.run` is told to be headless at 80x24.

Both sides are measured the same way: the parent times from spawning this process to
reading the line (and takes the process's max RSS when it exits).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any


def main() -> None:
    which = sys.argv[1]
    app: Any
    if which == "bare":
        sys.path.insert(0, str(Path(__file__).parent))
        from bare_app import BareApp

        app = BareApp()

        def ready() -> bool:
            return type(app.screen).__name__ == "Screen"

        watch(app, ready)
        app.run(headless=True, size=(80, 24))
    else:
        from finops_tui import cli
        from finops_tui.app import FinOpsApp

        run = FinOpsApp.run

        def headless_run(self: FinOpsApp, *args: Any, **kwargs: Any) -> Any:
            def ready() -> bool:
                if type(self.screen).__name__ != "HomeScreen":
                    return False
                if which == "finops":
                    return True
                # The list filled: the history read and a row shown for each iteration.
                if self.session.loading:
                    return False
                rows = self.screen.query_one("#iterations").row_count
                return bool(rows == len(self.session.history.summaries))

            watch(self, ready)
            return run(self, *args, **{**kwargs, "headless": True, "size": (80, 24)})

        FinOpsApp.run = headless_run  # type: ignore[method-assign]
        cli.run(["--data-dir", sys.argv[2]])


def watch(app: Any, ready: Any) -> None:
    """Print `painted` when the first frame is handed to the terminal once `ready()`."""

    display = app._display
    painted = False

    def first_frame(screen: Any, renderable: Any) -> None:
        nonlocal painted
        display(screen, renderable)
        if renderable is not None and not painted and ready():
            painted = True
            print("painted", flush=True)
            # Not `exit()` here: this frame may be drawn while the app is still composing
            # (finops-tui's list can fill that early), and an exit in the middle of that
            # ends in an error whose traceback alone (rich, pygments) adds 9 MB to the
            # process. Once the frame is out, the app ends as a user's would.
            app.call_later(app.exit)

    app._display = first_frame


if __name__ == "__main__":
    main()
