-- Failed sign-ins under names that have no usable account, counted like an account's own
-- failures, so that an unknown name meets the same answers (401, then 423 after the same number
-- of failures) as an existing one and the sign-in page cannot be used to find out which
-- accounts exist. Keyed by the SHA-256 of the lower-cased name.
CREATE TABLE login_guards (
    name_digest TEXT PRIMARY KEY,
    failed_logins INTEGER NOT NULL,
    locked_until BIGINT,
    updated_at BIGINT NOT NULL
);
