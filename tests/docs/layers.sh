#!/usr/bin/env bash
# The layers include only downward (README "Source layout"): core and util nothing of the
# others, validate no fcgi, kaeru-admin no fcgi, kaeru-photo (photo/) nothing of kaeru's but its
# own: it holds no database, secret or request. Prints each include that breaks the rule.
set -euo pipefail
cd "$(dirname "$0")/../.."
bad=0
check() { # check FOLDER PATTERN
	if grep -rnE "#include \"($2)/" "$1" --include='*.c' --include='*.h'; then bad=1; fi
}
check core 'db|fcgi|pdf|validate|admin|worker|util'
check util 'core|db|fcgi|pdf|validate|admin|worker'
check validate 'fcgi|pdf|admin|worker'
check admin 'fcgi'
check photo 'core|db|fcgi|pdf|validate|admin|worker|util'
exit $bad
