-- Desk (issue 6): pages removed at the desk, restorable while the document is in review.
CREATE TABLE desk_deleted_pages (
    document_id TEXT NOT NULL REFERENCES documents(id),
    page        INTEGER NOT NULL,  -- 1-based source page
    position    INTEGER NOT NULL,  -- 0-based position it had in documents.pages
    deleted_by  TEXT NOT NULL,
    deleted_at  TEXT NOT NULL,
    PRIMARY KEY (document_id, page)
);
