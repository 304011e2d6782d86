-- Cost by month, service category and sub-account: effective, billed and list cost.
-- The KPI's value is the sum of effective_cost.
SELECT strftime(month, '%Y-%m') AS month, service_category, sub_account,
       effective_cost, billed_cost, list_cost
FROM (
    SELECT CAST(date_trunc('month', ChargePeriodStart) AS DATE) AS month,
           {ServiceCategory} AS service_category,
           {SubAccountId} AS sub_account,
           sum(EffectiveCost) AS effective_cost,
           sum({BilledCost}) AS billed_cost,
           sum({ListCost}) AS list_cost
    FROM charges
    GROUP BY 1, 2, 3
)
ORDER BY month, service_category NULLS LAST, sub_account NULLS LAST
