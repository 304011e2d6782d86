-- Used and unused commitment discount cost: utilization = used / (used + unused).
SELECT sum(EffectiveCost) FILTER (WHERE CommitmentDiscountStatus = 'Used') AS used,
       sum(EffectiveCost) FILTER (WHERE CommitmentDiscountStatus = 'Unused') AS unused
FROM charges
