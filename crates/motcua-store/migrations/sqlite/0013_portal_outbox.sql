-- The national portal's outbox (national_portal): a row per change the portal must hear of,
-- written in the same transaction as the dossier's events, so no change is lost whatever
-- happens to the sender. A row names the dossier and its last event; the sender tells the
-- portal the dossier as it then stands and the steps it has not told yet, so a row is never
-- sent twice and a dossier's rows coalesce.

CREATE TABLE portal_outbox (
    id         INTEGER PRIMARY KEY,
    dossier_id INTEGER NOT NULL REFERENCES dossiers (id),
    seq        INTEGER NOT NULL,
    queued_at  INTEGER NOT NULL,
    UNIQUE (dossier_id, seq)
);

-- How far the portal has been told about each dossier, and the sender's retry state.
CREATE TABLE portal_sync (
    dossier_id      INTEGER PRIMARY KEY REFERENCES dossiers (id),
    -- The dossier's events up to this one are on the portal (the HoSo as it stood then).
    synced_seq      INTEGER NOT NULL DEFAULT 0,
    -- The last event sent as a process step.
    step_seq        INTEGER NOT NULL DEFAULT 0,
    -- Whether the portal holds the dossier (updates instead of creates).
    created         INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    -- Given up after repeated failures until an operator resends it.
    dead            INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX portal_sync_retry ON portal_sync (dead, next_attempt_at);

-- Every call to the portal about a dossier and its answer: the dossier's sync timeline and
-- the reconciliation's evidence.
CREATE TABLE portal_sync_log (
    id             INTEGER PRIMARY KEY,
    dossier_id     INTEGER NOT NULL REFERENCES dossiers (id),
    at             INTEGER NOT NULL,
    -- create, update or steps
    call           TEXT NOT NULL CHECK (call IN ('create', 'update', 'steps')),
    -- The events the call told (the dossier as it stood at seq_to; the steps in between).
    seq_from       INTEGER NOT NULL,
    seq_to         INTEGER NOT NULL,
    -- The dossier's status the portal was told (1–10).
    status         INTEGER NOT NULL,
    ok             INTEGER NOT NULL,
    answer_code    TEXT NOT NULL,
    answer_message TEXT NOT NULL
);
CREATE INDEX portal_sync_log_dossier ON portal_sync_log (dossier_id, id);
