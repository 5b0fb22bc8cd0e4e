-- Resale listings: each unit graded for resale becomes a listing a merchant reviews, publishes
-- in its shop and marks sold. Titles and prices are the merchant's to change; the rest is a
-- copy of the order line at inspection time.
CREATE TABLE listings (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  merchant_id BIGINT UNSIGNED NOT NULL,
  return_id BIGINT UNSIGNED NOT NULL,
  return_item_id BIGINT UNSIGNED NOT NULL,
  unit INT NOT NULL, -- 1..received units of the item
  status ENUM('pending_review','published','rejected','sold') NOT NULL DEFAULT 'pending_review',
  title VARCHAR(255) NOT NULL,
  variant VARCHAR(255) NOT NULL DEFAULT '',
  sku VARCHAR(128) NOT NULL,
  product_id VARCHAR(128) NOT NULL,
  category VARCHAR(128) NOT NULL DEFAULT '',
  grade VARCHAR(16) NOT NULL,
  condition_note TEXT NOT NULL,
  currency CHAR(3) NOT NULL,
  original_price BIGINT NOT NULL,
  suggested_price BIGINT NOT NULL,
  price BIGINT NOT NULL,
  reject_reason TEXT NULL,
  reviewed_by BIGINT UNSIGNED NULL,
  created_at DATETIME NOT NULL,
  published_at DATETIME NULL,
  sold_at DATETIME NULL,
  UNIQUE KEY uq_listings_unit (return_item_id, unit),
  KEY ix_listings_merchant (merchant_id, status, created_at),
  KEY ix_listings_shop (merchant_id, status, published_at),
  KEY ix_listings_shop_price (merchant_id, status, price),
  CONSTRAINT fk_listings_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id),
  CONSTRAINT fk_listings_return FOREIGN KEY (return_id) REFERENCES returns (id),
  CONSTRAINT fk_listings_item FOREIGN KEY (return_item_id) REFERENCES return_items (id),
  CONSTRAINT fk_listings_reviewer FOREIGN KEY (reviewed_by) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The console finds returns by customer email.
CREATE INDEX ix_orders_email ON orders (merchant_id, email_key);
