#!/usr/bin/env bash
# ctest fixture: the three-node Galera cluster of tools/cluster.sh in $KAERU_CLUSTER, fresh for
# each run, on KAERU_TEST_CLUSTER_PORT (nginx; +1..+3 reach one node each) and
# KAERU_TEST_CLUSTER_BASE (the nodes' ports: see tools/cluster.sh).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case "$1" in
start)
	"$ROOT/tools/cluster.sh" down "$KAERU_CLUSTER" || true
	rm -rf "$KAERU_CLUSTER"
	# Short lock waits and database timeouts, as on the test stack.
	export KAERU_LOCK_WAIT=5 KAERU_DB_TIMEOUT=10 KAERU_CLUSTER_WORKERS=4
	exec "$ROOT/tools/cluster.sh" up "$KAERU_CLUSTER" "$KAERU_BUILD" "$KAERU_TEST_CLUSTER_PORT" "$KAERU_TEST_CLUSTER_BASE"
	;;
stop)
	"$ROOT/tools/cluster.sh" down "$KAERU_CLUSTER"
	for f in "$KAERU_CLUSTER"/log/kaeru-fcgi-*.log "$KAERU_CLUSTER"/log/kaeru-worker-*.log; do
		if grep -E "ERROR: AddressSanitizer|runtime error:" "$f"; then
			echo "sanitizer errors: see $f" >&2
			exit 1
		fi
	done
	;;
esac
