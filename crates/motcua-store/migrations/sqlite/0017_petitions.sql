-- Petitions (phản ánh, kiến nghị). `petition_events` is the truth and append-only, hash-chained
-- per petition like a dossier's events; `petitions` is the queryable row derived from them
-- (stage, holding agency, clocks) and is rewritten on every event. Votes on published answers
-- are one per browser; per-province deadlines override the national defaults from the instant
-- they take effect (a petition keeps those in force when its clock started).
CREATE TABLE petitions (
    id                 INTEGER PRIMARY KEY,
    code               TEXT    NOT NULL UNIQUE,
    agency_id          INTEGER NOT NULL REFERENCES agencies (id),
    received_agency_id INTEGER NOT NULL REFERENCES agencies (id),
    channel            TEXT    NOT NULL,
    petition_kind      TEXT,
    stage              TEXT    NOT NULL,
    subject            TEXT    NOT NULL,
    field              TEXT,
    petitioner_name    TEXT    NOT NULL,
    procedure_code     TEXT,
    dossier_code       TEXT,
    reraise_of         TEXT,
    assignee_id        INTEGER,
    received_at        INTEGER NOT NULL,
    clock_start        INTEGER NOT NULL,
    due_at             INTEGER,
    answer_due_at      INTEGER,
    answered_at        INTEGER,
    refused_at         INTEGER,
    published_at       INTEGER,
    answer_late        INTEGER,
    search_text        TEXT    NOT NULL DEFAULT '',
    likes              INTEGER NOT NULL DEFAULT 0,
    dislikes           INTEGER NOT NULL DEFAULT 0,
    last_seq           INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX petitions_agency ON petitions (agency_id, stage, due_at);
CREATE INDEX petitions_received ON petitions (received_at);
CREATE INDEX petitions_published ON petitions (published_at);
CREATE TABLE petition_events (
    petition_id   INTEGER NOT NULL REFERENCES petitions (id),
    seq           INTEGER NOT NULL,
    at            INTEGER NOT NULL,
    kind          TEXT    NOT NULL,
    actor_user_id INTEGER,
    actor_json    TEXT    NOT NULL,
    body_json     TEXT    NOT NULL,
    prev_hash     TEXT    NOT NULL,
    hash          TEXT    NOT NULL,
    PRIMARY KEY (petition_id, seq)
);
CREATE TRIGGER petition_events_no_update BEFORE UPDATE ON petition_events
BEGIN
    SELECT RAISE(ABORT, 'petition_events are append-only');
END;
CREATE TRIGGER petition_events_no_delete BEFORE DELETE ON petition_events
BEGIN
    SELECT RAISE(ABORT, 'petition_events are append-only');
END;
CREATE TABLE petition_code_counters (
    agency_id  INTEGER NOT NULL,
    day        TEXT    NOT NULL,
    last_value INTEGER NOT NULL,
    PRIMARY KEY (agency_id, day)
);
CREATE TABLE petition_votes (
    petition_id INTEGER NOT NULL REFERENCES petitions (id),
    voter       TEXT    NOT NULL,
    vote        INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    at          INTEGER NOT NULL,
    PRIMARY KEY (petition_id, voter)
);
CREATE TABLE petition_deadlines (
    agency_id      INTEGER NOT NULL REFERENCES agencies (id),
    effective_from INTEGER NOT NULL,
    refuse         INTEGER NOT NULL,
    info_request   INTEGER NOT NULL,
    answer         INTEGER NOT NULL,
    publish        INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    updated_by     TEXT,
    PRIMARY KEY (agency_id, effective_from)
);
