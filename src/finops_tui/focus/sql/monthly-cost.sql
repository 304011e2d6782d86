-- Effective cost per month (for budgets and unit costs).
SELECT strftime(date_trunc('month', ChargePeriodStart), '%Y-%m') AS month,
       sum(EffectiveCost) AS cost
FROM charges
GROUP BY 1
ORDER BY 1
