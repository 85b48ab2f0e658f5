-- Statistics. A dossier's counting facts (report::facts) are columns of its row, rewritten with
-- every event like the rest of the row; `dossier_rollups` holds per-day and per-month counters
-- of what every dossier contributes (report::rollup), changed in the same transaction as each
-- event by the difference of contributions, so reports sum a few rows instead of history.
-- `motcua report rebuild` recomputes both from the events.

ALTER TABLE dossiers ADD COLUMN counted_agency_id BIGINT REFERENCES agencies (id);
ALTER TABLE dossiers ADD COLUMN refused_at BIGINT;
ALTER TABLE dossiers ADD COLUMN ended_at BIGINT;
ALTER TABLE dossiers ADD COLUMN outcome TEXT CHECK (outcome IN ('resolved_early', 'resolved_on_time', 'resolved_late', 'stopped', 'withdrawn'));
ALTER TABLE dossiers ADD COLUMN overdue_from BIGINT;
ALTER TABLE dossiers ADD COLUMN supplement_at BIGINT;
ALTER TABLE dossiers ADD COLUMN processing_minutes BIGINT;
CREATE INDEX dossiers_counted ON dossiers (counted_agency_id, received_at);
CREATE INDEX dossiers_counted_receiving ON dossiers (receiving_agency_id, received_at);
-- The dossiers becoming overdue later today (a running period counts what is overdue now).
CREATE INDEX dossiers_overdue_from ON dossiers (overdue_from);

CREATE TABLE dossier_rollups (
    grain               BIGINT NOT NULL CHECK (grain IN (1, 2)),
    agency_id           BIGINT NOT NULL,
    bucket              BIGINT NOT NULL,
    receiving_agency_id BIGINT NOT NULL,
    procedure_id        BIGINT NOT NULL,
    received_online     BIGINT NOT NULL DEFAULT 0,
    received_desk       BIGINT NOT NULL DEFAULT 0,
    received_postal     BIGINT NOT NULL DEFAULT 0,
    refused             BIGINT NOT NULL DEFAULT 0,
    resolved_early      BIGINT NOT NULL DEFAULT 0,
    resolved_on_time    BIGINT NOT NULL DEFAULT 0,
    resolved_late       BIGINT NOT NULL DEFAULT 0,
    stopped             BIGINT NOT NULL DEFAULT 0,
    withdrawn           BIGINT NOT NULL DEFAULT 0,
    open_delta          BIGINT NOT NULL DEFAULT 0,
    overdue_delta       BIGINT NOT NULL DEFAULT 0,
    supplemented        BIGINT NOT NULL DEFAULT 0,
    returned            BIGINT NOT NULL DEFAULT 0,
    processing_minutes  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (grain, agency_id, bucket, receiving_agency_id, procedure_id)
);
CREATE INDEX dossier_rollups_receiving ON dossier_rollups (grain, receiving_agency_id, bucket);

-- Whether the counters and facts were computed for the dossiers present (0 after this
-- migration on a database that already holds dossiers: the server rebuilds them at start).
CREATE TABLE rollup_state (
    id    BIGINT PRIMARY KEY CHECK (id = 1),
    built BIGINT NOT NULL
);
INSERT INTO rollup_state (id, built) SELECT 1, CASE WHEN EXISTS (SELECT 1 FROM dossiers) THEN 0 ELSE 1 END;
