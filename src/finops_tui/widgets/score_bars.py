"""A capability's score in each iteration as a horizontal bar on the fixed 0-20 scale.

Textual's `Sparkline` scales a line from its own lowest value to its highest, so scores of
1, 2 and 2 out of 20 drew as nothing, everything, everything, a single iteration as a full
bar, and its colours paint the highest value red. Here a bar's length is the score itself
(the whole width is 20), its colour the level as in the grid, and its figures are beside
it: `#2 ██▌          4→5`.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

MAX_SCORE = 20
EIGHTHS = " ▏▎▍▌▋▊▉█"
# The grid's colours: the capability's average level (score / 5), 0 … 4.
LEVEL_STYLES = ("red", "dark_orange", "yellow", "green", "bold green")


class ScoreBar(NamedTuple):
    """One iteration's row: its label (`#3`), the score the bar shows (None: the capability
    is not in that iteration's scope) and the figures to print beside it (`4→…`)."""

    label: str
    score: int | None
    figures: str


def level_style(score: int) -> str:
    return LEVEL_STYLES[min(len(LEVEL_STYLES) - 1, max(0, score) // 5)]


def bar_text(score: int, width: int) -> str:
    """`score` out of 20 as `width` cells, to the eighth of a cell; any score above 0 shows."""
    eighths = round(min(max(score, 0), MAX_SCORE) * width * 8 / MAX_SCORE)
    if score > 0:
        eighths = max(1, eighths)
    full, part = divmod(eighths, 8)
    return ("█" * full + (EIGHTHS[part] if part else "")).ljust(width)


def score_lines(
    bars: list[ScoreBar], width: int, height: int, caption_style: Style | str = "bold"
) -> list[Text]:
    """The caption, then one line per iteration, the newest last; where fewer lines than
    iterations fit in `height`, the newest, and the caption says how many of how many.
    Nothing for no iterations."""
    if not bars:
        return []
    rows = max(0, height - 1)
    shown = bars[-rows:] if rows else []
    caption = "Score (0-20) per iteration"
    if len(shown) < len(bars):
        caption = f"Score (0-20), the last {len(shown)} of {len(bars)}"
    lines = [Text(caption, style=caption_style, no_wrap=True, overflow="ellipsis")]
    label_width = max((len(b.label) for b in shown), default=0)
    figures_width = max((len(b.figures) for b in shown), default=0)
    bar_width = max(1, width - label_width - figures_width - 2)
    for bar in shown:
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(bar.label.rjust(label_width) + " ")
        if bar.score is None:
            line.append(" " * bar_width)
        else:
            line.append(bar_text(bar.score, bar_width), style=level_style(bar.score))
        dim = "dim" if bar.score is None else ""
        line.append(" " + bar.figures.rjust(figures_width), style=dim)
        lines.append(line)
    return lines


class ScoreBars(Widget):
    """The highlighted capability's score per iteration (`score_lines`), as tall as its rows
    (within the height its container leaves it)."""

    COMPONENT_CLASSES = {"score-bars--caption"}
    DEFAULT_CSS = """
    ScoreBars {
        height: auto;
        margin-top: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    ScoreBars > .score-bars--caption {
        color: $text-muted;
        text-style: bold;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._bars: list[ScoreBar] = []

    def show(self, bars: list[ScoreBar]) -> None:
        if bars == self._bars:
            return
        layout = len(bars) != len(self._bars)
        self._bars = list(bars)
        self.refresh(layout=layout)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 1 + len(self._bars)

    def render(self) -> Text:
        size = self.content_region.size
        text = Text("\n", no_wrap=True, overflow="ellipsis")
        caption = self.get_component_rich_style("score-bars--caption")
        return text.join(score_lines(self._bars, size.width, size.height, caption))
