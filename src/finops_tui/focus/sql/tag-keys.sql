-- Each tag key as written in `tag_sets`, and the key it is compared as (`tag_key_map`).
-- finops-tui's engines normalise the keys in Python (NFKC, case-folded, trimmed) and
-- apply the aliases; in a warehouse, {tag_key} lower-cases, trims and aliases them.
SELECT DISTINCT raw, {tag_key} AS tag_key
FROM tag_sets CROSS JOIN unnest(raw_keys) AS keys(raw)
