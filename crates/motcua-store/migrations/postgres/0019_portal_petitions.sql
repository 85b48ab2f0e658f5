-- Petitions forwarded by the national portal carry the portal's own reference: a second
-- delivery of the same petition finds it and changes nothing.
ALTER TABLE petitions ADD COLUMN portal_reference TEXT;
CREATE UNIQUE INDEX petitions_portal_reference ON petitions (portal_reference);
