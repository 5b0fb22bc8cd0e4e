-- kaeru's first schema: tenants, orders, inventory, returns and their timeline, staff.
-- Times are UTC DATETIMEs (every connection sets time_zone = '+00:00'); money is BIGINT minor units.

CREATE TABLE warehouses (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  code VARCHAR(32) NOT NULL,
  name VARCHAR(255) NOT NULL,
  address JSON NOT NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE KEY uq_warehouses_code (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE merchants (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  slug VARCHAR(64) NOT NULL,
  name VARCHAR(255) NOT NULL,
  currency CHAR(3) NOT NULL,
  warehouse_id BIGINT UNSIGNED NOT NULL,
  api_key_hash CHAR(64) CHARACTER SET ascii NOT NULL, -- hex BLAKE2b-256 of the key,
  window_days INT NOT NULL DEFAULT 30,
  restocking_fee_percent INT NOT NULL DEFAULT 0,
  store_credit_bonus_percent INT NOT NULL DEFAULT 10,
  label_validity_days INT NOT NULL DEFAULT 30,
  resale_percent_new INT NOT NULL DEFAULT 90,
  resale_percent_like_new INT NOT NULL DEFAULT 75,
  resale_percent_good INT NOT NULL DEFAULT 60,
  resale_percent_fair INT NOT NULL DEFAULT 40,
  price_step BIGINT NOT NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE KEY uq_merchants_slug (slug),
  UNIQUE KEY uq_merchants_key (api_key_hash),
  CONSTRAINT fk_merchants_warehouse FOREIGN KEY (warehouse_id) REFERENCES warehouses (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE orders (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  merchant_id BIGINT UNSIGNED NOT NULL,
  order_number VARCHAR(64) NOT NULL,
  email VARCHAR(255) NOT NULL,
  email_key VARCHAR(255) NOT NULL, -- trimmed, lower-cased: what lookup compares
  currency CHAR(3) NOT NULL,
  placed_at DATETIME NULL,
  delivered_at DATETIME NULL,
  shipping_address JSON NOT NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE KEY uq_orders_number (merchant_id, order_number),
  CONSTRAINT fk_orders_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE order_lines (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT UNSIGNED NOT NULL,
  line_id VARCHAR(64) NOT NULL,
  position INT NOT NULL,
  sku VARCHAR(128) NOT NULL,
  product_id VARCHAR(128) NOT NULL,
  name VARCHAR(255) NOT NULL,
  variant VARCHAR(255) NOT NULL DEFAULT '',
  category VARCHAR(128) NOT NULL DEFAULT '',
  quantity INT NOT NULL,
  unit_price BIGINT NOT NULL,
  final_sale BOOLEAN NOT NULL DEFAULT FALSE,
  UNIQUE KEY uq_order_lines (order_id, line_id),
  CONSTRAINT fk_order_lines_order FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- available: the shop's own count, pushed by the ingest API; reserved: units held by kaeru
-- for exchanges in open returns. A variant is in stock for an exchange while available - reserved > 0.
CREATE TABLE inventory (
  merchant_id BIGINT UNSIGNED NOT NULL,
  sku VARCHAR(128) NOT NULL,
  product_id VARCHAR(128) NOT NULL,
  variant VARCHAR(255) NOT NULL DEFAULT '',
  available INT NOT NULL DEFAULT 0,
  reserved INT NOT NULL DEFAULT 0,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (merchant_id, sku),
  KEY ix_inventory_product (merchant_id, product_id),
  CONSTRAINT fk_inventory_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE returns (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  rma CHAR(11) NOT NULL,
  merchant_id BIGINT UNSIGNED NOT NULL,
  order_id BIGINT UNSIGNED NOT NULL,
  warehouse_id BIGINT UNSIGNED NOT NULL,
  tracking_key CHAR(22) NOT NULL,
  status ENUM('label_issued','received','resolved','canceled','expired') NOT NULL,
  idempotency_key VARCHAR(255) NULL,
  request_hash CHAR(64) CHARACTER SET ascii NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  expires_at DATETIME NOT NULL,
  UNIQUE KEY uq_returns_rma (rma),
  UNIQUE KEY uq_returns_idempotency (order_id, idempotency_key),
  KEY ix_returns_merchant (merchant_id, status, created_at),
  KEY ix_returns_expiry (status, expires_at),
  CONSTRAINT fk_returns_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id),
  CONSTRAINT fk_returns_order FOREIGN KEY (order_id) REFERENCES orders (id),
  CONSTRAINT fk_returns_warehouse FOREIGN KEY (warehouse_id) REFERENCES warehouses (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE return_items (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  return_id BIGINT UNSIGNED NOT NULL,
  order_line_id BIGINT UNSIGNED NOT NULL,
  quantity INT NOT NULL,
  reason VARCHAR(32) NOT NULL,
  comment TEXT NULL,
  resolution VARCHAR(32) NOT NULL,
  exchange_sku VARCHAR(128) NULL,
  reserved_quantity INT NOT NULL DEFAULT 0, -- exchange units held in inventory.reserved
  status ENUM('pending','inspected') NOT NULL DEFAULT 'pending',
  received_quantity INT NULL,
  grade VARCHAR(16) NULL,
  disposition VARCHAR(32) NULL,
  note TEXT NULL,
  inspected_at DATETIME NULL,
  KEY ix_return_items_return (return_id),
  KEY ix_return_items_line (order_line_id),
  CONSTRAINT fk_return_items_return FOREIGN KEY (return_id) REFERENCES returns (id),
  CONSTRAINT fk_return_items_line FOREIGN KEY (order_line_id) REFERENCES order_lines (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE return_events (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  return_id BIGINT UNSIGNED NOT NULL,
  at DATETIME(3) NOT NULL,
  type VARCHAR(32) NOT NULL,
  actor VARCHAR(255) NOT NULL,
  detail JSON NULL,
  KEY ix_return_events_return (return_id, id),
  CONSTRAINT fk_return_events_return FOREIGN KEY (return_id) REFERENCES returns (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Failed order lookups by client address, for the 10-in-10-minutes limit.
CREATE TABLE lookup_failures (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  client VARCHAR(64) NOT NULL,
  at DATETIME(3) NOT NULL,
  KEY ix_lookup_failures (client, at)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

CREATE TABLE users (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(255) NOT NULL,
  password_hash VARCHAR(255) NOT NULL,
  role ENUM('warehouse','merchant','admin') NOT NULL,
  merchant_id BIGINT UNSIGNED NULL,
  warehouse_id BIGINT UNSIGNED NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  UNIQUE KEY uq_users_email (email),
  CONSTRAINT fk_users_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id),
  CONSTRAINT fk_users_warehouse FOREIGN KEY (warehouse_id) REFERENCES warehouses (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
