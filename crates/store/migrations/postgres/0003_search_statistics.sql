-- The planner estimates `key_id = k AND value = v` as if the two columns
-- were independent, which undercounts common pairs (`spec.type = service`)
-- by orders of magnitude and makes it collect and sort every match of a
-- filter instead of walking the ref index for one page. Multi-column
-- most-common-value statistics give it the real frequency of each pair.
CREATE STATISTICS search_key_value (mcv) ON key_id, value FROM search;
ALTER TABLE search ALTER COLUMN value SET STATISTICS 500;
