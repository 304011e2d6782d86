-- Days whose effective cost lies more than $k standard deviations from the mean of the
-- previous 28 days, judged only with at least $min_history days of that history.
WITH daily AS (
    SELECT CAST(ChargePeriodStart AS DATE) AS day, sum(EffectiveCost) AS cost
    FROM charges
    GROUP BY 1
), numbered AS (
    SELECT day, cost, date_diff('day', DATE '1970-01-01', day) AS day_number
    FROM daily
), judged AS (
    SELECT day, cost,
           avg(cost) OVER (ORDER BY day_number RANGE BETWEEN 28 PRECEDING AND 1 PRECEDING)
               AS mean,
           coalesce(stddev_samp(cost) OVER (
               ORDER BY day_number RANGE BETWEEN 28 PRECEDING AND 1 PRECEDING), 0) AS sd,
           count(*) OVER (ORDER BY day_number RANGE BETWEEN 28 PRECEDING AND 1 PRECEDING)
               AS days
    FROM numbered
)
SELECT day, cost, mean, sd, abs(cost - mean) > $k * sd + 1e-9 AS anomaly
FROM judged
WHERE days >= $min_history
ORDER BY day
