-- Effective savings rate: what rates and discounts saved against list prices.
SELECT sum(ListCost) AS list_cost, sum(EffectiveCost) AS effective_cost
FROM charges
WHERE ListCost IS NOT NULL AND EffectiveCost IS NOT NULL
