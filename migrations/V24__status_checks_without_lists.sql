-- bunko schema V24: the CHECKs on a copy's status and an assignment's state as `=` ... `OR`.
--
-- SQLite evaluates `x IN ('a', 'b', 'c', ...)` with more than two constants by building a
-- temporary b-tree of the list, once per statement execution: every checkout, check-in,
-- transit and pull that moved a copy's status, and every assignment written, built and threw
-- away one (measured with a 6-value list: 24.0 µs a one-row UPDATE transaction against 16.6 µs
-- for the same CHECK written with OR; benches/README.md, session 7). The constraints are the
-- same; SQLite cannot change a CHECK in place, so both tables are rebuilt as V22/V23 left them,
-- rows, column order, indexes and references kept. (Migrations run with foreign keys off, and
-- the runner checks every reference before it commits.) Statistics an operator gathered for
-- the two tables (`ANALYZE`) go with them: run it again after the upgrade. bunko never gathers
-- any itself. On a large library the rebuild writes about twice the two tables' size to the
-- WAL (the old pages are zeroed, `secure_delete`) while it holds the write lock: upgrade with
-- one handle, alone (docs/operations.md, "Upgrading").
--
-- It copies fixed column lists, and the runner applies a missing lower-numbered migration
-- after higher ones: so no migration numbered below 24 may be added (V20 and V21 are retired
-- unused numbers); a new migration takes the next number after the highest.
CREATE TABLE copies_v24 (
    id                INTEGER PRIMARY KEY,
    barcode           TEXT NOT NULL UNIQUE CHECK (length(barcode) BETWEEN 1 AND 64),
    title_id          INTEGER NOT NULL REFERENCES titles(id),
    branch            TEXT NOT NULL REFERENCES branches(code),
    material_kind     TEXT NOT NULL CHECK (length(material_kind) > 0),
    is_loanable       INTEGER NOT NULL CHECK (is_loanable = 0 OR is_loanable = 1),
    is_interlibrary   INTEGER NOT NULL DEFAULT 0 CHECK (is_interlibrary = 0 OR is_interlibrary = 1),
    status            TEXT NOT NULL DEFAULT 'on_shelf'
                      CHECK (status = 'on_shelf' OR status = 'on_loan' OR status = 'in_transit'
                             OR status = 'on_hold_shelf' OR status = 'missing' OR status = 'withdrawn'),
    available_since   TEXT NOT NULL CHECK (available_since GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    transit_to        TEXT REFERENCES branches(code)
                      CHECK (transit_to IS NULL OR status = 'in_transit'),
    condition         TEXT
                      CHECK (condition IS NULL
                             OR (condition = 'lost' AND status = 'missing')
                             OR ((condition = 'damaged' OR condition = 'withdrawn') AND status = 'withdrawn'))
) STRICT;
INSERT INTO copies_v24 (id, barcode, title_id, branch, material_kind, is_loanable, is_interlibrary, status,
                        available_since, transit_to, condition)
    SELECT id, barcode, title_id, branch, material_kind, is_loanable, is_interlibrary, status,
           available_since, transit_to, condition
    FROM copies;
DROP TABLE copies;
ALTER TABLE copies_v24 RENAME TO copies;
CREATE INDEX copies_by_title ON copies(title_id, status);

CREATE TABLE assignments_v24 (
    hold_id         INTEGER PRIMARY KEY REFERENCES holds(id),
    copy_id         INTEGER NOT NULL REFERENCES copies(id),
    state           TEXT NOT NULL CHECK (state = 'targeted' OR state = 'in_transit' OR state = 'ready'),
    targeted_at     TEXT,
    arrives_on      TEXT,
    ready_on        TEXT,
    pickup_deadline TEXT,
    CHECK (state <> 'targeted' OR targeted_at IS NOT NULL),
    CHECK (state <> 'in_transit' OR arrives_on IS NOT NULL),
    CHECK (state <> 'ready' OR (ready_on IS NOT NULL AND pickup_deadline IS NOT NULL))
) STRICT, WITHOUT ROWID;
INSERT INTO assignments_v24 (hold_id, copy_id, state, targeted_at, arrives_on, ready_on, pickup_deadline)
    SELECT hold_id, copy_id, state, targeted_at, arrives_on, ready_on, pickup_deadline FROM assignments;
DROP TABLE assignments;
ALTER TABLE assignments_v24 RENAME TO assignments;
CREATE UNIQUE INDEX assignments_by_copy ON assignments(copy_id);
CREATE INDEX assignments_ready_by_deadline ON assignments(pickup_deadline) WHERE state = 'ready';
