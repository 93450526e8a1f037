-- Evidence of replacement scanning (mailroom/evidence).
CREATE TABLE evidence (
    document_id TEXT PRIMARY KEY,
    batch_id    TEXT NOT NULL,
    record      TEXT NOT NULL,          -- JSON of evidence.Record
    updated_at  TEXT NOT NULL
);
CREATE INDEX evidence_batch ON evidence(batch_id);

CREATE TABLE batch_seals (
    batch_id    TEXT PRIMARY KEY,
    seal        TEXT NOT NULL,          -- JSON of evidence.BatchSeal
    created_at  TEXT NOT NULL
);

CREATE TABLE destruction_releases (
    id          INTEGER PRIMARY KEY,
    batch_id    TEXT NOT NULL,
    department  TEXT NOT NULL,
    person      TEXT NOT NULL,
    time        TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX destruction_releases_batch ON destruction_releases(batch_id);

CREATE TABLE journal_stamps (
    seq         INTEGER PRIMARY KEY,    -- journal entry whose hash was stamped
    hash        TEXT NOT NULL,
    token       BLOB NOT NULL,          -- RFC 3161 TimeStampToken (DER)
    time        TEXT NOT NULL
);
