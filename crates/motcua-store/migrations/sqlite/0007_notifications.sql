-- Notifications (thông báo) to officials: reminders before a step is due, escalation when it is
-- overdue, the desk's warning before an appointment without a result. One row per person and
-- occasion (`dedup_key`), so a repeated scan never notifies twice. E-mail goes through the job
-- queue (the outbox): the row and its mail job commit together.

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    kind        TEXT    NOT NULL,
    dossier_id  INTEGER REFERENCES dossiers (id),
    subject     TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    -- Path inside the application (e.g. /ho-so/H99.301-261123-0001).
    link        TEXT    NOT NULL DEFAULT '',
    dedup_key   TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    read_at     INTEGER,
    -- The address the e-mail went to and when (NULL: not sent, or no address).
    mailed_to   TEXT,
    mailed_at   INTEGER,
    UNIQUE (user_id, dedup_key)
);
CREATE INDEX notifications_user ON notifications (user_id, id);
-- The scan skips occasions already notified for a page of dossiers at once.
CREATE INDEX notifications_dossier ON notifications (dossier_id, dedup_key);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

-- An administrator's wording of a notification kind; absent: the built-in wording.
CREATE TABLE notification_templates (
    kind        TEXT    PRIMARY KEY,
    subject     TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    updated_by  TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- The reminder scan reads open dossiers by due instants.
CREATE INDEX dossiers_step_due ON dossiers (step_due_at) WHERE step_due_at IS NOT NULL;
CREATE INDEX dossiers_appointment ON dossiers (appointment_at) WHERE appointment_at IS NOT NULL;
