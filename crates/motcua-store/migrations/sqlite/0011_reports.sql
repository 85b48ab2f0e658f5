-- Statistics. A dossier's counting facts (report::facts) are columns of its row, rewritten with
-- every event like the rest of the row; `dossier_rollups` holds per-day and per-month counters
-- of what every dossier contributes (report::rollup), changed in the same transaction as each
-- event by the difference of contributions, so reports sum a few rows instead of history.
-- `motcua report rebuild` recomputes both from the events.

ALTER TABLE dossiers ADD COLUMN counted_agency_id INTEGER REFERENCES agencies (id);
ALTER TABLE dossiers ADD COLUMN refused_at INTEGER;
ALTER TABLE dossiers ADD COLUMN ended_at INTEGER;
ALTER TABLE dossiers ADD COLUMN outcome TEXT CHECK (outcome IN ('resolved_early', 'resolved_on_time', 'resolved_late', 'stopped', 'withdrawn'));
ALTER TABLE dossiers ADD COLUMN overdue_from INTEGER;
ALTER TABLE dossiers ADD COLUMN supplement_at INTEGER;
ALTER TABLE dossiers ADD COLUMN processing_minutes INTEGER;
CREATE INDEX dossiers_counted ON dossiers (counted_agency_id, received_at);
CREATE INDEX dossiers_counted_receiving ON dossiers (receiving_agency_id, received_at);
-- The dossiers becoming overdue later today (a running period counts what is overdue now).
CREATE INDEX dossiers_overdue_from ON dossiers (overdue_from);

CREATE TABLE dossier_rollups (
    grain               INTEGER NOT NULL CHECK (grain IN (1, 2)),
    agency_id           INTEGER NOT NULL,
    bucket              INTEGER NOT NULL,
    receiving_agency_id INTEGER NOT NULL,
    procedure_id        INTEGER NOT NULL,
    received_online     INTEGER NOT NULL DEFAULT 0,
    received_desk       INTEGER NOT NULL DEFAULT 0,
    received_postal     INTEGER NOT NULL DEFAULT 0,
    refused             INTEGER NOT NULL DEFAULT 0,
    resolved_early      INTEGER NOT NULL DEFAULT 0,
    resolved_on_time    INTEGER NOT NULL DEFAULT 0,
    resolved_late       INTEGER NOT NULL DEFAULT 0,
    stopped             INTEGER NOT NULL DEFAULT 0,
    withdrawn           INTEGER NOT NULL DEFAULT 0,
    open_delta          INTEGER NOT NULL DEFAULT 0,
    overdue_delta       INTEGER NOT NULL DEFAULT 0,
    supplemented        INTEGER NOT NULL DEFAULT 0,
    returned            INTEGER NOT NULL DEFAULT 0,
    processing_minutes  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (grain, agency_id, bucket, receiving_agency_id, procedure_id)
) WITHOUT ROWID;
CREATE INDEX dossier_rollups_receiving ON dossier_rollups (grain, receiving_agency_id, bucket);

-- Whether the counters and facts were computed for the dossiers present (0 after this
-- migration on a database that already holds dossiers: the server rebuilds them at start).
CREATE TABLE rollup_state (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    built INTEGER NOT NULL
);
INSERT INTO rollup_state (id, built) SELECT 1, CASE WHEN EXISTS (SELECT 1 FROM dossiers) THEN 0 ELSE 1 END;
