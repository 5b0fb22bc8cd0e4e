-- Each merchant keeps a calendar: the IANA name of its time zone ("Asia/Tokyo"), checked against
-- ICU's zone database by kaeru-admin before it is stored. Labels, pages and the return window
-- count the merchant's local days. Merchants made before it count in UTC until given one.
ALTER TABLE merchants ADD COLUMN timezone VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin
  NOT NULL DEFAULT 'UTC' AFTER currency;
