-- The merchant's own policy, edited in the console (PUT /api/v1/merchant/policy), and review holds.
-- reasons_offered and fee_reasons are bit sets over core's enum reason (bit i: reason_names[i]):
-- 511 offers all nine; 67 = too_small, too_large, changed_mind (the customer's own reasons).
-- review_*: which inspected returns wait for a person (status needs_review) instead of resolving;
-- review_amount_over NULL: no amount rule.
ALTER TABLE merchants
  ADD COLUMN reasons_offered INT UNSIGNED NOT NULL DEFAULT 511,
  ADD COLUMN fee_reasons INT UNSIGNED NOT NULL DEFAULT 67,
  ADD COLUMN price_floor_percent INT NOT NULL DEFAULT 30,
  ADD COLUMN checkout_url VARCHAR(2048) NULL,
  ADD COLUMN review_damaged BOOLEAN NOT NULL DEFAULT FALSE,
  ADD COLUMN review_short_receipt BOOLEAN NOT NULL DEFAULT FALSE,
  ADD COLUMN review_defective_new BOOLEAN NOT NULL DEFAULT FALSE,
  ADD COLUMN review_amount_over BIGINT NULL;

ALTER TABLE returns MODIFY COLUMN
  status ENUM('label_issued','received','resolved','canceled','expired','needs_review') NOT NULL;

-- What a return settles under: the merchant's money rules when the return was made (fee, bonus,
-- resale prices), so a policy changed later applies to the next returns, not to this one. Review
-- rules are the merchant's own process and apply as they stand at inspection. Returns made before
-- this table settle under the merchant's policy of the day.
CREATE TABLE return_policies (
  return_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  restocking_fee_percent INT NOT NULL,
  fee_reasons INT UNSIGNED NOT NULL,
  store_credit_bonus_percent INT NOT NULL,
  resale_percent_new INT NOT NULL,
  resale_percent_like_new INT NOT NULL,
  resale_percent_good INT NOT NULL,
  resale_percent_fair INT NOT NULL,
  price_step BIGINT NOT NULL,
  CONSTRAINT fk_return_policies_return FOREIGN KEY (return_id) REFERENCES returns (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- What a merchant's review decision kept back of an item's money: amount = gross - restocking_fee
-- + bonus - withheld.
ALTER TABLE ledger_entries ADD COLUMN withheld BIGINT NOT NULL DEFAULT 0 AFTER amount;
