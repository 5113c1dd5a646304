-- bunko schema V5: booklists (マイブックリスト / マイ本棚 / My本棚) and reading goals.

CREATE TABLE booklists (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    patron_id  INTEGER NOT NULL REFERENCES patrons(id) ON DELETE CASCADE,
    name       TEXT NOT NULL CHECK (length(name) > 0),
    memo       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (patron_id, name)
) STRICT;

CREATE TABLE booklist_entries (
    list_id  INTEGER NOT NULL REFERENCES booklists(id) ON DELETE CASCADE,
    title_id INTEGER NOT NULL REFERENCES titles(id),
    position INTEGER NOT NULL,
    memo     TEXT NOT NULL DEFAULT '',
    added_on TEXT NOT NULL,
    PRIMARY KEY (list_id, title_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX booklist_entries_in_order ON booklist_entries(list_id, position);

-- A reading goal (読書目標, R-R2): a number of books within a period.
CREATE TABLE reading_goals (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    patron_id INTEGER NOT NULL REFERENCES patrons(id) ON DELETE CASCADE,
    starts_on TEXT NOT NULL,
    ends_on   TEXT NOT NULL,
    target    INTEGER NOT NULL CHECK (target > 0),
    CHECK (starts_on <= ends_on)
) STRICT;
