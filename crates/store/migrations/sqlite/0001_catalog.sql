-- Catalog ingestion state and stitched entities.
CREATE TABLE sources (
    source_key    TEXT PRIMARY KEY,
    parent_source TEXT,
    parent_ref    TEXT,
    root_key      TEXT NOT NULL,
    origin_key    TEXT NOT NULL,
    content_hash  TEXT,
    children      TEXT NOT NULL DEFAULT '[]',
    errors        TEXT NOT NULL DEFAULT '[]',
    last_read_at  BIGINT
);
CREATE INDEX sources_parent_ref ON sources (parent_ref);

CREATE TABLE entities (
    entity_ref    TEXT PRIMARY KEY,
    entity_id     TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL,
    namespace     TEXT NOT NULL,
    name          TEXT NOT NULL,
    source_key    TEXT,
    processed     TEXT,
    result_hash   TEXT NOT NULL,
    errors        TEXT NOT NULL DEFAULT '[]',
    -- JSON [[type, target], …] of the relations whose source is this entity
    -- (the rest are rows of `relations`); NULL until it first processes.
    own_relations TEXT,
    orphan        BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX entities_source_key ON entities (source_key);

-- Entities whose final form must be rebuilt. A narrow table of its own, so
-- marking thousands of entities touches a small index, not the wide
-- entities table.
CREATE TABLE stitch_queue (
    entity_ref TEXT PRIMARY KEY
) WITHOUT ROWID;

-- Relation rows whose source is another entity than the one that emitted
-- them (the emitter's own side is `entities.own_relations`), so each
-- relation pair costs one row here. Rows are replaced per emitter (by
-- origin); stitching reads them by source through a covering index.
CREATE TABLE relations (
    originating_ref TEXT NOT NULL,
    source_ref      TEXT NOT NULL,
    relation_type   TEXT NOT NULL,
    target_ref      TEXT NOT NULL
);
CREATE INDEX relations_by_origin ON relations (originating_ref);
CREATE INDEX relations_by_source ON relations (source_ref, relation_type, target_ref);

CREATE TABLE final_entities (
    entity_ref  TEXT PRIMARY KEY,
    entity_id   TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    namespace   TEXT NOT NULL,
    name        TEXT NOT NULL,
    body        TEXT NOT NULL,
    hash        TEXT NOT NULL,
    stitched_at BIGINT NOT NULL
);
CREATE INDEX final_entities_kind ON final_entities (kind);

-- Locations registered through the API (catalog.locations come from config).
CREATE TABLE locations (
    id         TEXT PRIMARY KEY,
    type       TEXT NOT NULL,
    target     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (type, target)
);
