-- How many returns and listings each merchant has in each status (and, for listings, the sum of
-- their prices), kept by triggers in the transaction of every change: the console's tabs, totals
-- and summary read a handful of rows here instead of counting every row the merchant has.
-- Triggers run on the node that made the change; Galera replicates their rows like any other.
-- (With a binary log on, creating triggers needs log_bin_trust_function_creators or SUPER.)
CREATE TABLE status_counts (
  merchant_id BIGINT UNSIGNED NOT NULL,
  kind ENUM('return','listing') NOT NULL,
  status VARCHAR(32) CHARACTER SET ascii NOT NULL,
  n BIGINT NOT NULL DEFAULT 0,
  amount BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (merchant_id, kind, status)
) ENGINE=InnoDB;

CREATE TRIGGER returns_counted_insert AFTER INSERT ON returns FOR EACH ROW
  INSERT INTO status_counts (merchant_id, kind, status, n) VALUES (NEW.merchant_id, 'return', NEW.status, 1)
  ON DUPLICATE KEY UPDATE n = n + 1;
-- The two rows in one order (by status) whatever the change, so two changes never wait on each
-- other crosswise.
CREATE TRIGGER returns_counted_update AFTER UPDATE ON returns FOR EACH ROW
  INSERT INTO status_counts (merchant_id, kind, status, n)
  SELECT * FROM (SELECT NEW.merchant_id AS m, 'return' AS k, NEW.status AS s, 1 AS d UNION ALL
                 SELECT OLD.merchant_id, 'return', OLD.status, -1) c
  WHERE NEW.status <> OLD.status OR NEW.merchant_id <> OLD.merchant_id ORDER BY s
  ON DUPLICATE KEY UPDATE n = status_counts.n + VALUES(n);
CREATE TRIGGER returns_counted_delete AFTER DELETE ON returns FOR EACH ROW
  UPDATE status_counts SET n = n - 1
  WHERE merchant_id = OLD.merchant_id AND kind = 'return' AND status = OLD.status;

CREATE TRIGGER listings_counted_insert AFTER INSERT ON listings FOR EACH ROW
  INSERT INTO status_counts (merchant_id, kind, status, n, amount)
  VALUES (NEW.merchant_id, 'listing', NEW.status, 1, NEW.price)
  ON DUPLICATE KEY UPDATE n = n + 1, amount = amount + NEW.price;
CREATE TRIGGER listings_counted_update AFTER UPDATE ON listings FOR EACH ROW
  INSERT INTO status_counts (merchant_id, kind, status, n, amount)
  SELECT * FROM (SELECT NEW.merchant_id AS m, 'listing' AS k, NEW.status AS s, 1 AS d, NEW.price AS a UNION ALL
                 SELECT OLD.merchant_id, 'listing', OLD.status, -1, -OLD.price) c
  WHERE NEW.status <> OLD.status OR NEW.price <> OLD.price OR NEW.merchant_id <> OLD.merchant_id
  ORDER BY s
  ON DUPLICATE KEY UPDATE n = status_counts.n + VALUES(n), amount = status_counts.amount + VALUES(amount);
CREATE TRIGGER listings_counted_delete AFTER DELETE ON listings FOR EACH ROW
  UPDATE status_counts SET n = n - 1, amount = amount - OLD.price
  WHERE merchant_id = OLD.merchant_id AND kind = 'listing' AND status = OLD.status;

-- What was there before the triggers: counted once, replacing anything a trigger wrote meanwhile.
INSERT INTO status_counts (merchant_id, kind, status, n)
  SELECT merchant_id, 'return', status, COUNT(*) FROM returns GROUP BY merchant_id, status
  ON DUPLICATE KEY UPDATE n = VALUES(n);
INSERT INTO status_counts (merchant_id, kind, status, n, amount)
  SELECT merchant_id, 'listing', status, COUNT(*), SUM(price) FROM listings GROUP BY merchant_id, status
  ON DUPLICATE KEY UPDATE n = VALUES(n), amount = VALUES(amount);
