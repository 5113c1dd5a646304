-- bunko schema V11: a returned loan leaves no row (privacy, R-R1). Until V10 a returned loan
-- kept its copy, title, branch and dates with only the patron cleared; a day or a lateness
-- stored on the patron (a suspension's end, say) would join with them and name the title the
-- patron borrowed. Now check-in deletes the loan, and only anonymous counts per day stay.

-- Checkouts and returns per day, library-wide: what `daily_circulation` reports. No patron,
-- copy, title or branch. A checkout is counted when the loan starts (dispatch loans included),
-- a return when it ends.
CREATE TABLE circulation_days (
    day       TEXT PRIMARY KEY CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    checkouts INTEGER NOT NULL DEFAULT 0 CHECK (checkouts >= 0),
    returns   INTEGER NOT NULL DEFAULT 0 CHECK (returns >= 0)
) STRICT, WITHOUT ROWID;

-- The same numbers the loans gave: every loan's checkout (open ones too), every return.
INSERT INTO circulation_days (day, checkouts, returns)
    SELECT day, SUM(checkout), SUM(back) FROM (
        SELECT checked_out_on AS day, 1 AS checkout, 0 AS back FROM loans
        UNION ALL
        SELECT returned_on, 0, 1 FROM loans WHERE status = 'returned')
    GROUP BY day;

-- The returned loans' bytes are in the file and the WAL: rewrite the file once (V8's task; it
-- may still be pending from an upgrade over V8).
INSERT OR IGNORE INTO upkeep_tasks (task) SELECT 'vacuum' WHERE EXISTS (SELECT 1 FROM loans WHERE status = 'returned');

-- Nothing may point at a returned loan once it is gone. Check-in already did both.
UPDATE reading_history SET loan_id = NULL WHERE loan_id IN (SELECT id FROM loans WHERE status = 'returned');
DELETE FROM notices WHERE loan_id IN (SELECT id FROM loans WHERE status = 'returned');

-- The table is rebuilt for what it now holds: open loans only, so the patron is required, the
-- return columns go and 'returned' is no status. AUTOINCREMENT: a deleted loan's id is never
-- reused, so a stale id held by a host (`CheckIn::loan`) can never reach another loan; the
-- sequence starts past every id a loan ever had.
INSERT INTO sqlite_sequence (name, seq) SELECT 'loans', id FROM loans ORDER BY id DESC LIMIT 1;

-- Reading history and notices point at open loans: dropping the table counts them as deferred
-- foreign-key violations, which inserting the same loans again resolves before the commit (the
-- migrations run in one transaction).
PRAGMA defer_foreign_keys = ON;
CREATE TABLE loans_open AS
    SELECT id, copy_id, title_id, patron_id, branch, status, checked_out_on, due_on, renewals, reminded_on
    FROM loans WHERE status <> 'returned';
DROP TABLE loans;

-- A loan (貸出) while the copy is out: dispatched to a partner library (in_transit, R-H12) or
-- with the patron (active). Check-in deletes it (R-R1).
CREATE TABLE loans (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    copy_id        INTEGER NOT NULL REFERENCES copies(id),
    title_id       INTEGER NOT NULL REFERENCES titles(id),
    patron_id      INTEGER NOT NULL REFERENCES patrons(id),
    branch         TEXT NOT NULL REFERENCES branches(code),
    status         TEXT NOT NULL CHECK (status IN ('in_transit', 'active')),
    checked_out_on TEXT NOT NULL CHECK (checked_out_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    due_on         TEXT NOT NULL CHECK (due_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    renewals       INTEGER NOT NULL DEFAULT 0 CHECK (renewals >= 0),
    -- the day its due reminder was written (R-C6), so it is reminded once
    reminded_on    TEXT CHECK (reminded_on IS NULL OR reminded_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    CHECK (checked_out_on <= due_on)
) STRICT;
INSERT INTO loans (id, copy_id, title_id, patron_id, branch, status, checked_out_on, due_on, renewals, reminded_on)
    SELECT id, copy_id, title_id, patron_id, branch, status, checked_out_on, due_on, renewals, reminded_on
    FROM loans_open;
DROP TABLE loans_open;

-- Every loan is open, so the indexes need no condition; nothing reads loans by day any more.
CREATE UNIQUE INDEX loans_one_open_per_copy ON loans(copy_id);
CREATE INDEX loans_open_by_patron ON loans(patron_id);
