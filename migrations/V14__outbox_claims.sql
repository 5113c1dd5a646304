-- bunko schema V14: an outbox several drainers share (#16, item 5).
--
-- `delivery_key`: 16 random bytes per notice, the idempotency key the host's mail system
-- deduplicates on. Random, never derived from the patron, the address or the text; it is
-- stable across claims and forgotten (NULL) at delivery with the rest of the notice.
-- `attempts`: how many times a drainer was handed the notice (`claim_notices`).
-- `not_before`: no drainer gets the notice before this instant, a claim's lease or a failure's
-- back-off; NULL: claimable now. Both are reset at delivery, so a tombstone keeps neither.
ALTER TABLE notices ADD COLUMN delivery_key BLOB CHECK (delivery_key IS NULL OR length(delivery_key) = 16);
ALTER TABLE notices ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0);
ALTER TABLE notices ADD COLUMN not_before TEXT;
UPDATE notices SET delivery_key = randomblob(16) WHERE delivered_at IS NULL;
