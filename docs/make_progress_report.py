"""Regenerate the README's picture of the progress report: `python docs/make_progress_report.py`.

Renders `finops-tui progress --format html` for the sample history of the test suite
(tests/progress_history.py: five iterations, a move to the 2025 framework) and screenshots
it with a headless Chromium (on Debian: `apt-get install chromium`) into
docs/screenshots/progress-report.png.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.progress_history import team_history  # noqa: E402

from finops_tui.progress import render  # noqa: E402
from finops_tui.progress.facts import facts_of  # noqa: E402
from finops_tui.progress.trend import compute_trend  # noqa: E402

OUT = ROOT / "docs" / "screenshots" / "progress-report.png"
WINDOW = "1000,1500"


def main() -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("needs chromium on the PATH (Debian: apt-get install chromium)")
    html = render(compute_trend(facts_of(it) for it in team_history()), "html")
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "progress.html"
        page.write_text(html, encoding="utf-8")
        subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             f"--screenshot={OUT}", f"--window-size={WINDOW}", page.as_uri()],
            check=True,
            capture_output=True,
        )  # fmt: skip
    print(f"Wrote {OUT}")


if __name__ == "__main__":
    main()
