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
    orphan        BOOLEAN NOT NULL DEFAULT FALSE,
    stitch_needed BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX entities_source_key ON entities (source_key);
CREATE INDEX entities_stitch_needed ON entities (entity_ref) WHERE stitch_needed;

CREATE TABLE relations (
    originating_ref TEXT NOT NULL,
    source_ref      TEXT NOT NULL,
    relation_type   TEXT NOT NULL,
    target_ref      TEXT NOT NULL
);
CREATE INDEX relations_originating_ref ON relations (originating_ref);
CREATE INDEX relations_source_ref ON relations (source_ref);

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
