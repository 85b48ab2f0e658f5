-- "Toàn trình" (report::full_online): once resolved, a dossier's shortfalls as bits (0: it
-- was toàn trình), and counters of the toàn trình dossiers and of those with an electronic
-- result resolved per bucket. The counters of a database that already holds dossiers are
-- rebuilt at the next start.

ALTER TABLE dossiers ADD COLUMN full_online_shortfalls INTEGER;
ALTER TABLE dossier_rollups ADD COLUMN resolved_full_online INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dossier_rollups ADD COLUMN resolved_electronic INTEGER NOT NULL DEFAULT 0;
UPDATE rollup_state SET built = 0 WHERE EXISTS (SELECT 1 FROM dossiers);

-- Targets per agency and year (report::target), in hundredths of the metric's unit (a rate of
-- 50 % is 5000; 20 dossiers per day is 2000), set by administrators. Absent: the default.
CREATE TABLE agency_targets (
    agency_id  INTEGER NOT NULL REFERENCES agencies (id),
    year       INTEGER NOT NULL,
    metric     TEXT NOT NULL,
    value      INTEGER NOT NULL CHECK (value >= 0),
    updated_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (agency_id, year, metric)
);
