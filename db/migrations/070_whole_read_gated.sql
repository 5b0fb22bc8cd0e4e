-- A return's whole read (db/returns.c, store_return_whole) is one statement of several kinds of
-- rows; the return's row is read by its unique RMA while MariaDB plans it, so a kind whose
-- condition on that row is false is dropped before its tables are planned or opened. Most
-- returns have no photos: has_photos says whether one has any (a photo's upload sets it in the
-- same write that bumps the return's revision; photos are never removed), and the photos' part
-- of the read asks for it. Returns with photos before this are marked here.
ALTER TABLE returns ADD COLUMN has_photos BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE returns r SET r.has_photos = TRUE
  WHERE EXISTS (SELECT 1 FROM return_photos p WHERE p.return_id = r.id);
