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

CREATE TRIGGER agencies_insert_reference AFTER INSERT ON agencies
BEGIN
    UPDATE reference_state SET revision = revision + 1 WHERE id = 1;
END;

CREATE TRIGGER agencies_update_reference AFTER UPDATE ON agencies
BEGIN
    UPDATE reference_state SET revision = revision + 1 WHERE id = 1;
END;

CREATE TRIGGER agencies_delete_reference AFTER DELETE ON agencies
BEGIN
    UPDATE reference_state SET revision = revision + 1 WHERE id = 1;
END;

CREATE TRIGGER agency_schedules_insert_reference AFTER INSERT ON agency_schedules
BEGIN
    UPDATE reference_state SET revision = revision + 1 WHERE id = 1;
END;

CREATE TRIGGER agency_schedules_update_reference AFTER UPDATE ON agency_schedules
BEGIN
    UPDATE reference_state SET revision = revision + 1 WHERE id = 1;
END;

CREATE TRIGGER agency_schedules_delete_reference AFTER DELETE ON agency_schedules
BEGIN
    UPDATE reference_state SET revision = revision + 1 WHERE id = 1;
END;

CREATE TRIGGER agency_procedures_insert_reference AFTER INSERT ON agency_procedures
BEGIN
    UPDATE reference_state SET revision = revision + 1 WHERE id = 1;
END;

CREATE TRIGGER agency_procedures_update_reference AFTER UPDATE ON agency_procedures
BEGIN
    UPDATE reference_state SET revision = revision + 1 WHERE id = 1;
END;

CREATE TRIGGER agency_procedures_delete_reference AFTER DELETE ON agency_procedures
BEGIN
    UPDATE reference_state SET revision = revision + 1 WHERE id = 1;
END;

CREATE TRIGGER workflows_insert_reference AFTER INSERT ON workflows
BEGIN
    UPDATE reference_state SET revision = revision + 1 WHERE id = 1;
END;

CREATE TRIGGER workflows_update_reference AFTER UPDATE ON workflows
BEGIN
    UPDATE reference_state SET revision = revision + 1 WHERE id = 1;
END;

CREATE TRIGGER workflows_delete_reference AFTER DELETE ON workflows
BEGIN
    UPDATE reference_state SET revision = revision + 1 WHERE id = 1;
END;

CREATE TRIGGER procedures_insert_reference AFTER INSERT ON procedures
BEGIN
    UPDATE reference_state SET revision = revision + 1 WHERE id = 1;
END;

CREATE TRIGGER procedures_update_reference AFTER UPDATE ON procedures
BEGIN
    UPDATE reference_state SET revision = revision + 1 WHERE id = 1;
END;

CREATE TRIGGER procedures_delete_reference AFTER DELETE ON procedures
BEGIN
    UPDATE reference_state SET revision = revision + 1 WHERE id = 1;
END;

CREATE TRIGGER procedure_versions_insert_reference AFTER INSERT ON procedure_versions
BEGIN
    UPDATE reference_state SET revision = revision + 1 WHERE id = 1;
END;

CREATE TRIGGER procedure_versions_update_reference AFTER UPDATE ON procedure_versions
BEGIN
    UPDATE reference_state SET revision = revision + 1 WHERE id = 1;
END;

CREATE TRIGGER procedure_versions_delete_reference AFTER DELETE ON procedure_versions
BEGIN
    UPDATE reference_state SET revision = revision + 1 WHERE id = 1;
END;

CREATE TRIGGER calendar_revisions_insert_reference AFTER INSERT ON calendar_revisions
BEGIN
    UPDATE reference_state SET revision = revision + 1 WHERE id = 1;
END;

CREATE TRIGGER calendar_revisions_update_reference AFTER UPDATE ON calendar_revisions
BEGIN
    UPDATE reference_state SET revision = revision + 1 WHERE id = 1;
END;

CREATE TRIGGER calendar_revisions_delete_reference AFTER DELETE ON calendar_revisions
BEGIN
    UPDATE reference_state SET revision = revision + 1 WHERE id = 1;
END;
