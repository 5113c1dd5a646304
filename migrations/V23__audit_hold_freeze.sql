-- bunko schema V23: staff freezing a hold, or lifting its freeze, is audited like their other
-- actions (#17, feature 4). SQLite cannot change a CHECK constraint, so the audit table is
-- rebuilt with two more actions; rows, ids and the AUTOINCREMENT counter are kept. The
-- privacy rules of V19 are unchanged: a hold action names the patron and the hold only while
-- the hold is live, and the transaction that ends the hold strips the row.
--
-- The rebuild also drops V19's `ON DELETE SET NULL` from `loan_id` and `hold_id`: the store
-- strips a loan's or hold's rows before it deletes the loan or hold, so the action never had
-- anything to do, yet SQLite ran it (an UPDATE of audit through a temporary table) on every
-- return and every collection. Without it, deleting a loan or hold that an unstripped row
-- still names fails instead of leaving the row's patron and note behind.
CREATE TABLE audit_v23 (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    staff      TEXT NOT NULL CHECK (length(staff) BETWEEN 1 AND 64),
    action     TEXT NOT NULL CHECK (action IN ('renewal', 'override_checkout', 'override_renewal', 'override_hold',
                                               'copy_edited', 'copy_lost', 'copy_damaged', 'copy_withdrawn',
                                               'copy_available', 'hold_frozen', 'hold_unfrozen')),
    -- The overridden reasons' codes, comma-separated; empty when none.
    overridden TEXT NOT NULL DEFAULT '' CHECK (overridden NOT GLOB '*[^a-z_,]*'),
    note       TEXT NOT NULL DEFAULT '',
    -- What the action changed, in words (`branch: chuo -> kita`, `until 2026-12-20`); never a
    -- patron.
    detail     TEXT NOT NULL DEFAULT '',
    patron_id  INTEGER REFERENCES patrons(id) ON DELETE SET NULL,
    loan_id    INTEGER REFERENCES loans(id),
    hold_id    INTEGER REFERENCES holds(id),
    copy_id    INTEGER REFERENCES copies(id),
    CHECK (patron_id IS NULL OR loan_id IS NOT NULL OR hold_id IS NOT NULL)
) STRICT;
INSERT INTO audit_v23 (id, at, staff, action, overridden, note, detail, patron_id, loan_id, hold_id, copy_id)
    SELECT id, at, staff, action, overridden, note, detail, patron_id, loan_id, hold_id, copy_id FROM audit;
DELETE FROM sqlite_sequence WHERE name = 'audit_v23';
INSERT INTO sqlite_sequence (name, seq) SELECT 'audit_v23', seq FROM sqlite_sequence WHERE name = 'audit';
DROP TABLE audit;
ALTER TABLE audit_v23 RENAME TO audit;
CREATE INDEX audit_by_time ON audit(at);
CREATE INDEX audit_by_loan ON audit(loan_id) WHERE loan_id IS NOT NULL;
CREATE INDEX audit_by_hold ON audit(hold_id) WHERE hold_id IS NOT NULL;
