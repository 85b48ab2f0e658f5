-- The procedure catalogue: procedures, their versions (drafts and published decisions), each
-- agency's list of procedures, uploaded files (form templates).

CREATE TABLE procedures (
    id         INTEGER PRIMARY KEY,
    code       TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE procedure_versions (
    id                       INTEGER PRIMARY KEY,
    procedure_id             INTEGER NOT NULL REFERENCES procedures (id),
    number                   INTEGER NOT NULL,
    kind                     TEXT    NOT NULL CHECK (kind IN ('new', 'amended', 'replaced', 'abolished')),
    state                    TEXT    NOT NULL CHECK (state IN ('draft', 'published')),
    name                     TEXT    NOT NULL,
    name_folded              TEXT    NOT NULL,
    field_name               TEXT    NOT NULL,
    content                  TEXT    NOT NULL,
    replaced_by              TEXT,
    decision_number          TEXT,
    decision_date            TEXT,
    signer                   TEXT,
    effective_from           TEXT,
    legal_basis_effective_on TEXT,
    portal_published_on      TEXT,
    created_by               TEXT,
    created_at               INTEGER NOT NULL,
    updated_at               INTEGER NOT NULL,
    published_by             TEXT,
    published_at             INTEGER,
    revision                 INTEGER NOT NULL,
    UNIQUE (procedure_id, number)
);
CREATE INDEX procedure_versions_state ON procedure_versions (state, procedure_id);
-- A published version is a legal fact: it is never changed or removed.
CREATE TRIGGER procedure_versions_published_no_update BEFORE UPDATE ON procedure_versions
WHEN OLD.state = 'published'
BEGIN
    SELECT RAISE(ABORT, 'published procedure versions are immutable');
END;
CREATE TRIGGER procedure_versions_published_no_delete BEFORE DELETE ON procedure_versions
WHEN OLD.state = 'published'
BEGIN
    SELECT RAISE(ABORT, 'published procedure versions are immutable');
END;

-- Bumped by every change that the public catalogue shows, so each process can tell that its
-- search index is stale with one read.
CREATE TABLE catalog_state (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    revision INTEGER NOT NULL
);
INSERT INTO catalog_state (id, revision) VALUES (1, 0);

CREATE TABLE agency_procedures (
    agency_id    INTEGER NOT NULL REFERENCES agencies (id),
    procedure_id INTEGER NOT NULL REFERENCES procedures (id),
    desk         INTEGER NOT NULL,
    postal       INTEGER NOT NULL,
    online       INTEGER NOT NULL,
    resolves     INTEGER NOT NULL,
    PRIMARY KEY (agency_id, procedure_id)
);
CREATE INDEX agency_procedures_procedure ON agency_procedures (procedure_id);

CREATE TABLE stored_files (
    id           INTEGER PRIMARY KEY,
    sha256       TEXT    NOT NULL,
    file_name    TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    created_by   TEXT,
    created_at   INTEGER NOT NULL
);
