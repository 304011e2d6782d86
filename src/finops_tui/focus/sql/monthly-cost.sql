-- Effective cost per month (for budgets and unit costs).
SELECT strftime(month, '%Y-%m') AS month, cost
FROM (
    SELECT CAST(date_trunc('month', ChargePeriodStart) AS DATE) AS month,
           sum(EffectiveCost) AS cost
    FROM charges
    GROUP BY 1
)
ORDER BY 1
