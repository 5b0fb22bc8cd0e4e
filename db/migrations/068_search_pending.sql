-- The console search's terms (return_search, 016) are written behind the request: a change that
-- alters what a return is found by queues the return here, and kaeru-worker's indexer writes the
-- terms of many queued returns in one transaction, their rows sorted by key in one INSERT
-- (db/search.c says why: a new return's ~40 terms, written with it, each landed on its own leaf
-- page of a large index, the create's largest cost in MariaDB at scale).
--
-- A new return is queued by the trigger below, in its creation's transaction (no client
-- statement more); an order whose customer may have changed, and `kaeru-admin search rebuild`,
-- queue their returns with version + 1. The indexer reads each queued row's version with the
-- return's text in one snapshot, writes the whole current set of terms (fresh: a return never
-- indexed has none to drop), and deletes the queue row only if its version is the one it read: a
-- return queued again meanwhile stays queued and is written again from what it holds then. Two
-- indexers of one return write the same terms; on Galera their deletes of the queue row collide
-- and one transaction runs again.
CREATE TABLE search_pending (
  return_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  version BIGINT UNSIGNED NOT NULL DEFAULT 0,
  fresh BOOLEAN NOT NULL DEFAULT TRUE -- never indexed: no terms to drop
) ENGINE=InnoDB;
CREATE TRIGGER returns_search_pending AFTER INSERT ON returns FOR EACH ROW
  INSERT INTO search_pending (return_id) VALUES (NEW.id);
