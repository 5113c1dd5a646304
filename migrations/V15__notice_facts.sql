-- bunko schema V15: a notice keeps the facts it was rendered from (#16, item 3).
--
-- `facts`: the notice's facts (title, dates, branch names, pickup deadline, a code where there
-- is one) as JSON, so a host can render them in its own words or language. NULL for notices
-- written before V15. Forgotten (NULL) at delivery with the subject and body; a notice that
-- carries a code is deleted at delivery, facts and all.
ALTER TABLE notices ADD COLUMN facts TEXT;
