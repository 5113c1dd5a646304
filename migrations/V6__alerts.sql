-- bunko schema V6: saved searches for new-arrival alerts (新着図書お知らせ) and their send log.

CREATE TABLE saved_searches (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    patron_id     INTEGER NOT NULL REFERENCES patrons(id) ON DELETE CASCADE,
    name          TEXT NOT NULL CHECK (length(name) > 0),
    material_kind TEXT,
    category      TEXT,
    created_at    TEXT NOT NULL
) STRICT;
CREATE INDEX saved_searches_by_patron ON saved_searches(patron_id);

CREATE TABLE saved_search_terms (
    search_id INTEGER NOT NULL REFERENCES saved_searches(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL CHECK (position >= 0),
    field     TEXT NOT NULL CHECK (field IN ('title', 'author', 'publisher', 'subject', 'keyword')),
    term      TEXT NOT NULL CHECK (length(term) > 0),
    PRIMARY KEY (search_id, position)
) STRICT, WITHOUT ROWID;

-- One row per scheduled send day that has been handled: the sweep never sends a day twice,
-- and a missed day is caught up once.
CREATE TABLE alert_runs (
    send_day TEXT PRIMARY KEY,
    ran_at   TEXT NOT NULL,
    patrons  INTEGER NOT NULL CHECK (patrons >= 0)
) STRICT, WITHOUT ROWID;
