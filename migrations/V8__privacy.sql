-- bunko schema V8: forgetting what the engine promises to forget (R-R1), keyed login-failure
-- records, throttled reset codes, and notices tied to the loan they are about.

-- Random keys generated once per database (SQLite's CSPRNG, seeded by the OS).
CREATE TABLE engine_keys (
    purpose TEXT PRIMARY KEY,
    key     BLOB NOT NULL CHECK (length(key) = 32)
) STRICT, WITHOUT ROWID;
INSERT INTO engine_keys (purpose, key) VALUES ('login_failures', randomblob(32));

-- Failed logins by a keyed hash of the typed card number: a password typed into the card
-- field is never stored. Old rows held clear text and are at most a lockout window old.
DROP TABLE login_failures;
CREATE TABLE login_failures (
    id        INTEGER PRIMARY KEY,
    card_hash TEXT NOT NULL CHECK (length(card_hash) = 64),
    at        TEXT NOT NULL
) STRICT;
CREATE INDEX login_failures_by_card ON login_failures(card_hash, at);

-- When a single-use code was issued, to throttle reset requests per hour.
ALTER TABLE account_tokens ADD COLUMN created_at TEXT;

-- A notice about a loan (due reminder, dispatch) names it, so it is forgotten with the loan.
ALTER TABLE notices ADD COLUMN loan_id INTEGER REFERENCES loans(id);
CREATE INDEX notices_by_hold ON notices(hold_id) WHERE hold_id IS NOT NULL;
CREATE INDEX notices_by_loan ON notices(loan_id) WHERE loan_id IS NOT NULL;

-- Anonymous delivery counts: what is left of a notice once delivered.
CREATE TABLE notice_counts (
    day       TEXT NOT NULL,
    kind      TEXT NOT NULL,
    channel   TEXT NOT NULL,
    delivered INTEGER NOT NULL CHECK (delivered >= 0),
    PRIMARY KEY (day, kind, channel)
) STRICT, WITHOUT ROWID;

-- Delivered notices named a patron and a title forever: count them, then keep only an
-- anonymous tombstone for a live hold (for a bounce fallback) and drop the rest. Undelivered
-- notices about holds that no longer exist are stale: drop them too.
INSERT INTO notice_counts (day, kind, channel, delivered)
    SELECT substr(delivered_at, 1, 10), kind, channel, COUNT(*) FROM notices
    WHERE delivered_at IS NOT NULL GROUP BY 1, 2, 3;
DELETE FROM notices WHERE delivered_at IS NOT NULL AND (hold_id IS NULL OR is_secret = 1);
UPDATE notices SET patron_id = NULL, address = NULL, subject = '', body = ''
    WHERE delivered_at IS NOT NULL;
DELETE FROM notices WHERE hold_id IS NULL AND kind IN ('hold_placed', 'hold_ready', 'hold_in_transit');

-- Last activity is kept to the month (the last day of the month of the latest activity), so
-- it cannot be joined with a loan's dates to name its borrower; R-A6 counts years.
UPDATE patrons SET last_activity_on = date(last_activity_on, 'start of month', '+1 month', '-1 day');

-- One-off tasks for the engine after this migration: an upgraded library was written without
-- secure_delete, so returned loans' borrowers and delivered codes may survive in free space
-- until the whole file is rewritten once (VACUUM, at open or at the next scrub).
CREATE TABLE upkeep_tasks (task TEXT PRIMARY KEY) STRICT, WITHOUT ROWID;
INSERT INTO upkeep_tasks (task) SELECT 'vacuum' WHERE EXISTS (SELECT 1 FROM patrons);

-- A registration day joins with a new patron's first loan, and a reminder day with an
-- opted-in patron's loans: keep the first to the month, and drop the second at return.
UPDATE patrons SET registered_on = date(registered_on, 'start of month');
UPDATE loans SET reminded_on = NULL WHERE status = 'returned';
