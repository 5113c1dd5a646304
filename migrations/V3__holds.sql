-- bunko schema V3: hold cart, holds and their queue, e-mail addresses, the notice outbox.

-- Titles a patron collected before confirming (予約カート / 予約かご). Not holds (R-H1).
CREATE TABLE cart_items (
    patron_id INTEGER NOT NULL REFERENCES patrons(id) ON DELETE CASCADE,
    title_id  INTEGER NOT NULL REFERENCES titles(id),
    added_at  TEXT NOT NULL,
    PRIMARY KEY (patron_id, title_id)
) STRICT, WITHOUT ROWID;

-- A patron's registered e-mail addresses (R-C1). `confirmed_at` is set once the address is
-- confirmed (R-C2); only confirmed addresses receive mail.
CREATE TABLE patron_emails (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    patron_id      INTEGER NOT NULL REFERENCES patrons(id) ON DELETE CASCADE,
    address        TEXT NOT NULL CHECK (length(address) BETWEEN 3 AND 254),
    tag            TEXT CHECK (tag IS NULL OR tag IN ('pc', 'mobile')),
    receives_holds INTEGER NOT NULL DEFAULT 0 CHECK (receives_holds IN (0, 1)),
    confirmed_at   TEXT,
    UNIQUE (patron_id, address)
) STRICT;
CREATE UNIQUE INDEX one_hold_address ON patron_emails(patron_id) WHERE receives_holds = 1;

-- A hold (予約) on a title, filled by any holdable copy of it.
--   pending_approval  仮予約: a web hold waiting for staff approval (chiba, R-H5)
--   waiting           予約中: in the queue
--   in_transit        他館確保 / 回送中: a copy is assigned and travelling to the pickup branch
--   ready             利用可能 / 取置中: on the hold shelf until pickup_deadline
--   cancelled, expired: ended; visible to the patron for the policy's days (R-H10)
-- A fulfilled hold (collected) is deleted: the loan carries on, and nothing else should link
-- the patron to the title (R-R1). AUTOINCREMENT: a deleted hold's id is never reused, so a
-- stale id held by a host can never reach another hold.
CREATE TABLE holds (
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
    contact         TEXT NOT NULL CHECK (contact IN ('none', 'mail', 'phone', 'voice', 'post', 'fax')),
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
-- A copy fills at most one hold, a hold holds at most one copy (copy_id is one column).
CREATE UNIQUE INDEX holds_one_per_copy ON holds(copy_id) WHERE copy_id IS NOT NULL;
-- One active hold per patron and title.
CREATE UNIQUE INDEX holds_one_active_per_title ON holds(patron_id, title_id)
    WHERE status IN ('pending_approval', 'waiting', 'in_transit', 'ready');
-- The queue: (priority, placed_at, id) per title. Positions count provisional holds too; the
-- assignment reads only approved ones, and SQLite needs an index whose condition matches
-- `status = 'waiting'` exactly to find the head of a 5,000-deep queue without a scan.
CREATE INDEX holds_queue ON holds(title_id, priority, placed_at, id) WHERE status IN ('pending_approval', 'waiting');
CREATE INDEX holds_waiting ON holds(title_id, priority, placed_at, id) WHERE status = 'waiting';
CREATE INDEX holds_by_patron ON holds(patron_id, status);
CREATE INDEX holds_ready_by_deadline ON holds(pickup_deadline) WHERE status = 'ready';

-- The transactional outbox: notices the host drains and delivers (the engine sends nothing).
CREATE TABLE notices (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    patron_id    INTEGER REFERENCES patrons(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (length(kind) > 0),
    channel      TEXT NOT NULL CHECK (channel IN ('mail', 'phone', 'voice', 'post', 'fax')),
    address      TEXT,
    hold_id      INTEGER REFERENCES holds(id) ON DELETE SET NULL,
    subject      TEXT NOT NULL,
    body         TEXT NOT NULL,
    -- carries a single-use token: the body is redacted once delivered
    is_secret    INTEGER NOT NULL DEFAULT 0 CHECK (is_secret IN (0, 1)),
    created_at   TEXT NOT NULL,
    delivered_at TEXT
) STRICT;
CREATE INDEX notices_pending ON notices(id) WHERE delivered_at IS NULL;
