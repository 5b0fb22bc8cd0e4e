-- Failed lookups are counted in throttles (008) since lookups count before they decide;
-- nothing reads or writes lookup_failures any more.
DROP TABLE IF EXISTS lookup_failures;
