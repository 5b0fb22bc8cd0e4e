-- The first answer of a merchant's change sent with an Idempotency-Key (a listing sold, held),
-- kept in the change's own transaction: the same key with the same request answers it again,
-- whatever happened since. One key per merchant: the primary key makes two concurrent first
-- uses wait for each other on one server and conflict at certification on Galera (1213), so one
-- commits and the other, run again, finds its answer. request_hash: BLAKE2b of the method, path
-- and JSON body (sorted keys), telling a retry from another request under the same key.
-- Kept a day (the maintenance forgets older ones).
CREATE TABLE idempotency_keys (
  merchant_id BIGINT UNSIGNED NOT NULL,
  idempotency_key VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  request_hash CHAR(64) CHARACTER SET ascii NOT NULL,
  status SMALLINT UNSIGNED NOT NULL,
  response MEDIUMTEXT NOT NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (merchant_id, idempotency_key),
  KEY ix_idempotency_keys_created (created_at),
  CONSTRAINT fk_idempotency_keys_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
