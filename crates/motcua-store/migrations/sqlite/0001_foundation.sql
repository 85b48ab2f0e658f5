-- Foundation: installation facts, agencies, accounts, sessions, API tokens, audit log, jobs.
-- Instants are microseconds since the Unix epoch (UTC); civil dates are 'YYYY-MM-DD' text;
-- flags are 0/1. The PostgreSQL migration of the same number defines the same tables.

CREATE TABLE system_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE agencies (
    id         INTEGER PRIMARY KEY,
    parent_id  INTEGER REFERENCES agencies (id),
    path       TEXT    NOT NULL UNIQUE,
    depth      INTEGER NOT NULL,
    code       TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    short_name TEXT,
    level      TEXT    NOT NULL CHECK (level IN ('province', 'commune', 'historic_district', 'department', 'one_stop_desk')),
    valid_from TEXT,
    valid_to   TEXT,
    active     INTEGER NOT NULL CHECK (active IN (0, 1)),
    version    INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX agencies_parent ON agencies (parent_id);

CREATE TABLE agency_revisions (
    agency_id      INTEGER NOT NULL REFERENCES agencies (id),
    version        INTEGER NOT NULL,
    code           TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    short_name     TEXT,
    level          TEXT    NOT NULL,
    parent_id      INTEGER,
    valid_from     TEXT,
    valid_to       TEXT,
    active         INTEGER NOT NULL CHECK (active IN (0, 1)),
    effective_date TEXT    NOT NULL,
    reason         TEXT,
    changed_by     TEXT,
    recorded_at    INTEGER NOT NULL,
    PRIMARY KEY (agency_id, version)
);
CREATE INDEX agency_revisions_code ON agency_revisions (code);

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    username             TEXT    NOT NULL UNIQUE,
    full_name            TEXT    NOT NULL,
    email                TEXT,
    phone                TEXT,
    title                TEXT,
    agency_id            INTEGER NOT NULL REFERENCES agencies (id),
    password_hash        TEXT,
    must_change_password INTEGER NOT NULL CHECK (must_change_password IN (0, 1)),
    active               INTEGER NOT NULL CHECK (active IN (0, 1)),
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    locked_until         INTEGER,
    last_login_at        INTEGER,
    password_changed_at  INTEGER,
    version              INTEGER NOT NULL,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
);
CREATE INDEX users_agency ON users (agency_id);

CREATE TABLE grants (
    user_id    INTEGER NOT NULL REFERENCES users (id),
    role       TEXT    NOT NULL CHECK (role IN ('admin', 'desk_officer', 'specialist', 'leader', 'clerk', 'control_officer', 'viewer')),
    agency_id  INTEGER NOT NULL REFERENCES agencies (id),
    granted_at INTEGER NOT NULL,
    granted_by TEXT,
    PRIMARY KEY (user_id, role, agency_id)
);
CREATE INDEX grants_agency ON grants (agency_id);

CREATE TABLE sessions (
    id_hash      TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    csrf_token   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    client_ip    TEXT,
    user_agent   TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    name         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    token_prefix TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Append-only and hash-chained; seq is assigned by the appender without gaps.
CREATE TABLE audit_log (
    seq            INTEGER PRIMARY KEY,
    occurred_at    INTEGER NOT NULL,
    actor_user_id  INTEGER,
    actor_username TEXT,
    actor_role     TEXT,
    actor_unit_id  INTEGER,
    action         TEXT    NOT NULL,
    target_type    TEXT,
    target_id      TEXT,
    request_id     TEXT,
    outcome        TEXT    NOT NULL CHECK (outcome IN ('success', 'denied', 'rejected', 'failed')),
    detail         TEXT,
    prev_hash      TEXT    NOT NULL,
    hash           TEXT    NOT NULL
);
CREATE INDEX audit_log_unit ON audit_log (actor_unit_id, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT    NOT NULL,
    payload      TEXT    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'running', 'done', 'dead')),
    priority     INTEGER NOT NULL DEFAULT 0,
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at       INTEGER NOT NULL,
    locked_by    TEXT,
    locked_until INTEGER,
    last_error   TEXT,
    dedup_key    TEXT    UNIQUE,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    finished_at  INTEGER
);
CREATE INDEX jobs_due ON jobs (status, run_at);

CREATE TABLE job_attempts (
    job_id      INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    attempt     INTEGER NOT NULL,
    worker_id   TEXT    NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    outcome     TEXT,
    error       TEXT,
    PRIMARY KEY (job_id, attempt)
);

CREATE TABLE workers (
    id           TEXT    PRIMARY KEY,
    hostname     TEXT    NOT NULL,
    pid          INTEGER NOT NULL,
    started_at   INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    stopped_at   INTEGER
);
