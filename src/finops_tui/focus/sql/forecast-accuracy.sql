-- Back-test of the run-rate forecast: for every month before the latest one, the forecast
-- made from its first $day days against what the month cost.
WITH monthly AS (
    SELECT date_trunc('month', ChargePeriodStart) AS month,
           sum(EffectiveCost) AS actual,
           sum(EffectiveCost) FILTER (WHERE day(ChargePeriodStart) <= $day) AS early,
           day(last_day(date_trunc('month', ChargePeriodStart))) AS days_in_month
    FROM charges
    GROUP BY 1, 4
)
SELECT strftime(month, '%Y-%m') AS month, actual, early / $day * days_in_month AS forecast
FROM monthly
WHERE month < (SELECT max(month) FROM monthly) AND early IS NOT NULL
ORDER BY month
