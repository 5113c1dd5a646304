-- bunko schema V26: a hold kept with a dispatched loan (V25) comes back as it was in full.
--
-- Staff dispatching a copy by hand (`dispatch_loan`) fulfil the patron's queued hold whatever
-- its state, so the kept hold may have been awaiting approval (a provisional web hold) or
-- frozen (until a day, or until lifted); it comes back so, not waiting and active. And a
-- patron told that a copy was set aside for the hold (ready, or in transit) before a hand
-- dispatch has no dispatch notice to show it: `was_announced` keeps that they heard, so they
-- hear of the loss too. Rows kept before V26 come back waiting and unfrozen, as V25 gave them.
-- Added by ALTER only (no rebuild).
ALTER TABLE dispatched_holds ADD COLUMN status TEXT NOT NULL DEFAULT 'waiting'
    CHECK (status = 'waiting' OR status = 'pending_approval');
ALTER TABLE dispatched_holds ADD COLUMN is_frozen INTEGER NOT NULL DEFAULT 0 CHECK (is_frozen = 0 OR is_frozen = 1);
ALTER TABLE dispatched_holds ADD COLUMN frozen_until TEXT
    CHECK (frozen_until IS NULL
           OR (is_frozen = 1 AND frozen_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'));
ALTER TABLE dispatched_holds ADD COLUMN was_announced INTEGER NOT NULL DEFAULT 0
    CHECK (was_announced = 0 OR was_announced = 1);
