-- Effective cost per distinct tag set, with the set's keys as written (NULL when the tags
-- are not a JSON object). Credits and refunds (negative costs) are left out, so the shares
-- stay between 0 and 1. Tag sets repeat, so each is parsed once (kept as `tag_sets`).
SELECT Tags, sum(EffectiveCost) AS cost, {tag_keys} AS raw_keys
FROM charges
WHERE EffectiveCost > 0
GROUP BY Tags
