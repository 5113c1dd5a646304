-- bunko schema V12 (#15): patron flags and contact channels are open sets the policy names
-- (`[flags.<code>]`, `[contact.channels.<code>]`), so the schema checks only a code's shape:
-- 1 to 32 lowercase ASCII letters, digits or `_`. Which codes exist is the policy's to say.
--
-- Three CHECKs listed the six built-in contact methods: patrons.default_contact,
-- holds.contact and notices.channel. SQLite changes a CHECK only by rebuilding the table
-- (https://www.sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema Changes"):
-- create the new table, copy every row, drop the old one, rename the new one. The store runs
-- migrations with foreign keys off and runs `PRAGMA foreign_key_check` before it commits, so
-- dropping a parent table neither cascades nor leaves a dangling reference. Each table keeps
-- its columns in order, every other constraint, its indexes (the unique partial indexes on
-- holds that ARCHITECTURE.md's invariants rest on are recreated as they were) and, for the
-- AUTOINCREMENT tables, the counter: an id once used is never reused. No table has a trigger
-- or a view.

-- Flags a patron is registered with, by the code the policy declares (chiba:
-- `hearing_impaired`, 聴覚に障害のある方). A flag the policy stops declaring stays stored and
-- satisfies no rule.
CREATE TABLE patron_flags (
    patron_id INTEGER NOT NULL REFERENCES patrons(id) ON DELETE CASCADE,
    flag      TEXT NOT NULL CHECK (length(flag) BETWEEN 1 AND 32 AND flag NOT GLOB '*[^a-z0-9_]*'),
    PRIMARY KEY (patron_id, flag)
) STRICT, WITHOUT ROWID;

-- Move the one flag there was. `patrons.is_hearing_impaired` stays (migrations are
-- append-only and the column is harmless) but is 0 from here on and no longer read or
-- written: a disability is not kept in two places.
INSERT INTO patron_flags (patron_id, flag) SELECT id, 'hearing_impaired' FROM patrons WHERE is_hearing_impaired = 1;

-- patrons: default_contact may name a declared channel.
CREATE TABLE patrons_v12 (
    id               INTEGER PRIMARY KEY,
    card_number      TEXT NOT NULL UNIQUE CHECK (length(card_number) BETWEEN 1 AND 32),
    name             TEXT NOT NULL CHECK (length(name) > 0),
    birth_date       TEXT CHECK (birth_date IS NULL OR birth_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    category         TEXT NOT NULL DEFAULT 'general' CHECK (length(category) > 0),
    is_blocked       INTEGER NOT NULL DEFAULT 0 CHECK (is_blocked IN (0, 1)),
    -- unused since V12: see patron_flags
    is_hearing_impaired INTEGER NOT NULL DEFAULT 0 CHECK (is_hearing_impaired IN (0, 1)),
    registered_on    TEXT NOT NULL,
    expires_on       TEXT NOT NULL,
    last_activity_on TEXT NOT NULL,
    default_pickup   TEXT REFERENCES branches(code),
    reading_history_since TEXT,
    password_hash    TEXT,
    password_is_temporary INTEGER NOT NULL DEFAULT 0 CHECK (password_is_temporary IN (0, 1)),
    wants_due_reminders INTEGER NOT NULL DEFAULT 0 CHECK (wants_due_reminders IN (0, 1)),
    default_contact  TEXT
        CHECK (default_contact IS NULL
               OR (length(default_contact) BETWEEN 1 AND 32 AND default_contact NOT GLOB '*[^a-z0-9_]*')),
    self_issue_terms_agreed_on TEXT
        CHECK (self_issue_terms_agreed_on IS NULL
               OR self_issue_terms_agreed_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    CHECK (registered_on <= expires_on)
) STRICT;
INSERT INTO patrons_v12 (id, card_number, name, birth_date, category, is_blocked, is_hearing_impaired,
                         registered_on, expires_on, last_activity_on, default_pickup, reading_history_since,
                         password_hash, password_is_temporary, wants_due_reminders, default_contact,
                         self_issue_terms_agreed_on)
    SELECT id, card_number, name, birth_date, category, is_blocked, 0,
           registered_on, expires_on, last_activity_on, default_pickup, reading_history_since,
           password_hash, password_is_temporary, wants_due_reminders, default_contact,
           self_issue_terms_agreed_on
    FROM patrons;
DROP TABLE patrons;
ALTER TABLE patrons_v12 RENAME TO patrons;

-- holds: contact may name a declared channel.
CREATE TABLE holds_v12 (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    patron_id       INTEGER NOT NULL REFERENCES patrons(id),
    title_id        INTEGER NOT NULL REFERENCES titles(id),
    material_kind   TEXT NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('web', 'counter')),
    status          TEXT NOT NULL
                    CHECK (status IN ('pending_approval', 'waiting', 'in_transit', 'ready', 'cancelled', 'expired')),
    priority        INTEGER NOT NULL DEFAULT 0,
    placed_at       TEXT NOT NULL,
    pickup_branch   TEXT NOT NULL REFERENCES branches(code),
    pickup_point    TEXT,
    contact         TEXT NOT NULL CHECK (length(contact) BETWEEN 1 AND 32 AND contact NOT GLOB '*[^a-z0-9_]*'),
    contact_phone   TEXT,
    is_interlibrary INTEGER NOT NULL DEFAULT 0 CHECK (is_interlibrary IN (0, 1)),
    copy_id         INTEGER REFERENCES copies(id),
    arrives_on      TEXT,
    ready_on        TEXT,
    pickup_deadline TEXT,
    notified_at     TEXT,
    ended_on        TEXT,
    end_reason      TEXT,
    is_hidden       INTEGER NOT NULL DEFAULT 0 CHECK (is_hidden IN (0, 1)),
    CHECK ((status IN ('in_transit', 'ready')) = (copy_id IS NOT NULL)),
    CHECK (status <> 'ready' OR (pickup_deadline IS NOT NULL AND ready_on IS NOT NULL)),
    CHECK (status <> 'in_transit' OR arrives_on IS NOT NULL),
    CHECK ((status IN ('cancelled', 'expired')) = (ended_on IS NOT NULL))
) STRICT;
INSERT INTO holds_v12 (id, patron_id, title_id, material_kind, channel, status, priority, placed_at,
                       pickup_branch, pickup_point, contact, contact_phone, is_interlibrary, copy_id,
                       arrives_on, ready_on, pickup_deadline, notified_at, ended_on, end_reason, is_hidden)
    SELECT id, patron_id, title_id, material_kind, channel, status, priority, placed_at,
           pickup_branch, pickup_point, contact, contact_phone, is_interlibrary, copy_id,
           arrives_on, ready_on, pickup_deadline, notified_at, ended_on, end_reason, is_hidden
    FROM holds;
-- The AUTOINCREMENT counter goes with the table: collected holds were deleted, so it is
-- usually past the largest id left.
DELETE FROM sqlite_sequence WHERE name = 'holds_v12';
INSERT INTO sqlite_sequence (name, seq) SELECT 'holds_v12', seq FROM sqlite_sequence WHERE name = 'holds';
DROP TABLE holds;
ALTER TABLE holds_v12 RENAME TO holds;
-- As V3 and V7 left them.
CREATE UNIQUE INDEX holds_one_per_copy ON holds(copy_id) WHERE copy_id IS NOT NULL;
CREATE UNIQUE INDEX holds_one_active_per_title ON holds(patron_id, title_id)
    WHERE status IN ('pending_approval', 'waiting', 'in_transit', 'ready');
CREATE INDEX holds_ready_by_deadline ON holds(pickup_deadline) WHERE status = 'ready';
CREATE INDEX holds_queue ON holds(title_id, priority, placed_at, id, status)
    WHERE status IN ('pending_approval', 'waiting');
CREATE INDEX holds_by_patron ON holds(patron_id);

-- notices: channel may name a declared channel (never `none`: nothing is sent for it).
CREATE TABLE notices_v12 (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    patron_id    INTEGER REFERENCES patrons(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (length(kind) > 0),
    channel      TEXT NOT NULL
                 CHECK (length(channel) BETWEEN 1 AND 32 AND channel NOT GLOB '*[^a-z0-9_]*' AND channel <> 'none'),
    address      TEXT,
    hold_id      INTEGER REFERENCES holds(id) ON DELETE SET NULL,
    subject      TEXT NOT NULL,
    body         TEXT NOT NULL,
    -- carries a single-use token: the body is redacted once delivered
    is_secret    INTEGER NOT NULL DEFAULT 0 CHECK (is_secret IN (0, 1)),
    created_at   TEXT NOT NULL,
    delivered_at TEXT,
    loan_id      INTEGER REFERENCES loans(id)
) STRICT;
INSERT INTO notices_v12 (id, patron_id, kind, channel, address, hold_id, subject, body, is_secret, created_at,
                         delivered_at, loan_id)
    SELECT id, patron_id, kind, channel, address, hold_id, subject, body, is_secret, created_at,
           delivered_at, loan_id
    FROM notices;
DELETE FROM sqlite_sequence WHERE name = 'notices_v12';
INSERT INTO sqlite_sequence (name, seq) SELECT 'notices_v12', seq FROM sqlite_sequence WHERE name = 'notices';
DROP TABLE notices;
ALTER TABLE notices_v12 RENAME TO notices;
-- As V3 and V8 left them.
CREATE INDEX notices_pending ON notices(id) WHERE delivered_at IS NULL;
CREATE INDEX notices_by_hold ON notices(hold_id) WHERE hold_id IS NOT NULL;
CREATE INDEX notices_by_loan ON notices(loan_id) WHERE loan_id IS NOT NULL;
