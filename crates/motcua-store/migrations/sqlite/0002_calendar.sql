-- The legal calendar: edited holiday tables (append-only revisions) and agencies' office hours.

CREATE TABLE calendar_revisions (
    revision      INTEGER PRIMARY KEY,
    year          INTEGER NOT NULL,
    entries       TEXT,
    reason        TEXT    NOT NULL,
    changed_dates TEXT    NOT NULL,
    changed_by    TEXT,
    recorded_at   INTEGER NOT NULL
);
CREATE INDEX calendar_revisions_year ON calendar_revisions (year, revision);
CREATE TRIGGER calendar_revisions_no_update BEFORE UPDATE ON calendar_revisions
BEGIN
    SELECT RAISE(ABORT, 'calendar_revisions is append-only');
END;
CREATE TRIGGER calendar_revisions_no_delete BEFORE DELETE ON calendar_revisions
BEGIN
    SELECT RAISE(ABORT, 'calendar_revisions is append-only');
END;

CREATE TABLE agency_schedules (
    agency_id  INTEGER PRIMARY KEY REFERENCES agencies (id),
    schedule   TEXT    NOT NULL,
    counting   TEXT    NOT NULL CHECK (counting IN ('working_time', 'civil_days')),
    version    INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
