-- Several desks (issue 13): every change of a document's row counts up its
-- version, and a change from a desk or the API names the version it was made
-- on (an older one is refused, never silently overwritten). The desk lease
-- says who has the document open at a desk until when; it expires by itself.
ALTER TABLE documents ADD COLUMN version    INTEGER NOT NULL DEFAULT 1;
ALTER TABLE documents ADD COLUMN desk_login TEXT NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN desk_name  TEXT NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN desk_until TEXT NOT NULL DEFAULT '';
