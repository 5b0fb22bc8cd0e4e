-- Warehouse receiving: staff sessions, login throttling, who did what, and the money and
-- replacement shipments a resolved return leaves behind.

-- A staff login. The cookie carries a random token; only its BLAKE2b hash is stored.
-- A session dies after 8 hours unused (last_seen_at) or 7 days after login.
CREATE TABLE sessions (
  token_hash CHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL,
  created_at DATETIME NOT NULL,
  last_seen_at DATETIME NOT NULL,
  KEY ix_sessions_user (user_id),
  KEY ix_sessions_seen (last_seen_at),
  CONSTRAINT fk_sessions_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

-- Failed logins, by account (the lower-cased email, known or not) and by client address.
CREATE TABLE login_failures (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  kind ENUM('account','address') NOT NULL,
  subject VARCHAR(255) NOT NULL,
  at DATETIME(3) NOT NULL,
  KEY ix_login_failures (kind, subject, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The staff member behind an event (NULL for the customer and for kaeru itself).
ALTER TABLE return_events ADD COLUMN user_id BIGINT UNSIGNED NULL,
  ADD CONSTRAINT fk_return_events_user FOREIGN KEY (user_id) REFERENCES users (id);

ALTER TABLE returns ADD COLUMN received_at DATETIME NULL AFTER expires_at,
  ADD COLUMN resolved_at DATETIME NULL AFTER received_at;

ALTER TABLE return_items ADD COLUMN inspected_by BIGINT UNSIGNED NULL,
  ADD CONSTRAINT fk_return_items_inspector FOREIGN KEY (inspected_by) REFERENCES users (id);

-- Money owed to the customer when a return resolves: one entry per refunded or credited
-- item, in the order's currency. amount = gross - restocking_fee + bonus.
CREATE TABLE ledger_entries (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  merchant_id BIGINT UNSIGNED NOT NULL,
  return_id BIGINT UNSIGNED NOT NULL,
  return_item_id BIGINT UNSIGNED NOT NULL,
  kind ENUM('refund','store_credit') NOT NULL,
  currency CHAR(3) NOT NULL,
  gross BIGINT NOT NULL,
  restocking_fee BIGINT NOT NULL,
  bonus BIGINT NOT NULL,
  amount BIGINT NOT NULL,
  created_at DATETIME NOT NULL,
  UNIQUE KEY uq_ledger_item (return_item_id),
  KEY ix_ledger_return (return_id),
  KEY ix_ledger_merchant (merchant_id, created_at),
  CONSTRAINT fk_ledger_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id),
  CONSTRAINT fk_ledger_return FOREIGN KEY (return_id) REFERENCES returns (id),
  CONSTRAINT fk_ledger_item FOREIGN KEY (return_item_id) REFERENCES return_items (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Replacement units an exchange sends out: taken from stock when the return resolves,
-- for the shop to ship.
CREATE TABLE shipments (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  merchant_id BIGINT UNSIGNED NOT NULL,
  return_id BIGINT UNSIGNED NOT NULL,
  return_item_id BIGINT UNSIGNED NOT NULL,
  sku VARCHAR(128) NOT NULL,
  quantity INT NOT NULL,
  status ENUM('pending','shipped') NOT NULL DEFAULT 'pending',
  created_at DATETIME NOT NULL,
  UNIQUE KEY uq_shipments_item (return_item_id),
  KEY ix_shipments_return (return_id),
  KEY ix_shipments_merchant (merchant_id, status, created_at),
  CONSTRAINT fk_shipments_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id),
  CONSTRAINT fk_shipments_return FOREIGN KEY (return_id) REFERENCES returns (id),
  CONSTRAINT fk_shipments_item FOREIGN KEY (return_item_id) REFERENCES return_items (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
