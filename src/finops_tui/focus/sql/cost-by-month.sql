-- Cost by month, service category and sub-account: effective, billed and list cost.
SELECT strftime(date_trunc('month', ChargePeriodStart), '%Y-%m') AS month,
       {ServiceCategory} AS service_category,
       {SubAccountId} AS sub_account,
       sum(EffectiveCost) AS effective_cost,
       sum({BilledCost}) AS billed_cost,
       sum({ListCost}) AS list_cost
FROM charges
GROUP BY ALL
ORDER BY month, service_category NULLS LAST, sub_account NULLS LAST
