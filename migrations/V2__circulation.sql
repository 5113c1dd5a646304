-- bunko schema V2: loans, transit of returned copies, opt-in reading history.

-- A copy travelling between branches says where to.
ALTER TABLE copies ADD COLUMN transit_to TEXT REFERENCES branches(code)
    CHECK (transit_to IS NULL OR status = 'in_transit');

-- A loan (貸出). `patron_id` is cleared when the copy comes back (privacy, R-R1): returned
-- loans keep only what statistics need (title, branch, dates).
CREATE TABLE loans (
    id             INTEGER PRIMARY KEY,
    copy_id        INTEGER NOT NULL REFERENCES copies(id),
    title_id       INTEGER NOT NULL REFERENCES titles(id),
    patron_id      INTEGER REFERENCES patrons(id),
    branch         TEXT NOT NULL REFERENCES branches(code),
    status         TEXT NOT NULL CHECK (status IN ('in_transit', 'active', 'returned')),
    checked_out_on TEXT NOT NULL,
    due_on         TEXT NOT NULL,
    renewals       INTEGER NOT NULL DEFAULT 0 CHECK (renewals >= 0),
    returned_on    TEXT,
    returned_at    TEXT REFERENCES branches(code),
    days_overdue   INTEGER CHECK (days_overdue IS NULL OR days_overdue >= 0),
    CHECK ((status = 'returned') = (returned_on IS NOT NULL)),
    CHECK (status = 'returned' OR patron_id IS NOT NULL),
    CHECK (checked_out_on <= due_on)
) STRICT;
CREATE UNIQUE INDEX loans_one_open_per_copy ON loans(copy_id) WHERE status <> 'returned';
CREATE INDEX loans_open_by_patron ON loans(patron_id) WHERE status <> 'returned';
CREATE INDEX loans_by_day ON loans(checked_out_on);

-- Opt-in reading history (読書履歴, R-R1): the day the patron agreed to the terms; only loans
-- checked out from then on are recorded. NULL: not opted in.
ALTER TABLE patrons ADD COLUMN reading_history_since TEXT;

CREATE TABLE reading_history (
    id             INTEGER PRIMARY KEY,
    patron_id      INTEGER NOT NULL REFERENCES patrons(id) ON DELETE CASCADE,
    title_id       INTEGER NOT NULL REFERENCES titles(id),
    -- the open loan, until it is returned; then the link is dropped
    loan_id        INTEGER UNIQUE REFERENCES loans(id),
    checked_out_on TEXT NOT NULL,
    returned_on    TEXT
) STRICT;
CREATE INDEX reading_history_by_patron ON reading_history(patron_id, checked_out_on);
