-- kaeru on a Galera cluster: every transaction that used to serialise through a FOR UPDATE on
-- a row it did not write now writes that row, so two of them on two nodes conflict at
-- certification (1213 at COMMIT) and db_tx_run runs the loser again. A FOR UPDATE is only a
-- lock on the node that takes it; Galera certifies the rows a transaction writes.
--
-- returned_quantity: the units of the line in returns that count (every status but canceled
-- and expired). A new return adds its units with a guarded UPDATE (never above quantity), a
-- canceled or expired one takes them back, in the same transaction. Lookups read it instead of
-- summing return items.
ALTER TABLE order_lines ADD COLUMN returned_quantity INT NOT NULL DEFAULT 0;

UPDATE order_lines l SET l.returned_quantity =
  (SELECT COALESCE(SUM(ri.quantity), 0) FROM return_items ri JOIN returns r ON r.id = ri.return_id
   WHERE ri.order_line_id = l.id AND r.status NOT IN ('canceled', 'expired'));

-- revision: bumped by every transaction that locks the return to change it (store_return_lock),
-- so two inspections of one return's items on two nodes conflict and the one run again sees
-- the other's item (the last inspection resolves the return).
ALTER TABLE returns ADD COLUMN revision INT UNSIGNED NOT NULL DEFAULT 0;
