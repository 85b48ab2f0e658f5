-- Integrity: the verified head of every dossier and the anchors that vouch for them.
--
-- `integrity_heads` holds, for each dossier, the number and hash of the newest event the
-- integrity job has verified; it moves forward only in the same transaction as a new anchor,
-- whose digest covers all of it. `integrity_anchors` is the chain of checkpoints, each sealed
-- with an HMAC under a key that is kept in configuration, never here; append-only.

CREATE TABLE integrity_heads (
    dossier_id INTEGER PRIMARY KEY,
    seq        INTEGER NOT NULL,
    hash       TEXT    NOT NULL
);

CREATE TABLE integrity_anchors (
    seq          INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    reason       TEXT    NOT NULL CHECK (reason IN ('periodic', 'shutdown', 'manual')),
    audit_seq    INTEGER NOT NULL,
    audit_hash   TEXT    NOT NULL,
    dossiers     INTEGER NOT NULL,
    heads_digest TEXT    NOT NULL,
    key_id       TEXT    NOT NULL,
    prev_mac     TEXT    NOT NULL,
    mac          TEXT    NOT NULL
);

CREATE TRIGGER integrity_anchors_no_update BEFORE UPDATE ON integrity_anchors
BEGIN
    SELECT RAISE(ABORT, 'integrity_anchors is append-only');
END;
CREATE TRIGGER integrity_anchors_no_delete BEFORE DELETE ON integrity_anchors
BEGIN
    SELECT RAISE(ABORT, 'integrity_anchors is append-only');
END;
