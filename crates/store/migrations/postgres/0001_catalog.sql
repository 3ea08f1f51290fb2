-- Catalog ingestion state and stitched entities.
-- Every text column compares byte by byte (COLLATE "C"), as in SQLite and
-- Rust, whatever the locale the database was created with, so listing and
-- paging order is the same on both backends.
CREATE TABLE sources (
    source_key    TEXT COLLATE "C" PRIMARY KEY,
    parent_source TEXT COLLATE "C",
    parent_ref    TEXT COLLATE "C",
    root_key      TEXT COLLATE "C" NOT NULL,
    origin_key    TEXT COLLATE "C" NOT NULL,
    content_hash  TEXT COLLATE "C",
    children      TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    errors        TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    last_read_at  BIGINT
);
CREATE INDEX sources_parent_ref ON sources (parent_ref);

CREATE TABLE entities (
    entity_ref    TEXT COLLATE "C" PRIMARY KEY,
    entity_id     TEXT COLLATE "C" NOT NULL UNIQUE,
    kind          TEXT COLLATE "C" NOT NULL,
    namespace     TEXT COLLATE "C" NOT NULL,
    name          TEXT COLLATE "C" NOT NULL,
    source_key    TEXT COLLATE "C",
    processed     TEXT COLLATE "C",
    result_hash   TEXT COLLATE "C" NOT NULL,
    errors        TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    -- JSON [[type, target], …] of the relations whose source is this entity
    -- (the rest are rows of `relations`); NULL until it first processes.
    own_relations TEXT COLLATE "C",
    orphan        BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX entities_source_key ON entities (source_key);

-- Entities whose final form must be rebuilt. A narrow table of its own, so
-- marking thousands of entities touches a small index, not the wide
-- entities table.
CREATE TABLE stitch_queue (
    entity_ref TEXT COLLATE "C" PRIMARY KEY
);

-- Relation rows whose source is another entity than the one that emitted
-- them (the emitter's own side is `entities.own_relations`), so each
-- relation pair costs one row here. Rows are replaced per emitter (by
-- origin); stitching reads them by source through a covering index.
CREATE TABLE relations (
    originating_ref TEXT COLLATE "C" NOT NULL,
    source_ref      TEXT COLLATE "C" NOT NULL,
    relation_type   TEXT COLLATE "C" NOT NULL,
    target_ref      TEXT COLLATE "C" NOT NULL
);
CREATE INDEX relations_by_origin ON relations (originating_ref);
CREATE INDEX relations_by_source ON relations (source_ref, relation_type, target_ref);

CREATE TABLE final_entities (
    entity_ref  TEXT COLLATE "C" PRIMARY KEY,
    entity_id   TEXT COLLATE "C" NOT NULL UNIQUE,
    kind        TEXT COLLATE "C" NOT NULL,
    namespace   TEXT COLLATE "C" NOT NULL,
    name        TEXT COLLATE "C" NOT NULL,
    body        TEXT COLLATE "C" NOT NULL,
    hash        TEXT COLLATE "C" NOT NULL,
    stitched_at BIGINT NOT NULL
);
CREATE INDEX final_entities_kind ON final_entities (kind);

-- Locations registered through the API (catalog.locations come from config).
CREATE TABLE locations (
    id         TEXT COLLATE "C" PRIMARY KEY,
    type       TEXT COLLATE "C" NOT NULL,
    target     TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (type, target)
);
