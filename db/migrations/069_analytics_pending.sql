-- A return's plan (create, first scan, resolution, decision, cancel, expiry) no longer writes
-- the analytics' day rows (061) in its transaction: every resolution of a merchant on one day
-- updated the same analytics_money_days row, every first scan at a warehouse the same
-- analytics_timing_days row, so parallel scan stations queued on them and two Galera nodes
-- conflicted; and each was a statement of the request's. The request computes the deltas as
-- before (db/analytics.c) and sends them, one JSON document, with the plan's first timeline row
-- (the column analytics below, in the INSERT the plan makes anyway). The trigger moves them to
-- the queue and keeps them out of the timeline; kaeru-worker folds up to 500 queued documents a
-- transaction into the day rows (store_analytics_fold): it locks the queue rows it reads and
-- deletes them, so two folds of the same rows (two workers, two Galera nodes) cannot both
-- commit, and nothing is counted twice. The console's figures lag by about a second.
--
-- `kaeru-admin analytics rebuild` deletes the merchant's queued documents in its transaction,
-- before it reads the records they were counted from.
CREATE TABLE analytics_pending (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  merchant_id BIGINT UNSIGNED NOT NULL,
  data LONGTEXT CHARACTER SET utf8mb4 NOT NULL, -- {"m": merchant_id, "p": [...], ...}
  KEY ix_analytics_pending_merchant (merchant_id)
) ENGINE=InnoDB;

ALTER TABLE return_events ADD COLUMN analytics LONGTEXT CHARACTER SET utf8mb4 NULL;

CREATE TRIGGER return_events_analytics BEFORE INSERT ON return_events FOR EACH ROW
BEGIN
  IF NEW.analytics IS NOT NULL THEN
    INSERT INTO analytics_pending (merchant_id, data)
      VALUES (JSON_VALUE(NEW.analytics, '$.m'), NEW.analytics);
    SET NEW.analytics = NULL;
  END IF;
END;
