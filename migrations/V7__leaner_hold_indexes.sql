-- Fewer indexes to maintain when a hold changes state (measured in benches/README.md, (d)):
-- assigning a copy to a hold touched eight index entries, now five.
--
-- One queue index instead of two: `status` is its last column, so the queue head is found by
-- skipping provisional holds inside the index. Queries for waiting holds on a title say
-- `status IN ('pending_approval', 'waiting') AND status = 'waiting'`, which SQLite matches
-- to the index's condition.
DROP INDEX holds_waiting;
DROP INDEX holds_queue;
CREATE INDEX holds_queue ON holds(title_id, priority, placed_at, id, status)
    WHERE status IN ('pending_approval', 'waiting');
-- A patron has a few dozen holds at most: the status column only made every state change
-- move the entry.
DROP INDEX holds_by_patron;
CREATE INDEX holds_by_patron ON holds(patron_id);
