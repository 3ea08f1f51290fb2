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
    orphan        BOOLEAN NOT NULL DEFAULT FALSE,
    stitch_needed BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX entities_source_key ON entities (source_key);
CREATE INDEX entities_stitch_needed ON entities (entity_ref) WHERE stitch_needed;

CREATE TABLE relations (
    originating_ref TEXT COLLATE "C" NOT NULL,
    source_ref      TEXT COLLATE "C" NOT NULL,
    relation_type   TEXT COLLATE "C" NOT NULL,
    target_ref      TEXT COLLATE "C" NOT NULL
);
CREATE INDEX relations_originating_ref ON relations (originating_ref);
CREATE INDEX relations_source_ref ON relations (source_ref);

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
