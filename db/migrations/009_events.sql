-- The outbox: every change that matters outside kaeru writes an event row in the transaction
-- that makes the change, and the events feed and webhooks read it.
--
-- A reader follows a merchant's events by seq, not by id. An AUTO_INCREMENT id is handed out
-- when a row is inserted, not when its transaction commits: A takes id 10, B takes 11, B commits
-- first, a reader pages past 11 — and never sees 10 once A commits. On Galera each node hands
-- out its own interleaved ids (auto_increment_offset), so ids are not even roughly in time
-- order there. seq instead comes from the merchant's row in merchant_event_seq, bumped inside
-- the writing transaction: that row stays locked until COMMIT, so seq n + 1 is only handed out
-- once the transaction holding n has committed or rolled back (a rollback gives its number
-- back: no gaps). Writers on two Galera nodes both change that row, so certification lets one
-- of them commit and the other fails with 1213 at COMMIT and is run again by db_tx_run; every
-- node applies the writes in the one global order. A reader that has seen seq n has seen
-- every seq below it, forever.
CREATE TABLE merchant_event_seq (
  merchant_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  last_seq BIGINT UNSIGNED NOT NULL,
  CONSTRAINT fk_event_seq_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id)
) ENGINE=InnoDB;

CREATE TABLE events (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, -- Kaeru-Event-Id; not an order
  merchant_id BIGINT UNSIGNED NOT NULL,
  seq BIGINT UNSIGNED NOT NULL, -- the merchant's order: 1, 2, 3, ... without gaps
  type VARCHAR(40) CHARACTER SET ascii NOT NULL,
  at DATETIME NOT NULL,
  rma CHAR(11) NULL,
  listing_id BIGINT UNSIGNED NULL,
  data JSON NOT NULL,
  UNIQUE KEY uq_events_seq (merchant_id, seq),
  CONSTRAINT fk_events_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One webhook per merchant. The secret signs deliveries, so it is kept as is (it is shown to
-- the merchant once, when set or rotated). events: a JSON array of patterns ("return.*").
-- failing_since: when deliveries started failing; paused_at: set after 72 h of failures.
CREATE TABLE webhooks (
  merchant_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  url VARCHAR(2048) NOT NULL,
  events JSON NOT NULL,
  secret CHAR(64) CHARACTER SET ascii NOT NULL,
  created_at DATETIME NOT NULL,
  updated_at DATETIME NOT NULL,
  paused_at DATETIME NULL,
  CONSTRAINT fk_webhooks_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One delivery per (event, webhook), written with the event. A dispatcher claims a due one by
-- a guarded UPDATE (claimed_by, lease_until): correct on Galera, where SKIP LOCKED only sees
-- the locks of its own node.
CREATE TABLE webhook_deliveries (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  merchant_id BIGINT UNSIGNED NOT NULL,
  event_id BIGINT UNSIGNED NOT NULL,
  status ENUM('pending','delivered','failed') NOT NULL DEFAULT 'pending',
  attempts INT NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL,
  next_attempt_at DATETIME NOT NULL,
  last_attempt_at DATETIME NULL,
  last_status_code INT NULL,
  last_error VARCHAR(255) NULL,
  claimed_by VARCHAR(96) NULL,
  lease_until DATETIME NULL,
  UNIQUE KEY uq_deliveries_event (event_id, merchant_id),
  KEY ix_deliveries_due (status, next_attempt_at),
  KEY ix_deliveries_merchant (merchant_id, id),
  CONSTRAINT fk_deliveries_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id),
  CONSTRAINT fk_deliveries_event FOREIGN KEY (event_id) REFERENCES events (id)
) ENGINE=InnoDB;

-- Customer e-mail: the language the customer used in the portal, and one row per message to
-- send, written in the transaction of the change it tells of (UNIQUE: a change sends it once),
-- claimed by kaeru-worker like a webhook delivery.
ALTER TABLE returns ADD COLUMN language CHAR(2) CHARACTER SET ascii NULL;
CREATE TABLE emails (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  merchant_id BIGINT UNSIGNED NOT NULL,
  return_id BIGINT UNSIGNED NOT NULL,
  kind VARCHAR(32) CHARACTER SET ascii NOT NULL,
  ref VARCHAR(128) NOT NULL DEFAULT '', -- tells apart messages of one kind (a payment's reference)
  data JSON NULL,                       -- what the message needs beyond the return (amount, carrier)
  status ENUM('pending','sent','failed') NOT NULL DEFAULT 'pending',
  attempts INT NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL,
  next_attempt_at DATETIME NOT NULL,
  sent_at DATETIME NULL,
  last_error VARCHAR(255) NULL,
  claimed_by VARCHAR(96) NULL,
  lease_until DATETIME NULL,
  UNIQUE KEY uq_emails_kind (return_id, kind, ref),
  KEY ix_emails_due (status, next_attempt_at),
  CONSTRAINT fk_emails_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id),
  CONSTRAINT fk_emails_return FOREIGN KEY (return_id) REFERENCES returns (id)
) ENGINE=InnoDB;

-- The shop's acknowledgements: refunds it paid (idempotent by its reference) and the
-- replacements it shipped (carrier and tracking number on the shipment).
CREATE TABLE refund_payments (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  merchant_id BIGINT UNSIGNED NOT NULL,
  return_id BIGINT UNSIGNED NOT NULL,
  amount BIGINT NOT NULL,
  reference VARCHAR(128) NOT NULL,
  created_at DATETIME NOT NULL,
  UNIQUE KEY uq_refund_payments_ref (return_id, reference),
  CONSTRAINT fk_refund_payments_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id),
  CONSTRAINT fk_refund_payments_return FOREIGN KEY (return_id) REFERENCES returns (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
ALTER TABLE shipments ADD COLUMN carrier VARCHAR(64) NULL, ADD COLUMN tracking_number VARCHAR(128) NULL,
  ADD COLUMN shipped_at DATETIME NULL;

-- The shop lists its returns changed since a time: every event bumps updated_at.
CREATE INDEX ix_returns_updated ON returns (merchant_id, updated_at, id);
