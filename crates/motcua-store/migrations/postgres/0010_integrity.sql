-- Integrity: the verified head of every dossier and the anchors that vouch for them.
--
-- `integrity_heads` holds, for each dossier, the number and hash of the newest event the
-- integrity job has verified; it moves forward only in the same transaction as a new anchor,
-- whose digest covers all of it. `integrity_anchors` is the chain of checkpoints, each sealed
-- with an HMAC under a key that is kept in configuration, never here; append-only.

CREATE TABLE integrity_heads (
    dossier_id BIGINT PRIMARY KEY,
    seq        BIGINT NOT NULL,
    hash       TEXT   NOT NULL
);

CREATE TABLE integrity_anchors (
    seq          BIGINT PRIMARY KEY,
    at           BIGINT NOT NULL,
    reason       TEXT   NOT NULL CHECK (reason IN ('periodic', 'shutdown', 'manual')),
    audit_seq    BIGINT NOT NULL,
    audit_hash   TEXT   NOT NULL,
    dossiers     BIGINT NOT NULL,
    heads_digest TEXT   NOT NULL,
    key_id       TEXT   NOT NULL,
    prev_mac     TEXT   NOT NULL,
    mac          TEXT   NOT NULL
);

CREATE FUNCTION integrity_anchors_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'integrity_anchors is append-only';
END
$$;
CREATE TRIGGER integrity_anchors_no_update BEFORE UPDATE OR DELETE ON integrity_anchors
    FOR EACH ROW EXECUTE FUNCTION integrity_anchors_append_only();
CREATE TRIGGER integrity_anchors_no_truncate BEFORE TRUNCATE ON integrity_anchors
    FOR EACH STATEMENT EXECUTE FUNCTION integrity_anchors_append_only();
