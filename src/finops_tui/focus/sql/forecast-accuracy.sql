-- Back-test of the run-rate forecast: for every month before the latest one, the forecast
-- made from its first $day days against what the month cost. The KPI's value is
-- 1 - the mean of abs(forecast - actual) / abs(actual).
WITH monthly AS (
    SELECT CAST(date_trunc('month', ChargePeriodStart) AS DATE) AS month,
           sum(EffectiveCost) AS actual,
           sum(EffectiveCost) FILTER (WHERE day(ChargePeriodStart) <= $day) AS early
    FROM charges
    GROUP BY 1
)
SELECT strftime(month, '%Y-%m') AS month, actual,
       early / $day * day(last_day(month)) AS forecast
FROM monthly
WHERE month < (SELECT max(month) FROM monthly) AND early IS NOT NULL
ORDER BY month
