#!/usr/bin/env bash
# ctest fixture: the test stack in $KAERU_STACK, fresh for each run.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
case "$1" in
start)
	"$ROOT/tools/stack.sh" stop "$KAERU_STACK" || true
	rm -rf "$KAERU_STACK"
	# Short lock waits, so tests can make the database time out a transaction on purpose.
	export KAERU_LOCK_WAIT=2
	# Reads and writes to MariaDB give up after 4 s (more than a lock wait), so a test can
	# stall the database and see kaeru answer 503 instead of hanging.
	export KAERU_DB_TIMEOUT=4
	# nginx waits 10 s for kaeru-fcgi (60 s in production), so a test can see its 504.
	export KAERU_FCGI_TIMEOUT=10
	# kaeru-photo may spend 3 CPU seconds on a photo (20 in production; the tests' photos need
	# a tenth of that) and take 8 s in all (30), both within nginx's 10 s: a test sees the 422
	# of a photo that costs too much, or the 503 of one not read in time, rather than a 504.
	export KAERU_PHOTO_CPU_SECONDS=3 KAERU_PHOTO_TIMEOUT=8
	# kaeru-worker retries a failed webhook delivery after 1 s, then 2 s, 4 s ... (15 s in
	# production), so a test sees its retries.
	export KAERU_RETRY_BASE_SECONDS=1
	# The test stack's mail sink (12525 unless KAERU_TEST_SMTP_PORT says otherwise).
	export KAERU_SMTP_PORT=${KAERU_TEST_SMTP_PORT:-12525}
	exec "$ROOT/tools/stack.sh" start "$KAERU_STACK" "$KAERU_BUILD" "$KAERU_TEST_PORT" "$KAERU_TEST_DB_PORT" 8
	;;
stop)
	# Sanitizer reports of kaeru-fcgi fail the run: they are defects even when no test noticed.
	"$ROOT/tools/stack.sh" stop "$KAERU_STACK"
	for p in kaeru-fcgi kaeru-worker; do
		if grep -E "ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer" "$KAERU_STACK/log/$p.log"; then
			echo "$p reported sanitizer errors: see $KAERU_STACK/log/$p.log" >&2
			exit 1
		fi
	done
	;;
esac
