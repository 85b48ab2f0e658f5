-- The wording of notices to citizens, per agency: a commune's own, else its nearest ancestor's
-- (the province's), else the built-in wording. Versioned so that two editors do not overwrite
-- each other unknowingly.
CREATE TABLE citizen_notice_templates (
    agency_id  INTEGER  NOT NULL REFERENCES agencies (id),
    kind       TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    version    INTEGER  NOT NULL,
    updated_by TEXT    NOT NULL,
    updated_at INTEGER  NOT NULL,
    PRIMARY KEY (agency_id, kind)
);
