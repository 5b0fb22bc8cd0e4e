-- The console's search over returns (core/search.h cuts the text into terms, db/search.c keeps
-- and reads them): one row per term of a return — trigrams of its RMA, order number and SKUs,
-- bigrams of Japanese names, each term once per return — written in the transaction that makes
-- the return. `kaeru-admin search rebuild` fills it for returns made before this migration.
--
-- A table of terms rather than a FULLTEXT index: InnoDB's FULLTEXT (MariaDB has no ngram parser)
-- answers MATCH with every matching row of every merchant before it can sort or stop, so a common
-- term at a million returns reads a million rows; and it drops words shorter than
-- innodb_ft_min_token_size (3, a server-wide setting) and its stopwords — both of Japanese
-- bigrams. Here the key (merchant_id, term, return_id) puts each merchant's returns for one term
-- next to each other, newest last: a page reads one term's range backwards from its cursor and
-- looks the query's other terms up by primary key, and stops at the page's end.
CREATE TABLE return_search (
  merchant_id BIGINT UNSIGNED NOT NULL,
  term VARCHAR(4) NOT NULL,
  return_id BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (merchant_id, term, return_id),
  KEY ix_return_search_return (return_id), -- a return's terms, to write them anew
  CONSTRAINT fk_return_search_return FOREIGN KEY (return_id) REFERENCES returns (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
