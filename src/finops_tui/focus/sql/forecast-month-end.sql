-- Run-rate forecast (`value`) of the latest month in the data: spent so far, scaled to
-- the month.
WITH latest AS (
    SELECT CAST(date_trunc('month', max(ChargePeriodStart)) AS DATE) AS month FROM charges
), spent AS (
    SELECT latest.month AS month,
           sum(EffectiveCost) AS spent,
           max(CAST(ChargePeriodStart AS DATE)) AS latest_day
    FROM charges CROSS JOIN latest
    WHERE CAST(date_trunc('month', ChargePeriodStart) AS DATE) = latest.month
    GROUP BY latest.month
)
SELECT strftime(month, '%Y-%m') AS month, spent, latest_day,
       day(last_day(month)) AS days_in_month,
       spent / day(latest_day) * day(last_day(month)) AS value
FROM spent
