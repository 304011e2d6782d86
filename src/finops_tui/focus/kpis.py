"""The KPIs a goal can be baselined with, each one small SQL over the `charges` view.

A KPI that the data cannot answer says so ("not computable: needs column X") instead of
giving a number; a ratio is a fraction (0.75, shown as 75 %), an amount is money in the
data's currency.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from finops_tui.focus.dialects import source
from finops_tui.focus.files import FocusError, shown
from finops_tui.focus.reader import OpenData as CostData

ANOMALY_K = 3.0
ANOMALY_MIN_HISTORY = 7
FORECAST_DAY = 15  # the back-test forecasts each month from its first 15 days
FRACTION = "ratio"


@dataclass
class Options:
    """What some KPIs need besides the cost data."""

    tag_key: str | None = None
    budget: float | None = None
    budgets: dict[str, float] | None = None  # by month, YYYY-MM
    unit_metric: dict[str, float] | None = None  # business units by month, YYYY-MM


@dataclass
class Result:
    """One KPI's answer: a value, or the reason there is none."""

    kpi: str
    value: float | None = None
    unit: str = ""
    period: str = ""
    note: str | None = None
    error: str | None = None
    detail: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value, "unit": self.unit, "period": self.period}
        out["error" if self.error else "note"] = self.error or self.note
        if self.detail:
            out["detail"] = self.detail
        return out


class NotComputable(Exception):
    """The data (or the options) cannot answer this KPI; the message says what is missing."""


@dataclass(frozen=True)
class Kpi:
    id: str
    title: str
    needs: tuple[str, ...]
    compute: Callable[[CostData, Options], Result]


def sql(name: str) -> str:
    """The KPI's SQL file as written (DuckDB's dialect; `dialects.py` renders the others)."""
    return source(name)


def _one(data: CostData, name: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    rows = data.rows(name, params)
    return rows[0] if rows else {}


def _money(data: CostData) -> str:
    return data.currency or "money"


def _value(kpi: str, row: dict[str, Any], why: str) -> Result:
    """The KPI's `value` from its SQL (NULL where its denominator is 0 or absent)."""
    if row.get("value") is None:
        raise NotComputable(why)
    return Result(kpi, row["value"], FRACTION)


def cost_by_month(data: CostData, options: Options) -> Result:
    optional = {c: c if data.has(c) else "NULL" for c in ("ServiceCategory", "SubAccountId")}
    optional |= {c: c if data.has(c) else "NULL::DOUBLE" for c in ("BilledCost", "ListCost")}
    detail = data.rows("cost-by-month", slots=optional)
    total = sum(row["effective_cost"] or 0.0 for row in detail)
    missing = data.missing(["ServiceCategory", "SubAccountId", "BilledCost", "ListCost"])
    note = f"without {', '.join(missing)} (not in the data)" if missing else None
    return Result("cost-by-month", total, _money(data), note=note, detail=detail)


def tag_coverage(data: CostData, options: Options) -> Result:
    key = data.tag_key(options.tag_key) if options.tag_key else ""
    data.keep("tag_sets", "tag-sets")
    written = [row["raw"] for row in data.rows("tag-keys", slots={"tag_key": "raw"})]
    # Each key as written gets its normalised key from the one function Python uses too.
    data.pairs("tag_key_map", [(k, data.tag_key(k)) for k in written])
    row = _one(data, "tag-coverage", {"key": key})
    with_key, with_any = row["with_key"], row["with_any"]
    result = _value("tag-coverage", row, "no effective cost in the period")
    if key:
        result.note = f"share of effective cost tagged {key!r}"
        if not with_key:
            keys = sorted({data.tag_key(k) for k in written})
            listed = ", ".join(map(repr, keys[:10])) + (", …" if len(keys) > 10 else "")
            result.note += f"; no charge has that key (the data has {listed or 'no tags'})"
    else:
        result.note = "share of effective cost with any tag (--tag-key K for one key)"
    result.detail = [{"tag_key": key or None, "with_key": with_key, "with_any_tag": with_any}]
    return result


def commitment_utilization(data: CostData, options: Options) -> Result:
    why = "no used or unused commitment discount cost in the period"
    return _value("commitment-utilization", _one(data, "commitment-utilization"), why)


def effective_savings_rate(data: CostData, options: Options) -> Result:
    why = "no list cost in the period"
    return _value("effective-savings-rate", _one(data, "effective-savings-rate"), why)


def commitment_coverage(data: CostData, options: Options) -> Result:
    row = _one(data, "commitment-coverage")
    result = _value("commitment-coverage", row, "no usage cost in the period")
    result.note = (
        "approximate: commitment-covered usage cost over all usage cost; FOCUS 1.4 adds the "
        "columns for the exact eligible cost"
    )
    return result


def unused_commitment_cost(data: CostData, options: Options) -> Result:
    row = _one(data, "unused-commitment-cost")
    note = None if row["commitment_rows"] else "no commitment discount charges in the period"
    return Result("unused-commitment-cost", row["value"], _money(data), note=note)


def anomaly_days(data: CostData, options: Options) -> Result:
    judged = data.rows("anomaly-days", {"k": ANOMALY_K, "min_history": ANOMALY_MIN_HISTORY})
    if not judged:
        raise NotComputable(
            f"needs at least {ANOMALY_MIN_HISTORY + 1} days of cost data "
            f"({ANOMALY_MIN_HISTORY} days of history before a day can be judged)"
        )
    anomalies = [
        {"day": r["day"].isoformat(), "cost": r["cost"], "mean": r["mean"], "sd": r["sd"]}
        for r in judged
        if r["anomaly"]
    ]
    note = (
        f"{len(judged)} day(s) judged against the previous 28 days "
        f"(at least {ANOMALY_MIN_HISTORY}); anomaly = more than {ANOMALY_K:g} σ from the mean"
    )
    return Result("anomaly-days", float(len(anomalies)), "days", note=note, detail=anomalies)


def forecast_month_end(data: CostData, options: Options) -> Result:
    row = _one(data, "forecast-month-end")
    if not row:
        raise NotComputable("no cost data in the period")
    days, month = row["days_in_month"], row["month"]
    note = f"run rate of {month} from {row['latest_day'].day} of {days} days"
    return Result("forecast-month-end", row["value"], _money(data), note=note)


def forecast_accuracy(data: CostData, options: Options) -> Result:
    months = data.rows("forecast-accuracy", {"day": FORECAST_DAY})
    months = [m for m in months if m["actual"]]
    if not months:
        raise NotComputable("needs at least one whole month of cost data before the latest month")
    errors = [abs(m["forecast"] - m["actual"]) / abs(m["actual"]) for m in months]
    note = (
        f"1 - mean absolute error of run-rate forecasts made on day {FORECAST_DAY}, "
        f"over {len(months)} month(s)"
    )
    return Result(
        "forecast-accuracy", 1 - sum(errors) / len(errors), FRACTION, note=note, detail=months
    )


def _monthly(data: CostData) -> dict[str, float]:
    return {r["month"]: r["cost"] or 0.0 for r in data.rows("monthly-cost")}


def budget_variance(data: CostData, options: Options) -> Result:
    monthly = _monthly(data)
    if options.budgets:
        months = sorted(set(monthly) & set(options.budgets))
        if not months:
            raise NotComputable("the budgets CSV has no month that the cost data has")
        actual = sum(monthly[m] for m in months)
        budget = sum(options.budgets[m] for m in months)
        detail = [{"month": m, "cost": monthly[m], "budget": options.budgets[m]} for m in months]
    elif options.budget is not None:
        actual, budget, detail = sum(monthly.values()), options.budget, []
    else:
        raise NotComputable("needs a budget: --budget AMOUNT or --budgets CSV")
    if not math.isfinite(budget) or budget < 0:
        raise NotComputable(f"the budget {budget!r} is not a finite amount of 0 or more")
    if not budget:
        raise NotComputable("the budget is 0")
    note = "(cost - budget) / budget: above 0 is over budget"
    return Result("budget-variance", (actual - budget) / budget, FRACTION, note=note, detail=detail)


def unit_cost(data: CostData, options: Options) -> Result:
    if not options.unit_metric:
        raise NotComputable("needs a business metric: --unit-metric CSV (month,units)")
    monthly = _monthly(data)
    months = sorted(set(monthly) & set(options.unit_metric))
    units = sum(options.unit_metric[m] for m in months)
    if not units:
        raise NotComputable("the business-metric CSV has no units in a month of the data")
    detail = [{"month": m, "cost": monthly[m], "units": options.unit_metric[m]} for m in months]
    cost = sum(monthly[m] for m in months)
    return Result("unit-cost", cost / units, f"{_money(data)} per unit", detail=detail)


KPIS: dict[str, Kpi] = {
    k.id: k
    for k in (
        Kpi("cost-by-month", "Cost by month", ("EffectiveCost",), cost_by_month),
        Kpi("tag-coverage", "Tag coverage", ("EffectiveCost", "Tags"), tag_coverage),
        Kpi(
            "commitment-utilization",
            "Commitment utilization",
            ("EffectiveCost", "CommitmentDiscountStatus"),
            commitment_utilization,
        ),
        Kpi(
            "effective-savings-rate",
            "Effective savings rate",
            ("EffectiveCost", "ListCost"),
            effective_savings_rate,
        ),
        Kpi(
            "commitment-coverage",
            "Commitment coverage",
            ("EffectiveCost", "ChargeCategory", "CommitmentDiscountStatus"),
            commitment_coverage,
        ),
        Kpi(
            "unused-commitment-cost",
            "Unused commitment cost",
            ("EffectiveCost", "CommitmentDiscountStatus"),
            unused_commitment_cost,
        ),
        Kpi("anomaly-days", "Anomaly days", ("EffectiveCost",), anomaly_days),
        Kpi("forecast-month-end", "Month-end forecast", ("EffectiveCost",), forecast_month_end),
        Kpi("forecast-accuracy", "Forecast accuracy", ("EffectiveCost",), forecast_accuracy),
        Kpi("budget-variance", "Budget variance", ("EffectiveCost",), budget_variance),
        Kpi("unit-cost", "Unit cost", ("EffectiveCost",), unit_cost),
    )
}


def format_value(value: float | None, unit: str) -> str:
    """A KPI value as people read it: 75.0%, 3 days, 1,234.50 USD."""
    if value is None:
        return "-"
    if unit == FRACTION:
        return f"{value:.1%}"
    if unit == "days":
        return f"{value:.0f} days"
    return f"{value:,.2f} {unit}"


def period_of(data: CostData) -> str:
    return data.check.period


def _finite(result: Result) -> Result:
    """The result, or the reason it is none when the arithmetic overflowed."""
    numbers = [result.value] + [
        v for row in result.detail for v in row.values() if isinstance(v, float)
    ]
    if any(v is not None and not math.isfinite(v) for v in numbers):
        error = "not computable: the amounts are too large to add up (the figure overflows)"
        return Result(result.kpi, unit=result.unit, error=error)
    return result


def compute(
    data: CostData,
    kpi_ids: list[str],
    options: Options,
    progress: Callable[[str, float | None], None] | None = None,
) -> dict[str, Result]:
    """Each KPI asked for, in order; a KPI the data cannot answer carries its reason.
    `progress(what, share)` hears of each KPI as it starts."""
    period = period_of(data)
    results: dict[str, Result] = {}
    for done, kpi_id in enumerate(kpi_ids):
        if progress is not None:
            progress(f"Computing {kpi_id}…", done / len(kpi_ids))
        kpi = KPIS[kpi_id]
        if missing := data.missing(kpi.needs):
            why = f"not computable: needs column {', '.join(missing)}"
            results[kpi_id] = Result(kpi_id, period=period, error=why)
            continue
        try:
            result = _finite(kpi.compute(data, options))
        except NotComputable as exc:
            result = Result(kpi_id, error=f"not computable: {exc}")
        result.period = period
        results[kpi_id] = result
    return results


def parse_amount(text: str, what: str) -> float:
    """A finite, non-negative amount typed by a person or read from a file (ValueError says
    what is wrong with it)."""
    try:
        value = float(text.strip().replace("_", ""))
    except ValueError:
        raise ValueError(f"{what} {text.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{what} {text.strip()!r} is not a finite number")
    if value < 0:
        raise ValueError(f"{what} {text.strip()!r} is negative")
    return value


_MONTH = re.compile(r"\d{4}-\d{2}")


def read_monthly_csv(path: Path, what: str) -> dict[str, float]:
    """A CSV of `month,amount` rows (YYYY-MM, a number), with or without a header row."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise FocusError(f"{shown(path)}: cannot read the {what} ({exc})") from None
    values: dict[str, float] = {}
    for number, row in enumerate(csv.reader(text.splitlines()), 1):
        if not row or not "".join(row).strip():
            continue
        if len(row) < 2:
            raise FocusError(f"{shown(path)}:{number}: expected month,amount")
        month, amount = row[0].strip(), row[1].strip()
        if number == 1 and not _MONTH.fullmatch(month):
            continue  # a header row
        if not _MONTH.fullmatch(month):
            raise FocusError(f"{shown(path)}:{number}: month {shown(month)!r} is not YYYY-MM")
        try:
            values[month] = values.get(month, 0.0) + parse_amount(amount, "the amount")
        except ValueError as exc:
            raise FocusError(f"{shown(path)}:{number}: {exc}") from None
    if not values:
        raise FocusError(f"{shown(path)}: no month,amount rows")
    return values


# -- bring the KPI to the data: the same SQL, for a FOCUS table in a warehouse ---------------

# Each KPI's SQL file for a warehouse, and how its rows give the KPI.
WAREHOUSE: dict[str, tuple[str, str]] = {
    "cost-by-month": ("cost-by-month", "the KPI is the sum of effective_cost"),
    "tag-coverage": (
        "tag-coverage",
        "value: the share of effective cost tagged with the key (with any tag without a key)",
    ),
    "commitment-utilization": ("commitment-utilization", "value: used / (used + unused)"),
    "effective-savings-rate": (
        "effective-savings-rate",
        "value: (list cost - effective cost) / list cost",
    ),
    "commitment-coverage": (
        "commitment-coverage",
        "value: commitment-covered usage cost / all usage cost (approximate before FOCUS 1.4)",
    ),
    "unused-commitment-cost": ("unused-commitment-cost", "value: an amount in the currency"),
    "anomaly-days": ("anomaly-days", "the KPI is the number of days where anomaly is true"),
    "forecast-month-end": ("forecast-month-end", "value: the latest month's run rate"),
    "forecast-accuracy": (
        "forecast-accuracy",
        "the KPI is 1 - the mean of abs(forecast - actual) / abs(actual)",
    ),
    "budget-variance": ("monthly-cost", "the KPI is (the sum of cost - budget) / budget"),
    "unit-cost": ("monthly-cost", "the KPI is the sum of cost / the business units"),
}
PARAMS = {"k": ANOMALY_K, "min_history": ANOMALY_MIN_HISTORY, "day": FORECAST_DAY}


def warehouse_sql(
    kpi_ids: list[str],
    dialect: str,
    table: str,
    *,
    tag_key: str | None = None,
    tag_aliases: dict[str, str] | None = None,
    where: str | None = None,
) -> str:
    """Each KPI's query for the FOCUS table `table` in `dialect`, each after a comment
    naming the KPI: to run in the warehouse's own console, where the data lives."""
    from finops_tui.focus.dialects import for_table, tag_key_sql
    from finops_tui.focus.tags import TagKeys

    keys = TagKeys(tag_aliases)
    params = PARAMS | {"key": keys(tag_key) if tag_key else ""}
    optional = {c: c for c in ("ServiceCategory", "SubAccountId", "BilledCost", "ListCost")}
    views = {
        "tag_sets": ("tag-sets", {}),
        "tag_key_map": ("tag-keys", {"tag_key": tag_key_sql(keys.aliases)}),
    }
    out = []
    for kpi_id in kpi_ids:
        name, how = WAREHOUSE[kpi_id]
        query = for_table(
            name,
            dialect,
            table,
            params,
            where=where,
            slots=optional if name == "cost-by-month" else None,
            views=views if name == "tag-coverage" else None,
        )
        out.append(f"-- {kpi_id}: {KPIS[kpi_id].title}; {how}\n{query};\n")
    return "\n".join(out)
