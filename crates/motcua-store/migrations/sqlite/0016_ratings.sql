-- Citizens' satisfaction ratings (rating): the link a citizen rates through (a random token per
-- dossier, printed on the receipt and opened at the counter), and one rating per dossier,
-- written once and never changed or removed.
CREATE TABLE rating_links (
    dossier_id INTEGER PRIMARY KEY REFERENCES dossiers (id),
    token      TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);
CREATE TABLE dossier_ratings (
    dossier_id     INTEGER PRIMARY KEY REFERENCES dossiers (id),
    agency_id      INTEGER NOT NULL,
    procedure_code TEXT    NOT NULL,
    officer_id     INTEGER,
    set_version    TEXT    NOT NULL,
    points         TEXT    NOT NULL,
    levels         TEXT    NOT NULL,
    total          INTEGER NOT NULL,
    satisfied      INTEGER NOT NULL CHECK (satisfied IN (0, 1)),
    comment        TEXT,
    channel        TEXT    NOT NULL CHECK (channel IN ('counter', 'link')),
    rated_at       INTEGER NOT NULL
);
CREATE INDEX dossier_ratings_agency ON dossier_ratings (agency_id, rated_at);
CREATE TRIGGER dossier_ratings_no_update BEFORE UPDATE ON dossier_ratings
BEGIN
    SELECT RAISE(ABORT, 'dossier_ratings are written once');
END;
CREATE TRIGGER dossier_ratings_no_delete BEFORE DELETE ON dossier_ratings
BEGIN
    SELECT RAISE(ABORT, 'dossier_ratings are written once');
END;
