-- bunko schema V13: suspension after a late return (延滞日数分の貸出停止, #15).
--
-- The last day the patron may not borrow; NULL: not suspended. It is safe to keep because a
-- returned loan leaves no row to join it with (V11).
ALTER TABLE patrons ADD COLUMN suspended_until TEXT
    CHECK (suspended_until IS NULL OR suspended_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]');
