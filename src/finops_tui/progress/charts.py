"""The progress report's charts, drawn as inline SVG text: no script, no external asset.

Each chart is one `<svg>` with a `<title>`; every text in it is escaped. Colours are chosen
to stay apart in print and in grey, and every value is also written as a number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from finops_tui.export.escape import html_text as esc
from finops_tui.lenses import CAPABILITY_MAX_SCORE, LENSES
from finops_tui.progress.facts import finite
from finops_tui.progress.tables import ARROW, column, value_text
from finops_tui.progress.trend import CapabilityTrend, MeasurementPoint, Trend

INK = "#1d2733"
MUTED = "#6b7785"
GRID = "#d5dbe3"
LINE = "#2f6fbd"
LEVEL_FILL = ("#eef1f5", "#cfe3f7", "#8fbce8", "#3d84c6", "#1f4e85")
LEVEL_INK = (INK, INK, INK, "#ffffff", "#ffffff")
OUTCOME_FILL = {"achieved": "#2e7d32", "partly": "#e0a106", "missed": "#c62828", "open": "#9aa5b1"}
FONT = 'font-family="system-ui, sans-serif"'


def _n(value: float) -> str:
    """A coordinate, short."""
    return str(value) if value.__class__ is int else f"{value:.1f}"


def svg(width: float, height: float, title: str, body: Sequence[str]) -> str:
    """One chart: a scalable `<svg>` titled for screen readers."""
    return (
        f'<svg class="chart" viewBox="0 0 {_n(width)} {_n(height)}" width="{_n(width)}" '
        f'height="{_n(height)}" role="img" aria-label="{esc(title)}" {FONT} font-size="11">'
        f"<title>{esc(title)}</title>" + "".join(body) + "</svg>"
    )


def text(x: float, y: float, content: str, *, anchor: str = "start", fill: str = INK,
         size: int | None = None, weight: str | None = None) -> str:  # fmt: skip
    extra = (f' font-size="{size}"' if size else "") + (
        f' font-weight="{weight}"' if weight else ""
    )
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" fill="{fill}"{extra}>'
        f"{esc(content)}</text>"
    )


def line(x1: float, y1: float, x2: float, y2: float, stroke: str, width: float = 1,
         dash: str | None = None) -> str:  # fmt: skip
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{stroke}" '
        f'stroke-width="{_n(width)}"{dashed}/>'
    )


def rect(x: float, y: float, w: float, h: float, fill: str, stroke: str | None = None) -> str:
    outline = f' stroke="{stroke}"' if stroke else ""
    return (
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" fill="{fill}"{outline}/>'
    )


def polyline(points: Sequence[tuple[float, float]], stroke: str, width: float = 1.5) -> str:
    coords = " ".join([f"{x:.1f},{y:.1f}" for x, y in points])
    return (
        f'<polyline points="{coords}" fill="none" stroke="{stroke}" '
        f'stroke-width="{_n(width)}" stroke-linejoin="round"/>'
    )


def circle(x: float, y: float, r: float, fill: str, stroke: str | None = None) -> str:
    outline = f' stroke="{stroke}" stroke-width="1.5"' if stroke else ""
    return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="{fill}"{outline}/>'


# -- score per capability: small multiples ---------------------------------------------------

PANEL_W, PANEL_H, PANELS_PER_ROW = 300, 128, 3
PLOT_TOP, PLOT_H, PLOT_LEFT, PLOT_W = 26, 70, 26, 256
DOTS_FROM = 8  # px between iterations: closer than this, the dots would only blur the line


def score_chart(trend: Trend) -> str:
    """One small panel per capability: the score across all iterations, the start and the end
    of each iteration joined by a line, a gap where the scope left it out. The panels share
    one scale, from 0 to the highest score or target rounded up to 5 (20 at most)."""
    count = max(1, len(trend.iterations))
    highest = max(
        (max(p.score_start, p.score_end or 0, p.target_score or 0)
         for c in trend.capabilities for p in c.points),
        default=0,
    )  # fmt: skip
    frame = _Frame(
        {h.id: i for i, h in enumerate(trend.iterations)},
        PLOT_W / count,
        max(5, min(CAPABILITY_MAX_SCORE, -(-highest // 5) * 5)),
        framework_changes(trend),
    )
    rows = -(-len(trend.capabilities) // PANELS_PER_ROW)
    body = []
    for k, capability in enumerate(trend.capabilities):
        ox = (k % PANELS_PER_ROW) * PANEL_W
        oy = (k // PANELS_PER_ROW) * PANEL_H
        body += _panel(capability, frame, ox, oy, trend)
    title = "Score per capability (0-20) across iterations: start to end of each iteration"
    return svg(PANEL_W * PANELS_PER_ROW, PANEL_H * rows, title, body)


def framework_changes(trend: Trend) -> list[int]:
    """The places (iteration indexes) where an iteration's framework differs from the one
    before it, e.g. the move from finops-2023 to finops-2025."""
    heads = trend.iterations
    return [i for i in range(1, len(heads)) if heads[i].framework != heads[i - 1].framework]


class _Frame(NamedTuple):
    """What the panels of the score chart share."""

    index: dict[str, int]
    """Each iteration's place on the x axis."""
    step: float
    top: int
    """The score at the top of the y axis."""
    changes: list[int]
    """Places on the x axis where the framework changes."""


def _panel(capability: CapabilityTrend, frame: _Frame, ox: float, oy: float,
           trend: Trend) -> list[str]:  # fmt: skip
    index, step, top, changes = frame

    def y(score: float) -> float:
        return oy + PLOT_TOP + PLOT_H * (1 - score / top)

    left, right = ox + PLOT_LEFT, ox + PLOT_LEFT + PLOT_W
    name = capability.name if len(capability.name) <= 44 else capability.name[:43] + "…"
    out = [text(ox + 4, oy + 14, name, weight="600")]
    for score in dict.fromkeys((0, top // 2, top)):
        out.append(line(left, y(score), right, y(score), GRID))
        out.append(text(left - 4, y(score) + 4, str(score), anchor="end", fill=MUTED, size=9))
    for i in changes:
        out.append(line(left + i * step, y(top), left + i * step, y(0), MUTED, 1, "2 2"))
    runs: list[list[tuple[float, float]]] = []
    last = -2
    half = min(step * 0.3, 6.0)
    for point in capability.points:
        i = index[point.iteration]
        x = left + (i + 0.5) * step
        path = [(x - half, y(point.score_start))]
        if point.score_end is not None:
            path.append((x + half, y(point.score_end)))
        if i == last + 1 and runs:
            runs[-1] += path
        else:
            runs.append(path)
        last = i
    out += [polyline(run, LINE) for run in runs if len(run) > 1]
    for point in capability.points if step >= DOTS_FROM else ():  # a long history: lines only
        x = left + (index[point.iteration] + 0.5) * step
        if point.score_end is None:
            out.append(circle(x - half, y(point.score_start), 2.5, "#ffffff", LINE))
        else:
            out.append(circle(x + half, y(point.score_end), 2.5, LINE))
    latest = capability.points[-1]
    if latest.target_score is not None:
        ty = y(latest.target_score)
        out.append(line(left, ty, right, ty, "#c62828", 1, "4 3"))
        out.append(text(right, ty - 3, f"target {latest.target_score}", anchor="end",
                        fill="#c62828", size=9))  # fmt: skip
    first, final = trend.iterations[0], trend.iterations[-1]
    out.append(text(left, oy + PLOT_TOP + PLOT_H + 14, column(first), fill=MUTED, size=9))
    out.append(
        text(right, oy + PLOT_TOP + PLOT_H + 14, column(final), anchor="end", fill=MUTED, size=9)
    )
    now = latest.score_end if latest.score_end is not None else latest.score_start
    where = column(trend.iteration(latest.iteration))
    out.append(text(ox + PANEL_W - 8, oy + 14, f"{now}/20 in {where}", anchor="end", fill=MUTED,
                    size=10))  # fmt: skip
    return out


# -- lens heatmap of one capability -----------------------------------------------------------

LABEL_W, CELL_H, HEAD_H, HEATMAP_W = 92, 24, 22, 640


def lens_heatmap(trend: Trend, capability: CapabilityTrend) -> str:
    """The five lenses × the iterations whose scope holds the capability, coloured by the
    level the iteration stands at (the end once closed), `a→b` where it moved a level.

    At most HEATMAP_W wide: on a long history the cells narrow and keep only their colour."""
    points = capability.points
    cell_w = min(56.0, HEATMAP_W / len(points))
    labelled, wide = cell_w >= 14, cell_w >= 34
    label_every = max(1, round(28 / cell_w))
    half = _n(cell_w / 2)
    # Every cell of a row looks alike but for its level: its markup is made once per level,
    # and each column is placed with a translation. Labels are made of digits and an arrow.
    cells = [
        [
            f'<rect y="{HEAD_H + i * CELL_H}" width="{_n(cell_w)}" height="{CELL_H}" '
            f'fill="{LEVEL_FILL[level]}" stroke="#ffffff"/>'
            for level in range(len(LEVEL_FILL))
        ]
        for i in range(len(LENSES))
    ]
    labels = [
        [
            f'<text x="{half}" y="{HEAD_H + i * CELL_H + 16}" text-anchor="middle" '
            f'fill="{LEVEL_INK[level]}">'
            for level in range(len(LEVEL_FILL))
        ]
        for i in range(len(LENSES))
    ]
    numbers = _columns(trend)
    body = []
    for j, point in enumerate(points):
        body.append(f'<g transform="translate({_n(LABEL_W + j * cell_w)},0)">')
        if j % label_every == 0:
            body.append(text(cell_w / 2, HEAD_H - 8, numbers[point.iteration], anchor="middle",
                             fill=MUTED, size=10))  # fmt: skip
        end = point.end or point.start
        for i, (start, shown) in enumerate(zip(point.start, end, strict=True)):
            body.append(cells[i][shown])
            if labelled:
                label = f"{start}{ARROW}{shown}" if wide and shown != start else str(shown)
                body.append(f"{labels[i][shown]}{label}</text>")
        body.append("</g>")
    for i, lens in enumerate(LENSES):
        body.append(text(LABEL_W - 6, HEAD_H + i * CELL_H + 16, lens.label, anchor="end"))
    width = LABEL_W + len(points) * cell_w + 4
    title = f"{capability.name}: level per lens (0-4) in each iteration that scopes it"
    return svg(width, HEAD_H + len(LENSES) * CELL_H + 4, title, body)


def _columns(trend: Trend) -> dict[str, str]:
    """Each iteration's column label (`#3`), by id."""
    return {head.id: column(head) for head in trend.iterations}


# -- goals per iteration: stacked bars --------------------------------------------------------

BARS_H, BARS_TOP, BARS_LEFT, LEGEND_STEP = 140, 30, 30, 90


def goals_chart(trend: Trend) -> str:
    """Per iteration, its goals stacked by outcome: achieved, partly, missed, open."""
    count = max(1, len(trend.goals))
    slot = min(48.0, 720 / count)
    most = max((g.total for g in trend.goals), default=0) or 1
    unit = BARS_H / most
    body = []
    x0 = BARS_LEFT
    for k, (outcome, fill) in enumerate(OUTCOME_FILL.items()):
        lx = x0 + k * LEGEND_STEP
        body.append(rect(lx, 6, 10, 10, fill))
        body.append(text(lx + 14, 15, outcome))
    base = BARS_TOP + BARS_H
    body.append(line(x0, base, x0 + count * slot, base, MUTED))
    body.append(text(x0 - 4, base + 4, "0", anchor="end", fill=MUTED, size=9))
    body.append(text(x0 - 4, BARS_TOP + 4, str(most), anchor="end", fill=MUTED, size=9))
    label_every = max(1, round(30 / slot))
    for j, (head, goals) in enumerate(zip(trend.iterations, trend.goals, strict=True)):
        x = x0 + j * slot + slot * 0.15
        y = base
        for outcome, fill in OUTCOME_FILL.items():
            height = getattr(goals, outcome) * unit
            if height:
                y -= height
                body.append(rect(x, y, slot * 0.7, height, fill))
        if goals.total and slot >= 18:
            body.append(text(x + slot * 0.35, y - 3, f"{goals.achieved}/{goals.total}",
                             anchor="middle", size=9))  # fmt: skip
        if j % label_every == 0:
            body.append(text(x + slot * 0.35, base + 14, column(head), anchor="middle",
                             fill=MUTED, size=9))  # fmt: skip
    title = "Goals per iteration by outcome (achieved, partly, missed, open)"
    width = max(x0 + count * slot + 10, x0 + len(OUTCOME_FILL) * LEGEND_STEP)
    return svg(width, base + 22, title, body)


# -- KPI measurements over time ---------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """The measurements of one KPI in one unit, in time order."""

    kpi: str
    unit: str
    points: tuple[tuple[datetime, float, str], ...]
    """(when, value, the iteration's column label)."""


def measurement_series(trend: Trend) -> list[Series]:
    """The finite measurements grouped by KPI and unit (a goal without a KPI counts as
    "metric"), each in time order."""
    labels = _columns(trend)
    groups: dict[tuple[str, str], list[tuple[datetime, float, str]]] = {}
    for m in trend.measurements:
        value = finite(m.value)
        if value is None:
            continue
        key = (m.kpi or "metric", m.unit)
        groups.setdefault(key, []).append((_moment(m), value, labels[m.iteration]))
    return [Series(kpi, unit, tuple(sorted(pts))) for (kpi, unit), pts in groups.items()]


def _moment(m: MeasurementPoint) -> datetime:
    return datetime.fromisoformat(m.at.replace("Z", "+00:00"))


SERIES_W, SERIES_H, SERIES_LEFT, SERIES_TOP, SERIES_INSET = 640, 150, 70, 24, 30
MAX_LABELLED = 24


def series_chart(series: Series) -> str:
    """One KPI's measured values over time."""
    times = [p[0].timestamp() for p in series.points]
    values = [p[1] for p in series.points]
    t0, t1 = min(times), max(times)
    low, high = min(values), max(values)
    pad = (high - low) * 0.1 or abs(high) * 0.1 or 1.0
    v0, v1 = low - pad, high + pad
    plot_w, plot_h = SERIES_W - SERIES_LEFT - 20, SERIES_H - SERIES_TOP - 30
    inset = SERIES_INSET

    def x(t: float) -> float:
        share = (t - t0) / (t1 - t0) if t1 > t0 else 0.5
        return SERIES_LEFT + inset + (plot_w - 2 * inset) * share

    def y(v: float) -> float:
        return SERIES_TOP + plot_h * (1 - (v - v0) / (v1 - v0))

    unit = f" ({series.unit})" if series.unit else ""
    body = [text(4, 14, f"{series.kpi}{unit}", weight="600")]
    for v in dict.fromkeys((low, high)):
        body.append(line(SERIES_LEFT, y(v), SERIES_LEFT + plot_w, y(v), GRID))
        body.append(text(SERIES_LEFT - 4, y(v) + 4, value_text(v), anchor="end", fill=MUTED,
                         size=9))  # fmt: skip
    coords = [(x(t), y(v)) for t, v in zip(times, values, strict=True)]
    if len(coords) > 1:
        body.append(polyline(coords, LINE))
    last = len(coords) - 1
    for k, ((cx, cy), (_, value, label)) in enumerate(zip(coords, series.points, strict=True)):
        body.append(circle(cx, cy, 3, LINE))
        if last < MAX_LABELLED or k in (0, last):  # a long series: its ends only
            body.append(text(cx + 5, cy - 6, f"{value_text(value)} {label}", size=9))
    bottom = SERIES_TOP + plot_h + 16
    first_day = series.points[0][0].date().isoformat()
    body.append(text(x(t0), bottom, first_day, anchor="middle", fill=MUTED, size=9))
    if t1 > t0:
        last_day = series.points[-1][0].date().isoformat()
        body.append(text(x(t1), bottom, last_day, anchor="middle", fill=MUTED, size=9))
    return svg(SERIES_W, SERIES_H, f"{series.kpi}{unit}: measured values over time", body)
