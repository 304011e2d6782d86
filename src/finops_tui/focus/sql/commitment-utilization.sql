-- Used and unused commitment discount cost: utilization (`value`) = used / (used + unused).
SELECT used, unused,
       coalesce(used, 0) / nullif(coalesce(used, 0) + coalesce(unused, 0), 0) AS value
FROM (
    SELECT sum(EffectiveCost) FILTER (WHERE CommitmentDiscountStatus = 'Used') AS used,
           sum(EffectiveCost) FILTER (WHERE CommitmentDiscountStatus = 'Unused') AS unused
    FROM charges
)
