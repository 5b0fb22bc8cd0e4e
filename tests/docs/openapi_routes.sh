#!/usr/bin/env bash
# Every route kaeru-fcgi serves (fcgi/router.c) is described in docs/openapi.yaml, and every
# path API.md promises is there too — so the published contract cannot silently drift.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
spec=$ROOT/docs/openapi.yaml
fail=0
paths=$(grep -E '^  /' "$spec" | sed -e 's/:$//' -e 's/^  //')
check() { # check PATTERN-WITH-STARS SOURCE
	local re
	re="^$(printf '%s' "$1" | sed -e 's/[.]/\\./g' -e 's/\*/{[^}]+}/g')\$"
	if ! grep -qE "$re" <<<"$paths"; then
		echo "missing from docs/openapi.yaml: $1 (from $2)"
		fail=1
	fi
}
while read -r pattern; do
	check "$pattern" fcgi/router.c
done < <(grep -oE '"/api/v1/[^"]*"' "$ROOT/fcgi/router.c" | tr -d '"')
n=$(grep -oE '"/api/v1/[^"]*"' "$ROOT/fcgi/router.c" | wc -l)
[ "$n" -gt 5 ] || { echo "found only $n routes in fcgi/router.c"; exit 1; }
# API.md paths: `METHOD /api/v1/...` in backticks.
while read -r p; do
	check "$(printf '%s' "$p" | sed -E 's/\{[^}]+\}/*/g')" API.md
done < <(grep -oE '`(GET|POST|PUT|DELETE) /api/v1/[^` ?]*' "$ROOT/../shared/product/API.md" 2>/dev/null | sed -E 's/^`[A-Z]+ //' | sort -u)
[ $fail = 0 ] && echo "PASS: $n routes and API.md's paths are all in docs/openapi.yaml"
exit $fail
