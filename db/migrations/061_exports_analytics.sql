-- CSV exports read a merchant's returns by creation time in keyset pages (created_at, id): this
-- index makes each page a range read, whatever the merchant's size. (The ledger's pages use
-- ix_ledger_merchant (merchant_id, created_at), whose entries end in the primary key.)
ALTER TABLE returns ADD KEY ix_returns_merchant_created (merchant_id, created_at, id);

-- Analytics (GET /api/v1/merchant/analytics) read maintained aggregates, written in the
-- transaction of the change they count, one row per merchant, local day (days since 1970-01-01
-- on the merchant's calendar) and product/sku or reason: a range of days reads days × products
-- rows, however many orders and returns the merchant has.
-- Units sold: order lines by the local day the order was placed (db/orders.c adds an order's
-- lines when it is put and takes back what the order counted before when it is replaced).
-- Units returned: the items of returns by the local day the return was made (taken back when a
-- return is canceled or expires).
CREATE TABLE analytics_product_days (
  merchant_id BIGINT UNSIGNED NOT NULL,
  day INT NOT NULL,
  product_id VARCHAR(128) NOT NULL,
  sku VARCHAR(128) NOT NULL,
  name VARCHAR(255) NOT NULL,
  sold_units BIGINT NOT NULL DEFAULT 0,
  returned_units BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (merchant_id, day, product_id, sku)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE analytics_reason_days (
  merchant_id BIGINT UNSIGNED NOT NULL,
  day INT NOT NULL,
  product_id VARCHAR(128) NOT NULL,
  reason VARCHAR(32) NOT NULL,
  units BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (merchant_id, day, product_id, reason)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Money of resolutions by the local day a return resolved (minor units of the merchant's currency).
CREATE TABLE analytics_money_days (
  merchant_id BIGINT UNSIGNED NOT NULL,
  day INT NOT NULL,
  resolved_returns BIGINT NOT NULL DEFAULT 0,
  refund BIGINT NOT NULL DEFAULT 0,
  refund_items BIGINT NOT NULL DEFAULT 0,
  store_credit BIGINT NOT NULL DEFAULT 0,
  store_credit_items BIGINT NOT NULL DEFAULT 0,
  store_credit_bonus BIGINT NOT NULL DEFAULT 0,
  exchange_value BIGINT NOT NULL DEFAULT 0,
  exchange_items BIGINT NOT NULL DEFAULT 0,
  restocking_fees BIGINT NOT NULL DEFAULT 0,
  withheld BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (merchant_id, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Resale in a range of days: listings drafted, published and sold in it, each through its index.
ALTER TABLE listings ADD KEY ix_listings_created (merchant_id, created_at),
  ADD KEY ix_listings_published (merchant_id, published_at),
  ADD KEY ix_listings_sold (merchant_id, sold_at);
