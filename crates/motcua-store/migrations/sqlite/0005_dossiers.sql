-- Dossiers. `dossier_events` is the truth and append-only (triggers refuse UPDATE and DELETE);
-- `dossiers` is the queryable fold of each dossier's events, rewritten with every new event.
-- `dossier_code_counters` issues the per-agency per-day sequence of dossier codes inside the
-- accepting transaction, so a rolled-back intake leaves no gap.

CREATE TABLE dossiers (
    id                  INTEGER PRIMARY KEY,
    code                TEXT    UNIQUE,
    status              INTEGER NOT NULL CHECK (status BETWEEN 1 AND 10),
    channel             TEXT    NOT NULL CHECK (channel IN ('desk', 'online', 'postal')),
    procedure_id        INTEGER NOT NULL REFERENCES procedures (id),
    procedure_code      TEXT    NOT NULL,
    procedure_name      TEXT    NOT NULL,
    receiving_agency_id INTEGER NOT NULL REFERENCES agencies (id),
    resolving_agency_id INTEGER REFERENCES agencies (id),
    current_agency_id   INTEGER NOT NULL REFERENCES agencies (id),
    current_permission  TEXT,
    step_name           TEXT,
    assignee_id         INTEGER REFERENCES users (id),
    applicant_name      TEXT    NOT NULL,
    applicant_fold      TEXT    NOT NULL,
    applicant_id_number TEXT,
    submitted_at        INTEGER NOT NULL,
    received_at         INTEGER,
    due_at              INTEGER,
    appointment_at      INTEGER,
    step_due_at         INTEGER,
    paused              INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    late_by_rule        INTEGER NOT NULL DEFAULT 0 CHECK (late_by_rule IN (0, 1)),
    resolved_at         INTEGER,
    returned_at         INTEGER,
    last_seq            INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX dossiers_current ON dossiers (current_agency_id, status);
CREATE INDEX dossiers_receiving ON dossiers (receiving_agency_id, submitted_at);
CREATE INDEX dossiers_assignee ON dossiers (assignee_id, status);
CREATE INDEX dossiers_id_number ON dossiers (applicant_id_number);

CREATE TABLE dossier_events (
    dossier_id    INTEGER NOT NULL REFERENCES dossiers (id),
    seq           INTEGER NOT NULL,
    at            INTEGER NOT NULL,
    kind          TEXT    NOT NULL,
    actor_user_id INTEGER,
    actor         TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    reason        TEXT,
    client_txn_id TEXT    UNIQUE,
    prev_hash     TEXT    NOT NULL,
    hash          TEXT    NOT NULL,
    PRIMARY KEY (dossier_id, seq)
);
CREATE INDEX dossier_events_at ON dossier_events (at);

CREATE TRIGGER dossier_events_no_update BEFORE UPDATE ON dossier_events
BEGIN
    SELECT RAISE(ABORT, 'dossier_events is append-only');
END;
CREATE TRIGGER dossier_events_no_delete BEFORE DELETE ON dossier_events
BEGIN
    SELECT RAISE(ABORT, 'dossier_events is append-only');
END;

-- Every agency a dossier passes through (receiving, resolving, step units, consulted): whoever
-- may view dossiers of one of them may view the dossier.
CREATE TABLE dossier_agencies (
    dossier_id INTEGER NOT NULL REFERENCES dossiers (id),
    agency_id  INTEGER NOT NULL REFERENCES agencies (id),
    PRIMARY KEY (dossier_id, agency_id)
);
CREATE INDEX dossier_agencies_agency ON dossier_agencies (agency_id, dossier_id);

CREATE TABLE dossier_code_counters (
    agency_id  INTEGER NOT NULL REFERENCES agencies (id),
    day        TEXT    NOT NULL,
    last_value INTEGER NOT NULL,
    PRIMARY KEY (agency_id, day)
);
