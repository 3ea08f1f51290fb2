-- What the portal's pages read on every visit, without scanning tables.
-- The home page lists recently changed entities (stitched_at only moves
-- when the stitched body changes) ...
CREATE INDEX final_entities_stitched_at ON final_entities (stitched_at);
-- ... and what has processing errors (few rows among many).
CREATE INDEX entities_with_errors ON entities (entity_ref) WHERE errors <> '[]';
CREATE INDEX sources_with_errors ON sources (source_key) WHERE errors <> '[]';
-- The locations page and unregistering read sources by root.
CREATE INDEX sources_root ON sources (root_key);
