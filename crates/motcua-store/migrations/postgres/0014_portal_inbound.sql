-- Dossiers submitted on the national portal (national_portal inbound): the portal's code, on
-- which every push and pull is idempotent, and the reception deadline the desk's online queue
-- is sorted and judged by.

ALTER TABLE dossiers ADD COLUMN portal_code TEXT;
ALTER TABLE dossiers ADD COLUMN reception_due_at BIGINT;
CREATE UNIQUE INDEX dossiers_portal_code ON dossiers (portal_code);
CREATE INDEX dossiers_reception ON dossiers (receiving_agency_id, status, reception_due_at);
