-- The console's analytics read a bounded number of rows whatever the merchant's size: resale,
-- customers' comments and timing join the daily aggregates of 061_exports_analytics.sql, each
-- written in the transaction of the change it counts (db/analytics.c). Days are local days of
-- the merchant's calendar (days since 1970-01-01), as there.

-- Resale by local day: listings drafted (by their created_at), published (by published_at; a
-- withdrawn listing is taken back from its publication's day, as withdrawing clears it), sold (by
-- sold_at) with what they fetched, their original prices and the seconds from draft to sale.
CREATE TABLE analytics_resale_days (
  merchant_id BIGINT UNSIGNED NOT NULL,
  day INT NOT NULL,
  drafted BIGINT NOT NULL DEFAULT 0,
  published BIGINT NOT NULL DEFAULT 0,
  sold BIGINT NOT NULL DEFAULT 0,
  sold_amount BIGINT NOT NULL DEFAULT 0,
  sold_original BIGINT NOT NULL DEFAULT 0,
  sell_seconds BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (merchant_id, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The return items that carry a customer's comment, by when their return was made: the latest
-- of a range are read newest first through the key, however many returns carry none.
CREATE TABLE analytics_comments (
  merchant_id BIGINT UNSIGNED NOT NULL,
  created_at DATETIME NOT NULL,
  return_item_id BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (merchant_id, created_at, return_item_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- How long returns took, by the local day the return was made and its warehouse: stage 'scan'
-- from label to first scan (counted at the scan), 'resolution' from scan to resolution (counted
-- when it resolves), each a count of returns per bucket of core/timing.c.
CREATE TABLE analytics_timing_days (
  merchant_id BIGINT UNSIGNED NOT NULL,
  day INT NOT NULL,
  warehouse_id BIGINT UNSIGNED NOT NULL,
  stage ENUM('scan', 'resolution') NOT NULL,
  bucket TINYINT UNSIGNED NOT NULL,
  n BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (merchant_id, day, warehouse_id, stage, bucket)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The comments already made need no calendar: copied here. Resale and timing before this
-- migration need each merchant's local days and the buckets, which kaeru-admin computes:
-- run `kaeru-admin analytics rebuild --merchant S` for each merchant after upgrading.
INSERT IGNORE INTO analytics_comments (merchant_id, created_at, return_item_id)
  SELECT r.merchant_id, r.created_at, i.id FROM returns r JOIN return_items i ON i.return_id = r.id
  WHERE i.comment IS NOT NULL AND i.comment <> '';
