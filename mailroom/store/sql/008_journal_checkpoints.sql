-- Journal checkpoints (mailroom/evidence, docs/evidence.md "Journal anchors"):
-- a stamp row is now a checkpoint over the chain head whose text (data)
-- names the previous checkpoint (prev = SHA-256 of its data), so a deleted
-- checkpoint breaks the next one; it carries an RFC 3161 token and/or a
-- seal (detached CMS) over data. Rows from before keep data = '' (their
-- token covers the head hash's hex text).
ALTER TABLE journal_stamps ADD COLUMN data BLOB NOT NULL DEFAULT x'';
ALTER TABLE journal_stamps ADD COLUMN prev TEXT NOT NULL DEFAULT '';
ALTER TABLE journal_stamps ADD COLUMN seal BLOB NOT NULL DEFAULT x'';
