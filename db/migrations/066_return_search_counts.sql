-- How many of a merchant's returns have each search term, kept by triggers in the transaction
-- that writes the term rows (as 019 keeps status_counts): a search reads one row here per term of
-- its query to choose the rarest term to walk, and to know at once when a term's returns are too
-- many to count or to look at (db/search.c). Counting return_search itself read each term's
-- rows up to a cap, more as the merchant grew.
--
-- Every write of return_search keeps its count: a new return's terms, terms written anew when an
-- order's customer changes or by `kaeru-admin search rebuild` (db/search.c writes only the terms
-- that changed, so a rebuild of returns whose terms are the same writes nothing here).
--
-- A count row is written by every new return that has its term, and a common term (a SKU's, a
-- frequent name's) is in most of them. That adds no wait and no conflict that was not there:
-- every new return of a merchant already writes the merchant's status_counts row (019) and its
-- merchant_event_seq row (063), so two creates of one merchant already wait on each other on one
-- server, and on two Galera nodes one already fails certification and runs again (1213,
-- db_tx_run); creates of two merchants share no count row. The term rows are written after the
-- return's row, while status_counts' row is already held, so a create waits for no one longer
-- than before, it holds its rows longer by the triggers' work. Splitting a count into several
-- rows would not change that, and every probe would read more.
CREATE TABLE return_search_counts (
  merchant_id BIGINT UNSIGNED NOT NULL,
  term VARCHAR(4) NOT NULL,
  n BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (merchant_id, term)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TRIGGER return_search_counted_insert AFTER INSERT ON return_search FOR EACH ROW
  INSERT INTO return_search_counts (merchant_id, term, n) VALUES (NEW.merchant_id, NEW.term, 1)
  ON DUPLICATE KEY UPDATE n = n + 1;
CREATE TRIGGER return_search_counted_delete AFTER DELETE ON return_search FOR EACH ROW
  UPDATE return_search_counts SET n = n - 1 WHERE merchant_id = OLD.merchant_id AND term = OLD.term;

-- What was there before the triggers: counted once, replacing anything a trigger wrote meanwhile.
INSERT INTO return_search_counts (merchant_id, term, n)
  SELECT merchant_id, term, COUNT(*) FROM return_search GROUP BY merchant_id, term
  ON DUPLICATE KEY UPDATE n = VALUES(n);
