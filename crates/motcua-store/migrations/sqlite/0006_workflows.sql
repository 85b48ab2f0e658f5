-- Internal electronic workflows (quy trình nội bộ điện tử) per procedure, optionally per case and
-- per agency. A dossier copies its steps when accepted, so an edit never moves a dossier in flight.
-- The most specific definition wins: case and agency, case, agency, then the procedure alone.

CREATE TABLE workflows (
    id             INTEGER PRIMARY KEY,
    procedure_code TEXT    NOT NULL,
    -- '' : every case of the procedure.
    case_name      TEXT    NOT NULL DEFAULT '',
    -- 0 : every agency that handles the procedure.
    agency_id      INTEGER  NOT NULL DEFAULT 0,
    definition     TEXT    NOT NULL,
    version        INTEGER  NOT NULL,
    updated_by     TEXT    NOT NULL,
    updated_at     INTEGER  NOT NULL,
    UNIQUE (procedure_code, case_name, agency_id)
);
