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

-- Single-use tokens mailed to a patron: password reset links (R-A5) and e-mail address
-- confirmations (R-C2). Only the hash is kept; `used_at` makes them single-use.
CREATE TABLE account_tokens (
    token_hash TEXT PRIMARY KEY CHECK (length(token_hash) = 64),
    patron_id  INTEGER NOT NULL REFERENCES patrons(id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('password_reset', 'email_confirmation')),
    email_id   INTEGER REFERENCES patron_emails(id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    CHECK ((purpose = 'email_confirmation') = (email_id IS NOT NULL))
) STRICT, WITHOUT ROWID;

-- Opt-in due-date reminder mails (kanagawa, R-C6), and the day a loan's reminder was written,
-- so each loan is reminded once.
ALTER TABLE patrons ADD COLUMN wants_due_reminders INTEGER NOT NULL DEFAULT 0 CHECK (wants_due_reminders IN (0, 1));
ALTER TABLE loans ADD COLUMN reminded_on TEXT;
