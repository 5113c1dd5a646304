-- bunko schema V25: the request behind a loan that starts when its copy is dispatched to a
-- partner library's pickup (R-H12) is kept with the loan until the patron collects the copy.
--
-- Such a loan replaces its hold (the hold row is deleted at dispatch, as at a collection), so
-- before V25 a copy staff marked lost on its way left the patron with neither the copy nor
-- the request. Now the hold's own fields wait here, keyed by the loan (the patron and the
-- title are the loan's). Marking the copy lost before the patron collects it, while the loan
-- is neither renewed nor overdue, gives the hold back as it was: its id, place in the queue
-- (priority, placing time), pickup branch and point, contact method and phone, channel and
-- interlibrary flag. Collecting the copy (`confirm_pickup`) or ending the loan otherwise
-- deletes the row (R-R1: it links the patron to the title no longer than the loan does). The
-- store deletes it before the loan, and only for a loan not yet collected: an `ON DELETE`
-- action would run a sub-program on every return (as V23 found for the audit log). Loans
-- dispatched before V25 have no row: a copy of theirs lost on the way ends the request, as
-- before.
--
-- A hold given back is marked (`holds.is_given_back`): the patron may have placed others
-- since it was dispatched, and its limits were checked when it was first placed, so the
-- engine's check does not count it against them.
CREATE TABLE dispatched_holds (
    loan_id         INTEGER PRIMARY KEY REFERENCES loans(id),
    hold_id         INTEGER NOT NULL UNIQUE,
    pickup_branch   TEXT NOT NULL REFERENCES branches(code),
    material_kind   TEXT NOT NULL,
    channel         TEXT NOT NULL CHECK (channel = 'web' OR channel = 'counter'),
    priority        INTEGER NOT NULL,
    placed_at       TEXT NOT NULL,
    pickup_point    TEXT,
    contact         TEXT NOT NULL,
    contact_phone   TEXT,
    is_interlibrary INTEGER NOT NULL CHECK (is_interlibrary = 0 OR is_interlibrary = 1)
) STRICT;
ALTER TABLE holds ADD COLUMN is_given_back INTEGER NOT NULL DEFAULT 0 CHECK (is_given_back = 0 OR is_given_back = 1);
