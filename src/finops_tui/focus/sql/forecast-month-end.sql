-- Run-rate forecast of the latest month in the data: spent so far, scaled to the month.
WITH latest AS (
    SELECT date_trunc('month', max(ChargePeriodStart)) AS month FROM charges
)
SELECT strftime(latest.month, '%Y-%m') AS month,
       sum(EffectiveCost) AS spent,
       max(CAST(ChargePeriodStart AS DATE)) AS last_day,
       day(last_day(latest.month)) AS days_in_month
FROM charges, latest
WHERE date_trunc('month', ChargePeriodStart) = latest.month
GROUP BY latest.month
