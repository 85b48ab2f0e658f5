-- One revision number for the reference data that use cases read on every request:
-- agencies, office hours, who handles which procedure, workflows, procedure versions and the
-- holiday calendar. Triggers bump it on every change of those tables, whatever writes them,
-- so a process may keep the rows in memory and needs to read only this number to know
-- whether they are still current.
CREATE TABLE reference_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    revision BIGINT NOT NULL
);
INSERT INTO reference_state (id, revision) VALUES (1, 1);

-- The bump runs at commit (deferred), once per transaction, so the one row is locked only
-- for the last moment of a transaction that changed reference data, after all its other
-- locks: two such transactions queue there instead of deadlocking on each other.
CREATE FUNCTION bump_reference_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('motcua.reference_bumped', true) IS DISTINCT FROM 'yes' THEN
        UPDATE reference_state SET revision = revision + 1 WHERE id = 1;
        PERFORM set_config('motcua.reference_bumped', 'yes', true);
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER agencies_reference AFTER INSERT OR UPDATE OR DELETE ON agencies
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_reference_revision();

CREATE CONSTRAINT TRIGGER agency_schedules_reference AFTER INSERT OR UPDATE OR DELETE ON agency_schedules
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_reference_revision();

CREATE CONSTRAINT TRIGGER agency_procedures_reference AFTER INSERT OR UPDATE OR DELETE ON agency_procedures
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_reference_revision();

CREATE CONSTRAINT TRIGGER workflows_reference AFTER INSERT OR UPDATE OR DELETE ON workflows
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_reference_revision();

CREATE CONSTRAINT TRIGGER procedures_reference AFTER INSERT OR UPDATE OR DELETE ON procedures
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_reference_revision();

CREATE CONSTRAINT TRIGGER procedure_versions_reference AFTER INSERT OR UPDATE OR DELETE ON procedure_versions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_reference_revision();

CREATE CONSTRAINT TRIGGER calendar_revisions_reference AFTER INSERT OR UPDATE OR DELETE ON calendar_revisions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_reference_revision();
