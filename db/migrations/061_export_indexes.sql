-- CSV exports read a merchant's returns by creation time in keyset pages (created_at, id): this
-- index makes each page a range read, whatever the merchant's size. (The ledger's pages use
-- ix_ledger_merchant (merchant_id, created_at), whose entries end in the primary key.)
ALTER TABLE returns ADD KEY ix_returns_merchant_created (merchant_id, created_at, id);
