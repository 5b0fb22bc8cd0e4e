-- What a resolved return settled to, computed once by core's plan when it resolves and stored
-- with its status: the API, the console and the ledger's readers read these instead of summing
-- ledger rows again. NULL until resolved.
ALTER TABLE returns
  ADD COLUMN refund_total BIGINT NULL,
  ADD COLUMN restocking_fee_total BIGINT NULL,
  ADD COLUMN store_credit_total BIGINT NULL,
  ADD COLUMN bonus_total BIGINT NULL,
  ADD COLUMN missing_units INT NULL;

UPDATE returns r SET
  r.refund_total = (SELECT COALESCE(SUM(le.amount), 0) FROM ledger_entries le
                    WHERE le.return_id = r.id AND le.kind = 'refund'),
  r.restocking_fee_total = (SELECT COALESCE(SUM(le.restocking_fee), 0) FROM ledger_entries le
                            WHERE le.return_id = r.id AND le.kind = 'refund'),
  r.store_credit_total = (SELECT COALESCE(SUM(le.amount), 0) FROM ledger_entries le
                          WHERE le.return_id = r.id AND le.kind = 'store_credit'),
  r.bonus_total = (SELECT COALESCE(SUM(le.bonus), 0) FROM ledger_entries le
                   WHERE le.return_id = r.id AND le.kind = 'store_credit'),
  r.missing_units = (SELECT COALESCE(SUM(ri.quantity - COALESCE(ri.received_quantity, 0)), 0)
                     FROM return_items ri WHERE ri.return_id = r.id)
WHERE r.status = 'resolved';
