-- Share of usage cost (effective) that commitment discounts covered.
SELECT sum(EffectiveCost) FILTER (WHERE CommitmentDiscountStatus = 'Used') AS covered,
       sum(EffectiveCost) FILTER (WHERE ChargeCategory = 'Usage') AS usage
FROM charges
