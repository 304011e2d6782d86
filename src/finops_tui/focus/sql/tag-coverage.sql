-- Share of effective cost on rows that carry the tag key $key, and any tag at all. Credits
-- and refunds (negative costs) are left out, so the shares stay between 0 and 1. Rows are
-- summed per distinct tag set first: tag sets repeat, so each is parsed once.
WITH tag_sets AS (
    SELECT Tags, sum(EffectiveCost) AS cost
    FROM charges
    WHERE EffectiveCost > 0
    GROUP BY Tags
), keyed AS (
    SELECT tag_keys(Tags) AS keys, cost FROM tag_sets
)
SELECT sum(cost) FILTER (WHERE list_contains(keys, $key)) AS with_key,
       sum(cost) FILTER (WHERE len(keys) > 0) AS with_any,
       sum(cost) AS total
FROM keyed
