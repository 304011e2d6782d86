-- Share of effective cost on rows that carry the tag key $key, and any tag at all. Credits
-- and refunds (negative costs) are left out, so the shares stay between 0 and 1.
SELECT sum(EffectiveCost) FILTER (WHERE list_contains(TagKeys, $key)) AS with_key,
       sum(EffectiveCost) FILTER (WHERE len(TagKeys) > 0) AS with_any,
       sum(EffectiveCost) AS total
FROM charges
WHERE EffectiveCost > 0
