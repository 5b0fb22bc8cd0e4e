-- Which listings each version of a shop changed. Every write that bumps shop_versions for a
-- listing (published, sold, held, released, edited while in the shop, withdrawn; a photo added
-- to or reordered on its item while it is pending or published) sets the listing's shop_version
-- to the shop's new version in the same transaction (store_shop_changed, db/listings.c). So
-- kaeru-fcgi builds a shop's next snapshot from the one it holds and the listings stamped after
-- it, read through this index (fcgi/shop.c), in time that grows with the change, not the shop.
--
-- Existing rows keep 0, which is sound: a snapshot built by a kaeru-fcgi of this release starts
-- from a full read of the shop (its cache is in memory and starts empty), and every change after
-- that stamps what it changes. Stamping every row now would write each listing once for nothing.
-- During a rolling upgrade, processes of the previous release change listings without stamping
-- them: stop them before starting this release's, or restart this release's once they are gone.
ALTER TABLE listings
  ADD COLUMN shop_version BIGINT UNSIGNED NOT NULL DEFAULT 0,
  ADD KEY ix_listings_shop_version (merchant_id, shop_version);
