"""The frame of a standalone HTML report: one page, its styles inline, nothing fetched."""

from __future__ import annotations

from finops_tui.export.escape import html_text

END = ["</body>", "</html>"]


def start(title: str, css: str) -> list[str]:
    """The page up to its body: charset, viewport, the (escaped) title and the inline CSS."""
    return [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html_text(title)}</title>",
        f"<style>{css}</style>",
        "</head>",
        "<body>",
    ]
