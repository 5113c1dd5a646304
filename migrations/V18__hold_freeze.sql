-- #17 feature 1: a queued hold may be frozen (Koha "suspend", Evergreen "frozen") while the
-- patron is away. It keeps its place in the queue and counts toward limits; assignment skips
-- it. `is_frozen` says it was frozen; `frozen_until`, when set, is the day it is active again
-- (Evergreen's thaw date): the queue queries compare it with today, so no daily job is needed.
-- Frozen with no date: until lifted. Added by ALTER only (no rebuild of holds).
ALTER TABLE holds ADD COLUMN is_frozen INTEGER NOT NULL DEFAULT 0 CHECK (is_frozen IN (0, 1));
ALTER TABLE holds ADD COLUMN frozen_until TEXT
    CHECK (frozen_until IS NULL
           OR (is_frozen = 1 AND frozen_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'));
