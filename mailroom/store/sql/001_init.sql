-- Poststelle schema, version 1.
CREATE TABLE batches (
    id          TEXT PRIMARY KEY,
    source      TEXT NOT NULL,
    profile     TEXT NOT NULL,
    filename    TEXT NOT NULL,
    path        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    media_type  TEXT NOT NULL,
    page_count  INTEGER NOT NULL DEFAULT 0,
    received_at TEXT NOT NULL,
    metadata    TEXT NOT NULL DEFAULT '{}',
    separators  TEXT NOT NULL DEFAULT '[]',
    UNIQUE (source, sha256)
);

CREATE TABLE documents (
    id          TEXT PRIMARY KEY,
    batch_id    TEXT NOT NULL REFERENCES batches(id),
    seq         INTEGER NOT NULL,
    state       TEXT NOT NULL,
    pages       TEXT NOT NULL DEFAULT '[]',
    metadata    TEXT NOT NULL DEFAULT '{}',
    flags       TEXT NOT NULL DEFAULT '[]',
    reason      TEXT NOT NULL DEFAULT '',
    output      TEXT NOT NULL DEFAULT '',
    protection  TEXT NOT NULL DEFAULT 'normal',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_try_at TEXT NOT NULL DEFAULT '',
    lease       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX documents_state ON documents(state, next_try_at);
CREATE INDEX documents_batch ON documents(batch_id, seq);

CREATE TABLE journal (
    seq         INTEGER PRIMARY KEY,
    time        TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    document_id TEXT NOT NULL DEFAULT '',
    batch_id    TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX journal_document ON journal(document_id);

-- The journal is append-only.
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;
