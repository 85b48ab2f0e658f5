-- Catalogue imports uploaded through the web: the file, who sent it, and how the background
-- import went. A succeeded row commits in the same transaction as the procedures it wrote.

CREATE TABLE catalog_imports (
    id          INTEGER PRIMARY KEY,
    file_id     INTEGER NOT NULL REFERENCES stored_files (id),
    file_name   TEXT    NOT NULL,
    format      TEXT    NOT NULL CHECK (format IN ('json', 'xlsx')),
    row_count   INTEGER NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    created     INTEGER,
    amended     INTEGER,
    unchanged   INTEGER,
    problems    TEXT,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    created_by  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    started_at  INTEGER,
    finished_at INTEGER
);
CREATE INDEX catalog_imports_created ON catalog_imports (created_at);
