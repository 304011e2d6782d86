-- Effective cost (`value`) of commitment discounts bought and not used.
SELECT coalesce(sum(EffectiveCost) FILTER (WHERE CommitmentDiscountStatus = 'Unused'), 0)
           AS value,
       count(*) FILTER (WHERE CommitmentDiscountStatus IS NOT NULL) AS commitment_rows
FROM charges
