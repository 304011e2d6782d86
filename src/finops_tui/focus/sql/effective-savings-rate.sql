-- Effective savings rate (`value`): what rates and discounts saved against list prices.
SELECT list_cost, effective_cost, (list_cost - effective_cost) / nullif(list_cost, 0) AS value
FROM (
    SELECT sum(ListCost) AS list_cost, sum(EffectiveCost) AS effective_cost
    FROM charges
    WHERE ListCost IS NOT NULL AND EffectiveCost IS NOT NULL
)
