-- bunko schema V1: branches, opening calendar, catalogue (titles, copies) and patrons.
-- Dates are TEXT 'YYYY-MM-DD' in the library's local calendar; instants are TEXT in UTC.

CREATE TABLE branches (
    code       TEXT PRIMARY KEY CHECK (length(code) BETWEEN 1 AND 64),
    name       TEXT NOT NULL CHECK (length(name) > 0),
    is_pickup  INTEGER NOT NULL CHECK (is_pickup IN (0, 1)),
    is_partner INTEGER NOT NULL CHECK (is_partner IN (0, 1))
) STRICT;

-- Weekdays a branch is regularly closed (0 = Monday ... 6 = Sunday).
CREATE TABLE branch_closed_weekdays (
    branch  TEXT NOT NULL REFERENCES branches(code) ON DELETE CASCADE,
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    PRIMARY KEY (branch, weekday)
) STRICT, WITHOUT ROWID;

-- Dates that differ from the weekly pattern: closed (holidays, stocktaking) or specially open.
CREATE TABLE calendar_exceptions (
    branch TEXT NOT NULL REFERENCES branches(code) ON DELETE CASCADE,
    day    TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    is_open INTEGER NOT NULL CHECK (is_open IN (0, 1)),
    note   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (branch, day)
) STRICT, WITHOUT ROWID;

-- Bibliographic records (書誌). A hold is on a title; any holdable copy can fill it.
CREATE TABLE titles (
    id           INTEGER PRIMARY KEY,
    title        TEXT NOT NULL CHECK (length(title) > 0),
    author       TEXT NOT NULL DEFAULT '',
    publisher    TEXT NOT NULL DEFAULT '',
    category     TEXT NOT NULL DEFAULT '',
    published_on TEXT CHECK (published_on IS NULL OR published_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    is_serial    INTEGER NOT NULL DEFAULT 0 CHECK (is_serial IN (0, 1)),
    isbn         TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE title_subjects (
    title_id INTEGER NOT NULL REFERENCES titles(id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position >= 0),
    subject  TEXT NOT NULL CHECK (length(subject) > 0),
    PRIMARY KEY (title_id, position)
) STRICT, WITHOUT ROWID;

-- Physical items (資料). `status` is what circulation and holds move through.
CREATE TABLE copies (
    id                INTEGER PRIMARY KEY,
    barcode           TEXT NOT NULL UNIQUE CHECK (length(barcode) BETWEEN 1 AND 64),
    title_id          INTEGER NOT NULL REFERENCES titles(id),
    branch            TEXT NOT NULL REFERENCES branches(code),
    material_kind     TEXT NOT NULL CHECK (length(material_kind) > 0),
    is_loanable       INTEGER NOT NULL CHECK (is_loanable IN (0, 1)),
    is_interlibrary   INTEGER NOT NULL DEFAULT 0 CHECK (is_interlibrary IN (0, 1)),
    status            TEXT NOT NULL DEFAULT 'on_shelf'
                      CHECK (status IN ('on_shelf', 'on_loan', 'in_transit', 'on_hold_shelf', 'missing', 'withdrawn')),
    available_since   TEXT NOT NULL CHECK (available_since GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]')
) STRICT;
CREATE INDEX copies_by_title ON copies(title_id, status);

-- Patrons (利用者). Credentials and contact details come in later migrations.
CREATE TABLE patrons (
    id               INTEGER PRIMARY KEY,
    card_number      TEXT NOT NULL UNIQUE CHECK (length(card_number) BETWEEN 1 AND 32),
    name             TEXT NOT NULL CHECK (length(name) > 0),
    birth_date       TEXT CHECK (birth_date IS NULL OR birth_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    category         TEXT NOT NULL DEFAULT 'general' CHECK (length(category) > 0),
    is_blocked       INTEGER NOT NULL DEFAULT 0 CHECK (is_blocked IN (0, 1)),
    is_hearing_impaired INTEGER NOT NULL DEFAULT 0 CHECK (is_hearing_impaired IN (0, 1)),
    registered_on    TEXT NOT NULL,
    expires_on       TEXT NOT NULL,
    last_activity_on TEXT NOT NULL,
    default_pickup   TEXT REFERENCES branches(code),
    CHECK (registered_on <= expires_on)
) STRICT;

-- Phone numbers registered at sign-up (home, mobile, ...); one is chosen for hold calls.
CREATE TABLE patron_phones (
    patron_id INTEGER NOT NULL REFERENCES patrons(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL CHECK (position >= 0),
    kind      TEXT NOT NULL CHECK (kind IN ('home', 'mobile', 'work', 'other')),
    number    TEXT NOT NULL CHECK (length(number) BETWEEN 1 AND 32),
    is_chosen INTEGER NOT NULL DEFAULT 0 CHECK (is_chosen IN (0, 1)),
    PRIMARY KEY (patron_id, position)
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX one_chosen_phone ON patron_phones(patron_id) WHERE is_chosen = 1;
