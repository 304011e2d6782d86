-- Share of usage cost (effective) that commitment discounts covered: `value`.
SELECT covered, usage, coalesce(covered, 0) / nullif(usage, 0) AS value
FROM (
    SELECT sum(EffectiveCost) FILTER (WHERE CommitmentDiscountStatus = 'Used') AS covered,
           sum(EffectiveCost) FILTER (WHERE ChargeCategory = 'Usage') AS usage
    FROM charges
)
