-- Share (`value`) of effective cost on tag sets (`tag_sets`) that carry the tag key $key,
-- or any tag at all when $key is ''. `tag_key_map` gives each key as written its
-- normalised, aliased key.
WITH keyed AS (
    SELECT Tags, bool_or(tag_key = $key) AS has_key
    FROM (SELECT Tags, raw FROM tag_sets CROSS JOIN unnest(raw_keys) AS keys(raw))
    JOIN tag_key_map USING (raw)
    GROUP BY Tags
), shares AS (
    SELECT sum(cost) FILTER (WHERE has_key) AS with_key,
           sum(cost) FILTER (WHERE has_key IS NOT NULL) AS with_any,
           sum(cost) AS total
    FROM tag_sets LEFT JOIN keyed USING (Tags)
)
SELECT with_key, with_any, total,
       coalesce(CASE WHEN $key = '' THEN with_any ELSE with_key END, 0) / nullif(total, 0)
           AS value
FROM shares
