-- The home page lists recently changed entities (stitched_at only moves
-- when the stitched body changes).
CREATE INDEX final_entities_stitched_at ON final_entities (stitched_at);
