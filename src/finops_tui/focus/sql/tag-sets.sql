-- Effective cost per distinct tag set, with the set's keys as written (NULL when the tags
-- are not JSON). Credits and refunds (negative costs) are left out, so the shares stay
-- between 0 and 1. Tag sets repeat, so each is parsed once.
CREATE OR REPLACE TEMP TABLE tag_sets AS
SELECT Tags, sum(EffectiveCost) AS cost,
       CASE WHEN json_valid(Tags) THEN json_keys(Tags) END AS raw_keys
FROM charges
WHERE EffectiveCost > 0
GROUP BY Tags
