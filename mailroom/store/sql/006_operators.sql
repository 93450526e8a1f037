-- Identities (issue 13): local operators with argon2id password hashes, and
-- login sessions. A session is found by the SHA-256 of its bearer token; the
-- token itself is never stored. Sessions survive an engine restart.
CREATE TABLE operators (
    login         TEXT PRIMARY KEY,
    name          TEXT NOT NULL DEFAULT '',
    roles         TEXT NOT NULL DEFAULT '',   -- comma-separated mailroom.Role values
    password_hash TEXT NOT NULL,              -- argon2id PHC string
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    changed_at    TEXT NOT NULL
);

CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,            -- random, safe to journal and show
    token_hash  TEXT NOT NULL UNIQUE,        -- hex SHA-256 of the bearer token
    login       TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    roles       TEXT NOT NULL DEFAULT '',
    method      TEXT NOT NULL,               -- local, ldap, os-user
    client      TEXT NOT NULL DEFAULT '',    -- address the login came from
    via         TEXT NOT NULL DEFAULT '',    -- desk, api, …
    created_at  TEXT NOT NULL,
    last_seen   TEXT NOT NULL,
    expires_at  TEXT NOT NULL                -- absolute expiry (created_at + login.session_max)
);
CREATE INDEX sessions_login ON sessions(login);
