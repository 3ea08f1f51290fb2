-- Filters, facets, sorting and full-text matching of the catalog API read
-- search rows: every entity flattened into (key, value) pairs, as Backstage
-- does. Rows point at final entities through a compact integer id, and keys
-- are interned, so a row costs a few bytes plus its value.

CREATE TABLE final_entities_v2 (
    id          INTEGER PRIMARY KEY,
    entity_ref  TEXT NOT NULL UNIQUE,
    entity_id   TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    namespace   TEXT NOT NULL,
    name        TEXT NOT NULL,
    body        TEXT NOT NULL,
    hash        TEXT NOT NULL,
    stitched_at BIGINT NOT NULL
);
INSERT INTO final_entities_v2 (entity_ref, entity_id, kind, namespace, name, body, hash, stitched_at)
    SELECT entity_ref, entity_id, kind, namespace, name, body, hash, stitched_at
    FROM final_entities ORDER BY entity_ref;
DROP TABLE final_entities;
ALTER TABLE final_entities_v2 RENAME TO final_entities;
CREATE INDEX final_entities_kind ON final_entities (kind);

CREATE TABLE search_keys (
    id  INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE
);

-- `seq` numbers the rows of one entity; `value` is lower-cased (NULL for a
-- null or over-long value); `original` holds the value as written only when
-- it differs from `value`.
CREATE TABLE search (
    entity_row INTEGER NOT NULL,
    key_id     INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    value      TEXT,
    original   TEXT,
    PRIMARY KEY (entity_row, key_id, seq)
) WITHOUT ROWID;
CREATE INDEX search_by_value ON search (key_id, value, entity_row, original);

-- Existing entities get their rows at their next stitch.
INSERT INTO stitch_queue (entity_ref) SELECT entity_ref FROM final_entities WHERE true
    ON CONFLICT DO NOTHING;

-- Force a restitch of existing entities (their hash is unchanged).
UPDATE final_entities SET hash = '';
