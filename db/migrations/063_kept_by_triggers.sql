-- Rows derived from the rows a change writes, kept by triggers in its transaction (as 019 keeps
-- status_counts), so the change sends fewer statements.
--
-- An event's number and its webhook delivery: the writer sends one INSERT of its events, not
-- three statements (take n numbers, insert, insert the deliveries).
--
-- seq: each new event takes its merchant's next number from merchant_event_seq, row by row in
-- the order the INSERT writes them (db/events.c writes a change's events in their order). The
-- counter row is written, so it stays locked until COMMIT: seq n + 1 is only handed out once
-- the transaction holding n has committed or rolled back (a rollback gives its numbers back),
-- so a merchant's events stay numbered 1, 2, 3, ... without gaps, in commit order (see
-- 009_events.sql). A trigger's writes are the transaction's own: on Galera two nodes writing
-- one merchant's events both write its counter row, and certification lets one commit and
-- fails the other (1213, run again by db_tx_run), as when the row was written by a statement
-- of its own. Appliers get the rows, not the trigger: nothing is numbered twice.
ALTER TABLE events ALTER COLUMN seq SET DEFAULT 0; -- never kept: events_numbered sets it
CREATE TRIGGER events_numbered BEFORE INSERT ON events FOR EACH ROW
BEGIN
  INSERT INTO merchant_event_seq (merchant_id, last_seq) VALUES (NEW.merchant_id, 1)
    ON DUPLICATE KEY UPDATE last_seq = last_seq + 1;
  SET NEW.seq = (SELECT last_seq FROM merchant_event_seq WHERE merchant_id = NEW.merchant_id);
END;

-- A delivery of the event when the merchant's webhook asks for its type: a pattern "*", the
-- type itself, or "prefix.*" (as webhook_wants in db/events.c decides, bytes compared). No
-- webhook, no row. A paused webhook still gets its deliveries; they wait (the claim skips them).
CREATE TRIGGER events_delivered AFTER INSERT ON events FOR EACH ROW
  INSERT INTO webhook_deliveries (merchant_id, event_id, created_at, next_attempt_at)
  SELECT NEW.merchant_id, NEW.id, UTC_TIMESTAMP(), UTC_TIMESTAMP() FROM webhooks w
  WHERE w.merchant_id = NEW.merchant_id AND EXISTS (SELECT 1 FROM JSON_TABLE(w.events, '$[*]'
    COLUMNS (p VARCHAR(255) CHARACTER SET utf8mb4 PATH '$')) pt WHERE pt.p = '*'
    OR BINARY pt.p = BINARY NEW.type OR (pt.p LIKE '%.*' AND BINARY LEFT(NEW.type,
    CHAR_LENGTH(pt.p) - 1) = BINARY LEFT(pt.p, CHAR_LENGTH(pt.p) - 1)));

-- The analytics' latest comments (020_analytics_bounded.sql): an item a customer commented is
-- kept under its return's merchant and time of making as the item is inserted, in the
-- transaction that makes the return (kaeru-admin analytics rebuild counts them anew the same
-- way: db/analytics.c, COMMENTED_ITEMS).
CREATE TRIGGER return_items_commented AFTER INSERT ON return_items FOR EACH ROW
  INSERT INTO analytics_comments (merchant_id, created_at, return_item_id)
  SELECT r.merchant_id, r.created_at, NEW.id FROM returns r
  WHERE r.id = NEW.return_id AND NEW.comment IS NOT NULL AND NEW.comment <> '';
