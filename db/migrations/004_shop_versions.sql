-- What a merchant's public shop shows changes only when a listing is published or sold. Each
-- such change bumps the shop's version in its own transaction, so kaeru-fcgi can keep the
-- published listings in memory and reload them only when the version moved. No foreign key
-- points here, so a bump locks nothing that returns or orders use.
CREATE TABLE shop_versions (
  merchant_id BIGINT UNSIGNED PRIMARY KEY,
  version BIGINT UNSIGNED NOT NULL
) ENGINE=InnoDB;
