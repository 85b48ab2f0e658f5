-- Citizens' satisfaction ratings (rating): the link a citizen rates through (a random token per
-- dossier, printed on the receipt and opened at the counter), and one rating per dossier,
-- written once and never changed or removed.
CREATE TABLE rating_links (
    dossier_id BIGINT PRIMARY KEY REFERENCES dossiers (id),
    token      TEXT   NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
CREATE TABLE dossier_ratings (
    dossier_id     BIGINT PRIMARY KEY REFERENCES dossiers (id),
    agency_id      BIGINT NOT NULL,
    procedure_code TEXT   NOT NULL,
    officer_id     BIGINT,
    set_version    TEXT   NOT NULL,
    points         TEXT   NOT NULL,
    levels         TEXT   NOT NULL,
    total          BIGINT NOT NULL,
    satisfied      BIGINT NOT NULL CHECK (satisfied IN (0, 1)),
    comment        TEXT,
    channel        TEXT   NOT NULL CHECK (channel IN ('counter', 'link')),
    rated_at       BIGINT NOT NULL
);
CREATE INDEX dossier_ratings_agency ON dossier_ratings (agency_id, rated_at);
CREATE FUNCTION dossier_ratings_written_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'dossier_ratings are written once';
END
$$;
CREATE TRIGGER dossier_ratings_no_change BEFORE UPDATE OR DELETE ON dossier_ratings
    FOR EACH ROW EXECUTE FUNCTION dossier_ratings_written_once();
CREATE TRIGGER dossier_ratings_no_truncate BEFORE TRUNCATE ON dossier_ratings
    FOR EACH STATEMENT EXECUTE FUNCTION dossier_ratings_written_once();
