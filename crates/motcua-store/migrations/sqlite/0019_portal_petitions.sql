-- Petitions forwarded by the national portal carry the portal's own reference: a second
-- delivery of the same petition finds it and changes nothing.
ALTER TABLE petitions ADD COLUMN portal_reference TEXT;
CREATE UNIQUE INDEX petitions_portal_reference ON petitions (portal_reference);
-- 766 indicator 5.4 looks up the petitions that name a dossier.
CREATE INDEX petitions_dossier_code ON petitions (dossier_code) WHERE dossier_code IS NOT NULL;
