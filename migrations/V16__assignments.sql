-- bunko schema V16: the hold↔copy assignment in a table of its own (#17, faster assignment).
--
-- Assigning a copy to a hold used to update the hold row in place (status, copy_id, dates),
-- moving it out of the queue index and into two others, and the copy row: a 16.5k-hold pull
-- list dirtied ~7,400 pages. Now an assignment is one narrow row inserted here, keyed by the
-- hold (WITHOUT ROWID: the row is its primary-key entry), with a unique copy index that covers
-- the copy → hold look-up. The hold row is not touched: it stays `waiting` in the queue index,
-- and readers take a hold's state, copy and dates from its assignment row when there is one.
--
--   targeted   the pull list asked staff to pull this copy for this hold (at targeted_at);
--              the hold still waits and the copy is still on the shelf
--   in_transit the copy travels to the hold's pickup branch, arriving on arrives_on
--   ready      the copy is on the hold shelf from ready_on until pickup_deadline
--
-- The row is deleted when the hold ends or is collected (R-R1: nothing keeps the link), or
-- when the assignment is released and the hold waits again at its old place.
CREATE TABLE assignments (
    hold_id         INTEGER PRIMARY KEY REFERENCES holds(id),
    copy_id         INTEGER NOT NULL REFERENCES copies(id),
    state           TEXT NOT NULL CHECK (state IN ('targeted', 'in_transit', 'ready')),
    targeted_at     TEXT,
    arrives_on      TEXT,
    ready_on        TEXT,
    pickup_deadline TEXT,
    CHECK (state <> 'targeted' OR targeted_at IS NOT NULL),
    CHECK (state <> 'in_transit' OR arrives_on IS NOT NULL),
    CHECK (state <> 'ready' OR (ready_on IS NOT NULL AND pickup_deadline IS NOT NULL))
) STRICT, WITHOUT ROWID;
-- A copy has at most one assignment; statements keyed by copy name this index (INDEXED BY),
-- so their plan does not depend on statistics gathered while the table was empty.
CREATE UNIQUE INDEX assignments_by_copy ON assignments(copy_id);
-- The expiry sweep reads ready holds by deadline. (The retargeting job scans the table.)
CREATE INDEX assignments_ready_by_deadline ON assignments(pickup_deadline) WHERE state = 'ready';

-- Existing assignments move in place: in-transit and ready holds become assignment rows, and
-- their hold rows go back to what the holds table now stores for every assigned hold.
INSERT INTO assignments (hold_id, copy_id, state, arrives_on, ready_on, pickup_deadline)
    SELECT id, copy_id, status, IIF(status = 'in_transit', arrives_on, NULL),
           IIF(status = 'ready', ready_on, NULL), IIF(status = 'ready', pickup_deadline, NULL)
    FROM holds WHERE status IN ('in_transit', 'ready');
UPDATE holds SET status = 'waiting', copy_id = NULL, arrives_on = NULL, ready_on = NULL, pickup_deadline = NULL
    WHERE status IN ('in_transit', 'ready');
-- An ended hold keeps no copy or dates either (they ended with its assignment).
UPDATE holds SET copy_id = NULL, arrives_on = NULL, ready_on = NULL, pickup_deadline = NULL
    WHERE copy_id IS NOT NULL OR arrives_on IS NOT NULL OR ready_on IS NOT NULL OR pickup_deadline IS NOT NULL;
-- The hold row no longer carries a copy or a deadline, so the partial indexes
-- holds_one_per_copy and holds_ready_by_deadline stay empty and cost nothing to keep; they are
-- kept so the holds table's shape is as V12 left it (other migrations alter it in place).
