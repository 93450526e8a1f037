-- Mailbox state (mailroom/inbox): per folder the UIDVALIDITY and the highest
-- UID handled, and per mail its Message-ID and content hash, so that a mail is
-- never imported twice: not after a crash, not from two folders, not after a
-- UIDVALIDITY change.
CREATE TABLE mail_folders (
    account     TEXT NOT NULL,
    folder      TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL,
    last_uid    INTEGER NOT NULL DEFAULT 0,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (account, folder)
);

CREATE TABLE mail_messages (
    message_id  TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    account     TEXT NOT NULL,
    folder      TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL,
    uid         INTEGER NOT NULL,
    stored_at   TEXT NOT NULL,
    PRIMARY KEY (message_id, sha256)
);
CREATE INDEX mail_messages_uid ON mail_messages(account, folder, uidvalidity, uid);
