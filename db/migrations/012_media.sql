-- Photos: what the warehouse takes of each item at inspection, and what a customer adds to a
-- return for a damaged or defective reason. Kept in MariaDB, so every kaeru-fcgi process is
-- alike and none keeps files. The uploaded bytes themselves are never kept (they carry EXIF,
-- often GPS): only renditions re-encoded from the upright pixels, with no metadata.
--
-- media: one row per distinct upload, by the SHA-256 of its bytes (an upload sent twice is
-- stored once). width/height: the upright original's.
CREATE TABLE media (
  hash CHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  width INT NOT NULL,
  height INT NOT NULL,
  created_at DATETIME NOT NULL
) ENGINE=InnoDB;

-- The renditions served at /media/<hash>-<width>.<format>: fixed widths (400, 800, 1600, or the
-- original's when narrower), never upscaled, each as WebP and JPEG.
CREATE TABLE media_renditions (
  hash CHAR(64) CHARACTER SET ascii NOT NULL,
  width INT NOT NULL,
  format ENUM('webp','jpg') CHARACTER SET ascii NOT NULL,
  height INT NOT NULL,
  bytes MEDIUMBLOB NOT NULL,
  PRIMARY KEY (hash, width, format),
  CONSTRAINT fk_renditions_media FOREIGN KEY (hash) REFERENCES media (hash)
) ENGINE=InnoDB;

-- A photo of a return: of one item (return_item_id, taken by the warehouse; it travels with
-- the item into its listings) or of the return as a whole (a customer's, return_item_id NULL;
-- shown to staff and the merchant, never in the shop).
CREATE TABLE return_photos (
  id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
  merchant_id BIGINT UNSIGNED NOT NULL,
  return_id BIGINT UNSIGNED NOT NULL,
  return_item_id BIGINT UNSIGNED NULL,
  source ENUM('warehouse','customer') CHARACTER SET ascii NOT NULL,
  hash CHAR(64) CHARACTER SET ascii NOT NULL,
  position INT NOT NULL,
  user_id BIGINT UNSIGNED NULL,
  created_at DATETIME NOT NULL,
  KEY ix_return_photos_item (return_item_id, position),
  KEY ix_return_photos_return (return_id, source),
  CONSTRAINT fk_return_photos_return FOREIGN KEY (return_id) REFERENCES returns (id),
  CONSTRAINT fk_return_photos_item FOREIGN KEY (return_item_id) REFERENCES return_items (id),
  CONSTRAINT fk_return_photos_media FOREIGN KEY (hash) REFERENCES media (hash)
) ENGINE=InnoDB;

-- What shoppers read of an item's condition. condition_note stays the inspection's internal
-- note (staff and the merchant); listings made before this column keep an empty public note.
ALTER TABLE listings ADD COLUMN public_note TEXT NOT NULL DEFAULT '';
