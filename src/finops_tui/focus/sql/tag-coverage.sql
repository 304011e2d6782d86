-- Share of effective cost on tag sets (tag-sets.sql) that carry the tag key $key, and any
-- tag at all. `tag_key_map` gives each key as written its normalised, aliased key.
WITH keyed AS (
    SELECT Tags, bool_or(key = $key) AS has_key
    FROM (SELECT Tags, unnest(raw_keys) AS raw FROM tag_sets)
    JOIN tag_key_map USING (raw)
    GROUP BY Tags
)
SELECT sum(cost) FILTER (WHERE has_key) AS with_key,
       sum(cost) FILTER (WHERE has_key IS NOT NULL) AS with_any,
       sum(cost) AS total
FROM tag_sets LEFT JOIN keyed USING (Tags)
