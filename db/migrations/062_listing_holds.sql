-- A shop system holds a published listing while it sits in a shopper's cart: for a few minutes,
-- ending by itself (held_until in the past is no hold). hold_id names the hold, so that only the
-- cart that holds it can sell it or let it go.
ALTER TABLE listings
  ADD COLUMN hold_id CHAR(32) CHARACTER SET ascii NULL,
  ADD COLUMN held_until DATETIME NULL;
