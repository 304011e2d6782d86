-- Days whose effective cost lies more than $k standard deviations from the mean of the
-- previous 28 days, judged only with at least $min_history days of that history.
WITH daily AS (
    SELECT CAST(ChargePeriodStart AS DATE) AS day, sum(EffectiveCost) AS cost
    FROM charges
    GROUP BY 1
), judged AS (
    SELECT day, cost,
           avg(cost) OVER history AS mean,
           coalesce(stddev_samp(cost) OVER history, 0) AS sd,
           count(*) OVER history AS days
    FROM daily
    WINDOW history AS (
        ORDER BY day RANGE BETWEEN INTERVAL 28 DAYS PRECEDING AND INTERVAL 1 DAYS PRECEDING
    )
)
SELECT day, cost, mean, sd, abs(cost - mean) > $k * sd + 1e-9 AS anomaly
FROM judged
WHERE days >= $min_history
ORDER BY day
