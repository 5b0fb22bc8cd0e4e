-- A change of a return wrote its timeline rows and its feed's events in two statements. The
-- events now ride on the plan's first timeline row as well, like its analytics deltas (069): the
-- column feed holds {"m": merchant_id, "e": [{type, rma, listing_id, data}, ...]}, and the
-- trigger below inserts those events, in their order, before the row goes in, and keeps the
-- column NULL. The events' own triggers (063) give each its merchant's next seq and its webhook
-- deliveries, as when kaeru-fcgi inserted them. One statement less for every change of a
-- return that has a timeline row; events without one (a listing's change) are inserted as
-- before.
ALTER TABLE return_events ADD COLUMN feed LONGTEXT CHARACTER SET utf8mb4 NULL;

DROP TRIGGER return_events_analytics;
CREATE TRIGGER return_events_carried BEFORE INSERT ON return_events FOR EACH ROW
BEGIN
  IF NEW.analytics IS NOT NULL THEN
    INSERT INTO analytics_pending (merchant_id, data)
      VALUES (JSON_VALUE(NEW.analytics, '$.m'), NEW.analytics);
    SET NEW.analytics = NULL;
  END IF;
  IF NEW.feed IS NOT NULL THEN
    INSERT INTO events (merchant_id, type, at, rma, listing_id, data)
      SELECT JSON_VALUE(NEW.feed, '$.m'), j.type, UTC_TIMESTAMP(), j.rma, j.listing_id, j.data
      FROM JSON_TABLE(NEW.feed, '$.e[*]' COLUMNS (n FOR ORDINALITY,
        type VARCHAR(40) CHARACTER SET ascii PATH '$.type', rma CHAR(11) PATH '$.rma',
        listing_id BIGINT UNSIGNED PATH '$.listing_id',
        data LONGTEXT CHARACTER SET utf8mb4 PATH '$.data')) j
      ORDER BY j.n;
    SET NEW.feed = NULL;
  END IF;
END;
