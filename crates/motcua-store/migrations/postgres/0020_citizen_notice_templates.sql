-- The wording of notices to citizens, per agency: a commune's own, else its nearest ancestor's
-- (the province's), else the built-in wording. Versioned so that two editors do not overwrite
-- each other unknowingly.
CREATE TABLE citizen_notice_templates (
    agency_id  BIGINT  NOT NULL REFERENCES agencies (id),
    kind       TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    version    BIGINT  NOT NULL,
    updated_by TEXT    NOT NULL,
    updated_at BIGINT  NOT NULL,
    PRIMARY KEY (agency_id, kind)
);
