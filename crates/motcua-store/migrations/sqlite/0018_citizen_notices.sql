-- Notices to citizens about their petitions and dossiers: recorded with the change that causes them and sent
-- by a job (the outbox), by e-mail or through the SMS/Zalo gateway's webhook, with every
-- attempt's outcome kept.
CREATE TABLE citizen_notices (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL,
    channel     TEXT    NOT NULL CHECK (channel IN ('email', 'webhook')),
    recipient   TEXT    NOT NULL,
    petition_id INTEGER REFERENCES petitions (id),
    dossier_id  INTEGER,
    agency_id   INTEGER NOT NULL REFERENCES agencies (id),
    reference   TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'skipped')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  INTEGER NOT NULL,
    sent_at     INTEGER
);
CREATE INDEX citizen_notices_petition ON citizen_notices (petition_id);
CREATE INDEX citizen_notices_dossier ON citizen_notices (dossier_id);
