-- bunko schema V19: staff operations and their audit trail (#17, feature 4).
--
-- A copy's condition, set by staff: lost (紛失, status 'missing'), damaged (破損: out of
-- circulation until repaired, status 'withdrawn') or withdrawn (除籍, status 'withdrawn', for
-- good). NULL: as its status says. The copies table is not rebuilt (other migrations change it
-- too): the column is added with its own CHECK, which ties it to the status.
ALTER TABLE copies ADD COLUMN condition TEXT
    CHECK (condition IS NULL
           OR (condition = 'lost' AND status = 'missing')
           OR (condition IN ('damaged', 'withdrawn') AND status = 'withdrawn'));

-- One row per staff action, written in the action's transaction. Privacy (R-R1): the row
-- names the patron (and the loan, hold and copy) only while the loan or hold is live; when the
-- loan is returned or the hold ends, the transaction that ends it strips the row to when, who,
-- what and which reasons were overridden: no patron, loan, hold, copy or note (the note is
-- staff's free text and may name the patron). Copy actions (lost, damaged, withdrawn, edited,
-- available again) name the copy and never a patron.
CREATE TABLE audit (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    staff      TEXT NOT NULL CHECK (length(staff) BETWEEN 1 AND 64),
    action     TEXT NOT NULL CHECK (action IN ('renewal', 'override_checkout', 'override_renewal', 'override_hold',
                                               'copy_edited', 'copy_lost', 'copy_damaged', 'copy_withdrawn',
                                               'copy_available')),
    -- The overridden reasons' codes, comma-separated; empty when none.
    overridden TEXT NOT NULL DEFAULT '' CHECK (overridden NOT GLOB '*[^a-z_,]*'),
    note       TEXT NOT NULL DEFAULT '',
    -- What a copy action changed, in words (`branch: chuo -> kita`); never a patron.
    detail     TEXT NOT NULL DEFAULT '',
    patron_id  INTEGER REFERENCES patrons(id) ON DELETE SET NULL,
    loan_id    INTEGER REFERENCES loans(id) ON DELETE SET NULL,
    hold_id    INTEGER REFERENCES holds(id) ON DELETE SET NULL,
    copy_id    INTEGER REFERENCES copies(id),
    CHECK (patron_id IS NULL OR loan_id IS NOT NULL OR hold_id IS NOT NULL)
) STRICT;
CREATE INDEX audit_by_time ON audit(at);
-- The strip at return and at a hold's end finds its rows here.
CREATE INDEX audit_by_loan ON audit(loan_id) WHERE loan_id IS NOT NULL;
CREATE INDEX audit_by_hold ON audit(hold_id) WHERE hold_id IS NOT NULL;
