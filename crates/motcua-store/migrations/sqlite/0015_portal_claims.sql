-- One sender at a time per dossier (national_portal): a sender claims the dossier's sync row
-- until this instant before its calls, and extends the claim as it goes, so two workers never
-- tell the portal the same steps.
ALTER TABLE portal_sync ADD COLUMN claimed_until INTEGER;

-- What the portal sent that was not taken (refused or failed), for the operator and the
-- pull's retries.
CREATE TABLE portal_inbound_log (
    id          INTEGER PRIMARY KEY,
    portal_code TEXT,
    at          INTEGER NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('rejected', 'failed')),
    message     TEXT NOT NULL
);
CREATE INDEX portal_inbound_log_code ON portal_inbound_log (portal_code, id);
CREATE INDEX portal_sync_log_failures ON portal_sync_log (ok, at);
