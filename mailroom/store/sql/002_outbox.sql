-- Outbox: one row per approved document and DMS target (issue 8).
CREATE TABLE outbox (
    id           TEXT PRIMARY KEY,
    document_id  TEXT NOT NULL REFERENCES documents(id),
    target       TEXT NOT NULL,
    status       TEXT NOT NULL,           -- pending, held, done
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_try_at  TEXT NOT NULL DEFAULT '',
    last_error   TEXT NOT NULL DEFAULT '',
    lease        TEXT NOT NULL DEFAULT '',
    lease_until  TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    -- receipt
    object_id    TEXT NOT NULL DEFAULT '',
    url          TEXT NOT NULL DEFAULT '',
    delivered_at TEXT NOT NULL DEFAULT '',
    UNIQUE (document_id, target)
);
CREATE INDEX outbox_due ON outbox(status, next_try_at);
