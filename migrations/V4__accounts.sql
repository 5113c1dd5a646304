-- bunko schema V4: passwords, login sessions and failed-login records.

-- An argon2id PHC string (with its parameters), never the password. NULL: no password yet.
ALTER TABLE patrons ADD COLUMN password_hash TEXT;
-- A counter-issued temporary password (仮パスワード, R-A2) until the patron sets their own.
ALTER TABLE patrons ADD COLUMN password_is_temporary INTEGER NOT NULL DEFAULT 0
    CHECK (password_is_temporary IN (0, 1));

-- Login sessions: only a hash of the opaque token the host keeps.
CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY CHECK (length(token_hash) = 64),
    patron_id     INTEGER NOT NULL REFERENCES patrons(id) ON DELETE CASCADE,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    is_restricted INTEGER NOT NULL CHECK (is_restricted IN (0, 1))
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_by_patron ON sessions(patron_id);

-- Failed logins by the card number typed, known or not, so lockout behaves the same for both.
CREATE TABLE login_failures (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    card_number TEXT NOT NULL,
    at          TEXT NOT NULL
) STRICT;
CREATE INDEX login_failures_by_card ON login_failures(card_number, at);
