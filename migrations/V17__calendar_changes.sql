-- #17: a counter that every change to a branch's opening calendar moves. Each handle keeps the
-- calendars it has read (check-in and routing need one per operation) and reads them again
-- only when this counter moved, whichever handle or program changed them.
CREATE TABLE calendar_changes (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
) STRICT;
INSERT INTO calendar_changes (id, n) VALUES (1, 0);

CREATE TRIGGER calendar_changes_weekday_insert AFTER INSERT ON branch_closed_weekdays
BEGIN UPDATE calendar_changes SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_changes_weekday_update AFTER UPDATE ON branch_closed_weekdays
BEGIN UPDATE calendar_changes SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_changes_weekday_delete AFTER DELETE ON branch_closed_weekdays
BEGIN UPDATE calendar_changes SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_changes_exception_insert AFTER INSERT ON calendar_exceptions
BEGIN UPDATE calendar_changes SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_changes_exception_update AFTER UPDATE ON calendar_exceptions
BEGIN UPDATE calendar_changes SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER calendar_changes_exception_delete AFTER DELETE ON calendar_exceptions
BEGIN UPDATE calendar_changes SET n = n + 1 WHERE id = 1; END;
