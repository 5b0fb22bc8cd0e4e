-- Throttles count an attempt before it is decided, in one row per subject: an increment of the
-- row is atomic (and on Galera certified), so of many racing attempts each sees its own count and
-- no more than the limit are evaluated. Replaces login_failures (a log read, then written, which
-- let parallel guesses through). lookup_failures is no longer written.
CREATE TABLE throttles (
  kind ENUM('lookup','login_account','login_address') NOT NULL,
  subject VARBINARY(255) NOT NULL,
  started DATETIME(3) NOT NULL,        -- the window's start; a window older than its length starts anew
  attempts INT UNSIGNED NOT NULL,      -- counted, not given back: failures and those in flight
  failures INT UNSIGNED NOT NULL DEFAULT 0,
  last_failed DATETIME(3) NULL,
  PRIMARY KEY (kind, subject),
  KEY ix_throttles_started (started)
) ENGINE=InnoDB;

DROP TABLE login_failures;
