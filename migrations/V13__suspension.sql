-- bunko schema V13: suspension after a late return (延滞日数分の貸出停止, #15).
--
-- The last day the patron may not borrow; NULL: not suspended. A returned loan leaves no row to
-- join it with (V11); only an opted-in patron's own reading history keeps return days. The
-- daily scrub forgets the date once the suspension has ended.
ALTER TABLE patrons ADD COLUMN suspended_until TEXT
    CHECK (suspended_until IS NULL OR suspended_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]');
