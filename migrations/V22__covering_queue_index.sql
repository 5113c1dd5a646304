-- The queue index covers what assignment reads of a waiting hold (#17, benches/README.md (d)):
-- freeze state, patron and pickup branch follow the queue order and status, so reading a
-- title's queue for a pull list or a returned copy never visits the holds table itself
-- (measured on the bench's 200,000 holds: the pull list's queue read 93 ms → 25 ms).
DROP INDEX holds_queue;
CREATE INDEX holds_queue ON holds(title_id, priority, placed_at, id, status, is_frozen, frozen_until, patron_id,
                                  pickup_branch)
    WHERE status IN ('pending_approval', 'waiting');
