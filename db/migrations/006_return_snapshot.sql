-- What the customer bought, as it was when the return was made: a re-pushed order (a new price,
-- sku or product) never changes an existing return's money, listings or restock. Currency is the
-- order's, which a re-push cannot change for lines that returns refer to.
ALTER TABLE return_items
  ADD COLUMN sku VARCHAR(128) NULL AFTER order_line_id,
  ADD COLUMN product_id VARCHAR(128) NULL AFTER sku,
  ADD COLUMN name VARCHAR(255) NULL AFTER product_id,
  ADD COLUMN variant VARCHAR(255) NULL AFTER name,
  ADD COLUMN category VARCHAR(128) NULL AFTER variant,
  ADD COLUMN unit_price BIGINT NULL AFTER category;

UPDATE return_items ri JOIN order_lines l ON l.id = ri.order_line_id
  SET ri.sku = l.sku, ri.product_id = l.product_id, ri.name = l.name, ri.variant = l.variant,
      ri.category = l.category, ri.unit_price = l.unit_price;

ALTER TABLE return_items
  MODIFY sku VARCHAR(128) NOT NULL,
  MODIFY product_id VARCHAR(128) NOT NULL,
  MODIFY name VARCHAR(255) NOT NULL,
  MODIFY variant VARCHAR(255) NOT NULL DEFAULT '',
  MODIFY category VARCHAR(128) NOT NULL DEFAULT '',
  MODIFY unit_price BIGINT NOT NULL;
